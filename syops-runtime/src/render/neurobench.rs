//! NeuroBench's metrics in the text formats: summary lines under the table's totals, and a
//! table of the layers NeuroBench counts (connection layers' effective operations and dense
//! count, activation layers' sparsity and membrane updates), per sample. Shown when the report has
//! them ([`Report::neurobench`]).
use std::fmt::Write;

use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use super::view::View;
use crate::convention::{per_sample, NeuroBenchMetrics, NeuroBenchStats};
use crate::report::{LayerRow, Report};

/// A NeuroBench ratio as its results print it (`0.7863`), or `undefined`.
pub(crate) fn ratio(v: Option<f64>) -> String {
    v.map_or_else(|| "undefined".into(), |v| format!("{v:.4}"))
}

/// The summary lines (`prefix` starts each).
pub(crate) fn summary(view: &View, nb: &NeuroBenchMetrics, prefix: &str) -> String {
    let s = &nb.synaptic_operations;
    let show = |v: f64| view.units.show(v);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{prefix}neurobench SynapticOperations: Effective_ACs {}, Effective_MACs {}, Dense {} per sample",
        show(s.effective_acs),
        show(s.effective_macs),
        show(s.dense)
    );
    let _ = writeln!(
        out,
        "{prefix}neurobench MembraneUpdates {} per sample; ActivationSparsity {}; ConnectionSparsity {}",
        show(nb.membrane_updates),
        ratio(nb.activation_sparsity),
        ratio(nb.connection_sparsity)
    );
    let _ = writeln!(
        out,
        "{prefix}neurobench Footprint {} bytes; ParameterCount {}",
        nb.statics.footprint, nb.statics.parameter_count
    );
    out
}

/// Each layer NeuroBench counts, with its figures.
pub(crate) fn rows(report: &Report) -> impl Iterator<Item = (&LayerRow, NeuroBenchStats)> {
    report.layers.iter().filter_map(|row| {
        let nb = row.stats.neurobench?;
        let counts = nb.dense > 0 || nb.activation_numel > 0 || nb.membrane_updates > 0;
        counts.then_some((row, nb))
    })
}

/// The table of the layers NeuroBench counts, or nothing when the report has no NeuroBench metrics.
pub(crate) fn layer_table(view: &View, report: &Report) -> String {
    if report.neurobench.is_none() {
        return String::new();
    }
    let ps = |v: u64| view.units.show(per_sample(v as f64, report.batch_counter));
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header([
        "layer",
        "type",
        "effective ACs",
        "effective MACs",
        "dense",
        "membrane updates",
        "activation sparsity",
    ]);
    for (row, nb) in rows(report) {
        let cells = [
            ps(nb.effective_acs),
            ps(nb.effective_macs),
            ps(nb.dense),
            ps(nb.membrane_updates),
            nb.activation_sparsity().map_or_else(String::new, |s| format!("{s:.4}")),
        ];
        let mut line = vec![Cell::new(&row.path), Cell::new(&row.type_name)];
        line.extend(cells.into_iter().map(|c| Cell::new(c).set_alignment(CellAlignment::Right)));
        table.add_row(line);
    }
    format!("NeuroBench per layer (per sample):\n{table}\n")
}
