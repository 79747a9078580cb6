//! `nn.MultiheadAttention(embed_dim, num_heads, batch_first=True)` in eval mode, with the packed
//! input projection (`in_proj_weight` `[3E, E]`, `in_proj_bias` `[3E]`) and `out_proj.weight`,
//! `out_proj.bias`; no masks, no `kdim`/`vdim`. As PyTorch with `need_weights = True`: each head
//! computes `softmax((q * sqrt(1 / d)) k^T) v`, the heads are concatenated and projected, and the
//! attention weights are averaged over the heads.
//!
//! Counted by syops' `multihead_attention_counter_hook` (total only). The rule needs the shapes of
//! q, k and v, but a [`Call`] carries the first input only: the count assumes self-attention
//! (`k` and `v` shaped like `q`), batch-first — exact for `attn(x, x, x)`. NeuroBench's
//! SynapticOperations leaves attention out (PyTorch's module never calls its `out_proj` Linear).
use candle::{Module, Result, Tensor, D};
use candle_nn::VarBuilder;

use crate::model::{Call, ExactOps, Layer, NeuroBenchOps, Ops, Role};

/// Multi-head attention over batch-first `[N, L, E]` inputs.
#[derive(Debug, Clone)]
pub struct MultiheadAttention {
    embed_dim: usize,
    num_heads: usize,
    in_proj_weight: Tensor,
    in_proj_bias: Option<Tensor>,
    out_proj_weight: Tensor,
    out_proj_bias: Option<Tensor>,
}

fn linear(x: &Tensor, w: &Tensor, b: Option<&Tensor>) -> Result<Tensor> {
    let dt = x.dtype();
    let (rows, width) = (x.elem_count() / x.dim(D::Minus1)?, x.dim(D::Minus1)?);
    let mut shape = x.dims().to_vec();
    let ys = x.reshape((rows, width))?.matmul(&w.to_dtype(dt)?.t()?)?;
    let ys = match b {
        None => ys,
        Some(b) => ys.broadcast_add(&b.to_dtype(dt)?)?,
    };
    *shape.last_mut().expect("rank >= 1") = w.dim(0)?;
    ys.reshape(shape)
}

impl MultiheadAttention {
    /// Loads `in_proj_weight`, `out_proj.weight` and, with `bias` (PyTorch's default), `in_proj_bias`
    /// and `out_proj.bias`.
    pub fn new(embed_dim: usize, num_heads: usize, bias: bool, vb: VarBuilder) -> Result<Self> {
        if num_heads == 0 || !embed_dim.is_multiple_of(num_heads) {
            candle::bail!("MultiheadAttention: embed_dim {embed_dim} must be divisible by num_heads {num_heads}");
        }
        let e = embed_dim;
        let in_proj_weight = vb.get((3 * e, e), "in_proj_weight")?;
        let out_proj_weight = vb.get((e, e), "out_proj.weight")?;
        let (in_proj_bias, out_proj_bias) =
            if bias { (Some(vb.get(3 * e, "in_proj_bias")?), Some(vb.get(e, "out_proj.bias")?)) } else { (None, None) };
        Ok(MultiheadAttention { embed_dim, num_heads, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias })
    }

    /// `attn(query, key, value)`: the output `[N, L, E]` and the head-averaged attention weights
    /// `[N, L, S]`.
    pub fn forward_qkv(&self, query: &Tensor, key: &Tensor, value: &Tensor) -> Result<(Tensor, Tensor)> {
        let (e, h) = (self.embed_dim, self.num_heads);
        let d = e / h;
        let ok = |t: &Tensor| t.rank() == 3 && t.dim(2).ok() == Some(e);
        if !ok(query)
            || !ok(key)
            || !ok(value)
            || key.dims() != value.dims()
            || query.dim(0)? != key.dim(0)?
            || key.dim(1)? == 0
        {
            candle::bail!(
                "MultiheadAttention({e}, {h}): expected batch-first q [N, L, {e}], k and v [N, S, {e}] with S > 0, got shapes {:?}, {:?}, {:?}",
                query.dims(),
                key.dims(),
                value.dims()
            );
        }
        let (n, l, s) = (query.dim(0)?, query.dim(1)?, key.dim(1)?);
        let part = |t: &Tensor, i: usize| -> Result<Tensor> {
            let w = self.in_proj_weight.narrow(0, i * e, e)?;
            let b = self.in_proj_bias.as_ref().map(|b| b.narrow(0, i * e, e)).transpose()?;
            linear(t, &w, b.as_ref())
        };
        // [N, len, E] -> [N, h, len, d]
        let heads = |t: Tensor, len: usize| t.reshape((n, len, h, d))?.transpose(1, 2)?.contiguous();
        let q = heads(part(query, 0)?, l)?;
        let k = heads(part(key, 1)?, s)?;
        let v = heads(part(value, 2)?, s)?;
        let q = q.broadcast_mul(&crate::kernel::scalar::scalar((1.0 / d as f64).sqrt(), &q)?)?;
        let scores = q.matmul(&k.transpose(2, 3)?.contiguous()?)?;
        let weights = candle_nn::ops::softmax(&scores, D::Minus1)?;
        let out = weights.matmul(&v)?.transpose(1, 2)?.contiguous()?.reshape((n, l, e))?;
        let out = linear(&out, &self.out_proj_weight, self.out_proj_bias.as_ref())?;
        let avg = weights.sum(1)?.broadcast_div(&crate::kernel::scalar::scalar(h as f64, &weights)?)?;
        Ok((out, avg))
    }
}

impl Module for MultiheadAttention {
    /// Self-attention `attn(x, x, x)`, the output only.
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(self.forward_qkv(xs, xs, xs)?.0)
    }
}

impl Layer for MultiheadAttention {
    fn type_name(&self) -> &'static str {
        "MultiheadAttention"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.in_proj_weight);
        if let Some(b) = &self.in_proj_bias {
            visit(b);
        }
        visit(&self.out_proj_weight);
        if let Some(b) = &self.out_proj_bias {
            visit(b);
        }
    }
    /// syops' hook with `q = k = v = input` (see the module docs).
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        let dims = call.input()?.dims();
        let (batch, len) = (dims.first().copied().unwrap_or(1) as u64, dims.get(1).copied().unwrap_or(1) as u64);
        let e = self.embed_dim as u64;
        let h = self.num_heads as u64;
        let d = e / h;
        let mut ops = len * e; // q scaling
        ops += 3 * len * e * e; // projections
        if self.in_proj_bias.is_some() {
            ops += 3 * len * e;
        }
        ops += h * (len * len * d + len * len + len * len * d);
        ops += len * e * (e + 1); // out projection, bias always counted
        Ops::total_only(ops * batch)
            .exact_with(call, || {
                // Exact convention: the q, k, v projections read the input as a linear layer would
                // (3E weights per element, events for spikes; one bias op per projected element); the
                // scaling, QK^T, softmax, ·V and the output projection work on analog values (MACs).
                let xs = call.input()?;
                let rows = batch * len;
                let in_bias = if self.in_proj_bias.is_some() { 3 * rows * e } else { 0 };
                let out_bias = if self.out_proj_bias.is_some() { rows * e } else { 0 };
                let macs = rows * e + batch * h * (2 * len * len * d + len * len) + rows * e * e + out_bias;
                Ok(ExactOps::nonzero(xs, 3 * e)?.with_bias(in_bias).with_macs(macs))
            })?
            .neurobench_with(call, || Ok(NeuroBenchOps::ignored()))
    }
}
