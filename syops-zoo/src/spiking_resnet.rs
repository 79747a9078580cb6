//! spikingjelly's `spiking_resnet18` (single-step IF neurons; the residual is added before the
//! second neuron) and `MultiStepSpikingResNet` (multi-step neurons over `[T, N, ...]`; convolutions,
//! norms, pools and the fc run on the time-folded `[T*N, ...]` tensor).
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, Conv, MaxPool2d};

use crate::blocks::{bn, conv3x3, seq_to_ann, stem, Downsample, RESNET18_STAGES};

/// A spiking neuron of either kind, so one block type serves both models.
#[count(crate = ::syops_runtime)]
pub struct BasicBlock<N: syops_runtime::model::Layer> {
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

impl<N: syops_runtime::model::Layer + Module> BasicBlock<N> {
    pub fn new(
        cin: usize,
        cout: usize,
        stride: usize,
        multi_step: bool,
        neuron: &dyn Fn() -> N,
        vb: VarBuilder,
    ) -> Result<Self> {
        Ok(BasicBlock {
            conv1: conv3x3(cin, cout, stride, vb.pp("conv1"))?,
            bn1: bn(cout, vb.pp("bn1"))?,
            sn1: neuron(),
            conv2: conv3x3(cout, cout, 1, vb.pp("conv2"))?,
            bn2: bn(cout, vb.pp("bn2"))?,
            sn2: neuron(),
            downsample: Downsample::new(cin, cout, stride, vb.pp("downsample"))?,
            multi_step,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: syops_runtime::model::Layer + Module> Module for BasicBlock<N> {
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

fn stages<N: syops_runtime::model::Layer + Module>(
    vb: &VarBuilder,
    multi_step: bool,
    neuron: &dyn Fn() -> N,
) -> Result<[Vec<BasicBlock<N>>; 4]> {
    let stage = |i: usize| -> Result<Vec<BasicBlock<N>>> {
        let vb = vb.pp(format!("layer{}", i + 1));
        RESNET18_STAGES[i]
            .iter()
            .enumerate()
            .map(|(j, &(a, b, s))| BasicBlock::new(a, b, s, multi_step, neuron, vb.pp(j)))
            .collect()
    };
    Ok([stage(0)?, stage(1)?, stage(2)?, stage(3)?])
}

#[count(crate = ::syops_runtime)]
pub struct SpikingResNet {
    pub conv1: Conv,
    pub bn1: BatchNorm,
    pub sn1: IfNode,
    pub maxpool: MaxPool2d,
    pub layer1: Vec<BasicBlock<IfNode>>,
    pub layer2: Vec<BasicBlock<IfNode>>,
    pub layer3: Vec<BasicBlock<IfNode>>,
    pub layer4: Vec<BasicBlock<IfNode>>,
    pub avgpool: AdaptiveAvgPool2d,
    pub fc: Linear,
}

impl SpikingResNet {
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        let [layer1, layer2, layer3, layer4] = stages(&vb, false, &IfNode::new)?;
        Ok(SpikingResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: IfNode::new(),
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(512, 1000, vb.pp("fc"))?,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for SpikingResNet {
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
pub struct MultiStepSpikingResNet {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: LifNode,
    maxpool: MaxPool2d,
    layer1: Vec<BasicBlock<LifNode>>,
    layer2: Vec<BasicBlock<LifNode>>,
    layer3: Vec<BasicBlock<LifNode>>,
    layer4: Vec<BasicBlock<LifNode>>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
    #[syops(skip)]
    t: usize,
}

impl MultiStepSpikingResNet {
    /// `multi_step_spiking_resnet18(T, multi_step_neuron=MultiStepLIFNode)` (tau 2).
    pub fn resnet18_lif(t: usize, vb: VarBuilder) -> Result<Self> {
        let lif = || LifNode::multi_step(2.0);
        let [layer1, layer2, layer3, layer4] = stages(&vb, true, &lif)?;
        Ok(MultiStepSpikingResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: lif(),
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(512, 1000, vb.pp("fc"))?,
            t,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for MultiStepSpikingResNet {
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
