//! Candle ports of the reference models, written once and shared by the examples, the reference
//! runner and the tests. Their `VarBuilder` paths are PyTorch's state-dict names.
#![allow(dead_code)]

pub mod audio1d;
pub mod cifar_plif;
pub mod decoder2d;
pub mod recurrent;
pub mod resnet;
pub mod sew_resnet;
pub mod spiking_mlp;
pub mod spiking_resnet;
pub mod spiking_vgg;
pub mod volume3d;

use anyhow::{bail, Context};
use candle::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::VarBuilder;
use syops::nn::{BatchNorm, Conv, ConvConfig};
use syops::reference::Case;
use syops::{Layer, Report, Session};

/// A 2-D convolution without bias: `syops::nn::Conv`, whose CPU im2col runs in one pass (candle-nn's
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

/// The stem: 7×7 convolution, stride 2, padding 3, no bias.
pub fn stem(vb: VarBuilder) -> Result<Conv> {
    conv2d(3, 64, 7, 2, 3, vb)
}

/// `BatchNorm2d`.
pub fn bn(c: usize, vb: VarBuilder) -> Result<BatchNorm> {
    syops::nn::batch_norm(2, c, true, vb)
}

/// A ResNet shortcut: `nn.Sequential(conv1x1, BatchNorm2d)`.
#[syops::count(name = "Sequential")]
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

#[syops::count]
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

/// spikingjelly's `seq_to_ann_forward`: runs `f` on `[T*N, ...]` and restores `[T, N, ...]`.
pub fn seq_to_ann(xs: &Tensor, f: impl FnOnce(&Tensor) -> Result<Tensor>) -> Result<Tensor> {
    let (t, n) = (xs.dim(0)?, xs.dim(1)?);
    let ys = f(&xs.flatten(0, 1)?)?;
    let mut shape = vec![t, n];
    shape.extend_from_slice(&ys.dims()[1..]);
    ys.reshape(shape)
}

/// refgen.py's `TimeLoop`: runs `body` once per time step on `x[:, t]` of a `[B, T, ...]` input and
/// sums the outputs; the body's neurons keep their state across the steps.
#[syops::count]
pub struct TimeLoop<B: Layer> {
    pub body: B,
}

#[syops::count]
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

/// The reference cases this runner has a port for.
pub const CASES: &[&str] = &[
    "resnet18",
    "spiking_resnet18",
    "sew_resnet18",
    "multistep_spiking_resnet18_lif_t4",
    "multistep_sew_resnet18_5d",
    "cifar_plif_t4",
    "audio1d",
    "volume3d",
    "decoder2d",
    "recurrent",
    "spiking_vgg11_bn",
    "spiking_mlp_t6",
];

/// Builds the case's model from its manifest and counts it on the case's batches.
pub fn count_case(case: &Case, dtype: DType, device: &Device) -> anyhow::Result<Report> {
    count_case_with(&Session::new(), case, dtype, device)
}

/// [`count_case`] with the given session's options.
pub fn count_case_with(session: &Session, case: &Case, dtype: DType, device: &Device) -> anyhow::Result<Report> {
    if !CASES.contains(&case.case.as_str()) {
        bail!("unknown reference case `{}` in {}; known cases: {}", case.case, case.path.display(), CASES.join(", "));
    }
    let tensors = case.tensors(dtype, device)?;
    let vb = VarBuilder::from_tensors(tensors, dtype, device);
    let inputs = case.inputs(dtype, device)?;
    let name = case.case.as_str();
    let report = match name {
        "resnet18" => run(session, &resnet::ResNet::resnet18(vb)?, &inputs),
        "spiking_resnet18" => run(session, &spiking_resnet::SpikingResNet::resnet18(vb)?, &inputs),
        "sew_resnet18" => run(session, &sew_resnet::SewResNet::resnet18(vb)?, &inputs),
        "multistep_spiking_resnet18_lif_t4" => {
            run(session, &spiking_resnet::MultiStepSpikingResNet::resnet18_lif(4, vb)?, &inputs)
        }
        "multistep_sew_resnet18_5d" => run(session, &sew_resnet::MultiStepSewResNet::resnet18_if(2, vb)?, &inputs),
        "cifar_plif_t4" => run(session, &cifar_plif::cifar_plif(vb)?, &inputs),
        "audio1d" => run(session, &audio1d::Audio1d::new(vb)?, &inputs),
        "volume3d" => run(session, &volume3d::Volume3d::new(vb)?, &inputs),
        "decoder2d" => run(session, &decoder2d::Decoder2d::new(vb)?, &inputs),
        "recurrent" => run(session, &recurrent::Recurrent::new(vb)?, &inputs),
        "spiking_vgg11_bn" => run(session, &spiking_vgg::SpikingVgg::vgg11_bn_if(10, vb)?, &inputs),
        "spiking_mlp_t6" => run(session, &spiking_mlp::spiking_mlp(vb)?, &inputs),
        other => bail!("unknown reference case `{other}` in {}", case.path.display()),
    };
    report.with_context(|| format!("counting reference case `{name}`"))
}

fn run<M: Layer + Module>(session: &Session, model: &M, inputs: &[Tensor]) -> syops::Result<Report> {
    session.count_batches(model, inputs, |m, xs| m.forward(xs))
}
