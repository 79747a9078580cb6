//! `--format html`: one self-contained page (inline CSS and SVG; no script, nothing fetched) with,
//! per report, the summary, per-layer bar charts of ACs and MACs, energy and input firing rate, the
//! coverage, the warnings and the table. Depth, units and energy model apply as in every format.
//!
//! Each part is one function (`header`, `ops_chart`, `exact`, `neurobench`, `energy_chart`,
//! `rate_chart`, `time`, `coverage`, `warnings`, `table`) called by `section`, so new report fields
//! get their own part; the parts of the report's optional fields show only when the field is
//! present: the static banner, the exact counts (header, `exact`), NeuroBench's metrics
//! (`neurobench`), the memory-inclusive energy and ANN baseline
//! (header, `energy_chart`), the time-resolved statistics (`time`) and the coverage of calls
//! (`coverage`).
//!
//! ```
//! use syops_runtime::render::{Format, View};
//! # let report: syops_runtime::report::Report = serde_json::from_str(r#"{"schema":1,"model":"Net","convention":"syops-0.0.5",
//! #   "batch_counter":2,"times_counter":1,"batches":1,"params":10,
//! #   "per_sample":{"total":8.0,"acs":4.0,"macs":4.0,"rate_slot":0.0},
//! #   "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0},
//! #   "layers":[],"warnings":[]}"#).unwrap();
//! let page = View { format: Format::Html, ..View::default() }.render(&report);
//! assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<h2>Net</h2>"));
//! // Several reports (as `cargo syops` collects them) make one page with a section each.
//! let both = View::default().html(&[report.clone(), report]);
//! assert_eq!(both.matches(r#"<section class="report""#).count(), 2);
//! ```
mod chart;
mod coverage;
mod energy;
mod exact;
mod header;
mod markup;
mod neurobench;
mod time;

use std::fmt::Write;

use chart::not_counted;
use chart::{bar_chart, Part, Row};
use markup::{count, esc, label, status_name, ticks};

use crate::render::line::{lines, Line};
use crate::render::view::View;
use crate::report::Report;

/// Colours of the bars and statuses, shared by the SVG (`fill`) and the legends (`background`).
const STYLE: &str = "
body{font:14px/1.45 system-ui,sans-serif;color:#1d1d1f;margin:24px auto;max-width:1280px;padding:0 16px}
h1{font-size:22px}h2{font-size:19px;border-bottom:1px solid #ccc;padding-bottom:4px;margin-top:40px}
h3{font-size:15px;margin:24px 0 6px}
dl.summary{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{color:#555}dd{margin:0}
.note{color:#555;font-size:12.5px;margin:2px 0 6px}
svg.chart{display:block;max-width:100%;height:auto;font:12px ui-monospace,monospace}
svg .label{text-anchor:end;fill:#1d1d1f}svg .value{fill:#444}svg .tick{fill:#777;font-size:11px;text-anchor:middle}
svg .grid{stroke:#e4e4e4;stroke-width:1}svg rect{shape-rendering:crispEdges}
i.key{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;vertical-align:-1px}
rect.ac,i.ac{fill:#4e79a7;background:#4e79a7}rect.mac,i.mac{fill:#f28e2b;background:#f28e2b}
rect.energy,i.energy{fill:#76b7b2;background:#76b7b2}rect.rate,i.rate{fill:#b07aa1;background:#b07aa1}
rect.counted,i.counted{fill:#59a14f;background:#59a14f}rect.ignored,i.ignored{fill:#bab0ac;background:#bab0ac}
rect.uncounted,i.uncounted{fill:#e15759;background:#e15759}
rect.memory,i.memory{fill:#edc948;background:#edc948}rect.ann,i.ann{fill:#1d1d1f;background:#1d1d1f}
rect.ann-memory,i.ann-memory{fill:#9c755f;background:#9c755f}rect.membrane,i.membrane{fill:#86bcb6;background:#86bcb6}
rect.dead,i.dead{fill:#79706e;background:#79706e}rect.saturated,i.saturated{fill:#ff9d9a;background:#ff9d9a}
dd .note{display:block;margin:0}p.banner{background:#fff4d6;border:1px solid #e0b84c;padding:6px 10px}
table{border-collapse:collapse;font:12.5px ui-monospace,monospace;margin-top:8px}
th,td{border:1px solid #ddd;padding:2px 8px;white-space:nowrap}th{background:#f3f3f3;position:sticky;top:0}
td.num{text-align:right}tr.ignored td{color:#888}tr.uncounted td{background:#fdecec}
ul.warnings li{color:#8a4b00}ul.missing{list-style:none;padding-left:12px}
";

impl View {
    /// `reports` as one HTML page with a section each (what `cargo syops --format html` writes),
    /// each shown through this view.
    pub fn html(&self, reports: &[Report]) -> String {
        document(self, &reports.iter().map(|r| self.apply(r)).collect::<Vec<_>>())
    }
}

/// The page of `reports`, already in `view` (its depth and energy model applied).
pub(crate) fn document(view: &View, reports: &[Report]) -> String {
    let title = match reports {
        [one] => format!("syops: {}", one.model),
        _ => format!("syops: {} reports", reports.len()),
    };
    let mut out = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"generator\" content=\"syops {}\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n\
         <h1>{}</h1>\n",
        env!("CARGO_PKG_VERSION"),
        esc(&title),
        if reports.len() == 1 { "syops report".to_string() } else { esc(&title) }
    );
    if reports.len() > 1 {
        out += "<nav><ol>";
        for (i, r) in reports.iter().enumerate() {
            let _ = write!(out, "<li><a href=\"#report-{}\">{}</a></li>", i + 1, esc(&r.model));
        }
        out += "</ol></nav>\n";
    }
    if reports.is_empty() {
        out += "<p>No reports.</p>\n";
    }
    for (i, report) in reports.iter().enumerate() {
        out += &section(view, report, i + 1);
    }
    out + "</body>\n</html>\n"
}

/// One report's section.
fn section(view: &View, report: &Report, index: usize) -> String {
    let lines: Vec<Line> = lines(report).collect();
    let parts = [
        header::header(view, report),
        ops_chart(view, &lines),
        exact::exact(view, &lines, report.batch_counter),
        neurobench::neurobench(view, report),
        energy::energy_chart(&lines, report.energy_detail.as_ref()),
        rate_chart(&lines),
        report.time.as_ref().map_or_else(String::new, |t| time::time(t, &|v| count(view, v))),
        coverage::coverage(report),
        warnings(report),
        table(view, &lines),
    ];
    format!("<section class=\"report\" id=\"report-{index}\">\n{}</section>\n", parts.concat())
}

/// ACs and MACs per sample, stacked, one row per layer.
fn ops_chart(view: &View, lines: &[Line]) -> String {
    let show = |v: f64| view.units.show(v);
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| match (l.acs, l.macs) {
            (Some(acs), Some(macs)) => Row {
                label: label(l),
                segments: vec![
                    Part { value: acs, class: "ac", tip: format!("{}: {} ACs", label(l), show(acs)) },
                    Part { value: macs, class: "mac", tip: format!("{}: {} MACs", label(l), show(macs)) },
                ],
                markers: vec![],
                text: format!("{} / {}", show(acs), show(macs)),
            },
            _ => not_counted(l),
        })
        .collect();
    let max = lines.iter().filter_map(|l| Some(l.acs? + l.macs?)).fold(0.0, f64::max);
    format!(
        "<h3>Operations per sample</h3>\n<p class=\"note\"><i class=\"key ac\"></i>ACs<i class=\"key mac\"></i>MACs \
         (value: ACs / MACs{})</p>\n{}\n",
        view.units.scale().map_or_else(String::new, |(_, u)| format!(", in {u}")),
        bar_chart("ops", &rows, max, &ticks(max, &|v| show(v)))
    )
}

/// Mean input firing rate of each layer, 0 to 100 %.
fn rate_chart(lines: &[Line]) -> String {
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| match l.row.mean_rate() {
            Some(rate) => {
                let pct = (rate * 100.0).clamp(0.0, 100.0);
                Row {
                    label: label(l),
                    segments: vec![Part { value: pct, class: "rate", tip: format!("{}: {pct:.2} %", label(l)) }],
                    markers: vec![],
                    text: format!("{pct:.2} %"),
                }
            }
            None => Row { label: label(l), segments: vec![], markers: vec![], text: "no rate".into() },
        })
        .collect();
    let ticks: Vec<_> = [0.0, 25.0, 50.0, 75.0, 100.0].iter().map(|&p| (p, format!("{p} %"))).collect();
    format!(
        "<h3>Input firing rate</h3>\n<p class=\"note\"><i class=\"key rate\"></i>mean over calls; analog inputs \
         count as 100 %, as syops counts them</p>\n{}\n",
        bar_chart("rate", &rows, 100.0, &ticks)
    )
}

/// What could not be counted or looked wrong.
fn warnings(r: &Report) -> String {
    if r.warnings.is_empty() {
        return "<h3>Warnings</h3>\n<p class=\"note\">None.</p>\n".into();
    }
    let items: String = r.warnings.iter().map(|w| format!("<li>{}</li>", esc(w))).collect();
    format!("<h3>Warnings</h3>\n<ul class=\"warnings\">{items}</ul>\n")
}

/// The table of every format, one row per layer.
fn table(view: &View, lines: &[Line]) -> String {
    let head: String = view.headers().iter().map(|h| format!("<th>{}</th>", esc(h))).collect();
    let mut out = format!("<h3>Layers</h3>\n<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n");
    for line in lines {
        let _ = write!(out, "<tr class=\"{}\">", status_name(line.row.status));
        for (i, cell) in view.cells(line).iter().enumerate() {
            let class = if matches!(i, 0 | 1 | 4) { "" } else { " class=\"num\"" };
            let _ = write!(out, "<td{class}>{}</td>", esc(cell));
        }
        out += "</tr>\n";
    }
    out + "</tbody>\n</table>\n"
}

#[cfg(test)]
mod tests;
