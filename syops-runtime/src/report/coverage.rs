//! Coverage: the share of layer calls and of dense operations that had a counting rule, and the
//! calls that had none, by layer path (or, for a call `#[syops::count]` could not attribute, by
//! its `file:line`).
//!
//! Calls of layers without a rule have unknown operations; their dense count is estimated at one
//! operation per output element, a floor for any layer that computes its output, so the dense
//! share is an estimate (from above). Layers of an ignored type ([`crate::Session::ignore`]) are
//! covered by choice: listed apart, not as uncovered.
//!
//! ```
//! # use syops_runtime::report::{Coverage, CoverageEntry};
//! let coverage = Coverage {
//!     calls: 4, counted_calls: 3, uncovered_calls: 1, call_share: 0.75, dense_ops: 90,
//!     uncovered_dense_ops_estimate: 10, dense_share_estimate: 0.9,
//!     uncovered: vec![CoverageEntry { path: "head".into(), type_name: "Mystery".into(), receiver: None,
//!         calls: 1, dense_ops_estimate: 10 }],
//!     ..Coverage::default()
//! };
//! assert_eq!(coverage.summary(), "75.0 % of calls, 90.0 % of dense ops (estimate; 1 uncovered: head (Mystery) ×1)");
//! ```
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::row::{LayerRow, Status};

/// How much of a run the counting rules covered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// Calls of leaf layers plus unattributed calls.
    pub calls: u64,
    /// Calls of layers that have a counting rule.
    pub counted_calls: u64,
    /// Calls of layers of an ignored type: covered by choice, zero operations.
    pub ignored_calls: u64,
    /// Calls of layers without a rule plus unattributed calls.
    pub uncovered_calls: u64,
    /// `(counted + ignored) / calls`, in [0, 1]; 1 when there were no calls.
    pub call_share: f64,
    /// Dense operations of the counted calls (raw sum over the run, not per sample).
    pub dense_ops: u64,
    /// Estimate of the uncovered calls' dense operations: one per output element of each call of
    /// a layer without a rule; 0 for unattributed calls, whose output is not seen.
    pub uncovered_dense_ops_estimate: u64,
    /// `dense_ops / (dense_ops + uncovered_dense_ops_estimate)`: an estimate, since the
    /// uncovered operations are; 1 when there were no operations.
    pub dense_share_estimate: f64,
    /// The uncovered calls, by layer path, then by call site.
    pub uncovered: Vec<CoverageEntry>,
    /// The ignored layers' calls, by layer path.
    pub ignored: Vec<CoverageEntry>,
}

/// Calls of one layer or one call site.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CoverageEntry {
    /// The layer's path; for an unattributed call, its `file:line`.
    pub path: String,
    /// The layer's type; `unattributed` for a call with no layer path.
    #[serde(rename = "type")]
    pub type_name: String,
    /// For an unattributed call, the receiver of its `.forward(..)` (`local`).
    pub receiver: Option<String>,
    /// Calls over the run.
    pub calls: u64,
    /// Estimated dense operations (see [`Coverage::uncovered_dense_ops_estimate`]).
    pub dense_ops_estimate: u64,
}

impl std::fmt::Display for CoverageEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.receiver {
            Some(receiver) => write!(f, "{receiver}.forward(..) at {} ×{}", self.path, self.calls),
            None if self.path.is_empty() => write!(f, "(root) ({}) ×{}", self.type_name, self.calls),
            None => write!(f, "{} ({}) ×{}", self.path, self.type_name, self.calls),
        }
    }
}

/// Share `part / whole`, 1 when `whole` is 0.
fn share(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

impl Coverage {
    /// Coverage of `layers` (rows of a report), given the types the session ignored, the output
    /// elements of each uncounted layer's calls by path, and the unattributed calls as
    /// `(file:line, receiver, calls)`.
    pub(crate) fn new(
        layers: &[LayerRow],
        ignored_types: &[String],
        uncounted_outputs: &HashMap<String, u64>,
        unattributed: &[(&str, &str, u64)],
    ) -> Coverage {
        let mut c = Coverage::default();
        for row in layers.iter().filter(|r| r.stats.calls > 0) {
            let entry = |dense_ops_estimate| CoverageEntry {
                path: row.path.clone(),
                type_name: row.type_name.clone(),
                receiver: None,
                calls: row.stats.calls,
                dense_ops_estimate,
            };
            c.calls += row.stats.calls;
            match row.status {
                Status::Counted => {
                    c.counted_calls += row.stats.calls;
                    c.dense_ops += row.stats.sum_total;
                }
                // `Session::ignore` on a type without a rule also marks it covered by choice.
                Status::Ignored => c.ignored.push(entry(0)),
                Status::Uncounted if ignored_types.contains(&row.type_name) => c.ignored.push(entry(0)),
                Status::Uncounted => c.uncovered.push(entry(uncounted_outputs.get(&row.path).copied().unwrap_or(0))),
            }
        }
        for &(site, receiver, calls) in unattributed {
            c.calls += calls;
            c.uncovered.push(CoverageEntry {
                path: site.to_string(),
                type_name: "unattributed".to_string(),
                receiver: Some(receiver.to_string()),
                calls,
                dense_ops_estimate: 0,
            });
        }
        c.ignored_calls = c.ignored.iter().map(|e| e.calls).sum();
        c.uncovered_calls = c.uncovered.iter().map(|e| e.calls).sum();
        c.uncovered_dense_ops_estimate = c.uncovered.iter().map(|e| e.dense_ops_estimate).sum();
        c.call_share = share(c.counted_calls + c.ignored_calls, c.calls);
        c.dense_share_estimate = share(c.dense_ops, c.dense_ops + c.uncovered_dense_ops_estimate);
        c
    }

    /// The coverage of a run made of `parts` (the coverages of its shards, in a fixed order): the
    /// counts summed, the uncovered and ignored entries merged by path (and type and receiver),
    /// their calls and estimates summed, layers in the order of `layers` (the merged rows), call
    /// sites after them in the order first seen; the shares computed again.
    pub(crate) fn merged(parts: &[&Coverage], layers: &[LayerRow]) -> Coverage {
        let merge = |lists: Vec<&Vec<CoverageEntry>>| {
            let mut out: Vec<CoverageEntry> = Vec::new();
            for e in lists.into_iter().flatten() {
                let same =
                    |o: &&mut CoverageEntry| o.path == e.path && o.type_name == e.type_name && o.receiver == e.receiver;
                match out.iter_mut().find(same) {
                    Some(o) => {
                        o.calls += e.calls;
                        o.dense_ops_estimate += e.dense_ops_estimate;
                    }
                    None => out.push(e.clone()),
                }
            }
            let rank = |e: &CoverageEntry| match e.receiver {
                None => layers.iter().position(|r| r.path == e.path).unwrap_or(layers.len()),
                Some(_) => layers.len(),
            };
            out.sort_by_key(rank);
            out
        };
        let mut c = Coverage {
            uncovered: merge(parts.iter().map(|p| &p.uncovered).collect()),
            ignored: merge(parts.iter().map(|p| &p.ignored).collect()),
            ..Coverage::default()
        };
        for p in parts {
            c.calls += p.calls;
            c.counted_calls += p.counted_calls;
            c.ignored_calls += p.ignored_calls;
            c.uncovered_calls += p.uncovered_calls;
            c.dense_ops += p.dense_ops;
            c.uncovered_dense_ops_estimate += p.uncovered_dense_ops_estimate;
        }
        c.call_share = share(c.counted_calls + c.ignored_calls, c.calls);
        c.dense_share_estimate = share(c.dense_ops, c.dense_ops + c.uncovered_dense_ops_estimate);
        c
    }

    /// Whether every call was counted or ignored.
    pub fn is_complete(&self) -> bool {
        self.uncovered.is_empty()
    }

    /// One line: `75.0 % of calls, 90.0 % of dense ops (estimate; 1 uncovered: head (Mystery) ×1)`.
    pub fn summary(&self) -> String {
        let mut out = format!(
            "{:.1} % of calls, {:.1} % of dense ops (estimate",
            self.call_share * 100.0,
            self.dense_share_estimate * 100.0
        );
        let list = |entries: &[CoverageEntry]| {
            let mut names: Vec<String> = entries.iter().take(5).map(ToString::to_string).collect();
            if entries.len() > 5 {
                names.push(format!("and {} more", entries.len() - 5));
            }
            names.join(", ")
        };
        if !self.uncovered.is_empty() {
            out += &format!("; {} uncovered: {}", self.uncovered.len(), list(&self.uncovered));
        }
        if !self.ignored.is_empty() {
            out += &format!("; {} ignored by choice: {}", self.ignored.len(), list(&self.ignored));
        }
        out + ")"
    }

    /// Every uncovered layer or site on its own line, indented: what strict mode reports.
    pub fn listing(&self) -> String {
        self.uncovered.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convention::LayerStats;

    fn row(path: &str, type_name: &str, status: Status, calls: u64, sum_total: u64) -> LayerRow {
        LayerRow {
            path: path.into(),
            type_name: type_name.into(),
            params: 0,
            frozen_params: 0,
            input_shape: None,
            output_shape: None,
            status,
            stats: LayerStats { calls, sum_total, ..Default::default() },
        }
    }

    #[test]
    fn shares_count_ignored_as_covered_and_estimate_uncovered_ops() {
        let rows = [
            row("fc", "Linear", Status::Counted, 2, 100),
            row("drop", "Dropout", Status::Ignored, 2, 0),
            row("odd", "Mystery", Status::Uncounted, 1, 0),
            row("quiet", "Mystery", Status::Uncounted, 0, 0),
            row("free", "Free", Status::Uncounted, 3, 0),
        ];
        let outputs = HashMap::from([("odd".to_string(), 25u64), ("free".to_string(), 9)]);
        let c = Coverage::new(&rows, &["Dropout".into(), "Free".into()], &outputs, &[("src/m.rs:7", "local", 4)]);
        // calls: 2 + 2 + 1 + 3 + 4 unattributed = 12; covered: 2 counted + 2 + 3 ignored = 7.
        assert_eq!((c.calls, c.counted_calls, c.ignored_calls, c.uncovered_calls), (12, 2, 5, 5));
        assert!((c.call_share - 7.0 / 12.0).abs() < 1e-15);
        // dense: 100 counted; uncovered estimate: 25 output elements of `odd`, 0 for the site.
        assert_eq!((c.dense_ops, c.uncovered_dense_ops_estimate), (100, 25));
        assert!((c.dense_share_estimate - 100.0 / 125.0).abs() < 1e-15);
        let uncovered: Vec<_> = c.uncovered.iter().map(ToString::to_string).collect();
        assert_eq!(uncovered, ["odd (Mystery) ×1", "local.forward(..) at src/m.rs:7 ×4"]);
        assert_eq!(c.listing(), "  odd (Mystery) ×1\n  local.forward(..) at src/m.rs:7 ×4");
        assert_eq!(
            c.summary(),
            "58.3 % of calls, 80.0 % of dense ops (estimate; 2 uncovered: odd (Mystery) ×1, \
             local.forward(..) at src/m.rs:7 ×4; 2 ignored by choice: drop (Dropout) ×2, free (Free) ×3)"
        );
        assert!(!c.is_complete());
    }

    #[test]
    fn nothing_called_is_complete_and_long_lists_are_cut() {
        let c = Coverage::new(&[], &[], &HashMap::new(), &[]);
        assert_eq!((c.call_share, c.dense_share_estimate, c.is_complete()), (1.0, 1.0, true));
        assert_eq!(c.summary(), "100.0 % of calls, 100.0 % of dense ops (estimate)");
        let rows: Vec<_> = (0..7).map(|i| row(&format!("m{i}"), "Mystery", Status::Uncounted, 1, 0)).collect();
        let c = Coverage::new(&rows, &[], &HashMap::new(), &[]);
        assert!(c.summary().ends_with("m4 (Mystery) ×1, and 2 more)"), "{}", c.summary());
        assert_eq!(c.listing().lines().count(), 7);
    }
}
