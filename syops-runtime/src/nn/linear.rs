//! `nn.Linear` on inputs of any rank ≥ 1 (candle-nn's `Linear` handles ranks 2 to 4 only): the
//! leading dims are flattened, `y = x W^T + b`, then restored. Counted by syops'
//! `linear_syops_counter_hook` ([`crate::rules::linear_ops`]).
use candle::{Module, Result, Tensor};
use candle_nn::VarBuilder;

use crate::model::{Call, Layer, Ops, Role};
use crate::rules::linear_ops;

/// A fully connected layer, `weight` `[out, in]` and optional `bias` `[out]`.
#[derive(Debug, Clone)]
pub struct Linear {
    weight: Tensor,
    bias: Option<Tensor>,
}

impl Linear {
    /// Loads `weight` and, with `bias`, `bias`; where the builder initialises, uniform in
    /// ±1/√in_features, as PyTorch's `nn.Linear`.
    pub fn new(in_features: usize, out_features: usize, bias: bool, vb: VarBuilder) -> Result<Self> {
        let bound = 1.0 / (in_features as f64).sqrt();
        let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
        let weight = vb.get_with_hints((out_features, in_features), "weight", init)?;
        let bias = if bias { Some(vb.get_with_hints(out_features, "bias", init)?) } else { None };
        Ok(Linear { weight, bias })
    }

    /// From tensors.
    pub fn from_tensors(weight: Tensor, bias: Option<Tensor>) -> Self {
        Linear { weight, bias }
    }

    /// The weight, `[out, in]`.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, if any.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }
}

impl Module for Linear {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (out_f, in_f) = self.weight.dims2()?;
        if xs.rank() == 0 || xs.dim(xs.rank() - 1)? != in_f {
            candle::bail!("Linear({in_f}, {out_f}): expected an input [..., {in_f}], got shape {:?}", xs.dims());
        }
        let dt = xs.dtype();
        let lead = &xs.dims()[..xs.rank() - 1];
        let rows: usize = lead.iter().product();
        let ys = xs.reshape((rows, in_f))?.matmul(&self.weight.to_dtype(dt)?.t()?)?;
        let ys = match &self.bias {
            None => ys,
            Some(b) => ys.broadcast_add(&b.to_dtype(dt)?)?,
        };
        let mut shape = lead.to_vec();
        shape.push(out_f);
        ys.reshape(shape)
    }
}

impl Layer for Linear {
    fn type_name(&self) -> &'static str {
        "Linear"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.weight);
        if let Some(b) = &self.bias {
            visit(b);
        }
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.weight);
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        linear_ops(call, &self.weight, self.bias.is_some())
    }
}
