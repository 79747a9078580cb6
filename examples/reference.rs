//! Runs a reference case and prints what this project counts, as one JSON object with the fields
//! of the manifest's `expected` (see tests/reference/README.md):
//!
//! ```text
//! cargo run --release --example reference -- tests/reference/spiking_resnet18.json --dtype f64
//! cargo run --release --example reference -- tests/reference/spiking_resnet18.json --convention exact
//! ```
use syops::zoo;

use anyhow::{bail, Context};
use candle::{DType, Device};
use syops::convention::Convention;
use syops::zoo::reference::{runner_output, Case};
use syops::Session;

const USAGE: &str = "usage: reference PATH/TO/<case>.json [--dtype f32|f64] [--convention syops-0.0.5|exact]";

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut path = None;
    let mut dtype = DType::F32;
    let mut convention = Convention::Syops005;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--dtype" => {
                dtype = match args.next().as_deref() {
                    Some("f32") => DType::F32,
                    Some("f64") => DType::F64,
                    other => bail!("--dtype takes f32 or f64, got {other:?}"),
                }
            }
            "--convention" => {
                let name = args.next().context("--convention takes syops-0.0.5 or exact")?;
                convention = name.parse()?;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(());
            }
            _ if path.is_none() => path = Some(arg),
            _ => bail!("unexpected argument `{arg}`; {USAGE}"),
        }
    }
    let path = path.with_context(|| format!("missing the manifest path; {USAGE}"))?;
    let case = Case::load(&path)?;
    let session = Session::new().convention(convention);
    let report = zoo::count_case_with(&session, &case, dtype, &Device::Cpu)?;
    println!("{}", serde_json::to_string_pretty(&runner_output(&case.case, &report))?);
    Ok(())
}
