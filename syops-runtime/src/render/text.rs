//! The text formats: the terminal table with its summary, Markdown and CSV.
use std::fmt::Write;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use super::line::{lines, Line};
use super::units::human;
use super::view::View;
use crate::report::{Report, Status};

impl View {
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

    pub(crate) fn table(&self, report: &Report) -> String {
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header(self.headers());
        for line in lines(report) {
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
        format!("{table}\n{}{}", super::neurobench::layer_table(self, report), self.summary(report, ""))
    }

    pub(crate) fn markdown(&self, report: &Report) -> String {
        let headers = self.headers();
        let mut out = format!("| {} |\n|{}\n", headers.join(" | "), "---|".repeat(headers.len()));
        for line in lines(report) {
            let cells: Vec<_> = self.cells(&line).into_iter().map(|c| c.replace('|', "\\|")).collect();
            let _ = writeln!(out, "| {} |", cells.join(" | "));
        }
        out + "\n" + &self.summary(report, "- ")
    }

    pub(crate) fn csv(&self, report: &Report) -> String {
        let mut out = String::from("layer,type,params,calls,output,acs,macs,total,rate_pct,energy_mj\n");
        let num = |v: f64| self.units.scale().map_or(v, |(d, _)| v / d).to_string();
        for line in lines(report) {
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
    pub(crate) fn summary(&self, r: &Report, prefix: &str) -> String {
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
        if let Some(nb) = &r.neurobench {
            out += &super::neurobench::summary(self, nb, prefix);
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
        if let Some(a) = &r.accuracy {
            let _ = writeln!(out, "{prefix}accuracy {}", a.describe());
        }
        if let Some(time) = &r.time {
            out += &super::time::summary(time, prefix, unit);
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
