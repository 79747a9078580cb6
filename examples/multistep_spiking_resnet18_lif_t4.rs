//! Counts the reference port of `multistep_spiking_resnet18_lif_t4` (generated weights, the reference case's inputs) and prints
//! its report: `cargo run --release --example multistep_spiking_resnet18_lif_t4`.
use syops::zoo;

fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/multistep_spiking_resnet18_lif_t4.json");
    let case = syops::zoo::reference::Case::load(path)?;
    let report = zoo::count_case(&case, candle::DType::F32, &candle::Device::Cpu)?;
    println!("{report}");
    Ok(())
}
