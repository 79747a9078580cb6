//! A model the runtime's integration tests share: a linear layer and an IF neuron called `steps`
//! times in a loop, instrumented by `#[syops::count]` through the runtime (`crate = syops_runtime`).
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::IfNode;

#[count(crate = syops_runtime)]
pub struct Looped {
    fc: Linear,
    sn: IfNode,
    steps: usize,
}

#[count(crate = syops_runtime)]
impl Module for Looped {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out = Vec::new();
        for _ in 0..self.steps {
            out.push(self.sn.forward(&self.fc.forward(xs)?)?);
        }
        Tensor::stack(&out, 0)
    }
}

/// `Linear(4 → 2)` with zero weights, then an IF neuron, twice.
pub fn looped() -> Looped {
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    Looped { fc: candle_nn::linear(4, 2, vb.pp("fc")).unwrap(), sn: IfNode::new(), steps: 2 }
}
