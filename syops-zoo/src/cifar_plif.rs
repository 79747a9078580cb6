//! refgen.py's `cifar_plif`: a `TimeLoop` over a single-step body with a PLIF, LIF (tau 2 and 3)
//! and IF neurons, grouped and affine-free norms, max/avg/adaptive pools and a flatten.
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::{IfNode, LifNode, NeuronConfig, PlifNode};
use syops_runtime::nn::{batch_norm, AdaptiveAvgPool2d, AvgPool2d, BatchNorm, Conv, ConvConfig, Flatten, MaxPool2d};

use crate::blocks::TimeLoop;

/// `body`: an `nn.Sequential` of 17 modules, a tuple struct so that the fields are `body.0` …
/// `body.16`; `body.12` is the `nn.Flatten`, which syops does not count (skipped).
#[count(name = "Sequential", crate = ::syops_runtime)]
pub struct CifarBody(
    pub Conv,
    pub BatchNorm,
    pub PlifNode,
    pub MaxPool2d,
    pub Conv,
    pub BatchNorm,
    pub LifNode,
    pub AvgPool2d,
    pub Conv,
    pub BatchNorm,
    pub IfNode,
    pub AdaptiveAvgPool2d,
    #[syops(skip)] pub Flatten,
    pub Linear,
    pub BatchNorm,
    pub LifNode,
    pub Linear,
);

fn conv3(cin: usize, cout: usize, groups: usize, bias: bool, vb: VarBuilder) -> Result<Conv> {
    let cfg = ConvConfig { padding: vec![1], groups, bias, ..Default::default() };
    Conv::new(2, false, cin, cout, &[3], cfg, vb)
}

impl CifarBody {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(CifarBody(
            conv3(3, 32, 1, true, vb.pp("0"))?,
            batch_norm(2, 32, true, vb.pp("1"))?,
            PlifNode::new(NeuronConfig::default(), vb.pp("2"))?,
            MaxPool2d::new(2, 2, 0),
            conv3(32, 64, 1, false, vb.pp("4"))?,
            batch_norm(2, 64, true, vb.pp("5"))?,
            LifNode::new(2.0),
            AvgPool2d::new(2, 2, 0),
            conv3(64, 64, 4, false, vb.pp("8"))?,
            batch_norm(2, 64, false, vb.pp("9"))?,
            IfNode::new(),
            AdaptiveAvgPool2d::new((2, 2)),
            Flatten::new(1),
            candle_nn::linear(256, 128, vb.pp("13"))?,
            batch_norm(1, 128, true, vb.pp("14"))?,
            LifNode::new(3.0),
            candle_nn::linear(128, 10, vb.pp("16"))?,
        ))
    }
}

#[count(crate = ::syops_runtime)]
impl Module for CifarBody {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.2.forward(&self.1.forward(&self.0.forward(xs)?)?)?;
        let xs = self.3.forward(&xs)?;
        let xs = self.6.forward(&self.5.forward(&self.4.forward(&xs)?)?)?;
        let xs = self.7.forward(&xs)?;
        let xs = self.10.forward(&self.9.forward(&self.8.forward(&xs)?)?)?;
        // `body.12`, the uncounted `nn.Flatten`, run as a plain function.
        let xs = Module::forward(&self.12, &self.11.forward(&xs)?)?;
        let xs = self.15.forward(&self.14.forward(&self.13.forward(&xs)?)?)?;
        self.16.forward(&xs)
    }
}

/// `TimeLoop(cifar body)` over `[B, T, 3, 32, 32]`.
pub fn cifar_plif(vb: VarBuilder) -> Result<TimeLoop<CifarBody>> {
    Ok(TimeLoop { body: CifarBody::new(vb.pp("body"))? })
}
