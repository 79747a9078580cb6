//! Counts the reference port of `sew_resnet18` (generated weights, the reference case's inputs) and prints
//! its report: `cargo run --release --example sew_resnet18`.
mod models;

fn main() -> anyhow::Result<()> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/reference/sew_resnet18.json");
    let case = syops::reference::Case::load(path)?;
    let report = models::count_case(&case, candle::DType::F32, &candle::Device::Cpu)?;
    println!("{report}");
    Ok(())
}
