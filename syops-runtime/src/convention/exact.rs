//! The exact convention ([`super::Convention::Exact`]): the synaptic events that really happen.
//! Every call's whole tensor is tested (the input of synaptic layers, the whole output of
//! activations and neurons); a spiking call books its events (the (nonzero input, weight) pairs
//! that meet, [`ExactOps`]) as ACs, an analog one its in-bounds pairs as MACs; neurons book
//! membrane updates. The events ride with the spike statistics, so a batch still needs one
//! transfer per device. Per sample it adds `membrane_updates` and `dense`.
use candle::{DType, Device, Tensor};

use super::counting::{Booking, Counting};
use super::per_sample::{per_sample, PerSample};
use super::stats::{ExactStats, LayerStats, RunStats};
use crate::model::{Call, ExactOps, Ops, Probe};
use crate::Result;

/// The event-exact convention.
pub(crate) struct Exact;

impl Counting for Exact {
    fn tested(&self, ops: &Ops, call: &Call<'_>, _type_name: &str) -> Result<Option<Tensor>> {
        let splits = match &ops.exact {
            Some(e) => e.events.is_some() || e.pairs > 0 || e.bias > 0,
            None => ops.dense > 0,
        };
        Ok(match ops.probe {
            Probe::Input => Some(call.input()?.clone()),
            Probe::OutputFirst => Some(call.output()?.clone()),
            Probe::None if splits => call.input().ok().cloned(),
            Probe::None => None,
        })
    }

    /// The call's events (0 when it has none), as one F64 value, with a spike test only.
    fn gathered(&self, ops: &Ops, device: Option<&Device>) -> Result<Option<Tensor>> {
        let Some(device) = device else { return Ok(None) };
        Ok(Some(match ops.exact.as_ref().and_then(|e| e.events.as_ref()) {
            Some(e) => e.to_dtype(DType::F64)?.to_device(device)?.reshape(1)?,
            None => Tensor::zeros(1, DType::F64, device)?,
        }))
    }

    /// A rule without an exact count (`ops.exact` is `None`) has a nonzero dense count booked as
    /// ACs when the tested tensor spikes, MACs otherwise.
    fn book(&self, stats: &mut LayerStats, _run: &mut RunStats, b: Booking<'_>) {
        let (ops, test, events) = (b.ops, b.test, b.gathered.first().copied());
        stats.sum_total += ops.dense;
        let spike = test.map(|t| t.spike);
        let exact = stats.exact.get_or_insert_with(ExactStats::default);
        let (acs, macs) = match &ops.exact {
            Some(e) => {
                exact.membrane_updates += e.membrane_updates;
                split(e, spike, events)
            }
            None if ops.dense == 0 => (0, 0),
            None => {
                exact.dense_calls += 1;
                split(&ExactOps::dense(ops.dense), spike, None)
            }
        };
        exact.acs += acs;
        exact.macs += macs;
        stats.sum_acs = exact.acs as f64;
        stats.sum_macs = exact.macs;
        if let Some(test) = test {
            stats.add_rate_pct(test.rate * 100.0);
            stats.non_finite_calls += u64::from(test.non_finite);
        }
    }

    fn per_sample(&self, sum: &LayerStats, batch_counter: u64) -> PerSample {
        let exact = sum.exact.unwrap_or_default();
        let total = per_sample(sum.sum_total as f64, batch_counter);
        PerSample {
            total,
            acs: per_sample(exact.acs as f64, batch_counter),
            macs: per_sample(exact.macs as f64, batch_counter),
            rate_slot: per_sample(sum.sum_rate_pct, batch_counter),
            membrane_updates: Some(per_sample(exact.membrane_updates as f64, batch_counter)),
            dense: Some(total),
        }
    }

    fn layer_warning(&self, path: &str, type_name: &str, stats: &LayerStats) -> Option<String> {
        let exact = stats.exact.filter(|e| e.dense_calls > 0)?;
        Some(format!(
            "layer `{path}` ({type_name}): its rule gave no exact count in {} call(s); its dense count is booked (ACs if the tested tensor spikes, else MACs), not event-exact",
            exact.dense_calls
        ))
    }
}

/// `(ACs, MACs)` of a call given its verdict (`None`: untested, counted as analog) and the
/// gathered value of `events`.
fn split(ops: &ExactOps, spike: Option<bool>, events: Option<f64>) -> (u64, u64) {
    if spike == Some(true) {
        let synaptic = match events {
            Some(e) if ops.events.is_some() => (e.max(0.0).round() as u64) * ops.fan_out,
            _ => ops.pairs,
        };
        (synaptic + ops.bias, ops.macs)
    } else {
        (0, ops.pairs + ops.bias + ops.macs)
    }
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    #[test]
    fn split_books_events_for_spikes_and_pairs_otherwise() {
        let xs = Tensor::new(&[0f32, 1., 1., 0.], &Device::Cpu).unwrap();
        let ops = ExactOps::nonzero(&xs, 3).unwrap().with_bias(3).with_macs(5);
        let events = ops.events.as_ref().unwrap().to_scalar::<f64>().unwrap();
        assert_eq!(events, 2.0);
        // Spikes: 2 nonzero × 3 + 3 bias ACs; 5 MACs. Analog: 4 × 3 + 3 + 5 MACs.
        assert_eq!(split(&ops, Some(true), Some(events)), (9, 5));
        assert_eq!(split(&ops, Some(false), Some(events)), (0, 20));
        assert_eq!(split(&ops, None, None), (0, 20));
        assert_eq!(split(&ExactOps::dense(7), Some(true), None), (7, 0));
    }
}
