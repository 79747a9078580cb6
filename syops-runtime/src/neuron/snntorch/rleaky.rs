//! snnTorch's `RLeaky`: a `Leaky` neuron whose previous spikes come back through a recurrent
//! layer ([`super::Recurrent`]).
//!
//! Each step (snntorch/_neurons/rleaky.py): `reset = H(mem - threshold)` from the previous
//! membrane, `mem' = beta.clamp(0, 1) * mem + x + recurrent(spk)` with the previous spikes (zeros
//! at rest), then subtract: `mem' - reset * threshold`; zero: `mem' - reset * mem'`; none: `mem'`;
//! `spk = H(mem - threshold) * graded_spikes_factor`, and without `reset_delay` the reset is
//! applied at once ([`super::spiking`]). snnTorch's zero reset evaluates `recurrent(spk)` twice per
//! step (the same values); syops runs and counts it once.
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::recurrent::{Recurrent, RecurrentConfig};
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// `snn.RLeaky(beta, ...)`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct RLeakyConfig {
    /// `beta`, the membrane's decay (clamped to [0, 1] in every step).
    pub beta: f64,
    /// `learn_beta` (false).
    pub learn_beta: bool,
    /// The recurrent connection.
    pub recurrent: RecurrentConfig,
    /// `learn_recurrent` (true): the recurrent weights (or `V`) are parameters.
    pub learn_recurrent: bool,
    /// `reset_delay` (true).
    pub reset_delay: bool,
    /// Threshold, reset mechanism and spike factor.
    pub spiking: SpikingConfig,
}

impl RLeakyConfig {
    /// `snn.RLeaky(beta, ...)` with the recurrent connection `recurrent` and snnTorch's defaults.
    pub fn new(beta: f64, recurrent: RecurrentConfig) -> Self {
        RLeakyConfig {
            beta,
            learn_beta: false,
            recurrent,
            learn_recurrent: true,
            reset_delay: true,
            spiking: SpikingConfig::default(),
        }
    }

    /// `learn_beta` (default false).
    pub fn learn_beta(mut self, learn: bool) -> Self {
        self.learn_beta = learn;
        self
    }

    /// `learn_recurrent` (default true).
    pub fn learn_recurrent(mut self, learn: bool) -> Self {
        self.learn_recurrent = learn;
        self
    }

    /// `reset_delay` (default true).
    pub fn reset_delay(mut self, delay: bool) -> Self {
        self.reset_delay = delay;
        self
    }
}
spiking_options!(RLeakyConfig);

/// snnTorch's `RLeaky` with `init_hidden=True`: `spk` and `mem` are kept across calls until
/// `syops::reset`.
#[derive(Debug, Clone)]
pub struct RLeaky {
    beta: Coef,
    recurrent: Recurrent,
    spiking: Spiking,
    reset_delay: bool,
    hidden: Hidden<2>,
}

impl RLeaky {
    /// From the configured values: a one-to-one connection only (all-to-all weights come from
    /// a state dict, [`RLeaky::load`]).
    pub fn new(cfg: RLeakyConfig) -> Result<Self> {
        Ok(RLeaky {
            beta: Coef::scalar("beta", cfg.beta, cfg.learn_beta)?,
            recurrent: Recurrent::new(&cfg.recurrent, cfg.learn_recurrent)?,
            spiking: Spiking::new(&cfg.spiking)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// From snnTorch's state dict under `vb` (`beta`, `threshold`, `graded_spikes_factor`,
    /// `reset_mechanism_val`, and `recurrent.weight`/`recurrent.bias` or `V`); `cfg` gives the
    /// rest (see [`super::Leaky::load`]).
    pub fn load(cfg: RLeakyConfig, vb: VarBuilder) -> Result<Self> {
        Ok(RLeaky {
            beta: Coef::load(&vb, "beta", cfg.learn_beta)?,
            recurrent: Recurrent::load(&cfg.recurrent, cfg.learn_recurrent, &vb)?,
            spiking: Spiking::load(&cfg.spiking, &vb)?,
            reset_delay: cfg.reset_delay,
            hidden: Hidden::new(),
        })
    }

    /// One step: the spikes and the membrane after it. Only `forward` calls are counted by
    /// `#[syops::count]`; read [`RLeaky::mem`] after it.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        self.hidden.step("RLeaky", xs, |[spk, mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let recurrent = self.recurrent.forward_counted(&spk, self.spiking.spike_dtype(xs))?;
            let mem = ((self.beta.clamped(xs)?.broadcast_mul(&mem)? + xs)? + recurrent)?;
            let mem = match self.spiking.reset {
                ResetMechanism::Subtract => (mem - self.spiking.subtracted(&reset, xs)?)?,
                ResetMechanism::Zero => (&mem - reset.mul(&mem)?)?,
                ResetMechanism::None => mem,
            };
            let spk = self.spiking.fire(&mem, xs)?;
            let mem = if self.reset_delay { mem } else { self.spiking.reset_now(mem, &spk, &reset, xs)? };
            Ok(((spk.clone(), mem.clone()), [spk, mem]))
        })
    }

    /// The spikes of the last call (`None` at rest).
    pub fn spk(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(1)
    }

    /// The recurrent layer.
    pub fn recurrent(&self) -> &Recurrent {
        &self.recurrent
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.beta);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(RLeaky, "RLeaky", recurrent);
