//! What NeuroBench's convention ([`super::neurobench`]) books: per layer ([`NeuroBenchStats`],
//! integer counts over the run) and per run ([`NeuroBenchRun`], the batch-weighted activation
//! sparsity NeuroBench's `ActivationSparsity` reports).
use serde::{Deserialize, Serialize};

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// NeuroBench accumulators of one layer over the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeuroBenchStats {
    /// Products of non-zero weights and non-zero inputs of spiking calls (`Effective_ACs`).
    pub effective_acs: u64,
    /// The same of non-spiking calls (`Effective_MACs`).
    pub effective_macs: u64,
    /// Every connection, zero or not (`Dense`).
    pub dense: u64,
    /// Neuron membrane updates (`MembraneUpdates`): every neuron at a batch's first step, then the
    /// neurons whose membrane changed.
    pub membrane_updates: u64,
    /// Non-zero elements of an activation layer's outputs (`ActivationSparsity`).
    pub activation_nonzero: u64,
    /// Elements of an activation layer's outputs.
    pub activation_numel: u64,
    /// Calls of a recurrent cell without its state (counted from zero states).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stateless_calls: u64,
    /// Calls of a GRU cell without bias (counted with zero biases).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub biasless_gru_calls: u64,
    /// Calls of a whole recurrent layer, counted as its cells step by step.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub unrolled_calls: u64,
    /// Calls of a layer with weights that NeuroBench leaves out (transposed convolutions, attention).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub ignored_calls: u64,
}

impl NeuroBenchStats {
    pub(crate) fn add(&mut self, o: &NeuroBenchStats) {
        self.effective_acs += o.effective_acs;
        self.effective_macs += o.effective_macs;
        self.dense += o.dense;
        self.membrane_updates += o.membrane_updates;
        self.activation_nonzero += o.activation_nonzero;
        self.activation_numel += o.activation_numel;
        self.stateless_calls += o.stateless_calls;
        self.biasless_gru_calls += o.biasless_gru_calls;
        self.unrolled_calls += o.unrolled_calls;
        self.ignored_calls += o.ignored_calls;
    }

    /// The layer's `ActivationSparsityByLayer`: the share of zero outputs, over every call
    /// (`None` for a layer that is not an activation).
    pub fn activation_sparsity(&self) -> Option<f64> {
        (self.activation_numel > 0)
            .then(|| (self.activation_numel - self.activation_nonzero) as f64 / self.activation_numel as f64)
    }
}

/// NeuroBench's run-level accumulator: `ActivationSparsity` is the sparsity of each batch's
/// activations (every activation layer's outputs together), weighted by the batch's samples.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct NeuroBenchRun {
    /// `Σ_b sparsity_b · samples_b` over the batches run.
    pub weighted_sparsity: f64,
    /// `Σ_b samples_b`.
    pub samples: u64,
    /// Batches in which no activation layer ran (NeuroBench counts their sparsity as 0).
    #[serde(default)]
    pub batches_without_activations: u64,
    /// The batch in progress: non-zero activation outputs and all of them.
    #[serde(skip)]
    pub(crate) batch: (u64, u64),
}

impl NeuroBenchRun {
    /// Notes a batch's activation outputs.
    pub(crate) fn activations(&mut self, nonzero: u64, numel: u64) {
        self.batch.0 += nonzero;
        self.batch.1 += numel;
    }

    /// Ends a batch of `samples` samples.
    pub(crate) fn end_batch(&mut self, samples: u64) {
        let (nonzero, numel) = std::mem::take(&mut self.batch);
        if numel > 0 {
            self.weighted_sparsity += (numel - nonzero) as f64 / numel as f64 * samples as f64;
        } else {
            self.batches_without_activations += 1;
        }
        self.samples += samples;
    }

    /// The run of `parts` (shards), in their order.
    pub fn sum_of<'a>(parts: impl IntoIterator<Item = &'a NeuroBenchRun>) -> NeuroBenchRun {
        let mut sum = NeuroBenchRun::default();
        for p in parts {
            sum.weighted_sparsity += p.weighted_sparsity;
            sum.samples += p.samples;
            sum.batches_without_activations += p.batches_without_activations;
        }
        sum
    }

    /// `ActivationSparsity`, or `None` when no activation layer ever ran (NeuroBench reports 0.0).
    pub fn activation_sparsity(&self, any_activation: bool) -> Option<f64> {
        (any_activation && self.samples > 0).then(|| self.weighted_sparsity / self.samples as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activation_sparsity_weights_batches_by_samples() {
        // Batch 1: 8 samples, 10 of 100 outputs non-zero (0.9); batch 2: 2 samples, 50 of 50 (0.0).
        let mut run = NeuroBenchRun::default();
        run.activations(10, 100);
        run.end_batch(8);
        run.activations(50, 50);
        run.end_batch(2);
        assert_eq!(run.activation_sparsity(true), Some((0.9 * 8.0) / 10.0));
        let by_layer = NeuroBenchStats { activation_nonzero: 60, activation_numel: 150, ..Default::default() };
        assert_eq!(by_layer.activation_sparsity(), Some(0.6), "by layer: over all outputs, unweighted");
    }
}
