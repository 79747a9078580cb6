//! `--format html`: one self-contained page (inline CSS and SVG; no script, nothing fetched) with,
//! per report, the summary, per-layer bar charts of ACs and MACs, energy and input firing rate, the
//! coverage, the warnings and the table. Depth, units and energy model apply as in every format.
//!
//! Each part is one function (`header`, `ops_chart`, `energy_chart`, `rate_chart`, `coverage`,
//! `warnings`, `table`) called by `section`, so new report fields get their own part.
//!
//! ```
//! use syops_runtime::{Format, View};
//! # let report: syops_runtime::Report = serde_json::from_str(r#"{"schema":1,"model":"Net","convention":"syops-0.0.5",
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

use std::fmt::Write;

use chart::{bar_chart, Row, Segment};

use crate::{
    format::Line,
    report::{Report, Status},
    EnergyModel, View,
};

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
table{border-collapse:collapse;font:12.5px ui-monospace,monospace;margin-top:8px}
th,td{border:1px solid #ddd;padding:2px 8px;white-space:nowrap}th{background:#f3f3f3;position:sticky;top:0}
td.num{text-align:right}tr.ignored td{color:#888}tr.uncounted td{background:#fdecec}
ul.warnings li{color:#8a4b00}ul.missing{list-style:none;padding-left:12px}
";

impl View {
    /// `reports` as one HTML page with a section each (what `cargo syops --format html` writes),
    /// each shown through this view.
    pub fn html(&self, reports: &[Report]) -> String {
        document(self, &reports.iter().map(|r| r.view(self)).collect::<Vec<_>>())
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
    let lines: Vec<Line> = report.lines().collect();
    let parts = [
        header(view, report),
        ops_chart(view, &lines),
        energy_chart(&lines),
        rate_chart(&lines),
        coverage(report),
        warnings(report),
        table(view, &lines),
    ];
    format!("<section class=\"report\" id=\"report-{index}\">\n{}</section>\n", parts.concat())
}

/// Model, convention, samples, parameters, per-sample ACs and MACs, energy and what it assumes.
fn header(view: &View, r: &Report) -> String {
    let count = |v: f64| match view.units.scale() {
        None => crate::human(v),
        Some((div, u)) => format!("{:.3} {u}", v / div),
    };
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
    let items = [
        ("Convention", esc(&r.convention)),
        ("Samples", format!("{} samples in {} batches ({} root calls)", r.batch_counter, r.batches, r.times_counter)),
        ("Parameters", count(r.params as f64)),
        ("ACs", format!("{} per sample", count(r.per_sample.acs))),
        ("MACs", format!("{} per sample", count(r.per_sample.macs))),
        ("Energy", format!("{} per sample = ACs {} + MACs {}", energy(e.total_mj), energy(e.ac_mj), energy(e.mac_mj))),
        (
            "Energy model",
            format!(
                "{} pJ per AC, {} pJ per MAC{preset}; arithmetic only, memory access not included",
                m.pj_per_ac, m.pj_per_mac
            ),
        ),
        (
            "Layers",
            format!("{} rows{}", r.layers.len(), view.depth.map_or_else(String::new, |d| format!(" (depth {d})"))),
        ),
    ];
    let mut out = format!("<h2>{}</h2>\n<dl class=\"summary\">\n", esc(&r.model));
    for (term, value) in items {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{value}</dd>");
    }
    out + "</dl>\n"
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
                    Segment { value: acs, class: "ac", tip: format!("{}: {} ACs", label(l), show(acs)) },
                    Segment { value: macs, class: "mac", tip: format!("{}: {} MACs", label(l), show(macs)) },
                ],
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

/// Energy per sample, one row per layer, under the report's energy model.
fn energy_chart(lines: &[Line]) -> String {
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| match l.energy_mj {
            Some(mj) => Row {
                label: label(l),
                segments: vec![Segment { value: mj, class: "energy", tip: format!("{}: {}", label(l), energy(mj)) }],
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

/// Mean input firing rate of each layer, 0 to 100 %.
fn rate_chart(lines: &[Line]) -> String {
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| match l.row.mean_rate() {
            Some(rate) => {
                let pct = (rate * 100.0).clamp(0.0, 100.0);
                Row {
                    label: label(l),
                    segments: vec![Segment { value: pct, class: "rate", tip: format!("{}: {pct:.2} %", label(l)) }],
                    text: format!("{pct:.2} %"),
                }
            }
            None => Row { label: label(l), segments: vec![], text: "no rate".into() },
        })
        .collect();
    let ticks: Vec<_> = [0.0, 25.0, 50.0, 75.0, 100.0].iter().map(|&p| (p, format!("{p} %"))).collect();
    format!(
        "<h3>Input firing rate</h3>\n<p class=\"note\"><i class=\"key rate\"></i>mean over calls; analog inputs \
         count as 100 %, as syops counts them</p>\n{}\n",
        bar_chart("rate", &rows, 100.0, &ticks)
    )
}

/// How many layers were counted, ignored or could not be counted, layer by layer.
fn coverage(r: &Report) -> String {
    let statuses = [(Status::Counted, "counted"), (Status::Ignored, "ignored"), (Status::Uncounted, "uncounted")];
    let mut out = String::from("<h3>Coverage</h3>\n<p class=\"note\">");
    for (status, name) in statuses {
        let n = r.layers.iter().filter(|l| l.status == status).count();
        let _ = write!(out, "<i class=\"key {name}\"></i>{name} <b>{n}</b>");
    }
    out += "</p>\n";
    let n = r.layers.len().max(1) as f64;
    let (cell, height) = (chart::BAR_W / n, chart::ROW_H);
    let _ = write!(
        out,
        r#"<svg class="chart coverage" width="{w}" height="{height}" viewBox="0 0 {w} {height}" role="img">"#,
        w = chart::BAR_W
    );
    for (i, row) in r.layers.iter().enumerate() {
        let name = status_name(row.status);
        let path = if row.path.is_empty() { "(root)" } else { &row.path };
        let _ = write!(
            out,
            r#"<rect class="status {name}" x="{:.2}" y="0" width="{:.2}" height="{height}"><title>{}: {name}</title></rect>"#,
            i as f64 * cell,
            cell,
            esc(path)
        );
    }
    out += "</svg>\n";
    let missing: Vec<_> = r.layers.iter().filter(|l| l.status != Status::Counted).collect();
    if !missing.is_empty() {
        out += "<ul class=\"missing\">";
        for l in missing {
            let path = if l.path.is_empty() { "(root)" } else { &l.path };
            let _ = write!(
                out,
                "<li><i class=\"key {0}\"></i>{1} ({2}): {0}</li>",
                status_name(l.status),
                esc(path),
                esc(&l.type_name)
            );
        }
        out += "</ul>\n";
    }
    if !r.ignored_types.is_empty() {
        let types: Vec<_> = r.ignored_types.iter().map(|t| esc(t)).collect();
        let _ = writeln!(out, "<p class=\"note\">Ignored types: {}</p>", types.join(", "));
    }
    out
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

/// A row of a layer without a value: its status instead of a bar.
fn not_counted(l: &Line) -> Row {
    Row { label: label(l), segments: vec![], text: status_name(l.row.status).into() }
}

fn label(l: &Line) -> String {
    if l.row.path.is_empty() {
        "(root)".into()
    } else {
        l.row.path.clone()
    }
}

fn status_name(s: Status) -> &'static str {
    match s {
        Status::Counted => "counted",
        Status::Ignored => "ignored",
        Status::Uncounted => "uncounted",
    }
}

/// Grid lines at 0, half and the whole of `max`.
fn ticks(max: f64, show: &dyn Fn(f64) -> String) -> Vec<(f64, String)> {
    if max > 0.0 {
        [0.0, max / 2.0, max].iter().map(|&v| (v, show(v))).collect()
    } else {
        vec![]
    }
}

/// Millijoules as papers quote them (`1.0840 mJ`), or below 0.01 mJ in the unit that keeps them
/// readable (`3.600 nJ`).
fn energy(mj: f64) -> String {
    let a = mj.abs();
    let (v, unit) = match a {
        _ if a == 0.0 => return "0 mJ".into(),
        _ if a >= 1e-2 => return format!("{mj:.4} mJ"),
        _ if a >= 1e-3 => (mj * 1e3, "µJ"),
        _ if a >= 1e-6 => (mj * 1e6, "nJ"),
        _ => (mj * 1e9, "pJ"),
    };
    format!("{v:.3} {unit}")
}

/// `s` with `& < > " '` escaped, safe in text and in quoted attributes.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, Units};

    /// Two batches of samples: per sample, `block.fc1` does 2000 MACs, `block.sn` 1000 ACs, and the
    /// third layer, whose path and type need escaping, was not counted.
    fn report() -> Report {
        serde_json::from_str(
            r#"{"schema":1,"model":"Net<&>","convention":"syops-0.0.5","batch_counter":2,"times_counter":1,"batches":1,
            "params":44,"per_sample":{"total":3000.0,"acs":1000.0,"macs":2000.0,"rate_slot":0.0},
            "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":9e-7,"mac_mj":9.2e-6,"total_mj":1.01e-5},
            "layers":[
              {"path":"block.fc1","type":"Linear","params":40,"input_shape":[2,8],"output_shape":[2,4],"status":"counted",
               "calls":1,"sum_total":4000,"sum_acs":0.0,"sum_macs":4000,"sum_rate_pct":100.0},
              {"path":"block.sn","type":"IfNode","params":0,"input_shape":[2,4],"output_shape":[2,4],"status":"counted",
               "calls":1,"sum_total":2000,"sum_acs":2000.0,"sum_macs":0,"sum_rate_pct":50.0},
              {"path":"head&tail","type":"Evil<script>alert(1)</script>&Co","params":4,"input_shape":null,
               "output_shape":null,"status":"uncounted","calls":0,"sum_total":0,"sum_acs":0.0,"sum_macs":0,
               "sum_rate_pct":0.0}],
            "ignored_types":["Dropout"],
            "warnings":["`head&tail` (<Evil>) has no rule"]}"#,
        )
        .unwrap()
    }

    fn page(view: View) -> String {
        View { format: Format::Html, ..view }.render(&report())
    }

    /// The `width` attributes of the `rect.bar` of class `class`, in order.
    fn widths(page: &str, class: &str) -> Vec<String> {
        let tag = format!(r#"<rect class="bar {class}" "#);
        page.split(&tag)
            .skip(1)
            .map(|s| s.split("width=\"").nth(1).unwrap().split('"').next().unwrap().to_string())
            .collect()
    }

    #[test]
    fn is_self_contained() {
        let page = page(View::default());
        assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
        for external in ["http://", "https://", "src=", "url(", "@import", "<link", "<script", "xmlns"] {
            assert!(!page.contains(external), "`{external}` in the page");
        }
        assert_eq!(page.matches("<svg").count(), 4, "ops, energy, rate and coverage charts");
    }

    #[test]
    fn escapes_every_string_from_the_report() {
        let page = page(View::default());
        assert!(!page.contains("<script>") && !page.contains("Net<&>") && !page.contains("head&tail"));
        assert!(page.contains("Evil&lt;script&gt;alert(1)&lt;/script&gt;&amp;Co"));
        assert!(page.contains("<h2>Net&lt;&amp;&gt;</h2>") && page.contains("<title>syops: Net&lt;&amp;&gt;</title>"));
        assert!(page.contains("<li>`head&amp;tail` (&lt;Evil&gt;) has no rule</li>"));
        assert!(page.contains("Ignored types: Dropout"));
        assert_eq!(esc(r#"a"b'c"#), "a&quot;b&#39;c");
    }

    #[test]
    fn every_layer_has_a_row_in_each_chart_and_the_table() {
        let page = page(View::default());
        for path in ["block.fc1", "block.sn", "head&amp;tail"] {
            // Label of the ops, energy and rate charts, tooltip of the coverage strip, table cell.
            assert_eq!(page.matches(&format!(">{path}<title>")).count(), 3, "{path}");
            assert!(page.contains(&format!("<title>{path}: ")), "{path}");
            assert!(page.contains(&format!("<td>{path}</td>")), "{path}");
        }
        assert_eq!(page.matches("<tr class=").count(), 3);
        assert!(page.contains(r#"<tr class="uncounted"><td>head&amp;tail</td>"#));
        assert!(page.contains(r#"<rect class="status uncounted""#));
        assert!(page.contains("counted <b>2</b>") && page.contains("uncounted <b>1</b>"));
    }

    #[test]
    fn bars_are_the_per_sample_numbers_to_scale() {
        let page = page(View::default());
        // Ops: fc1 0 ACs + 2000 MACs (the largest, 560 px), sn 1000 ACs + 0 MACs (280 px).
        assert_eq!(widths(&page, "ac"), ["0.00", "280.00"]);
        assert_eq!(widths(&page, "mac"), ["560.00", "0.00"]);
        assert!(page.contains(">0.0 / 2.000 K<") && page.contains(">uncounted<"));
        // Energy: fc1 2000 × 4.6 pJ = 9.2 nJ (560 px), sn 1000 × 0.9 pJ = 0.9 nJ (560 × 0.9 / 9.2 = 54.78 px).
        assert_eq!(widths(&page, "energy"), ["560.00", "54.78"]);
        assert!(page.contains(">9.200 nJ<") && page.contains(">900.000 pJ<"));
        // Rates on a fixed 0-100 % axis: fc1 analog (100 %), sn 50 %; the uncounted layer has none.
        assert_eq!(widths(&page, "rate"), ["560.00", "280.00"]);
        assert!(page.contains(">50.00 %<") && page.contains(">no rate<"));
        // The header: per-sample totals and the energy model.
        assert!(page.contains("<dd>1.000 K per sample</dd>") && page.contains("<dd>2.000 K per sample</dd>"));
        assert!(page.contains("0.9 pJ per AC, 4.6 pJ per MAC (45 nm FP32, Horowitz 2014)"));
        assert!(page.contains("<dd>10.100 nJ per sample = ACs 900.000 pJ + MACs 9.200 nJ</dd>"));
    }

    #[test]
    fn depth_units_and_energy_model_apply() {
        let page =
            page(View { depth: Some(1), units: Units::K, energy: Some(EnergyModel::INT8_45NM), ..View::default() });
        // `block` folds fc1 and sn: 1000 ACs + 2000 MACs, the largest bar.
        assert!(page.contains(">block<title>") && !page.contains("block.fc1") && !page.contains("block.sn"));
        assert_eq!(
            (widths(&page, "ac"), widths(&page, "mac")),
            (vec!["186.67".to_string()], vec!["373.33".to_string()])
        );
        assert!(page.contains(">1.000 / 2.000<") && page.contains("<th>ACs (K)</th>") && page.contains("in K)"));
        // INT8: 1000 × 0.03 pJ + 2000 × 0.23 pJ = 490 pJ.
        assert!(page.contains("0.03 pJ per AC, 0.23 pJ per MAC (45 nm INT8)") && page.contains(">490.000 pJ<"));
        assert!(page.contains("<dd>2 rows (depth 1)</dd>"));
    }

    #[test]
    fn several_reports_make_one_page() {
        let page = View::default().html(&[report(), report()]);
        assert_eq!(page.matches("<!DOCTYPE html>").count(), 1);
        assert!(page.contains(r##"<a href="#report-2">Net&lt;&amp;&gt;</a>"##) && page.contains(r#"id="report-2""#));
        assert!(page.contains("<title>syops: 2 reports</title>"));
    }

    #[test]
    fn energy_reads_in_mj_or_a_smaller_unit() {
        assert_eq!(energy(1.084), "1.0840 mJ");
        assert_eq!(energy(0.0123), "0.0123 mJ");
        assert_eq!(energy(0.005), "5.000 µJ");
        assert_eq!(energy(3.6e-6), "3.600 nJ");
        assert_eq!(energy(0.0), "0 mJ");
    }
}
