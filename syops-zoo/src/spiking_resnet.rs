//! spikingjelly's `spiking_resnet{18,34,50,101,152}` (single-step neurons; the residual is added
//! before the block's last neuron) and `multi_step_spiking_resnet{..}` (multi-step neurons over
//! `[T, N, ...]`; convolutions, norms, pools and the fc run on the time-folded `[T*N, ...]`
//! tensor), with [`BasicBlock`]s for 18 and 34 and [`Bottleneck`]s from 50, and any neuron
//! ([`Neuron`]): [`spiking_resnet`], [`multi_step_spiking_resnet`].
//!
//! ```
//! use candle::{DType, Device};
//! use candle_nn::VarBuilder;
//! use syops_zoo::{spiking_resnet::spiking_resnet, Neuron};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dev = Device::Cpu;
//! let model = spiking_resnet(50, Neuron::Lif { tau: 2.0 }, 10, VarBuilder::zeros(DType::F32, &dev))?;
//! let session = syops_runtime::Session::new();
//! let report = session.count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs))?;
//! assert_eq!(report.layer("layer1.0.sn3").unwrap().type_name, "LIFNode");
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::model::Layer;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, Conv, MaxPool2d, SequentialLayer};

use crate::blocks::{bn, conv1x1, conv3x3, make_stages, resnet_layers, seq_to_ann, stem, Downsample};
use crate::options::{plif, Neuron, NeuronFn};

/// A residual block of spikingjelly's spiking ResNet, over neurons `N`.
pub trait SpikingBlock<N>: Layer + Module + Sized {
    /// `block.expansion`: the block's output width over `planes`.
    const EXPANSION: usize;
    /// `block(inplanes, planes, stride, neuron)` at `vb`; `multi_step` for `MultiStep*` blocks.
    fn new(
        inplanes: usize,
        planes: usize,
        stride: usize,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self>;
}

/// `BasicBlock` / `MultiStepBasicBlock`: neurons of either kind, so one block type serves both.
#[count(crate = ::syops_runtime)]
pub struct BasicBlock<N: Layer> {
    pub conv1: Conv,
    pub bn1: BatchNorm,
    pub sn1: N,
    pub conv2: Conv,
    pub bn2: BatchNorm,
    pub sn2: N,
    pub downsample: Option<Downsample>,
    #[syops(skip)]
    pub multi_step: bool,
}

impl<N: Layer + Module> SpikingBlock<N> for BasicBlock<N> {
    const EXPANSION: usize = 1;
    fn new(
        cin: usize,
        cout: usize,
        stride: usize,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(BasicBlock {
            conv1: conv3x3(cin, cout, stride, vb.pp("conv1"))?,
            bn1: bn(cout, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            conv2: conv3x3(cout, cout, 1, vb.pp("conv2"))?,
            bn2: bn(cout, vb.pp("bn2"))?,
            sn2: neuron(vb.pp("sn2"))?,
            downsample: Downsample::new(cin, cout, stride, vb.pp("downsample"))?,
            multi_step,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module> Module for BasicBlock<N> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        if self.multi_step {
            let out = seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?;
            let out = self.sn1.forward(&out)?;
            let out = seq_to_ann(&out, |y| self.bn2.forward(&self.conv2.forward(y)?))?;
            let identity = match &self.downsample {
                Some(ds) => seq_to_ann(xs, |y| ds.forward(y))?,
                None => xs.clone(),
            };
            return self.sn2.forward(&(out + identity)?);
        }
        let out = self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let out = self.bn2.forward(&self.conv2.forward(&out)?)?;
        let identity = match &self.downsample {
            Some(ds) => ds.forward(xs)?,
            None => xs.clone(),
        };
        self.sn2.forward(&(out + identity)?)
    }
}

/// `Bottleneck` / `MultiStepBottleneck`: 1×1 to `planes`, 3×3 (strided), 1×1 to `4 * planes`,
/// a neuron after each; the residual is added before `sn3`.
#[count(crate = ::syops_runtime)]
pub struct Bottleneck<N: Layer> {
    pub conv1: Conv,
    pub bn1: BatchNorm,
    pub sn1: N,
    pub conv2: Conv,
    pub bn2: BatchNorm,
    pub sn2: N,
    pub conv3: Conv,
    pub bn3: BatchNorm,
    pub sn3: N,
    pub downsample: Option<Downsample>,
    #[syops(skip)]
    pub multi_step: bool,
}

impl<N: Layer + Module> SpikingBlock<N> for Bottleneck<N> {
    const EXPANSION: usize = 4;
    fn new(
        cin: usize,
        planes: usize,
        stride: usize,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let cout = planes * Self::EXPANSION;
        Ok(Bottleneck {
            conv1: conv1x1(cin, planes, 1, vb.pp("conv1"))?,
            bn1: bn(planes, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            conv2: conv3x3(planes, planes, stride, vb.pp("conv2"))?,
            bn2: bn(planes, vb.pp("bn2"))?,
            sn2: neuron(vb.pp("sn2"))?,
            conv3: conv1x1(planes, cout, 1, vb.pp("conv3"))?,
            bn3: bn(cout, vb.pp("bn3"))?,
            sn3: neuron(vb.pp("sn3"))?,
            downsample: Downsample::new(cin, cout, stride, vb.pp("downsample"))?,
            multi_step,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module> Module for Bottleneck<N> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        if self.multi_step {
            let out = self.sn1.forward(&seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?)?;
            let out = self.sn2.forward(&seq_to_ann(&out, |y| self.bn2.forward(&self.conv2.forward(y)?))?)?;
            let out = seq_to_ann(&out, |y| self.bn3.forward(&self.conv3.forward(y)?))?;
            let identity = match &self.downsample {
                Some(ds) => seq_to_ann(xs, |y| ds.forward(y))?,
                None => xs.clone(),
            };
            return self.sn3.forward(&(out + identity)?);
        }
        let out = self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let out = self.sn2.forward(&self.bn2.forward(&self.conv2.forward(&out)?)?)?;
        let out = self.bn3.forward(&self.conv3.forward(&out)?)?;
        let identity = match &self.downsample {
            Some(ds) => ds.forward(xs)?,
            None => xs.clone(),
        };
        self.sn3.forward(&(out + identity)?)
    }
}

#[count(crate = ::syops_runtime)]
pub struct SpikingResNet<N: Layer = IfNode, B: SpikingBlock<N> = BasicBlock<N>> {
    pub conv1: Conv,
    pub bn1: BatchNorm,
    pub sn1: N,
    pub maxpool: MaxPool2d,
    pub layer1: Vec<B>,
    pub layer2: Vec<B>,
    pub layer3: Vec<B>,
    pub layer4: Vec<B>,
    pub avgpool: AdaptiveAvgPool2d,
    pub fc: Linear,
}

impl SpikingResNet {
    /// `spiking_resnet18(single_step_neuron=IFNode)`.
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        Self::new(resnet_layers(18)?, 1000, &|_| Ok(IfNode::new()), vb)
    }
}

impl<N: Layer + Module, B: SpikingBlock<N>> SpikingResNet<N, B> {
    /// `SpikingResNet(block, layers, num_classes, single_step_neuron=neuron)`.
    pub fn new(layers: [usize; 4], num_classes: usize, neuron: &NeuronFn<'_, N>, vb: VarBuilder) -> Result<Self> {
        let block = |a, p, s, vb| B::new(a, p, s, false, neuron, vb);
        let ([layer1, layer2, layer3, layer4], width) = make_stages(&vb, layers, B::EXPANSION, &block)?;
        Ok(SpikingResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(width, num_classes, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module, B: SpikingBlock<N>> Module for SpikingResNet<N, B> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let mut xs = self.maxpool.forward(&xs)?;
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                xs = block.forward(&xs)?;
            }
        }
        self.fc.forward(&self.avgpool.forward(&xs)?.flatten_from(1)?)
    }
}

#[count(crate = ::syops_runtime)]
pub struct MultiStepSpikingResNet<N: Layer = LifNode, B: SpikingBlock<N> = BasicBlock<N>> {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: N,
    maxpool: MaxPool2d,
    layer1: Vec<B>,
    layer2: Vec<B>,
    layer3: Vec<B>,
    layer4: Vec<B>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
    #[syops(skip)]
    t: usize,
}

impl MultiStepSpikingResNet {
    /// `multi_step_spiking_resnet18(T, multi_step_neuron=MultiStepLIFNode)` (tau 2).
    pub fn resnet18_lif(t: usize, vb: VarBuilder) -> Result<Self> {
        Self::new(resnet_layers(18)?, t, 1000, &|_| Ok(LifNode::multi_step(2.0)), vb)
    }
}

impl<N: Layer + Module, B: SpikingBlock<N>> MultiStepSpikingResNet<N, B> {
    /// `MultiStepSpikingResNet(block, layers, num_classes, T=t, multi_step_neuron=neuron)`.
    pub fn new(
        layers: [usize; 4],
        t: usize,
        num_classes: usize,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let block = |a, p, s, vb| B::new(a, p, s, true, neuron, vb);
        let ([layer1, layer2, layer3, layer4], width) = make_stages(&vb, layers, B::EXPANSION, &block)?;
        Ok(MultiStepSpikingResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(width, num_classes, vb.pp("fc"))?,
            t,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module, B: SpikingBlock<N>> Module for MultiStepSpikingResNet<N, B> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let x_seq = if xs.rank() == 5 {
            seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?
        } else {
            let x = self.bn1.forward(&self.conv1.forward(xs)?)?.unsqueeze(0)?;
            x.repeat((self.t, 1, 1, 1, 1))?
        };
        let x_seq = self.sn1.forward(&x_seq)?;
        let mut x_seq = seq_to_ann(&x_seq, |y| self.maxpool.forward(y))?;
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                x_seq = block.forward(&x_seq)?;
            }
        }
        let x_seq = seq_to_ann(&x_seq, |y| self.avgpool.forward(y))?.flatten_from(2)?;
        seq_to_ann(&x_seq, |y| self.fc.forward(y))
    }
}

/// `spiking_resnet{depth}(single_step_neuron=neuron, num_classes=num_classes)`.
pub fn spiking_resnet(
    depth: usize,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    match neuron {
        Neuron::If => build(depth, None, num_classes, &|_| Ok(IfNode::new()), vb),
        Neuron::Lif { tau } => build(depth, None, num_classes, &|_| Ok(LifNode::new(tau)), vb),
        Neuron::Plif { init_tau } => build(depth, None, num_classes, &|vb| plif(init_tau, false, vb), vb),
    }
}

/// `multi_step_spiking_resnet{depth}(T=t, multi_step_neuron=neuron, num_classes=num_classes)`.
pub fn multi_step_spiking_resnet(
    depth: usize,
    t: usize,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    match neuron {
        Neuron::If => build(depth, Some(t), num_classes, &|_| Ok(IfNode::multi_step()), vb),
        Neuron::Lif { tau } => build(depth, Some(t), num_classes, &|_| Ok(LifNode::multi_step(tau)), vb),
        Neuron::Plif { init_tau } => build(depth, Some(t), num_classes, &|vb| plif(init_tau, true, vb), vb),
    }
}

/// The single-step model, or the multi-step one with `Some(t)`, of Basic or Bottleneck blocks.
fn build<N: SequentialLayer + 'static>(
    depth: usize,
    t: Option<usize>,
    num_classes: usize,
    neuron: &NeuronFn<'_, N>,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let layers = resnet_layers(depth)?;
    Ok(match (t, depth >= 50) {
        (None, false) => Box::new(SpikingResNet::<N, BasicBlock<N>>::new(layers, num_classes, neuron, vb)?),
        (None, true) => Box::new(SpikingResNet::<N, Bottleneck<N>>::new(layers, num_classes, neuron, vb)?),
        (Some(t), false) => {
            Box::new(MultiStepSpikingResNet::<N, BasicBlock<N>>::new(layers, t, num_classes, neuron, vb)?)
        }
        (Some(t), true) => {
            Box::new(MultiStepSpikingResNet::<N, Bottleneck<N>>::new(layers, t, num_classes, neuron, vb)?)
        }
    })
}
