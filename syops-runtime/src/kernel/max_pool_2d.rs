//! 2-D max pooling on the CPU in one pass over each window's in-bounds positions: padding is
//! -inf and never wins, NaN propagates (PyTorch's `val > max || isnan(val)`); planes run on the
//! thread pool for large inputs.
use candle::Result;

use crate::kernel::float_pass::{self, FloatPass};

/// The pass, for a geometry the pooling layer has checked.
pub(crate) struct MaxPool2dCpu {
    pub kernel: [usize; 2],
    pub stride: [usize; 2],
    pub padding: [usize; 2],
    pub out: [usize; 2],
}

impl MaxPool2dCpu {
    /// The in-bounds input positions of output position `o` along dim `d` of length `len`.
    fn span(&self, d: usize, o: usize, len: usize) -> std::ops::Range<usize> {
        let start = (o * self.stride[d]) as isize - self.padding[d] as isize;
        let end = (start + self.kernel[d] as isize).clamp(0, len as isize) as usize;
        (start.max(0) as usize).min(end)..end
    }
}

impl FloatPass for MaxPool2dCpu {
    const WHAT: &'static str = "max pooling";

    fn run<T: candle::WithDType + Send + Sync>(
        &self,
        xs: &[T],
        dims: &[usize],
    ) -> Result<(candle::CpuStorage, candle::Shape)> {
        use rayon::prelude::*;
        let (h, w) = (dims[dims.len() - 2], dims[dims.len() - 1]);
        let [oh, ow] = self.out;
        let mut out = vec![T::zero(); xs.len() / (h * w).max(1) * oh * ow];
        let plane = |(o, x): (&mut [T], &[T])| {
            for i in 0..oh {
                let rows = self.span(0, i, h);
                for j in 0..ow {
                    let cols = self.span(1, j, w);
                    let mut m = T::from_f64(f64::NEG_INFINITY);
                    for r in rows.clone() {
                        for &v in &x[r * w + cols.start..r * w + cols.end] {
                            // `v != v`: NaN wins, as PyTorch's `val > max || isnan(val)`.
                            #[allow(clippy::eq_op)]
                            if v > m || v != v {
                                m = v;
                            }
                        }
                    }
                    o[i * ow + j] = m;
                }
            }
        };
        if h * w == 0 || oh * ow == 0 {
            // Nothing to pool (an empty input): the output is empty too.
        } else if xs.len() < crate::kernel::chunks::PARALLEL_MIN {
            out.chunks_mut(oh * ow).zip(xs.chunks(h * w)).for_each(plane);
        } else {
            out.par_chunks_mut(oh * ow).zip(xs.par_chunks(h * w)).for_each(plane);
        }
        let mut shape = dims.to_vec();
        let rank = shape.len();
        shape[rank - 2] = oh;
        shape[rank - 1] = ow;
        Ok((T::to_cpu_storage_owned(out), candle::Shape::from(shape)))
    }
}

impl candle::CustomOp1 for MaxPool2dCpu {
    fn name(&self) -> &'static str {
        "syops-max-pool-2d"
    }

    fn cpu_fwd(
        &self,
        storage: &candle::CpuStorage,
        layout: &candle::Layout,
    ) -> Result<(candle::CpuStorage, candle::Shape)> {
        float_pass::cpu_fwd(self, storage, layout)
    }
}
