//! `nn.InstanceNorm1d/2d/3d` and `nn.GroupNorm`: normalisation with the statistics of the input
//! itself (mean and biased variance, `eps` 1e-5 by default), as PyTorch computes them:
//! `y = (x - mean) * (1 / sqrt(var + eps)) * weight + bias`. InstanceNorm keeps no running
//! statistics here (PyTorch's default `track_running_stats = False`). Counted by syops'
//! `bn_syops_counter_hook` ([`crate::rules::norm_ops`]): `numel(input)`, twice that when affine.
use candle::{Module, Result, Tensor, D};
use candle_nn::VarBuilder;

use crate::model::{Call, Layer, Ops, Role};
use crate::rules::norm_ops;

/// Normalises `[N, G, M]` over its last dim: `(x - mean) * invstd`.
fn normalise(xs: &Tensor, eps: f64) -> Result<Tensor> {
    let m = crate::kernel::scalar::scalar(xs.dim(D::Minus1)? as f64, xs)?;
    let mean = xs.sum_keepdim(D::Minus1)?.broadcast_div(&m)?;
    let centred = xs.broadcast_sub(&mean)?;
    let var = centred.sqr()?.sum_keepdim(D::Minus1)?.broadcast_div(&m)?;
    let invstd = var.broadcast_add(&crate::kernel::scalar::scalar(eps, xs)?)?.sqrt()?.recip()?;
    centred.broadcast_mul(&invstd)
}

/// Applies per-channel `weight`, `bias` along dim 1 of `ys` (as batch normalisation does).
fn affine(ys: &Tensor, wb: &Option<(Tensor, Tensor)>) -> Result<Tensor> {
    match wb {
        None => Ok(ys.clone()),
        Some((w, b)) => {
            crate::kernel::channel_affine::channel_affine(ys, &w.to_dtype(ys.dtype())?, &b.to_dtype(ys.dtype())?)
        }
    }
}

/// `nn.InstanceNorm{dims}d(num_features, eps=1e-5, affine=...)` over `[N, C, spatial...]`
/// (or unbatched `[C, spatial...]`) inputs.
#[derive(Debug, Clone)]
pub struct InstanceNorm {
    num_features: usize,
    weight_and_bias: Option<(Tensor, Tensor)>,
    eps: f64,
    dims: usize,
    name: &'static str,
}

/// `weight` and `bias` of `n` channels; where the builder initialises, 1 and 0 (PyTorch's).
fn affine_params(n: usize, vb: &VarBuilder) -> Result<(Tensor, Tensor)> {
    Ok((
        vb.get_with_hints(n, "weight", candle_nn::Init::Const(1.0))?,
        vb.get_with_hints(n, "bias", candle_nn::Init::Const(0.0))?,
    ))
}

impl InstanceNorm {
    /// `dims` (1, 2 or 3) spatial dims; loads `weight` and `bias` of `num_features` when `affine`.
    pub fn new(dims: usize, num_features: usize, affine: bool, vb: VarBuilder) -> Result<Self> {
        let wb = if affine { Some(affine_params(num_features, &vb)?) } else { None };
        Self::from_tensors(dims, num_features, wb, 1e-5)
    }

    /// From tensors.
    pub fn from_tensors(
        dims: usize,
        num_features: usize,
        weight_and_bias: Option<(Tensor, Tensor)>,
        eps: f64,
    ) -> Result<Self> {
        let name = match dims {
            1 => "InstanceNorm1d",
            2 => "InstanceNorm2d",
            3 => "InstanceNorm3d",
            _ => candle::bail!("InstanceNorm: dims must be 1, 2 or 3, got {dims}"),
        };
        Ok(InstanceNorm { num_features, weight_and_bias, eps, dims, name })
    }
}

impl Module for InstanceNorm {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let c = self.num_features;
        let (name, dims) = (self.name, self.dims);
        let batched = xs.rank() == dims + 2;
        if !(batched || xs.rank() == dims + 1) || xs.dim(if batched { 1 } else { 0 })? != c {
            candle::bail!(
                "{name}({c}): expected an input [N, {c}, spatial...] of rank {} (or unbatched, rank {}), got shape {:?}",
                dims + 2,
                dims + 1,
                xs.dims()
            );
        }
        let xs4 = if batched { xs.clone() } else { xs.unsqueeze(0)? };
        let n = xs4.dim(0)?;
        if xs4.elem_count() == 0 {
            candle::bail!("{name}({c}): empty input of shape {:?}", xs.dims());
        }
        let ys = normalise(&xs4.reshape((n, c, ()))?, self.eps)?.reshape(xs4.dims())?;
        let ys = affine(&ys, &self.weight_and_bias)?;
        if batched {
            Ok(ys)
        } else {
            ys.squeeze(0)
        }
    }
}

impl Layer for InstanceNorm {
    fn type_name(&self) -> &'static str {
        self.name
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some((w, b)) = &self.weight_and_bias {
            visit(w);
            visit(b);
        }
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        norm_ops(call, self.weight_and_bias.is_some())
    }
}

/// `nn.GroupNorm(num_groups, num_channels, eps=1e-5, affine=...)` over `[N, C, ...]` inputs.
#[derive(Debug, Clone)]
pub struct GroupNorm {
    num_groups: usize,
    num_channels: usize,
    weight_and_bias: Option<(Tensor, Tensor)>,
    eps: f64,
}

impl GroupNorm {
    /// Loads `weight` and `bias` of `num_channels` (PyTorch's default `affine = True`).
    pub fn new(num_groups: usize, num_channels: usize, vb: VarBuilder) -> Result<Self> {
        let wb = Some(affine_params(num_channels, &vb)?);
        Self::from_tensors(num_groups, num_channels, wb, 1e-5)
    }

    /// From tensors; `None` is `affine = False`.
    pub fn from_tensors(
        num_groups: usize,
        num_channels: usize,
        weight_and_bias: Option<(Tensor, Tensor)>,
        eps: f64,
    ) -> Result<Self> {
        if num_groups == 0 || !num_channels.is_multiple_of(num_groups) {
            candle::bail!("GroupNorm: num_channels {num_channels} must be divisible by num_groups {num_groups}");
        }
        Ok(GroupNorm { num_groups, num_channels, weight_and_bias, eps })
    }
}

impl Module for GroupNorm {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (g, c) = (self.num_groups, self.num_channels);
        if xs.rank() < 2 || xs.dim(1)? != c || xs.elem_count() == 0 {
            candle::bail!("GroupNorm({g}, {c}): expected a non-empty input [N, {c}, ...], got shape {:?}", xs.dims());
        }
        let n = xs.dim(0)?;
        let ys = normalise(&xs.reshape((n, g, ()))?, self.eps)?.reshape(xs.dims())?;
        affine(&ys, &self.weight_and_bias)
    }
}

impl Layer for GroupNorm {
    fn type_name(&self) -> &'static str {
        "GroupNorm"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some((w, b)) = &self.weight_and_bias {
            visit(w);
            visit(b);
        }
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        norm_ops(call, self.weight_and_bias.is_some())
    }
}
