//! Differences between two reports (`cargo syops diff A.json B.json`): layers added, removed and
//! changed, matched by path, and the change of the totals, all per sample; and NeuroBench's
//! metrics side by side when either report has them (its convention).
use comfy_table::{presets::UTF8_FULL_CONDENSED, Cell, CellAlignment, Table};

use super::budget::Quantity;
use crate::convention::NeuroBenchMetrics;
use crate::render::Units;
use crate::report::LayerRow;
use crate::report::Report;

/// How a layer differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Only in the second report.
    Added,
    /// Only in the first report.
    Removed,
    /// In both, with different numbers or type.
    Changed,
}

/// Quantities compared, in column order.
const COLUMNS: [Quantity; 5] = [Quantity::Params, Quantity::Acs, Quantity::Macs, Quantity::Total, Quantity::EnergyMj];

/// One layer that differs; `before`/`after` hold the compared quantities per sample: params, ACs,
/// MACs, total and energy.
#[derive(Debug, Clone, PartialEq)]
pub struct LayerDelta {
    /// Its path.
    pub path: String,
    /// Its type in the newer report that has it.
    pub type_name: String,
    /// How it differs.
    pub change: Change,
    /// params, ACs, MACs, total, energy mJ in the first report.
    pub before: Option<[f64; 5]>,
    /// The same in the second report.
    pub after: Option<[f64; 5]>,
}

/// The differences between two reports.
#[derive(Debug, Clone, PartialEq)]
pub struct Diff {
    /// Layers that differ, the first report's order, then added ones.
    pub layers: Vec<LayerDelta>,
    /// Totals of the first report (params, ACs, MACs, total, energy mJ).
    pub before: [f64; 5],
    /// Totals of the second.
    pub after: [f64; 5],
    /// NeuroBench's metrics (name, first report's, second's) when either report has them.
    pub neurobench: Vec<(&'static str, Option<f64>, Option<f64>)>,
}

/// NeuroBench's metrics by name, as they are compared.
fn neurobench(m: Option<&NeuroBenchMetrics>) -> [(&'static str, Option<f64>); 8] {
    let s = m.map(|m| m.synaptic_operations);
    [
        ("Effective_ACs", s.map(|s| s.effective_acs)),
        ("Effective_MACs", s.map(|s| s.effective_macs)),
        ("Dense", s.map(|s| s.dense)),
        ("MembraneUpdates", m.map(|m| m.membrane_updates)),
        ("ActivationSparsity", m.and_then(|m| m.activation_sparsity)),
        ("ConnectionSparsity", m.and_then(|m| m.connection_sparsity)),
        ("Footprint", m.map(|m| m.statics.footprint as f64)),
        ("ParameterCount", m.map(|m| m.statics.parameter_count as f64)),
    ]
}

fn numbers(report: &Report, row: &LayerRow) -> [f64; 5] {
    COLUMNS.map(|q| q.of_layer(report, row))
}

impl Diff {
    /// What changed from `a` to `b`.
    pub fn between(a: &Report, b: &Report) -> Diff {
        let mut layers = Vec::new();
        for ra in &a.layers {
            let before = Some(numbers(a, ra));
            match b.layer(&ra.path) {
                None => layers.push(LayerDelta {
                    path: ra.path.clone(),
                    type_name: ra.type_name.clone(),
                    change: Change::Removed,
                    before,
                    after: None,
                }),
                Some(rb) => {
                    let after = Some(numbers(b, rb));
                    if before != after || ra.type_name != rb.type_name {
                        let (path, type_name) = (rb.path.clone(), rb.type_name.clone());
                        layers.push(LayerDelta { path, type_name, change: Change::Changed, before, after });
                    }
                }
            }
        }
        for rb in b.layers.iter().filter(|rb| a.layer(&rb.path).is_none()) {
            layers.push(LayerDelta {
                path: rb.path.clone(),
                type_name: rb.type_name.clone(),
                change: Change::Added,
                before: None,
                after: Some(numbers(b, rb)),
            });
        }
        let neurobench = match (&a.neurobench, &b.neurobench) {
            (None, None) => Vec::new(),
            (x, y) => neurobench(x.as_ref())
                .into_iter()
                .zip(neurobench(y.as_ref()))
                .map(|((n, x), (_, y))| (n, x, y))
                .collect(),
        };
        Diff { layers, before: COLUMNS.map(|q| q.of_report(a)), after: COLUMNS.map(|q| q.of_report(b)), neurobench }
    }

    /// Whether the two reports count the same: no layer added, removed or changed, the same totals
    /// and the same NeuroBench metrics.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty() && self.before == self.after && self.neurobench.iter().all(|(_, x, y)| x == y)
    }

    /// How many layers were added, removed and changed.
    pub fn counts(&self) -> (usize, usize, usize) {
        let n = |c| self.layers.iter().filter(|l| l.change == c).count();
        (n(Change::Added), n(Change::Removed), n(Change::Changed))
    }

    /// A table of the differing layers and the totals, then a one-line summary.
    pub fn render(&self, units: Units) -> String {
        let show = |q: Quantity, v: f64| match q {
            Quantity::EnergyMj => format!("{v:.6}"),
            _ => units.show(v),
        };
        let cell = |q: Quantity, a: Option<f64>, b: Option<f64>| match (a, b) {
            (Some(a), Some(b)) if a == b => show(q, a),
            (Some(a), Some(b)) => {
                let pct = if a != 0.0 { format!(", {:+.1} %", (b / a - 1.0) * 100.0) } else { String::new() };
                format!(
                    "{} → {} ({}{}{pct})",
                    show(q, a),
                    show(q, b),
                    if b >= a { "+" } else { "-" },
                    show(q, (b - a).abs())
                )
            }
            (None, Some(b)) => format!("+{}", show(q, b)),
            (Some(a), None) => format!("-{}", show(q, a)),
            (None, None) => String::new(),
        };
        let mut table = Table::new();
        table.load_preset(UTF8_FULL_CONDENSED).set_header([
            "layer",
            "type",
            "change",
            "params",
            "ACs",
            "MACs",
            "total",
            "energy mJ",
        ]);
        let mut add = |path: &str, type_name: &str, change: &str, a: Option<[f64; 5]>, b: Option<[f64; 5]>| {
            let mut row =
                vec![Cell::new(if path.is_empty() { "(root)" } else { path }), Cell::new(type_name), Cell::new(change)];
            for (i, q) in COLUMNS.into_iter().enumerate() {
                row.push(Cell::new(cell(q, a.map(|a| a[i]), b.map(|b| b[i]))).set_alignment(CellAlignment::Right));
            }
            table.add_row(row);
        };
        for l in &self.layers {
            let change = match l.change {
                Change::Added => "added",
                Change::Removed => "removed",
                Change::Changed => "changed",
            };
            add(&l.path, &l.type_name, change, l.before, l.after);
        }
        add("(total)", "", "", Some(self.before), Some(self.after));
        let (added, removed, changed) = self.counts();
        let mut out = format!("{table}\n{changed} layer(s) changed, {added} added, {removed} removed\n");
        if !self.neurobench.is_empty() {
            let mut nb = Table::new();
            nb.load_preset(UTF8_FULL_CONDENSED).set_header(["neurobench", "before", "after"]);
            for (name, a, b) in &self.neurobench {
                let show = |v: Option<f64>| match (name.ends_with("Sparsity"), v) {
                    (_, None) => "-".to_string(),
                    (true, Some(v)) => format!("{v:.4}"),
                    (false, Some(v)) => units.show(v),
                };
                let change = match (a, b) {
                    (Some(a), Some(b)) if a != b => format!("{} → {}", show(Some(*a)), show(Some(*b))),
                    _ => show(*b),
                };
                nb.add_row([
                    Cell::new(name),
                    Cell::new(show(*a)).set_alignment(CellAlignment::Right),
                    Cell::new(change).set_alignment(CellAlignment::Right),
                ]);
            }
            out += &format!("{nb}\n");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(rows: &[(&str, u64, u64)]) -> Report {
        let text = format!(
            r#"{{"schema":1,"model":"Net","convention":"syops-0.0.5","batch_counter":2,"times_counter":1,"batches":1,
            "params":{},"per_sample":{{"total":0.0,"acs":0.0,"macs":{},"rate_slot":0.0}},
            "energy":{{"model":{{"pj_per_ac":0.9,"pj_per_mac":4.6}},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0}},
            "layers":[{}],"warnings":[]}}"#,
            rows.iter().map(|r| r.1).sum::<u64>(),
            rows.iter().map(|r| r.2).sum::<u64>() as f64 / 2.0,
            rows.iter()
                .map(|(p, params, macs)| format!(
                    r#"{{"path":"{p}","type":"Linear","params":{params},"input_shape":null,"output_shape":null,
                    "status":"counted","calls":1,"sum_total":{macs},"sum_acs":0.0,"sum_macs":{macs},"sum_rate_pct":100.0}}"#
                ))
                .collect::<Vec<_>>()
                .join(",")
        );
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn finds_added_removed_changed_and_totals() {
        let a = report(&[("fc1", 10, 100), ("fc2", 5, 50), ("old", 1, 2)]);
        let b = report(&[("fc1", 10, 100), ("fc2", 5, 80), ("new", 3, 4)]);
        let d = Diff::between(&a, &b);
        let got: Vec<_> = d.layers.iter().map(|l| (l.path.as_str(), l.change)).collect();
        assert_eq!(got, [("fc2", Change::Changed), ("old", Change::Removed), ("new", Change::Added)]);
        assert_eq!(d.layers[0].before.unwrap()[2], 25.0);
        assert_eq!(d.layers[0].after.unwrap()[2], 40.0);
        assert_eq!((d.before[0], d.after[0]), (16.0, 18.0));
        let text = d.render(Units::Auto);
        assert!(text.contains("25.0 → 40.0 (+15.0, +60.0 %)"), "{text}");
        assert!(text.ends_with("1 layer(s) changed, 1 added, 1 removed\n"), "{text}");
        assert!(Diff::between(&a, &a).is_empty() && !d.is_empty());
        assert!(d.neurobench.is_empty() && !text.contains("neurobench"));
    }

    #[test]
    fn neurobench_metrics_side_by_side() {
        use crate::convention::{NeuroBenchMetrics, StaticMetrics};
        let mut a = report(&[("fc1", 10, 100)]);
        let mut b = a.clone();
        let statics = StaticMetrics { footprint: 40, parameter_count: 10, zero_weights: 0, connection_weights: 8 };
        a.neurobench = Some(NeuroBenchMetrics { statics, connection_sparsity: Some(0.0), ..Default::default() });
        b.neurobench = Some(NeuroBenchMetrics {
            statics: StaticMetrics { zero_weights: 4, ..statics },
            connection_sparsity: Some(0.5),
            ..Default::default()
        });
        let d = Diff::between(&a, &b);
        assert!(d.neurobench.contains(&("ConnectionSparsity", Some(0.0), Some(0.5))));
        let text = d.render(Units::Auto);
        assert!(text.contains("0.0000 → 0.5000"), "{text}");
        assert!(!d.is_empty(), "a NeuroBench metric changed");
        b.neurobench = None;
        let text = Diff::between(&a, &b).render(Units::Auto);
        assert!(text.lines().any(|l| l.contains("Footprint") && l.contains("40.0") && l.contains('-')), "{text}");
    }
}
