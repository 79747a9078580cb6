//! Per-layer accumulators, in syops' raw form (sums over every call of the run), the exact
//! convention's integer counts and NeuroBench's: what the conventions book into
//! ([`super::syops005`], [`super::exact`], [`super::neurobench`]); and the run's own ([`RunStats`]).
use serde::{Deserialize, Serialize};

use super::neurobench_stats::{NeuroBenchRun, NeuroBenchStats};

/// What a convention accumulates over a run beyond its layers (NeuroBench's batch-weighted
/// activation sparsity).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RunStats {
    /// NeuroBench's run accumulator (its convention only).
    pub neurobench: Option<NeuroBenchRun>,
}

/// Exact-convention accumulators of one layer: integer counts over every call of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExactStats {
    /// Synaptic events driven by spikes (and bias additions of spike-driven calls).
    pub acs: u64,
    /// Multiply-accumulates on analog values.
    pub macs: u64,
    /// Neuron membrane updates (NeuroBench's MembraneUpdates).
    pub membrane_updates: u64,
    /// Calls whose rule gave no exact count: their dense count was booked instead.
    #[serde(default)]
    pub dense_calls: u64,
}

impl ExactStats {
    pub(crate) fn add(&mut self, other: &ExactStats) {
        self.acs += other.acs;
        self.macs += other.macs;
        self.membrane_updates += other.membrane_updates;
        self.dense_calls += other.dense_calls;
    }
}

/// What one layer accumulated over a run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerStats {
    /// Forward calls seen.
    pub calls: u64,
    /// Dense operations, summed over calls.
    pub sum_total: u64,
    /// ACs: `dense × rate` of spike-driven calls (syops accumulates this in float64).
    pub sum_acs: f64,
    /// MACs: dense operations of calls on analog input.
    pub sum_macs: u64,
    /// Firing rate × 100, summed over calls (100 for an analog input).
    pub sum_rate_pct: f64,
    /// Calls whose spike test saw NaN or ±Inf.
    #[serde(default)]
    pub non_finite_calls: u64,
    /// Exact-convention counts (absent under syops 0.0.5). Under the exact convention `sum_acs`
    /// and `sum_macs` mirror `exact.acs` and `exact.macs`, so tables, budgets and diffs read one field.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exact: Option<ExactStats>,
    /// NeuroBench's counts (its convention only). `sum_acs` and `sum_macs` mirror its effective
    /// ACs and MACs there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub neurobench: Option<NeuroBenchStats>,
    /// What rounding took from `sum_acs` and `sum_rate_pct` so far (Neumaier's compensated
    /// summation), folded back by [`LayerStats::settle`]: a run of millions of calls stays as
    /// exact as one call. Integer counts are `u64` and need none.
    #[serde(skip)]
    pub carry: Carry,
}

/// The rounding error a [`LayerStats`] carries until it is settled (zero after
/// [`LayerStats::settle`], and in every report).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Carry {
    acs: f64,
    rate_pct: f64,
}

/// Adds `x` to `sum`, keeping what rounding lost in `carry` (Neumaier 1974).
fn compensated_add(sum: &mut f64, carry: &mut f64, x: f64) {
    let t = *sum + x;
    *carry += if sum.abs() >= x.abs() { (*sum - t) + x } else { (x - t) + *sum };
    *sum = t;
}

impl LayerStats {
    /// Adds `x` ACs to the float sum, compensated.
    pub(crate) fn add_acs(&mut self, x: f64) {
        compensated_add(&mut self.sum_acs, &mut self.carry.acs, x);
    }

    /// Adds a call's firing rate × 100, compensated.
    pub(crate) fn add_rate_pct(&mut self, x: f64) {
        compensated_add(&mut self.sum_rate_pct, &mut self.carry.rate_pct, x);
    }

    /// Folds the rounding carried so far back into the float sums (done once, when the report is
    /// assembled).
    pub fn settle(&mut self) {
        self.sum_acs += std::mem::take(&mut self.carry.acs);
        self.sum_rate_pct += std::mem::take(&mut self.carry.rate_pct);
    }

    /// The sum of `parts`, in their order, settled: integer counts exactly, the float sums with
    /// compensated summation (how [`Report::merge`](crate::report::Report::merge) adds a layer's
    /// shards; the caller fixes the order, so that the result does not depend on it).
    pub fn sum_of<'a>(parts: impl IntoIterator<Item = &'a LayerStats>) -> LayerStats {
        let mut sum = LayerStats::default();
        for p in parts {
            sum.calls += p.calls;
            sum.sum_total += p.sum_total;
            sum.add_acs(p.sum_acs);
            sum.sum_macs += p.sum_macs;
            sum.add_rate_pct(p.sum_rate_pct);
            sum.non_finite_calls += p.non_finite_calls;
            if let Some(theirs) = &p.exact {
                sum.exact.get_or_insert_with(ExactStats::default).add(theirs);
            }
            if let Some(theirs) = &p.neurobench {
                sum.neurobench.get_or_insert_with(NeuroBenchStats::default).add(theirs);
            }
        }
        sum.settle();
        sum
    }

    /// Adds another accumulator (for aggregation).
    pub fn add(&mut self, other: &LayerStats) {
        self.calls += other.calls;
        self.sum_total += other.sum_total;
        self.sum_acs += other.sum_acs;
        self.sum_macs += other.sum_macs;
        self.sum_rate_pct += other.sum_rate_pct;
        self.non_finite_calls += other.non_finite_calls;
        if let Some(theirs) = &other.exact {
            self.exact.get_or_insert_with(ExactStats::default).add(theirs);
        }
        if let Some(theirs) = &other.neurobench {
            self.neurobench.get_or_insert_with(NeuroBenchStats::default).add(theirs);
        }
    }
}
