//! The exact values time-resolved statistics are derived from, kept in the report (schema 4) so
//! that the reports of a run's shards merge into the whole run's exactly ([`super::merge`]):
//! every per-sample value (the distributions' percentiles need them all), the raw per-step sums
//! (not yet divided by the batch counter), and the dead and saturated neurons as sets. A run and a
//! merge derive the figures from them by the same functions here.
use serde::{Deserialize, Serialize};

use super::{Dist, LayerTime, NeuronSet, StepOps, TimeStats};
use crate::convention::per_sample;

/// The values one counted layer's time-resolved figures are derived from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LayerValues {
    /// Spikes of each step, summed over the run (neuron layers; empty otherwise).
    pub step_spikes: Vec<f64>,
    /// Outputs of each step that could have spiked, summed over the run.
    pub step_outputs: Vec<f64>,
    /// Operations of each step, summed over the run (not per sample).
    pub step_ops: Vec<StepOps>,
    /// ACs of each sample, in sample order (0 for samples of batches it was not called in).
    pub sample_acs: Vec<f64>,
    /// MACs of each sample, in sample order.
    pub sample_macs: Vec<f64>,
    /// Firing rate of each sample it saw (neuron layers), in sample order.
    pub sample_rate: Vec<f64>,
    /// Neurons of one sample that never fired (neuron layers whose neurons kept one shape).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dead: Option<NeuronSet>,
    /// Neurons that fired at every step of every sample.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saturated: Option<NeuronSet>,
}

/// The model's per-sample values (every counted layer's summed, in their first-call order).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RunValues {
    /// ACs of each sample.
    pub sample_acs: Vec<f64>,
    /// MACs of each sample.
    pub sample_macs: Vec<f64>,
    /// Firing rate of each sample over every neuron layer (samples some neuron layer saw).
    pub sample_rate: Vec<f64>,
}

impl LayerValues {
    /// A layer not called in the first `samples` samples: zero operations for each.
    pub(crate) fn absent_for(samples: usize) -> LayerValues {
        LayerValues { sample_acs: vec![0.0; samples], sample_macs: vec![0.0; samples], ..LayerValues::default() }
    }

    /// These values followed by `next`'s, a later part of the same run: per-step sums added, per-
    /// sample values appended, neuron sets intersected (a neuron is dead over both parts only when
    /// dead in each; saturated likewise, spikes being 0 or 1). A set missing from either part, or
    /// of another size, leaves none; of another size, the two sizes are returned.
    pub(crate) fn then(&mut self, next: &LayerValues) -> Option<(u64, u64)> {
        add_steps(&mut self.step_spikes, &next.step_spikes, |a, b| *a += b);
        add_steps(&mut self.step_outputs, &next.step_outputs, |a, b| *a += b);
        add_steps(&mut self.step_ops, &next.step_ops, |a, b| {
            (a.total, a.acs, a.macs) = (a.total + b.total, a.acs + b.acs, a.macs + b.macs);
        });
        self.sample_acs.extend_from_slice(&next.sample_acs);
        self.sample_macs.extend_from_slice(&next.sample_macs);
        self.sample_rate.extend_from_slice(&next.sample_rate);
        let sizes =
            [(&self.dead, &next.dead), (&self.saturated, &next.saturated)].into_iter().find_map(|pair| match pair {
                (Some(a), Some(b)) if a.neurons() != b.neurons() => Some((a.neurons(), b.neurons())),
                _ => None,
            });
        let and = |a: &Option<NeuronSet>, b: &Option<NeuronSet>| a.as_ref().zip(b.as_ref()).and_then(|(a, b)| a.and(b));
        (self.dead, self.saturated) = match sizes {
            Some(_) => (None, None),
            None => (and(&self.dead, &next.dead), and(&self.saturated, &next.saturated)),
        };
        sizes
    }
}

fn add_steps<T: Default + Clone>(sums: &mut Vec<T>, more: &[T], add: impl Fn(&mut T, &T)) {
    if sums.len() < more.len() {
        sums.resize(more.len(), T::default());
    }
    for (s, m) in sums.iter_mut().zip(more) {
        add(s, m);
    }
}

/// Spikes over outputs at each step (0 where there were none).
fn rates(spikes: &[f64], outputs: &[f64]) -> Vec<f64> {
    spikes.iter().zip(outputs).map(|(s, o)| if *o > 0.0 { s / o } else { 0.0 }).collect()
}

fn per_sample_ops(ops: &[StepOps], batch_counter: u64) -> Vec<StepOps> {
    let ps = |x: f64| per_sample(x, batch_counter);
    ops.iter().map(|o| StepOps { total: ps(o.total), acs: ps(o.acs), macs: ps(o.macs) }).collect()
}

impl LayerTime {
    /// The figures of the layer at `path` derived from `values` (operations per sample over
    /// `batch_counter`), the values kept.
    pub(crate) fn derive(path: String, type_name: String, values: LayerValues, batch_counter: u64) -> LayerTime {
        LayerTime {
            path,
            type_name,
            rate_per_step: rates(&values.step_spikes, &values.step_outputs),
            ops_per_step: per_sample_ops(&values.step_ops, batch_counter),
            per_sample_rate: Dist::of(&values.sample_rate),
            per_sample_acs: Dist::of(&values.sample_acs),
            per_sample_macs: Dist::of(&values.sample_macs),
            neurons: values.dead.as_ref().map(|s| s.neurons().max(1)),
            dead_fraction: values.dead.as_ref().map(NeuronSet::fraction),
            saturated_fraction: values.saturated.as_ref().map(NeuronSet::fraction),
            values: Some(values),
        }
    }
}

impl TimeStats {
    /// The run's figures: its layers' (derived), their per-step sums added in layer order, the
    /// model's distributions from `values`, the values kept.
    pub(crate) fn derive(values: RunValues, layers: Vec<LayerTime>, batch_counter: u64) -> TimeStats {
        let (mut spikes, mut outputs, mut ops) = (Vec::new(), Vec::new(), Vec::new());
        for v in layers.iter().filter_map(|l| l.values.as_ref()) {
            add_steps(&mut spikes, &v.step_spikes, |a, b| *a += b);
            add_steps(&mut outputs, &v.step_outputs, |a, b| *a += b);
            add_steps(&mut ops, &v.step_ops, |a: &mut StepOps, b| {
                (a.total, a.acs, a.macs) = (a.total + b.total, a.acs + b.acs, a.macs + b.macs);
            });
        }
        TimeStats {
            percentiles: "nearest-rank".to_string(),
            samples: values.sample_acs.len() as u64,
            rate_per_step: rates(&spikes, &outputs),
            ops_per_step: per_sample_ops(&ops, batch_counter),
            per_sample_rate: Dist::of(&values.sample_rate),
            per_sample_acs: Dist::of(&values.sample_acs),
            per_sample_macs: Dist::of(&values.sample_macs),
            layers,
            values: Some(values),
        }
    }
}
