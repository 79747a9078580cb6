//! Convolutions: `prod(kernel) * in_ch * out_ch / groups` per output position, times
//! `batch * prod(out_spatial)`, plus `out_ch` per position with a bias. Transposed convolutions use
//! the same formula on their output dims (syops' `conv_syops_counter_hook`). Under the exact
//! convention, [`conv_exact`] counts the (input, weight) pairs that meet; under NeuroBench's,
//! [`conv_neurobench`] (a transposed convolution is not one of its connection layers).
use candle::Tensor;
use candle_nn::{Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d};

use crate::model::{numel, window_weights, Call, ExactOps, Layer, NeuroBenchOps, Ops, Role};
use crate::Result;

/// Stride, padding and dilation of a convolution: one value per spatial dim, or one for all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Stride.
    pub stride: Vec<usize>,
    /// Zero padding on both sides.
    pub padding: Vec<usize>,
    /// Kernel dilation.
    pub dilation: Vec<usize>,
}

impl ConvGeometry {
    /// The same stride, padding and dilation in every spatial dim.
    pub fn uniform(stride: usize, padding: usize, dilation: usize) -> Self {
        ConvGeometry { stride: vec![stride], padding: vec![padding], dilation: vec![dilation] }
    }

    fn at(v: &[usize], d: usize, default: usize) -> usize {
        v.get(d).or(v.first()).copied().unwrap_or(default)
    }
}

/// The exact cost of a convolution call (arguments as [`conv_ops`]). A convolution: for a spike
/// input, `Cout/groups × Σ_p 1[x_p ≠ 0] · (kernel offsets meeting p)` events, for an analog one
/// the in-bounds pairs, padding excluded ([`ExactOps::windows`]). A transposed convolution, from
/// its input: `nnz(input)` (or `numel(input)`) `× prod(kernel) × Cout/groups`. Plus one bias
/// operation per output element.
pub fn conv_exact(
    call: &Call<'_>,
    weight: &Tensor,
    groups: usize,
    transposed: bool,
    bias: bool,
    geometry: &ConvGeometry,
) -> Result<ExactOps> {
    let (input, output) = (call.input()?, call.output()?);
    let w = weight.dims();
    let (out_ch, kernel) = (if transposed { w[1] * groups } else { w[0] }, &w[2..]);
    let d = kernel.len();
    if input.rank() != d + 2 || output.rank() != d + 2 {
        return Err(crate::Error::shape(
            call.path(),
            "convolution",
            format!(
                "exact count: input {:?} and output {:?} must be [N, C, spatial...] for a weight {w:?}",
                input.dims(),
                output.dims()
            ),
        ));
    }
    let fan_out = (out_ch / groups) as u64;
    let bias_ops = if bias { numel(output.dims()) } else { 0 };
    if transposed {
        return Ok(ExactOps::nonzero(input, numel(kernel) * fan_out)?.with_bias(bias_ops));
    }
    let g = geometry;
    let weights: Vec<Vec<u64>> = (0..d)
        .map(|i| {
            window_weights(
                input.dims()[2 + i],
                output.dims()[2 + i],
                kernel[i],
                ConvGeometry::at(&g.stride, i, 1),
                ConvGeometry::at(&g.padding, i, 0),
                ConvGeometry::at(&g.dilation, i, 1),
            )
        })
        .collect();
    Ok(ExactOps::windows(input, &weights, fan_out)?.with_bias(bias_ops))
}

/// What NeuroBench reads of a convolution call (arguments as [`conv_ops`]): a connection layer
/// ([`NeuroBenchOps::conv`]), or, transposed, a layer NeuroBench leaves out.
pub fn conv_neurobench(
    call: &Call<'_>,
    weight: &Tensor,
    groups: usize,
    transposed: bool,
    geometry: &ConvGeometry,
) -> Result<NeuroBenchOps> {
    if transposed {
        return Ok(NeuroBenchOps::ignored());
    }
    let g = geometry;
    NeuroBenchOps::conv(call.input()?, call.output()?, weight, groups, &g.stride, &g.padding, &g.dilation)
        .map_err(|e| crate::Error::shape(call.path(), "convolution", e.to_string()))
}

/// The dense count of a convolution call. `weight` is PyTorch's layout: `[out, in/groups, k...]`,
/// or `[in, out/groups, k...]` when `transposed`.
pub fn conv_ops(call: &Call<'_>, weight: &Tensor, groups: usize, transposed: bool, bias: bool) -> Result<Ops> {
    let (input, output) = (call.input()?, call.output()?);
    let w = weight.dims();
    let (in_ch, out_ch) = if transposed { (w[0], w[1] * groups) } else { (w[1] * groups, w[0]) };
    let kernel = numel(&w[2..]);
    let per_position = kernel * in_ch as u64 * (out_ch / groups) as u64;
    let batch = input.dims().first().copied().unwrap_or(1) as u64;
    let positions = batch * numel(output.dims().get(2..).unwrap_or(&[]));
    let bias_ops = if bias { out_ch as u64 * positions } else { 0 };
    Ok(Ops::synaptic(per_position * positions + bias_ops))
}

macro_rules! conv_layer {
    ($ty:ty, $name:literal, $transposed:expr, $groups:expr, $geometry:expr) => {
        impl Layer for $ty {
            fn type_name(&self) -> &'static str {
                $name
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
                if !$transposed {
                    visit(self.weight());
                }
            }
            fn ops(&self, call: &Call<'_>) -> Result<Ops> {
                let (groups, bias) = ($groups(self), self.bias().is_some());
                conv_ops(call, self.weight(), groups, $transposed, bias)?
                    .exact_with(call, || conv_exact(call, self.weight(), groups, $transposed, bias, &$geometry(self)))?
                    .neurobench_with(call, || {
                        conv_neurobench(call, self.weight(), groups, $transposed, &$geometry(self))
                    })
            }
        }
    };
}

fn no_geometry<T>(_: &T) -> ConvGeometry {
    // Transposed convolutions are counted from their input alone.
    ConvGeometry::uniform(1, 0, 1)
}

conv_layer!(Conv1d, "Conv1d", false, |c: &Conv1d| c.config().groups, |c: &Conv1d| {
    let k = c.config();
    ConvGeometry::uniform(k.stride, k.padding, k.dilation)
});
conv_layer!(Conv2d, "Conv2d", false, |c: &Conv2d| c.config().groups, |c: &Conv2d| {
    let k = c.config();
    ConvGeometry::uniform(k.stride, k.padding, k.dilation)
});
conv_layer!(ConvTranspose1d, "ConvTranspose1d", true, |c: &ConvTranspose1d| c.config().groups, no_geometry);
// candle-nn's ConvTranspose2d has no groups.
conv_layer!(ConvTranspose2d, "ConvTranspose2d", true, |_: &ConvTranspose2d| 1, no_geometry);

#[cfg(test)]
mod tests {
    use candle::{DType, Device, Module};
    use candle_nn::{Conv2dConfig, VarBuilder};

    use super::*;

    #[test]
    fn conv2d_dense_count_with_groups_stride_and_bias() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let cfg = Conv2dConfig { padding: 1, stride: 2, groups: 2, ..Default::default() };
        let conv = candle_nn::conv2d(4, 6, 3, cfg, vb).unwrap();
        let xs = Tensor::zeros((2, 4, 8, 8), DType::F32, &Device::Cpu).unwrap();
        let ys = conv.forward(&xs).unwrap();
        let ops = conv.ops(&Call::new("c", Some(&xs), Some(&ys))).unwrap();
        // 9 * 4 * 3 per position, 2 * 4 * 4 positions, + 6 bias per position.
        assert_eq!(ops.dense, (9 * 4 * 3 + 6) * 2 * 16);
        assert_eq!(ops, Ops::synaptic(ops.dense));
    }

    #[test]
    fn transposed_conv_counts_on_output_dims() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let cfg = candle_nn::ConvTranspose1dConfig { stride: 2, padding: 1, ..Default::default() };
        let conv = candle_nn::conv_transpose1d_no_bias(3, 5, 4, cfg, vb).unwrap();
        let xs = Tensor::zeros((2, 3, 10), DType::F32, &Device::Cpu).unwrap();
        let ys = conv.forward(&xs).unwrap();
        assert_eq!(ys.dims(), &[2, 5, 20]);
        let ops = conv.ops(&Call::new("d", Some(&xs), Some(&ys))).unwrap();
        assert_eq!(ops.dense, 4 * 3 * 5 * 2 * 20);
    }
}
