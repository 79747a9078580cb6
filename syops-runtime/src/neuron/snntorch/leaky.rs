//! snnTorch's `Leaky`: a first-order leaky integrate-and-fire neuron.
//!
//! Each step (snntorch/_neurons/leaky.py): `reset = H(mem - threshold)` from the previous
//! membrane, then
//! - subtract: `mem = beta.clamp(0, 1) * mem + x - reset * threshold`;
//! - zero: `mem = beta.clamp(0, 1) * ((1 - reset) * mem) + x`;
//! - none: `mem = beta.clamp(0, 1) * mem + x`;
//!
//! `spk = H(mem - threshold) * graded_spikes_factor`, and without `reset_delay` the reset is
//! applied at once ([`super::spiking`]).
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// `snn.Leaky(beta, ...)`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct LeakyConfig {
    /// `beta`, the membrane's decay (clamped to [0, 1] in every step).
    pub beta: f64,
    /// `learn_beta` (false).
    pub learn_beta: bool,
    /// `reset_delay` (true): the reset of a spike is applied in the next step.
    pub reset_delay: bool,
    /// Threshold, reset mechanism and spike factor.
    pub spiking: SpikingConfig,
}

impl LeakyConfig {
    /// `snn.Leaky(beta)` with snnTorch's defaults.
    pub fn new(beta: f64) -> Self {
        LeakyConfig { beta, learn_beta: false, reset_delay: true, spiking: SpikingConfig::default() }
    }

    /// `learn_beta` (default false).
    pub fn learn_beta(mut self, learn: bool) -> Self {
        self.learn_beta = learn;
        self
    }

    /// `reset_delay` (default true).
    pub fn reset_delay(mut self, delay: bool) -> Self {
        self.reset_delay = delay;
        self
    }
}
spiking_options!(LeakyConfig);

/// snnTorch's `Leaky` with `init_hidden=True`: the membrane is kept across calls until
/// `syops::reset`.
#[derive(Debug, Clone)]
pub struct Leaky {
    beta: Coef,
    spiking: Spiking,
    reset_delay: bool,
    hidden: Hidden<1>,
}

impl Leaky {
    /// From the configured values.
    pub fn new(cfg: LeakyConfig) -> Result<Self> {
        Ok(Leaky {
            beta: Coef::scalar("beta", cfg.beta, cfg.learn_beta)?,
            spiking: Spiking::new(&cfg.spiking)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// From snnTorch's state dict under `vb` (`beta`, `threshold`, `graded_spikes_factor`,
    /// `reset_mechanism_val`, of any stored shape); `cfg` gives what the state dict does not say:
    /// which are learnable, the reset mechanism (checked) and `reset_delay`.
    pub fn load(cfg: LeakyConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Leaky {
            beta: Coef::load(&vb, "beta", cfg.learn_beta)?,
            spiking: Spiking::load(&cfg.spiking, &vb)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// One step: the spikes and the membrane after it (snnTorch's `output=True` return).
    /// Only `forward` calls are counted by `#[syops::count]`; read [`Leaky::mem`] after it.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        self.hidden.step("Leaky", xs, |[mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let beta = self.beta.clamped(xs)?;
            let mem = match self.spiking.reset {
                ResetMechanism::Subtract => {
                    ((beta.broadcast_mul(&mem)? + xs)? - self.spiking.subtracted(&reset, xs)?)?
                }
                ResetMechanism::Zero => (beta.broadcast_mul(&reset.affine(-1.0, 1.0)?.mul(&mem)?)? + xs)?,
                ResetMechanism::None => (beta.broadcast_mul(&mem)? + xs)?,
            };
            let spk = self.spiking.fire(&mem, xs)?;
            let mem = if self.reset_delay { mem } else { self.spiking.reset_now(mem, &spk, &reset, xs)? };
            Ok(((spk, mem.clone()), [mem]))
        })
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.beta);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(Leaky, "Leaky");
