//! im2col on the CPU in one pass: the columns a convolution multiplies by its weight, gathered
//! straight from the unpadded `[N, C, S...]` input (padding reads as zero) into
//! `[groups, C/groups · K, N · L]`: row `c·K + k` holds kernel offset `k` of channel `c` at every
//! output position `l` of every sample `n` (column `n·L + l`), in the weight's `[O, C/groups, K...]`
//! order, so that one matmul per group covers the whole batch. Rows fill on the thread pool for
//! large inputs; a stride-1 line is one slice copy.
use candle::{CpuStorage, CustomOp1, Layout, Result, Shape, WithDType};

use crate::kernel::chunks::PARALLEL_MIN;
use crate::kernel::float_pass::{self, FloatPass};

/// The gather, for a geometry the convolution has checked: 1 to 3 spatial dims, `out` the output
/// size per dim.
#[derive(Debug, Clone)]
pub(crate) struct Im2Col {
    pub kernel: Vec<usize>,
    pub stride: Vec<usize>,
    pub padding: Vec<usize>,
    pub dilation: Vec<usize>,
    pub out: Vec<usize>,
    pub groups: usize,
}

/// One spatial geometry as three dims (leading ones of size 1), so one loop nest serves 1-D to 3-D.
struct Geometry3 {
    size: [usize; 3],
    kernel: [usize; 3],
    stride: [usize; 3],
    padding: [usize; 3],
    dilation: [usize; 3],
    out: [usize; 3],
}

impl Geometry3 {
    /// The input index of output position `o` at kernel offset `k` along dim `d`, when in bounds.
    fn input(&self, d: usize, o: usize, k: usize) -> Option<usize> {
        let i = (o * self.stride[d] + k * self.dilation[d]).checked_sub(self.padding[d])?;
        (i < self.size[d]).then_some(i)
    }

    /// The output positions along the last dim whose input at kernel offset `k` is in bounds.
    fn inner_range(&self, k: usize) -> std::ops::Range<usize> {
        let (s, p, n) = (self.stride[2], self.padding[2], self.out[2]);
        let shift = k * self.dilation[2];
        // First o with o·s + shift ≥ p, and one past the last with o·s + shift - p < size.
        let lo = p.saturating_sub(shift).div_ceil(s).min(n);
        let hi = if self.size[2] + p > shift { (self.size[2] + p - shift).div_ceil(s).min(n) } else { 0 };
        lo..hi.max(lo)
    }

    /// Fills `row`, the `L` output positions of kernel offset `k` (flat), from one input plane.
    fn fill<T: WithDType>(&self, k: usize, row: &mut [T], plane: &[T]) {
        let [_, sh, sw] = self.size;
        let [_, oh, ow] = self.out;
        let [_, kh, kw] = self.kernel;
        let (a, b, c) = (k / (kh * kw), k / kw % kh, k % kw);
        let inner = self.inner_range(c);
        for (z, row) in row.chunks_exact_mut(oh * ow).enumerate() {
            for (y, line) in row.chunks_exact_mut(ow).enumerate() {
                let (Some(iz), Some(iy)) = (self.input(0, z, a), self.input(1, y, b)) else {
                    line.fill(T::zero());
                    continue;
                };
                line[..inner.start].fill(T::zero());
                line[inner.end..].fill(T::zero());
                let src = &plane[(iz * sh + iy) * sw..][..sw];
                let first = inner.start * self.stride[2] + c * self.dilation[2] - self.padding[2];
                let dst = &mut line[inner.clone()];
                if self.stride[2] == 1 {
                    dst.copy_from_slice(&src[first..first + dst.len()]);
                } else {
                    for (j, v) in dst.iter_mut().enumerate() {
                        *v = src[first + j * self.stride[2]];
                    }
                }
            }
        }
    }
}

impl Im2Col {
    fn geometry(&self, spatial: &[usize]) -> Geometry3 {
        let lead = 3 - spatial.len();
        let three = |v: &[usize], fill: usize| {
            let mut a = [fill; 3];
            a[lead..].copy_from_slice(v);
            a
        };
        Geometry3 {
            size: three(spatial, 1),
            kernel: three(&self.kernel, 1),
            stride: three(&self.stride, 1),
            padding: three(&self.padding, 0),
            dilation: three(&self.dilation, 1),
            out: three(&self.out, 1),
        }
    }
}

impl FloatPass for Im2Col {
    const WHAT: &'static str = "im2col";

    fn run<T: WithDType + Send + Sync>(&self, xs: &[T], dims: &[usize]) -> Result<(CpuStorage, Shape)> {
        let (n, c) = (dims[0], dims[1]);
        let spatial = &dims[2..];
        if spatial.is_empty() || spatial.len() > 3 || spatial.len() != self.kernel.len() {
            candle::bail!("im2col: {} spatial dims for a kernel {:?}", spatial.len(), self.kernel);
        }
        let geometry = self.geometry(spatial);
        let plane: usize = spatial.iter().product();
        let k: usize = self.kernel.iter().product();
        let l: usize = self.out.iter().product();
        let mut out = vec![T::zero(); n * c * k * l];
        // Row `c·K + k` holds, sample after sample, kernel offset `k` of channel `c`.
        let row = |(r, row): (usize, &mut [T])| {
            let (ci, ki) = (r / k, r % k);
            for (ni, segment) in row.chunks_exact_mut(l).enumerate() {
                geometry.fill(ki, segment, &xs[(ni * c + ci) * plane..][..plane]);
            }
        };
        if plane > 0 && n * l > 0 {
            if out.len() < PARALLEL_MIN {
                out.chunks_exact_mut(n * l).enumerate().for_each(row);
            } else {
                use rayon::prelude::*;
                out.par_chunks_exact_mut(n * l).enumerate().for_each(row);
            }
        }
        let g = self.groups;
        Ok((T::to_cpu_storage_owned(out), Shape::from((g, c / g * k, n * l))))
    }
}

impl CustomOp1 for Im2Col {
    fn name(&self) -> &'static str {
        "syops-im2col"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        float_pass::cpu_fwd(self, storage, layout)
    }
}
