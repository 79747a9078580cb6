//! Leaky integrate-and-fire: `v = v + (x - (v - v_reset)) / tau` with `decay_input` (the default),
//! `v = v - (v - v_reset) / tau + x` without; `v_reset` taken as 0 for a soft reset.
use candle::{Module, Result, Tensor};

use super::fused::Charge;
use super::node::{neuron_ops, Membrane};
use super::NeuronConfig;
use crate::kernel::scalar::scalar;
use crate::model::{Call, Layer, Ops, Role};

/// spikingjelly's `LIFNode` / `MultiStepLIFNode`.
#[derive(Debug, Clone)]
pub struct LifNode {
    pub(super) membrane: Membrane,
    tau: f64,
    decay_input: bool,
}

impl LifNode {
    /// Single-step with membrane time constant `tau` (spikingjelly's default is 2.0).
    pub fn new(tau: f64) -> Self {
        Self::with_config(tau, true, NeuronConfig::default())
    }

    /// Multi-step (`[T, N, ...]` input).
    pub fn multi_step(tau: f64) -> Self {
        Self::with_config(tau, true, NeuronConfig { multi_step: true, ..Default::default() })
    }

    /// Any `tau`, `decay_input`, threshold, reset and mode.
    pub fn with_config(tau: f64, decay_input: bool, config: NeuronConfig) -> Self {
        LifNode { membrane: Membrane::new(config), tau, decay_input }
    }

    /// The membrane time constant.
    pub fn tau(&self) -> f64 {
        self.tau
    }
}

impl Default for LifNode {
    fn default() -> Self {
        Self::new(2.0)
    }
}

impl Module for LifNode {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let v_reset = self.membrane.config.v_reset.unwrap_or(0.0);
        let tau = scalar(self.tau, xs)?;
        let charge = |v: &Tensor, x: &Tensor| -> Result<Tensor> {
            let rest = if v_reset == 0.0 { v.clone() } else { v.broadcast_sub(&scalar(v_reset, x)?)? };
            if self.decay_input {
                v + (x - rest)?.broadcast_div(&tau)?
            } else if v_reset == 0.0 {
                v.broadcast_mul(&scalar(1.0 - 1.0 / self.tau, x)?)? + x
            } else {
                (v - rest.broadcast_div(&tau)?)? + x
            }
        };
        let fused = Charge::Lif { tau: self.tau, decay_input: self.decay_input };
        self.membrane.forward(self.type_name(), xs, &charge, Some(fused))
    }
}

impl Layer for LifNode {
    fn type_name(&self) -> &'static str {
        if self.membrane.config.multi_step {
            "MultiStepLIFNode"
        } else {
            "LIFNode"
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
