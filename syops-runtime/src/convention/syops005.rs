//! syops 0.0.5's convention, quirks included (the default): the spike test on the whole input of
//! synaptic layers and on `output[0]` of activations and neurons; a spike input books
//! `dense × rate` ACs, an analog one `dense` MACs at a rate of 1; neurons always book their dense
//! count as ACs; recurrent layers and attention go to the total only.
use candle::Tensor;

use super::counting::{Booking, Counting};
use super::per_sample::{per_sample, PerSample};
use super::spike::SpikeTest;
use super::stats::{LayerStats, RunStats};
use crate::model::{Call, Ops, Probe, Split};
use crate::{Error, Result};

/// The convention of syops 0.0.5.
pub(crate) struct Syops005;

impl Counting for Syops005 {
    fn tested(&self, ops: &Ops, call: &Call<'_>, type_name: &str) -> Result<Option<Tensor>> {
        Ok(match ops.probe {
            Probe::None => None,
            Probe::Input => Some(call.input()?.clone()),
            Probe::OutputFirst => {
                let out = call.output()?;
                if out.rank() == 0 {
                    return Err(Error::shape(call.path(), type_name, "output is a scalar; expected dim 0 to index"));
                }
                Some(out.get(0)?)
            }
        })
    }

    fn book(&self, stats: &mut LayerStats, _run: &mut RunStats, b: Booking<'_>) {
        book(stats, b.ops.dense, b.ops.split, b.test);
    }

    fn per_sample(&self, sum: &LayerStats, batch_counter: u64) -> PerSample {
        PerSample {
            total: per_sample(sum.sum_total as f64, batch_counter),
            acs: per_sample(sum.sum_acs, batch_counter),
            macs: per_sample(sum.sum_macs as f64, batch_counter),
            rate_slot: per_sample(sum.sum_rate_pct, batch_counter),
            ..PerSample::default()
        }
    }
}

/// Books one call of `dense` operations split by `split`, whose spike test (if any) is resolved.
/// A static count books through it too, with its assumed rates as the test.
pub(crate) fn book(stats: &mut LayerStats, dense: u64, split: Split, test: Option<SpikeTest>) {
    stats.sum_total += dense;
    let Some(test) = test else { return };
    match split {
        Split::AcOrMac if test.spike => stats.add_acs(dense as f64 * test.rate),
        Split::AcOrMac => stats.sum_macs += dense,
        Split::Ac => stats.add_acs(dense as f64),
        Split::TotalOnly => {}
    }
    if split != Split::TotalOnly {
        stats.add_rate_pct(test.rate * 100.0);
    }
    stats.non_finite_calls += u64::from(test.non_finite);
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
        book(&mut s, 1000, Split::AcOrMac, spike(0.25));
        book(&mut s, 1000, Split::AcOrMac, ANALOG);
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs), (2000, 250.0, 1000));
        assert_eq!(s.sum_rate_pct, 125.0);
    }

    #[test]
    fn integer_counts_are_exact_beyond_f64() {
        // 2^53 + 1 has no f64: a float accumulator would lose the ones.
        let dense = (1u64 << 53) + 1;
        let mut s = LayerStats::default();
        book(&mut s, dense, Split::AcOrMac, ANALOG);
        book(&mut s, dense, Split::AcOrMac, ANALOG);
        assert_eq!(s.sum_total, (1u64 << 54) + 2);
        assert_eq!(s.sum_macs, (1u64 << 54) + 2);
    }

    #[test]
    fn float_sums_do_not_drift_over_long_runs() {
        // One huge call, then a million calls of one AC each: a plain f64 sum stays at 1e16 (the
        // spacing of f64 there is 2), the compensated one ends at 1e16 + 1e6 exactly.
        let mut s = LayerStats::default();
        book(&mut s, 10_000_000_000_000_000, Split::Ac, spike(1.0));
        for _ in 0..1_000_000 {
            book(&mut s, 1, Split::Ac, spike(0.0));
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
        book(&mut s, 10, Split::Ac, spike(0.5));
        book(&mut s, 7, Split::TotalOnly, None);
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs, s.sum_rate_pct), (17, 10.0, 0, 50.0));
    }
}
