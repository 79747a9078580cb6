//! spikingjelly's SEW ResNet-18 with `cnf = "ADD"`: spikes are added after the neurons
//! (`out = identity + sn2(bn2(conv2(..)))`), so a block's input may hold 0, 1, 2. Single-step
//! (`sew_resnet18`) and multi-step (`multi_step_sew_resnet18`, `[T, N, ...]` input or `[N, ...]`
//! repeated T times).
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::IfNode;
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, Conv, MaxPool2d};

use crate::blocks::{bn, conv3x3, seq_to_ann, stem, Downsample, RESNET18_STAGES};

#[count(crate = ::syops_runtime)]
pub struct SewBlock {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: IfNode,
    conv2: Conv,
    bn2: BatchNorm,
    sn2: IfNode,
    downsample: Option<Downsample>,
    downsample_sn: Option<IfNode>,
    #[syops(skip)]
    multi_step: bool,
}

impl SewBlock {
    pub fn new(cin: usize, cout: usize, stride: usize, multi_step: bool, vb: VarBuilder) -> Result<Self> {
        let neuron = || if multi_step { IfNode::multi_step() } else { IfNode::new() };
        let downsample = Downsample::new(cin, cout, stride, vb.pp("downsample"))?;
        Ok(SewBlock {
            conv1: conv3x3(cin, cout, stride, vb.pp("conv1"))?,
            bn1: bn(cout, vb.pp("bn1"))?,
            sn1: neuron(),
            conv2: conv3x3(cout, cout, 1, vb.pp("conv2"))?,
            bn2: bn(cout, vb.pp("bn2"))?,
            sn2: neuron(),
            downsample_sn: downsample.as_ref().map(|_| neuron()),
            downsample,
            multi_step,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl Module for SewBlock {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let (out, identity) = if self.multi_step {
            let out = self.sn1.forward(&seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?)?;
            let out = self.sn2.forward(&seq_to_ann(&out, |y| self.bn2.forward(&self.conv2.forward(y)?))?)?;
            let identity = match &self.downsample {
                Some(ds) => {
                    let y = seq_to_ann(xs, |y| ds.forward(y))?;
                    match &self.downsample_sn {
                        Some(sn) => sn.forward(&y)?,
                        None => y,
                    }
                }
                None => xs.clone(),
            };
            (out, identity)
        } else {
            let out = self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
            let out = self.sn2.forward(&self.bn2.forward(&self.conv2.forward(&out)?)?)?;
            let identity = match &self.downsample {
                Some(ds) => {
                    let y = ds.forward(xs)?;
                    match &self.downsample_sn {
                        Some(sn) => sn.forward(&y)?,
                        None => y,
                    }
                }
                None => xs.clone(),
            };
            (out, identity)
        };
        identity + out
    }
}

fn stages(vb: &VarBuilder, multi_step: bool) -> Result<[Vec<SewBlock>; 4]> {
    let stage = |i: usize| -> Result<Vec<SewBlock>> {
        let vb = vb.pp(format!("layer{}", i + 1));
        RESNET18_STAGES[i]
            .iter()
            .enumerate()
            .map(|(j, &(a, b, s))| SewBlock::new(a, b, s, multi_step, vb.pp(j)))
            .collect()
    };
    Ok([stage(0)?, stage(1)?, stage(2)?, stage(3)?])
}

#[count(name = "SEWResNet", crate = ::syops_runtime)]
pub struct SewResNet {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: IfNode,
    maxpool: MaxPool2d,
    layer1: Vec<SewBlock>,
    layer2: Vec<SewBlock>,
    layer3: Vec<SewBlock>,
    layer4: Vec<SewBlock>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
}

impl SewResNet {
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        let [layer1, layer2, layer3, layer4] = stages(&vb, false)?;
        Ok(SewResNet {
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
impl Module for SewResNet {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut xs = self.maxpool.forward(&self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?)?;
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                xs = block.forward(&xs)?;
            }
        }
        self.fc.forward(&self.avgpool.forward(&xs)?.flatten_from(1)?)
    }
}

#[count(name = "MultiStepSEWResNet", crate = ::syops_runtime)]
pub struct MultiStepSewResNet {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: IfNode,
    maxpool: MaxPool2d,
    layer1: Vec<SewBlock>,
    layer2: Vec<SewBlock>,
    layer3: Vec<SewBlock>,
    layer4: Vec<SewBlock>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
    #[syops(skip)]
    t: usize,
}

impl MultiStepSewResNet {
    /// `multi_step_sew_resnet18(T, cnf="ADD", multi_step_neuron=MultiStepIFNode)`.
    pub fn resnet18_if(t: usize, vb: VarBuilder) -> Result<Self> {
        let [layer1, layer2, layer3, layer4] = stages(&vb, true)?;
        Ok(MultiStepSewResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: IfNode::multi_step(),
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
impl Module for MultiStepSewResNet {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let x_seq = if xs.rank() == 5 {
            seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?
        } else {
            self.bn1.forward(&self.conv1.forward(xs)?)?.unsqueeze(0)?.repeat((self.t, 1, 1, 1, 1))?
        };
        let mut x_seq = seq_to_ann(&self.sn1.forward(&x_seq)?, |y| self.maxpool.forward(y))?;
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                x_seq = block.forward(&x_seq)?;
            }
        }
        let x_seq = seq_to_ann(&x_seq, |y| self.avgpool.forward(y))?.flatten_from(2)?;
        seq_to_ann(&x_seq, |y| self.fc.forward(y))
    }
}
