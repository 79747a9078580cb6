//! refgen.py's `Audio1d`: 1-D convolutions (grouped, transposed), batch, group and instance norms,
//! LIF and IF neurons, pools, nearest upsampling and every activation syops has a rule for.
use candle::{Module, Result, Tensor};
use candle_nn::{Activation, Linear, PReLU, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{
    batch_norm, AdaptiveAvgPool1d, AdaptiveMaxPool1d, AvgPool1d, BatchNorm, Conv, ConvConfig, GroupNorm, InstanceNorm,
    MaxPool1d, Upsample,
};

#[count(crate = ::syops_runtime)]
pub struct Audio1d {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: LifNode,
    pool1: MaxPool1d,
    conv2: Conv,
    gn: GroupNorm,
    sn2: IfNode,
    pool2: AvgPool1d,
    up: Upsample,
    deconv: Conv,
    inorm: InstanceNorm,
    elu: Activation,
    lrelu: Activation,
    relu6: Activation,
    prelu: PReLU,
    gelu: Activation,
    amax: AdaptiveMaxPool1d,
    aavg: AdaptiveAvgPool1d,
    fc: Linear,
}

impl Audio1d {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Audio1d {
            conv1: Conv::new(
                1,
                false,
                8,
                16,
                &[5],
                ConvConfig { padding: vec![2], ..Default::default() },
                vb.pp("conv1"),
            )?,
            bn1: batch_norm(1, 16, true, vb.pp("bn1"))?,
            sn1: LifNode::new(2.0),
            pool1: MaxPool1d::new(2, 2, 0),
            conv2: Conv::new(
                1,
                false,
                16,
                32,
                &[3],
                ConvConfig { padding: vec![1], groups: 4, bias: false, ..Default::default() },
                vb.pp("conv2"),
            )?,
            gn: GroupNorm::new(4, 32, vb.pp("gn"))?,
            sn2: IfNode::new(),
            pool2: AvgPool1d::new(2, 2, 0),
            up: Upsample::scale(&[2.0]),
            deconv: Conv::new(
                1,
                true,
                32,
                16,
                &[4],
                ConvConfig { stride: vec![2], padding: vec![1], ..Default::default() },
                vb.pp("deconv"),
            )?,
            inorm: InstanceNorm::new(1, 16, true, vb.pp("inorm"))?,
            elu: Activation::Elu(1.0),
            lrelu: Activation::LeakyRelu(0.1),
            relu6: Activation::Relu6,
            prelu: candle_nn::prelu(Some(16), vb.pp("prelu"))?,
            gelu: Activation::Gelu,
            amax: AdaptiveMaxPool1d::new(8),
            aavg: AdaptiveAvgPool1d::new(4),
            fc: candle_nn::linear(64, 10, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Audio1d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.pool1.forward(&self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?)?;
        let xs = self.pool2.forward(&self.sn2.forward(&self.gn.forward(&self.conv2.forward(&xs)?)?)?)?;
        let xs = self.up.forward(&xs)?;
        let xs = self.inorm.forward(&self.deconv.forward(&xs)?)?;
        let xs = self.elu.forward(&xs)?;
        let xs = self.lrelu.forward(&xs)?;
        let xs = self.relu6.forward(&xs)?;
        let xs = self.prelu.forward(&xs)?;
        let xs = self.gelu.forward(&xs)?;
        let xs = self.aavg.forward(&self.amax.forward(&xs)?)?;
        self.fc.forward(&xs.flatten_from(1)?)
    }
}
