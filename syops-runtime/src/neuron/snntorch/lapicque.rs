//! snnTorch's `Lapicque`: Lapicque's RC-circuit neuron.
//!
//! Each step (snntorch/_neurons/lapicque.py): `reset = H(mem - threshold)` from the previous
//! membrane, `mem' = x * R * (1 / (R * C)) * time_step + (1 - time_step / (R * C)) * mem`, then
//! subtract: `mem' - reset * threshold`; zero: `mem' - reset * mem'`; none: `mem'`; and
//! `spk = H(mem - threshold) * graded_spikes_factor`. No `reset_delay` option.
//!
//! `beta` only derives `R` or `C` at construction: with `beta` alone, `R = 1` and
//! `C = time_step / (R * ln(1 / beta))`; with `beta` and `R`, that `C`; with `beta` and `C`,
//! `R = time_step / (C * ln(1 / beta))`; with `R` and `C`, `beta = exp(-time_step / (R * C))`. The
//! step reads `R`, `C` and `time_step` (loaded from the state dict as stored). The configured
//! values are float32, as `torch.as_tensor` makes them from Python floats; snnTorch keeps an
//! integer `R` or `time_step` as int64, which gives the same numbers but in one case: an integer
//! `R` and `C` in a float64 model, where PyTorch divides them in float32.
use candle::{Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use super::hidden::Hidden;
use super::layer::snntorch_layer;
use super::spiking::{spiking_options, ResetMechanism, Spiking, SpikingConfig};

/// `snn.Lapicque(beta=..., R=..., C=..., time_step=...)`'s options: `beta` alone, or two of
/// `beta`, `R` and `C`.
#[derive(Debug, Clone, PartialEq)]
pub struct LapicqueConfig {
    /// `beta`.
    pub beta: Option<f64>,
    /// `R`, the resistance.
    pub r: Option<f64>,
    /// `C`, the capacitance.
    pub c: Option<f64>,
    /// `time_step` (1).
    pub time_step: f64,
    /// `learn_beta` (false; `beta` does not enter the step).
    pub learn_beta: bool,
    /// Threshold, reset mechanism and spike factor.
    pub spiking: SpikingConfig,
}

impl LapicqueConfig {
    /// `snn.Lapicque(beta=beta)`.
    pub fn beta(beta: f64) -> Self {
        LapicqueConfig { beta: Some(beta), ..Self::rc(None, None) }
    }

    /// `snn.Lapicque(R=r, C=c)`.
    pub fn resistance_capacitance(r: f64, c: f64) -> Self {
        Self::rc(Some(r), Some(c))
    }

    fn rc(r: Option<f64>, c: Option<f64>) -> Self {
        let spiking = SpikingConfig::default();
        LapicqueConfig { beta: None, r, c, time_step: 1.0, learn_beta: false, spiking }
    }

    /// `R` (with `beta`: `C` is derived).
    pub fn r(mut self, r: f64) -> Self {
        self.r = Some(r);
        self
    }

    /// `C` (with `beta`: `R` is derived).
    pub fn c(mut self, c: f64) -> Self {
        self.c = Some(c);
        self
    }

    /// `time_step` (default 1).
    pub fn time_step(mut self, time_step: f64) -> Self {
        self.time_step = time_step;
        self
    }

    /// `learn_beta` (default false).
    pub fn learn_beta(mut self, learn: bool) -> Self {
        self.learn_beta = learn;
        self
    }
}
spiking_options!(LapicqueConfig);

/// snnTorch's `Lapicque` with `init_hidden=True`: the membrane is kept across calls until
/// `syops::reset`.
#[derive(Debug, Clone)]
pub struct Lapicque {
    beta: Coef,
    r: Coef,
    c: Coef,
    time_step: Coef,
    spiking: Spiking,
    hidden: Hidden<1>,
}

impl Lapicque {
    /// From the configured values, deriving `R`, `C` or `beta` in float32 as snnTorch does.
    pub fn new(cfg: LapicqueConfig) -> Result<Self> {
        let f = |v: f64| v as f32;
        let ts = f(cfg.time_step);
        let (beta, r, c) = match (cfg.beta, cfg.r, cfg.c) {
            (Some(b), None, None) => (f(b), 1.0, ts / (1.0 * (1.0 / f(b)).ln())),
            (Some(b), Some(r), None) => (f(b), f(r), ts / (f(r) * (1.0 / f(b)).ln())),
            (Some(b), None, Some(c)) => (f(b), ts / (f(c) * (1.0 / f(b)).ln()), f(c)),
            // `R * C` of the Python floats, divided in float32.
            (None, Some(r), Some(c)) => ((-ts / f(r * c)).exp(), f(r), f(c)),
            _ => candle::bail!("Lapicque: give beta, or two of beta, R and C (as snnTorch requires)"),
        };
        // `exp(ones(1) * ...)`: a one-element beta when derived.
        let beta = match cfg.beta {
            Some(_) => Coef::scalar("beta", f64::from(beta), cfg.learn_beta)?,
            None => Coef::from_tensor("beta", Tensor::new(&[beta], &candle::Device::Cpu)?, cfg.learn_beta),
        };
        Ok(Lapicque {
            beta,
            r: Coef::scalar("R", f64::from(r), false)?,
            c: Coef::scalar("C", f64::from(c), false)?,
            time_step: Coef::scalar("time_step", f64::from(ts), false)?,
            spiking: Spiking::new(&cfg.spiking)?,
            hidden: Hidden::new(),
        })
    }

    /// From snnTorch's state dict under `vb` (`beta`, `R`, `C`, `time_step`, `threshold`,
    /// `graded_spikes_factor`, `reset_mechanism_val`); `cfg` gives the rest (see
    /// [`super::Leaky::load`]; its `beta`, `R`, `C` are not read).
    pub fn load(cfg: LapicqueConfig, vb: VarBuilder) -> Result<Self> {
        Ok(Lapicque {
            beta: Coef::load(&vb, "beta", cfg.learn_beta)?,
            r: Coef::load(&vb, "R", false)?,
            c: Coef::load(&vb, "C", false)?,
            time_step: Coef::load(&vb, "time_step", false)?,
            spiking: Spiking::load(&cfg.spiking, &vb)?,
            hidden: Hidden::new(),
        })
    }

    /// One step: the spikes and the membrane after it. Only `forward` calls are counted by
    /// `#[syops::count]`; read [`Lapicque::mem`] after it.
    pub fn forward_with_state(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        self.hidden.step("Lapicque", xs, |[mem]| {
            let reset = self.spiking.heaviside(&mem, xs)?;
            let (r, c, ts) = (self.r.like(xs)?, self.c.like(xs)?, self.time_step.like(xs)?);
            let rc = r.broadcast_mul(&c)?;
            let one = Tensor::ones((), xs.dtype(), xs.device())?;
            let input = xs.broadcast_mul(&r)?.broadcast_mul(&one.broadcast_div(&rc)?)?.broadcast_mul(&ts)?;
            let leak = one.broadcast_sub(&ts.broadcast_div(&rc)?)?.broadcast_mul(&mem)?;
            let mem = (input + leak)?;
            let mem = match self.spiking.reset {
                ResetMechanism::Subtract => (mem - self.spiking.subtracted(&reset, xs)?)?,
                ResetMechanism::Zero => (&mem - reset.mul(&mem)?)?,
                ResetMechanism::None => mem,
            };
            let spk = self.spiking.fire(&mem, xs)?;
            Ok(((spk, mem.clone()), [mem]))
        })
    }

    /// The membrane after the last call (`None` at rest).
    pub fn mem(&self) -> Option<Tensor> {
        self.hidden.get(0)
    }

    /// `beta`, `R`, `C` and `time_step` as stored (for a state dict).
    pub fn constants(&self) -> [&Tensor; 4] {
        [self.beta.value(), self.r.value(), self.c.value(), self.time_step.value()]
    }

    /// Its constants, learnable or not (parameters and buffers).
    fn coefs(&self, visit: &mut dyn FnMut(&Coef)) {
        visit(&self.beta);
        visit(&self.r);
        visit(&self.c);
        visit(&self.time_step);
        self.spiking.coefs(visit);
    }
}
snntorch_layer!(Lapicque, "Lapicque");
