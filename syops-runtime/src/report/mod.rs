//! The one report type, shared by the library (`Display`, JSON) and `cargo syops`, and how it is
//! built from a finished run (`assemble.rs`): rows, per-sample totals (by the convention),
//! coverage, energy with its memory model and the ANN baseline, time-resolved statistics and the
//! warnings, all at once. Every `impl Report` is here.
use serde::{Deserialize, Serialize};

mod accuracy;
mod aggregate;
mod assemble;
mod booked;
mod coverage;
mod energy;
mod energy_detail;
pub(crate) mod export;
mod memory_level;
mod merge;
mod row;
mod shard;
mod time_steps;

pub use crate::convention::PerSample;
pub use accuracy::Accuracy;
pub use aggregate::{aggregate, depth};
pub(crate) use assemble::assemble;
pub use coverage::{Coverage, CoverageEntry};
pub use energy::{Energy, EnergyModel};
pub use energy_detail::{break_even, describe_break_even, EnergyDetail, EnergyRole, Labelled, LayerEnergy};
pub use export::REPORT_FILE_ENV;
pub use memory_level::{MemoryLevel, MEMORY_LEVELS};
pub use merge::merge;
pub use row::{LayerRow, Status};
pub use shard::Shard;
pub use time_steps::TimeSteps;

use crate::convention::{LayerStats, NeuroBenchMetrics};
use crate::count::{time::TimeStats, Rates};

/// Version of the JSON schema written by [`Report::to_json`]. Version 2 added the exact
/// convention, coverage, memory-inclusive energy, time-resolved statistics and static mode;
/// version 3 NeuroBench's convention (the report's `neurobench`, each layer's `neurobench`);
/// version 4 the values time-resolved statistics are derived from (`time.values`,
/// `time.layers[].values`), so that they merge. Every field a version added has a default, so
/// older reports still read (and their time-resolved statistics do not merge).
pub const SCHEMA_VERSION: u32 = 4;

/// The oldest schema version [`Report::from_json`] reads.
pub const OLDEST_SCHEMA_VERSION: u32 = 1;

/// The result of a counting session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// JSON schema version ([`SCHEMA_VERSION`]).
    pub schema: u32,
    /// The root model's type.
    pub model: String,
    /// Counting convention ([`Convention`](crate::convention::Convention)'s name: `syops-0.0.5` or `exact`).
    pub convention: String,
    /// Samples seen: dim 0 of the root input, summed over root calls (syops' batch counter).
    pub batch_counter: u64,
    /// Root forward calls (syops' times counter).
    pub times_counter: u64,
    /// Batches run.
    pub batches: u64,
    /// Trainable parameter elements of the whole model, each tensor once.
    pub params: u64,
    /// Per-sample totals.
    pub per_sample: PerSample,
    /// Energy per sample.
    pub energy: Energy,
    /// Layers, in model order.
    pub layers: Vec<LayerRow>,
    /// Layer types ignored by the session's options.
    #[serde(default)]
    pub ignored_types: Vec<String>,
    /// What could not be counted or looked wrong.
    pub warnings: Vec<String>,
    /// Share of calls and dense operations that had a counting rule, and the calls that had none
    /// (absent from version-1 reports).
    #[serde(default)]
    pub coverage: Option<Coverage>,
    /// Compute-only and memory-inclusive energy, ANN baseline and break-even firing rates, per
    /// layer and per model (absent from version-1 reports).
    #[serde(default)]
    pub energy_detail: Option<EnergyDetail>,
    /// Time-resolved statistics ([`Session::time_resolved`](crate::Session::time_resolved)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<TimeStats>,
    /// The assumed rates of a static count ([`Session::count_static`](crate::Session::count_static)):
    /// `Some` marks a report counted from shapes alone, without data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assumed_rates: Option<Rates>,
    /// Top-1 and top-5 accuracy over labelled samples
    /// ([`Session::count_labelled`](crate::Session::count_labelled)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<Accuracy>,
    /// Which shard of a dataset run this report counted (`cargo syops zoo --shard I/N`); `None`
    /// for a whole run, merged ones included ([`Report::merge`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shard: Option<Shard>,
    /// NeuroBench 2.3's metrics ([`Convention::NeuroBench`](crate::convention::Convention::NeuroBench)
    /// only): static, synaptic operations, membrane updates, activation sparsity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurobench: Option<NeuroBenchMetrics>,
}

impl Report {
    /// Serialises to pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a report always serialises")
    }

    /// Reads a report written by [`Report::to_json`], checking its schema version.
    pub fn from_json(text: &str) -> crate::Result<Self> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| crate::Error::Report(format!("not valid JSON: {e}")))?;
        match value.get("schema").and_then(|v| v.as_u64()) {
            Some(v) if (u64::from(OLDEST_SCHEMA_VERSION)..=u64::from(SCHEMA_VERSION)).contains(&v) => {}
            Some(v) => {
                return Err(crate::Error::Report(format!(
                    "schema version {v}, but this syops reads versions {OLDEST_SCHEMA_VERSION} to {SCHEMA_VERSION}"
                )))
            }
            None => return Err(crate::Error::Report("no `schema` field: not a syops report".into())),
        }
        serde_json::from_value(value).map_err(|e| crate::Error::Report(format!("malformed report: {e}")))
    }

    /// The report of the whole run that `shards` make up: raw accumulators and counts summed,
    /// per-sample totals, energy, coverage shares and time-resolved statistics derived again
    /// ([`merge`] says exactly how, and what it refuses).
    pub fn merge(shards: &[Report]) -> crate::Result<Report> {
        merge(shards)
    }

    /// The row at `path`.
    pub fn layer(&self, path: &str) -> Option<&LayerRow> {
        self.layers.iter().find(|l| l.path == path)
    }

    /// Sums of every layer's raw accumulators.
    pub fn totals(&self) -> LayerStats {
        let mut sum = LayerStats::default();
        for row in &self.layers {
            sum.add(&row.stats);
        }
        sum
    }

    /// This report with its layers folded to `depth` ([`aggregate`]); totals are unchanged.
    pub fn at_depth(&self, depth: usize) -> Report {
        Report { layers: aggregate(&self.layers, depth), ..self.clone() }
    }

    /// This report with its energy recomputed under `model`.
    pub fn with_energy(&self, model: EnergyModel) -> Report {
        Report {
            energy: model.estimate(self.per_sample.acs, self.per_sample.macs),
            ..self.with_energy_detail(Some(model), None)
        }
    }

    /// This report with its [`EnergyDetail`] repriced under `model` and for `time_steps`, where
    /// given (a version-1 report has none to reprice).
    pub fn with_energy_detail(&self, model: Option<EnergyModel>, time_steps: Option<u64>) -> Report {
        let detail = self.energy_detail.as_ref().map(|d| {
            if model.is_none() && time_steps.is_none() {
                return d.clone();
            }
            d.with(model.unwrap_or(d.model), time_steps.unwrap_or(d.time_steps))
        });
        Report { energy_detail: detail, ..self.clone() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A report as schema version 1 wrote it (syops 0.1.0's first release).
    const V1: &str = r#"{"schema":1,"model":"Net","convention":"syops-0.0.5","batch_counter":2,"times_counter":1,
        "batches":1,"params":10,"per_sample":{"total":8.0,"acs":4.0,"macs":4.0,"rate_slot":50.0},
        "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":3.6e-9,"mac_mj":1.84e-8,"total_mj":2.2e-8},
        "layers":[{"path":"fc","type":"Linear","params":10,"input_shape":[2,4],"output_shape":[2,2],
        "status":"counted","calls":1,"sum_total":16,"sum_acs":8.0,"sum_macs":8,"sum_rate_pct":50.0}],
        "warnings":[]}"#;

    #[test]
    fn reads_version_1_reports() {
        let report = Report::from_json(V1).unwrap();
        assert_eq!(report.schema, 1);
        assert_eq!(report.layer("fc").unwrap().stats.sum_total, 16);
        assert_eq!(report.per_sample.acs, 4.0);
    }

    /// A version-2 report (the `recurrent` reference case under the exact convention, as syops
    /// wrote it before NeuroBench's convention): it reads, with no NeuroBench fields, and writes
    /// back as the current version with the same numbers.
    #[test]
    fn reads_version_2_reports() {
        let text = include_str!("../../tests/support/report_v2_exact.json");
        let report = Report::from_json(text).unwrap();
        assert_eq!((report.schema, report.convention.as_str()), (2, "exact"));
        assert!(report.neurobench.is_none() && report.layers.iter().all(|l| l.stats.neurobench.is_none()));
        assert_eq!(report.layer("lstm").unwrap().stats.exact.unwrap().macs, 464640);
        let again = Report::from_json(&Report { schema: SCHEMA_VERSION, ..report.clone() }.to_json()).unwrap();
        assert_eq!(again, Report { schema: SCHEMA_VERSION, ..report });
    }

    #[test]
    fn rejects_unknown_versions_naming_them() {
        let err = Report::from_json(&V1.replace(r#""schema":1"#, r#""schema":99"#)).unwrap_err().to_string();
        assert!(err.contains("schema version 99") && err.contains("versions 1 to 4"), "{err}");
    }
}
