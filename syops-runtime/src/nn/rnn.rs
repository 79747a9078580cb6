//! `nn.RNN`, `nn.GRU`, `nn.LSTM` (batch-first `[N, L, H_in]` input, stacked, bidirectional, with
//! or without bias) and `nn.RNNCell`, `nn.GRUCell`, `nn.LSTMCell`, with PyTorch's gate order
//! (LSTM `i, f, g, o`; GRU `r, z, n`) and parameter names (`weight_ih_l0`, `bias_hh_l1_reverse`;
//! `weight_ih`, `bias_hh` for cells). Counted by syops' `rnn_syops_counter_hook` and
//! `rnn_cell_syops_counter_hook`: the count goes to the total only. Under NeuroBench's
//! convention a cell's call is one step of NeuroBench's cell count ([`cell_synapses`]) from the
//! state it started from, and a whole layer is counted as its cells, step by step (NeuroBench 2.3
//! itself fails on `nn.LSTM`, `nn.GRU` and `nn.RNN`).
//!
//! A cell made with [`RnnCell::keep_state`] keeps its state across `forward` calls until
//! `syops::reset` (as a PyTorch loop passing `(h, c)` back in, from zeros), so that a counted
//! `self.cell.forward(&x)` in a time loop carries its state.
//!
//! - RNN: `h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)` (or ReLU).
//! - LSTM: `i, f, g, o = σ, σ, tanh, σ` of the four gate chunks; `c' = f c + i g`, `h' = o tanh(c')`.
//! - GRU: `r = σ(.. r ..)`, `z = σ(.. z ..)`, `n = tanh(x W_in^T + b_in + r (h W_hn^T + b_hn))`,
//!   `h' = (1 - z) n + z h`.
use std::sync::Mutex;

use candle::{Module, Result, Tensor, TensorId, D};
use candle_nn::ops::sigmoid;
use candle_nn::VarBuilder;

use crate::model::{cell_synapses, Call, CellKind, CellParams, ExactOps, Layer, NeuroBenchOps, Ops, Role, Synapses};

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
    fn gates(self) -> usize {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => 1,
            RnnMode::Lstm => 4,
            RnnMode::Gru => 3,
        }
    }

    /// NeuroBench's cell.
    fn cell_kind(self) -> CellKind {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => CellKind::Rnn,
            RnnMode::Lstm => CellKind::Lstm,
            RnnMode::Gru => CellKind::Gru,
        }
    }

    /// syops' `rnn_syops` extra term per hidden unit.
    fn extra_per_hidden(self) -> u64 {
        match self {
            RnnMode::RnnTanh | RnnMode::RnnRelu => 1,
            RnnMode::Gru => 1 + 3 + 3,
            RnnMode::Lstm => 4 + 3 + 3,
        }
    }
}

/// The weights of one direction of one layer (or of a cell).
#[derive(Debug, Clone)]
struct CellWeights {
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Option<Tensor>,
    b_hh: Option<Tensor>,
}

impl CellWeights {
    fn load(mode: RnnMode, input: usize, hidden: usize, bias: bool, suffix: &str, vb: &VarBuilder) -> Result<Self> {
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

    fn params(&self) -> CellParams<'_> {
        CellParams { w_ih: &self.w_ih, w_hh: &self.w_hh, b_ih: self.b_ih.as_ref(), b_hh: self.b_hh.as_ref() }
    }

    fn visit(&self, visit: &mut dyn FnMut(&Tensor)) {
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
    fn exact_macs(&self, mode: RnnMode, hidden: usize, rows: u64, x_ih: bool) -> u64 {
        let n = |t: &Tensor| t.elem_count() as u64;
        let bias = |b: &Option<Tensor>| b.as_ref().map_or(0, n);
        let mut per_row = n(&self.w_hh) + bias(&self.b_hh) + mode.extra_per_hidden() * hidden as u64;
        if !x_ih {
            per_row += n(&self.w_ih) + bias(&self.b_ih);
        }
        rows * per_row
    }

    /// Gate outputs per row (`gates × hidden`): the weights each input element meets.
    fn gate_outputs(&self) -> u64 {
        self.w_ih.dims()[0] as u64
    }

    /// `bias_ih` additions for `rows` rows: one per gate output.
    fn bias_ih_ops(&self, rows: u64) -> u64 {
        if self.b_ih.is_some() {
            rows * self.gate_outputs()
        } else {
            0
        }
    }

    /// syops' `rnn_syops` plus the biases, for one sample and step.
    fn syops(&self, mode: RnnMode, hidden: usize) -> u64 {
        let n = |t: &Tensor| t.elem_count() as u64;
        let mut ops = n(&self.w_ih) + n(&self.w_hh) + mode.extra_per_hidden() * hidden as u64;
        if let (Some(a), Some(b)) = (&self.b_ih, &self.b_hh) {
            ops += n(a) + n(b);
        }
        ops
    }

    /// `x W^T + b` for a `[rows, in]` input.
    fn project(x: &Tensor, w: &Tensor, b: &Option<Tensor>) -> Result<Tensor> {
        let dt = x.dtype();
        let ys = x.matmul(&w.to_dtype(dt)?.t()?)?;
        match b {
            None => Ok(ys),
            Some(b) => ys.broadcast_add(&b.to_dtype(dt)?),
        }
    }

    /// One step from the input projection `gi = x W_ih^T + b_ih` and the state.
    fn step(&self, mode: RnnMode, gi: &Tensor, h: &Tensor, c: Option<&Tensor>) -> Result<(Tensor, Option<Tensor>)> {
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

fn rnn_name(mode: RnnMode, cell: bool) -> &'static str {
    match (mode, cell) {
        (RnnMode::RnnTanh | RnnMode::RnnRelu, false) => "RNN",
        (RnnMode::Lstm, false) => "LSTM",
        (RnnMode::Gru, false) => "GRU",
        (RnnMode::RnnTanh | RnnMode::RnnRelu, true) => "RNNCell",
        (RnnMode::Lstm, true) => "LSTMCell",
        (RnnMode::Gru, true) => "GRUCell",
    }
}

/// Options of a recurrent layer (PyTorch's defaults: one layer, unidirectional, with bias).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RnnConfig {
    /// Stacked layers.
    pub num_layers: usize,
    /// Whether each layer also runs backwards (outputs concatenated, forward first).
    pub bidirectional: bool,
    /// Whether the layers have `bias_ih`/`bias_hh`.
    pub bias: bool,
}

impl Default for RnnConfig {
    fn default() -> Self {
        RnnConfig { num_layers: 1, bidirectional: false, bias: true }
    }
}

/// What a recurrent layer returns: the output sequence `[N, L, D * H]`, the final hidden states
/// `h_n` `[D * num_layers, N, H]` and, for an LSTM, the final cell states `c_n`.
#[derive(Debug, Clone)]
pub struct RnnOutput {
    /// Output of the last layer at every step.
    pub output: Tensor,
    /// Final hidden state of every layer and direction.
    pub h_n: Tensor,
    /// Final cell state of every layer and direction (LSTM only).
    pub c_n: Option<Tensor>,
}

/// `nn.RNN`, `nn.GRU` or `nn.LSTM` with `batch_first = True`.
#[derive(Debug, Clone)]
pub struct Rnn {
    mode: RnnMode,
    input_size: usize,
    hidden_size: usize,
    cfg: RnnConfig,
    /// `[layer * dirs + dir]`.
    weights: Vec<CellWeights>,
}

impl Rnn {
    /// Loads `weight_ih_l{k}`, `weight_hh_l{k}`, `bias_ih_l{k}`, `bias_hh_l{k}` (and `..._reverse`).
    pub fn new(mode: RnnMode, input_size: usize, hidden_size: usize, cfg: RnnConfig, vb: VarBuilder) -> Result<Self> {
        if cfg.num_layers == 0 || hidden_size == 0 {
            candle::bail!("{}: num_layers and hidden_size must be positive", rnn_name(mode, false));
        }
        let dirs = if cfg.bidirectional { 2 } else { 1 };
        let mut weights = Vec::with_capacity(cfg.num_layers * dirs);
        for layer in 0..cfg.num_layers {
            let input = if layer == 0 { input_size } else { hidden_size * dirs };
            for dir in 0..dirs {
                let suffix = format!("_l{layer}{}", if dir == 1 { "_reverse" } else { "" });
                weights.push(CellWeights::load(mode, input, hidden_size, cfg.bias, &suffix, &vb)?);
            }
        }
        Ok(Rnn { mode, input_size, hidden_size, cfg, weights })
    }

    /// `nn.LSTM(input_size, hidden_size, batch_first=True, ...)`.
    pub fn lstm(input_size: usize, hidden_size: usize, cfg: RnnConfig, vb: VarBuilder) -> Result<Self> {
        Self::new(RnnMode::Lstm, input_size, hidden_size, cfg, vb)
    }

    /// `nn.GRU(input_size, hidden_size, batch_first=True, ...)`.
    pub fn gru(input_size: usize, hidden_size: usize, cfg: RnnConfig, vb: VarBuilder) -> Result<Self> {
        Self::new(RnnMode::Gru, input_size, hidden_size, cfg, vb)
    }

    /// `nn.RNN(input_size, hidden_size, batch_first=True, ...)` with `tanh`.
    pub fn rnn_tanh(input_size: usize, hidden_size: usize, cfg: RnnConfig, vb: VarBuilder) -> Result<Self> {
        Self::new(RnnMode::RnnTanh, input_size, hidden_size, cfg, vb)
    }

    /// Runs the sequence from zero states (or `h0`, `c0`, `[D * num_layers, N, H]`).
    pub fn forward_with_state(&self, xs: &Tensor, h0: Option<&Tensor>, c0: Option<&Tensor>) -> Result<RnnOutput> {
        self.run(xs, h0, c0, None)
    }

    /// The sequence, handing `observe` each step's cell (`layer · dirs + dir`), input and state
    /// before the step.
    fn run(
        &self,
        xs: &Tensor,
        h0: Option<&Tensor>,
        c0: Option<&Tensor>,
        mut observe: Option<Observer<'_>>,
    ) -> Result<RnnOutput> {
        let name = rnn_name(self.mode, false);
        let (h, inp) = (self.hidden_size, self.input_size);
        if xs.rank() != 3 || xs.dim(2)? != inp || xs.dim(1)? == 0 {
            candle::bail!(
                "{name}({inp}, {h}): expected a batch-first input [N, L, {inp}] with L > 0, got shape {:?}",
                xs.dims()
            );
        }
        let (n, l) = (xs.dim(0)?, xs.dim(1)?);
        let dirs = if self.cfg.bidirectional { 2 } else { 1 };
        let states = self.cfg.num_layers * dirs;
        let zeros = Tensor::zeros((states, n, h), xs.dtype(), xs.device())?;
        let check = |t: Option<&Tensor>, what: &str| -> Result<Tensor> {
            match t {
                None => Ok(zeros.clone()),
                Some(t) if t.dims() == [states, n, h] => t.to_dtype(xs.dtype()),
                Some(t) => candle::bail!("{name}: {what} must have shape [{states}, {n}, {h}], got {:?}", t.dims()),
            }
        };
        let h0 = check(h0, "h0")?;
        let c0 = check(c0, "c0")?;
        let mut layer_in = xs.clone();
        let (mut h_n, mut c_n) = (Vec::with_capacity(states), Vec::with_capacity(states));
        for layer in 0..self.cfg.num_layers {
            let mut dir_outs = Vec::with_capacity(dirs);
            for dir in 0..dirs {
                let idx = layer * dirs + dir;
                let w = &self.weights[idx];
                let width = layer_in.dim(2)?;
                let gi =
                    CellWeights::project(&layer_in.reshape((n * l, width))?, &w.w_ih, &w.b_ih)?.reshape((n, l, ()))?;
                let mut hs = h0.get(idx)?;
                let mut cs = if self.mode == RnnMode::Lstm { Some(c0.get(idx)?) } else { None };
                let mut outs = vec![None; l];
                for s in 0..l {
                    let t = if dir == 0 { s } else { l - 1 - s };
                    if let Some(observe) = observe.as_mut() {
                        observe(idx, &layer_in.get_on_dim(1, t)?, &hs, cs.as_ref())?;
                    }
                    let (h_new, c_new) = w.step(self.mode, &gi.get_on_dim(1, t)?, &hs, cs.as_ref())?;
                    outs[t] = Some(h_new.clone());
                    hs = h_new;
                    cs = c_new;
                }
                let outs: Vec<Tensor> = outs.into_iter().map(|o| o.expect("every step ran")).collect();
                dir_outs.push(Tensor::stack(&outs, 1)?);
                h_n.push(hs);
                if let Some(c) = cs {
                    c_n.push(c);
                }
            }
            layer_in = Tensor::cat(&dir_outs, 2)?;
        }
        let c_n = if c_n.is_empty() { None } else { Some(Tensor::stack(&c_n, 0)?) };
        Ok(RnnOutput { output: layer_in, h_n: Tensor::stack(&h_n, 0)?, c_n })
    }
}

/// What [`Rnn::run`] hands each step: the cell's index, its input and state before the step.
type Observer<'a> = &'a mut dyn FnMut(usize, &Tensor, &Tensor, Option<&Tensor>) -> Result<()>;

impl Module for Rnn {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(self.forward_with_state(xs, None, None)?.output)
    }
}

impl Layer for Rnn {
    fn type_name(&self) -> &'static str {
        rnn_name(self.mode, false)
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        for w in &self.weights {
            w.visit(visit);
        }
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        self.params(visit)
    }
    /// syops sums each layer's forward-direction count, times batch and length, doubled when
    /// bidirectional (dims 0 and 1 of the input: batch-first).
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        let dims = call.input()?.dims();
        let dirs = if self.cfg.bidirectional { 2 } else { 1 };
        let per_step: u64 =
            (0..self.cfg.num_layers).map(|k| self.weights[k * dirs].syops(self.mode, self.hidden_size)).sum();
        let batch = dims.first().copied().unwrap_or(1) as u64;
        let len = dims.get(1).copied().unwrap_or(1) as u64;
        Ops::total_only(per_step * batch * len * dirs as u64)
            .exact_with(call, || self.exact(call))?
            .neurobench_with(call, || self.neurobench(call))
    }
}

impl Rnn {
    /// Exact convention: every direction of the first layer reads `x` as a linear layer would
    /// (`nnz(x) × gates × H` ACs for spikes); every other product is on analog values (MACs).
    fn exact(&self, call: &Call<'_>) -> crate::Result<ExactOps> {
        let x = call.input()?;
        if x.rank() != 3 {
            let msg = format!("exact count: expected a batch-first input [N, L, H_in], got shape {:?}", x.dims());
            return Err(crate::Error::shape(call.path(), rnn_name(self.mode, false), msg));
        }
        let rows = (x.dim(0)? * x.dim(1)?) as u64;
        let dirs = if self.cfg.bidirectional { 2 } else { 1 };
        let fan_out: u64 = self.weights[..dirs].iter().map(CellWeights::gate_outputs).sum();
        let mut exact = ExactOps::nonzero(x, fan_out)?;
        for (idx, w) in self.weights.iter().enumerate() {
            let first = idx < dirs;
            if first {
                exact.bias += w.bias_ih_ops(rows);
            }
            exact.macs += w.exact_macs(self.mode, self.hidden_size, rows, first);
        }
        Ok(exact)
    }

    /// NeuroBench's convention: every step of every layer and direction, as NeuroBench counts a
    /// cell called with its state (the sequence is run again to see each step's state).
    fn neurobench(&self, call: &Call<'_>) -> crate::Result<NeuroBenchOps> {
        let x = call.input()?;
        let mut groups = Vec::new();
        let kind = self.mode.cell_kind();
        self.run(
            x,
            None,
            None,
            Some(&mut |idx, x_t, h, c| {
                groups.push(cell_synapses(kind, x_t, h, c, self.weights[idx].params()).map_err(to_candle)?);
                Ok(())
            }),
        )
        .map_err(|e| crate::Error::shape(call.path(), rnn_name(self.mode, false), e.to_string()))?;
        let mut ops = NeuroBenchOps::cells(groups, x)?;
        if let NeuroBenchOps::Connection { unrolled, biasless_gru, .. } = &mut ops {
            *unrolled = true;
            *biasless_gru = self.mode == RnnMode::Gru && !self.cfg.bias;
        }
        Ok(ops)
    }
}

fn to_candle(e: crate::Error) -> candle::Error {
    match e {
        crate::Error::Candle(e) => e,
        e => candle::Error::Msg(e.to_string()),
    }
}

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
