//! snnTorch's `RSynaptic`: a `Synaptic` neuron whose previous spikes come back through a recurrent
//! layer ([`super::Recurrent`]) into its synaptic current.
//!
//! Each step (snntorch/_neurons/rsynaptic.py): `reset = H(mem - threshold)` from the previous
//! membrane, `syn = alpha.clamp(0, 1) * syn + x + recurrent(spk)` with the previous spikes (zeros
//! at rest), `mem = beta.clamp(0, 1) * mem + syn`, then subtract: `mem -= reset * threshold`;
//! zero: `mem -= mem * reset` (`syn` kept); none: nothing; and
//! `spk = H(mem - threshold) * graded_spikes_factor`. snnTorch's zero reset evaluates
//! `recurrent(spk)` twice per step (the same values); syops runs and counts it once.
//!
//! A reset (`syops::reset`, as snnTorch's `utils.reset` calls `RSynaptic.reset_hidden()`) zeroes
//! `syn` and `mem` but keeps `spk`, as snnTorch 1.0 does: the next batch of the same shape starts
//! from the last batch's spikes through the recurrent layer (one of another shape from zeros).
//! NeuroBench's `SNNTorchModel` resets so before every batch, and counts what follows
//! (`tests/neurobench.rs`, `snn_recurrent`). snnTorch's instance method `reset_mem()` zeroes `spk`
//! too; syops follows `utils.reset`, what NeuroBench and snnTorch's tutorials call.
//!
//! No `reset_delay` option: snnTorch 1.0's `RSynaptic(reset_delay=False)` raises a `TypeError` in
//! `forward` (it divides the `spk` argument, `None` unless passed) and, when `spk` is passed,
//! resets a local copy only: the state is that of `reset_delay=True`.
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::recurrent::{Recurrent, RecurrentConfig};
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// The state a reset keeps: `spk` (snnTorch 1.0's `RSynaptic.reset_hidden` sets `syn` and `mem`
/// to zeros and leaves `spk`).
const KEPT_ON_RESET: &[usize] = &[0];

/// `snn.RSynaptic(alpha, beta, ...)`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct RSynapticConfig {
    /// `alpha`, the synaptic current's decay (clamped to [0, 1] in every step).
    pub alpha: f64,
    /// `beta`, the membrane's decay (clamped to [0, 1] in every step).
    pub beta: f64,
    /// `learn_alpha` (false).
    pub learn_alpha: bool,
    /// `learn_beta` (false).
    pub learn_beta: bool,
    /// The recurrent connection.
    pub recurrent: RecurrentConfig,
    /// `learn_recurrent` (true).
    pub learn_recurrent: bool,
    /// Threshold, reset mechanism and spike factor.
    pub spiking: SpikingConfig,
}

impl RSynapticConfig {
    /// `snn.RSynaptic(alpha, beta, ...)` with the recurrent connection `recurrent` and snnTorch's
    /// defaults.
    pub fn new(alpha: f64, beta: f64, recurrent: RecurrentConfig) -> Self {
        RSynapticConfig {
            alpha,
            beta,
            learn_alpha: false,
            learn_beta: false,
            recurrent,
            learn_recurrent: true,
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

    /// `learn_recurrent` (default true).
    pub fn learn_recurrent(mut self, learn: bool) -> Self {
        self.learn_recurrent = learn;
        self
    }
}
spiking_options!(RSynapticConfig);

/// snnTorch's `RSynaptic` with `init_hidden=True`: `spk`, `syn` and `mem` are kept across calls
/// until `syops::reset`.
#[derive(Debug, Clone)]
pub struct RSynaptic {
    alpha: Coef,
    beta: Coef,
    recurrent: Recurrent,
    spiking: Spiking,
    hidden: Hidden<3>,
}

impl RSynaptic {
    /// From the configured values: a one-to-one connection only (all-to-all weights come from
    /// a state dict, [`RSynaptic::load`]).
    pub fn new(cfg: RSynapticConfig) -> Result<Self> {
        Ok(RSynaptic {
            alpha: Coef::scalar("alpha", cfg.alpha, cfg.learn_alpha)?,
            beta: Coef::scalar("beta", cfg.beta, cfg.learn_beta)?,
            recurrent: Recurrent::new(&cfg.recurrent, cfg.learn_recurrent)?,
            spiking: Spiking::new(&cfg.spiking)?,
            hidden: Hidden::keeping(KEPT_ON_RESET),
        })
    }

    /// From snnTorch's state dict under `vb` (`alpha`, `beta`, `threshold`,
    /// `graded_spikes_factor`, `reset_mechanism_val`, and `recurrent.weight`/`recurrent.bias` or
    /// `V`); `cfg` gives the rest (see [`super::Leaky::load`]).
    pub fn load(cfg: RSynapticConfig, vb: VarBuilder) -> Result<Self> {
        Ok(RSynaptic {
            alpha: Coef::load(&vb, "alpha", cfg.learn_alpha)?,
            beta: Coef::load(&vb, "beta", cfg.learn_beta)?,
            recurrent: Recurrent::load(&cfg.recurrent, cfg.learn_recurrent, &vb)?,
            spiking: Spiking::load(&cfg.spiking, &vb)?,
            hidden: Hidden::keeping(KEPT_ON_RESET),
        })
    }

    /// One step: the spikes, the synaptic current and the membrane after it (snnTorch's return
    /// order). Only `forward` calls are counted by `#[syops::count]`.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor, Tensor)> {
        self.hidden.step("RSynaptic", xs, |[spk, syn, mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let recurrent = self.recurrent.forward_counted(&spk, self.spiking.spike_dtype(xs))?;
            let syn = ((self.alpha.clamped(xs)?.broadcast_mul(&syn)? + xs)? + recurrent)?;
            let mem = (self.beta.clamped(xs)?.broadcast_mul(&mem)? + &syn)?;
            let mem = match self.spiking.reset {
                ResetMechanism::Subtract => (mem - self.spiking.subtracted(&reset, xs)?)?,
                ResetMechanism::Zero => (&mem - mem.mul(&reset)?)?,
                ResetMechanism::None => mem,
            };
            let spk = self.spiking.fire(&mem, xs)?;
            Ok(((spk.clone(), syn.clone(), mem.clone()), [spk, syn, mem]))
        })
    }

    /// The spikes of the last call (`None` at rest).
    pub fn spk(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// The synaptic current after the last call (`None` at rest).
    pub fn syn(&self) -> Option<Tensor> {
        self.hidden.get(1)
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(2)
    }

    /// The recurrent layer.
    pub fn recurrent(&self) -> &Recurrent {
        &self.recurrent
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.alpha);
        visit(&self.beta);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(RSynaptic, "RSynaptic", recurrent);
