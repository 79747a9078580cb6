//! Output formats of a report (`table`, `json`, `csv`, `markdown`, `html`), with units, depth and energy
//! model: `cargo syops` and programs print through [`View::render`].
//!
//! ```
//! use syops_runtime::render::{Format, View};
//! let view = View { format: Format::Csv, depth: Some(1), ..View::default() };
//! # let report: syops_runtime::report::Report = serde_json::from_str(r#"{"schema":1,"model":"Net","convention":"syops-0.0.5",
//! #   "batch_counter":2,"times_counter":1,"batches":1,"params":10,
//! #   "per_sample":{"total":8.0,"acs":4.0,"macs":4.0,"rate_slot":0.0},
//! #   "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0},
//! #   "layers":[],"warnings":[]}"#).unwrap();
//! let csv = view.render(&report);
//! assert!(csv.starts_with("layer,type,params,calls,output,acs,macs,total,rate_pct,energy_mj\n"));
//! ```
use std::str::FromStr;

use super::units::Units;
use crate::report::{EnergyModel, Report};
use crate::Error;

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

/// How to show a report: format, units, depth, energy model.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct View {
    /// Output format.
    pub format: Format,
    /// Units of counts.
    pub units: Units,
    /// Fold rows below this depth into their ancestor ([`crate::report::aggregate`]).
    pub depth: Option<usize>,
    /// Recompute energy with this model.
    pub energy: Option<EnergyModel>,
    /// Reprice the ANN baseline for this many SNN time steps ([`EnergyDetail`](crate::report::EnergyDetail)).
    pub time_steps: Option<u64>,
}

impl View {
    /// `report` as this view shows it: energy recomputed and rows folded.
    pub fn apply(&self, report: &Report) -> Report {
        let report = self.energy.map_or_else(|| report.clone(), |m| report.with_energy(m));
        let report = report.with_energy_detail(None, self.time_steps);
        self.depth.map_or(report.clone(), |d| report.at_depth(d))
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
