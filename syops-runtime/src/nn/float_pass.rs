//! What the one-pass CPU layers (channel affine, 2-D max pooling, im2col) share: a pass generic
//! over the float dtype, and its dispatch on candle's CPU storage.
use candle::{CpuStorage, Layout, Result, Shape, WithDType};

/// A CPU pass over one float tensor.
pub(super) trait FloatPass {
    /// What the pass is, for its errors.
    const WHAT: &'static str;

    fn run<T: WithDType + Send + Sync>(&self, xs: &[T], layout: &Layout) -> Result<(CpuStorage, Shape)>;
}

/// [`FloatPass::run`] on the storage's dtype: every float dtype; others are an error.
pub(super) fn cpu_fwd<P: FloatPass>(pass: &P, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
    match storage {
        CpuStorage::F32(v) => pass.run(v, layout),
        CpuStorage::F64(v) => pass.run(v, layout),
        CpuStorage::F16(v) => pass.run(v, layout),
        CpuStorage::BF16(v) => pass.run(v, layout),
        _ => candle::bail!("{}: expected a float tensor", P::WHAT),
    }
}
