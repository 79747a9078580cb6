//! A neuron's constant (`beta`, `alpha`, `threshold`, `graded_spikes_factor`, `V`, `R`, `C`,
//! `time_step`): a 0-d or per-neuron tensor, a parameter when learnable (counted in the report's
//! params) and a buffer otherwise, as snnTorch registers it.
//!
//! In a step it takes the input's dtype, as in a model converted with `.to(dtype)`. snnTorch's
//! spikes and reset signals are float32 whatever that dtype (its Heaviside ends in `.float()`), and
//! PyTorch multiplies a float32 tensor by a 0-d constant in float32: in a float64 model the
//! threshold a reset subtracts is the float32 threshold (and so are the graded spike factor and a
//! one-to-one `V`). [`Coef::times`] reproduces that.
use candle::{DType, Device, Result, Tensor};
use candle_nn::VarBuilder;

/// A named constant of a neuron.
#[derive(Debug, Clone)]
pub(super) struct Coef {
    name: &'static str,
    value: Tensor,
    learnable: bool,
}

/// PyTorch's promotion of two floating-point dtypes of dimensioned tensors.
pub(super) fn promote(a: DType, b: DType) -> DType {
    match (a, b) {
        _ if a == b => a,
        (DType::F64, _) | (_, DType::F64) => DType::F64,
        _ => DType::F32,
    }
}

impl Coef {
    /// `torch.as_tensor(value)`: a 0-d float32 (widened exactly in a float64 model).
    pub fn scalar(name: &'static str, value: f64, learnable: bool) -> Result<Self> {
        Ok(Coef { name, value: Tensor::new(value as f32, &Device::Cpu)?, learnable })
    }

    /// From a tensor of any broadcastable shape.
    pub fn from_tensor(name: &'static str, value: Tensor, learnable: bool) -> Self {
        Coef { name, value, learnable }
    }

    /// The state-dict entry `name` under `vb`, of whatever shape it was saved with.
    pub fn load(vb: &VarBuilder, name: &'static str, learnable: bool) -> Result<Self> {
        let value = vb
            .get_unchecked(name)
            .map_err(|e| candle::Error::Msg(format!("snnTorch neuron `{}`: cannot load `{name}`: {e}", vb.prefix())))?;
        Ok(Coef { name, value, learnable })
    }

    /// The tensor as stored.
    pub fn value(&self) -> &Tensor {
        &self.value
    }

    /// Visits the tensor when it is a parameter.
    pub fn visit(&self, visit: &mut dyn FnMut(&Tensor)) {
        if self.learnable {
            visit(&self.value)
        }
    }

    /// Visits the tensor when it is a buffer (not learnable).
    pub fn visit_buffer(&self, visit: &mut dyn FnMut(&Tensor)) {
        if !self.learnable {
            visit(&self.value)
        }
    }

    /// In `xs`'s dtype and device; an error unless it broadcasts to `xs`'s shape.
    pub fn like(&self, xs: &Tensor) -> Result<Tensor> {
        if self.value.broadcast_as(xs.shape()).is_err() {
            candle::bail!(
                "snnTorch neuron: `{}` of shape {:?} does not broadcast to the input's shape {:?}",
                self.name,
                self.value.dims(),
                xs.dims()
            );
        }
        self.value.to_device(xs.device())?.to_dtype(xs.dtype())
    }

    /// `clamp(0, 1)` in `xs`'s dtype, as snnTorch uses `alpha` and `beta` in every step.
    pub fn clamped(&self, xs: &Tensor) -> Result<Tensor> {
        self.like(xs)?.clamp(0.0, 1.0)
    }

    /// The constant as PyTorch multiplies it by a dimensioned tensor of dtype `lhs` whose values
    /// are exact in every dtype (spikes, reset signals): computed in `lhs` when the constant is
    /// 0-d, in the promotion of both otherwise; returned in `xs`'s dtype.
    pub fn times(&self, lhs: DType, xs: &Tensor) -> Result<Tensor> {
        let dtype = if self.value.rank() == 0 { lhs } else { promote(lhs, xs.dtype()) };
        self.like(xs)?.to_dtype(dtype)?.to_dtype(xs.dtype())
    }
}
