//! NeuroBench 2.3's count of one recurrent cell step (`recurrent_cell_macs` in
//! `neurobench/metrics/utils/layers/macs.py`), reproduced term by term on binarised tensors
//! (`nz(t)`: 1 where `t ≠ 0`). `x`, `h`, `c` are the step's input and states, the weights and
//! biases those of the cell (PyTorch's gate order: LSTM `i, f, g, o`; GRU `r, z, n`).
//!
//! - **RNN**: `Σ (nz(x) W_ih^T + nz(h) W_hh^T)` (binarised weights).
//! - **LSTM**: `s = nz(x) W_ih^T + nz(h) W_hh^T`; the gates `i, f, g, o = nz(s + b)` (`b` the sum of
//!   the binarised biases); `c' = f·nz(c) + i·g`; the count is `Σ s + Σ c' + Σ nz(o · nz(c'))`.
//! - **GRU**: `s = nz(x) W_ih^T + nz(h) W_hh^T`, `r, z, _ = s + b`; `a = nz(nz(r) · nz(hh_n + b_hn))`
//!   (`hh_n` the `n` rows of `nz(h) W_hh^T`); `n = nz(hh_n + b_ih[2] + a)` (NeuroBench adds the
//!   third element of `b_ih`, and the hidden part of `n`, as its code does); the count is
//!   `Σ s + Σ a + Σ (nz(nz(1 − z) · n) + nz(nz(z) · nz(h)))`.
//!
//! `Dense` is the same with every weight, bias and input 1, and the hidden state 1 too, except for
//! the LSTM: NeuroBench replaces only the top level of its inputs by ones, so the LSTM's `(h, c)`
//! (a nested tuple) stay binarised in `Dense`. The spike test reads `x` only.
use candle::{DType, Tensor, D};

use super::neurobench_ops::{mask, off_spike, Synapses};
use crate::Result;

/// Which cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// `nn.RNNCell` (either nonlinearity: the count does not depend on it).
    Rnn,
    /// `nn.LSTMCell`.
    Lstm,
    /// `nn.GRUCell`.
    Gru,
}

/// A cell's weights and biases, PyTorch's layout (`[gates · H, in]`, `[gates · H, H]`, `[gates · H]`).
#[derive(Debug, Clone, Copy)]
pub struct CellParams<'a> {
    /// Input-to-hidden weights.
    pub w_ih: &'a Tensor,
    /// Hidden-to-hidden weights.
    pub w_hh: &'a Tensor,
    /// Input-to-hidden bias.
    pub b_ih: Option<&'a Tensor>,
    /// Hidden-to-hidden bias.
    pub b_hh: Option<&'a Tensor>,
}

fn nz(t: &Tensor) -> Result<Tensor> {
    mask(t)
}

fn ones(t: &Tensor) -> Result<Tensor> {
    Ok(Tensor::ones(t.dims(), DType::F64, t.device())?)
}

/// The binarised (or, for `Dense`, all-ones) operands of one count.
struct Operands {
    x: Tensor,
    h: Tensor,
    c: Tensor,
    w_ih: Tensor,
    w_hh: Tensor,
    b_ih: Option<Tensor>,
    b_hh: Option<Tensor>,
}

/// One step of a cell on `x` `[B, in]`, `h` `[B, H]` (and an LSTM's `c`): its effective and dense
/// counts and its spike test, as one group of synapses.
pub fn cell_synapses(
    kind: CellKind,
    x: &Tensor,
    h: &Tensor,
    c: Option<&Tensor>,
    p: CellParams<'_>,
) -> Result<Synapses> {
    let zeros_c;
    let c = match c {
        Some(c) => c,
        None => {
            zeros_c = h.zeros_like()?;
            &zeros_c
        }
    };
    let bin = |t: Option<&Tensor>| t.map(nz).transpose();
    let effective = Operands {
        x: nz(x)?,
        h: nz(h)?,
        c: nz(c)?,
        w_ih: nz(p.w_ih)?,
        w_hh: nz(p.w_hh)?,
        b_ih: bin(p.b_ih)?,
        b_hh: bin(p.b_hh)?,
    };
    let one = |t: Option<&Tensor>| t.map(ones).transpose();
    let dense = Operands {
        x: ones(x)?,
        h: if kind == CellKind::Lstm { nz(h)? } else { ones(h)? },
        c: nz(c)?,
        w_ih: ones(p.w_ih)?,
        w_hh: ones(p.w_hh)?,
        b_ih: one(p.b_ih)?,
        b_hh: one(p.b_hh)?,
    };
    Synapses::new(&count(kind, &effective)?, &count(kind, &dense)?, &off_spike(x)?, 0)
}

/// NeuroBench's count of one step on binarised operands, as a 0-d F64 tensor.
fn count(kind: CellKind, o: &Operands) -> Result<Tensor> {
    let out_ih = o.x.matmul(&o.w_ih.t()?)?;
    let out_hh = o.h.matmul(&o.w_hh.t()?)?;
    let s = (&out_ih + &out_hh)?;
    let biases = match (&o.b_ih, &o.b_hh) {
        (Some(a), Some(b)) => Some((a + b)?),
        _ => None,
    };
    let with_bias = |t: &Tensor| -> Result<Tensor> {
        Ok(match &biases {
            Some(b) => t.broadcast_add(b)?,
            None => t.clone(),
        })
    };
    match kind {
        CellKind::Rnn => Ok(s.sum_all()?),
        CellKind::Lstm => {
            let gates = nz(&with_bias(&s)?)?.chunk(4, D::Minus1)?;
            let (i, f, g, og) = (&gates[0], &gates[1], &gates[2], &gates[3]);
            let c1 = ((f * &o.c)? + (i * g)?)?;
            let out = nz(&(og * nz(&c1)?)?)?;
            Ok(((s.sum_all()? + c1.sum_all()?)? + out.sum_all()?)?)
        }
        CellKind::Gru => {
            let rzn = with_bias(&s)?.chunk(3, D::Minus1)?;
            let (r, z) = (&rzn[0], &rzn[1]);
            let hh_n = &out_hh.chunk(3, D::Minus1)?[2];
            let b_hn = match &o.b_hh {
                Some(b) => b.chunk(3, 0)?[2].clone(),
                None => Tensor::zeros(hh_n.dim(1)?, DType::F64, hh_n.device())?,
            };
            let out_hh_n = nz(&hh_n.broadcast_add(&b_hn)?)?;
            let a = nz(&(nz(r)? * out_hh_n)?)?;
            // NeuroBench adds `bias_ih[2, :]`, the third element of the (binarised) input bias.
            let b_ih2 = match &o.b_ih {
                Some(b) => b.narrow(0, 2, 1)?,
                None => Tensor::zeros(1, DType::F64, hh_n.device())?,
            };
            let n = nz(&(hh_n.broadcast_add(&b_ih2)? + &a)?)?;
            let z_a = nz(&z.affine(-1.0, 1.0)?)?;
            let t1 = nz(&(z_a * n)?)?;
            let t2 = nz(&(nz(z)? * &o.h)?)?;
            Ok(((s.sum_all()? + a.sum_all()?)? + (t1 + t2)?.sum_all()?)?)
        }
    }
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    fn values(s: &Synapses) -> Vec<f64> {
        let ops = super::super::NeuroBenchOps::connection(
            vec![s.clone()],
            Tensor::zeros((), DType::F64, &Device::Cpu).unwrap(),
            &Tensor::zeros(1, DType::F32, &Device::Cpu).unwrap(),
        );
        ops.values().unwrap().to_vec1::<f64>().unwrap()[1..].to_vec()
    }

    #[test]
    fn rnn_cell_counts_nonzero_products_of_input_and_state() {
        let dev = Device::Cpu;
        // in 3, H 2: x has two non-zeros, h one; W_ih has one zero in the used columns, W_hh none.
        let x = Tensor::new(&[[1f32, 0., 1.]], &dev).unwrap();
        let h = Tensor::new(&[[0f32, 0.3]], &dev).unwrap();
        let w_ih = Tensor::new(&[[1f32, 1., 0.], [1., 1., 1.]], &dev).unwrap();
        let w_hh = Tensor::new(&[[1f32, 1.], [1., 1.]], &dev).unwrap();
        let p = CellParams { w_ih: &w_ih, w_hh: &w_hh, b_ih: None, b_hh: None };
        let s = cell_synapses(CellKind::Rnn, &x, &h, None, p).unwrap();
        // effective: x·W_ih: row 0 meets 1 (col 0), row 1 meets 2; h·W_hh: 1 + 1. Dense: 2·3 + 2·2.
        // Off-spike: h is not tested, x is all 0/1.
        assert_eq!(values(&s), [5.0, 10.0, 0.0]);
    }

    #[test]
    fn lstm_dense_keeps_the_states_binarised() {
        let dev = Device::Cpu;
        // in 1, H 1, gates 4; x analog, h and c zero.
        let x = Tensor::new(&[[0.5f32]], &dev).unwrap();
        let h = Tensor::zeros((1, 1), DType::F32, &dev).unwrap();
        let w_ih = Tensor::ones((4, 1), DType::F32, &dev).unwrap();
        let w_hh = Tensor::ones((4, 1), DType::F32, &dev).unwrap();
        let b = Tensor::ones(4, DType::F32, &dev).unwrap();
        let p = CellParams { w_ih: &w_ih, w_hh: &w_hh, b_ih: Some(&b), b_hh: Some(&b) };
        let s = cell_synapses(CellKind::Lstm, &x, &h, Some(&h), p).unwrap();
        // s = [1, 1, 1, 1] (x only), gates all 1, c' = 0·0 + 1·1 = 1, out 1: 4 + 1 + 1 = 6, in both
        // counts (h and c are zero, so all-ones x and weights change nothing); x is off-spike.
        assert_eq!(values(&s), [6.0, 6.0, 1.0]);
    }
}
