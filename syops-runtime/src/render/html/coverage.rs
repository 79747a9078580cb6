//! The coverage part: the per-layer status strip (counted, ignored, uncounted) and, from the
//! report's [`crate::report::Coverage`], the shares of calls and of dense operations (an estimate) and
//! the uncovered and ignored calls by layer path or `file:line`, with their counts.
use std::fmt::Write;

use super::chart::{self, bar_chart, Part, Row};
use super::markup::{esc, status_name};
use crate::report::{Coverage, CoverageEntry};
use crate::report::{Report, Status};

/// How many layers were counted, ignored or could not be counted, layer by layer; then the
/// coverage of calls when the report has it.
pub(super) fn coverage(r: &Report) -> String {
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
    if let Some(c) = &r.coverage {
        out += &calls(c);
    }
    out
}

/// The shares as bars on a 0–100 % axis, then the uncovered and ignored calls.
fn calls(c: &Coverage) -> String {
    let share = |label: &str, value: f64, detail: String| {
        let pct = value * 100.0;
        Row {
            label: label.into(),
            segments: vec![Part { value: pct, class: "counted", tip: format!("{label}: {pct:.1} % ({detail})") }],
            markers: vec![],
            text: format!("{pct:.1} %"),
        }
    };
    let rows = [
        share(
            "calls",
            c.call_share,
            format!("{} counted + {} ignored of {} calls", c.counted_calls, c.ignored_calls, c.calls),
        ),
        share(
            "dense ops (estimate)",
            c.dense_share_estimate,
            format!("{} counted, an estimated {} uncovered", c.dense_ops, c.uncovered_dense_ops_estimate),
        ),
    ];
    let ticks: Vec<_> = [0.0, 50.0, 100.0].iter().map(|&p| (p, format!("{p} %"))).collect();
    let mut out = format!(
        "<p class=\"note\">{:.1} % of calls, {:.1} % of dense ops (estimate: an uncovered call counts one op per output \
         element), counted or ignored by choice</p>\n{}\n",
        c.call_share * 100.0,
        c.dense_share_estimate * 100.0,
        bar_chart("share", &rows, 100.0, &ticks)
    );
    out += &entries("Uncovered", "uncovered", &c.uncovered, c.uncovered_calls);
    out += &entries("Ignored by choice", "ignored", &c.ignored, c.ignored_calls);
    out
}

/// A table of `list` (nothing when empty): path or call site, type, calls, estimated dense ops.
fn entries(title: &str, class: &str, list: &[CoverageEntry], total: u64) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<table class=\"{class}\">\n<thead><tr><th>{title}: {} layers or sites, {total} calls</th><th>type</th>\
         <th>calls</th><th>dense ops (estimate)</th></tr></thead>\n<tbody>\n",
        list.len()
    );
    for e in list {
        let what = match &e.receiver {
            Some(receiver) => format!("{}.forward(..) at {}", esc(receiver), esc(&e.path)),
            None if e.path.is_empty() => "(root)".to_string(),
            None => esc(&e.path),
        };
        let _ = writeln!(
            out,
            "<tr><td>{what}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&e.type_name),
            e.calls,
            e.dense_ops_estimate
        );
    }
    out + "</tbody>\n</table>\n"
}

#[cfg(test)]
mod tests {
    use crate::render::html::tests::{full, widths};
    use crate::render::{Format, View};

    #[test]
    fn shares_and_the_uncovered_calls_escaped() {
        let page = View { format: Format::Html, ..View::default() }.render(&full());
        // 60 % of calls and 75 % of dense ops on a 0–100 % axis of 560 px: 336 and 420 px.
        assert_eq!(widths(&page, "counted"), ["336.00", "420.00"]);
        assert!(page.contains("60.0 % of calls, 75.0 % of dense ops (estimate"));
        assert!(page.contains("<title>calls: 60.0 % (2 counted + 1 ignored of 5 calls)</title>"));
        assert!(page.contains("<th>Uncovered: 2 layers or sites, 2 calls</th>"));
        assert!(page.contains(
            "<tr><td>head&amp;tail</td><td>Evil&lt;script&gt;</td><td class=\"num\">1</td><td class=\"num\">2000</td></tr>"
        ));
        assert!(page.contains("<tr><td>x&lt;y&gt;.forward(..) at src/&lt;m&gt;.rs:7</td><td>unattributed</td>"));
        assert!(page.contains("<th>Ignored by choice: 1 layers or sites, 1 calls</th>"));
        assert!(page.contains("<tr><td>drop</td><td>Dropout</td><td class=\"num\">1</td>"));
        // The per-layer strip stays.
        assert!(page.contains("<svg class=\"chart coverage\"") && page.contains("uncounted <b>1</b>"));
    }
}
