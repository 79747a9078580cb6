//! A neuron's hidden state kept across calls (snnTorch's `init_hidden=True`): `N` tensors (`mem`;
//! `syn, mem`; `spk, mem`; ...) of the input's shape, cleared by `syops::reset` (snnTorch's
//! `reset_mem()` / `reset_hidden()`).
//!
//! As in snnTorch's `forward`, a state whose shape is not the input's (at rest, or after a batch of
//! another size) starts from zeros of the input's shape. A reset zeroes the states (at rest) but
//! those a neuron keeps as snnTorch's `reset_hidden` keeps them ([`Hidden::keeping`]: RSynaptic's
//! `spk`), which a next batch of the same shape then starts from.
//!
//! The membrane is the last state (`mem`). While watched (NeuroBench's convention), each step
//! counts the neurons whose membrane it changed, as NeuroBench's MembraneUpdates compares the `mem`
//! its hooks read before and after a call: `count_nonzero(mem_before - mem_after)` (NaN counts as
//! changed), on the device; the call's output is then bound to it ([`Hidden::bind`]).
use std::sync::Mutex;

use candle::{DType, Result, Tensor};

use crate::model::MembraneChanges;
use crate::neuron::watch::MembraneWatch;

/// The hidden state of one neuron layer.
pub(super) struct Hidden<const N: usize> {
    slot: Mutex<Option<[Tensor; N]>>,
    /// The states a reset keeps (the rest are zeroed).
    kept: &'static [usize],
    /// What the last reset kept: `(state, tensor)`, taken by the next step.
    carried: Mutex<Vec<(usize, Tensor)>>,
    /// Whether steps count their membrane changes, and the last counted call's.
    pub watch: MembraneWatch,
    /// The last step's membrane changes, until [`Hidden::bind`] gives them their output.
    pending: Mutex<Option<MembraneChanges>>,
}

impl<const N: usize> Hidden<N> {
    pub fn new() -> Self {
        Self::keeping(&[])
    }

    /// A state whose reset keeps states `kept` and zeroes the others.
    pub fn keeping(kept: &'static [usize]) -> Self {
        Hidden {
            slot: Mutex::new(None),
            kept,
            carried: Mutex::new(Vec::new()),
            watch: MembraneWatch::new(),
            pending: Mutex::new(None),
        }
    }

    /// Records the last step's membrane changes (when watched) as those of the call that returned
    /// `output`.
    pub fn bind(&self, output: &Tensor) {
        if let Some(changes) = self.pending.lock().unwrap_or_else(|e| e.into_inner()).take() {
            self.watch.record(output, changes);
        }
    }

    /// Clears the state: the next call starts from zeros, but for the kept states
    /// ([`Hidden::keeping`]) when they have its input's shape.
    pub fn reset(&self) {
        if let Some(state) = self.slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
            *self.carried.lock().unwrap_or_else(|e| e.into_inner()) =
                self.kept.iter().map(|&i| (i, state[i].clone())).collect();
        }
    }

    /// State `i` after the last call (`None` at rest).
    pub fn get(&self, i: usize) -> Option<Tensor> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|s| s[i].clone())
    }

    /// Runs one step of `name` on `xs` from the stored state (zeros when it does not have `xs`'s
    /// shape) and stores the state `step` returns, each of `xs`'s shape.
    pub fn step<T>(
        &self,
        name: &str,
        xs: &Tensor,
        step: impl FnOnce([Tensor; N]) -> Result<(T, [Tensor; N])>,
    ) -> Result<T> {
        if !xs.dtype().is_float() {
            candle::bail!("{name}: expected a float input, got {:?}", xs.dtype());
        }
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        let state = match slot.take() {
            Some(s) if s[0].dims() == xs.dims() => {
                if s[0].dtype() != xs.dtype() || !s[0].device().same_device(xs.device()) {
                    candle::bail!(
                        "{name}: input of dtype {:?} on {:?}, state of {:?} on {:?} (reset the neuron between runs)",
                        xs.dtype(),
                        xs.device(),
                        s[0].dtype(),
                        s[0].device()
                    );
                }
                s
            }
            _ => {
                let zeros = xs.zeros_like()?;
                let mut state: [Tensor; N] = std::array::from_fn(|_| zeros.clone());
                for (i, kept) in std::mem::take(&mut *self.carried.lock().unwrap_or_else(|e| e.into_inner())) {
                    if kept.dims() == xs.dims() && kept.dtype() == xs.dtype() && kept.device().same_device(xs.device())
                    {
                        state[i] = kept;
                    }
                }
                state
            }
        };
        let before = self.watch.is_on().then(|| state[N - 1].clone());
        let (out, state) = step(state)?;
        if let Some(s) = state.iter().find(|s| s.dims() != xs.dims()) {
            candle::bail!("{name}: a state of shape {:?} from an input of shape {:?}", s.dims(), xs.dims());
        }
        let changes = match before {
            Some(before) => {
                let changed = (before - &state[N - 1])?.ne(0.0)?.to_dtype(DType::F64)?.sum_all()?;
                let rest = Tensor::zeros((), DType::F64, xs.device())?;
                Some(MembraneChanges { step_numel: xs.elem_count() as u64, first: changed, rest })
            }
            None => None,
        };
        *self.pending.lock().unwrap_or_else(|e| e.into_inner()) = changes;
        *slot = Some(state);
        Ok(out)
    }
}

impl<const N: usize> Clone for Hidden<N> {
    /// A clone starts at rest.
    fn clone(&self) -> Self {
        Hidden::keeping(self.kept)
    }
}

impl<const N: usize> std::fmt::Debug for Hidden<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at_rest = self.slot.lock().unwrap_or_else(|e| e.into_inner()).is_none();
        f.write_str(if at_rest { "at rest" } else { "charged" })
    }
}
