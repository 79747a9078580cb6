//! spikingjelly's SEW ResNets, `sew_resnet{18,34,50,101,152}` (single-step) and
//! `multi_step_sew_resnet{..}` (`[T, N, ...]` input, or `[N, ...]` repeated T times): spikes are
//! joined after the neurons by `cnf` ([`Cnf`]: ADD, AND, IAND), so with ADD a block's input may
//! hold 0, 1, 2. [`SewBlock`]s for 18 and 34, [`SewBottleneck`]s from 50, any neuron
//! ([`Neuron`]): [`sew_resnet`], [`multi_step_sew_resnet`].
//!
//! sew_resnet.py's single-step `Bottleneck` joins `sew_function(out, identity)` where every other
//! block joins `sew_function(identity, out)`; with IAND the two differ, and this port keeps both.
use candle::{Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::model::Layer;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{AdaptiveAvgPool2d, BatchNorm, Conv, MaxPool2d, SequentialLayer};

use crate::blocks::{bn, conv1x1, conv3x3, make_stages, resnet_layers, seq_to_ann, stem, Downsample};
use crate::options::{plif, Cnf, Neuron, NeuronFn};

/// A residual block of spikingjelly's SEW ResNet, over neurons `N`.
pub trait SewResidual<N>: Layer + Module + Sized {
    /// `block.expansion`: the block's output width over `planes`.
    const EXPANSION: usize;
    /// `block(inplanes, planes, stride, cnf, neuron)` at `vb`; `multi_step` for `MultiStep*` blocks.
    fn new(
        inplanes: usize,
        planes: usize,
        stride: usize,
        cnf: Cnf,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self>;
}

/// sew_resnet.py's `BasicBlock` / `MultiStepBasicBlock`.
#[count(crate = ::syops_runtime)]
pub struct SewBlock<N: Layer = IfNode> {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: N,
    conv2: Conv,
    bn2: BatchNorm,
    sn2: N,
    downsample: Option<Downsample>,
    downsample_sn: Option<N>,
    #[syops(skip)]
    multi_step: bool,
    #[syops(skip)]
    cnf: Cnf,
}

impl<N: Layer + Module> SewResidual<N> for SewBlock<N> {
    const EXPANSION: usize = 1;
    fn new(
        cin: usize,
        cout: usize,
        stride: usize,
        cnf: Cnf,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let downsample = Downsample::new(cin, cout, stride, vb.pp("downsample"))?;
        Ok(SewBlock {
            conv1: conv3x3(cin, cout, stride, vb.pp("conv1"))?,
            bn1: bn(cout, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            conv2: conv3x3(cout, cout, 1, vb.pp("conv2"))?,
            bn2: bn(cout, vb.pp("bn2"))?,
            sn2: neuron(vb.pp("sn2"))?,
            downsample_sn: downsample.as_ref().map(|_| neuron(vb.pp("downsample_sn"))).transpose()?,
            downsample,
            multi_step,
            cnf,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module> Module for SewBlock<N> {
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
        self.cnf.join(&identity, &out)
    }
}

/// sew_resnet.py's `Bottleneck` / `MultiStepBottleneck`: 1×1 to `planes`, 3×3 (strided), 1×1 to
/// `4 * planes`, a neuron after each, then the join.
#[count(name = "Bottleneck", crate = ::syops_runtime)]
pub struct SewBottleneck<N: Layer = IfNode> {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: N,
    conv2: Conv,
    bn2: BatchNorm,
    sn2: N,
    conv3: Conv,
    bn3: BatchNorm,
    sn3: N,
    downsample: Option<Downsample>,
    downsample_sn: Option<N>,
    #[syops(skip)]
    multi_step: bool,
    #[syops(skip)]
    cnf: Cnf,
}

impl<N: Layer + Module> SewResidual<N> for SewBottleneck<N> {
    const EXPANSION: usize = 4;
    fn new(
        cin: usize,
        planes: usize,
        stride: usize,
        cnf: Cnf,
        multi_step: bool,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let cout = planes * Self::EXPANSION;
        let downsample = Downsample::new(cin, cout, stride, vb.pp("downsample"))?;
        Ok(SewBottleneck {
            conv1: conv1x1(cin, planes, 1, vb.pp("conv1"))?,
            bn1: bn(planes, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            conv2: conv3x3(planes, planes, stride, vb.pp("conv2"))?,
            bn2: bn(planes, vb.pp("bn2"))?,
            sn2: neuron(vb.pp("sn2"))?,
            conv3: conv1x1(planes, cout, 1, vb.pp("conv3"))?,
            bn3: bn(cout, vb.pp("bn3"))?,
            sn3: neuron(vb.pp("sn3"))?,
            downsample_sn: downsample.as_ref().map(|_| neuron(vb.pp("downsample_sn"))).transpose()?,
            downsample,
            multi_step,
            cnf,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module> Module for SewBottleneck<N> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        if self.multi_step {
            let out = self.sn1.forward(&seq_to_ann(xs, |y| self.bn1.forward(&self.conv1.forward(y)?))?)?;
            let out = self.sn2.forward(&seq_to_ann(&out, |y| self.bn2.forward(&self.conv2.forward(y)?))?)?;
            let out = self.sn3.forward(&seq_to_ann(&out, |y| self.bn3.forward(&self.conv3.forward(y)?))?)?;
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
            return self.cnf.join(&identity, &out);
        }
        let out = self.sn1.forward(&self.bn1.forward(&self.conv1.forward(xs)?)?)?;
        let out = self.sn2.forward(&self.bn2.forward(&self.conv2.forward(&out)?)?)?;
        let out = self.sn3.forward(&self.bn3.forward(&self.conv3.forward(&out)?)?)?;
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
        // sew_resnet.py's single-step Bottleneck: `sew_function(out, identity, cnf)`.
        self.cnf.join(&out, &identity)
    }
}

#[count(name = "SEWResNet", crate = ::syops_runtime)]
pub struct SewResNet<N: Layer = IfNode, B: SewResidual<N> = SewBlock<N>> {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: N,
    maxpool: MaxPool2d,
    layer1: Vec<B>,
    layer2: Vec<B>,
    layer3: Vec<B>,
    layer4: Vec<B>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
}

impl SewResNet {
    /// `sew_resnet18(cnf="ADD", single_step_neuron=IFNode)`.
    pub fn resnet18(vb: VarBuilder) -> Result<Self> {
        Self::new(resnet_layers(18)?, Cnf::Add, 1000, &|_| Ok(IfNode::new()), vb)
    }
}

impl<N: Layer + Module, B: SewResidual<N>> SewResNet<N, B> {
    /// `SEWResNet(block, layers, num_classes, cnf=cnf, single_step_neuron=neuron)`.
    pub fn new(
        layers: [usize; 4],
        cnf: Cnf,
        num_classes: usize,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let block = |a, p, s, vb| B::new(a, p, s, cnf, false, neuron, vb);
        let ([layer1, layer2, layer3, layer4], width) = make_stages(&vb, layers, B::EXPANSION, &block)?;
        Ok(SewResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
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
impl<N: Layer + Module, B: SewResidual<N>> Module for SewResNet<N, B> {
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
pub struct MultiStepSewResNet<N: Layer = IfNode, B: SewResidual<N> = SewBlock<N>> {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: N,
    maxpool: MaxPool2d,
    layer1: Vec<B>,
    layer2: Vec<B>,
    layer3: Vec<B>,
    layer4: Vec<B>,
    avgpool: AdaptiveAvgPool2d,
    fc: Linear,
    #[syops(skip)]
    t: usize,
}

impl MultiStepSewResNet {
    /// `multi_step_sew_resnet18(T, cnf="ADD", multi_step_neuron=MultiStepIFNode)`.
    pub fn resnet18_if(t: usize, vb: VarBuilder) -> Result<Self> {
        Self::new(resnet_layers(18)?, t, Cnf::Add, 1000, &|_| Ok(IfNode::multi_step()), vb)
    }
}

impl<N: Layer + Module, B: SewResidual<N>> MultiStepSewResNet<N, B> {
    /// `MultiStepSEWResNet(block, layers, num_classes, T=t, cnf=cnf, multi_step_neuron=neuron)`.
    pub fn new(
        layers: [usize; 4],
        t: usize,
        cnf: Cnf,
        num_classes: usize,
        neuron: &NeuronFn<'_, N>,
        vb: VarBuilder,
    ) -> Result<Self> {
        let block = |a, p, s, vb| B::new(a, p, s, cnf, true, neuron, vb);
        let ([layer1, layer2, layer3, layer4], width) = make_stages(&vb, layers, B::EXPANSION, &block)?;
        Ok(MultiStepSewResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: neuron(vb.pp("sn1"))?,
            maxpool: MaxPool2d::new(3, 2, 1),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: AdaptiveAvgPool2d::new((1, 1)),
            fc: candle_nn::linear(width, num_classes, vb.pp("fc"))?,
            t,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl<N: Layer + Module, B: SewResidual<N>> Module for MultiStepSewResNet<N, B> {
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

/// `sew_resnet{depth}(cnf=cnf, single_step_neuron=neuron, num_classes=num_classes)`.
pub fn sew_resnet(
    depth: usize,
    cnf: Cnf,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let nc = num_classes;
    match neuron {
        Neuron::If => build(depth, None, cnf, nc, &|_| Ok(IfNode::new()), vb),
        Neuron::Lif { tau } => build(depth, None, cnf, nc, &|_| Ok(LifNode::new(tau)), vb),
        Neuron::Plif { init_tau } => build(depth, None, cnf, nc, &|vb| plif(init_tau, false, vb), vb),
    }
}

/// `multi_step_sew_resnet{depth}(T=t, cnf=cnf, multi_step_neuron=neuron, num_classes=num_classes)`.
pub fn multi_step_sew_resnet(
    depth: usize,
    t: usize,
    cnf: Cnf,
    neuron: Neuron,
    num_classes: usize,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let (t, nc) = (Some(t), num_classes);
    match neuron {
        Neuron::If => build(depth, t, cnf, nc, &|_| Ok(IfNode::multi_step()), vb),
        Neuron::Lif { tau } => build(depth, t, cnf, nc, &|_| Ok(LifNode::multi_step(tau)), vb),
        Neuron::Plif { init_tau } => build(depth, t, cnf, nc, &|vb| plif(init_tau, true, vb), vb),
    }
}

/// The single-step model, or the multi-step one with `Some(t)`, of Basic or Bottleneck blocks.
fn build<N: SequentialLayer + 'static>(
    depth: usize,
    t: Option<usize>,
    cnf: Cnf,
    nc: usize,
    neuron: &NeuronFn<'_, N>,
    vb: VarBuilder,
) -> Result<Box<dyn SequentialLayer>> {
    let layers = resnet_layers(depth)?;
    if !Cnf::SEW.contains(&cnf) {
        candle::bail!("sew_resnet{depth}: sew_function has no cnf {}; expected {}", cnf.name(), Cnf::names(Cnf::SEW))
    }
    Ok(match (t, depth >= 50) {
        (None, false) => Box::new(SewResNet::<N, SewBlock<N>>::new(layers, cnf, nc, neuron, vb)?),
        (None, true) => Box::new(SewResNet::<N, SewBottleneck<N>>::new(layers, cnf, nc, neuron, vb)?),
        (Some(t), false) => Box::new(MultiStepSewResNet::<N, SewBlock<N>>::new(layers, t, cnf, nc, neuron, vb)?),
        (Some(t), true) => Box::new(MultiStepSewResNet::<N, SewBottleneck<N>>::new(layers, t, cnf, nc, neuron, vb)?),
    })
}
