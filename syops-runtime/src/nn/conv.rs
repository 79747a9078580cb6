//! `nn.Conv1d/2d/3d` and `nn.ConvTranspose1d/2d/3d` with groups, stride, padding, dilation and
//! output padding, built from candle ops (candle has no conv3d and no grouped transposed conv).
//!
//! A convolution gathers, for every kernel offset, the strided window of the zero-padded input
//! (im2col: in one pass on the CPU, `im2col.rs`; from index selections elsewhere) and multiplies
//! it by the weight, one matmul per group with the samples side by side. A transposed convolution is the
//! convolution of the input spread out by `stride` (zeros between elements), padded by
//! `dilation * (k - 1) - padding` (plus `output_padding` on the right), with the weight flipped and
//! its in/out channels swapped per group. Counted by syops' `conv_syops_counter_hook`
//! ([`crate::rules::conv_ops`]).
use candle::{Module, Result, Tensor};
use candle_nn::VarBuilder;

use crate::kernel::im2col::Im2Col;
use crate::model::{Call, Layer, Ops, Role};
use crate::rules::{conv_exact, conv_neurobench, conv_ops, ConvGeometry};

/// Hyper-parameters of a convolution, per spatial dim. A one-element vector applies to every
/// spatial dim (PyTorch's `stride=2`); an empty one means the default.
#[derive(Debug, Clone, PartialEq)]
pub struct ConvConfig {
    /// Stride (default 1).
    pub stride: Vec<usize>,
    /// Zero padding on both sides (default 0).
    pub padding: Vec<usize>,
    /// Kernel dilation (default 1).
    pub dilation: Vec<usize>,
    /// Extra size on the right of a transposed convolution's output (default 0).
    pub output_padding: Vec<usize>,
    /// Channel groups (default 1).
    pub groups: usize,
    /// Whether the layer has a bias (default true, as in PyTorch).
    pub bias: bool,
}

impl Default for ConvConfig {
    fn default() -> Self {
        ConvConfig { stride: vec![], padding: vec![], dilation: vec![], output_padding: vec![], groups: 1, bias: true }
    }
}

/// A 1-D, 2-D or 3-D (transposed) convolution over `[N, C, spatial...]` inputs.
#[derive(Debug, Clone)]
pub struct Conv {
    weight: Tensor,
    bias: Option<Tensor>,
    dims: usize,
    transposed: bool,
    /// Stride, padding and dilation, one per spatial dim.
    geometry: ConvGeometry,
    output_padding: Vec<usize>,
    groups: usize,
    name: &'static str,
}

fn per_dim(name: &str, what: &str, v: &[usize], dims: usize, default: usize) -> Result<Vec<usize>> {
    match v.len() {
        0 => Ok(vec![default; dims]),
        1 => Ok(vec![v[0]; dims]),
        n if n == dims => Ok(v.to_vec()),
        _ => candle::bail!("{name}: {what} {v:?} does not match {dims} spatial dims"),
    }
}

fn conv_name(dims: usize, transposed: bool) -> Result<&'static str> {
    Ok(match (dims, transposed) {
        (1, false) => "Conv1d",
        (2, false) => "Conv2d",
        (3, false) => "Conv3d",
        (1, true) => "ConvTranspose1d",
        (2, true) => "ConvTranspose2d",
        (3, true) => "ConvTranspose3d",
        _ => candle::bail!("Conv: dims must be 1, 2 or 3, got {dims}"),
    })
}

impl Conv {
    /// Loads `weight` (`[out, in/groups, k...]`, or `[in, out/groups, k...]` when `transposed`) and,
    /// with `cfg.bias`, `bias` (`[out]`). `kernel` has one size per spatial dim, or one for all.
    pub fn new(
        dims: usize,
        transposed: bool,
        in_channels: usize,
        out_channels: usize,
        kernel: &[usize],
        cfg: ConvConfig,
        vb: VarBuilder,
    ) -> Result<Self> {
        let name = conv_name(dims, transposed)?;
        let kernel = per_dim(name, "kernel", kernel, dims, 1)?;
        let g = cfg.groups;
        if g == 0 || !in_channels.is_multiple_of(g) || !out_channels.is_multiple_of(g) {
            candle::bail!(
                "{name}: in_channels {in_channels} and out_channels {out_channels} must be divisible by groups {g}"
            );
        }
        let mut shape =
            if transposed { vec![in_channels, out_channels / g] } else { vec![out_channels, in_channels / g] };
        shape.extend_from_slice(&kernel);
        // Where the builder initialises (not from a checkpoint): PyTorch's `reset_parameters`,
        // weight and bias uniform in ±1/√fan_in (`kaiming_uniform_(a=√5)`), fan_in = shape[1] × kernel.
        let bound = 1.0 / ((shape[1] * kernel.iter().product::<usize>()) as f64).sqrt();
        let init = candle_nn::Init::Uniform { lo: -bound, up: bound };
        let weight = vb.get_with_hints(shape, "weight", init)?;
        let bias = if cfg.bias { Some(vb.get_with_hints(out_channels, "bias", init)?) } else { None };
        Self::from_tensors(dims, transposed, weight, bias, cfg)
    }

    /// From tensors in PyTorch's layout; `cfg.bias` is ignored (the `bias` argument decides).
    pub fn from_tensors(
        dims: usize,
        transposed: bool,
        weight: Tensor,
        bias: Option<Tensor>,
        cfg: ConvConfig,
    ) -> Result<Self> {
        let name = conv_name(dims, transposed)?;
        if weight.rank() != dims + 2 {
            candle::bail!("{name}: weight must have rank {}, got shape {:?}", dims + 2, weight.dims());
        }
        let g = cfg.groups;
        if g == 0 || !weight.dim(0)?.is_multiple_of(g) {
            candle::bail!("{name}: weight shape {:?} does not fit groups {g}", weight.dims());
        }
        let stride = per_dim(name, "stride", &cfg.stride, dims, 1)?;
        let padding = per_dim(name, "padding", &cfg.padding, dims, 0)?;
        let dilation = per_dim(name, "dilation", &cfg.dilation, dims, 1)?;
        let output_padding = per_dim(name, "output_padding", &cfg.output_padding, dims, 0)?;
        if stride.contains(&0) || dilation.contains(&0) {
            candle::bail!("{name}: stride {stride:?} and dilation {dilation:?} must be positive");
        }
        for d in 0..dims {
            if output_padding[d] >= stride[d].max(dilation[d]) || (!transposed && output_padding[d] != 0) {
                candle::bail!(
                    "{name}: output_padding {output_padding:?} must be smaller than stride {stride:?} or dilation {dilation:?} (and only for transposed convolutions)"
                );
            }
        }
        let geometry = ConvGeometry { stride, padding, dilation };
        Ok(Conv { weight, bias, dims, transposed, geometry, output_padding, groups: g, name })
    }

    /// The weight, in PyTorch's layout.
    pub fn weight(&self) -> &Tensor {
        &self.weight
    }

    /// The bias, if any.
    pub fn bias(&self) -> Option<&Tensor> {
        self.bias.as_ref()
    }

    /// Channel groups.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// The stride, one per spatial dim.
    pub fn stride(&self) -> &[usize] {
        &self.geometry.stride
    }

    /// The zero padding on each side, one per spatial dim.
    pub fn padding(&self) -> &[usize] {
        &self.geometry.padding
    }

    /// The dilation, one per spatial dim.
    pub fn dilation(&self) -> &[usize] {
        &self.geometry.dilation
    }

    fn in_channels(&self) -> usize {
        let w = self.weight.dims();
        if self.transposed {
            w[0]
        } else {
            w[1] * self.groups
        }
    }
}

/// Pads `dim` with zeros, or crops it where a side is negative.
fn pad_or_crop(xs: &Tensor, dim: usize, left: isize, right: isize) -> Result<Tensor> {
    let mut xs = xs.clone();
    if left < 0 {
        let n = xs.dim(dim)?;
        xs = xs.narrow(dim, (-left) as usize, n - (-left) as usize)?;
    }
    if right < 0 {
        let n = xs.dim(dim)?;
        xs = xs.narrow(dim, 0, n - (-right) as usize)?;
    }
    xs.pad_with_zeros(dim, left.max(0) as usize, right.max(0) as usize)
}

/// Indices `start, start + step, ...` (`count` of them) as a u32 tensor.
pub(crate) fn strided_index(start: usize, step: usize, count: usize, like: &Tensor) -> Result<Tensor> {
    let idx: Vec<u32> = (0..count).map(|i| (start + i * step) as u32).collect();
    Tensor::new(idx.as_slice(), like.device())
}

/// Grouped, strided, dilated convolution of an `[N, C, S...]` input, zero-padded by the
/// geometry's padding, with a `[O, C/groups, K...]` weight; `orig` is the layer's input shape,
/// for errors.
fn conv_core(
    name: &str,
    xs: &Tensor,
    w: &Tensor,
    geometry: &ConvGeometry,
    groups: usize,
    orig: &[usize],
) -> Result<Tensor> {
    let ConvGeometry { stride, padding, dilation } = geometry;
    let dims = stride.len();
    let (n, c) = (xs.dim(0)?, xs.dim(1)?);
    let kernel = &w.dims()[2..];
    let padded: Vec<usize> = (0..dims).map(|d| Ok(xs.dim(2 + d)? + 2 * padding[d])).collect::<Result<_>>()?;
    let mut out = Vec::with_capacity(dims);
    for d in 0..dims {
        let span = dilation[d] * (kernel[d] - 1) + 1;
        if padded[d] < span {
            candle::bail!(
                "{name}: kernel {kernel:?} (dilation {dilation:?}) is larger than the padded input {padded:?} (input shape {orig:?})"
            );
        }
        out.push((padded[d] - span) / stride[d] + 1);
    }
    if !xs.device().is_cpu() {
        if let Some(ys) = device_conv(xs, w, stride, padding, dilation, groups)? {
            return Ok(ys);
        }
    }
    let kprod: usize = kernel.iter().product();
    let geometry = Im2Col {
        kernel: kernel.to_vec(),
        stride: stride.to_vec(),
        padding: padding.to_vec(),
        dilation: dilation.to_vec(),
        out: out.clone(),
        groups,
    };
    let cols = if xs.device().is_cpu() {
        xs.contiguous()?.apply_op1_no_bwd(&geometry)?
    } else {
        columns_by_index(xs, &geometry)?
    };
    let o = w.dim(0)?;
    let l: usize = out.iter().product();
    // [g, O/g, C/g·K] × [g, C/g·K, N·L] -> [g, O/g, N, L] -> [N, O, out...]
    let ys = w.reshape((groups, o / groups, c / groups * kprod))?.matmul(&cols)?;
    let mut shape = vec![n, o];
    shape.extend_from_slice(&out);
    ys.reshape((groups, o / groups, n, l))?.permute((2, 0, 1, 3))?.contiguous()?.reshape(shape)
}

/// candle's own 1-D or 2-D convolution (its device kernels: on CUDA one im2col kernel and one
/// matrix product, where [`columns_by_index`] uploads an index per kernel offset and dimension and
/// gathers each window), for a geometry it takes: the same stride, padding and dilation in every
/// spatial dimension. `None` for any other (3-D, or per-dimension geometry).
fn device_conv(
    xs: &Tensor,
    w: &Tensor,
    stride: &[usize],
    padding: &[usize],
    dilation: &[usize],
    groups: usize,
) -> Result<Option<Tensor>> {
    let uniform = |v: &[usize]| v.iter().all(|&x| x == v[0]);
    if !(uniform(stride) && uniform(padding) && uniform(dilation)) {
        return Ok(None);
    }
    let (s, p, d) = (stride[0], padding[0], dilation[0]);
    match stride.len() {
        1 => Ok(Some(xs.contiguous()?.conv1d(&w.contiguous()?, p, s, d, groups)?)),
        2 => Ok(Some(xs.contiguous()?.conv2d(&w.contiguous()?, p, s, d, groups)?)),
        _ => Ok(None),
    }
}

/// The columns [`Im2Col`] gathers, from candle operations: for every kernel offset, the strided
/// window of the zero-padded input, stacked. Any device.
fn columns_by_index(xs: &Tensor, geometry: &Im2Col) -> Result<Tensor> {
    let Im2Col { kernel, stride, padding, dilation, out, groups } = geometry;
    let dims = kernel.len();
    let (n, c) = (xs.dim(0)?, xs.dim(1)?);
    let mut xs = xs.clone();
    for (d, &p) in padding.iter().enumerate() {
        xs = xs.pad_with_zeros(2 + d, p, p)?;
    }
    let kprod: usize = kernel.iter().product();
    let mut cols = Vec::with_capacity(kprod);
    for flat in 0..kprod {
        let mut rem = flat;
        let mut offs = vec![0; dims];
        for d in (0..dims).rev() {
            offs[d] = rem % kernel[d];
            rem /= kernel[d];
        }
        let mut win = xs.contiguous()?;
        for d in 0..dims {
            let idx = strided_index(offs[d] * dilation[d], stride[d], out[d], &xs)?;
            win = win.contiguous()?.index_select(&idx, 2 + d)?;
        }
        cols.push(win);
    }
    let l: usize = out.iter().product();
    // [N, C, K, out...] -> [N, g, C/g·K, L] -> [g, C/g·K, N·L]
    let cols = Tensor::stack(&cols, 2)?.reshape((n, *groups, c / groups * kprod, l))?;
    cols.permute((1, 2, 0, 3))?.contiguous()?.reshape((*groups, c / groups * kprod, n * l))
}

/// Reverses `dim`.
fn flip(xs: &Tensor, dim: usize) -> Result<Tensor> {
    let n = xs.dim(dim)?;
    let idx: Vec<u32> = (0..n as u32).rev().collect();
    xs.contiguous()?.index_select(&Tensor::new(idx.as_slice(), xs.device())?, dim)
}

impl Module for Conv {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let name = self.name;
        let c = self.in_channels();
        if xs.rank() != self.dims + 2 || xs.dim(1)? != c {
            candle::bail!(
                "{name}: expected an input of rank {} [N, {c}, spatial...], got shape {:?}",
                self.dims + 2,
                xs.dims()
            );
        }
        let dt = xs.dtype();
        let w = self.weight.to_dtype(dt)?;
        let g = self.groups;
        let ys = if !self.transposed {
            conv_core(name, xs, &w, &self.geometry, g, xs.dims())?
        } else {
            // Weight [in, out/g, K...] -> per group [out/g, in/g, K...] flipped.
            let cin_g = c / g;
            let mut parts = Vec::with_capacity(g);
            for gi in 0..g {
                parts.push(w.narrow(0, gi * cin_g, cin_g)?.transpose(0, 1)?);
            }
            let mut wt = Tensor::cat(&parts, 0)?;
            for d in 0..self.dims {
                wt = flip(&wt, 2 + d)?;
            }
            let wt = wt.contiguous()?;
            let kernel = &w.dims()[2..];
            let mut spread = xs.clone();
            for d in 0..self.dims {
                let (dim, s, len) = (2 + d, self.geometry.stride[d], xs.dim(2 + d)?);
                if s > 1 {
                    spread = spread
                        .unsqueeze(dim + 1)?
                        .pad_with_zeros(dim + 1, 0, s - 1)?
                        .flatten(dim, dim + 1)?
                        .narrow(dim, 0, (len - 1) * s + 1)?;
                }
                let edge = (self.geometry.dilation[d] * (kernel[d] - 1)) as isize - self.geometry.padding[d] as isize;
                let total = ((len - 1) * s + 1) as isize + 2 * edge + self.output_padding[d] as isize;
                let span = (self.geometry.dilation[d] * (kernel[d] - 1) + 1) as isize;
                if total < span {
                    candle::bail!(
                        "{name}: input shape {:?} gives a non-positive output size with kernel {kernel:?}, stride {:?}, padding {:?}",
                        xs.dims(),
                        self.geometry.stride,
                        self.geometry.padding
                    );
                }
                spread = pad_or_crop(&spread, dim, edge, edge + self.output_padding[d] as isize)?;
            }
            let geometry = ConvGeometry {
                stride: vec![1; self.dims],
                padding: vec![0; self.dims],
                dilation: self.geometry.dilation.clone(),
            };
            conv_core(name, &spread, &wt, &geometry, g, xs.dims())?
        };
        match &self.bias {
            None => Ok(ys),
            Some(b) => {
                let mut shape = vec![1; ys.rank()];
                shape[1] = b.dim(0)?;
                ys.broadcast_add(&b.to_dtype(dt)?.reshape(shape)?)
            }
        }
    }
}

impl Layer for Conv {
    fn type_name(&self) -> &'static str {
        self.name
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        visit(&self.weight);
        if let Some(b) = &self.bias {
            visit(b);
        }
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        if !self.transposed {
            visit(&self.weight);
        }
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        let (groups, transposed, bias) = (self.groups, self.transposed, self.bias.is_some());
        conv_ops(call, &self.weight, groups, transposed, bias)?
            .exact_with(call, || conv_exact(call, &self.weight, groups, transposed, bias, &self.geometry))?
            .neurobench_with(call, || conv_neurobench(call, &self.weight, groups, transposed, &self.geometry))
    }
}

#[cfg(test)]
mod tests {
    use candle::{DType, Device};

    use super::*;

    #[test]
    fn conv1d_by_hand() {
        let w = Tensor::new(&[[[1f64, 2.]]], &Device::Cpu).unwrap();
        let conv = Conv::from_tensors(1, false, w, None, ConvConfig::default()).unwrap();
        let xs = Tensor::new(&[[[1f64, 2., 3.]]], &Device::Cpu).unwrap();
        let ys = conv.forward(&xs).unwrap();
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f64>().unwrap(), [5., 8.]);
    }

    #[test]
    fn geometry_is_given_per_spatial_dim() {
        let w = Tensor::zeros((4, 2, 3, 3), DType::F32, &Device::Cpu).unwrap();
        let cfg = ConvConfig { stride: vec![2], padding: vec![1, 0], groups: 1, ..Default::default() };
        let conv = Conv::from_tensors(2, false, w, None, cfg).unwrap();
        assert_eq!((conv.stride(), conv.padding(), conv.dilation()), (&[2, 2][..], &[1, 0][..], &[1, 1][..]));
    }

    #[test]
    fn transposed_conv1d_by_hand() {
        // stride 2, kernel [1, 2]: y = [x0*1, x0*2, x1*1, x1*2]
        let w = Tensor::new(&[[[1f64, 2.]]], &Device::Cpu).unwrap();
        let cfg = ConvConfig { stride: vec![2], ..Default::default() };
        let conv = Conv::from_tensors(1, true, w, None, cfg).unwrap();
        let xs = Tensor::new(&[[[3f64, 5.]]], &Device::Cpu).unwrap();
        let ys = conv.forward(&xs).unwrap();
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f64>().unwrap(), [3., 6., 5., 10.]);
    }

    #[test]
    fn one_pass_columns_equal_the_index_selections() {
        // 1-D to 3-D; stride, padding, dilation (the padding wider than a kernel offset reaches, an
        // output position whose every offset falls in the padding) and groups; f32 and f64.
        // (input size, kernel, stride, padding, dilation, groups)
        type Case = (&'static [usize], &'static [usize], &'static [usize], &'static [usize], &'static [usize], usize);
        let cases: [Case; 7] = [
            (&[7], &[3], &[1], &[0], &[1], 1),
            (&[9], &[2], &[3], &[4], &[2], 2),
            (&[5, 6], &[3, 3], &[1, 1], &[1, 1], &[1, 1], 1),
            (&[11, 8], &[7, 7], &[2, 2], &[3, 3], &[1, 1], 1),
            (&[6, 7], &[2, 3], &[2, 3], &[0, 2], &[2, 1], 3),
            (&[4, 5, 6], &[3, 2, 3], &[1, 2, 1], &[1, 0, 2], &[1, 1, 2], 1),
            (&[1, 1], &[1, 1], &[1, 1], &[2, 0], &[1, 1], 1),
        ];
        for (spatial, kernel, stride, padding, dilation, groups) in cases {
            let out: Vec<usize> = (0..spatial.len())
                .map(|d| (spatial[d] + 2 * padding[d] - dilation[d] * (kernel[d] - 1) - 1) / stride[d] + 1)
                .collect();
            let geometry = Im2Col {
                kernel: kernel.to_vec(),
                stride: stride.to_vec(),
                padding: padding.to_vec(),
                dilation: dilation.to_vec(),
                out,
                groups,
            };
            let mut shape = vec![2, 3 * groups];
            shape.extend_from_slice(spatial);
            let n: usize = shape.iter().product();
            let v: Vec<f64> = (0..n).map(|i| ((i * 7919) % 1013) as f64 / 97.0 - 4.1).collect();
            for dtype in [DType::F32, DType::F64] {
                let xs = Tensor::from_vec(v.clone(), shape.as_slice(), &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                let got = xs.apply_op1_no_bwd(&geometry).unwrap();
                let want = columns_by_index(&xs, &geometry).unwrap();
                assert_eq!(got.dims(), want.dims(), "{geometry:?}");
                let diff = (got - want).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap();
                assert_eq!(diff.to_dtype(DType::F64).unwrap().to_scalar::<f64>().unwrap(), 0.0, "{geometry:?}");
            }
        }
    }

    #[test]
    fn the_device_path_is_candles_convolution_with_the_same_geometry() {
        // candle's conv1d/conv2d (what runs on CUDA) against the im2col path, run here on the CPU:
        // the same sums in another order. 3-D and per-dimension geometries keep the index path.
        // (input size, kernel, stride, padding, dilation, groups)
        type Case = (&'static [usize], &'static [usize], usize, usize, usize, usize);
        let cases: [Case; 4] = [
            (&[9], &[3], 2, 4, 2, 2),
            (&[5, 6], &[3, 3], 1, 1, 1, 1),
            (&[11, 8], &[7, 7], 2, 3, 1, 1),
            (&[8, 7], &[2, 3], 3, 2, 2, 3),
        ];
        for (spatial, kernel, s, p, d, groups) in cases {
            let dims = spatial.len();
            let mut shape = vec![2, 2 * groups];
            shape.extend_from_slice(spatial);
            let mut wshape = vec![4 * groups, 2];
            wshape.extend_from_slice(kernel);
            let ramp = |n: usize, k: usize| (0..n).map(|i| ((i * k) % 1013) as f64 / 97.0 - 4.1).collect::<Vec<_>>();
            let xs = Tensor::from_vec(ramp(shape.iter().product(), 7919), shape.as_slice(), &Device::Cpu).unwrap();
            let w = Tensor::from_vec(ramp(wshape.iter().product(), 331), wshape.as_slice(), &Device::Cpu).unwrap();
            let geometry = ConvGeometry { stride: vec![s; dims], padding: vec![p; dims], dilation: vec![d; dims] };
            let want = conv_core("Conv", &xs, &w, &geometry, groups, xs.dims()).unwrap();
            let got =
                device_conv(&xs, &w, &geometry.stride, &geometry.padding, &geometry.dilation, groups).unwrap().unwrap();
            assert_eq!(got.dims(), want.dims());
            let diff = (got - &want).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap();
            let scale = want.abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f64>().unwrap();
            assert!(diff.to_scalar::<f64>().unwrap() <= 1e-12 * scale, "{spatial:?} {kernel:?}");
        }
        let xs = Tensor::zeros((1, 1, 4, 4, 4), DType::F64, &Device::Cpu).unwrap();
        let w = Tensor::zeros((1, 1, 2, 2, 2), DType::F64, &Device::Cpu).unwrap();
        assert!(device_conv(&xs, &w, &[1; 3], &[0; 3], &[1; 3], 1).unwrap().is_none());
        let xs = Tensor::zeros((1, 1, 4, 4), DType::F64, &Device::Cpu).unwrap();
        assert!(device_conv(&xs, &w.squeeze(2).unwrap(), &[1, 2], &[0, 0], &[1, 1], 1).unwrap().is_none());
    }

    #[test]
    fn bad_input_is_an_error() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let conv = Conv::new(3, false, 2, 4, &[3], ConvConfig::default(), vb).unwrap();
        let xs = Tensor::zeros((1, 3, 4, 4, 4), DType::F32, &Device::Cpu).unwrap();
        let err = conv.forward(&xs).unwrap_err().to_string();
        assert!(err.contains("Conv3d") && err.contains("[1, 3, 4, 4, 4]"), "{err}");
        let xs = Tensor::zeros((1, 2, 2, 4, 4), DType::F32, &Device::Cpu).unwrap();
        let err = conv.forward(&xs).unwrap_err().to_string();
        assert!(err.contains("Conv3d") && err.contains("larger than the padded input"), "{err}");
    }
}
