//! refgen.py's `spiking_mlp` (held-back case `spiking_mlp_t6`): a `TimeLoop` over
//! `Flatten, Linear, BN1d, LIF, Linear (no bias), BN1d, PLIF (init_tau 3), Linear, LIF`.
//! `body.0` is the `nn.Flatten`, which syops does not count (done functionally here).
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::{LifNode, NeuronConfig, PlifNode};
use syops_runtime::nn::{batch_norm, BatchNorm, Flatten};

use crate::blocks::TimeLoop;

/// `body`, a tuple struct so that the fields are `body.0` … `body.8`.
#[count(name = "Sequential", crate = ::syops_runtime)]
pub struct MlpBody(
    #[syops(skip)] pub Flatten,
    pub Linear,
    pub BatchNorm,
    pub LifNode,
    pub Linear,
    pub BatchNorm,
    pub PlifNode,
    pub Linear,
    pub LifNode,
);

impl MlpBody {
    pub fn new(vb: VarBuilder) -> Result<Self> {
        Ok(MlpBody(
            Flatten::new(1),
            candle_nn::linear(784, 256, vb.pp("1"))?,
            batch_norm(1, 256, true, vb.pp("2"))?,
            LifNode::new(2.0),
            candle_nn::linear_no_bias(256, 128, vb.pp("4"))?,
            batch_norm(1, 128, true, vb.pp("5"))?,
            PlifNode::new(NeuronConfig::default(), vb.pp("6"))?,
            candle_nn::linear(128, 10, vb.pp("7"))?,
            LifNode::new(2.0),
        ))
    }
}

#[count(crate = ::syops_runtime)]
impl Module for MlpBody {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        // `body.0`, the uncounted `nn.Flatten`, run as a plain function.
        let xs = Module::forward(&self.0, xs)?;
        let xs = self.3.forward(&self.2.forward(&self.1.forward(&xs)?)?)?;
        let xs = self.6.forward(&self.5.forward(&self.4.forward(&xs)?)?)?;
        self.8.forward(&self.7.forward(&xs)?)
    }
}

/// `TimeLoop(spiking mlp body)` over `[B, T, 1, 28, 28]`.
pub fn spiking_mlp(vb: VarBuilder) -> Result<TimeLoop<MlpBody>> {
    Ok(TimeLoop { body: MlpBody::new(vb.pp("body"))? })
}
