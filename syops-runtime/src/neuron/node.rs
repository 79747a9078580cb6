//! What IF, LIF and PLIF share: the membrane state, firing, resetting, the multi-step loop and
//! the counting rule. While watched ([`Membrane::watch`], NeuroBench's convention), each step
//! also counts the neurons whose membrane it changed (the membrane before the step against the one
//! after, `v_reset` at rest, or 0 for a soft reset), on the device.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use candle::{DType, Result, Tensor, TensorId};

use super::fused::{Charge, Step};
use crate::kernel::scalar::scalar;
use crate::model::{numel, Call, ExactOps, MembraneChanges, NeuroBenchOps, Ops};

/// Threshold, reset and stepping mode of a neuron.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NeuronConfig {
    /// Firing threshold (spikingjelly's `v_threshold`, default 1.0).
    pub v_threshold: f64,
    /// Hard-reset potential, or `None` for a soft reset (subtract the threshold). Default `Some(0.0)`.
    pub v_reset: Option<f64>,
    /// Multi-step mode: the input is `[T, N, ...]` and the neuron runs over dim 0.
    pub multi_step: bool,
}

impl Default for NeuronConfig {
    fn default() -> Self {
        NeuronConfig { v_threshold: 1.0, v_reset: Some(0.0), multi_step: false }
    }
}

/// The membrane potential and its update, for one neuron type's charge equation.
pub(crate) struct Membrane {
    pub config: NeuronConfig,
    v: Mutex<Option<Tensor>>,
    /// The spikes of the last forward call and how many fired, when the one-pass step counted them.
    fired: Mutex<Option<(TensorId, u64)>>,
    /// Whether the CPU takes the one-pass step (always, but for the tests that compare the two).
    pub(super) fused: AtomicBool,
    /// Whether steps count the membranes they change.
    watch: AtomicBool,
    /// The last forward call's membrane changes, by its output.
    changes: Mutex<Option<(TensorId, MembraneChanges)>>,
}

impl Membrane {
    pub fn new(config: NeuronConfig) -> Self {
        Membrane {
            config,
            v: Mutex::new(None),
            fired: Mutex::new(None),
            fused: AtomicBool::new(true),
            watch: AtomicBool::new(false),
            changes: Mutex::new(None),
        }
    }

    /// Starts or stops counting the membranes each step changes ([`crate::model::Layer::watch_membrane`]).
    pub fn watch(&self, on: bool) {
        self.watch.store(on, Ordering::Relaxed);
        if !on {
            *self.changes.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    /// The membrane changes of the last forward call, when `output` is its output and it was watched.
    pub fn changes(&self, output: &Tensor) -> Option<MembraneChanges> {
        match &*self.changes.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((id, changes)) if *id == output.id() => Some(changes.clone()),
            _ => None,
        }
    }

    pub fn reset(&self) {
        *self.v.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The potentials after the last step (`None` at rest).
    #[cfg(test)]
    pub(super) fn potential(&self) -> Option<Tensor> {
        self.v.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The membrane before `xs`'s step: the stored one, or `None` at rest.
    fn take(&self, slot: &mut Option<Tensor>, xs: &Tensor) -> Result<Option<Tensor>> {
        match slot.take() {
            Some(v) if v.dims() == xs.dims() && v.dtype() == xs.dtype() => Ok(Some(v)),
            Some(v) => candle::bail!(
                "neuron: input shape {:?} differs from the membrane's {:?} (reset the neuron between batches)",
                xs.dims(),
                v.dims()
            ),
            None => Ok(None),
        }
    }

    /// One step: `charge(v, x)`, fire, reset. Returns the spikes, when counted as they were
    /// written how many fired, and when watched how many membranes changed (0-d F64). On the CPU,
    /// with a `fused` charge, in one pass ([`super::fused`]); the numbers are the same.
    fn step(
        &self,
        xs: &Tensor,
        charge: &dyn Fn(&Tensor, &Tensor) -> Result<Tensor>,
        fused: Option<Charge>,
    ) -> Result<(Tensor, Option<u64>, Option<Tensor>)> {
        let mut slot = self.v.lock().unwrap_or_else(|e| e.into_inner());
        let v = self.take(&mut slot, xs)?;
        let before = self.watch.load(Ordering::Relaxed).then(|| v.clone());
        let (spike, v, fired) = match fused.filter(|_| xs.device().is_cpu() && self.fused.load(Ordering::Relaxed)) {
            Some(charge) => {
                let step = Step::new(charge, self.config.v_threshold, self.config.v_reset);
                let out = match v {
                    Some(v) => v.contiguous()?.apply_op2_no_bwd(&xs.contiguous()?, &step)?,
                    None => xs.contiguous()?.apply_op1_no_bwd(&step)?,
                };
                (out.get(0)?, out.get(1)?, Some(step.fired()))
            }
            None => {
                let v = match v {
                    Some(v) => v,
                    None => (xs.zeros_like()? + self.config.v_reset.unwrap_or(0.0))?,
                };
                let (spike, v) = self.step_tensors(&v, xs, charge)?;
                (spike, v, None)
            }
        };
        let changed = match before {
            Some(Some(before)) => Some(before.ne(&v)?.to_dtype(DType::F64)?.sum_all()?),
            Some(None) => Some(v.ne(self.config.v_reset.unwrap_or(0.0))?.to_dtype(DType::F64)?.sum_all()?),
            None => None,
        };
        *slot = Some(v);
        Ok((spike, fired, changed))
    }

    /// The step as tensor operations (every device): spikes and the new membrane.
    fn step_tensors(
        &self,
        v: &Tensor,
        xs: &Tensor,
        charge: &dyn Fn(&Tensor, &Tensor) -> Result<Tensor>,
    ) -> Result<(Tensor, Tensor)> {
        let v = charge(v, xs)?;
        let th = scalar(self.config.v_threshold, xs)?;
        let spike = v.broadcast_ge(&th)?.to_dtype(xs.dtype())?;
        let v = match self.config.v_reset {
            Some(v_reset) => {
                let keep = (1.0 - &spike)?;
                (keep.mul(&v)? + spike.broadcast_mul(&scalar(v_reset, xs)?)?)?
            }
            None => (&v - spike.broadcast_mul(&th)?)?,
        };
        Ok((spike, v))
    }

    /// Single- or multi-step forward; `fused` is `charge` for the CPU's one-pass step.
    pub fn forward(
        &self,
        name: &str,
        xs: &Tensor,
        charge: &dyn Fn(&Tensor, &Tensor) -> Result<Tensor>,
        fused: Option<Charge>,
    ) -> Result<Tensor> {
        if !xs.dtype().is_float() {
            candle::bail!("{name}: expected a float input, got {:?}", xs.dtype());
        }
        let (spikes, fired, changed, step_numel) = if !self.config.multi_step {
            let (spikes, fired, changed) = self.step(xs, charge, fused)?;
            (spikes, fired, changed.into_iter().collect::<Vec<_>>(), xs.elem_count())
        } else {
            if xs.rank() < 2 {
                candle::bail!("{name}: multi-step input must be [T, N, ...], got shape {:?}", xs.dims());
            }
            let steps = (0..xs.dim(0)?).map(|t| self.step(&xs.get(t)?, charge, fused)).collect::<Result<Vec<_>>>()?;
            let fired = steps.iter().map(|(_, fired, _)| *fired).sum::<Option<u64>>();
            let step_numel = xs.elem_count() / xs.dim(0)?.max(1);
            let (steps, changed): (Vec<Tensor>, Vec<Option<Tensor>>) =
                steps.into_iter().map(|(spikes, _, changed)| (spikes, changed)).unzip();
            (Tensor::stack(&steps, 0)?, fired, changed.into_iter().flatten().collect(), step_numel)
        };
        *self.fired.lock().unwrap_or_else(|e| e.into_inner()) = fired.map(|fired| (spikes.id(), fired));
        if let Some((first, rest)) = changed.split_first() {
            let rest = match rest {
                [] => first.zeros_like()?,
                _ => Tensor::stack(rest, 0)?.sum_all()?,
            };
            let changes = MembraneChanges { step_numel: step_numel as u64, first: first.clone(), rest };
            *self.changes.lock().unwrap_or_else(|e| e.into_inner()) = Some((spikes.id(), changes));
        }
        Ok(spikes)
    }

    /// How many spikes the last forward call fired, when `output` is its output and the one-pass
    /// step counted them ([`crate::model::Layer::fired`]).
    pub fn fired(&self, output: &Tensor) -> Option<u64> {
        match *self.fired.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((id, fired)) if id == output.id() => Some(fired),
            _ => None,
        }
    }
}

impl Clone for Membrane {
    /// A clone starts at rest, unwatched.
    fn clone(&self) -> Self {
        Membrane::new(self.config)
    }
}

impl std::fmt::Debug for Membrane {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.config.fmt(f)
    }
}

/// Neurons add their input element count to ACs, always; the rate of `output[0]` feeds the
/// firing-rate column (syops' `IF_syops_counter_hook` / `LIF_syops_counter_hook`).
/// Under the exact convention, `numel(input)` membrane updates and no ACs or MACs; the rate is the
/// whole output's. Under NeuroBench's, an activation layer with its membrane's changes.
pub(crate) fn neuron_ops(call: &Call<'_>, membrane: Option<&Membrane>) -> crate::Result<Ops> {
    let n = numel(call.input()?.dims());
    Ops::neuron(n).exact_with(call, || Ok(ExactOps::membrane(n)))?.neurobench_with(call, || {
        let output = call.output()?;
        let changes = membrane.and_then(|m| m.changes(output)).ok_or_else(|| {
            crate::Error::shape(
                call.path(),
                "neuron",
                "its membrane changes were not recorded (the session did not watch it)",
            )
        })?;
        NeuroBenchOps::neuron(output, changes)
    })
}
