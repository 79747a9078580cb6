//! `nn.BatchNorm1d/2d/3d` in eval mode, with PyTorch's CPU arithmetic:
//! `alpha = (1 / sqrt(var + eps)) * w`, `beta = b - mean * alpha`, `y = x * alpha + beta`.
use candle::{DType, Module, Result, Tensor};
use candle_nn::VarBuilder;

use crate::model::{Call, Layer, Ops, Role};
use crate::rules::norm_ops;

/// Batch normalisation over dim 1 of a rank-2..5 input, with running statistics.
#[derive(Debug, Clone)]
pub struct BatchNorm {
    running_mean: Tensor,
    running_var: Tensor,
    weight_and_bias: Option<(Tensor, Tensor)>,
    eps: f64,
    name: &'static str,
    /// PyTorch's `num_batches_tracked` buffer (an int64 it keeps beside the running statistics;
    /// checkpoints' values are dropped on loading): NeuroBench's `Footprint` counts its 8 bytes.
    num_batches_tracked: Tensor,
}

/// Loads `running_mean`, `running_var` and (when `affine`) `weight`, `bias` of `num_features`
/// channels; `dims` (1, 2 or 3) only names the layer like PyTorch (`BatchNorm2d`). Where the
/// builder initialises, PyTorch's: mean 0, variance 1, weight 1, bias 0.
pub fn batch_norm(dims: usize, num_features: usize, affine: bool, vb: VarBuilder) -> Result<BatchNorm> {
    let (zero, one) = (candle_nn::Init::Const(0.0), candle_nn::Init::Const(1.0));
    let running_mean = vb.get_with_hints(num_features, "running_mean", zero)?;
    let running_var = vb.get_with_hints(num_features, "running_var", one)?;
    let weight_and_bias = if affine {
        Some((vb.get_with_hints(num_features, "weight", one)?, vb.get_with_hints(num_features, "bias", zero)?))
    } else {
        None
    };
    BatchNorm::new(dims, running_mean, running_var, weight_and_bias, 1e-5)
}

impl BatchNorm {
    /// From tensors; `dims` is 1, 2 or 3.
    pub fn new(
        dims: usize,
        running_mean: Tensor,
        running_var: Tensor,
        weight_and_bias: Option<(Tensor, Tensor)>,
        eps: f64,
    ) -> Result<Self> {
        let name = match dims {
            1 => "BatchNorm1d",
            2 => "BatchNorm2d",
            3 => "BatchNorm3d",
            _ => candle::bail!("BatchNorm: dims must be 1, 2 or 3, got {dims}"),
        };
        let num_batches_tracked = Tensor::zeros((), DType::I64, running_mean.device())?;
        Ok(BatchNorm { running_mean, running_var, weight_and_bias, eps, name, num_batches_tracked })
    }

    fn expected_rank(&self) -> &'static [usize] {
        match self.name {
            "BatchNorm1d" => &[2, 3],
            "BatchNorm2d" => &[4],
            _ => &[5],
        }
    }
}

impl Module for BatchNorm {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let c = self.running_mean.dim(0)?;
        if !self.expected_rank().contains(&xs.rank()) || xs.dim(1)? != c {
            candle::bail!(
                "{}({c}): expected input of rank {:?} with {c} channels at dim 1, got shape {:?}",
                self.name,
                self.expected_rank(),
                xs.dims()
            );
        }
        let dt = xs.dtype();
        let mean = self.running_mean.to_dtype(dt)?;
        let var = self.running_var.to_dtype(dt)?;
        let eps = crate::kernel::scalar::scalar(self.eps, xs)?;
        let invstd = var.broadcast_add(&eps)?.sqrt()?.recip()?;
        let (alpha, beta) = match &self.weight_and_bias {
            Some((w, b)) => {
                let alpha = invstd.mul(&w.to_dtype(dt)?)?;
                let beta = b.to_dtype(dt)?.sub(&mean.mul(&alpha)?)?;
                (alpha, beta)
            }
            None => {
                let beta = mean.mul(&invstd)?.neg()?;
                (invstd, beta)
            }
        };
        crate::kernel::channel_affine::channel_affine(xs, &alpha, &beta)
    }
}

impl Layer for BatchNorm {
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
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.running_mean);
        visit(&self.running_var);
        visit(&self.num_batches_tracked);
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        norm_ops(call, self.weight_and_bias.is_some())
    }
}
