//! Integrate-and-fire: `v = v + x`.
use candle::{Module, Result, Tensor};

use super::fused::Charge;
use super::node::{neuron_ops, Membrane};
use super::NeuronConfig;
use crate::model::{Call, Layer, Ops, Role};

/// spikingjelly's `IFNode` / `MultiStepIFNode`.
#[derive(Debug, Clone)]
pub struct IfNode {
    pub(super) membrane: Membrane,
}

impl IfNode {
    /// Single-step, spikingjelly's defaults.
    pub fn new() -> Self {
        Self::with_config(NeuronConfig::default())
    }

    /// Multi-step (`[T, N, ...]` input), spikingjelly's defaults.
    pub fn multi_step() -> Self {
        Self::with_config(NeuronConfig { multi_step: true, ..Default::default() })
    }

    /// Any threshold, reset and mode.
    pub fn with_config(config: NeuronConfig) -> Self {
        IfNode { membrane: Membrane::new(config) }
    }
}

impl Default for IfNode {
    fn default() -> Self {
        Self::new()
    }
}

impl Module for IfNode {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.membrane.forward(self.type_name(), xs, &|v, x| v + x, Some(Charge::If))
    }
}

impl Layer for IfNode {
    fn type_name(&self) -> &'static str {
        if self.membrane.config.multi_step {
            "MultiStepIFNode"
        } else {
            "IFNode"
        }
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        neuron_ops(call, Some(&self.membrane))
    }
    fn watch_membrane(&self, on: bool) {
        self.membrane.watch(on)
    }
    fn reset_state(&self) {
        self.membrane.reset()
    }
    fn multi_step(&self) -> bool {
        self.membrane.config.multi_step
    }
    fn fired(&self, output: &Tensor) -> Option<u64> {
        self.membrane.fired(output)
    }
}
