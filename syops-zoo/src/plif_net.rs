//! spikingjelly's PLIF nets (`activation_based/model/parametric_lif_net.py`, from Fang et al.
//! 2021, "Incorporating Learnable Membrane Time Constant to Enhance Learning of Spiking Neural
//! Networks"): `MNISTNet`, `FashionMNISTNet`, `NMNISTNet`, `CIFAR10Net`, `CIFAR10DVSNet` and
//! `DVSGestureNet`, each of width `channels` and with the neuron of choice (PLIF with
//! `init_tau` 2 by default, as in the paper; IF; LIF with `tau`).
//!
//! Each is an `nn.Sequential` `conv_fc` ([`Sequential`], children `conv_fc.0`, `conv_fc.1`, …, the
//! state-dict names): blocks of `Conv2d(3×3, padding 1, no bias)`, `BatchNorm2d`, neuron, with
//! `MaxPool2d(2, 2)`; then `Flatten`, `Dropout`, `Linear`, neuron, `Dropout`, `Linear` to 100
//! (DVS Gesture: 110) features, neuron, and `VotingLayer(10)`, which averages them in groups of 10:
//! 10 classes (DVS Gesture: 11). The dropouts are identities in evaluation; syops 0.0.5 counts
//! nothing for them or for the `VotingLayer` (see [`VotingLayer`]).
//!
//! The image nets run single-step on `[N, C, H, W]` (`cargo syops zoo -T` runs them T times per
//! batch and averages their outputs). The frame nets run multi-step on `[N, T, 2, H, W]` frames:
//! the input is transposed to `[T, N, …]`, the neurons are multi-step, every other layer runs on
//! the time-folded `[T·N, …]` tensor (spikingjelly's step mode 'm'), and the output is the mean
//! over `T` (spikingjelly's DVS examples: `net(frame.transpose(0, 1)).mean(0)`).
//!
//! ```
//! use candle::{DType, Device, Module, Tensor};
//! use candle_nn::VarBuilder;
//! use syops_zoo::plif_net::PlifNet;
//! use syops_zoo::Neuron;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let dev = Device::Cpu;
//! let net = PlifNet::Nmnist.build(4, Neuron::Plif { init_tau: 2.0 }, VarBuilder::zeros(DType::F32, &dev))?;
//! let frames = Tensor::zeros((2, 3, 2, 34, 34), DType::F32, &dev)?; // [N, T, 2, H, W]
//! assert_eq!(net.forward(&frames)?.dims(), [2, 10]);
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};
use candle_nn::VarBuilder;
use syops_macros::count;
use syops_runtime::neuron::{IfNode, LifNode};
use syops_runtime::nn::{seq, Conv, ConvConfig, Dropout, Flatten, MaxPool2d, Sequential, SequentialLayer, VotingLayer};

use crate::blocks::bn;
use crate::options::{plif, Neuron};

/// One of the six nets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlifNet {
    Mnist,
    FashionMnist,
    Nmnist,
    Cifar10,
    Cifar10Dvs,
    DvsGesture,
}

/// `(net, zoo name, class, default channels, input)`.
const NETS: [(PlifNet, &str, &str, usize, &str); 6] = [
    (PlifNet::Mnist, "mnist_net", "MNISTNet", 128, "[N, 1, 28, 28] images"),
    (PlifNet::FashionMnist, "fashion_mnist_net", "FashionMNISTNet", 128, "[N, 1, 28, 28] images"),
    (PlifNet::Nmnist, "nmnist_net", "NMNISTNet", 128, "[N, T, 2, 34, 34] event frames"),
    (PlifNet::Cifar10, "cifar10_net", "CIFAR10Net", 256, "[N, 3, 32, 32] images"),
    (PlifNet::Cifar10Dvs, "cifar10dvs_net", "CIFAR10DVSNet", 128, "[N, T, 2, 128, 128] event frames"),
    (PlifNet::DvsGesture, "dvs_gesture_net", "DVSGestureNet", 128, "[N, T, 2, 128, 128] event frames"),
];

impl PlifNet {
    /// All six, in parametric_lif_net.py's order.
    pub const ALL: [PlifNet; 6] = [
        PlifNet::Mnist,
        PlifNet::FashionMnist,
        PlifNet::Nmnist,
        PlifNet::Cifar10,
        PlifNet::Cifar10Dvs,
        PlifNet::DvsGesture,
    ];

    fn row(self) -> &'static (PlifNet, &'static str, &'static str, usize, &'static str) {
        NETS.iter().find(|n| n.0 == self).expect("every net has a row")
    }

    /// The zoo's name (`cifar10_net`).
    pub fn name(self) -> &'static str {
        self.row().1
    }

    /// spikingjelly's class name (`CIFAR10Net`).
    pub fn class_name(self) -> &'static str {
        self.row().2
    }

    /// spikingjelly's default `channels`.
    pub fn default_channels(self) -> usize {
        self.row().3
    }

    /// The input of one batch.
    pub fn input(self) -> &'static str {
        self.row().4
    }

    /// Whether it runs multi-step over `[N, T, 2, H, W]` frames (else single-step on images).
    pub fn multi_step(self) -> bool {
        matches!(self, PlifNet::Nmnist | PlifNet::Cifar10Dvs | PlifNet::DvsGesture)
    }

    /// Its classes: the groups of 10 its `VotingLayer` averages.
    pub fn classes(self) -> usize {
        if self == PlifNet::DvsGesture {
            11
        } else {
            10
        }
    }

    /// The net of width `channels` with `neuron`, its weights from `vb` (PyTorch's names).
    pub fn build(self, channels: usize, neuron: Neuron, vb: VarBuilder) -> Result<Box<dyn SequentialLayer>> {
        if channels == 0 {
            candle::bail!("{}: channels must be at least 1", self.class_name());
        }
        let c = channels;
        let mut f = ConvFc { seq: seq(), vb: vb.pp("conv_fc"), neuron, multi_step: self.multi_step() };
        let (features, hidden) = match self {
            PlifNet::Mnist | PlifNet::FashionMnist | PlifNet::Nmnist => {
                let cin = if self == PlifNet::Nmnist { 2 } else { 1 };
                f.block(cin, c)?.pool().block(c, c)?.pool();
                (c * if self == PlifNet::Nmnist { 8 * 8 } else { 7 * 7 }, 2048)
            }
            PlifNet::Cifar10 => {
                for i in 0..6 {
                    f.block(if i == 0 { 3 } else { c }, c)?;
                    if i % 3 == 2 {
                        f.pool();
                    }
                }
                (c * 8 * 8, 2048)
            }
            PlifNet::Cifar10Dvs | PlifNet::DvsGesture => {
                let blocks = if self == PlifNet::Cifar10Dvs { 4 } else { 5 };
                for i in 0..blocks {
                    f.block(if i == 0 { 2 } else { c }, c)?.pool();
                }
                (c * if self == PlifNet::Cifar10Dvs { 8 * 8 } else { 4 * 4 }, 512)
            }
        };
        let conv_fc = f.head(features, hidden, self.classes() * 10)?;
        Ok(match self {
            PlifNet::Mnist => Box::new(MnistNet { conv_fc }),
            PlifNet::FashionMnist => Box::new(FashionMnistNet { conv_fc }),
            PlifNet::Nmnist => Box::new(NmnistNet { conv_fc }),
            PlifNet::Cifar10 => Box::new(Cifar10Net { conv_fc }),
            PlifNet::Cifar10Dvs => Box::new(Cifar10DvsNet { conv_fc }),
            PlifNet::DvsGesture => Box::new(DvsGestureNet { conv_fc }),
        })
    }
}

/// `conv_fc` as it is built: each child loads from `conv_fc.<its index>`.
struct ConvFc<'a> {
    seq: Sequential,
    vb: VarBuilder<'a>,
    neuron: Neuron,
    multi_step: bool,
}

impl<'a> ConvFc<'a> {
    fn next(&self) -> VarBuilder<'a> {
        self.vb.pp(self.seq.len())
    }

    /// `Conv2d(cin, cout, 3, padding=1, bias=False)`, `BatchNorm2d(cout)`, a neuron.
    fn block(&mut self, cin: usize, cout: usize) -> Result<&mut Self> {
        let cfg = ConvConfig { padding: vec![1], bias: false, ..Default::default() };
        let conv = Conv::new(2, false, cin, cout, &[3], cfg, self.next())?;
        self.seq.push(conv);
        let norm = bn(cout, self.next())?;
        self.seq.push(norm);
        self.neuron()
    }

    fn neuron(&mut self) -> Result<&mut Self> {
        let ms = self.multi_step;
        match self.neuron {
            Neuron::If => self.seq.push(if ms { IfNode::multi_step() } else { IfNode::new() }),
            Neuron::Lif { tau } => self.seq.push(if ms { LifNode::multi_step(tau) } else { LifNode::new(tau) }),
            Neuron::Plif { init_tau } => {
                let node = plif(init_tau, ms, self.next())?;
                self.seq.push(node)
            }
        }
        Ok(self)
    }

    fn pool(&mut self) -> &mut Self {
        self.seq.push(MaxPool2d::new(2, 2, 0));
        self
    }

    /// Flatten, Dropout, Linear(features, hidden), neuron, Dropout, Linear(hidden, votes), neuron,
    /// VotingLayer(10).
    fn head(mut self, features: usize, hidden: usize, votes: usize) -> Result<Sequential> {
        self.seq.push(Flatten::new(1));
        self.seq.push(Dropout::new(0.5));
        let fc = candle_nn::linear(features, hidden, self.next())?;
        self.seq.push(fc);
        self.neuron()?;
        self.seq.push(Dropout::new(0.5));
        let fc = candle_nn::linear(hidden, votes, self.next())?;
        self.seq.push(fc);
        self.neuron()?;
        self.seq.push(VotingLayer::new(10));
        Ok(if self.multi_step { self.seq.multi_step_mode() } else { self.seq })
    }
}

/// `xs` (`[N, T, C, H, W]` frames) as `[T, N, C, H, W]`, or an error naming the net.
fn time_major(class: &str, xs: &Tensor) -> Result<Tensor> {
    if xs.rank() != 5 {
        candle::bail!("{class}: expected frames [N, T, 2, H, W], got shape {:?}", xs.dims());
    }
    xs.transpose(0, 1)
}

/// One net's type: `conv_fc`, run single-step on images or multi-step on frames.
macro_rules! plif_net {
    ($ty:ident, $class:tt, $multi_step:expr) => {
        #[doc = concat!("spikingjelly's `", $class, "`; built by [`PlifNet::build`].")]
        #[count(name = $class, crate = ::syops_runtime)]
        pub struct $ty {
            pub conv_fc: Sequential,
        }

        #[count(crate = ::syops_runtime)]
        impl Module for $ty {
            fn forward(&self, xs: &Tensor) -> Result<Tensor> {
                if $multi_step {
                    let xs = time_major($class, xs)?;
                    self.conv_fc.forward(&xs)?.mean(0)
                } else {
                    self.conv_fc.forward(xs)
                }
            }
        }
    };
}

plif_net!(MnistNet, "MNISTNet", false);
plif_net!(FashionMnistNet, "FashionMNISTNet", false);
plif_net!(NmnistNet, "NMNISTNet", true);
plif_net!(Cifar10Net, "CIFAR10Net", false);
plif_net!(Cifar10DvsNet, "CIFAR10DVSNet", true);
plif_net!(DvsGestureNet, "DVSGestureNet", true);

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, HashSet};

    use candle::{DType, Device};
    use candle_nn::VarMap;
    use serde_json::Value;
    use syops_runtime::model::{Layer, Role};

    use super::*;
    use crate::{find, ZooOptions};

    /// `fixtures/plif_net_params.json`, written by spikingjelly (`plif_net_params.py`).
    fn fixture() -> Value {
        let path = format!("{}/fixtures/plif_net_params.json", env!("CARGO_MANIFEST_DIR"));
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    fn params(layer: &dyn Layer, seen: &mut HashSet<candle::TensorId>) -> u64 {
        let mut total = 0;
        layer.params(&mut |t| {
            if seen.insert(t.id()) {
                total += t.elem_count() as u64;
            }
        });
        if layer.role() == Role::Container {
            layer.children(&mut |_, child| total += params(child, seen));
        }
        total
    }

    #[test]
    fn the_state_dicts_are_spikingjellys() {
        let fixture = fixture();
        for net in PlifNet::ALL {
            let want = &fixture[net.name()];
            assert_eq!(want["class"], net.class_name());
            assert_eq!(want["default_channels"].as_u64(), Some(net.default_channels() as u64), "{}", net.name());
            let c = want["channels"].as_u64().unwrap() as usize;
            for (neuron, name) in [(Neuron::Plif { init_tau: 2.0 }, "plif"), (Neuron::If, "if")] {
                let varmap = VarMap::new();
                net.build(c, neuron, VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu)).unwrap();
                let got: BTreeMap<String, Vec<usize>> =
                    varmap.data().lock().unwrap().iter().map(|(k, v)| (k.clone(), v.dims().to_vec())).collect();
                let want: BTreeMap<String, Vec<usize>> =
                    serde_json::from_value(want["state_dict"][name].clone()).unwrap();
                assert_eq!(got, want, "{} with {name}", net.name());
            }
        }
    }

    #[test]
    fn default_widths_have_spikingjellys_params_and_shapes() {
        let fixture = fixture();
        for net in PlifNet::ALL {
            let model = find(net.name()).unwrap();
            let built = model.build(&ZooOptions::default(), VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
            let want = fixture[net.name()]["default_params"].as_u64().unwrap();
            assert_eq!(params(&built, &mut HashSet::new()), want, "{}", net.name());
            assert_eq!(built.type_name(), net.class_name());
        }
    }

    #[test]
    fn images_run_single_step_and_frames_multi_step() {
        let (dev, vb) = (Device::Cpu, VarBuilder::zeros(DType::F32, &Device::Cpu));
        let plif = Neuron::Plif { init_tau: 2.0 };
        let cifar = PlifNet::Cifar10.build(2, plif, vb.clone()).unwrap();
        let xs = Tensor::zeros((3, 3, 32, 32), DType::F32, &dev).unwrap();
        assert_eq!(cifar.forward(&xs).unwrap().dims(), [3, 10]);
        let gesture = PlifNet::DvsGesture.build(2, Neuron::Lif { tau: 2.0 }, vb.clone()).unwrap();
        let frames = Tensor::zeros((2, 3, 2, 128, 128), DType::F32, &dev).unwrap();
        assert_eq!(gesture.forward(&frames).unwrap().dims(), [2, 11]);
        let err = gesture.forward(&xs).unwrap_err().to_string();
        assert!(
            err.contains("DVSGestureNet: expected frames [N, T, 2, H, W]") && err.contains("[3, 3, 32, 32]"),
            "{err}"
        );
        let err = PlifNet::Mnist.build(0, plif, vb).err().unwrap().to_string();
        assert!(err.contains("channels must be at least 1"), "{err}");
    }

    #[test]
    fn options_that_do_not_apply_are_named() {
        let vb = || VarBuilder::zeros(DType::F32, &Device::Cpu);
        let err = |name: &str, o: ZooOptions| find(name).unwrap().build(&o, vb()).err().unwrap().to_string();
        let e = err("resnet18", ZooOptions { channels: Some(8), ..Default::default() });
        assert!(e.contains("resnet18 takes no --channels") && e.contains("--channels 8"), "{e}");
        let e = err("cifar10_net", ZooOptions { channels: Some(0), ..Default::default() });
        assert!(e.contains("--channels must be at least 1"), "{e}");
        let e = err("cifar10_net", ZooOptions { num_classes: Some(100), ..Default::default() });
        assert!(e.contains("10-class head") && e.contains("VotingLayer") && e.contains("--num-classes 100"), "{e}");
        let e = err("nmnist_net", ZooOptions { time_steps: Some(4), ..Default::default() });
        assert!(
            e.contains("time steps from its input") && e.contains("[N, T, 2, 34, 34]") && e.contains("-T 4"),
            "{e}"
        );
        // What does apply: the classes it has, -T on an image net, a neuron, a width.
        let ok =
            ZooOptions { num_classes: Some(11), channels: Some(2), neuron: Some(Neuron::If), ..Default::default() };
        assert!(find("dvs_gesture_net").unwrap().build(&ok, vb()).is_ok());
        let ok = ZooOptions { time_steps: Some(4), channels: Some(2), ..Default::default() };
        assert!(find("mnist_net").unwrap().build(&ok, vb()).is_ok());
    }
}
