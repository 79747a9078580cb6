//! The exact convention's per-layer counts: membrane updates per sample of each layer that has
//! some, and the layers whose rule had no exact count (their dense count was booked).
use super::chart::{bar_chart, Part, Row};
use super::markup::{esc, label, ticks};
use crate::convention::per_sample;
use crate::render::line::Line;
use crate::render::view::View;

/// Nothing unless some layer has exact counts.
pub(super) fn exact(view: &View, lines: &[Line], batch_counter: u64) -> String {
    let show = |v: f64| view.units.show(v);
    let rows: Vec<Row> = lines
        .iter()
        .filter_map(|l| {
            let updates = per_sample(l.row.stats.exact?.membrane_updates as f64, batch_counter);
            (updates > 0.0).then(|| Row {
                label: label(l),
                segments: vec![Part {
                    value: updates,
                    class: "membrane",
                    tip: format!("{}: {} membrane updates", label(l), show(updates)),
                }],
                markers: vec![],
                text: show(updates),
            })
        })
        .collect();
    let dense: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            let calls = l.row.stats.exact?.dense_calls;
            (calls > 0).then(|| format!("{} ({calls} calls)", esc(&label(l))))
        })
        .collect();
    if rows.is_empty() && dense.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|r| r.segments[0].value).fold(0.0, f64::max);
    let mut out = String::from("<h3>Membrane updates per sample</h3>\n");
    if !rows.is_empty() {
        out += "<p class=\"note\"><i class=\"key membrane\"></i>exact convention: one update per neuron per time step</p>\n";
        out += &bar_chart("membrane", &rows, max, &ticks(max, &show));
        out += "\n";
    }
    if !dense.is_empty() {
        out += &format!("<p class=\"note\">No exact count, dense booked: {}</p>\n", dense.join(", "));
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::render::html::tests::{full, report, widths};
    use crate::render::{Format, View};

    #[test]
    fn membrane_updates_per_sample_of_exact_layers_only() {
        let html = View { format: Format::Html, ..View::default() };
        // sn: 2000 updates over 2 samples = 1000 per sample, the only (and so the widest) bar.
        let page = html.render(&full());
        assert_eq!(widths(&page, "membrane"), ["560.00"]);
        assert!(page.contains("<title>block.sn: 1.000 K membrane updates</title>"));
        assert!(!html.render(&report()).contains("Membrane updates"));
    }
}
