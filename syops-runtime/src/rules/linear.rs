//! Linear: `numel(input) * out_features`, plus `out_features` once per call with a bias
//! (syops' `linear_syops_counter_hook`). Under NeuroBench's convention, a connection layer
//! ([`NeuroBenchOps::linear`]).
use candle::Tensor;
use candle_nn::Linear;

use crate::model::{numel, Call, ExactOps, Layer, NeuroBenchOps, Ops, Role};
use crate::Result;

/// The dense count of a linear call with `weight` `[out, in]`.
pub fn linear_ops(call: &Call<'_>, weight: &Tensor, bias: bool) -> Result<Ops> {
    let (input, output) = (call.input()?, call.output()?);
    let out_features = output.dims().last().copied().unwrap_or(1) as u64;
    let bias_ops = if bias { out_features } else { 0 };
    // Exact: nnz(input) × out events (numel(input) × out MACs), one bias op per output element.
    Ops::synaptic(numel(input.dims()) * out_features + bias_ops)
        .exact_with(call, || {
            Ok(ExactOps::nonzero(input, out_features)?.with_bias(if bias { numel(output.dims()) } else { 0 }))
        })?
        .neurobench_with(call, || NeuroBenchOps::linear(input, weight))
}

impl Layer for Linear {
    fn type_name(&self) -> &'static str {
        "Linear"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(self.weight());
        if let Some(b) = self.bias() {
            visit(b);
        }
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(self.weight());
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        linear_ops(call, self.weight(), self.bias().is_some())
    }
}

#[cfg(test)]
mod tests {
    use candle::{DType, Device, Module};
    use candle_nn::VarBuilder;

    use super::*;

    #[test]
    fn bias_counts_once_per_call_whatever_the_rank() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let fc = candle_nn::linear(8, 3, vb).unwrap();
        let xs = Tensor::zeros((2, 5, 8), DType::F32, &Device::Cpu).unwrap();
        let ys = fc.forward(&xs).unwrap();
        let ops = fc.ops(&Call::new("fc", Some(&xs), Some(&ys))).unwrap();
        assert_eq!(ops.dense, 2 * 5 * 8 * 3 + 3);
    }
}
