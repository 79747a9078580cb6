//! `nn.RNNCell`, `nn.GRUCell`, `nn.LSTMCell`: one step, from zero states, a given state, or the
//! state kept from the last call ([`RnnCell::keep_state`]).
use std::sync::Mutex;

use candle::{Module, Result, Tensor, TensorId, D};
use candle_nn::VarBuilder;

use super::weights::{rnn_name, CellWeights, RnnMode};
use crate::model::{cell_synapses, Call, ExactOps, Layer, NeuroBenchOps, Ops, Role, Synapses};

/// The state a cell's call started from, for NeuroBench's count: its input and states, batched.
#[derive(Debug, Clone)]
struct Start {
    input: TensorId,
    x: Tensor,
    h: Tensor,
    c: Option<Tensor>,
    /// Whether the state was passed in (or kept), rather than PyTorch's zeros for a missing one.
    given: bool,
}

/// `nn.RNNCell`, `nn.GRUCell` or `nn.LSTMCell` over `[N, H_in]` (or unbatched `[H_in]`) inputs.
#[derive(Debug)]
pub struct RnnCell {
    mode: RnnMode,
    input_size: usize,
    hidden_size: usize,
    weights: CellWeights,
    /// Whether `forward` carries the state from call to call ([`RnnCell::keep_state`]).
    keep_state: bool,
    /// The kept state (`h`, and an LSTM's `c`), `None` at rest.
    state: Mutex<Option<(Tensor, Option<Tensor>)>>,
    /// The state the last call started from.
    last: Mutex<Option<Start>>,
}

impl Clone for RnnCell {
    /// A clone starts at rest.
    fn clone(&self) -> Self {
        RnnCell {
            mode: self.mode,
            input_size: self.input_size,
            hidden_size: self.hidden_size,
            weights: self.weights.clone(),
            keep_state: self.keep_state,
            state: Mutex::new(None),
            last: Mutex::new(None),
        }
    }
}

impl RnnCell {
    /// Loads `weight_ih`, `weight_hh` and, with `bias`, `bias_ih`, `bias_hh`.
    pub fn new(mode: RnnMode, input_size: usize, hidden_size: usize, bias: bool, vb: VarBuilder) -> Result<Self> {
        let weights = CellWeights::load(mode, input_size, hidden_size, bias, "", &vb)?;
        Ok(RnnCell {
            mode,
            input_size,
            hidden_size,
            weights,
            keep_state: false,
            state: Mutex::new(None),
            last: Mutex::new(None),
        })
    }

    /// With `on`, `forward` starts each call from the state the last one left (zeros after
    /// `syops::reset`, which a session runs after each batch) and keeps the new one: the cell of
    /// a PyTorch time loop `h, c = cell(x, (h, c))` from zero states.
    pub fn keep_state(mut self, on: bool) -> Self {
        self.keep_state = on;
        self
    }

    /// The kept state: `h` and, for LSTM, `c` (`None` at rest or without [`RnnCell::keep_state`]).
    pub fn state(&self) -> Option<(Tensor, Option<Tensor>)> {
        self.state.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// One step from zero states (or `state` = `h` and, for LSTM, `c`, each `[N, H]`): the new `h`
    /// and, for LSTM, the new `c`.
    pub fn forward_with_state(
        &self,
        xs: &Tensor,
        state: Option<(&Tensor, Option<&Tensor>)>,
    ) -> Result<(Tensor, Option<Tensor>)> {
        self.step(xs, state, state.is_some())
    }

    /// One step; `given`: whether the state counts as passed in (NeuroBench's `in_states`).
    fn step(
        &self,
        xs: &Tensor,
        state: Option<(&Tensor, Option<&Tensor>)>,
        given: bool,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let name = rnn_name(self.mode, true);
        let (inp, h) = (self.input_size, self.hidden_size);
        let batched = xs.rank() == 2;
        if !(batched || xs.rank() == 1) || xs.dim(D::Minus1)? != inp {
            candle::bail!("{name}({inp}, {h}): expected an input [N, {inp}] or [{inp}], got shape {:?}", xs.dims());
        }
        let x = if batched { xs.clone() } else { xs.unsqueeze(0)? };
        let n = x.dim(0)?;
        let zeros = Tensor::zeros((n, h), xs.dtype(), xs.device())?;
        let fit = |t: Option<&Tensor>| -> Result<Tensor> {
            match t {
                None => Ok(zeros.clone()),
                Some(t) => {
                    let t = if batched { t.clone() } else { t.unsqueeze(0)? };
                    if t.dims() != [n, h] {
                        candle::bail!("{name}: state must have shape [{n}, {h}], got {:?}", t.dims());
                    }
                    t.to_dtype(xs.dtype())
                }
            }
        };
        let (h0, c0) = match state {
            None => (fit(None)?, fit(None)?),
            Some((h0, c0)) => (fit(Some(h0))?, fit(c0)?),
        };
        let gi = CellWeights::project(&x, &self.weights.w_ih, &self.weights.b_ih)?;
        let c0 = if self.mode == RnnMode::Lstm { Some(&c0) } else { None };
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
            Some(Start { input: xs.id(), x: x.clone(), h: h0.clone(), c: c0.cloned(), given });
        let (h1, c1) = self.weights.step(self.mode, &gi, &h0, c0)?;
        if batched {
            Ok((h1, c1))
        } else {
            Ok((h1.squeeze(0)?, c1.map(|c| c.squeeze(0)).transpose()?))
        }
    }
}

impl Module for RnnCell {
    /// The new hidden state `h` (an LSTM cell's `c` is dropped, or kept with
    /// [`RnnCell::keep_state`]: use `forward_with_state` or [`RnnCell::state`] to read it).
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        if !self.keep_state {
            return Ok(self.step(xs, None, false)?.0);
        }
        let kept = self.state.lock().unwrap_or_else(|e| e.into_inner()).take();
        let (h, c) = self.step(xs, kept.as_ref().map(|(h, c)| (h, c.as_ref())), true)?;
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = Some((h.clone(), c));
        Ok(h)
    }
}

impl Layer for RnnCell {
    fn type_name(&self) -> &'static str {
        rnn_name(self.mode, true)
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        self.weights.visit(visit);
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        self.weights.visit(visit);
    }
    fn reset_state(&self) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
    /// syops' `rnn_cell_syops_counter_hook`: the cell's count times dim 0 of the input.
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        let batch = call.input()?.dims().first().copied().unwrap_or(1) as u64;
        Ops::total_only(self.weights.syops(self.mode, self.hidden_size) * batch)
            .exact_with(call, || {
                // Exact convention: one row per sample, `[N, H_in]` or `[H_in]`.
                let x = call.input()?;
                let rows = (x.elem_count() / self.input_size.max(1)) as u64;
                let w = &self.weights;
                Ok(ExactOps::nonzero(x, w.gate_outputs())?.with_bias(w.bias_ih_ops(rows)).with_macs(w.exact_macs(
                    self.mode,
                    self.hidden_size,
                    rows,
                    true,
                )))
            })?
            .neurobench_with(call, || self.neurobench(call))
    }
}

impl RnnCell {
    /// NeuroBench's convention: one cell step from the state this call started from (zeros for a
    /// call without one, where NeuroBench 2.3 goes wrong: the report warns).
    fn neurobench(&self, call: &Call<'_>) -> crate::Result<NeuroBenchOps> {
        let name = rnn_name(self.mode, true);
        let input = call.input()?;
        let start = self.last.lock().unwrap_or_else(|e| e.into_inner()).clone();
        let start = start.filter(|s| s.input == input.id()).ok_or_else(|| {
            crate::Error::shape(call.path(), name, "the cell's starting state for this call was not recorded")
        })?;
        let group: Synapses =
            cell_synapses(self.mode.cell_kind(), &start.x, &start.h, start.c.as_ref(), self.weights.params())?;
        let mut ops = NeuroBenchOps::cells(vec![group], &start.x)?;
        if let NeuroBenchOps::Connection { stateless, biasless_gru, .. } = &mut ops {
            *stateless = !start.given;
            *biasless_gru = self.mode == RnnMode::Gru && self.weights.b_ih.is_none();
        }
        Ok(ops)
    }
}
