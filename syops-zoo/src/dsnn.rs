//! The DSNN (AAP) of syops' model table (Chen et al. 2023, "Training full spike neural networks via
//! auxiliary accumulation pathway"), as refgen.py's `AAPResNet` defines it: a multi-step IF ResNet
//! on `[T, N, ...]` whose blocks carry a pair, the spikes and `acc`, an analog running sum of every
//! block's spikes. The spike path joins its shortcut by a connection function ([`Cnf`]); where the
//! shape changes, `downsample` carries the spikes and `pool` the sum. Both paths end in the same
//! `fc`; `fc_acc` exists, is never called, and its parameters count.
//!
//! ```
//! use candle::{DType, Device, Tensor};
//! use candle_nn::VarBuilder;
//! use syops_zoo::dsnn::{dsnn, Cnf};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let model = dsnn(18, 2, Cnf::And, 10, VarBuilder::zeros(DType::F32, &Device::Cpu))?;
//! let xs = Tensor::zeros((1, 3, 32, 32), DType::F32, &Device::Cpu)?;
//! let report = syops_runtime::Session::new().count(&model, &xs, |m, xs| m.forward(xs))?;
//! assert_eq!(report.layer("fc").unwrap().stats.calls, 2);
//! assert_eq!(report.layer("fc_acc").unwrap().stats.calls, 0);
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};
use candle_nn::{Activation, Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::neuron::IfNode;
use syops_runtime::nn::{seq, AdaptiveAvgPool2d, BatchNorm, Conv, MaxPool2d, Sequential};

use crate::blocks::{bn, conv1x1, conv3x3, depthwise3x3, stem, SeqToAnnContainer};
/// How a block's spikes `out` join the shortcut's `spikes`: AND, IAND, OR or XOR ([`Cnf::AAP`]),
/// `cnf.join(spikes, out)` in refgen.py's order of operations.
pub use crate::options::Cnf;

/// `(depth, blocks per stage, bottleneck)` of refgen.py's `AAP_DEPTHS`: Basic blocks for 18 and
/// 34, Bottlenecks (expansion 4) for 50, 101 and 152.
pub const AAP_DEPTHS: [(usize, [usize; 4], bool); 5] = [
    (18, [2, 2, 2, 2], false),
    (34, [3, 4, 6, 3], false),
    (50, [3, 4, 6, 3], true),
    (101, [3, 4, 23, 3], true),
    (152, [3, 8, 36, 3], true),
];

/// `SeqToANNContainer(conv, BatchNorm2d)` at `vb` (`.0`, `.1`).
fn conv_bn(conv: impl Fn(VarBuilder) -> Result<Conv>, cout: usize, vb: VarBuilder) -> Result<SeqToAnnContainer> {
    Ok(SeqToAnnContainer(seq().add(conv(vb.pp(0))?).add(bn(cout, vb.pp(1))?)))
}

/// refgen.py's `AAPBlock`. Fields in registration order: `conv{i}`, `sn{i}` for its two (Basic)
/// or three (Bottleneck) stages, then `downsample` and `pool` where the shape changes. Its
/// `forward` takes and returns the pair `[spikes, acc]`.
#[count(name = "AAPBlock", crate = ::syops_runtime)]
pub struct AapBlock {
    conv1: SeqToAnnContainer,
    sn1: IfNode,
    conv2: SeqToAnnContainer,
    sn2: IfNode,
    conv3: Option<SeqToAnnContainer>,
    sn3: Option<IfNode>,
    downsample: Option<Sequential>,
    pool: Option<SeqToAnnContainer>,
    #[syops(skip)]
    cnf: Cnf,
}

impl AapBlock {
    pub fn new(cin: usize, planes: usize, stride: usize, bottleneck: bool, cnf: Cnf, vb: VarBuilder) -> Result<Self> {
        let out = if bottleneck { planes * 4 } else { planes };
        let (conv1, conv2, conv3) = if bottleneck {
            (
                conv_bn(|vb| conv1x1(cin, planes, 1, vb), planes, vb.pp("conv1"))?,
                conv_bn(|vb| conv3x3(planes, planes, stride, vb), planes, vb.pp("conv2"))?,
                Some(conv_bn(|vb| conv1x1(planes, out, 1, vb), out, vb.pp("conv3"))?),
            )
        } else {
            (
                conv_bn(|vb| conv3x3(cin, planes, stride, vb), planes, vb.pp("conv1"))?,
                conv_bn(|vb| conv3x3(planes, out, 1, vb), out, vb.pp("conv2"))?,
                None,
            )
        };
        let (downsample, pool) = if stride != 1 || cin != out {
            let vb_ds = vb.pp("downsample");
            let downsample =
                seq().add(conv_bn(|vb| conv1x1(cin, out, stride, vb), out, vb_ds.pp(0))?).add(IfNode::multi_step());
            // The carry: depthwise 3×3 then pointwise 1×1 when strided, else one 1×1.
            let vb_pool = vb.pp("pool");
            let mut pool = seq();
            if stride != 1 {
                let vb_carry = vb_pool.pp(0);
                pool.push(seq().add(depthwise3x3(cin, stride, vb_carry.pp(0))?).add(conv1x1(
                    cin,
                    out,
                    1,
                    vb_carry.pp(1),
                )?));
            } else {
                pool.push(conv1x1(cin, out, 1, vb_pool.pp(0))?);
            }
            let pool = pool.add(bn(out, vb_pool.pp(1))?).add(Activation::Relu);
            (Some(downsample), Some(SeqToAnnContainer(pool)))
        } else {
            (None, None)
        };
        Ok(AapBlock {
            conv1,
            sn1: IfNode::multi_step(),
            conv2,
            sn2: IfNode::multi_step(),
            sn3: conv3.as_ref().map(|_| IfNode::multi_step()),
            conv3,
            downsample,
            pool,
            cnf,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl AapBlock {
    /// `[spikes, acc]` → `[cnf(spikes', out), acc' + out]`, where `out` is the stages' spikes and
    /// `spikes'`, `acc'` went through `downsample` and `pool` where the block has them.
    pub fn forward(&self, spikes: &Tensor, acc: &Tensor) -> Result<(Tensor, Tensor)> {
        let mut out = self.sn1.forward(&self.conv1.forward(spikes)?)?;
        out = self.sn2.forward(&self.conv2.forward(&out)?)?;
        if let Some(conv3) = &self.conv3 {
            out = conv3.forward(&out)?;
        }
        if let Some(sn3) = &self.sn3 {
            out = sn3.forward(&out)?;
        }
        let spikes = match &self.downsample {
            Some(downsample) => downsample.forward(spikes)?,
            None => spikes.clone(),
        };
        let acc = match &self.pool {
            Some(pool) => pool.forward(acc)?,
            None => acc.clone(),
        };
        let acc = (acc + &out)?;
        Ok((self.cnf.join(&spikes, &out)?, acc))
    }
}

/// refgen.py's `AAPResNet`. Fields in registration order. Its `forward` returns both heads'
/// logits, as the original does, so it is not a candle `Module`.
#[count(name = "AAPResNet", crate = ::syops_runtime)]
pub struct AapResNet {
    conv1: Conv,
    bn1: BatchNorm,
    sn1: IfNode,
    maxpool: SeqToAnnContainer,
    layer1: Vec<AapBlock>,
    layer2: Vec<AapBlock>,
    layer3: Vec<AapBlock>,
    layer4: Vec<AapBlock>,
    avgpool: SeqToAnnContainer,
    fc: Linear,
    fc_acc: Linear,
    #[syops(skip)]
    t: usize,
}

/// refgen.py's `dsnn(depth, T=t, cnf=cnf, num_classes=num_classes)`: depth 18, 34, 50, 101 or 152,
/// cnf AND, IAND, OR or XOR.
pub fn dsnn(depth: usize, t: usize, cnf: Cnf, num_classes: usize, vb: VarBuilder) -> Result<AapResNet> {
    let Some(&(_, blocks, bottleneck)) = AAP_DEPTHS.iter().find(|(d, ..)| *d == depth) else {
        candle::bail!("dsnn: no depth {depth}; expected 18, 34, 50, 101 or 152")
    };
    AapResNet::new(blocks, bottleneck, t, cnf, num_classes, vb)
}

impl AapResNet {
    /// `AAPResNet(blocks, bottleneck, T=t, cnf=cnf, num_classes=num_classes)`.
    pub fn new(
        blocks: [usize; 4],
        bottleneck: bool,
        t: usize,
        cnf: Cnf,
        num_classes: usize,
        vb: VarBuilder,
    ) -> Result<Self> {
        if !Cnf::AAP.contains(&cnf) {
            candle::bail!("dsnn: no cnf {}; an AAP block joins by {}", cnf.name(), Cnf::names(Cnf::AAP))
        }
        let mut cin = 64;
        let mut stage = |i: usize| -> Result<Vec<AapBlock>> {
            let (planes, vb) = (64 << i, vb.pp(format!("layer{}", i + 1)));
            let mut stage = Vec::with_capacity(blocks[i]);
            for j in 0..blocks[i] {
                let stride = if j == 0 && i > 0 { 2 } else { 1 };
                stage.push(AapBlock::new(cin, planes, stride, bottleneck, cnf, vb.pp(j))?);
                cin = if bottleneck { planes * 4 } else { planes };
            }
            Ok(stage)
        };
        let (layer1, layer2, layer3, layer4) = (stage(0)?, stage(1)?, stage(2)?, stage(3)?);
        Ok(AapResNet {
            conv1: stem(vb.pp("conv1"))?,
            bn1: bn(64, vb.pp("bn1"))?,
            sn1: IfNode::multi_step(),
            maxpool: SeqToAnnContainer(seq().add(MaxPool2d::new(3, 2, 1))),
            layer1,
            layer2,
            layer3,
            layer4,
            avgpool: SeqToAnnContainer(seq().add(AdaptiveAvgPool2d::new((1, 1)))),
            fc: candle_nn::linear(cin, num_classes, vb.pp("fc"))?,
            fc_acc: candle_nn::linear(cin, num_classes, vb.pp("fc_acc"))?,
            t,
        })
    }
}

#[count(crate = ::syops_runtime)]
impl AapResNet {
    /// `[N, 3, H, W]` → the logits of the spike path and of the `acc` path, each `[N, classes]`:
    /// the stem runs once and is repeated T times; each head is `fc(flatten(avgpool(·), 2).mean(0))`.
    pub fn forward(&self, xs: &Tensor) -> Result<(Tensor, Tensor)> {
        let x = self.bn1.forward(&self.conv1.forward(xs)?)?.unsqueeze(0)?.repeat((self.t, 1, 1, 1, 1))?;
        let x = self.maxpool.forward(&self.sn1.forward(&x)?)?;
        let (mut spikes, mut acc) = (x.clone(), x);
        for stage in [&self.layer1, &self.layer2, &self.layer3, &self.layer4] {
            for block in stage.iter() {
                (spikes, acc) = block.forward(&spikes, &acc)?;
            }
        }
        let head =
            |xs: &Tensor| -> Result<Tensor> { self.fc.forward(&self.avgpool.forward(xs)?.flatten_from(2)?.mean(0)?) };
        Ok((head(&spikes)?, head(&acc)?))
    }
}

#[cfg(test)]
mod tests {
    use candle::{Device, Tensor};

    use super::Cnf;

    #[test]
    fn the_four_joins_are_refgens() {
        // spikes and out cover the four pairs (0, 0), (0, 1), (1, 0), (1, 1).
        let dev = Device::Cpu;
        let spikes = Tensor::new(&[0f32, 0., 1., 1.], &dev).unwrap();
        let out = Tensor::new(&[0f32, 1., 0., 1.], &dev).unwrap();
        for (cnf, want) in [
            ("AND", [0f32, 0., 0., 1.]),
            ("IAND", [0., 0., 1., 0.]),
            ("OR", [0., 1., 1., 1.]),
            ("XOR", [0., 1., 1., 0.]),
        ] {
            let cnf: Cnf = cnf.parse().unwrap();
            assert_eq!(cnf.join(&spikes, &out).unwrap().to_vec1::<f32>().unwrap(), want, "{cnf:?}");
        }
        // On values that are not spikes, each is the README's formula.
        let (s, o) = (Tensor::new(&[0.5f32, 2.0], &dev).unwrap(), Tensor::new(&[0.25f32, 3.0], &dev).unwrap());
        let got = |cnf: Cnf| cnf.join(&s, &o).unwrap().to_vec1::<f32>().unwrap();
        assert_eq!(got(Cnf::And), [0.125, 6.0]);
        assert_eq!(got(Cnf::Iand), [0.375, -4.0]);
        assert_eq!(got(Cnf::Or), [0.625, -1.0]);
        assert_eq!(got(Cnf::Xor), [0.5, -7.0]);
        let vb = candle_nn::VarBuilder::zeros(candle::DType::F32, &dev);
        let err = super::dsnn(18, 2, Cnf::Add, 10, vb).err().unwrap().to_string();
        assert!(err.contains("dsnn: no cnf ADD; an AAP block joins by AND, IAND, OR or XOR"), "{err}");
    }
}
