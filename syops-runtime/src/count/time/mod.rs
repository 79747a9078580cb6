//! Time-resolved statistics ([`Session::time_resolved`](crate::Session::time_resolved)): firing
//! rates and operations per time step and per sample, and the dead and saturated neurons of each
//! neuron layer.
//!
//! - **Neuron layers** (those whose rule books [`Split::Ac`](crate::model::Split::Ac)) are read from their output, on the
//!   device, with one transfer per batch. A multi-step output `[T, N, ...]` gives the rate of each
//!   step `t` (the mean over every dim but 0); a single-step call gives the rate of step `t`, `t`
//!   being the call's index among that layer's calls in the batch (the batch starts at step 0, as
//!   the session resets neurons after each batch). Rates are means of the output: spikes are 0/1.
//! - **Per sample**: dim 0 of the root input gives the batch's `B` samples. A tensor's sample axis is
//!   dim 1 for a multi-step layer (`[T, B, ...]`), else dim 0 when it is `B`, or `T·B` flattened
//!   time-major (`[T·B, ...]`, spikingjelly's `SeqToANNContainer`). A neuron's per-sample rate is
//!   its mean over time and neurons for that sample. A synaptic layer's ACs are shared out in
//!   proportion to each sample's input spike count, which sums back to its booked ACs; MACs, and the
//!   ACs of layers whose tensors have no such axis (warned), are split evenly.
//! - **Ops per step** are each counted layer's per-call ACs, MACs and dense count (as the
//!   convention books them), divided by the batch counter, in bucket `t` = the call's index among
//!   that layer's calls in the batch. A call that covers several steps at once — a multi-step
//!   neuron on `[T, N, ...]`, a synaptic layer on a time-folded `[T·N, ...]` or `[T, N, ...]`
//!   input — is split over its `T` steps: a synaptic layer's ACs in proportion to its input's
//!   spikes at each step (the sample axis rule below tells the steps apart), everything else
//!   evenly (each step updates as many membranes). Layers whose tensors have no such axis land in
//!   the bucket of their call.
//! - **Dead / saturated**: each neuron layer keeps a device tensor of spike counts per neuron of one
//!   sample, over the whole run; a neuron is dead when its count is 0 and saturated when it fired at
//!   every (sample, step) it saw.
//! - **Distributions** over samples: mean, p5, p50, p95 and max, the percentiles by the
//!   nearest-rank method: the `p`-th percentile of `n` sorted values is the value of rank
//!   `max(1, ⌈p/100 · n⌉)`.
//!
//! Memory: the per-sample values are kept exactly, three `f64` per sample per counted layer (ACs,
//! MACs, and the rate of neuron layers) and four for the model; the spike-count tensor of each neuron
//! layer; nothing per call outlives its batch. The report keeps the values its figures are derived
//! from ([`LayerValues`], [`RunValues`]: the per-sample values, the raw per-step sums, the dead and
//! saturated neurons as [`NeuronSet`]s), so that shards' reports merge exactly ([`TimeStats::merge`]).
//!
//! ```
//! use syops_runtime::count::time::percentile;
//! let sorted = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0];
//! assert_eq!((percentile(&sorted, 5.0), percentile(&sorted, 50.0), percentile(&sorted, 95.0)), (1.0, 5.0, 10.0));
//! ```
use serde::{Deserialize, Serialize};

mod collect;
mod merge;
mod neuron_set;
mod values;

pub(crate) use collect::TimeState;
pub use neuron_set::NeuronSet;
pub use values::{LayerValues, RunValues};

/// The nearest-rank `p`-th percentile (`p` in [0, 100]) of values sorted ascending: the value of
/// rank `max(1, ⌈p/100 · n⌉)`. NaN for no values.
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// A distribution over samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Dist {
    /// Values it summarises.
    pub samples: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Nearest-rank 5th percentile.
    pub p5: f64,
    /// Nearest-rank median.
    pub p50: f64,
    /// Nearest-rank 95th percentile.
    pub p95: f64,
    /// Largest value.
    pub max: f64,
}

impl Dist {
    /// The distribution of `values`; `None` when empty.
    pub fn of(values: &[f64]) -> Option<Dist> {
        if values.is_empty() {
            return None;
        }
        let mut v = values.to_vec();
        v.sort_by(f64::total_cmp);
        Some(Dist {
            samples: v.len() as u64,
            mean: v.iter().sum::<f64>() / v.len() as f64,
            p5: percentile(&v, 5.0),
            p50: percentile(&v, 50.0),
            p95: percentile(&v, 95.0),
            max: v[v.len() - 1],
        })
    }
}

/// Operations of one time step, per sample (raw sums over the run divided by the batch counter).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct StepOps {
    /// Dense operations.
    pub total: f64,
    /// Accumulates.
    pub acs: f64,
    /// Multiply-accumulates.
    pub macs: f64,
}

/// Time-resolved statistics of one counted layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerTime {
    /// The layer's path.
    pub path: String,
    /// Its type.
    #[serde(rename = "type")]
    pub type_name: String,
    /// Firing rate of each time step (neuron layers; empty otherwise).
    pub rate_per_step: Vec<f64>,
    /// Operations of each time step (call index in the batch), per sample.
    pub ops_per_step: Vec<StepOps>,
    /// Firing rate of each sample, over time and neurons (neuron layers).
    pub per_sample_rate: Option<Dist>,
    /// ACs of each sample.
    pub per_sample_acs: Option<Dist>,
    /// MACs of each sample.
    pub per_sample_macs: Option<Dist>,
    /// Neurons of one sample (neuron layers).
    pub neurons: Option<u64>,
    /// Fraction of those neurons that never fired.
    pub dead_fraction: Option<f64>,
    /// Fraction of those neurons that fired at every step of every sample.
    pub saturated_fraction: Option<f64>,
    /// The values the figures above are derived from (schema version 4; absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<LayerValues>,
}

/// Time-resolved statistics of a run (the report's `time` field).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TimeStats {
    /// How the percentiles are taken (`nearest-rank`).
    pub percentiles: String,
    /// Samples seen.
    pub samples: u64,
    /// Firing rate of each time step over every neuron layer.
    pub rate_per_step: Vec<f64>,
    /// Operations of each time step over every counted layer, per sample.
    pub ops_per_step: Vec<StepOps>,
    /// Firing rate of each sample over every neuron layer.
    pub per_sample_rate: Option<Dist>,
    /// ACs of each sample.
    pub per_sample_acs: Option<Dist>,
    /// MACs of each sample.
    pub per_sample_macs: Option<Dist>,
    /// Counted layers, in the order of their first call.
    pub layers: Vec<LayerTime>,
    /// The model's per-sample values the distributions above are derived from (schema version 4;
    /// absent before).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub values: Option<RunValues>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        // n = 4: rank ⌈0.05·4⌉ = 1, ⌈0.5·4⌉ = 2, ⌈0.95·4⌉ = 4.
        let v = [0.4, 0.1, 0.3, 0.2];
        let d = Dist::of(&v).unwrap();
        assert_eq!((d.samples, d.p5, d.p50, d.p95, d.max), (4, 0.1, 0.2, 0.4, 0.4));
        assert!((d.mean - 0.25).abs() < 1e-15);
        // n = 20: ranks 1, 10, 19.
        let v: Vec<f64> = (1..=20).map(f64::from).collect();
        let d = Dist::of(&v).unwrap();
        assert_eq!((d.p5, d.p50, d.p95, d.max), (1.0, 10.0, 19.0, 20.0));
        assert_eq!(percentile(&[7.0], 0.0), 7.0);
        assert!(Dist::of(&[]).is_none());
    }
}
