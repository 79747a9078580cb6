//! What the one-pass CPU layers (channel affine, 2-D max pooling, im2col, a neuron's step from
//! rest) share: a pass generic
//! over the float dtype, and its dispatch on candle's CPU storage, which hands the pass the
//! tensor's contiguous elements.
use candle::{CpuStorage, Layout, Result, Shape, WithDType};

/// A CPU pass over one float tensor.
pub(crate) trait FloatPass {
    /// What the pass is, for its errors.
    const WHAT: &'static str;

    /// The pass over `xs`, the tensor's elements in order, of shape `dims`.
    fn run<T: WithDType + Send + Sync>(&self, xs: &[T], dims: &[usize]) -> Result<(CpuStorage, Shape)>;
}

/// [`FloatPass::run`] on the storage's dtype: every float dtype; others are an error, as is a
/// layout that is not contiguous.
pub(crate) fn cpu_fwd<P: FloatPass>(pass: &P, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle::bail!("{}: expected a contiguous tensor", P::WHAT);
    };
    let dims = layout.dims();
    match storage {
        CpuStorage::F32(v) => pass.run(&v[start..end], dims),
        CpuStorage::F64(v) => pass.run(&v[start..end], dims),
        CpuStorage::F16(v) => pass.run(&v[start..end], dims),
        CpuStorage::BF16(v) => pass.run(&v[start..end], dims),
        _ => candle::bail!("{}: expected a float tensor", P::WHAT),
    }
}
