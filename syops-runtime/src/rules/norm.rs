//! Normalisation: `numel(input)`, twice that when affine (syops' `bn_syops_counter_hook`).
use candle::Tensor;
use candle_nn::{BatchNorm, GroupNorm};

use crate::model::{numel, Call, ExactOps, Layer, Ops, Role};
use crate::Result;

/// The dense count of a normalisation call.
pub fn norm_ops(call: &Call<'_>, affine: bool) -> Result<Ops> {
    let n = numel(call.input()?.dims());
    let dense = if affine { 2 * n } else { n };
    Ops::synaptic(dense).exact_with(call, || Ok(ExactOps::dense(dense)))
}

/// candle-nn's `BatchNorm`; its type name follows the input rank of PyTorch's classes only through
/// syops' own `nn::BatchNorm`, so this one reports `BatchNorm`.
impl Layer for BatchNorm {
    fn type_name(&self) -> &'static str {
        "BatchNorm"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some((w, b)) = self.weight_and_bias() {
            visit(w);
            visit(b);
        }
    }
    /// The running statistics, and the int64 `num_batches_tracked` PyTorch keeps beside them.
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(self.running_mean());
        visit(self.running_var());
        if let Ok(tracked) = Tensor::zeros((), candle::DType::I64, self.running_mean().device()) {
            visit(&tracked);
        }
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        norm_ops(call, self.weight_and_bias().is_some())
    }
}

/// candle-nn's `GroupNorm` is always affine. Its weight and bias are private in candle-nn, so its
/// parameters cannot be listed: use `syops::nn::GroupNorm` where parameters matter.
impl Layer for GroupNorm {
    fn type_name(&self) -> &'static str {
        "GroupNorm"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        norm_ops(call, true)
    }
}
