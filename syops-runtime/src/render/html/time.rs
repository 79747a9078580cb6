//! The time-resolved part ([`crate::count::time::TimeStats`]): the model's firing rate per time step as
//! columns, the per-sample distributions (mean, p5, p50, p95, max) and each neuron layer's dead
//! and saturated neurons as bars.
use std::fmt::Write;

use super::chart::{bar_chart, Part, Row, BAR_W};
use super::markup::esc;
use crate::count::time::{Dist, TimeStats};

/// How a value reads in a cell.
type Show<'a> = dyn Fn(f64) -> String + 'a;

/// Height of the column area: a 100 % step is this tall.
const COL_H: f64 = 120.0;
/// Left margin for the axis labels.
const AXIS_W: f64 = 48.0;

/// The section, with counts shown by `show`.
pub(super) fn time(t: &TimeStats, show: &dyn Fn(f64) -> String) -> String {
    let mut out = format!(
        "<h3>Time-resolved</h3>\n<p class=\"note\">over {} samples; percentiles by nearest rank</p>\n",
        t.samples
    );
    out += &steps(t, show);
    out += &distributions(t, show);
    out + &neurons(t)
}

/// One column per time step, 0 to 100 %, with the step's operations in its tooltip.
fn steps(t: &TimeStats, show: &dyn Fn(f64) -> String) -> String {
    if t.rate_per_step.is_empty() {
        return "<p class=\"note\">No neuron layer: no firing rate per time step.</p>\n".into();
    }
    let n = t.rate_per_step.len();
    let col = (BAR_W / n as f64).clamp(4.0, 32.0);
    let (width, height) = (AXIS_W + n as f64 * col + 8.0, COL_H + 36.0);
    let mut svg = format!(
        "<p class=\"note\"><i class=\"key rate\"></i>firing rate per time step over every neuron layer</p>\n\
         <svg class=\"chart steps\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" role=\"img\">"
    );
    for p in [0.0, 50.0, 100.0] {
        let y = 8.0 + COL_H * (1.0 - p / 100.0);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{AXIS_W}" y1="{y}" x2="{width}" y2="{y}"/><text class="tick" x="{}" y="{}">{p} %</text>"#,
            AXIS_W / 2.0,
            y + 4.0
        );
    }
    for (i, &rate) in t.rate_per_step.iter().enumerate() {
        let pct = (rate * 100.0).clamp(0.0, 100.0);
        let h = pct / 100.0 * COL_H;
        let x = AXIS_W + i as f64 * col;
        let mut tip = format!("t = {i}: {pct:.2} %");
        if let Some(ops) = t.ops_per_step.get(i) {
            let _ = write!(tip, ", {} ACs, {} MACs per sample", show(ops.acs), show(ops.macs));
        }
        let _ = write!(
            svg,
            r#"<rect class="bar rate" x="{:.2}" y="{:.2}" width="{:.2}" height="{h:.2}" data-step="{i}" data-value="{rate}"><title>{}</title></rect>"#,
            x + 1.0,
            8.0 + COL_H - h,
            col - 2.0,
            esc(&tip)
        );
        if n <= 32 || i % (n / 16) == 0 {
            let _ = write!(svg, r#"<text class="tick" x="{:.2}" y="{}">{i}</text>"#, x + col / 2.0, COL_H + 24.0);
        }
    }
    svg + "</svg>\n<p class=\"note\">time step</p>\n"
}

/// Mean, p5, p50, p95 and max over samples of the rate, ACs and MACs.
fn distributions(t: &TimeStats, show: &dyn Fn(f64) -> String) -> String {
    let pct = |v: f64| format!("{:.2}", v * 100.0);
    let rows: [(&str, &Option<Dist>, &Show<'_>); 3] = [
        ("firing rate %", &t.per_sample_rate, &pct),
        ("ACs", &t.per_sample_acs, show),
        ("MACs", &t.per_sample_macs, show),
    ];
    let mut out = String::from(
        "<table class=\"dist\">\n<thead><tr><th>per sample</th><th>mean</th><th>p5</th><th>p50</th><th>p95</th>\
         <th>max</th></tr></thead>\n<tbody>\n",
    );
    for (name, dist, f) in rows {
        let cells = match dist {
            Some(d) => {
                [d.mean, d.p5, d.p50, d.p95, d.max].map(|v| format!("<td class=\"num\">{}</td>", esc(&f(v)))).concat()
            }
            None => "<td class=\"num\">-</td>".repeat(5),
        };
        let _ = writeln!(out, "<tr><td>{name}</td>{cells}</tr>");
    }
    out + "</tbody>\n</table>\n"
}

/// Dead and saturated fractions of each neuron layer, stacked on a 0–100 % axis.
fn neurons(t: &TimeStats) -> String {
    let rows: Vec<Row> = t
        .layers
        .iter()
        .filter_map(|l| {
            let (dead, saturated) = (l.dead_fraction? * 100.0, l.saturated_fraction.unwrap_or(0.0) * 100.0);
            let p = if l.path.is_empty() { "(root)" } else { &l.path };
            Some(Row {
                label: p.to_string(),
                segments: vec![
                    Part { value: dead, class: "dead", tip: format!("{p}: {dead:.2} % dead") },
                    Part { value: saturated, class: "saturated", tip: format!("{p}: {saturated:.2} % saturated") },
                ],
                markers: vec![],
                text: format!("dead {dead:.2} %, saturated {saturated:.2} % of {}", l.neurons.unwrap_or(0)),
            })
        })
        .collect();
    if rows.is_empty() {
        return String::new();
    }
    let ticks: Vec<_> = [0.0, 25.0, 50.0, 75.0, 100.0].iter().map(|&p| (p, format!("{p} %"))).collect();
    format!(
        "<p class=\"note\"><i class=\"key dead\"></i>dead (never fired)<i class=\"key saturated\"></i>saturated \
         (fired at every step of every sample), per neuron layer</p>\n{}\n",
        bar_chart("neurons", &rows, 100.0, &ticks)
    )
}

#[cfg(test)]
mod tests {
    use crate::render::html::tests::{full, widths};
    use crate::render::{Format, View};

    #[test]
    fn steps_distributions_and_dead_neurons() {
        let page = View { format: Format::Html, ..View::default() }.render(&full());
        // 4 steps of 32 px (560 / 4 = 140, at most 32), 120 px for 100 %: 50 % -> 60 px high from
        // y = 8 + 120 − 60 = 68; 25 % -> 30 px; 0 %; 100 % -> 120 px at y = 8; x = 48 + 32 i + 1.
        for (i, (x, y, h)) in
            [(49.0, 68.0, 60.0), (81.0, 98.0, 30.0), (113.0, 128.0, 0.0), (145.0, 8.0, 120.0)].into_iter().enumerate()
        {
            let rect = format!(
                r#"<rect class="bar rate" x="{x:.2}" y="{y:.2}" width="30.00" height="{h:.2}" data-step="{i}""#
            );
            assert!(page.contains(&rect), "{rect}\n{page}");
        }
        assert!(page.contains("<title>t = 1: 25.00 %, 250.0 ACs, 500.0 MACs per sample</title>"), "{page}");
        // Rates 0.2 and 0.4: mean 30 %, nearest-rank p5 = rank 1, p50 = rank 1, p95 = rank 2.
        let cells = |v: [&str; 5]| v.map(|c| format!("<td class=\"num\">{c}</td>")).concat();
        assert!(page.contains(&format!(
            "<tr><td>firing rate %</td>{}</tr>",
            cells(["30.00", "20.00", "20.00", "40.00", "40.00"])
        )));
        assert!(page
            .contains(&format!("<tr><td>ACs</td>{}</tr>", cells(["1.000 K", "500.0", "500.0", "1.500 K", "1.500 K"]))));
        // sn: 25 % dead, 50 % saturated on a 560 px axis.
        assert_eq!(
            (widths(&page, "dead"), widths(&page, "saturated")),
            (vec!["140.00".to_string()], vec!["280.00".to_string()])
        );
        assert!(page.contains(">dead 25.00 %, saturated 50.00 % of 4<"));
    }
}
