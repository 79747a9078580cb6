//! snnTorch's `Synaptic`: a second-order leaky integrate-and-fire neuron with a synaptic current.
//!
//! Each step (snntorch/_neurons/synaptic.py): `reset = H(mem - threshold)` from the previous
//! membrane, `syn = alpha.clamp(0, 1) * syn + x`, `mem = beta.clamp(0, 1) * mem + syn`, then
//! - subtract: `mem -= reset * threshold`;
//! - zero: `mem -= mem * reset` (the new membrane, input included, is zeroed; `syn` is kept);
//! - none: nothing;
//!
//! `spk = H(mem - threshold) * graded_spikes_factor`, and without `reset_delay` the reset is
//! applied at once ([`super::spiking`]).
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// `snn.Synaptic(alpha, beta, ...)`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct SynapticConfig {
    /// `alpha`, the synaptic current's decay (clamped to [0, 1] in every step).
    pub alpha: f64,
    /// `beta`, the membrane's decay (clamped to [0, 1] in every step).
    pub beta: f64,
    /// `learn_alpha` (false).
    pub learn_alpha: bool,
    /// `learn_beta` (false).
    pub learn_beta: bool,
    /// `reset_delay` (true).
    pub reset_delay: bool,
    /// Threshold, reset mechanism and spike factor.
    pub spiking: SpikingConfig,
}

impl SynapticConfig {
    /// `snn.Synaptic(alpha, beta)` with snnTorch's defaults.
    pub fn new(alpha: f64, beta: f64) -> Self {
        SynapticConfig {
            alpha,
            beta,
            learn_alpha: false,
            learn_beta: false,
            reset_delay: true,
            spiking: SpikingConfig::default(),
        }
    }

    /// `learn_alpha` (default false).
    pub fn learn_alpha(mut self, learn: bool) -> Self {
        self.learn_alpha = learn;
        self
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
spiking_options!(SynapticConfig);

/// snnTorch's `Synaptic` with `init_hidden=True`: `syn` and `mem` are kept across calls until
/// `syops::reset`.
#[derive(Debug, Clone)]
pub struct Synaptic {
    alpha: Coef,
    beta: Coef,
    spiking: Spiking,
    reset_delay: bool,
    hidden: Hidden<2>,
}

impl Synaptic {
    /// From the configured values.
    pub fn new(cfg: SynapticConfig) -> Result<Self> {
        Ok(Synaptic {
            alpha: Coef::scalar("alpha", cfg.alpha, cfg.learn_alpha)?,
            beta: Coef::scalar("beta", cfg.beta, cfg.learn_beta)?,
            spiking: Spiking::new(&cfg.spiking)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// From snnTorch's state dict under `vb` (`alpha`, `beta`, `threshold`,
    /// `graded_spikes_factor`, `reset_mechanism_val`); `cfg` gives the rest (see [`super::Leaky::load`]).
    pub fn load(cfg: SynapticConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Synaptic {
            alpha: Coef::load(&vb, "alpha", cfg.learn_alpha)?,
            beta: Coef::load(&vb, "beta", cfg.learn_beta)?,
            spiking: Spiking::load(&cfg.spiking, &vb)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// One step: the spikes, the synaptic current and the membrane after it (snnTorch's return
    /// order). Only `forward` calls are counted by `#[syops::count]`.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        self.hidden.step("Synaptic", xs, |[syn, mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let syn = (self.alpha.clamped(xs)?.broadcast_mul(&syn)? + xs)?;
            let mem = (self.beta.clamped(xs)?.broadcast_mul(&mem)? + &syn)?;
            let mem = match self.spiking.reset {
                ResetMechanism::Subtract => (mem - self.spiking.subtracted(&reset, xs)?)?,
                ResetMechanism::Zero => (&mem - mem.mul(&reset)?)?,
                ResetMechanism::None => mem,
            };
            let spk = self.spiking.fire(&mem, xs)?;
            let mem = if self.reset_delay { mem } else { self.spiking.reset_now(mem, &spk, &reset, xs)? };
            Ok(((spk, syn.clone(), mem.clone()), [syn, mem]))
        })
    }

    /// The synaptic current after the last call (`None` at rest).
    pub fn syn(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(1)
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.alpha);
        visit(&self.beta);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(Synaptic, "Synaptic");
