//! Per-layer accumulators, in syops' raw form (sums over every call of the run).
use serde::{Deserialize, Serialize};

use crate::{spike::SpikeTest, Split};

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
}

impl LayerStats {
    /// Books one call whose spike test (if any) has been resolved.
    pub fn book(&mut self, dense: u64, split: Split, test: Option<SpikeTest>) {
        self.sum_total += dense;
        let Some(test) = test else { return };
        match split {
            Split::AcOrMac if test.spike => self.sum_acs += dense as f64 * test.rate,
            Split::AcOrMac => self.sum_macs += dense,
            Split::Ac => self.sum_acs += dense as f64,
            Split::TotalOnly => {}
        }
        if split != Split::TotalOnly {
            self.sum_rate_pct += test.rate * 100.0;
        }
        self.non_finite_calls += u64::from(test.non_finite);
    }

    /// Adds another accumulator (for aggregation).
    pub fn add(&mut self, other: &LayerStats) {
        self.calls += other.calls;
        self.sum_total += other.sum_total;
        self.sum_acs += other.sum_acs;
        self.sum_macs += other.sum_macs;
        self.sum_rate_pct += other.sum_rate_pct;
        self.non_finite_calls += other.non_finite_calls;
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
    fn neurons_always_book_acs_total_only_books_no_rate() {
        let mut s = LayerStats::default();
        s.book(10, Split::Ac, spike(0.5));
        s.book(7, Split::TotalOnly, None);
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs, s.sum_rate_pct), (17, 10.0, 0, 50.0));
    }
}
