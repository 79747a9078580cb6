//! A neuron's hidden state kept across calls (snnTorch's `init_hidden=True`): `N` tensors (`mem`;
//! `syn, mem`; `spk, mem`; ...) of the input's shape, cleared by `syops::reset` (snnTorch's
//! `reset_mem()` / `reset_hidden()`).
//!
//! As in snnTorch's `forward`, a state whose shape is not the input's (at rest, or after a batch of
//! another size) starts from zeros of the input's shape.
use std::sync::Mutex;

use candle::{Result, Tensor};

/// The hidden state of one neuron layer.
pub(super) struct Hidden<const N: usize> {
    slot: Mutex<Option<[Tensor; N]>>,
}

impl<const N: usize> Hidden<N> {
    pub fn new() -> Self {
        Hidden { slot: Mutex::new(None) }
    }

    /// Clears the state: the next call starts from zeros.
    pub fn reset(&self) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
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
                std::array::from_fn(|_| zeros.clone())
            }
        };
        let (out, state) = step(state)?;
        if let Some(s) = state.iter().find(|s| s.dims() != xs.dims()) {
            candle::bail!("{name}: a state of shape {:?} from an input of shape {:?}", s.dims(), xs.dims());
        }
        *slot = Some(state);
        Ok(out)
    }
}

impl<const N: usize> Clone for Hidden<N> {
    /// A clone starts at rest.
    fn clone(&self) -> Self {
        Hidden::new()
    }
}

impl<const N: usize> std::fmt::Debug for Hidden<N> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at_rest = self.slot.lock().unwrap_or_else(|e| e.into_inner()).is_none();
        f.write_str(if at_rest { "at rest" } else { "charged" })
    }
}
