//! Output formats of a report (`table`, `json`, `csv`, `markdown`, `html`), with units, depth and energy
//! model: `cargo syops` and programs print through [`View::render`].
//!
//! ```
//! use syops_runtime::{Format, View};
//! let view = View { format: Format::Csv, depth: Some(1), ..View::default() };
//! # let report: syops_runtime::Report = serde_json::from_str(r#"{"schema":1,"model":"Net","convention":"syops-0.0.5",
//! #   "batch_counter":2,"times_counter":1,"batches":1,"params":10,
//! #   "per_sample":{"total":8.0,"acs":4.0,"macs":4.0,"rate_slot":0.0},
//! #   "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0},
//! #   "layers":[],"warnings":[]}"#).unwrap();
//! let csv = view.render(&report);
//! assert!(csv.starts_with("layer,type,params,calls,output,acs,macs,total,rate_pct,energy_mj\n"));
//! ```
use std::{fmt::Write, str::FromStr};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::{
    render::human,
    report::{LayerRow, Report, Status},
    EnergyModel, Error,
};

/// How a report is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Format {
    /// The terminal table and a summary ([`Report`]'s `Display`).
    #[default]
    Table,
    /// [`Report::to_json`] (reads back with [`Report::from_json`]).
    Json,
    /// One row per layer, per-sample numbers.
    Csv,
    /// A GitHub-flavoured Markdown table and a summary.
    Markdown,
    /// One self-contained HTML page: summary, per-layer SVG charts and the table (several reports:
    /// [`View::html`]).
    Html,
}

impl FromStr for Format {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "table" => Ok(Format::Table),
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "markdown" | "md" => Ok(Format::Markdown),
            "html" => Ok(Format::Html),
            _ => Err(Error::Invalid(format!("format `{s}`: expected table, json, csv, markdown or html"))),
        }
    }
}

/// Units of operation and parameter counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Units {
    /// Each number in the largest unit below it (`1.234 G`, `56.000 K`); raw numbers in CSV.
    #[default]
    Auto,
    /// Billions.
    G,
    /// Millions.
    M,
    /// Thousands.
    K,
}

impl Units {
    pub(crate) fn scale(self) -> Option<(f64, &'static str)> {
        match self {
            Units::Auto => None,
            Units::G => Some((1e9, "G")),
            Units::M => Some((1e6, "M")),
            Units::K => Some((1e3, "K")),
        }
    }

    /// `value` in these units: `human` for `Auto`, three decimals otherwise.
    pub fn show(self, value: f64) -> String {
        match self.scale() {
            None => human(value),
            Some((div, _)) => format!("{:.3}", value / div),
        }
    }

    fn header(self, name: &str) -> String {
        self.scale().map_or_else(|| name.to_string(), |(_, u)| format!("{name} ({u})"))
    }
}

impl FromStr for Units {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "auto" => Ok(Units::Auto),
            "G" | "g" => Ok(Units::G),
            "M" | "m" => Ok(Units::M),
            "K" | "k" => Ok(Units::K),
            _ => Err(Error::Invalid(format!("units `{s}`: expected auto, G, M or K"))),
        }
    }
}

/// How to show a report: format, units, depth, energy model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct View {
    /// Output format.
    pub format: Format,
    /// Units of counts.
    pub units: Units,
    /// Fold rows below this depth into their ancestor ([`crate::aggregate`]).
    pub depth: Option<usize>,
    /// Recompute energy with this model.
    pub energy: Option<EnergyModel>,
    /// Reprice the ANN baseline for this many SNN time steps ([`crate::EnergyDetail`]).
    pub time_steps: Option<u64>,
}

/// One layer's per-sample numbers.
pub(crate) struct Line<'a> {
    pub(crate) row: &'a LayerRow,
    pub(crate) acs: Option<f64>,
    pub(crate) macs: Option<f64>,
    pub(crate) total: f64,
    pub(crate) energy_mj: Option<f64>,
}

impl Report {
    /// This report with its energy recomputed under `model`.
    pub fn with_energy(&self, model: EnergyModel) -> Report {
        Report {
            energy: model.estimate(self.per_sample.acs, self.per_sample.macs),
            ..self.with_energy_detail(Some(model), None)
        }
    }

    /// This report as `view` shows it: energy recomputed and rows folded.
    pub fn view(&self, view: &View) -> Report {
        let report = view.energy.map_or_else(|| self.clone(), |m| self.with_energy(m));
        let report = report.with_energy_detail(None, view.time_steps);
        view.depth.map_or(report.clone(), |d| report.at_depth(d))
    }

    pub(crate) fn lines(&self) -> impl Iterator<Item = Line<'_>> {
        let bc = self.batch_counter.max(1) as f64;
        self.layers.iter().map(move |row| {
            let s = &row.stats;
            let (acs, macs) = (s.sum_acs / bc, s.sum_macs as f64 / bc);
            let counted = row.status == Status::Counted;
            Line {
                row,
                acs: counted.then_some(acs),
                macs: counted.then_some(macs),
                total: s.sum_total as f64 / bc,
                energy_mj: counted.then(|| self.energy.model.estimate(acs, macs).total_mj),
            }
        })
    }
}

impl View {
    /// The report in this view, ending with a newline.
    pub fn render(&self, report: &Report) -> String {
        let report = report.view(self);
        match self.format {
            Format::Table => self.table(&report),
            Format::Json => report.to_json() + "\n",
            Format::Csv => self.csv(&report),
            Format::Markdown => self.markdown(&report),
            Format::Html => crate::html::document(self, std::slice::from_ref(&report)),
        }
    }

    pub(crate) fn headers(&self) -> Vec<String> {
        let u = |n: &str| self.units.header(n);
        vec![
            "layer".into(),
            "type".into(),
            u("params"),
            "calls".into(),
            "output".into(),
            u("ACs"),
            u("MACs"),
            "rate %".into(),
            "energy mJ".into(),
        ]
    }

    pub(crate) fn cells(&self, line: &Line) -> Vec<String> {
        let row = line.row;
        let ops = |v: Option<f64>| match (v, row.status) {
            (Some(v), _) => self.units.show(v),
            (None, Status::Ignored) => "ignored".into(),
            (None, _) => "?".into(),
        };
        vec![
            if row.path.is_empty() { "(root)".into() } else { row.path.clone() },
            row.type_name.clone(),
            self.units.show(row.params as f64),
            row.stats.calls.to_string(),
            row.output_shape.as_ref().map_or_else(String::new, |s| format!("{s:?}")),
            ops(line.acs),
            ops(line.macs),
            row.mean_rate().map_or_else(String::new, |r| format!("{:.2}", r * 100.0)),
            line.energy_mj.map_or_else(String::new, energy_cell),
        ]
    }

    fn table(&self, report: &Report) -> String {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(self.headers());
        for line in report.lines() {
            let cells = self.cells(&line).into_iter().enumerate().map(|(i, c)| {
                let cell = Cell::new(c);
                if matches!(i, 0 | 1 | 4) {
                    cell
                } else {
                    cell.set_alignment(CellAlignment::Right)
                }
            });
            table.add_row(cells.collect::<Vec<_>>());
        }
        format!("{table}\n{}", self.summary(report, ""))
    }

    fn markdown(&self, report: &Report) -> String {
        let headers = self.headers();
        let mut out = format!("| {} |\n|{}\n", headers.join(" | "), "---|".repeat(headers.len()));
        for line in report.lines() {
            let cells: Vec<_> = self.cells(&line).into_iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out + "\n" + &self.summary(report, "- ")
    }

    fn csv(&self, report: &Report) -> String {
        let mut out = String::from("layer,type,params,calls,output,acs,macs,total,rate_pct,energy_mj\n");
        let num = |v: f64| self.units.scale().map_or(v, |(d, _)| v / d).to_string();
        for line in report.lines() {
            let row = line.row;
            let shape = row
                .output_shape
                .as_ref()
                .map_or_else(String::new, |s| s.iter().map(ToString::to_string).collect::<Vec<_>>().join("x"));
            let opt = |v: Option<f64>| v.map_or_else(String::new, &num);
            let _ = writeln!(
                out,
                "{},{},{},{},{},{},{},{},{},{}",
                csv_field(&row.path),
                csv_field(&row.type_name),
                num(row.params as f64),
                row.stats.calls,
                shape,
                opt(line.acs),
                opt(line.macs),
                num(line.total),
                row.mean_rate().map_or_else(String::new, |r| (r * 100.0).to_string()),
                line.energy_mj.map_or_else(String::new, |e| e.to_string()),
            );
        }
        out
    }

    /// The totals under the table (`prefix` starts each line).
    fn summary(&self, r: &Report, prefix: &str) -> String {
        let e = &r.energy;
        let unit = |v: f64| match self.units.scale() {
            None => human(v),
            Some((div, u)) => format!("{:.3} {u}", v / div),
        };
        let mut out = format!(
            "{prefix}{}: {} samples in {} batches ({} convention)\n",
            r.model, r.batch_counter, r.batches, r.convention
        );
        let _ = writeln!(out, "{prefix}params   {}", unit(r.params as f64));
        let _ = writeln!(out, "{prefix}ACs      {} per sample", unit(r.per_sample.acs));
        let _ = writeln!(out, "{prefix}MACs     {} per sample", unit(r.per_sample.macs));
        if let Some(m) = r.per_sample.membrane_updates {
            let _ = writeln!(out, "{prefix}membrane {} updates per sample", unit(m));
        }
        if let Some(d) = r.per_sample.dense {
            let _ = writeln!(out, "{prefix}dense    {} per sample", unit(d));
        }
        match &r.energy_detail {
            // Its first line is the compute-only figure, with its assumptions below.
            Some(detail) => out += &detail.summary(prefix),
            None => {
                let _ = writeln!(
                    out,
                    "{prefix}energy   {:.4} mJ per sample ({} pJ/AC, {} pJ/MAC)",
                    e.total_mj, e.model.pj_per_ac, e.model.pj_per_mac
                );
            }
        }
        if let Some(coverage) = &r.coverage {
            let _ = writeln!(out, "{prefix}coverage {}", coverage.summary());
        }
        if let Some(rates) = &r.assumed_rates {
            let _ = writeln!(
                out,
                "{prefix}static: assumed rates {} (no data: one forward pass on zeros)",
                rates.describe()
            );
        }
        if let Some(time) = &r.time {
            out += &crate::time::summary(time, prefix, unit);
        }
        for w in &r.warnings {
            let _ = writeln!(out, "{prefix}warning: {w}");
        }
        out
    }
}

/// An energy in mJ for the table: six decimals, or three significant digits below 0.0001 mJ
/// (a small model's layers would all read 0.000000).
fn energy_cell(mj: f64) -> String {
    if mj != 0.0 && mj.abs() < 1e-4 {
        format!("{mj:.3e}")
    } else {
        format!("{mj:.6}")
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod energy_cell_tests {
    #[test]
    fn small_energies_keep_their_digits() {
        assert_eq!(super::energy_cell(0.542864), "0.542864");
        assert_eq!(super::energy_cell(0.0), "0.000000");
        assert_eq!(super::energy_cell(2.16e-8), "2.160e-8");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        serde_json::from_str(
            r#"{"schema":1,"model":"Net","convention":"syops-0.0.5","batch_counter":2,"times_counter":1,"batches":1,
            "params":44,"per_sample":{"total":3000.0,"acs":1000.0,"macs":2000.0,"rate_slot":0.0},
            "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0},
            "layers":[
              {"path":"block.fc1","type":"Linear","params":40,"input_shape":[2,8],"output_shape":[2,4],"status":"counted",
               "calls":1,"sum_total":4000,"sum_acs":0.0,"sum_macs":4000,"sum_rate_pct":100.0},
              {"path":"block.sn","type":"IfNode","params":0,"input_shape":[2,4],"output_shape":[2,4],"status":"counted",
               "calls":1,"sum_total":2000,"sum_acs":2000.0,"sum_macs":0,"sum_rate_pct":50.0},
              {"path":"head, x","type":"Mystery","params":4,"input_shape":null,"output_shape":null,"status":"uncounted",
               "calls":0,"sum_total":0,"sum_acs":0.0,"sum_macs":0,"sum_rate_pct":0.0}],
            "warnings":["w1"]}"#,
        )
        .unwrap()
    }

    #[test]
    fn parses_names() {
        assert_eq!("markdown".parse::<Format>().unwrap(), Format::Markdown);
        assert_eq!("M".parse::<Units>().unwrap(), Units::M);
        assert_eq!(
            "xml".parse::<Format>().unwrap_err().to_string(),
            "format `xml`: expected table, json, csv, markdown or html"
        );
    }

    #[test]
    fn csv_has_per_sample_numbers_and_quotes() {
        let csv = View { format: Format::Csv, units: Units::K, ..View::default() }.render(&report());
        let lines: Vec<_> = csv.lines().collect();
        assert_eq!(lines[1], "block.fc1,Linear,0.04,1,2x4,0,2,2,100,0.0000092");
        assert_eq!(lines[3], "\"head, x\",Mystery,0.004,0,,,,0,,");
    }

    #[test]
    fn energy_and_depth_apply_to_every_format() {
        let view =
            View { format: Format::Json, depth: Some(1), energy: Some(EnergyModel::INT8_45NM), ..View::default() };
        let back = Report::from_json(&view.render(&report())).unwrap();
        assert_eq!(back.layers.len(), 2);
        assert_eq!(
            (back.layers[0].path.as_str(), back.layers[0].params, back.layers[0].stats.sum_total),
            ("block", 40, 6000)
        );
        assert_eq!(back.energy.model, EnergyModel::INT8_45NM);
        assert!((back.energy.total_mj - (1000.0 * 0.03 + 2000.0 * 0.23) * 1e-9).abs() < 1e-18);
        let md = View { format: Format::Markdown, depth: Some(1), ..View::default() }.render(&report());
        assert!(md.starts_with("| layer | type | params |"), "{md}");
        assert!(md.contains("| block | 2 layers | 40.0 | 2 | [2, 4] | 1.000 K | 2.000 K | 75.00 |"), "{md}");
        assert!(md.contains("- warning: w1"), "{md}");
        let table = View { units: Units::G, ..View::default() }.render(&report());
        assert!(table.contains("ACs (G)") && table.contains("params   0.000 G"), "{table}");
        assert_eq!(report().to_string(), View::default().render(&report()));
    }
}
