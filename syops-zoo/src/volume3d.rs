//! refgen.py's `Volume3d`: 3-D convolutions (anisotropic, transposed), batch and instance norms,
//! IF and LIF neurons, 3-D pools.
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{
    batch_norm, AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, BatchNorm, Conv, ConvConfig, InstanceNorm, MaxPool3d,
};

#[count(crate = ::syops_runtime)]
pub struct Volume3d {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: IfNode,
    mpool: MaxPool3d,
    conv2: Conv,
    inorm: InstanceNorm,
    sn2: LifNode,
    apool: AvgPool3d,
    deconv: Conv,
    sn3: IfNode,
    amax: AdaptiveMaxPool3d,
    aavg: AdaptiveAvgPool3d,
    fc: Linear,
}

impl Volume3d {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Volume3d {
            conv1: Conv::new(
                3,
                false,
                2,
                8,
                &[3],
                ConvConfig { padding: vec![1], ..Default::default() },
                vb.pp("conv1"),
            )?,
            bn1: batch_norm(3, 8, true, vb.pp("bn1"))?,
            sn1: IfNode::new(),
            mpool: MaxPool3d::new(2, 2, 0),
            conv2: Conv::new(
                3,
                false,
                8,
                16,
                &[1, 3, 3],
                ConvConfig { padding: vec![0, 1, 1], bias: false, ..Default::default() },
                vb.pp("conv2"),
            )?,
            inorm: InstanceNorm::new(3, 16, false, vb.pp("inorm"))?,
            sn2: LifNode::new(2.0),
            apool: AvgPool3d::with_config((1, 2, 2), (1, 2, 2), 0, false),
            deconv: Conv::new(
                3,
                true,
                16,
                8,
                &[2],
                ConvConfig { stride: vec![2], ..Default::default() },
                vb.pp("deconv"),
            )?,
            sn3: IfNode::new(),
            amax: AdaptiveMaxPool3d::new((2, 4, 4)),
            aavg: AdaptiveAvgPool3d::new((1, 1, 1)),
            fc: candle_nn::linear(8, 4, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for Volume3d {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.mpool.forward(&self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?)?;
        let xs = self.apool.forward(&self.sn2.forward(&self.inorm.forward(&self.conv2.forward(&xs)?)?)?)?;
        let xs = self.sn3.forward(&self.deconv.forward(&xs)?)?;
        let xs = self.aavg.forward(&self.amax.forward(&xs)?)?;
        self.fc.forward(&xs.flatten_from(1)?)
    }
}
