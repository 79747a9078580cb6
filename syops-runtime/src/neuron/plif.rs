//! Parametric LIF: `v = v + (x - (v - v_reset)) * sigmoid(w)` with a learned scalar `w`
//! (`w = -ln(init_tau - 1)` at initialisation; loaded as `<path>.w`).
use candle::{DType, Module, Result, Tensor};
use candle_nn::VarBuilder;

use super::fused::Charge;
use super::node::{neuron_ops, Membrane};
use super::NeuronConfig;
use crate::kernel::scalar::scalar;
use crate::model::{Call, Layer, Ops, Role};

/// spikingjelly's `ParametricLIFNode` / `MultiStepParametricLIFNode`.
#[derive(Debug, Clone)]
pub struct PlifNode {
    pub(super) membrane: Membrane,
    w: Tensor,
    decay_input: bool,
}

impl PlifNode {
    /// Loads `w` (a 0-d tensor) from `vb`; single-step unless `config.multi_step`.
    pub fn new(config: NeuronConfig, vb: VarBuilder) -> Result<Self> {
        let w = vb.get((), "w")?;
        Ok(Self::from_weight(w, true, config))
    }

    /// From a known `w`.
    pub fn from_weight(w: Tensor, decay_input: bool, config: NeuronConfig) -> Self {
        PlifNode { membrane: Membrane::new(config), w, decay_input }
    }

    /// The weight `w`; `tau = 1 / sigmoid(w)`.
    pub fn w(&self) -> &Tensor {
        &self.w
    }
}

impl Module for PlifNode {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let k = candle_nn::ops::sigmoid(&self.w.to_dtype(xs.dtype())?)?;
        let v_reset = self.membrane.config.v_reset.unwrap_or(0.0);
        let charge = |v: &Tensor, x: &Tensor| -> Result<Tensor> {
            let rest = if v_reset == 0.0 { v.clone() } else { v.broadcast_sub(&scalar(v_reset, x)?)? };
            if self.decay_input {
                v + (x - rest)?.broadcast_mul(&k)?
            } else if v_reset == 0.0 {
                v.broadcast_mul(&(1.0 - &k)?)? + x
            } else {
                (v - rest.broadcast_mul(&k)?)? + x
            }
        };
        // The CPU's one-pass step needs `k` on the host: exact, as the dtype's value widened to f64.
        let fused = match xs.device().is_cpu() {
            true => {
                Some(Charge::Plif { k: k.to_dtype(DType::F64)?.to_scalar::<f64>()?, decay_input: self.decay_input })
            }
            false => None,
        };
        self.membrane.forward(self.type_name(), xs, &charge, fused)
    }
}

impl Layer for PlifNode {
    fn type_name(&self) -> &'static str {
        if self.membrane.config.multi_step {
            "MultiStepParametricLIFNode"
        } else {
            "ParametricLIFNode"
        }
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.w)
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
