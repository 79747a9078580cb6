//! torchvision's ResNet-18 (the ANN baseline). Its ReLU modules are shared: each block's `relu`
//! runs twice per forward.
use candle::{Module, Result, Tensor};
use candle_nn::{Activation, Conv2d, Conv2dConfig, Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, MaxPool2d};

use crate::blocks::{bn, Downsample, RESNET18_STAGES};

/// candle-nn's `Conv2d` (torchvision's `conv3x3`): this port keeps it, so that one reference case
/// runs candle-nn's convolution and its counting rule at full scale; the spiking ports use
/// `syops_runtime::nn::Conv`, and the shortcuts here too.
fn conv3x3(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Conv2d> {
    candle_nn::conv2d_no_bias(cin, cout, 3, Conv2dConfig { padding: 1, stride, ..Default::default() }, vb)
}

/// The stem: candle-nn's 7×7 convolution, stride 2, padding 3, no bias.
fn stem(vb: VarBuilder) -> Result<Conv2d> {
    candle_nn::conv2d_no_bias(3, 64, 7, Conv2dConfig { padding: 3, stride: 2, ..Default::default() }, vb)
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

impl BasicBlock {
    pub fn new(cin: usize, cout: usize, stride: usize, vb: VarBuilder) -> Result<Self> {
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

#[count(crate = ::syops_runtime)]
pub struct ResNet {
    conv1: Conv2d,
    bn1: BatchNorm,
    relu: Activation,
    maxpool: MaxPool2d,
    layer1: Vec<BasicBlock>,
    layer2: Vec<BasicBlock>,
    layer3: Vec<BasicBlock>,
    layer4: Vec<BasicBlock>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
}

impl ResNet {
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        let stage = |i: usize| -> Result<Vec<BasicBlock>> {
            let vb = vb.pp(format!("layer{}", i + 1));
            RESNET18_STAGES[i].iter().enumerate().map(|(j, &(a, b, s))| BasicBlock::new(a, b, s, vb.pp(j))).collect()
        };
        Ok(ResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            relu: Activation::Relu,
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1: stage(0)?,
            layer2: stage(1)?,
            layer3: stage(2)?,
            layer4: stage(3)?,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(512, 1000, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for ResNet {
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
