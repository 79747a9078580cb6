//! NeuroBench 2.3's convention ([`super::Convention::NeuroBench`]): its workload metrics, booked
//! per layer, and its static ones read from the model at the end.
//!
//! - **SynapticOperations**: connection layers (Linear, Conv1d-3d, recurrent cells, and whole
//!   recurrent layers counted as their cells) book the products of non-zero weights and non-zero
//!   inputs ([`NeuroBenchOps`]); a call is spiking, and its products `Effective_ACs`, when every
//!   input element is -1, 0 or 1, else `Effective_MACs`. `Dense` counts every connection. No bias.
//! - **MembraneUpdates**: a neuron's first step in a batch updates every neuron, every later step
//!   the neurons whose membrane changed.
//! - **ActivationSparsity**: the zero share of the activation layers' outputs (ReLU, Sigmoid,
//!   spiking neurons), per batch, weighted by the batch's samples; per layer, over the run.
//! - Per sample: sums over the samples seen (dim 0 of the root input), as NeuroBench's `data[0].size(0)`.
//!
//! No syops spike test runs: the values come back with the batch's transfer. The table's ACs and
//! MACs are the effective ones; the rate column is the non-zero share of a connection layer's input
//! and of an activation's output. Where NeuroBench 2.3 fails or reports 0.0, this convention counts
//! what the layer does and says so in the warnings ([`NeuroBench::layer_warning`]).
use candle::{Device, Tensor};

use super::counting::{Booking, Counting};
use super::neurobench_metrics::{static_metrics, NeuroBenchMetrics};
use super::neurobench_stats::{NeuroBenchRun, NeuroBenchStats};
use super::per_sample::{per_sample, PerSample};
use super::stats::{LayerStats, RunStats};
use crate::model::{Call, Layer, NeuroBenchOps, Ops};
use crate::Result;

/// NeuroBench 2.3's metrics.
pub(crate) struct NeuroBench;

fn count(v: f64) -> u64 {
    v.max(0.0).round() as u64
}

impl Counting for NeuroBench {
    /// No syops spike test: NeuroBench's own test rides with the gathered values.
    fn tested(&self, _ops: &Ops, _call: &Call<'_>, _type_name: &str) -> Result<Option<Tensor>> {
        Ok(None)
    }

    fn gathered(&self, ops: &Ops, _device: Option<&Device>) -> Result<Option<Tensor>> {
        match &ops.neurobench {
            None | Some(NeuroBenchOps::Ignored) => Ok(None),
            Some(nb) => Ok(Some(nb.values()?)),
        }
    }

    fn book(&self, stats: &mut LayerStats, run: &mut RunStats, b: Booking<'_>) {
        stats.sum_total += b.ops.dense;
        let nb = stats.neurobench.get_or_insert_with(NeuroBenchStats::default);
        let v = b.gathered;
        let mut rate = None;
        match &b.ops.neurobench {
            None => {}
            Some(NeuroBenchOps::Ignored) => nb.ignored_calls += 1,
            Some(NeuroBenchOps::Connection { groups, numel_in, stateless, biasless_gru, unrolled, .. }) => {
                for (i, g) in groups.iter().enumerate() {
                    let (effective, dense, off_spike) = (v[1 + 3 * i], v[2 + 3 * i], v[3 + 3 * i]);
                    if off_spike == 0.0 {
                        nb.effective_acs += count(effective);
                    } else {
                        nb.effective_macs += count(effective);
                    }
                    nb.dense += g.dense() + count(dense);
                }
                nb.stateless_calls += u64::from(*stateless);
                nb.biasless_gru_calls += u64::from(*biasless_gru);
                nb.unrolled_calls += u64::from(*unrolled);
                rate = (*numel_in > 0).then(|| v[0] / *numel_in as f64);
            }
            Some(NeuroBenchOps::Activation { numel, membrane, .. }) => {
                let nonzero = count(v[0]);
                nb.activation_nonzero += nonzero;
                nb.activation_numel += numel;
                run.neurobench.get_or_insert_with(NeuroBenchRun::default).activations(nonzero, *numel);
                if let Some(m) = membrane {
                    let first = if b.batch_call == 0 { m.step_numel } else { count(v[1]) };
                    nb.membrane_updates += first + count(v[2]);
                }
                rate = (*numel > 0).then(|| nonzero as f64 / *numel as f64);
            }
        }
        stats.sum_acs = nb.effective_acs as f64;
        stats.sum_macs = nb.effective_macs;
        if let Some(rate) = rate {
            stats.add_rate_pct(rate * 100.0);
        }
    }

    fn end_batch(&self, run: &mut RunStats, samples: u64) {
        run.neurobench.get_or_insert_with(NeuroBenchRun::default).end_batch(samples);
    }

    fn per_sample(&self, sum: &LayerStats, batch_counter: u64) -> PerSample {
        let nb = sum.neurobench.unwrap_or_default();
        let ps = |x: u64| per_sample(x as f64, batch_counter);
        PerSample {
            total: ps(sum.sum_total),
            acs: ps(nb.effective_acs),
            macs: ps(nb.effective_macs),
            rate_slot: per_sample(sum.sum_rate_pct, batch_counter),
            membrane_updates: Some(ps(nb.membrane_updates)),
            dense: Some(ps(nb.dense)),
        }
    }

    fn layer_warning(&self, path: &str, type_name: &str, stats: &LayerStats) -> Option<String> {
        let nb = stats.neurobench?;
        let mut notes = Vec::new();
        if nb.unrolled_calls > 0 {
            notes.push(format!(
                "counted as its cells step by step in {} call(s) (NeuroBench 2.3 raises on a whole recurrent layer and reports SynapticOperations 0.0 for the model)",
                nb.unrolled_calls
            ));
        }
        if nb.stateless_calls > 0 {
            notes.push(format!(
                "called without its state in {} call(s), counted from zero states (NeuroBench 2.3 counts such a call from the first sample only, with its biases broadcast: wrong figures or an error)",
                nb.stateless_calls
            ));
        }
        if nb.biasless_gru_calls > 0 {
            notes.push(format!(
                "a GRU cell without bias, counted with zero biases in {} call(s) (NeuroBench 2.3 fails on it)",
                nb.biasless_gru_calls
            ));
        }
        if nb.ignored_calls > 0 {
            notes.push(format!(
                "not a connection layer for NeuroBench 2.3 (Linear, Conv1d-3d, recurrent): its {} call(s) count no synaptic operations",
                nb.ignored_calls
            ));
        }
        (!notes.is_empty()).then(|| format!("neurobench: layer `{path}` ({type_name}): {}", notes.join("; ")))
    }

    fn watches_membrane(&self) -> bool {
        true
    }

    /// Its counts are what the data do (non-zero inputs, membrane changes): no static count.
    fn counts_static(&self) -> bool {
        false
    }

    fn metrics(
        &self,
        model: &dyn Layer,
        sum: &LayerStats,
        run: &RunStats,
        batch_counter: u64,
    ) -> Result<Option<NeuroBenchMetrics>> {
        let statics = static_metrics(model)?;
        Ok(Some(NeuroBenchMetrics::new(statics, sum, run.neurobench.unwrap_or_default(), batch_counter)))
    }
}
