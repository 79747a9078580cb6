//! The summary at the top of a report's section: model, convention, samples, parameters,
//! operations and energy per sample, and what the energy assumes. A static report opens with a
//! banner; the exact convention adds its membrane updates and dense count; a memory-inclusive
//! estimate ([`crate::report::EnergyDetail`]) replaces the compute-only energy model line with both
//! figures, the ANN baseline and the break-even rates, each with its assumptions.
use std::fmt::Write;

use super::markup::{energy, esc};
use crate::render::View;
use crate::report::{EnergyDetail, EnergyModel, Report};

/// The `<h2>`, the static banner if any, and the summary list.
pub(super) fn header(view: &View, r: &Report) -> String {
    let count = |v: f64| super::markup::count(view, v);
    let e = &r.energy;
    let m = &e.model;
    let preset = [
        (EnergyModel::FP32_45NM, "45 nm FP32, Horowitz 2014"),
        (EnergyModel::FP16_45NM, "45 nm FP16"),
        (EnergyModel::INT8_45NM, "45 nm INT8"),
    ]
    .into_iter()
    .find(|(p, _)| p == m)
    .map_or_else(String::new, |(_, name)| format!(" ({name})"));
    let mut items = vec![
        ("Convention", esc(&r.convention)),
        ("Samples", format!("{} samples in {} batches ({} root calls)", r.batch_counter, r.batches, r.times_counter)),
        ("Parameters", count(r.params as f64)),
        ("ACs", format!("{} per sample", count(r.per_sample.acs))),
        ("MACs", format!("{} per sample", count(r.per_sample.macs))),
    ];
    if let Some(updates) = r.per_sample.membrane_updates {
        items.push(("Membrane updates", format!("{} per sample", count(updates))));
    }
    if let Some(dense) = r.per_sample.dense {
        items.push(("Dense", format!("{} per sample", count(dense))));
    }
    items.push((
        "Energy",
        format!("{} per sample = ACs {} + MACs {}", energy(e.total_mj), energy(e.ac_mj), energy(e.mac_mj)),
    ));
    match &r.energy_detail {
        None => items.push((
            "Energy model",
            format!(
                "{} pJ per AC, {} pJ per MAC{preset}; arithmetic only, memory access not included",
                m.pj_per_ac, m.pj_per_mac
            ),
        )),
        Some(d) => items.extend(detail(d, &preset)),
    }
    if let Some(a) = &r.accuracy {
        items.push(("Accuracy", a.describe()));
    }
    items.push((
        "Layers",
        format!("{} rows{}", r.layers.len(), view.depth.map_or_else(String::new, |d| format!(" (depth {d})"))),
    ));
    let mut out = format!("<h2>{}</h2>\n", esc(&r.model));
    if let Some(rates) = &r.assumed_rates {
        let _ = writeln!(
            out,
            "<p class=\"banner static\"><b>static:</b> assumed rates {} (no data: one forward pass on zeros)</p>",
            esc(&rates.describe())
        );
    }
    out += "<dl class=\"summary\">\n";
    for (term, value) in items {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{value}</dd>");
    }
    out + "</dl>\n"
}

/// Compute-only and memory-inclusive energy side by side, the ANN baseline and the break-even
/// rates, each with its assumptions (the wording of the table's summary lines).
fn detail(d: &EnergyDetail, preset: &str) -> [(&'static str, String); 4] {
    let pair = |compute: String, memory: String, unit: &str, labels: &[&str]| {
        let notes: String = labels.iter().map(|l| format!("<span class=\"note\">{}</span>", esc(l))).collect();
        format!("<b>{compute}</b> compute only | <b>{memory}</b> with memory{unit}{notes}")
    };
    let rate = |r: Option<f64>| esc(&crate::report::describe_break_even(r));
    let ann_memory = &d.ann_memory_inclusive.label;
    let ann_memory = ann_memory.split_once("; ").map_or(ann_memory.as_str(), |(_, rest)| rest);
    [
        (
            "Energy model",
            format!(
                "{} pJ per AC, {} pJ per MAC{preset}, {}-bit values; memory access below",
                d.model.pj_per_ac, d.model.pj_per_mac, d.model.bits
            ),
        ),
        (
            "SNN energy",
            pair(
                energy(d.compute.mj),
                energy(d.memory_inclusive.mj),
                ", per sample",
                &[&d.compute.label, &d.memory_inclusive.label],
            ),
        ),
        (
            "ANN baseline",
            pair(
                energy(d.ann_compute.mj),
                energy(d.ann_memory_inclusive.mj),
                ", per sample",
                &[&d.ann_compute.label, ann_memory],
            ),
        ),
        (
            "Break-even rate",
            pair(rate(d.break_even_rate_compute), rate(d.break_even_rate_memory), "", &[&d.break_even_label]),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use crate::render::html::tests::full;
    use crate::render::{Format, View};

    #[test]
    fn shows_both_energies_the_ann_the_break_even_and_the_exact_counts() {
        let page = View { format: Format::Html, ..View::default() }.render(&full());
        // Compute: fc1 2000 MACs × 4.6 + sn 1000 ACs × 0.9 = 10100 pJ. Memory: fc1's 40 FP32 weights
        // (160 B, SRAM ≤ 8 KiB: 10 pJ per 64-bit access, 5 pJ per 32-bit read) read per MAC:
        // 2000 × 5 = 10000 pJ; sn's 4 membranes read and written per update: 1000 × 2 × 5 = 10000 pJ.
        assert!(
            page.contains(
                "<dt>SNN energy</dt><dd><b>10.100 nJ</b> compute only | <b>30.100 nJ</b> with memory, per sample"
            ),
            "{page}"
        );
        // ANN, one run per 8 steps: 2000 / 8 = 250 MACs × 4.6 = 1150 pJ, plus 250 × 5 pJ reads = 2400 pJ.
        assert!(page.contains(
            "<dt>ANN baseline</dt><dd><b>1.150 nJ</b> compute only | <b>2.400 nJ</b> with memory, per sample"
        ));
        // Break-even: (1150 − 900) / (2000 × 0.9) = 0.139; with memory the neuron alone (10900 pJ)
        // costs more than the ANN (2400 pJ): below 0.
        // (2400 − 10900) / (2000 × (0.9 + 5)) = −0.720.
        assert!(
            page.contains(
                "<dd><b>0.139</b> compute only | <b>-0.720 &lt; 0: the SNN costs more at any rate</b> with memory"
            ),
            "{page}"
        );
        assert!(page
            .contains("<span class=\"note\">compute only, 45 nm FP32: 0.9 pJ/AC, 4.6 pJ/MAC (Horowitz 2014)</span>"));
        assert!(page.contains("one run per 8 SNN time step(s)") && page.contains("Lemaire et al. 2022"));
        assert!(page.contains("0.9 pJ per AC, 4.6 pJ per MAC (45 nm FP32, Horowitz 2014), 32-bit values"));
        assert!(page.contains("<dt>Membrane updates</dt><dd>1.000 K per sample</dd>"));
        assert!(page.contains("<dt>Dense</dt><dd>3.000 K per sample</dd>"));
        assert!(page.contains("<dt>Convention</dt><dd>exact</dd>"));
        assert!(page.contains(
            "<p class=\"banner static\"><b>static:</b> assumed rates default 15.00 % (no data: one forward pass on zeros)</p>"
        ));
    }
}
