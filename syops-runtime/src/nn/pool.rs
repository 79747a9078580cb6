//! Pooling layers as PyTorch computes them (max pooling pads with -inf, average pooling counts
//! zero padding, adaptive bins span `floor(i * in / out) .. ceil((i + 1) * in / out)`), counted by
//! syops' `pool_syops_counter_hook`: `numel(input)`, spike-tested on the input.
use candle::{Module, Result, Tensor};

use crate::{numel, Call, Layer, Ops, Role};

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

fn check_rank4(name: &str, xs: &Tensor) -> Result<()> {
    if xs.rank() != 4 {
        candle::bail!("{name}: expected a [N, C, H, W] input, got shape {:?}", xs.dims());
    }
    Ok(())
}

fn pool_ops(call: &Call<'_>) -> crate::Result<Ops> {
    Ok(Ops::synaptic(numel(call.input()?.dims())))
}

macro_rules! pool_layer {
    ($ty:ty, $name:literal) => {
        impl Layer for $ty {
            fn type_name(&self) -> &'static str {
                $name
            }
            fn role(&self) -> Role {
                Role::Counted
            }
            fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
                pool_ops(call)
            }
        }
    };
}

/// `nn.MaxPool2d(kernel_size, stride, padding)`.
#[derive(Debug, Clone, Copy)]
pub struct MaxPool2d {
    kernel: usize,
    stride: usize,
    padding: usize,
}

impl MaxPool2d {
    /// `stride` defaults to `kernel` in PyTorch; pass it explicitly here.
    pub fn new(kernel: usize, stride: usize, padding: usize) -> Self {
        MaxPool2d { kernel, stride, padding }
    }
}

impl Module for MaxPool2d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        check_rank4("MaxPool2d", xs)?;
        let (p, k) = (self.padding, self.kernel);
        let (h, w) = (xs.dim(2)? + 2 * p, xs.dim(3)? + 2 * p);
        if h < k || w < k {
            candle::bail!("MaxPool2d: kernel {k} is larger than the padded input of shape {:?}", xs.dims());
        }
        let xs = pad_value(&pad_value(xs, 2, p, p, f64::NEG_INFINITY)?, 3, p, p, f64::NEG_INFINITY)?;
        xs.max_pool2d_with_stride(k, self.stride)
    }
}
pool_layer!(MaxPool2d, "MaxPool2d");

/// `nn.AvgPool2d(kernel_size, stride, padding)` with `count_include_pad = True`.
#[derive(Debug, Clone, Copy)]
pub struct AvgPool2d {
    kernel: usize,
    stride: usize,
    padding: usize,
}

impl AvgPool2d {
    /// `stride` defaults to `kernel` in PyTorch; pass it explicitly here.
    pub fn new(kernel: usize, stride: usize, padding: usize) -> Self {
        AvgPool2d { kernel, stride, padding }
    }
}

impl Module for AvgPool2d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        check_rank4("AvgPool2d", xs)?;
        let (p, k) = (self.padding, self.kernel);
        if xs.dim(2)? + 2 * p < k || xs.dim(3)? + 2 * p < k {
            candle::bail!("AvgPool2d: kernel {k} is larger than the padded input of shape {:?}", xs.dims());
        }
        xs.pad_with_zeros(2, p, p)?.pad_with_zeros(3, p, p)?.avg_pool2d_with_stride(k, self.stride)
    }
}
pool_layer!(AvgPool2d, "AvgPool2d");

/// `nn.AdaptiveAvgPool2d(output_size)`.
#[derive(Debug, Clone, Copy)]
pub struct AdaptiveAvgPool2d {
    out: (usize, usize),
}

impl AdaptiveAvgPool2d {
    /// Output `(height, width)`.
    pub fn new(out: (usize, usize)) -> Self {
        AdaptiveAvgPool2d { out }
    }
}

/// PyTorch's adaptive bin `[start, end)` of output index `i`.
pub(crate) fn adaptive_bin(i: usize, input: usize, output: usize) -> (usize, usize) {
    let start = i * input / output;
    let end = ((i + 1) * input).div_ceil(output);
    (start, end)
}

impl Module for AdaptiveAvgPool2d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        check_rank4("AdaptiveAvgPool2d", xs)?;
        let (h, w) = (xs.dim(2)?, xs.dim(3)?);
        let (oh, ow) = self.out;
        if oh == 0 || ow == 0 {
            candle::bail!("AdaptiveAvgPool2d: output size {:?} must be positive", self.out);
        }
        let mut rows = Vec::with_capacity(oh);
        for i in 0..oh {
            let (h0, h1) = adaptive_bin(i, h, oh);
            let mut cols = Vec::with_capacity(ow);
            for j in 0..ow {
                let (w0, w1) = adaptive_bin(j, w, ow);
                let region = xs.narrow(2, h0, h1 - h0)?.narrow(3, w0, w1 - w0)?;
                let count = crate::ops::scalar(((h1 - h0) * (w1 - w0)) as f64, xs)?;
                cols.push(region.sum_keepdim((2, 3))?.broadcast_div(&count)?);
            }
            rows.push(Tensor::cat(&cols, 3)?);
        }
        Tensor::cat(&rows, 2)
    }
}
pool_layer!(AdaptiveAvgPool2d, "AdaptiveAvgPool2d");

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

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
        assert!(err.contains("larger than the padded input"), "{err}");
    }
}
