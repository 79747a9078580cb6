//! spikingjelly's spiking VGGs (`clock_driven/model/spiking_vgg.py`): `spiking_vgg{11,13,16,19}`
//! and `_bn` ([`SpikingVgg`], single-step neurons) and `multi_step_spiking_vgg{..}`
//! ([`MultiStepSpikingVgg`], multi-step neurons over `[T, N, ...]`), with any neuron ([`Neuron`]):
//! [`spiking_vgg`], [`multi_step_spiking_vgg`].
//!
//! `features` is torchvision's `make_layers` over the depth's cfg ([`VGG_CFGS`]): per number a
//! 3×3 convolution with bias, `BatchNorm2d` in the `_bn` models, and a neuron; per `M` a 2×2 max
//! pool. Then `avgpool` to 7×7 and `classifier` (Linear, neuron, Dropout, Linear, neuron, Dropout,
//! Linear). The Dropouts are identities in eval mode and syops has no rule for them: they hold
//! their indices (`classifier.2`, `classifier.5`) and have no row.
//!
//! The multi-step forward is spikingjelly's: a `[N, C, H, W]` input goes through `features[0]`
//! (the first convolution) once and is then repeated `T` times; a `[T, N, C, H, W]` input goes
//! through it time-folded. Every later module runs on the time-folded `[T*N, ...]` tensor
//! (`seq_to_ann_forward`), except the neurons, which take the sequence (`sequential_forward`);
//! the output is `[T, N, classes]`.
//!
//! ```
//! use candle::{DType, Device};
//! use candle_nn::VarBuilder;
//! use syops_zoo::{spiking_vgg::multi_step_spiking_vgg, Neuron};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dev = Device::Cpu;
//! let vb = VarBuilder::zeros(DType::F32, &dev);
//! let model = multi_step_spiking_vgg(11, true, 2, Neuron::If, 10, vb)?;
//! let session = syops_runtime::Session::new();
//! let report = session.count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs))?;
//! // `features.0` runs once on the image, its BatchNorm on the T = 2 repeats.
//! assert_eq!(report.layer("features.1").unwrap().input_shape, Some(vec![2, 64, 32, 32]));
//! assert_eq!(report.layer("classifier.6").unwrap().output_shape, Some(vec![2, 10]));
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};
use candle_nn::VarBuilder;
use syops_macros::count;
use syops_runtime::model::Layer;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{seq, AdaptiveAvgPool2d, Conv, ConvConfig, MaxPool2d, Sequential, SequentialLayer};

use crate::blocks::{bn, seq_to_ann};
use crate::options::{plif, Neuron, NeuronFn};

/// A max pool (`'M'`) in a cfg.
const M: usize = 0;

/// `(depth, cfg)` of spiking_vgg.py's `cfgs` (torchvision's): A for 11, B for 13, D for 16, E for
/// 19; a number is a convolution's output channels, [`M`] (0) a max pool.
pub const VGG_CFGS: [(usize, &[usize]); 4] = [
    (11, &[64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]),
    (13, &[64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]),
    (16, &[64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M]),
    (19, &[64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512, 512, 512, M]),
];

/// The cfg of VGG-`depth`, or an error naming the depths.
pub fn vgg_cfg(depth: usize) -> Result<&'static [usize]> {
    match VGG_CFGS.iter().find(|(d, _)| *d == depth) {
        Some(&(_, cfg)) => Ok(cfg),
        None => candle::bail!("no VGG-{depth}; expected depth 11, 13, 16 or 19"),
    }
}

/// An eval-mode `nn.Dropout`: the identity. A layer that counts nothing and has no children, so
/// it takes its index in a [`Sequential`] and shows no row, as in syops, which has no rule for it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dropout;

impl Layer for Dropout {
    fn type_name(&self) -> &'static str {
        "Dropout"
    }
}

impl Module for Dropout {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        Ok(xs.clone())
    }
}

/// `make_layers(cfg, batch_norm, neuron)`: `features.{i}`.
fn features<N: SequentialLayer + 'static>(
    cfg: &[usize],
    batch_norm: bool,
    neuron: &NeuronFn<'_, N>,
    vb: VarBuilder,
) -> Result<Sequential> {
    let mut layers = seq();
    let mut cin = 3;
    for &v in cfg {
        if v == M {
            layers.push(MaxPool2d::new(2, 2, 0));
            continue;
        }
        let cfg = ConvConfig { padding: vec![1], ..Default::default() };
        layers.push(Conv::new(2, false, cin, v, &[3], cfg, vb.pp(layers.len()))?);
        if batch_norm {
            layers.push(bn(v, vb.pp(layers.len()))?);
        }
        layers.push(neuron(vb.pp(layers.len()))?);
        cin = v;
    }
    Ok(layers)
}

/// `classifier`: Linear(512·7·7, 4096), neuron, Dropout, Linear(4096, 4096), neuron, Dropout,
/// Linear(4096, num_classes).
fn classifier<N: SequentialLayer + 'static>(
    num_classes: usize,
    neuron: &NeuronFn<'_, N>,
    vb: VarBuilder,
) -> Result<Sequential> {
    Ok(seq()
        .add(candle_nn::linear(512 * 7 * 7, 4096, vb.pp(0))?)
        .add(neuron(vb.pp(1))?)
        .add(Dropout)
        .add(candle_nn::linear(4096, 4096, vb.pp(3))?)
        .add(neuron(vb.pp(4))?)
        .add(Dropout)
        .add(candle_nn::linear(4096, num_classes, vb.pp(6))?))
}

/// spikingjelly's `SpikingVGG`: `features`, `avgpool`, `classifier` on `[N, C, H, W]`.
#[count(name = "SpikingVGG", crate = ::syops_runtime)]
pub struct SpikingVgg {
    pub features: Sequential,
    pub avgpool: AdaptiveAvgPool2d,
    pub classifier: Sequential,
}

impl SpikingVgg {
    /// `SpikingVGG(cfg, batch_norm, num_classes=num_classes, single_step_neuron=neuron)`.
    pub fn new<N: SequentialLayer + 'static>(
        cfg: &[usize],
        batch_norm: bool,
        num_classes: usize,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(SpikingVgg {
            features: features(cfg, batch_norm, neuron, vb.pp("features"))?,
            avgpool: AdaptiveAvgPool2d::new((7, 7)),
            classifier: classifier(num_classes, neuron, vb.pp("classifier"))?,
        })
    }

    /// `spiking_vgg11_bn(single_step_neuron=neuron.IFNode, num_classes=num_classes)`.
    pub fn vgg11_bn_if(num_classes: usize, vb: VarBuilder) -> Result<Self> {
        Self::new(vgg_cfg(11)?, true, num_classes, &|_| Ok(IfNode::new()), vb)
    }
}

#[count(crate = ::syops_runtime)]
impl Module for SpikingVgg {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.features.forward(xs)?;
        let xs = self.avgpool.forward(&xs)?.flatten_from(1)?;
        self.classifier.forward(&xs)
    }
}

/// spikingjelly's `MultiStepSpikingVGG`: the same modules, multi-step neurons, `T` steps.
#[count(name = "MultiStepSpikingVGG", crate = ::syops_runtime)]
pub struct MultiStepSpikingVgg {
    pub features: Sequential,
    pub avgpool: AdaptiveAvgPool2d,
    pub classifier: Sequential,
    #[syops(skip)]
    t: usize,
}

impl MultiStepSpikingVgg {
    /// `MultiStepSpikingVGG(cfg, batch_norm, num_classes=num_classes, T=t, multi_step_neuron=neuron)`.
    pub fn new<N: SequentialLayer + 'static>(
        cfg: &[usize],
        batch_norm: bool,
        t: usize,
        num_classes: usize,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(MultiStepSpikingVgg {
            features: features(cfg, batch_norm, neuron, vb.pp("features"))?,
            avgpool: AdaptiveAvgPool2d::new((7, 7)),
            classifier: classifier(num_classes, neuron, vb.pp("classifier"))?,
            t,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for MultiStepSpikingVgg {
    /// `_forward_impl`: `[N, C, H, W]` (repeated `T` times after `features[0]`) or
    /// `[T, N, C, H, W]` → `[T, N, classes]`.
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let repeat = match xs.rank() {
            5 => false,
            4 => true,
            _ => candle::bail!("MultiStepSpikingVGG: expected [N, C, H, W] or [T, N, C, H, W], got {:?}", xs.dims()),
        };
        // sequential_forward: a neuron takes the sequence, every other module the folded tensor.
        let mut x_seq = xs.clone();
        for (i, layer) in self.features.iter().enumerate() {
            x_seq = if i == 0 && repeat {
                layer.forward(xs)?.unsqueeze(0)?.repeat((self.t, 1, 1, 1, 1))?
            } else if layer.multi_step() {
                layer.forward(&x_seq)?
            } else {
                seq_to_ann(&x_seq, |y| layer.forward(y))?
            };
        }
        let mut x_seq = seq_to_ann(&x_seq, |y| self.avgpool.forward(y))?.flatten_from(2)?;
        for layer in self.classifier.iter() {
            x_seq = if layer.multi_step() { layer.forward(&x_seq)? } else { seq_to_ann(&x_seq, |y| layer.forward(y))? };
        }
        Ok(x_seq)
    }
}

/// `spiking_vgg{depth}[_bn](single_step_neuron=neuron, num_classes=num_classes)`.
pub fn spiking_vgg(
    depth: usize,
    batch_norm: bool,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let cfg = vgg_cfg(depth)?;
    let (bn, nc) = (batch_norm, num_classes);
    Ok(match neuron {
        Neuron::If => Box::new(SpikingVgg::new(cfg, bn, nc, &|_| Ok(IfNode::new()), vb)?),
        Neuron::Lif { tau } => Box::new(SpikingVgg::new(cfg, bn, nc, &|_| Ok(LifNode::new(tau)), vb)?),
        Neuron::Plif { init_tau } => Box::new(SpikingVgg::new(cfg, bn, nc, &|vb| plif(init_tau, false, vb), vb)?),
    })
}

/// `multi_step_spiking_vgg{depth}[_bn](T=t, multi_step_neuron=neuron, num_classes=num_classes)`.
pub fn multi_step_spiking_vgg(
    depth: usize,
    batch_norm: bool,
    t: usize,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let cfg = vgg_cfg(depth)?;
    let (bn, nc) = (batch_norm, num_classes);
    Ok(match neuron {
        Neuron::If => Box::new(MultiStepSpikingVgg::new(cfg, bn, t, nc, &|_| Ok(IfNode::multi_step()), vb)?),
        Neuron::Lif { tau } => {
            Box::new(MultiStepSpikingVgg::new(cfg, bn, t, nc, &|_| Ok(LifNode::multi_step(tau)), vb)?)
        }
        Neuron::Plif { init_tau } => {
            Box::new(MultiStepSpikingVgg::new(cfg, bn, t, nc, &|vb| plif(init_tau, true, vb), vb)?)
        }
    })
}
