//! snnTorch's `Alpha`: a neuron whose membrane follows an alpha-shaped kernel, the difference of an
//! excitatory and an inhibitory synaptic current.
//!
//! Each step (snntorch/_neurons/alpha.py), with `a = alpha.clamp(0, 1)`, `b = beta.clamp(0, 1)`:
//! `reset = H(mem - threshold)` from the previous membrane, `syn_exc = a * syn_exc + x`,
//! `syn_inh = b * syn_inh - x`, `mem = tau_alpha * (syn_exc + syn_inh)` with
//! `tau_alpha = ln(a) / (ln(b) - ln(a)) + 1`, then
//! - zero (`Alpha`'s default): `syn_exc`, `syn_inh` and `mem` each lose `itself * reset`;
//! - subtract: `syn_exc -= threshold * reset`, `syn_inh -= syn_inh * reset`,
//!   `mem -= -syn_inh_before * reset` (the inhibitory current before the step, as snnTorch has it);
//! - none: nothing;
//!
//! and `spk = H(mem - threshold) * graded_spikes_factor`. `Alpha` has no `reset_delay` option
//! and no learnable `alpha` (snnTorch 1.0 raises a `TypeError` for `learn_alpha=True`); it
//! requires `alpha > beta` and `beta != 1`.
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// `snn.Alpha(alpha, beta, ...)`'s options.
#[derive(Debug, Clone, PartialEq)]
pub struct AlphaConfig {
    /// `alpha`, the excitatory current's decay; greater than `beta`.
    pub alpha: f64,
    /// `beta`, the inhibitory current's decay; not 1.
    pub beta: f64,
    /// `learn_beta` (false).
    pub learn_beta: bool,
    /// Threshold, reset mechanism (zero by default) and spike factor.
    pub spiking: SpikingConfig,
}

impl AlphaConfig {
    /// `snn.Alpha(alpha, beta)` with snnTorch's defaults (`reset_mechanism="zero"`).
    pub fn new(alpha: f64, beta: f64) -> Self {
        let spiking = SpikingConfig { reset_mechanism: ResetMechanism::Zero, ..SpikingConfig::default() };
        AlphaConfig { alpha, beta, learn_beta: false, spiking }
    }

    /// `learn_beta` (default false).
    pub fn learn_beta(mut self, learn: bool) -> Self {
        self.learn_beta = learn;
        self
    }
}
spiking_options!(AlphaConfig);

/// snnTorch's `Alpha` with `init_hidden=True`: `syn_exc`, `syn_inh` and `mem` are kept across
/// calls until `syops::reset`.
#[derive(Debug, Clone)]
pub struct Alpha {
    alpha: Coef,
    beta: Coef,
    spiking: Spiking,
    hidden: Hidden<3>,
}

impl Alpha {
    /// From the configured values; an error unless `alpha > beta` and `beta != 1`.
    pub fn new(cfg: AlphaConfig) -> Result<Self> {
        let alpha =
            Coef::from_tensor("alpha", Coef::scalar("alpha", cfg.alpha, false)?.value().clamp(0.0, 1.0)?, false);
        Self::checked(alpha, Coef::scalar("beta", cfg.beta, cfg.learn_beta)?, Spiking::new(&cfg.spiking)?)
    }

    /// From snnTorch's state dict under `vb` (`alpha`, `beta`, `threshold`,
    /// `graded_spikes_factor`, `reset_mechanism_val`); `cfg` gives the rest (see [`super::Leaky::load`]).
    pub fn load(cfg: AlphaConfig, vb: VarBuilder) -> Result<Self> {
        let (alpha, beta) = (Coef::load(&vb, "alpha", false)?, Coef::load(&vb, "beta", cfg.learn_beta)?);
        Self::checked(alpha, beta, Spiking::load(&cfg.spiking, &vb)?)
    }

    /// snnTorch's `_alpha_cases`.
    fn checked(alpha: Coef, beta: Coef, spiking: Spiking) -> Result<Self> {
        let (a, b) = (alpha.value(), beta.value());
        if a.broadcast_le(b)?.flatten_all()?.max(0)?.to_scalar::<u8>()? != 0 {
            candle::bail!("Alpha: alpha must be greater than beta");
        }
        if b.eq(1.0)?.flatten_all()?.max(0)?.to_scalar::<u8>()? != 0 {
            candle::bail!("Alpha: beta cannot be 1 (tau_alpha would divide by zero)");
        }
        Ok(Alpha { alpha, beta, spiking, hidden: Hidden::new() })
    }

    /// One step: the spikes, the excitatory and inhibitory currents and the membrane after it
    /// (snnTorch's return order). Only `forward` calls are counted by `#[syops::count]`.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor, Tensor, Tensor)> {
        self.hidden.step("Alpha", xs, |[exc_before, inh_before, mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let (a, b) = (self.alpha.clamped(xs)?, self.beta.clamped(xs)?);
            let exc = (a.broadcast_mul(&exc_before)? + xs)?;
            let inh = (b.broadcast_mul(&inh_before)? - xs)?;
            let (ln_a, ln_b) = (a.log()?, b.log()?);
            let tau = (ln_a.broadcast_div(&ln_b.broadcast_sub(&ln_a)?)? + 1.0)?;
            let mem = tau.broadcast_mul(&(&exc + &inh)?)?;
            let (exc, inh, mem) = match self.spiking.reset {
                ResetMechanism::Subtract => (
                    (&exc - self.spiking.subtracted(&reset, xs)?)?,
                    (&inh - inh.mul(&reset)?)?,
                    (&mem - inh_before.neg()?.mul(&reset)?)?,
                ),
                ResetMechanism::Zero => {
                    ((&exc - exc.mul(&reset)?)?, (&inh - inh.mul(&reset)?)?, (&mem - mem.mul(&reset)?)?)
                }
                ResetMechanism::None => (exc, inh, mem),
            };
            let spk = self.spiking.fire(&mem, xs)?;
            Ok(((spk, exc.clone(), inh.clone(), mem.clone()), [exc, inh, mem]))
        })
    }

    /// The excitatory current after the last call (`None` at rest).
    pub fn syn_exc(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// The inhibitory current after the last call (`None` at rest).
    pub fn syn_inh(&self) -> Option<Tensor> {
        self.hidden.get(1)
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(2)
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.alpha);
        visit(&self.beta);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(Alpha, "Alpha");
