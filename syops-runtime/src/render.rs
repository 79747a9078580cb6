//! The one renderer: `Display for Report` and `cargo syops` print through it.
use std::fmt;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use crate::report::{Report, Status};

/// Formats an operation count with a unit (`1.234 G`).
pub fn human(value: f64) -> String {
    let a = value.abs();
    if a >= 1e9 {
        format!("{:.3} G", value / 1e9)
    } else if a >= 1e6 {
        format!("{:.3} M", value / 1e6)
    } else if a >= 1e3 {
        format!("{:.3} K", value / 1e3)
    } else if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.1}")
    }
}

impl Report {
    /// The per-layer table (per-sample numbers).
    pub fn table(&self) -> Table {
        let bc = self.batch_counter.max(1) as f64;
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED);
        table.set_header(["layer", "type", "params", "calls", "output", "ACs", "MACs", "rate %"]);
        for row in &self.layers {
            let s = &row.stats;
            let (acs, macs) = match row.status {
                Status::Uncounted => ("?".to_string(), "?".to_string()),
                Status::Ignored => ("ignored".to_string(), "ignored".to_string()),
                Status::Counted => (human(s.sum_acs / bc), human(s.sum_macs as f64 / bc)),
            };
            let rate = row.mean_rate().map_or_else(String::new, |r| format!("{:.2}", r * 100.0));
            let shape = row.output_shape.as_ref().map_or_else(String::new, |s| format!("{s:?}"));
            table.add_row(vec![
                Cell::new(if row.path.is_empty() { "(root)" } else { &row.path }),
                Cell::new(&row.type_name),
                Cell::new(human(row.params as f64)).set_alignment(CellAlignment::Right),
                Cell::new(s.calls).set_alignment(CellAlignment::Right),
                Cell::new(shape),
                Cell::new(acs).set_alignment(CellAlignment::Right),
                Cell::new(macs).set_alignment(CellAlignment::Right),
                Cell::new(rate).set_alignment(CellAlignment::Right),
            ]);
        }
        table
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.table())?;
        let e = &self.energy;
        writeln!(
            f,
            "{}: {} samples in {} batches ({} convention)",
            self.model, self.batch_counter, self.batches, self.convention
        )?;
        writeln!(f, "  params   {}", human(self.params as f64))?;
        writeln!(f, "  ACs      {} per sample", human(self.per_sample.acs))?;
        writeln!(f, "  MACs     {} per sample", human(self.per_sample.macs))?;
        writeln!(
            f,
            "  energy   {:.4} mJ per sample ({} pJ/AC, {} pJ/MAC)",
            e.total_mj, e.model.pj_per_ac, e.model.pj_per_mac
        )?;
        for w in &self.warnings {
            writeln!(f, "warning: {w}")?;
        }
        Ok(())
    }
}
