//! Op budgets: per-sample limits on a report's totals and on layers picked by path or glob, read
//! from TOML (`cargo syops --budget`) or written inline ([`assert_budget!`](crate::assert_budget)).
//!
//! ```
//! use syops_runtime::check::Budget;
//! let budget = Budget::from_toml(r#"
//!     [total]
//!     acs = "0.12 G"     # a number, or a string with a unit: K, M, G
//!     params = 12e6
//!
//!     [layers."layer*.conv1"]   # a glob over dotted paths; each matching layer is checked
//!     macs = "10 M"
//! "#).unwrap();
//! assert!(Budget::from_toml("[total]\nacz = 1").unwrap_err().to_string().starts_with("line 2: unknown field `acz`"));
//! ```
use std::{collections::BTreeMap, fmt};

use comfy_table::{presets::UTF8_FULL_CONDENSED, Table};
use globset::{Glob, GlobMatcher};
use serde::Deserialize;

use crate::convention::per_sample;
use crate::render::human;
use crate::report::{LayerRow, Report, Status};
use crate::Error;

/// A budgeted quantity, per sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantity {
    /// Accumulates.
    Acs,
    /// Multiply-accumulates.
    Macs,
    /// Dense operations.
    Total,
    /// Trainable parameter elements (not per sample).
    Params,
    /// Energy in millijoules.
    EnergyMj,
}

impl Quantity {
    /// The name used in budget files and [`assert_budget!`](crate::assert_budget).
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Acs => "acs",
            Quantity::Macs => "macs",
            Quantity::Total => "total",
            Quantity::Params => "params",
            Quantity::EnergyMj => "energy_mj",
        }
    }

    /// A value of this quantity, with its unit.
    pub fn show(self, value: f64) -> String {
        match self {
            Quantity::EnergyMj => format!("{value:.6} mJ"),
            _ => human(value),
        }
    }

    /// The whole report's per-sample value.
    pub fn of_report(self, report: &Report) -> f64 {
        match self {
            Quantity::Acs => report.per_sample.acs,
            Quantity::Macs => report.per_sample.macs,
            Quantity::Total => report.per_sample.total,
            Quantity::Params => report.params as f64,
            Quantity::EnergyMj => report.energy.total_mj,
        }
    }

    /// One layer's per-sample value (energy under the report's energy model).
    pub fn of_layer(self, report: &Report, row: &LayerRow) -> f64 {
        let ps = |x: f64| per_sample(x, report.batch_counter);
        let (acs, macs) = (ps(row.stats.sum_acs), ps(row.stats.sum_macs as f64));
        match self {
            Quantity::Acs => acs,
            Quantity::Macs => macs,
            Quantity::Total => ps(row.stats.sum_total as f64),
            Quantity::Params => row.params as f64,
            Quantity::EnergyMj if row.status == Status::Counted => report.energy.model.estimate(acs, macs).total_mj,
            Quantity::EnergyMj => 0.0,
        }
    }
}

/// A limit: a number, or a string with a unit (`"0.12 G"`, `"150M"`, `"12k"`).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Limit(f64);

impl<'de> Deserialize<'de> for Limit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Float(f64),
            Text(String),
        }
        let bad = |s: &str| {
            serde::de::Error::custom(format!("limit `{s}`: expected a number, optionally followed by K, M or G"))
        };
        let value = match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a number or a string like \"0.12 G\""))?
        {
            Raw::Int(v) => v as f64,
            Raw::Float(v) => v,
            Raw::Text(s) => parse_limit(&s).ok_or_else(|| bad(&s))?,
        };
        if value.is_finite() && value >= 0.0 {
            Ok(Limit(value))
        } else {
            Err(serde::de::Error::custom("a limit must be a finite number >= 0"))
        }
    }
}

/// `"0.12 G"` → 1.2e8.
fn parse_limit(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, scale) = match s.char_indices().last()? {
        (i, 'G' | 'g') => (&s[..i], 1e9),
        (i, 'M' | 'm') => (&s[..i], 1e6),
        (i, 'K' | 'k') => (&s[..i], 1e3),
        _ => (s, 1.0),
    };
    num.trim().parse::<f64>().ok().map(|v| v * scale)
}

/// The limits of one scope.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Limits {
    acs: Option<Limit>,
    macs: Option<Limit>,
    total: Option<Limit>,
    params: Option<Limit>,
    energy_mj: Option<Limit>,
}

impl Limits {
    fn iter(&self) -> impl Iterator<Item = (Quantity, f64)> + '_ {
        [
            (Quantity::Acs, self.acs),
            (Quantity::Macs, self.macs),
            (Quantity::Total, self.total),
            (Quantity::Params, self.params),
            (Quantity::EnergyMj, self.energy_mj),
        ]
        .into_iter()
        .filter_map(|(q, l)| l.map(|l| (q, l.0)))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    total: Limits,
    #[serde(default)]
    layers: BTreeMap<String, Limits>,
}

/// Quantities and their limits.
type LimitList = Vec<(Quantity, f64)>;

/// Limits on a report's per-sample totals and on its layers.
#[derive(Debug, Clone, Default)]
pub struct Budget {
    total: LimitList,
    layers: Vec<(String, GlobMatcher, LimitList)>,
}

/// One quantity over its limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Violation {
    /// `None` for the whole model, else the layer's path.
    pub layer: Option<String>,
    /// The quantity.
    pub quantity: Quantity,
    /// Its limit.
    pub limit: f64,
    /// What the report measured.
    pub measured: f64,
}

impl Budget {
    /// Parses a budget file: `[total]` and `[layers."GLOB"]` tables of `acs`, `macs`, `total`,
    /// `params`, `energy_mj`. Errors name the line.
    pub fn from_toml(text: &str) -> crate::Result<Self> {
        let file: File = toml::from_str(text).map_err(|e| {
            let line = e.span().map_or(1, |s| text[..s.start.min(text.len())].matches('\n').count() + 1);
            Error::Budget { line, msg: e.message().trim().replace('\n', " ") }
        })?;
        let mut layers = Vec::new();
        for (pattern, limits) in file.layers {
            let glob = Glob::new(&pattern).map_err(|e| Error::Budget {
                line: line_of(text, &pattern),
                msg: format!("layer pattern `{pattern}`: {}", e.kind()),
            })?;
            layers.push((pattern, glob.compile_matcher(), limits.iter().collect()));
        }
        Ok(Budget { total: file.total.iter().collect(), layers })
    }

    /// A budget on the totals only.
    pub fn totals(limits: &[(Quantity, f64)]) -> Self {
        Budget { total: limits.to_vec(), layers: Vec::new() }
    }

    /// Every quantity over its limit, totals first, then layers in model order.
    pub fn check(&self, report: &Report) -> Vec<Violation> {
        let mut out = Vec::new();
        for &(quantity, limit) in &self.total {
            let measured = quantity.of_report(report);
            if measured > limit {
                out.push(Violation { layer: None, quantity, limit, measured });
            }
        }
        for row in &report.layers {
            for (_, _, limits) in self.layers.iter().filter(|(_, g, _)| g.is_match(&row.path)) {
                for &(quantity, limit) in limits {
                    let measured = quantity.of_layer(report, row);
                    if measured > limit {
                        out.push(Violation { layer: Some(row.path.clone()), quantity, limit, measured });
                    }
                }
            }
        }
        out
    }

    /// Layer patterns that match no layer of `report` (likely typos).
    pub fn unmatched(&self, report: &Report) -> Vec<&str> {
        let hit = |g: &GlobMatcher| report.layers.iter().any(|r| g.is_match(&r.path));
        self.layers.iter().filter(|(_, g, _)| !hit(g)).map(|(p, _, _)| p.as_str()).collect()
    }
}

/// The line of the first occurrence of `needle` (1 when absent).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map_or(1, |i| text[..i].matches('\n').count() + 1)
}

/// A table of violations: scope, quantity, limit, measured, excess.
pub fn violations_table(violations: &[Violation]) -> Table {
    let mut table = Table::new();
    table.load_preset(UTF8_FULL_CONDENSED).set_header(["scope", "quantity", "limit", "measured", "over by"]);
    for v in violations {
        table.add_row([
            v.layer
                .as_deref()
                .map_or_else(|| "(total)".to_string(), |p| if p.is_empty() { "(root)".into() } else { p.into() }),
            v.quantity.name().to_string(),
            v.quantity.show(v.limit),
            v.quantity.show(v.measured),
            format!("{:.1} %", if v.limit > 0.0 { (v.measured / v.limit - 1.0) * 100.0 } else { f64::INFINITY }),
        ]);
    }
    table
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scope = self.layer.as_deref().map_or_else(|| "total".to_string(), |p| format!("layer `{p}`"));
        write!(
            f,
            "{scope} {}: {} > limit {}",
            self.quantity.name(),
            self.quantity.show(self.measured),
            self.quantity.show(self.limit)
        )
    }
}

/// Panics listing every violation of `limits` and the layers that contribute most; used by
/// [`assert_budget!`](crate::assert_budget).
#[track_caller]
pub fn assert_within(report: &Report, limits: &[(Quantity, f64)]) {
    let violations = Budget::totals(limits).check(report);
    if violations.is_empty() {
        return;
    }
    let mut msg = format!("{} is over budget:\n", report.model);
    for v in &violations {
        msg += &format!("  {v}\n");
    }
    for v in &violations {
        let mut rows: Vec<_> =
            report.layers.iter().map(|r| (v.quantity.of_layer(report, r), r)).filter(|(x, _)| *x > 0.0).collect();
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        if rows.is_empty() {
            continue;
        }
        msg += &format!("largest {} contributors:\n", v.quantity.name());
        for (x, r) in rows.iter().take(3) {
            let share = if v.measured > 0.0 { x / v.measured * 100.0 } else { 0.0 };
            let path = if r.path.is_empty() { "(root)" } else { &r.path };
            msg += &format!("  {path} ({}): {} ({share:.1} %)\n", r.type_name, v.quantity.show(*x));
        }
    }
    panic!("{}", msg.trim_end());
}

/// Asserts per-sample limits on a [`Report`]; the panic lists every quantity over budget (limit
/// and measured value) and the layers that contribute most.
///
/// Quantities: `acs`, `macs`, `total`, `params`, `energy_mj`; units: `K`, `M`, `G` or none.
/// ```should_panic
/// # let report: syops_runtime::report::Report = serde_json::from_str(r#"{"schema":1,"model":"Net","convention":"syops-0.0.5",
/// #   "batch_counter":1,"times_counter":1,"batches":1,"params":10,
/// #   "per_sample":{"total":8.0,"acs":4.0,"macs":4.0,"rate_slot":0.0},
/// #   "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":0.0,"mac_mj":0.0,"total_mj":0.0},
/// #   "layers":[],"warnings":[]}"#).unwrap();
/// syops_runtime::assert_budget!(report, acs <= 0.12 G, macs <= 150 M, params <= 9);
/// ```
#[macro_export]
macro_rules! assert_budget {
    ($report:expr, $($q:ident <= $v:literal $($unit:ident)?),+ $(,)?) => {
        $crate::__private::assert_within(
            &$report,
            &[$(($crate::assert_budget!(@q $q), $v as f64 $(* $crate::assert_budget!(@unit $unit))?)),+],
        )
    };
    (@q acs) => { $crate::check::Quantity::Acs };
    (@q macs) => { $crate::check::Quantity::Macs };
    (@q total) => { $crate::check::Quantity::Total };
    (@q params) => { $crate::check::Quantity::Params };
    (@q energy_mj) => { $crate::check::Quantity::EnergyMj };
    (@unit G) => { 1e9 };
    (@unit M) => { 1e6 };
    (@unit K) => { 1e3 };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convention::{LayerStats, PerSample};
    use crate::report::EnergyModel;

    fn report() -> Report {
        let row = |path: &str, params, acs: f64, macs| LayerRow {
            path: path.into(),
            type_name: "Linear".into(),
            params,
            frozen_params: 0,
            input_shape: None,
            output_shape: None,
            status: Status::Counted,
            stats: LayerStats {
                calls: 1,
                sum_total: macs + acs as u64,
                sum_acs: acs,
                sum_macs: macs,
                ..Default::default()
            },
        };
        let per_sample = PerSample { total: 175.0, acs: 50.0, macs: 50.0, rate_slot: 0.0, ..PerSample::default() };
        Report {
            schema: crate::report::SCHEMA_VERSION,
            model: "Net".into(),
            convention: "syops-0.0.5".into(),
            batch_counter: 2,
            times_counter: 1,
            batches: 1,
            params: 30,
            per_sample,
            energy: EnergyModel::FP32_45NM.estimate(50.0, 50.0),
            layers: vec![row("fc1", 10, 0.0, 100), row("block.fc2", 20, 100.0, 0), row("block.fc3", 0, 0.0, 50)],
            ignored_types: vec![],
            warnings: vec![],
            coverage: None,
            energy_detail: None,
            time: None,
            assumed_rates: None,
            accuracy: None,
            shard: None,
            neurobench: None,
        }
    }

    #[test]
    fn parses_numbers_and_units() {
        assert_eq!(parse_limit("0.12 G"), Some(0.12e9));
        assert_eq!(parse_limit("150M"), Some(150e6));
        assert_eq!(parse_limit("12"), Some(12.0));
        assert_eq!(parse_limit("12 T"), None);
    }

    #[test]
    fn errors_name_line_and_key() {
        let err = |t: &str| Budget::from_toml(t).unwrap_err().to_string();
        assert!(
            err("[total]\nacs = 1\nmacz = 2\n").starts_with("line 3: unknown field `macz`"),
            "{}",
            err("[total]\nmacz=2")
        );
        assert!(err("[totals]\nacs = 1\n").starts_with("line 1: unknown field `totals`"));
        assert!(err("[total]\nacs = \"1 T\"\n").starts_with("line 2:"), "{}", err("[total]\nacs = \"1 T\"\n"));
        assert!(err("[total]\nacs = -1\n").contains(">= 0"));
        assert!(err("[layers.\"a[\"]\nacs = 1\n").starts_with("line 1: layer pattern `a[`"));
        assert!(err("[total\n").starts_with("line 1:"));
    }

    #[test]
    fn checks_totals_and_each_matching_layer() {
        let b = Budget::from_toml("[total]\nacs = 49\nmacs = 50\nparams = \"0.01 K\"\n[layers.\"block.*\"]\nacs = 10\n[layers.nope]\nacs = 1\n").unwrap();
        let v = b.check(&report());
        let got: Vec<_> = v.iter().map(|v| (v.layer.as_deref(), v.quantity, v.limit, v.measured)).collect();
        assert_eq!(
            got,
            [
                (None, Quantity::Acs, 49.0, 50.0),
                (None, Quantity::Params, 10.0, 30.0),
                (Some("block.fc2"), Quantity::Acs, 10.0, 50.0)
            ]
        );
        assert_eq!(b.unmatched(&report()), ["nope"]);
        assert!(violations_table(&v).to_string().contains("block.fc2"));
    }

    #[test]
    fn assert_budget_passes_within_limits() {
        crate::assert_budget!(report(), acs <= 50, macs <= 0.1 K, params <= 30, energy_mj <= 1);
    }

    #[test]
    fn assert_budget_panic_lists_every_violation_and_contributors() {
        let r = report();
        let msg = std::panic::catch_unwind(|| crate::assert_budget!(r, acs <= 40, macs <= 1 K, total <= 0.1 K))
            .unwrap_err()
            .downcast::<String>()
            .unwrap();
        assert!(msg.contains("total acs: 50.0 > limit 40.0"), "{msg}");
        assert!(msg.contains("total total: 175.0 > limit 100.0"), "{msg}");
        assert!(!msg.contains("macs"), "{msg}");
        assert!(msg.contains("largest acs contributors:\n  block.fc2 (Linear): 50.0 (100.0 %)"), "{msg}");
    }
}
