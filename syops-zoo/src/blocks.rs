//! The building blocks the ports share, as torchvision and spikingjelly define them: convolutions
//! without bias, `BatchNorm2d`, the ResNet shortcut, depths and stages, spikingjelly's
//! `seq_to_ann_forward` and `SeqToANNContainer`, and refgen.py's time loop.
use candle::{IndexOp, Module, Result, Tensor};
use candle_nn::VarBuilder;
use syops_macros::count;
use syops_runtime::model::{Layer, Segment};
use syops_runtime::nn::{BatchNorm, Conv, ConvConfig, Sequential};

/// A 2-D convolution without bias: `syops_runtime::nn::Conv`, whose CPU im2col runs in one pass (candle-nn's
/// `Conv2d` computes the same; `resnet.rs` keeps it).
fn conv2d(cin: usize, cout: usize, k: usize, stride: usize, padding: usize, vb: VarBuilder) -> Result<Conv> {
    let cfg = ConvConfig { stride: vec![stride], padding: vec![padding], bias: false, ..Default::default() };
    Conv::new(2, false, cin, cout, &[k], cfg, vb)
}

/// A 3×3 convolution with padding 1, no bias (torchvision's `conv3x3`).
pub fn conv3x3(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Conv> {
    conv2d(cin, cout, 3, stride, 1, vb)
}

/// A 1×1 convolution, no bias (torchvision's `conv1x1`).
pub fn conv1x1(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Conv> {
    conv2d(cin, cout, 1, stride, 0, vb)
}

/// A depthwise 3×3 convolution (`groups = c`) with padding 1, no bias.
pub fn depthwise3x3(c: usize, stride: usize, vb: VarBuilder) -> Result<Conv> {
    let cfg = ConvConfig { stride: vec![stride], padding: vec![1], groups: c, bias: false, ..Default::default() };
    Conv::new(2, false, c, c, &[3], cfg, vb)
}

/// The stem: 7×7 convolution, stride 2, padding 3, no bias.
pub fn stem(vb: VarBuilder) -> Result<Conv> {
    conv2d(3, 64, 7, 2, 3, vb)
}

/// `BatchNorm2d`.
pub fn bn(c: usize, vb: VarBuilder) -> Result<BatchNorm> {
    syops_runtime::nn::batch_norm(2, c, true, vb)
}

/// A ResNet shortcut: `nn.Sequential(conv1x1, BatchNorm2d)`.
#[count(name = "Sequential", crate = ::syops_runtime)]
pub struct Downsample(pub Conv, pub BatchNorm);

impl Downsample {
    /// When a block changes stride or width, `Some` shortcut at `<block>.downsample`.
    pub fn new(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Option<Self>> {
        if stride == 1 && cin == cout {
            return Ok(None);
        }
        Ok(Some(Downsample(conv1x1(cin, cout, stride, vb.pp("0"))?, bn(cout, vb.pp("1"))?)))
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Downsample {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.0.forward(xs)?;
        self.1.forward(&xs)
    }
}

/// `(in, out, stride)` of ResNet-18's eight blocks, by stage.
pub const RESNET18_STAGES: [[(usize, usize, usize); 2]; 4] = [
    [(64, 64, 1), (64, 64, 1)],
    [(64, 128, 2), (128, 128, 1)],
    [(128, 256, 2), (256, 256, 1)],
    [(256, 512, 2), (512, 512, 1)],
];

/// `(depth, blocks per stage)` of torchvision's `resnet{depth}`: BasicBlocks for 18 and 34,
/// Bottlenecks (expansion 4) from 50.
pub const RESNET_DEPTHS: [(usize, [usize; 4]); 5] =
    [(18, [2, 2, 2, 2]), (34, [3, 4, 6, 3]), (50, [3, 4, 6, 3]), (101, [3, 4, 23, 3]), (152, [3, 8, 36, 3])];

/// The blocks per stage of ResNet-`depth`, or an error naming the depths.
pub fn resnet_layers(depth: usize) -> Result<[usize; 4]> {
    match RESNET_DEPTHS.iter().find(|(d, _)| *d == depth) {
        Some(&(_, layers)) => Ok(layers),
        None => candle::bail!("no ResNet-{depth}; expected depth 18, 34, 50, 101 or 152"),
    }
}

/// torchvision's `_make_layer` for the four stages (planes 64, 128, 256, 512; stride 2 from the
/// second): `block(inplanes, planes, stride, vb)` for each block at `layer{i}.{j}`, the stages and
/// the width they end at (`512 * expansion`).
pub fn make_stages<'a, B>(
    vb: &VarBuilder<'a>,
    layers: [usize; 4],
    expansion: usize,
    block: &dyn Fn(usize, usize, usize, VarBuilder<'a>) -> Result<B>,
) -> Result<([Vec<B>; 4], usize)> {
    let mut inplanes = 64;
    let mut stage = |i: usize| -> Result<Vec<B>> {
        let (planes, vb) = (64 << i, vb.pp(format!("layer{}", i + 1)));
        let mut stage = Vec::with_capacity(layers[i]);
        for j in 0..layers[i] {
            let stride = if j == 0 && i > 0 { 2 } else { 1 };
            stage.push(block(inplanes, planes, stride, vb.pp(j))?);
            inplanes = planes * expansion;
        }
        Ok(stage)
    };
    let stages = [stage(0)?, stage(1)?, stage(2)?, stage(3)?];
    Ok((stages, inplanes))
}

/// spikingjelly's `seq_to_ann_forward`: runs `f` on `[T*N, ...]` and restores `[T, N, ...]`.
pub fn seq_to_ann(xs: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let (t, n) = (xs.dim(0)?, xs.dim(1)?);
    let ys = f(&xs.flatten(0, 1)?)?;
    let mut shape = vec![t, n];
    shape.extend_from_slice(&ys.dims()[1..]);
    ys.reshape(shape)
}

/// spikingjelly's `SeqToANNContainer`, an `nn.Sequential` whose forward runs its children on the
/// time-folded `[T*N, ...]` input ([`seq_to_ann`]): the children are counted and loaded under
/// their indices (`maxpool.0`, `layer1.0.conv1.1`), the container itself adds no segment.
pub struct SeqToAnnContainer(pub Sequential);

impl Layer for SeqToAnnContainer {
    fn type_name(&self) -> &'static str {
        "SeqToANNContainer"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        self.0.children(visit)
    }
}

impl Module for SeqToAnnContainer {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        seq_to_ann(xs, |y| self.0.forward(y))
    }
}

/// refgen.py's `TimeLoop`: runs `body` once per time step on `x[:, t]` of a `[B, T, ...]` input and
/// sums the outputs; the body's neurons keep their state across the steps.
#[count(crate = ::syops_runtime)]
pub struct TimeLoop<B: Layer> {
    pub body: B,
}

#[count(crate = ::syops_runtime)]
impl<B: Layer + Module> Module for TimeLoop<B> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out: Option<Tensor> = None;
        for t in 0..xs.dim(1)? {
            let y = self.body.forward(&xs.i((.., t))?.contiguous()?)?;
            out = Some(match out {
                None => y,
                Some(o) => (o + y)?,
            });
        }
        out.ok_or_else(|| candle::Error::Msg("TimeLoop: the input has no time steps".into()))
    }
}
