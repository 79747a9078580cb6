//! `nn.RNN`, `nn.GRU`, `nn.LSTM`: stacked, bidirectional, batch-first; under NeuroBench's
//! convention counted as their cells, step by step.
use candle::{Module, Result, Tensor};
use candle_nn::VarBuilder;

use super::weights::{rnn_name, CellWeights, RnnMode};
use crate::model::{cell_synapses, Call, ExactOps, Layer, NeuroBenchOps, Ops, Role};

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
