//! `x * alpha[c] + beta[c]` over dim 1 of an `[N, C, ...]` tensor: the tail of a batch
//! normalisation in inference mode. On the CPU one pass (a multiply then an add, each rounded in
//! the tensor's dtype, as the two broadcast operations round them); elsewhere those operations.
use candle::{CpuStorage, CustomOp1, Layout, Result, Shape, Tensor, WithDType};

use crate::kernel::chunks::PARALLEL_MIN;
use crate::kernel::float_pass::{self, FloatPass};

/// `xs * alpha + beta`, with `alpha` and `beta` of shape `[C]` in `xs`'s dtype.
pub(crate) fn channel_affine(xs: &Tensor, alpha: &Tensor, beta: &Tensor) -> Result<Tensor> {
    let c = alpha.dim(0)?;
    if xs.device().is_cpu() && xs.rank() >= 2 {
        let host = |t: &Tensor| t.to_dtype(candle::DType::F64)?.to_vec1::<f64>();
        let op = ChannelAffine { alpha: host(alpha)?, beta: host(beta)? };
        return xs.contiguous()?.apply_op1_no_bwd(&op);
    }
    let mut shape = vec![1; xs.rank()];
    shape[1] = c;
    xs.broadcast_mul(&alpha.reshape(shape.as_slice())?)?.broadcast_add(&beta.reshape(shape.as_slice())?)
}

/// The CPU pass; `alpha` and `beta` hold the dtype's values, widened exactly to f64.
struct ChannelAffine {
    alpha: Vec<f64>,
    beta: Vec<f64>,
}

impl FloatPass for ChannelAffine {
    const WHAT: &'static str = "channel affine";

    fn run<T: WithDType + Send + Sync>(&self, xs: &[T], dims: &[usize]) -> Result<(CpuStorage, Shape)> {
        let c = self.alpha.len();
        if dims[1] != c {
            candle::bail!("channel affine: {c} channel parameters for an input of shape {dims:?}");
        }
        let inner: usize = dims[2..].iter().product();
        let (alpha, beta): (Vec<T>, Vec<T>) =
            self.alpha.iter().zip(&self.beta).map(|(&a, &b)| (T::from_f64(a), T::from_f64(b))).unzip();
        let mut out = vec![T::zero(); xs.len()];
        // One run of `inner` elements per (sample, channel): `block` is that run's index.
        let pass = |block: usize, out: &mut [T], xs: &[T]| {
            let (a, b) = (alpha[block % c], beta[block % c]);
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = x * a + b;
            }
        };
        if xs.len() < PARALLEL_MIN || inner == 0 {
            for (block, (o, x)) in out.chunks_mut(inner.max(1)).zip(xs.chunks(inner.max(1))).enumerate() {
                pass(block, o, x);
            }
        } else {
            use rayon::prelude::*;
            out.par_chunks_mut(inner)
                .zip(xs.par_chunks(inner))
                .enumerate()
                .for_each(|(block, (o, x))| pass(block, o, x));
        }
        Ok((T::to_cpu_storage_owned(out), Shape::from(dims)))
    }
}

impl CustomOp1 for ChannelAffine {
    fn name(&self) -> &'static str {
        "syops-channel-affine"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
        float_pass::cpu_fwd(self, storage, layout)
    }
}

#[cfg(test)]
mod tests {
    use candle::{DType, Device, Tensor};

    use super::channel_affine;

    #[test]
    fn one_pass_equals_the_broadcast_operations() {
        // Small (in order) and large (on the pool) inputs, ranks 2 to 4, every float dtype.
        for dims in [vec![3usize, 5], vec![2, 5, 7], vec![2, 5, 80, 90]] {
            let n: usize = dims.iter().product();
            let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 4.1).collect();
            for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
                let xs = Tensor::from_vec(v.clone(), dims.as_slice(), &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                let alpha =
                    Tensor::new(&[0.3f64, -1.7, 2.25, 1e-3, 7.0], &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                let beta =
                    Tensor::new(&[0.1f64, 0.0, -3.3, 5.5, 1.0 / 3.0], &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                let got = channel_affine(&xs, &alpha, &beta).unwrap();
                let mut shape = vec![1; dims.len()];
                shape[1] = 5;
                let want = xs
                    .broadcast_mul(&alpha.reshape(shape.as_slice()).unwrap())
                    .unwrap()
                    .broadcast_add(&beta.reshape(shape.as_slice()).unwrap())
                    .unwrap();
                assert_eq!(got.dims(), want.dims());
                let bits =
                    |t: &Tensor| t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
                let (g, w) = (bits(&got), bits(&want));
                assert!(g.iter().zip(&w).all(|(a, b)| a.to_bits() == b.to_bits()), "{dims:?} {dtype:?}");
            }
        }
    }
}
