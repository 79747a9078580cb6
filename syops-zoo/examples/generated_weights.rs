//! Writes a zoo model's generated weights (as `cargo syops zoo` makes them without `--weights`:
//! PyTorch's default initialisation for convolutions, linear layers and norms, candle's for the
//! rest) to a safetensors checkpoint, so that several runs count the same ones: the shards of
//! `scripts/slurm-check.sh`, or a throughput run.
//!
//! ```sh
//! cargo run -p syops-zoo --example generated_weights -- spiking_resnet18 weights.safetensors
//! ```
use candle::{DType, Device};
use candle_nn::{VarBuilder, VarMap};
use syops_zoo::ZooOptions;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, file] = args.as_slice() else { return Err("usage: generated_weights MODEL FILE.safetensors".into()) };
    let varmap = VarMap::new();
    syops_zoo::find(model)?
        .build(&ZooOptions::default(), VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))?;
    varmap.save(file).map_err(|e| format!("cannot write {file}: {e}"))?;
    Ok(())
}
