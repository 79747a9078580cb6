//! spikingjelly's `spiking_vgg11_bn(single_step_neuron=IFNode, num_classes)` (held-back case
//! `spiking_vgg11_bn`): `features` (cfg A with BatchNorm2d and IF neurons), `avgpool` to 7×7,
//! `classifier` (Linear, IF, Dropout, Linear, IF, Dropout, Linear). The Dropouts are identities in
//! eval mode and syops has no rule for them: their fields (`classifier.2`, `classifier.5`) are
//! skipped. The `nn.Sequential`s are tuple structs, so that their children are `features.0`, ….
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::IfNode;
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, Conv, ConvConfig, MaxPool2d};

use crate::blocks::bn;

fn conv3x3_bias(cin: usize, cout: usize, vb: VarBuilder) -> Result<Conv> {
    Conv::new(2, false, cin, cout, &[3], ConvConfig { padding: vec![1], ..Default::default() }, vb)
}

/// `features`: cfg A `[64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]`, Conv-BN-IF per number.
#[count(name = "Sequential", crate = ::syops_runtime)]
pub struct Vgg11BnFeatures(
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub MaxPool2d,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub MaxPool2d,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub MaxPool2d,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub MaxPool2d,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub MaxPool2d,
);

impl Vgg11BnFeatures {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Vgg11BnFeatures(
            conv3x3_bias(3, 64, vb.pp("0"))?,
            bn(64, vb.pp("1"))?,
            IfNode::new(),
            MaxPool2d::new(2, 2, 0),
            conv3x3_bias(64, 128, vb.pp("4"))?,
            bn(128, vb.pp("5"))?,
            IfNode::new(),
            MaxPool2d::new(2, 2, 0),
            conv3x3_bias(128, 256, vb.pp("8"))?,
            bn(256, vb.pp("9"))?,
            IfNode::new(),
            conv3x3_bias(256, 256, vb.pp("11"))?,
            bn(256, vb.pp("12"))?,
            IfNode::new(),
            MaxPool2d::new(2, 2, 0),
            conv3x3_bias(256, 512, vb.pp("15"))?,
            bn(512, vb.pp("16"))?,
            IfNode::new(),
            conv3x3_bias(512, 512, vb.pp("18"))?,
            bn(512, vb.pp("19"))?,
            IfNode::new(),
            MaxPool2d::new(2, 2, 0),
            conv3x3_bias(512, 512, vb.pp("22"))?,
            bn(512, vb.pp("23"))?,
            IfNode::new(),
            conv3x3_bias(512, 512, vb.pp("25"))?,
            bn(512, vb.pp("26"))?,
            IfNode::new(),
            MaxPool2d::new(2, 2, 0),
        ))
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Vgg11BnFeatures {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.0.forward(xs)?;
        let xs = self.1.forward(&xs)?;
        let xs = self.2.forward(&xs)?;
        let xs = self.3.forward(&xs)?;
        let xs = self.4.forward(&xs)?;
        let xs = self.5.forward(&xs)?;
        let xs = self.6.forward(&xs)?;
        let xs = self.7.forward(&xs)?;
        let xs = self.8.forward(&xs)?;
        let xs = self.9.forward(&xs)?;
        let xs = self.10.forward(&xs)?;
        let xs = self.11.forward(&xs)?;
        let xs = self.12.forward(&xs)?;
        let xs = self.13.forward(&xs)?;
        let xs = self.14.forward(&xs)?;
        let xs = self.15.forward(&xs)?;
        let xs = self.16.forward(&xs)?;
        let xs = self.17.forward(&xs)?;
        let xs = self.18.forward(&xs)?;
        let xs = self.19.forward(&xs)?;
        let xs = self.20.forward(&xs)?;
        let xs = self.21.forward(&xs)?;
        let xs = self.22.forward(&xs)?;
        let xs = self.23.forward(&xs)?;
        let xs = self.24.forward(&xs)?;
        let xs = self.25.forward(&xs)?;
        let xs = self.26.forward(&xs)?;
        let xs = self.27.forward(&xs)?;
        let xs = self.28.forward(&xs)?;
        Ok(xs)
    }
}

/// An eval-mode `nn.Dropout`: the identity, not counted by syops.
#[derive(Debug, Clone, Copy, Default)]
pub struct Dropout;

/// `classifier`: Linear, IF, Dropout, Linear, IF, Dropout, Linear.
#[count(name = "Sequential", crate = ::syops_runtime)]
pub struct VggClassifier(
    pub Linear,
    pub IfNode,
    #[syops(skip)] pub Dropout,
    pub Linear,
    pub IfNode,
    #[syops(skip)] pub Dropout,
    pub Linear,
);

#[count(crate = ::syops_runtime)]
impl Module for VggClassifier {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.1.forward(&self.0.forward(xs)?)?;
        let xs = self.4.forward(&self.3.forward(&xs)?)?;
        self.6.forward(&xs)
    }
}

#[count(name = "SpikingVGG", crate = ::syops_runtime)]
pub struct SpikingVgg {
    features: Vgg11BnFeatures,
    avgpool: AdaptiveAvgPool2d,
    classifier: VggClassifier,
}

impl SpikingVgg {
    /// `spiking_vgg11_bn(single_step_neuron=neuron.IFNode, num_classes=num_classes)`.
    pub fn vgg11_bn_if(num_classes: usize, vb: VarBuilder) -> Result<Self> {
        let c = vb.pp("classifier");
        Ok(SpikingVgg {
            features: Vgg11BnFeatures::new(vb.pp("features"))?,
            avgpool: AdaptiveAvgPool2d::new((7, 7)),
            classifier: VggClassifier(
                candle_nn::linear(512 * 7 * 7, 4096, c.pp("0"))?,
                IfNode::new(),
                Dropout,
                candle_nn::linear(4096, 4096, c.pp("3"))?,
                IfNode::new(),
                Dropout,
                candle_nn::linear(4096, num_classes, c.pp("6"))?,
            ),
        })
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
