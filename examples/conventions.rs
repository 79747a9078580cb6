//! One model counted under the three conventions, side by side: the README's table.
//!
//! ```text
//! cargo run --release --example conventions            # the reference case cifar_plif_t4, float64
//! cargo run --release --example conventions -- CASE    # another case of tests/reference
//! ```
//!
//! The model is a reference case (tests/reference: its weights and inputs are rebuilt bit for bit),
//! counted in float64 under syops 0.0.5's convention, the exact one and NeuroBench 2.3's; the
//! table is Markdown.
use candle::{DType, Device};
use syops::convention::Convention;
use syops::render::human;
use syops::zoo::reference::Case;
use syops::{Report, Session};

fn main() -> anyhow::Result<()> {
    let name = std::env::args().nth(1).unwrap_or_else(|| "cifar_plif_t4".into());
    let case = Case::load(format!("tests/reference/{name}.json"))?;
    let count =
        |c: Convention| syops::zoo::count_case_with(&Session::new().convention(c), &case, DType::F64, &Device::Cpu);
    let reports = [count(Convention::Syops005)?, count(Convention::Exact)?, count(Convention::NeuroBench)?];
    print!("{}", table(&name, &reports));
    Ok(())
}

/// The Markdown table of `reports` (syops 0.0.5, exact, NeuroBench, in that order).
fn table(name: &str, [syops, exact, nb]: &[Report; 3]) -> String {
    let m = nb.neurobench.as_ref().expect("a NeuroBench report");
    let h = human;
    let opt = |v: Option<f64>| v.map_or_else(|| "—".to_string(), h);
    let ratio = |v: Option<f64>| v.map_or_else(|| "—".to_string(), |v| format!("{v:.4}"));
    let rows = [
        (
            "ACs per sample",
            h(syops.per_sample.acs),
            h(exact.per_sample.acs),
            format!("{} (Effective_ACs)", h(m.synaptic_operations.effective_acs)),
        ),
        (
            "MACs per sample",
            h(syops.per_sample.macs),
            h(exact.per_sample.macs),
            format!("{} (Effective_MACs)", h(m.synaptic_operations.effective_macs)),
        ),
        (
            "dense per sample",
            h(syops.per_sample.total),
            opt(exact.per_sample.dense),
            format!("{} (Dense: connection layers, no bias)", h(m.synaptic_operations.dense)),
        ),
        (
            "membrane updates per sample",
            "— (neurons are ACs)".into(),
            opt(exact.per_sample.membrane_updates),
            format!("{} (MembraneUpdates: changed membranes)", h(m.membrane_updates)),
        ),
        ("activation sparsity", "—".into(), "—".into(), ratio(m.activation_sparsity)),
        ("connection sparsity", "—".into(), "—".into(), ratio(m.connection_sparsity)),
        (
            "parameters",
            h(syops.params as f64),
            h(exact.params as f64),
            format!(
                "{} (ParameterCount; Footprint {} bytes)",
                h(m.statics.parameter_count as f64),
                m.statics.footprint
            ),
        ),
        (
            "energy per sample (0.9 pJ/AC, 4.6 pJ/MAC)",
            format!("{:.4} µJ", syops.energy.total_mj * 1e3),
            format!("{:.4} µJ", exact.energy.total_mj * 1e3),
            format!("{:.4} µJ", nb.energy.total_mj * 1e3),
        ),
    ];
    let mut out = format!(
        "{name}: {} samples in {} batches, float64\n\n| | syops 0.0.5 (default) | exact | NeuroBench 2.3 |\n| --- | --- | --- | --- |\n",
        syops.batch_counter, syops.batches
    );
    for (what, a, b, c) in rows {
        out += &format!("| {what} | {a} | {b} | {c} |\n");
    }
    out
}
