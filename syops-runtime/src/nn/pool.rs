//! Pooling layers, 1-D to 3-D, as PyTorch computes them (max pooling pads with -inf, average
//! pooling counts zero padding, `ceil_mode` as PyTorch, adaptive bins span
//! `floor(i * in / out) .. ceil((i + 1) * in / out)`), counted by syops'
//! `pool_syops_counter_hook`: `numel(input)`, spike-tested on the input. Pools are separable: each
//! spatial dim is pooled in turn; average pooling divides the sum once, by the window size.
use candle::{Module, Result, Tensor};

use crate::model::{numel, window_weights, Call, ExactOps, Layer, Ops, Role};

/// Pads `dim` of `xs` with `value` on both sides.
pub(crate) fn pad_value(xs: &Tensor, dim: usize, left: usize, right: usize, value: f64) -> Result<Tensor> {
    if left == 0 && right == 0 {
        return Ok(xs.clone());
    }
    let mut parts = Vec::with_capacity(3);
    let mut shape = xs.dims().to_vec();
    if left > 0 {
        shape[dim] = left;
        parts.push((Tensor::ones(shape.as_slice(), xs.dtype(), xs.device())? * value)?);
    }
    parts.push(xs.clone());
    if right > 0 {
        shape[dim] = right;
        parts.push((Tensor::ones(shape.as_slice(), xs.dtype(), xs.device())? * value)?);
    }
    Tensor::cat(&parts, dim)
}

fn check_rank(name: &str, dims: usize, xs: &Tensor) -> Result<()> {
    if xs.rank() != dims + 1 && xs.rank() != dims + 2 {
        candle::bail!(
            "{name}: expected an input of rank {} or {} ([N, C, spatial...] with {dims} spatial dims), got shape {:?}",
            dims + 1,
            dims + 2,
            xs.dims()
        );
    }
    Ok(())
}

/// syops' `numel(input)`; under the exact convention a pool is a depthwise convolution with a
/// ones kernel: one event per (nonzero input, window) pair for spikes (adds, or ORs for max), one
/// MAC per in-bounds (input, window) pair otherwise. `weights(d, len, out)` gives
/// [`crate::model::window_weights`] of spatial dim `d`.
fn pool_ops(call: &Call<'_>, dims: usize, weights: impl Fn(usize, usize, usize) -> Vec<u64>) -> crate::Result<Ops> {
    let input = call.input()?;
    Ops::synaptic(numel(input.dims())).exact_with(call, || {
        let (xi, xo) = (input.dims(), call.output()?.dims());
        if xi.len() < dims || xo.len() != xi.len() {
            return Err(crate::Error::shape(
                call.path(),
                "pool",
                format!(
                    "exact count: input {xi:?} and output {xo:?} must have the same rank, with {dims} spatial dims"
                ),
            ));
        }
        let first = xi.len() - dims;
        let w: Vec<Vec<u64>> = (0..dims).map(|d| weights(d, xi[first + d], xo[first + d])).collect();
        ExactOps::windows(input, &w, 1)
    })
}

/// How many adaptive bins hold each of `len` input positions, for `out` bins.
fn adaptive_weights(len: usize, out: usize) -> Vec<u64> {
    let mut w = vec![0u64; len];
    for i in 0..out {
        let (a, b) = adaptive_bin(i, len, out);
        w[a..b].iter_mut().for_each(|v| *v += 1);
    }
    w
}

/// A spatial-size argument: one value for every spatial dim, or one per dim.
pub trait PoolSize<const D: usize> {
    /// The size per spatial dim.
    fn per_dim(self) -> [usize; D];
}

impl<const D: usize> PoolSize<D> for usize {
    fn per_dim(self) -> [usize; D] {
        [self; D]
    }
}

impl<const D: usize> PoolSize<D> for [usize; D] {
    fn per_dim(self) -> [usize; D] {
        self
    }
}

impl PoolSize<2> for (usize, usize) {
    fn per_dim(self) -> [usize; 2] {
        [self.0, self.1]
    }
}

impl PoolSize<3> for (usize, usize, usize) {
    fn per_dim(self) -> [usize; 3] {
        [self.0, self.1, self.2]
    }
}

fn pool_name(kind: &str, dims: usize) -> &'static str {
    match (kind, dims) {
        ("max", 1) => "MaxPool1d",
        ("max", 2) => "MaxPool2d",
        ("max", 3) => "MaxPool3d",
        ("avg", 1) => "AvgPool1d",
        ("avg", 2) => "AvgPool2d",
        ("avg", 3) => "AvgPool3d",
        ("amax", 1) => "AdaptiveMaxPool1d",
        ("amax", 2) => "AdaptiveMaxPool2d",
        ("amax", 3) => "AdaptiveMaxPool3d",
        ("aavg", 1) => "AdaptiveAvgPool1d",
        ("aavg", 2) => "AdaptiveAvgPool2d",
        ("aavg", 3) => "AdaptiveAvgPool3d",
        _ => "Pool",
    }
}

/// Window geometry of a (max or average) pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window<const D: usize> {
    kernel: [usize; D],
    stride: [usize; D],
    padding: [usize; D],
    ceil_mode: bool,
}

impl<const D: usize> Window<D> {
    /// PyTorch's `pooling_output_shape` along spatial dim `d` for input length `len`.
    fn out_len(&self, name: &str, d: usize, len: usize, shape: &[usize]) -> Result<usize> {
        let (k, s, p) = (self.kernel[d], self.stride[d], self.padding[d]);
        if k == 0 || s == 0 {
            candle::bail!("{name}: kernel {:?} and stride {:?} must be positive", self.kernel, self.stride);
        }
        if 2 * p > k {
            candle::bail!("{name}: padding {:?} must be at most half of kernel {:?}", self.padding, self.kernel);
        }
        if len + 2 * p < k {
            candle::bail!(
                "{name}: kernel {:?} is larger than the padded input (padding {:?}) of shape {shape:?}",
                self.kernel,
                self.padding
            );
        }
        let num = len + 2 * p - k + if self.ceil_mode { s - 1 } else { 0 };
        let mut out = num / s + 1;
        if self.ceil_mode && (out - 1) * s >= len + p {
            out -= 1;
        }
        Ok(out)
    }

    /// Pools every spatial dim in turn: the max, or the zero-padded sum and the divisor per output
    /// position (`count_include_pad = True`: the window clipped to the padded input).
    fn apply(&self, name: &str, xs: &Tensor, max: bool) -> Result<Tensor> {
        check_rank(name, D, xs)?;
        if max && D == 2 {
            return self.max_2d(name, xs);
        }
        let first = xs.rank() - D;
        let mut ys = xs.clone();
        let mut divisors: Vec<Vec<f64>> = Vec::with_capacity(D);
        for d in 0..D {
            let dim = first + d;
            let len = xs.dim(dim)?;
            let out = self.out_len(name, d, len, xs.dims())?;
            let (k, s, p) = (self.kernel[d], self.stride[d], self.padding[d]);
            let right = ((out - 1) * s + k).saturating_sub(len + p);
            let padded =
                if max { pad_value(&ys, dim, p, right, f64::NEG_INFINITY)? } else { ys.pad_with_zeros(dim, p, right)? }
                    .contiguous()?;
            let mut acc: Option<Tensor> = None;
            for j in 0..k {
                let win = padded.index_select(&super::conv::strided_index(j, s, out, xs)?, dim)?;
                acc = Some(match acc {
                    None => win,
                    Some(a) if max => a.maximum(&win)?,
                    Some(a) => (a + win)?,
                });
            }
            ys = acc.expect("kernel is positive");
            divisors.push((0..out).map(|i| ((i * s + k).min(len + 2 * p) - i * s) as f64).collect());
        }
        if max {
            return Ok(ys);
        }
        divide(&ys, &divisors)
    }
}

impl<const D: usize> Window<D> {
    /// 2-D max pooling: on the CPU one pass over each window's in-bounds positions (padding is
    /// -inf, so it never wins; NaN propagates, as in PyTorch); elsewhere candle's kernel on the
    /// input padded with -inf as the window loop pads it.
    fn max_2d(&self, name: &str, xs: &Tensor) -> Result<Tensor> {
        let first = xs.rank() - 2;
        let mut outs = [0usize; 2];
        for (d, slot) in outs.iter_mut().enumerate() {
            *slot = self.out_len(name, d, xs.dim(first + d)?, xs.dims())?;
        }
        if xs.device().is_cpu() {
            let op = crate::kernel::max_pool_2d::MaxPool2dCpu {
                kernel: [self.kernel[0], self.kernel[1]],
                stride: [self.stride[0], self.stride[1]],
                padding: [self.padding[0], self.padding[1]],
                out: outs,
            };
            return xs.contiguous()?.apply_op1_no_bwd(&op);
        }
        let mut padded = xs.clone();
        for (d, &out) in outs.iter().enumerate() {
            let len = xs.dim(first + d)?;
            let (k, s, p) = (self.kernel[d], self.stride[d], self.padding[d]);
            let right = ((out - 1) * s + k).saturating_sub(len + p);
            padded = pad_value(&padded, first + d, p, right, f64::NEG_INFINITY)?;
        }
        let batched = if first == 1 { padded.unsqueeze(0)? } else { padded };
        let ys = batched
            .contiguous()?
            .max_pool2d_with_stride((self.kernel[0], self.kernel[1]), (self.stride[0], self.stride[1]))?
            .narrow(2, 0, outs[0])?
            .narrow(3, 0, outs[1])?;
        if first == 1 {
            ys.squeeze(0)
        } else {
            Ok(ys)
        }
    }
}

/// Divides the last `divisors.len()` dims of `ys` by the outer product of `divisors`.
fn divide(ys: &Tensor, divisors: &[Vec<f64>]) -> Result<Tensor> {
    let mut prod = vec![1f64];
    for dv in divisors {
        prod = prod.iter().flat_map(|a| dv.iter().map(move |b| a * b)).collect();
    }
    let shape: Vec<usize> = divisors.iter().map(|d| d.len()).collect();
    let div = Tensor::from_vec(prod, shape.as_slice(), ys.device())?.to_dtype(ys.dtype())?;
    ys.broadcast_div(&div)
}

macro_rules! window_pool {
    ($ty:ident, $kind:literal, $max:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<const D: usize> {
            window: Window<D>,
        }

        impl<const D: usize> $ty<D> {
            /// The same kernel, stride and padding in every spatial dim (PyTorch's stride defaults
            /// to the kernel; pass it explicitly here), `ceil_mode = False`.
            pub fn new(kernel: usize, stride: usize, padding: usize) -> Self {
                Self::with_config(kernel, stride, padding, false)
            }

            /// Kernel, stride and padding per spatial dim (or one value for all), and `ceil_mode`.
            pub fn with_config(
                kernel: impl PoolSize<D>,
                stride: impl PoolSize<D>,
                padding: impl PoolSize<D>,
                ceil_mode: bool,
            ) -> Self {
                let window = Window {
                    kernel: kernel.per_dim(),
                    stride: stride.per_dim(),
                    padding: padding.per_dim(),
                    ceil_mode,
                };
                $ty { window }
            }
        }

        impl<const D: usize> Module for $ty<D> {
            fn forward(&self, xs: &Tensor) -> Result<Tensor> {
                self.window.apply(pool_name($kind, D), xs, $max)
            }
        }

        impl<const D: usize> Layer for $ty<D> {
            fn type_name(&self) -> &'static str {
                pool_name($kind, D)
            }
            fn role(&self) -> Role {
                Role::Counted
            }
            fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
                let w = &self.window;
                pool_ops(call, D, |d, len, out| window_weights(len, out, w.kernel[d], w.stride[d], w.padding[d], 1))
            }
        }
    };
}

window_pool!(
    MaxPool,
    "max",
    true,
    "`nn.MaxPool1d/2d/3d(kernel_size, stride, padding, ceil_mode=...)` over the last `D` dims \
     (padding counts as -inf)."
);
window_pool!(
    AvgPool,
    "avg",
    false,
    "`nn.AvgPool1d/2d/3d(kernel_size, stride, padding, ceil_mode=...)` over the last `D` dims, with \
     `count_include_pad = True`: the divisor counts zero padding but, with `ceil_mode`, not the part \
     of the last window beyond the padded input."
);

/// `nn.MaxPool1d`.
pub type MaxPool1d = MaxPool<1>;
/// `nn.MaxPool2d`.
pub type MaxPool2d = MaxPool<2>;
/// `nn.MaxPool3d`.
pub type MaxPool3d = MaxPool<3>;
/// `nn.AvgPool1d`.
pub type AvgPool1d = AvgPool<1>;
/// `nn.AvgPool2d`.
pub type AvgPool2d = AvgPool<2>;
/// `nn.AvgPool3d`.
pub type AvgPool3d = AvgPool<3>;

/// PyTorch's adaptive bin `[start, end)` of output index `i`.
pub(crate) fn adaptive_bin(i: usize, input: usize, output: usize) -> (usize, usize) {
    let start = i * input / output;
    let end = ((i + 1) * input).div_ceil(output);
    (start, end)
}

fn adaptive(name: &str, out: &[usize], xs: &Tensor, max: bool) -> Result<Tensor> {
    let dims = out.len();
    check_rank(name, dims, xs)?;
    if out.contains(&0) {
        candle::bail!("{name}: output size {out:?} must be positive (input shape {:?})", xs.dims());
    }
    let first = xs.rank() - dims;
    let mut ys = xs.clone();
    let mut divisors = Vec::with_capacity(dims);
    for (d, &o) in out.iter().enumerate() {
        let dim = first + d;
        let len = xs.dim(dim)?;
        if len == 0 {
            candle::bail!("{name}: empty spatial dim in input of shape {:?}", xs.dims());
        }
        let mut parts = Vec::with_capacity(o);
        let mut div = Vec::with_capacity(o);
        for i in 0..o {
            let (a, b) = adaptive_bin(i, len, o);
            let region = ys.narrow(dim, a, b - a)?;
            parts.push(if max { region.max_keepdim(dim)? } else { region.sum_keepdim(dim)? });
            div.push((b - a) as f64);
        }
        ys = Tensor::cat(&parts, dim)?;
        divisors.push(div);
    }
    if max {
        Ok(ys)
    } else {
        divide(&ys, &divisors)
    }
}

macro_rules! adaptive_pool {
    ($ty:ident, $kind:literal, $max:expr, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $ty<const D: usize> {
            out: [usize; D],
        }

        impl<const D: usize> $ty<D> {
            /// Output size per spatial dim, or one value for all.
            pub fn with_size(out: impl PoolSize<D>) -> Self {
                $ty { out: out.per_dim() }
            }
        }

        impl $ty<1> {
            /// Output length.
            pub fn new(out: usize) -> Self {
                $ty { out: [out] }
            }
        }

        impl $ty<2> {
            /// Output `(height, width)`.
            pub fn new(out: (usize, usize)) -> Self {
                $ty { out: [out.0, out.1] }
            }
        }

        impl $ty<3> {
            /// Output `(depth, height, width)`.
            pub fn new(out: (usize, usize, usize)) -> Self {
                $ty { out: [out.0, out.1, out.2] }
            }
        }

        impl<const D: usize> Module for $ty<D> {
            fn forward(&self, xs: &Tensor) -> Result<Tensor> {
                adaptive(pool_name($kind, D), &self.out, xs, $max)
            }
        }

        impl<const D: usize> Layer for $ty<D> {
            fn type_name(&self) -> &'static str {
                pool_name($kind, D)
            }
            fn role(&self) -> Role {
                Role::Counted
            }
            fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
                pool_ops(call, D, |_, len, out| adaptive_weights(len, out))
            }
        }
    };
}

adaptive_pool!(
    AdaptiveMaxPool,
    "amax",
    true,
    "`nn.AdaptiveMaxPool1d/2d/3d(output_size)`: bins `floor(i * in / out) .. ceil((i + 1) * in / out)`."
);
adaptive_pool!(
    AdaptiveAvgPool,
    "aavg",
    false,
    "`nn.AdaptiveAvgPool1d/2d/3d(output_size)`: bins `floor(i * in / out) .. ceil((i + 1) * in / out)`."
);

/// `nn.AdaptiveMaxPool1d`.
pub type AdaptiveMaxPool1d = AdaptiveMaxPool<1>;
/// `nn.AdaptiveMaxPool2d`.
pub type AdaptiveMaxPool2d = AdaptiveMaxPool<2>;
/// `nn.AdaptiveMaxPool3d`.
pub type AdaptiveMaxPool3d = AdaptiveMaxPool<3>;
/// `nn.AdaptiveAvgPool1d`.
pub type AdaptiveAvgPool1d = AdaptiveAvgPool<1>;
/// `nn.AdaptiveAvgPool2d`.
pub type AdaptiveAvgPool2d = AdaptiveAvgPool<2>;
/// `nn.AdaptiveAvgPool3d`.
pub type AdaptiveAvgPool3d = AdaptiveAvgPool<3>;

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    #[test]
    fn max_pool_2d_equals_two_1d_poolings() {
        // Max is separable: pooling the width then the height with the 1-D window loop gives the
        // 2-D answer. Small (in order) and large (on the pool) inputs, with padding and ceil_mode.
        for (dims, k, s, p, ceil) in [
            ([1usize, 2, 7, 9], (3usize, 2usize), (2usize, 1usize), (1usize, 1usize), false),
            ([2, 3, 10, 11], (3, 3), (2, 2), (1, 0), true),
            ([2, 8, 64, 70], (3, 3), (2, 2), (1, 1), false),
            ([2, 8, 65, 64], (2, 3), (2, 3), (0, 1), true),
        ] {
            let n: usize = dims.iter().product();
            let v: Vec<f32> = (0..n).map(|i| ((i * 7919) % 1013) as f32 / 97.0 - 4.1).collect();
            let xs = Tensor::from_vec(v, dims.as_slice(), &Device::Cpu).unwrap();
            let got = MaxPool2d::with_config([k.0, k.1], [s.0, s.1], [p.0, p.1], ceil).forward(&xs).unwrap();
            // [N·C, H, W]: rank 3, pooled over W; then over H, moved last.
            let planes = xs.reshape((dims[0] * dims[1], dims[2], dims[3])).unwrap();
            let rows = MaxPool1d::with_config(k.1, s.1, p.1, ceil).forward(&planes).unwrap();
            let cols = MaxPool1d::with_config(k.0, s.0, p.0, ceil)
                .forward(&rows.transpose(1, 2).unwrap().contiguous().unwrap())
                .unwrap()
                .transpose(1, 2)
                .unwrap();
            let want = cols.reshape((dims[0], dims[1], cols.dim(1).unwrap(), cols.dim(2).unwrap())).unwrap();
            assert_eq!(got.dims(), want.dims(), "{dims:?}");
            let diff = (got - want).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert_eq!(diff, 0.0, "{dims:?}");
        }
    }

    #[test]
    fn adaptive_bins_follow_pytorch() {
        assert_eq!((0..3).map(|i| adaptive_bin(i, 7, 3)).collect::<Vec<_>>(), [(0, 3), (2, 5), (4, 7)]);
        assert_eq!(adaptive_bin(0, 5, 1), (0, 5));
    }

    #[test]
    fn max_pool_pads_with_negative_infinity() {
        let xs = Tensor::new(&[[[[-1f32, -2.], [-3., -4.]]]], &Device::Cpu).unwrap();
        let ys = MaxPool2d::new(3, 2, 1).forward(&xs).unwrap();
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f32>().unwrap(), [-1.]);
    }

    #[test]
    fn avg_pool_counts_padding() {
        let xs = Tensor::ones((1, 1, 2, 2), candle::DType::F32, &Device::Cpu).unwrap();
        let ys = AvgPool2d::new(2, 2, 1).forward(&xs).unwrap();
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f32>().unwrap(), [0.25; 4]);
    }

    #[test]
    fn kernel_larger_than_input_is_an_error() {
        let xs = Tensor::ones((1, 1, 2, 2), candle::DType::F32, &Device::Cpu).unwrap();
        let err = MaxPool2d::new(5, 1, 0).forward(&xs).unwrap_err().to_string();
        assert!(err.contains("larger than the padded input") && err.contains("MaxPool2d"), "{err}");
    }
}
