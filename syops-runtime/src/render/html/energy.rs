//! The energy chart: per layer, compute only under the report's energy model; with a
//! memory-inclusive estimate ([`crate::report::EnergyDetail`]), compute and memory stacked, the ANN
//! baseline as markers and a table of each layer's figures and break-even rates.
use std::fmt::Write;

use super::chart::not_counted;
use super::chart::{bar_chart, Part, Row};
use super::markup::{energy, esc, label, ticks};
use crate::render::line::Line;
use crate::report::{EnergyDetail, EnergyRole, LayerEnergy};

/// Energy per sample, one row per layer.
pub(super) fn energy_chart(lines: &[Line], detail: Option<&EnergyDetail>) -> String {
    if let Some(d) = detail {
        return detail_chart(lines, d) + &detail_table(d);
    }
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| match l.energy_mj {
            Some(mj) => Row {
                label: label(l),
                segments: vec![Part { value: mj, class: "energy", tip: format!("{}: {}", label(l), energy(mj)) }],
                markers: vec![],
                text: energy(mj),
            },
            None => not_counted(l),
        })
        .collect();
    let max = lines.iter().filter_map(|l| l.energy_mj).fold(0.0, f64::max);
    format!(
        "<h3>Energy per sample</h3>\n<p class=\"note\"><i class=\"key energy\"></i>ACs × pJ/AC + MACs × pJ/MAC</p>\n{}\n",
        bar_chart("energy", &rows, max, &ticks(max, &energy))
    )
}

fn path(l: &LayerEnergy) -> &str {
    if l.path.is_empty() {
        "(root)"
    } else {
        &l.path
    }
}

/// The detail's layers a row stands for: its own, or its descendants' when rows are folded.
fn within<'a>(row: &str, d: &'a EnergyDetail) -> Vec<&'a LayerEnergy> {
    let inside = |p: &str| row.is_empty() || p == row || p.strip_prefix(row).is_some_and(|rest| rest.starts_with('.'));
    d.layers.iter().filter(|l| inside(&l.path)).collect()
}

/// One row per row of the table: compute and memory stacked, the ANN baseline's compute-only and
/// memory-inclusive figures as markers (neurons are free in the ANN); sums over a folded row's
/// layers.
fn detail_chart(lines: &[Line], d: &EnergyDetail) -> String {
    let mut max = 0.0f64;
    let rows: Vec<Row> = lines
        .iter()
        .map(|line| {
            let layers = within(&line.row.path, d);
            if layers.is_empty() {
                return not_counted(line);
            }
            let p = label(line);
            let sum = |f: &dyn Fn(&LayerEnergy) -> f64| layers.iter().map(|l| f(l)).sum::<f64>();
            let (compute, memory) = (sum(&|l| l.compute_mj), sum(&|l| l.memory_mj));
            let (ann_compute, ann) = (sum(&|l| l.ann_compute_mj), sum(&|l| l.ann_compute_mj + l.ann_memory_mj));
            max = max.max(compute + memory).max(ann);
            let synaptic = layers.iter().any(|l| l.role == EnergyRole::Synaptic);
            let markers = if synaptic {
                vec![
                    Part {
                        value: ann_compute,
                        class: "ann",
                        tip: format!("{p}: ANN {}, compute only", energy(ann_compute)),
                    },
                    Part { value: ann, class: "ann-memory", tip: format!("{p}: ANN {}, with memory", energy(ann)) },
                ]
            } else {
                vec![]
            };
            Row {
                segments: vec![
                    Part { value: compute, class: "energy", tip: format!("{p}: compute {}", energy(compute)) },
                    Part { value: memory, class: "memory", tip: format!("{p}: memory {}", energy(memory)) },
                ],
                markers,
                text: if synaptic {
                    format!("{} (ANN {})", energy(compute + memory), energy(ann))
                } else {
                    energy(compute + memory)
                },
                label: p,
            }
        })
        .collect();
    format!(
        "<h3>Energy per sample</h3>\n<p class=\"note\"><i class=\"key energy\"></i>compute<i class=\"key memory\"></i>memory \
         (weight reads; membrane reads and writes)<i class=\"key ann\"></i>ANN compute only<i class=\"key ann-memory\"></i>ANN \
         with memory (value: SNN with memory, ANN with memory)</p>\n{}\n",
        bar_chart("energy-detail", &rows, max, &ticks(max, &energy))
    )
}

/// Each layer's figures and break-even rates.
fn detail_table(d: &EnergyDetail) -> String {
    let rate = |r: Option<f64>| match r {
        None => "-".to_string(),
        Some(r) if r > 1.0 => "&gt; 1".to_string(),
        Some(r) if r < 0.0 => "&lt; 0".to_string(),
        Some(r) => format!("{r:.3}"),
    };
    let mut out = String::from(
        "<table class=\"energy\">\n<thead><tr><th>layer</th><th>role</th><th>memory</th><th>compute</th>\
         <th>with memory</th><th>ANN compute</th><th>ANN with memory</th><th>break-even compute</th>\
         <th>break-even with memory</th></tr></thead>\n<tbody>\n",
    );
    for l in &d.layers {
        let role = match l.role {
            EnergyRole::Synaptic => "synaptic",
            EnergyRole::Neuron => "neuron",
        };
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{role}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(path(l)),
            esc(&l.memory_level),
            energy(l.compute_mj),
            energy(l.compute_mj + l.memory_mj),
            energy(l.ann_compute_mj),
            energy(l.ann_compute_mj + l.ann_memory_mj),
            rate(l.break_even_rate_compute),
            rate(l.break_even_rate_memory)
        );
    }
    out + "</tbody>\n</table>\n<p class=\"note\">break-even: the layer's input firing rate at which it costs what its \
           ANN counterpart does; &gt; 1: it costs less at any rate, &lt; 0: more at any rate, -: a neuron)</p>\n"
}

#[cfg(test)]
mod tests {
    use crate::render::html::tests::{full, widths};
    use crate::render::{Format, View};

    #[test]
    fn compute_and_memory_stack_with_the_ann_as_markers() {
        let page = View { format: Format::Html, ..View::default() }.render(&full());
        // Per layer (see the header's test): fc1 compute 9200 pJ + memory 10000 pJ = 19200 pJ, the
        // largest (560 px); sn 900 + 10000 pJ. Widths: 9200/19200 × 560 = 268.33, 10000/19200 × 560
        // = 291.67, 900/19200 × 560 = 26.25.
        assert_eq!(widths(&page, "energy"), ["268.33", "26.25"]);
        assert_eq!(widths(&page, "memory"), ["291.67", "291.67"]);
        // fc1's ANN: 1150 pJ (33.54 px) and 2400 pJ with memory (70 px), right of the 9-character
        // label column (9 × 7.3 + 12 = 77.7 px), each 2 px wide centred on its value.
        assert!(page.contains(r#"<rect class="marker ann" x="110.24""#), "{page}");
        assert!(page.contains(r#"<rect class="marker ann-memory" x="146.70""#));
        assert_eq!(page.matches("<rect class=\"marker").count(), 2, "no ANN marker for the neuron");
        assert!(page.contains(">19.200 nJ (ANN 2.400 nJ)<") && page.contains(">10.900 nJ<"));
        assert!(page.contains(
            ">head&amp;tail<title>head&amp;tail</title></text><text class=\"value\" x=\"81.70\" y=\"67\">uncounted<"
        ));
        // The table: fc1's break-even rates 4.6 / (8 × 0.9) = 0.639 and (4.6 + 5) / (8 × (0.9 + 5)) = 0.203.
        assert!(
            page.contains(
                "<tr><td>block.fc1</td><td>synaptic</td><td>SRAM ≤ 8 KiB</td><td class=\"num\">9.200 nJ</td>\
             <td class=\"num\">19.200 nJ</td><td class=\"num\">1.150 nJ</td><td class=\"num\">2.400 nJ</td>\
             <td class=\"num\">0.639</td><td class=\"num\">0.203</td></tr>"
            ),
            "{page}"
        );
        assert!(
            page.contains("<tr><td>block.sn</td><td>neuron</td><td>SRAM ≤ 8 KiB</td><td class=\"num\">900.000 pJ</td>")
        );
    }

    #[test]
    fn folded_rows_sum_their_layers() {
        let view = View { format: Format::Html, depth: Some(1), ..View::default() };
        let page = view.render(&full());
        // `block` = fc1 + sn: compute 9200 + 900 = 10100 pJ, memory 10000 + 10000 = 20000 pJ, the
        // largest: 10100/30100 × 560 = 187.91 and 20000/30100 × 560 = 372.09 px; ANN fc1's alone.
        assert_eq!((widths(&page, "energy"), widths(&page, "memory")), (vec!["187.91".into()], vec!["372.09".into()]));
        assert!(page.contains(">30.100 nJ (ANN 2.400 nJ)<"), "{page}");
    }
}
