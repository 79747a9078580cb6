//! Per-sample numbers: raw sums divided by syops' batch counter (dim 0 of the root input, summed
//! over root calls), the one division every stage uses ([`per_sample`]), and the totals each
//! convention reports per sample ([`PerSample`]).
use serde::{Deserialize, Serialize};

/// `sum` per sample over `batch_counter` samples (a run of no samples divides by 1).
pub fn per_sample(sum: f64, batch_counter: u64) -> f64 {
    sum / batch_counter.max(1) as f64
}

/// Per-sample numbers: raw sums divided by the batch counter, as syops reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct PerSample {
    /// Dense operations.
    pub total: f64,
    /// Accumulates driven by spikes.
    pub acs: f64,
    /// Multiply-accumulates on analog values.
    pub macs: f64,
    /// syops' fourth slot: summed firing rates divided by the batch counter (a quirk, kept).
    pub rate_slot: f64,
    /// Neuron membrane updates (exact convention only; NeuroBench's MembraneUpdates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub membrane_updates: Option<f64>,
    /// Dense operations, the same as `total` (exact convention only, beside its event counts;
    /// NeuroBench's Dense).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dense: Option<f64>,
}
