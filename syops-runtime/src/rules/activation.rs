//! Activations: `numel(output)`, spike-tested on `output[0]` (syops' `relu_syops_counter_hook`).
//! syops has rules for ReLU, ReLU6, ELU, LeakyReLU, GELU and PReLU; candle-nn's other activations
//! are reported as uncounted. Under NeuroBench's convention ReLU is an activation layer (its
//! output's sparsity); NeuroBench also hooks Sigmoid, which syops cannot count (no rule).
use candle::Tensor;
use candle_nn::{Activation, PReLU};

use crate::model::{numel, Call, ExactOps, Layer, NeuroBenchOps, Ops, Role};
use crate::Result;

/// The dense count of an activation call.
pub fn activation_ops(call: &Call<'_>) -> Result<Ops> {
    let dense = numel(call.output()?.dims());
    Ops::elementwise_output(dense).exact_with(call, || Ok(ExactOps::dense(dense)))
}

impl Layer for Activation {
    fn type_name(&self) -> &'static str {
        match self {
            Activation::Relu => "ReLU",
            Activation::Relu6 => "ReLU6",
            Activation::Elu(_) => "ELU",
            Activation::LeakyRelu(_) => "LeakyReLU",
            Activation::Gelu => "GELU",
            Activation::NewGelu | Activation::GeluPytorchTanh => "GELU(tanh)",
            Activation::Relu2 => "Relu2",
            Activation::Silu => "SiLU",
            Activation::Sigmoid => "Sigmoid",
            Activation::HardSigmoid => "Hardsigmoid",
            Activation::Swiglu => "Swiglu",
            Activation::Swish => "Swish",
            Activation::Mish => "Mish",
            Activation::HardSwish => "Hardswish",
        }
    }
    fn role(&self) -> Role {
        match self {
            Activation::Relu | Activation::Relu6 | Activation::Elu(_) | Activation::LeakyRelu(_) | Activation::Gelu => {
                Role::Counted
            }
            _ => Role::Uncounted,
        }
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        let ops = activation_ops(call)?;
        match self {
            Activation::Relu => ops.neurobench_with(call, || NeuroBenchOps::activation(call.output()?)),
            _ => Ok(ops),
        }
    }
}

impl Layer for PReLU {
    fn type_name(&self) -> &'static str {
        "PReLU"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(self.weight())
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        activation_ops(call)
    }
}
