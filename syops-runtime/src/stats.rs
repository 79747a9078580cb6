//! Per-layer accumulators, in syops' raw form (sums over every call of the run).
use serde::{Deserialize, Serialize};

use crate::{spike::SpikeTest, ExactOps, Split};

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
    fn add(&mut self, other: &ExactStats) {
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
    /// Books one call whose spike test (if any) has been resolved.
    pub fn book(&mut self, dense: u64, split: Split, test: Option<SpikeTest>) {
        self.sum_total += dense;
        let Some(test) = test else { return };
        match split {
            Split::AcOrMac if test.spike => {
                compensated_add(&mut self.sum_acs, &mut self.carry.acs, dense as f64 * test.rate)
            }
            Split::AcOrMac => self.sum_macs += dense,
            Split::Ac => compensated_add(&mut self.sum_acs, &mut self.carry.acs, dense as f64),
            Split::TotalOnly => {}
        }
        if split != Split::TotalOnly {
            compensated_add(&mut self.sum_rate_pct, &mut self.carry.rate_pct, test.rate * 100.0);
        }
        self.non_finite_calls += u64::from(test.non_finite);
    }

    /// Folds the rounding carried so far back into the float sums (done once, when the report is
    /// assembled).
    pub fn settle(&mut self) {
        self.sum_acs += std::mem::take(&mut self.carry.acs);
        self.sum_rate_pct += std::mem::take(&mut self.carry.rate_pct);
    }

    /// Books one call under the exact convention. `ops: None` (a rule without an exact count)
    /// books a nonzero `dense` as ACs when the tested tensor spikes, MACs otherwise; `events` is the gathered
    /// value of `ops.events`.
    pub fn book_exact(&mut self, dense: u64, ops: Option<&ExactOps>, test: Option<SpikeTest>, events: Option<f64>) {
        self.sum_total += dense;
        let spike = test.map(|t| t.spike);
        let exact = self.exact.get_or_insert_with(ExactStats::default);
        let (acs, macs) = match ops {
            Some(ops) => {
                exact.membrane_updates += ops.membrane_updates;
                ops.split(spike, events)
            }
            None if dense == 0 => (0, 0),
            None => {
                exact.dense_calls += 1;
                ExactOps::dense(dense).split(spike, None)
            }
        };
        exact.acs += acs;
        exact.macs += macs;
        self.sum_acs = exact.acs as f64;
        self.sum_macs = exact.macs;
        if let Some(test) = test {
            compensated_add(&mut self.sum_rate_pct, &mut self.carry.rate_pct, test.rate * 100.0);
            self.non_finite_calls += u64::from(test.non_finite);
        }
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spike(rate: f64) -> Option<SpikeTest> {
        Some(SpikeTest { spike: true, rate, non_finite: false })
    }
    const ANALOG: Option<SpikeTest> = Some(SpikeTest { spike: false, rate: 1.0, non_finite: false });

    #[test]
    fn spike_input_books_acs_analog_books_macs() {
        let mut s = LayerStats::default();
        s.book(1000, Split::AcOrMac, spike(0.25));
        s.book(1000, Split::AcOrMac, ANALOG);
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs), (2000, 250.0, 1000));
        assert_eq!(s.sum_rate_pct, 125.0);
    }

    #[test]
    fn integer_counts_are_exact_beyond_f64() {
        // 2^53 + 1 has no f64: a float accumulator would lose the ones.
        let dense = (1u64 << 53) + 1;
        let mut s = LayerStats::default();
        s.book(dense, Split::AcOrMac, ANALOG);
        s.book(dense, Split::AcOrMac, ANALOG);
        assert_eq!(s.sum_total, (1u64 << 54) + 2);
        assert_eq!(s.sum_macs, (1u64 << 54) + 2);
    }

    #[test]
    fn float_sums_do_not_drift_over_long_runs() {
        // One huge call, then a million calls of one AC each: a plain f64 sum stays at 1e16 (the
        // spacing of f64 there is 2), the compensated one ends at 1e16 + 1e6 exactly.
        let mut s = LayerStats::default();
        s.book(10_000_000_000_000_000, Split::Ac, spike(1.0));
        for _ in 0..1_000_000 {
            s.book(1, Split::Ac, spike(0.0));
        }
        let mut naive = 1e16;
        for _ in 0..1_000_000 {
            naive += 1.0;
        }
        assert_eq!(naive, 1e16, "the naive sum really does lose the ones");
        s.settle();
        assert_eq!(s.sum_acs, 1e16 + 1e6);
        assert_eq!(s.sum_rate_pct, 100.0);
    }

    #[test]
    fn neurons_always_book_acs_total_only_books_no_rate() {
        let mut s = LayerStats::default();
        s.book(10, Split::Ac, spike(0.5));
        s.book(7, Split::TotalOnly, None);
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs, s.sum_rate_pct), (17, 10.0, 0, 50.0));
    }
}
