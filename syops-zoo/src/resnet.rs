//! torchvision's ResNet (the ANN baseline) at every depth: `resnet18` and `resnet34` of
//! [`BasicBlock`]s, `resnet50`, `resnet101` and `resnet152` of [`Bottleneck`]s (expansion 4, the
//! stride on the 3×3 convolution: torchvision's v1.5). Its ReLU modules are shared: each block's
//! `relu` runs two (BasicBlock) or three (Bottleneck) times per forward.
use candle::{Module, Result, Tensor};
use candle_nn::{Activation, Conv2d, Conv2dConfig, Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::model::Layer;
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, MaxPool2d, SequentialLayer};

use crate::blocks::{bn, make_stages, resnet_layers, Downsample};

/// candle-nn's `Conv2d` (torchvision's `conv3x3`): this port keeps it, so that one reference case
/// runs candle-nn's convolution and its counting rule at full scale; the spiking ports use
/// `syops_runtime::nn::Conv`, and the shortcuts here too.
fn conv3x3(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Conv2d> {
    candle_nn::conv2d_no_bias(cin, cout, 3, Conv2dConfig { padding: 1, stride, ..Default::default() }, vb)
}

/// candle-nn's 1×1 `Conv2d` (torchvision's `conv1x1`, stride 1), for the Bottleneck's ends.
fn conv1x1(cin: usize, cout: usize, vb: VarBuilder) -> Result<Conv2d> {
    candle_nn::conv2d_no_bias(cin, cout, 1, Conv2dConfig::default(), vb)
}

/// The stem: candle-nn's 7×7 convolution, stride 2, padding 3, no bias.
fn stem(vb: VarBuilder) -> Result<Conv2d> {
    candle_nn::conv2d_no_bias(3, 64, 7, Conv2dConfig { padding: 3, stride: 2, ..Default::default() }, vb)
}

/// A residual block of torchvision's ResNet.
pub trait Block: Layer + Module + Sized {
    /// `block.expansion`: the block's output width over `planes`.
    const EXPANSION: usize;
    /// `block(inplanes, planes, stride)` at `vb`, with its shortcut where the shape changes.
    fn new(inplanes: usize, planes: usize, stride: usize, vb: VarBuilder) -> Result<Self>;
}

#[count(crate = ::syops_runtime)]
pub struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm,
    relu: Activation,
    conv2: Conv2d,
    bn2: BatchNorm,
    downsample: Option<Downsample>,
}

impl Block for BasicBlock {
    const EXPANSION: usize = 1;
    fn new(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
        Ok(BasicBlock {
            conv1: conv3x3(cin, cout, stride, vb.pp("conv1"))?,
            bn1: bn(cout, vb.pp("bn1"))?,
            relu: Activation::Relu,
            conv2: conv3x3(cout, cout, 1, vb.pp("conv2"))?,
            bn2: bn(cout, vb.pp("bn2"))?,
            downsample: Downsample::new(cin, cout, stride, vb.pp("downsample"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for BasicBlock {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let out = self.relu.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let out = self.bn2.forward(&self.conv2.forward(&out)?)?;
        let identity = match &self.downsample {
            Some(ds) => ds.forward(xs)?,
            None => xs.clone(),
        };
        self.relu.forward(&(out + identity)?)
    }
}

/// torchvision's `Bottleneck`: 1×1 to `planes`, 3×3 (strided), 1×1 to `4 * planes`.
#[count(crate = ::syops_runtime)]
pub struct Bottleneck {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    conv3: Conv2d,
    bn3: BatchNorm,
    relu: Activation,
    downsample: Option<Downsample>,
}

impl Block for Bottleneck {
    const EXPANSION: usize = 4;
    fn new(cin: usize, planes: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
        let cout = planes * Self::EXPANSION;
        Ok(Bottleneck {
            conv1: conv1x1(cin, planes, vb.pp("conv1"))?,
            bn1: bn(planes, vb.pp("bn1"))?,
            conv2: conv3x3(planes, planes, stride, vb.pp("conv2"))?,
            bn2: bn(planes, vb.pp("bn2"))?,
            conv3: conv1x1(planes, cout, vb.pp("conv3"))?,
            bn3: bn(cout, vb.pp("bn3"))?,
            relu: Activation::Relu,
            downsample: Downsample::new(cin, cout, stride, vb.pp("downsample"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Bottleneck {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let out = self.relu.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let out = self.relu.forward(&self.bn2.forward(&self.conv2.forward(&out)?)?)?;
        let out = self.bn3.forward(&self.conv3.forward(&out)?)?;
        let identity = match &self.downsample {
            Some(ds) => ds.forward(xs)?,
            None => xs.clone(),
        };
        self.relu.forward(&(out + identity)?)
    }
}

#[count(crate = ::syops_runtime)]
pub struct ResNet<B: Block = BasicBlock> {
    conv1: Conv2d,
    bn1: BatchNorm,
    relu: Activation,
    maxpool: MaxPool2d,
    layer1: Vec<B>,
    layer2: Vec<B>,
    layer3: Vec<B>,
    layer4: Vec<B>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
}

impl ResNet {
    /// `resnet18()`: 1000 classes.
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        Self::new(resnet_layers(18)?, 1000, vb)
    }
}

impl<B: Block> ResNet<B> {
    /// `ResNet(block, layers, num_classes)`.
    pub fn new(layers: [usize; 4], num_classes: usize, vb: VarBuilder) -> Result<Self> {
        let ([layer1, layer2, layer3, layer4], width) = make_stages(&vb, layers, B::EXPANSION, &B::new)?;
        Ok(ResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            relu: Activation::Relu,
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
impl<B: Block> Module for ResNet<B> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut xs = self.maxpool.forward(&self.relu.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?)?;
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                xs = block.forward(&xs)?;
            }
        }
        let xs = self.avgpool.forward(&xs)?.flatten_from(1)?;
        self.fc.forward(&xs)
    }
}

/// torchvision's `resnet{depth}(num_classes=num_classes)`, depth 18, 34, 50, 101 or 152.
pub fn resnet(depth: usize, num_classes: usize, vb: VarBuilder) -> Result<Box<dyn SequentialLayer>> {
    let layers = resnet_layers(depth)?;
    Ok(match depth {
        18 | 34 => Box::new(ResNet::<BasicBlock>::new(layers, num_classes, vb)?),
        _ => Box::new(ResNet::<Bottleneck>::new(layers, num_classes, vb)?),
    })
}
