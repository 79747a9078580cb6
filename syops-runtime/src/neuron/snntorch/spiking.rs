//! What every snnTorch neuron shares (`SpikingNeuron` in snntorch/_neurons/neurons.py): the
//! threshold, the graded spike factor, the reset mechanism, firing and the reset signal.
//!
//! - **Fire**: `spk = (mem - threshold > 0) * graded_spikes_factor`: strictly above the
//!   threshold (a membrane exactly at it does not fire).
//! - **Reset signal**: `reset = (mem - threshold > 0)`, taken from the membrane *before* the step
//!   (the previous step's potential): with `reset_delay` (the default) the reset a spike causes is
//!   applied in the next step.
//! - **Without `reset_delay`** (Leaky, Synaptic, RLeaky): after firing,
//!   `do_reset = spk / graded_spikes_factor - reset` ("avoid double reset") and
//!   `mem -= do_reset * threshold` (subtract) or `mem -= do_reset * mem` (zero).
use candle::{DType, Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;

/// snnTorch's `reset_mechanism`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ResetMechanism {
    /// `"subtract"`: the threshold is subtracted (snnTorch's default but for `Alpha`).
    #[default]
    Subtract,
    /// `"zero"`: the membrane is set to zero.
    Zero,
    /// `"none"`: no reset.
    None,
}

impl ResetMechanism {
    /// snnTorch's `reset_mechanism_val` buffer: 0, 1 or 2.
    pub fn value(self) -> u8 {
        match self {
            ResetMechanism::Subtract => 0,
            ResetMechanism::Zero => 1,
            ResetMechanism::None => 2,
        }
    }

    /// snnTorch's name: `"subtract"`, `"zero"` or `"none"`.
    pub fn name(self) -> &'static str {
        ["subtract", "zero", "none"][self.value() as usize]
    }
}

/// The threshold, reset and spike options every snnTorch neuron takes (their defaults are
/// snnTorch's).
#[derive(Debug, Clone, PartialEq)]
pub struct SpikingConfig {
    /// `threshold` (1.0).
    pub threshold: f64,
    /// `learn_threshold` (false): a parameter, else a buffer.
    pub learn_threshold: bool,
    /// `reset_mechanism` (subtract; zero for `Alpha`).
    pub reset_mechanism: ResetMechanism,
    /// `graded_spikes_factor` (1.0): a spike's value. Only `Leaky`'s constructor takes it in
    /// snnTorch; every neuron has the buffer and multiplies by it.
    pub graded_spikes_factor: f64,
    /// `learn_graded_spikes_factor` (false).
    pub learn_graded_spikes_factor: bool,
}

impl Default for SpikingConfig {
    fn default() -> Self {
        SpikingConfig {
            threshold: 1.0,
            learn_threshold: false,
            reset_mechanism: ResetMechanism::Subtract,
            graded_spikes_factor: 1.0,
            learn_graded_spikes_factor: false,
        }
    }
}

/// A neuron's threshold, graded spike factor and reset mechanism.
#[derive(Debug, Clone)]
pub(super) struct Spiking {
    threshold: Coef,
    graded: Coef,
    pub reset: ResetMechanism,
    /// `reset_mechanism_val`, as snnTorch registers it: a 0-d int64 buffer (`torch.as_tensor(0)`),
    /// whatever the model's dtype and however a state dict stored it.
    reset_val: Tensor,
}

/// snnTorch's `reset_mechanism_val` buffer of `reset`.
fn reset_val(reset: ResetMechanism) -> Result<Tensor> {
    Tensor::new(i64::from(reset.value()), &candle::Device::Cpu)
}

impl Spiking {
    /// From the configured values (0-d float32, as `torch.as_tensor` makes them).
    pub fn new(cfg: &SpikingConfig) -> Result<Self> {
        Ok(Spiking {
            threshold: Coef::scalar("threshold", cfg.threshold, cfg.learn_threshold)?,
            graded: Coef::scalar("graded_spikes_factor", cfg.graded_spikes_factor, cfg.learn_graded_spikes_factor)?,
            reset: cfg.reset_mechanism,
            reset_val: reset_val(cfg.reset_mechanism)?,
        })
    }

    /// `threshold`, `graded_spikes_factor` and `reset_mechanism_val` from a state dict; the
    /// stored reset mechanism must be the configured one.
    pub fn load(cfg: &SpikingConfig, vb: &VarBuilder) -> Result<Self> {
        let stored = Coef::load(vb, "reset_mechanism_val", false)?;
        let stored = stored.value().flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?;
        if stored != [f64::from(cfg.reset_mechanism.value())] {
            candle::bail!(
                "snnTorch neuron `{}`: the state dict's reset_mechanism_val {stored:?} is not {} (`{}`), the configured reset mechanism",
                vb.prefix(),
                cfg.reset_mechanism.value(),
                cfg.reset_mechanism.name()
            );
        }
        Ok(Spiking {
            threshold: Coef::load(vb, "threshold", cfg.learn_threshold)?,
            graded: Coef::load(vb, "graded_spikes_factor", cfg.learn_graded_spikes_factor)?,
            reset: cfg.reset_mechanism,
            reset_val: reset_val(cfg.reset_mechanism)?,
        })
    }

    /// The threshold and the graded spike factor, learnable or not.
    pub fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.threshold);
        visit(&self.graded);
    }

    /// `reset_mechanism_val`, a buffer.
    pub fn reset_val(&self) -> &Tensor {
        &self.reset_val
    }

    /// snnTorch's spike dtype: float32 times the graded spike factor.
    pub fn spike_dtype(&self, xs: &Tensor) -> DType {
        match self.graded.value().rank() {
            0 => DType::F32,
            _ => super::coef::promote(DType::F32, xs.dtype()),
        }
    }

    /// `(mem - threshold > 0)` as 0 and 1 in `xs`'s dtype (`mem_reset`, and `fire` before the factor).
    pub fn heaviside(&self, mem: &Tensor, xs: &Tensor) -> Result<Tensor> {
        mem.broadcast_sub(&self.threshold.like(xs)?)?.gt(0.0)?.to_dtype(xs.dtype())
    }

    /// `fire`: the spikes of `mem`.
    pub fn fire(&self, mem: &Tensor, xs: &Tensor) -> Result<Tensor> {
        self.heaviside(mem, xs)?.broadcast_mul(&self.graded.times(self.spike_dtype(xs), xs)?)
    }

    /// `reset * threshold`: what a subtracting reset removes.
    pub fn subtracted(&self, reset: &Tensor, xs: &Tensor) -> Result<Tensor> {
        reset.broadcast_mul(&self.threshold.times(DType::F32, xs)?)
    }

    /// The reset without `reset_delay`, applied to `mem` after firing `spk` (snnTorch's
    /// `if not self.reset_delay` block).
    pub fn reset_now(&self, mem: Tensor, spk: &Tensor, reset: &Tensor, xs: &Tensor) -> Result<Tensor> {
        let dtype = self.spike_dtype(xs);
        let do_reset = (spk.broadcast_div(&self.graded.times(dtype, xs)?)? - reset)?;
        match self.reset {
            ResetMechanism::Subtract => mem - do_reset.broadcast_mul(&self.threshold.times(dtype, xs)?)?,
            ResetMechanism::Zero => &mem - do_reset.mul(&mem)?,
            ResetMechanism::None => Ok(mem),
        }
    }
}

/// The builder methods of [`SpikingConfig`]'s options on a neuron's config type.
macro_rules! spiking_options {
    ($config:ty) => {
        impl $config {
            /// `threshold` (default 1.0).
            pub fn threshold(mut self, threshold: f64) -> Self {
                self.spiking.threshold = threshold;
                self
            }
            /// `learn_threshold` (default false).
            pub fn learn_threshold(mut self, learn: bool) -> Self {
                self.spiking.learn_threshold = learn;
                self
            }
            /// `reset_mechanism`.
            pub fn reset_mechanism(mut self, reset: $crate::neuron::ResetMechanism) -> Self {
                self.spiking.reset_mechanism = reset;
                self
            }
            /// `graded_spikes_factor` (default 1.0).
            pub fn graded_spikes_factor(mut self, factor: f64) -> Self {
                self.spiking.graded_spikes_factor = factor;
                self
            }
            /// `learn_graded_spikes_factor` (default false).
            pub fn learn_graded_spikes_factor(mut self, learn: bool) -> Self {
                self.spiking.learn_graded_spikes_factor = learn;
                self
            }
        }
    };
}
pub(super) use spiking_options;
