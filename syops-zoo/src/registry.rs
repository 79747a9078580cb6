//! The zoo's models by name, as `cargo syops zoo --list` shows them: what each is, what input it
//! takes, and which options it accepts (`--num-classes`, `-T`, `--neuron`, `--cnf`, `--head`,
//! `--channels`). A name is spikingjelly's or torchvision's constructor name; the weights load
//! from PyTorch's state-dict names. The ResNet families come at every depth:
//! `resnet{18,34,50,101,152}`, `spiking_resnet{..}`, `multi_step_spiking_resnet{..}`,
//! `sew_resnet{..}`, `multi_step_sew_resnet{..}`; the spiking VGGs at theirs:
//! `spiking_vgg{11,13,16,19}`, `spiking_vgg{..}_bn`, `multi_step_spiking_vgg{..}[_bn]`; the DSNN
//! (AAP) as `dsnn{18,..,152}`; spikingjelly's PLIF nets after their classes (`mnist_net`,
//! `cifar10_net`, `nmnist_net`, …, [`crate::plif_net`]).
use std::sync::OnceLock;

use candle_nn::VarBuilder;
use syops_runtime::nn::SequentialLayer;

use crate::blocks::RESNET_DEPTHS;
use crate::dsnn::AAP_DEPTHS;
use crate::dsnn_head::{DsnnHead, Head};
use crate::options::{Cnf, Neuron};
use crate::plif_net::PlifNet;
use crate::spiking_vgg::VGG_CFGS;
use crate::{dsnn, resnet, sew_resnet, spiking_resnet, spiking_vgg, Error, Result};

/// What a model is built with; `None` takes the model's default.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct ZooOptions {
    /// Output classes (`--num-classes`; 1000 for the ImageNet models when not given).
    pub num_classes: Option<usize>,
    /// Time steps of a multi-step model (`-T`), or how many times a single-step model runs on each
    /// batch, its outputs averaged.
    pub time_steps: Option<usize>,
    /// The spiking neuron of a spiking ResNet (`--neuron`).
    pub neuron: Option<Neuron>,
    /// How a SEW ResNet or the DSNN joins its spikes (`--cnf`).
    pub cnf: Option<Cnf>,
    /// Which of the DSNN's heads is the output (`--head`).
    pub head: Option<Head>,
    /// The width of a PLIF net (`--channels`).
    pub channels: Option<usize>,
}

type Build = dyn Fn(&ZooOptions, VarBuilder) -> candle::Result<Box<dyn SequentialLayer>> + Send + Sync;

/// A model of the zoo.
pub struct ZooModel {
    /// Its constructor's name (`spiking_resnet18`).
    pub name: String,
    /// What it is.
    pub about: String,
    /// The input it takes, one batch.
    pub input: &'static str,
    /// Whether one call runs every time step (its neurons are multi-step; `-T` is its `T`).
    pub multi_step: bool,
    /// Whether `--num-classes` applies (else the head is fixed at 1000).
    pub num_classes: bool,
    /// The neuron it is built with unless `--neuron` says otherwise; `None`: it takes none.
    pub neuron: Option<Neuron>,
    /// Its `cnf` unless `--cnf` says otherwise; `None`: it takes none.
    pub cnf: Option<Cnf>,
    /// The `--cnf`s it takes ([`Cnf::SEW`], [`Cnf::AAP`]; none when `cnf` is `None`).
    pub cnfs: &'static [Cnf],
    /// The head whose logits are its output unless `--head` says otherwise; `None`: it has one
    /// output and takes no `--head`.
    pub head: Option<Head>,
    /// Its width unless `--channels` says otherwise; `None`: it takes none.
    pub channels: Option<usize>,
    /// A head its architecture fixes (when `num_classes` is false and it is not 1000 classes): the
    /// classes, and why.
    pub fixed_classes: Option<(usize, &'static str)>,
    /// Whether it takes its time steps from its input (`[N, T, …]` frames), so that `-T` does not
    /// apply.
    pub frames: bool,
    build: Box<Build>,
}

impl ZooModel {
    /// Builds the model from `vb` (PyTorch's state-dict names) with `options`, or says which
    /// option it does not take.
    pub fn build(&self, options: &ZooOptions, vb: VarBuilder) -> Result<Box<dyn SequentialLayer>> {
        let name = &self.name;
        if let (Some(n), Some((classes, why))) = (options.num_classes, self.fixed_classes) {
            if n != classes {
                return Err(Error::Option(format!(
                    "{name} has a {classes}-class head ({why}); --num-classes {n} does not apply"
                )));
            }
        } else if options.num_classes.is_some_and(|n| n != 1000) && !self.num_classes {
            return Err(Error::Option(format!(
                "{name} has a 1000-class head in this zoo; --num-classes does not apply"
            )));
        }
        match (options.channels, self.channels) {
            (Some(c), None) => {
                return Err(Error::Option(format!(
                    "{name} takes no --channels (its widths are fixed); --channels {c} does not apply"
                )))
            }
            (Some(0), Some(_)) => return Err(Error::Option(format!("{name}: --channels must be at least 1, not 0"))),
            _ => {}
        }
        if let (Some(t), true) = (options.time_steps, self.frames) {
            return Err(Error::Option(format!(
                "{name} takes its time steps from its input ({}); -T {t} does not apply",
                self.input
            )));
        }
        if let (Some(neuron), None) = (options.neuron, self.neuron) {
            let neuron = neuron.name();
            return Err(Error::Option(format!(
                "{name} takes no --neuron (its neurons are fixed, or it has none); --neuron {neuron} does not apply"
            )));
        }
        if let Some(cnf) = options.cnf {
            if self.cnf.is_none() {
                let cnf = cnf.name();
                return Err(Error::Option(format!("{name} is not a SEW ResNet or a DSNN; --cnf {cnf} does not apply")));
            }
            if !self.cnfs.contains(&cnf) {
                return Err(Error::Option(format!(
                    "{name} takes --cnf {}; --cnf {} does not apply",
                    Cnf::names(self.cnfs),
                    cnf.name()
                )));
            }
        }
        if let (Some(head), None) = (options.head, self.head) {
            let head = head.name();
            return Err(Error::Option(format!(
                "{name} has one output (only the DSNN's two heads take it); --head {head} does not apply"
            )));
        }
        Ok((self.build)(options, vb)?)
    }

    /// The head whose logits are the output with `options`, for a model of two heads (the DSNN).
    pub fn scored_head(&self, options: &ZooOptions) -> Option<Head> {
        self.head.map(|default| options.head.unwrap_or(default))
    }
}

const IMAGES: &str = "[N, 3, H, W] images (ImageNet: 224×224)";

/// One model: single-step unless `multi_step`, `--num-classes` applies.
fn model(
    name: String,
    about: String,
    multi_step: bool,
    neuron: Option<Neuron>,
    cnf: Option<Cnf>,
    build: Box<Build>,
) -> ZooModel {
    // A model with a cnf is a SEW ResNet here; the DSNN's replace `cnfs` and `head`.
    let cnfs = if cnf.is_some() { Cnf::SEW } else { &[] };
    ZooModel {
        name,
        about,
        input: IMAGES,
        multi_step,
        num_classes: true,
        neuron,
        cnf,
        cnfs,
        head: None,
        channels: None,
        fixed_classes: None,
        frames: false,
        build,
    }
}

/// spikingjelly's PLIF nets ([`crate::plif_net`]): `--channels`, `--neuron` (default PLIF), the
/// head fixed by the `VotingLayer`; the image nets single-step, the frame nets multi-step.
fn plif_nets() -> impl Iterator<Item = ZooModel> {
    const WHY: &str = "its VotingLayer averages its last layer's outputs in groups of 10";
    let plif = Neuron::Plif { init_tau: 2.0 };
    PlifNet::ALL.into_iter().map(move |net| ZooModel {
        name: net.name().into(),
        about: format!(
            "spikingjelly's {} (PLIF paper), {} neurons (default PLIF, init_tau 2), {} classes{}",
            net.class_name(),
            if net.multi_step() { "multi-step" } else { "single-step" },
            net.classes(),
            if net.multi_step() { ", T from the frames, output averaged over T" } else { "" }
        ),
        input: net.input(),
        multi_step: net.multi_step(),
        num_classes: false,
        neuron: Some(plif),
        cnf: None,
        cnfs: &[],
        head: None,
        channels: Some(net.default_channels()),
        fixed_classes: Some((net.classes(), WHY)),
        frames: net.multi_step(),
        build: Box::new(move |o, vb| {
            net.build(o.channels.unwrap_or(net.default_channels()), o.neuron.unwrap_or(plif), vb)
        }),
    })
}

/// The five families at `depth`.
fn resnets(depth: usize) -> [ZooModel; 5] {
    let classes = |o: &ZooOptions| o.num_classes.unwrap_or(1000);
    let steps = |o: &ZooOptions| o.time_steps.unwrap_or(4);
    let (lif, add) = (Neuron::Lif { tau: 2.0 }, Cnf::Add);
    let blocks = if depth < 50 { "BasicBlocks" } else { "Bottlenecks" };
    [
        model(
            format!("resnet{depth}"),
            format!("torchvision's ResNet-{depth} ({blocks}), the ANN baseline"),
            false,
            None,
            None,
            Box::new(move |o, vb| resnet::resnet(depth, classes(o), vb)),
        ),
        model(
            format!("spiking_resnet{depth}"),
            format!("spikingjelly's spiking ResNet-{depth} ({blocks}), single-step neurons (default IF)"),
            false,
            Some(Neuron::If),
            None,
            Box::new(move |o, vb| spiking_resnet::spiking_resnet(depth, o.neuron.unwrap_or(Neuron::If), classes(o), vb)),
        ),
        model(
            format!("sew_resnet{depth}"),
            format!("spikingjelly's SEW ResNet-{depth} ({blocks}), cnf ADD by default, single-step neurons (default IF)"),
            false,
            Some(Neuron::If),
            Some(add),
            Box::new(move |o, vb| {
                sew_resnet::sew_resnet(depth, o.cnf.unwrap_or(add), o.neuron.unwrap_or(Neuron::If), classes(o), vb)
            }),
        ),
        model(
            format!("multi_step_spiking_resnet{depth}"),
            format!(
                "spikingjelly's MultiStepSpikingResNet-{depth} ({blocks}), multi-step neurons (default LIF, tau 2), T steps (default 4)"
            ),
            true,
            Some(lif),
            None,
            Box::new(move |o, vb| {
                let neuron = o.neuron.unwrap_or(lif);
                spiking_resnet::multi_step_spiking_resnet(depth, steps(o), neuron, classes(o), vb)
            }),
        ),
        model(
            format!("multi_step_sew_resnet{depth}"),
            format!(
                "spikingjelly's MultiStepSEWResNet-{depth} ({blocks}), cnf ADD by default, multi-step neurons (default IF), T steps (default 4)"
            ),
            true,
            Some(Neuron::If),
            Some(add),
            Box::new(move |o, vb| {
                let (cnf, neuron) = (o.cnf.unwrap_or(add), o.neuron.unwrap_or(Neuron::If));
                sew_resnet::multi_step_sew_resnet(depth, steps(o), cnf, neuron, classes(o), vb)
            }),
        ),
    ]
}

/// spikingjelly's spiking VGGs at `depth`: `spiking_vgg{depth}`, `_bn`, and their multi-step forms.
fn vggs(depth: usize) -> [ZooModel; 4] {
    let classes = |o: &ZooOptions| o.num_classes.unwrap_or(1000);
    let steps = |o: &ZooOptions| o.time_steps.unwrap_or(4);
    let neuron = |o: &ZooOptions| o.neuron.unwrap_or(Neuron::If);
    let vgg = move |bn: bool| {
        let (suffix, with) = if bn { ("_bn", " with BatchNorm") } else { ("", "") };
        let single = model(
            format!("spiking_vgg{depth}{suffix}"),
            format!("spikingjelly's spiking VGG-{depth}{with}, single-step neurons (default IF)"),
            false,
            Some(Neuron::If),
            None,
            Box::new(move |o, vb| spiking_vgg::spiking_vgg(depth, bn, neuron(o), classes(o), vb)),
        );
        let multi = model(
            format!("multi_step_spiking_vgg{depth}{suffix}"),
            format!(
                "spikingjelly's MultiStepSpikingVGG-{depth}{with}, multi-step neurons (default IF), T steps (default 4)"
            ),
            true,
            Some(Neuron::If),
            None,
            Box::new(move |o, vb| spiking_vgg::multi_step_spiking_vgg(depth, bn, steps(o), neuron(o), classes(o), vb)),
        );
        [single, multi]
    };
    let ([vgg, multi], [vgg_bn, multi_bn]) = (vgg(false), vgg(true));
    [vgg, vgg_bn, multi, multi_bn]
}

/// The DSNN (AAP) at `depth`: refgen.py's `AAPResNet`, IF neurons, its output one head's logits.
fn dsnn_model(depth: usize) -> ZooModel {
    let blocks = if depth < 50 { "BasicBlocks" } else { "Bottlenecks" };
    let and = Cnf::And;
    ZooModel {
        cnfs: Cnf::AAP,
        head: Some(Head::Spikes),
        ..model(
            format!("dsnn{depth}"),
            format!(
                "the DSNN (AAP) of syops' table (Chen et al. 2023; refgen.py's AAPResNet), ResNet-{depth} ({blocks}): \
                 multi-step IF neurons, T steps (default 4), two heads, both counted"
            ),
            true,
            None,
            Some(and),
            Box::new(move |o, vb| {
                let (t, cnf) = (o.time_steps.unwrap_or(4), o.cnf.unwrap_or(and));
                let model = dsnn::dsnn(depth, t, cnf, o.num_classes.unwrap_or(1000), vb)?;
                Ok(Box::new(DsnnHead::new(model, o.head.unwrap_or(Head::Spikes))))
            }),
        )
    }
}

/// Every model, in the order `--list` shows them: the ResNet families by depth, then the VGGs by
/// depth, then the DSNNs, then the PLIF nets.
pub fn models() -> &'static [ZooModel] {
    static MODELS: OnceLock<Vec<ZooModel>> = OnceLock::new();
    MODELS.get_or_init(|| {
        let mut models: Vec<ZooModel> = RESNET_DEPTHS.iter().flat_map(|&(depth, _)| resnets(depth)).collect();
        models.extend(VGG_CFGS.iter().flat_map(|&(depth, _)| vggs(depth)));
        models.extend(AAP_DEPTHS.iter().map(|&(depth, ..)| dsnn_model(depth)));
        models.extend(plif_nets());
        models
    })
}

/// The model named `name`, or an error listing them.
pub fn find(name: &str) -> Result<&'static ZooModel> {
    models().iter().find(|m| m.name == name).ok_or_else(|| {
        Error::Option(format!(
            "no zoo model `{name}`; the zoo has {}",
            models().iter().map(|m| m.name.as_str()).collect::<Vec<_>>().join(", ")
        ))
    })
}
