//! What a recurrent layer and a cell share: the recurrence ([`RnnMode`]), one direction's weights
//! and its step, and syops' and the exact convention's counts of it.
use candle::{Result, Tensor, D};
use candle_nn::ops::sigmoid;
use candle_nn::VarBuilder;

use crate::model::{CellKind, CellParams};

/// Which recurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RnnMode {
    /// Elman RNN with `tanh` (PyTorch's default nonlinearity).
    RnnTanh,
    /// Elman RNN with `relu`.
    RnnRelu,
    /// Long short-term memory.
    Lstm,
    /// Gated recurrent unit.
    Gru,
}

impl RnnMode {
    pub(super) fn gates(self) -> usize {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => 1,
            RnnMode::Lstm => 4,
            RnnMode::Gru => 3,
        }
    }

    /// NeuroBench's cell.
    pub(super) fn cell_kind(self) -> CellKind {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => CellKind::Rnn,
            RnnMode::Lstm => CellKind::Lstm,
            RnnMode::Gru => CellKind::Gru,
        }
    }

    /// syops' `rnn_syops` extra term per hidden unit.
    pub(super) fn extra_per_hidden(self) -> u64 {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => 1,
            RnnMode::Gru => 1 + 3 + 3,
            RnnMode::Lstm => 4 + 3 + 3,
        }
    }
}

/// The weights of one direction of one layer (or of a cell).
#[derive(Debug, Clone)]
pub(super) struct CellWeights {
    pub(super) w_ih: Tensor,
    pub(super) w_hh: Tensor,
    pub(super) b_ih: Option<Tensor>,
    pub(super) b_hh: Option<Tensor>,
}

impl CellWeights {
    pub(super) fn load(
        mode: RnnMode,
        input: usize,
        hidden: usize,
        bias: bool,
        suffix: &str,
        vb: &VarBuilder,
    ) -> Result<Self> {
        let g = mode.gates() * hidden;
        let w_ih = vb.get((g, input), &format!("weight_ih{suffix}"))?;
        let w_hh = vb.get((g, hidden), &format!("weight_hh{suffix}"))?;
        let (b_ih, b_hh) = if bias {
            (Some(vb.get(g, &format!("bias_ih{suffix}"))?), Some(vb.get(g, &format!("bias_hh{suffix}"))?))
        } else {
            (None, None)
        };
        Ok(CellWeights { w_ih, w_hh, b_ih, b_hh })
    }

    pub(super) fn params(&self) -> CellParams<'_> {
        CellParams { w_ih: &self.w_ih, w_hh: &self.w_hh, b_ih: self.b_ih.as_ref(), b_hh: self.b_hh.as_ref() }
    }

    pub(super) fn visit(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.w_ih);
        visit(&self.w_hh);
        if let Some(b) = &self.b_ih {
            visit(b);
        }
        if let Some(b) = &self.b_hh {
            visit(b);
        }
    }

    /// Exact convention, for `rows` (sample, step) pairs of this direction whose input is analog
    /// (`x_ih` false: a layer above the first) or already counted (`x_ih` true): the hidden-to-hidden
    /// products, `bias_hh`, the gates' element-wise ops and, for `x_ih` false, the input-to-hidden
    /// products and `bias_ih`; all MACs.
    pub(super) fn exact_macs(&self, mode: RnnMode, hidden: usize, rows: u64, x_ih: bool) -> u64 {
        let n = |t: &Tensor| t.elem_count() as u64;
        let bias = |b: &Option<Tensor>| b.as_ref().map_or(0, n);
        let mut per_row = n(&self.w_hh) + bias(&self.b_hh) + mode.extra_per_hidden() * hidden as u64;
        if !x_ih {
            per_row += n(&self.w_ih) + bias(&self.b_ih);
        }
        rows * per_row
    }

    /// Gate outputs per row (`gates × hidden`): the weights each input element meets.
    pub(super) fn gate_outputs(&self) -> u64 {
        self.w_ih.dims()[0] as u64
    }

    /// `bias_ih` additions for `rows` rows: one per gate output.
    pub(super) fn bias_ih_ops(&self, rows: u64) -> u64 {
        if self.b_ih.is_some() {
            rows * self.gate_outputs()
        } else {
            0
        }
    }

    /// syops' `rnn_syops` plus the biases, for one sample and step.
    pub(super) fn syops(&self, mode: RnnMode, hidden: usize) -> u64 {
        let n = |t: &Tensor| t.elem_count() as u64;
        let mut ops = n(&self.w_ih) + n(&self.w_hh) + mode.extra_per_hidden() * hidden as u64;
        if let (Some(a), Some(b)) = (&self.b_ih, &self.b_hh) {
            ops += n(a) + n(b);
        }
        ops
    }

    /// `x W^T + b` for a `[rows, in]` input.
    pub(super) fn project(x: &Tensor, w: &Tensor, b: &Option<Tensor>) -> Result<Tensor> {
        let dt = x.dtype();
        let ys = x.matmul(&w.to_dtype(dt)?.t()?)?;
        match b {
            None => Ok(ys),
            Some(b) => ys.broadcast_add(&b.to_dtype(dt)?),
        }
    }

    /// One step from the input projection `gi = x W_ih^T + b_ih` and the state.
    pub(super) fn step(
        &self,
        mode: RnnMode,
        gi: &Tensor,
        h: &Tensor,
        c: Option<&Tensor>,
    ) -> Result<(Tensor, Option<Tensor>)> {
        let gh = Self::project(h, &self.w_hh, &self.b_hh)?;
        match mode {
            RnnMode::RnnTanh => Ok(((gi + gh)?.tanh()?, None)),
            RnnMode::RnnRelu => Ok(((gi + gh)?.relu()?, None)),
            RnnMode::Lstm => {
                let gates = (gi + gh)?.chunk(4, D::Minus1)?;
                let i = sigmoid(&gates[0])?;
                let f = sigmoid(&gates[1])?;
                let g = gates[2].tanh()?;
                let o = sigmoid(&gates[3])?;
                let c = c.expect("LSTM state has a cell");
                let c_new = ((f * c)? + (i * g)?)?;
                let h_new = (o * c_new.tanh()?)?;
                Ok((h_new, Some(c_new)))
            }
            RnnMode::Gru => {
                let gi = gi.chunk(3, D::Minus1)?;
                let gh = gh.chunk(3, D::Minus1)?;
                let r = sigmoid(&(&gi[0] + &gh[0])?)?;
                let z = sigmoid(&(&gi[1] + &gh[1])?)?;
                let n = (&gi[2] + (r * &gh[2])?)?.tanh()?;
                // PyTorch: h' = (1 - z) * n + z * h = n + z * (h - n)
                let h_new = (&n + (z * (h - &n)?)?)?;
                Ok((h_new, None))
            }
        }
    }
}

pub(super) fn rnn_name(mode: RnnMode, cell: bool) -> &'static str {
    match (mode, cell) {
        (RnnMode::RnnTanh | RnnMode::RnnRelu, false) => "RNN",
        (RnnMode::Lstm, false) => "LSTM",
        (RnnMode::Gru, false) => "GRU",
        (RnnMode::RnnTanh | RnnMode::RnnRelu, true) => "RNNCell",
        (RnnMode::Lstm, true) => "LSTMCell",
        (RnnMode::Gru, true) => "GRUCell",
    }
}
