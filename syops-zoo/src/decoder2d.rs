//! refgen.py's `Decoder2d`: a strided convolution, a grouped transposed convolution with output
//! padding, instance norm, a LIF neuron, upsampling to a size and an adaptive max pool.
use candle::{Module, Result, Tensor};
use candle_nn::{Activation, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::LifNode;
use syops_runtime::nn::{batch_norm, AdaptiveMaxPool2d, BatchNorm, Conv, ConvConfig, InstanceNorm, Upsample};

#[count(crate = ::syops_runtime)]
pub struct Decoder2d {
    conv: Conv,
    bn: BatchNorm,
    relu: Activation,
    deconv: Conv,
    inorm: InstanceNorm,
    sn: LifNode,
    up: Upsample,
    amax: AdaptiveMaxPool2d,
    head: Conv,
}

impl Decoder2d {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Decoder2d {
            conv: Conv::new(
                2,
                false,
                4,
                16,
                &[3],
                ConvConfig { stride: vec![2], padding: vec![1], ..Default::default() },
                vb.pp("conv"),
            )?,
            bn: batch_norm(2, 16, true, vb.pp("bn"))?,
            relu: Activation::Relu,
            deconv: Conv::new(
                2,
                true,
                16,
                8,
                &[3],
                ConvConfig {
                    stride: vec![2],
                    padding: vec![1],
                    output_padding: vec![1],
                    groups: 2,
                    ..Default::default()
                },
                vb.pp("deconv"),
            )?,
            inorm: InstanceNorm::new(2, 8, true, vb.pp("inorm"))?,
            sn: LifNode::new(2.0),
            up: Upsample::size(&[32, 32]),
            amax: AdaptiveMaxPool2d::new((5, 3)),
            head: Conv::new(2, false, 8, 3, &[1], ConvConfig::default(), vb.pp("head"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Decoder2d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.relu.forward(&self.bn.forward(&self.conv.forward(xs)?)?)?;
        let xs = self.sn.forward(&self.inorm.forward(&self.deconv.forward(&xs)?)?)?;
        let xs = self.up.forward(&xs)?;
        self.head.forward(&self.amax.forward(&xs)?)
    }
}
