//! NeuroBench 2.3's metrics of a whole run, as its `Benchmark` reports them: the static ones
//! read from the model (`Footprint`, `ParameterCount`, `ConnectionSparsity`) and the workload
//! ones derived from what the convention booked (`SynapticOperations`, `MembraneUpdates`,
//! `ActivationSparsity`).
//!
//! - `Footprint`: bytes of every parameter and buffer (each tensor once), in its dtype.
//! - `ParameterCount`: elements of every parameter.
//! - `ConnectionSparsity`: zero weights over all weights of the connection layers (Linear and
//!   convolution weights; a recurrent cell's or layer's weights and biases), computed as NeuroBench
//!   does, in float32, and rounded to 4 decimals; `None` for a model without connection layers
//!   (NeuroBench fails there).
//!
//! ```
//! use syops_runtime::convention::round_decimals;
//! assert_eq!(round_decimals(0.33333334, 4), 0.3333);
//! assert_eq!(round_decimals(0.03125, 4), 0.0312); // ties to even, as Python's `round`
//! ```
use std::collections::HashSet;

use candle::{DType, Tensor, TensorId};
use serde::{Deserialize, Serialize};

use super::neurobench_stats::NeuroBenchRun;
use super::per_sample::per_sample;
use super::stats::LayerStats;
use crate::model::Layer;
use crate::Result;

/// NeuroBench's `SynapticOperations`, per sample.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct SynapticOperations {
    /// `Effective_MACs`.
    pub effective_macs: f64,
    /// `Effective_ACs`.
    pub effective_acs: f64,
    /// `Dense`.
    pub dense: f64,
}

/// What NeuroBench reads from the model alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaticMetrics {
    /// `Footprint`: bytes of parameters and buffers.
    pub footprint: u64,
    /// `ParameterCount`.
    pub parameter_count: u64,
    /// Zero elements of the connection layers' weights.
    pub zero_weights: u64,
    /// Elements of the connection layers' weights.
    pub connection_weights: u64,
}

/// NeuroBench's metrics of a run (the report's `neurobench`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NeuroBenchMetrics {
    /// `Footprint` and `ParameterCount`, and the counts `ConnectionSparsity` divides.
    #[serde(flatten)]
    pub statics: StaticMetrics,
    /// `ConnectionSparsity` (rounded to 4 decimals, as NeuroBench does), `None` without connection layers.
    pub connection_sparsity: Option<f64>,
    /// `SynapticOperations` per sample.
    pub synaptic_operations: SynapticOperations,
    /// `MembraneUpdates` per sample.
    pub membrane_updates: f64,
    /// `ActivationSparsity`, `None` when no activation layer ran (NeuroBench reports 0.0).
    pub activation_sparsity: Option<f64>,
    /// The batch-weighted sums `ActivationSparsity` comes from.
    pub run: NeuroBenchRun,
}

impl NeuroBenchMetrics {
    /// The metrics of a run from its model's static figures, the sum of its layers' accumulators,
    /// its run accumulator and its samples.
    pub fn new(statics: StaticMetrics, sum: &LayerStats, run: NeuroBenchRun, batch_counter: u64) -> Self {
        let nb = sum.neurobench.unwrap_or_default();
        let ps = |x: u64| per_sample(x as f64, batch_counter);
        NeuroBenchMetrics {
            statics,
            connection_sparsity: (statics.connection_weights > 0)
                .then(|| round_decimals(f64::from(statics.zero_weights as f32 / statics.connection_weights as f32), 4)),
            synaptic_operations: SynapticOperations {
                effective_macs: ps(nb.effective_macs),
                effective_acs: ps(nb.effective_acs),
                dense: ps(nb.dense),
            },
            membrane_updates: ps(nb.membrane_updates),
            activation_sparsity: run.activation_sparsity(nb.activation_numel > 0),
            run,
        }
    }

    /// Warnings where NeuroBench would report 0.0 or fail.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.connection_sparsity.is_none() {
            out.push("neurobench: no connection layer (Linear, Conv, recurrent): ConnectionSparsity is undefined (NeuroBench 2.3 fails on it)".into());
        }
        if self.activation_sparsity.is_none() {
            out.push("neurobench: no activation layer (ReLU, Sigmoid, spiking neuron) ran: ActivationSparsity is undefined (NeuroBench 2.3 reports 0.0)".into());
        } else if self.run.batches_without_activations > 0 {
            out.push(format!(
                "neurobench: {} batch(es) ran no activation layer; NeuroBench counts their ActivationSparsity as 0, and so does this report",
                self.run.batches_without_activations
            ));
        }
        out
    }
}

/// `x` rounded to `digits` decimals as Python's `round` does (the nearest, ties to even, on the
/// double's exact value).
pub fn round_decimals(x: f64, digits: usize) -> f64 {
    format!("{x:.digits$}").parse().unwrap_or(x)
}

/// The static figures of `model`: every parameter (trainable or frozen) and buffer once (by
/// tensor), and the connection layers' weights.
pub fn static_metrics(model: &dyn Layer) -> Result<StaticMetrics> {
    let mut seen: HashSet<TensorId> = HashSet::new();
    let mut weights: Vec<Tensor> = Vec::new();
    let mut m = StaticMetrics::default();
    walk(model, &mut seen, &mut weights, &mut m);
    for w in weights {
        m.connection_weights += w.elem_count() as u64;
        m.zero_weights += w.eq(0.0)?.to_dtype(DType::F64)?.sum_all()?.to_scalar::<f64>()? as u64;
    }
    Ok(m)
}

fn walk(layer: &dyn Layer, seen: &mut HashSet<TensorId>, weights: &mut Vec<Tensor>, m: &mut StaticMetrics) {
    let bytes = |t: &Tensor| t.elem_count() as u64 * t.dtype().size_in_bytes() as u64;
    let mut param = |t: &Tensor| {
        if seen.insert(t.id()) {
            m.parameter_count += t.elem_count() as u64;
            m.footprint += bytes(t);
        }
    };
    layer.params(&mut param);
    layer.frozen_params(&mut param);
    layer.buffers(&mut |t| {
        if seen.insert(t.id()) {
            m.footprint += bytes(t);
        }
    });
    let mut own = Vec::new();
    layer.connection_weights(&mut |t| own.push(t.clone()));
    for t in own {
        if !weights.iter().any(|w| w.id() == t.id()) {
            weights.push(t);
        }
    }
    layer.children(&mut |_, child| walk(child, seen, weights, m));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_like_python() {
        // Python: round(0.12345, 4) == 0.1235 (0.12345 is above the tie as a double), round(2.5e-5, 4) == 0.0.
        assert_eq!(round_decimals(0.12345, 4), 0.1235);
        assert_eq!(round_decimals(0.000025, 4), 0.0);
        assert_eq!(round_decimals(0.14478, 4), 0.1448);
    }
}
