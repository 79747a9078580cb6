//! The zoo's models by name, as `cargo syops zoo --list` shows them: what each is, what input it
//! takes, and which options it accepts (`--num-classes`, `-T`). A name is spikingjelly's or
//! torchvision's constructor name; the weights load from PyTorch's state-dict names.
use candle_nn::VarBuilder;
use syops_runtime::nn::SequentialLayer;

use crate::{resnet, sew_resnet, spiking_resnet, spiking_vgg, Error, Result};

/// What a model is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZooOptions {
    /// Output classes (`--num-classes`; 1000 for the ImageNet models when not given).
    pub num_classes: Option<usize>,
    /// Time steps of a multi-step model (`-T`), or how many times a single-step model runs on each
    /// batch, its outputs averaged.
    pub time_steps: Option<usize>,
}

/// A model of the zoo.
pub struct ZooModel {
    /// Its constructor's name (`spiking_resnet18`).
    pub name: &'static str,
    /// What it is.
    pub about: &'static str,
    /// The input it takes, one batch.
    pub input: &'static str,
    /// Whether one call runs every time step (its neurons are multi-step; `-T` is its `T`).
    pub multi_step: bool,
    /// Whether `--num-classes` applies (else the head is fixed at 1000).
    pub num_classes: bool,
    build: fn(&ZooOptions, VarBuilder) -> candle::Result<Box<dyn SequentialLayer>>,
}

impl ZooModel {
    /// Builds the model from `vb` (PyTorch's state-dict names) with `options`, or says which
    /// option it does not take.
    pub fn build(&self, options: &ZooOptions, vb: VarBuilder) -> Result<Box<dyn SequentialLayer>> {
        if options.num_classes.is_some_and(|n| n != 1000) && !self.num_classes {
            return Err(Error::Option(format!(
                "{} has a 1000-class head in this zoo; --num-classes does not apply",
                self.name
            )));
        }
        Ok((self.build)(options, vb)?)
    }
}

fn boxed<M: SequentialLayer + 'static>(m: candle::Result<M>) -> candle::Result<Box<dyn SequentialLayer>> {
    Ok(Box::new(m?))
}

/// Every model, in the order `--list` shows them.
pub fn models() -> &'static [ZooModel] {
    const IMAGES: &str = "[N, 3, H, W] images (ImageNet: 224×224)";
    static MODELS: [ZooModel; 6] = [
        ZooModel {
            name: "resnet18",
            about: "torchvision's ResNet-18, the ANN baseline",
            input: IMAGES,
            multi_step: false,
            num_classes: false,
            build: |_, vb| boxed(resnet::ResNet::resnet18(vb)),
        },
        ZooModel {
            name: "spiking_resnet18",
            about: "spikingjelly's spiking ResNet-18 (clock_driven.model.spiking_resnet), IF neurons, single-step",
            input: IMAGES,
            multi_step: false,
            num_classes: false,
            build: |_, vb| boxed(spiking_resnet::SpikingResNet::resnet18(vb)),
        },
        ZooModel {
            name: "sew_resnet18",
            about: "spikingjelly's SEW ResNet-18 (cnf ADD), IF neurons, single-step",
            input: IMAGES,
            multi_step: false,
            num_classes: false,
            build: |_, vb| boxed(sew_resnet::SewResNet::resnet18(vb)),
        },
        ZooModel {
            name: "multi_step_spiking_resnet18",
            about: "spikingjelly's MultiStepSpikingResNet-18, multi-step LIF neurons (tau 2), T steps (default 4)",
            input: IMAGES,
            multi_step: true,
            num_classes: false,
            build: |o, vb| boxed(spiking_resnet::MultiStepSpikingResNet::resnet18_lif(o.time_steps.unwrap_or(4), vb)),
        },
        ZooModel {
            name: "multi_step_sew_resnet18",
            about: "spikingjelly's MultiStepSEWResNet-18 (cnf ADD), multi-step IF neurons, T steps (default 4)",
            input: IMAGES,
            multi_step: true,
            num_classes: false,
            build: |o, vb| boxed(sew_resnet::MultiStepSewResNet::resnet18_if(o.time_steps.unwrap_or(4), vb)),
        },
        ZooModel {
            name: "spiking_vgg11_bn",
            about: "spikingjelly's spiking VGG-11 with BatchNorm, IF neurons, single-step",
            input: IMAGES,
            multi_step: false,
            num_classes: true,
            build: |o, vb| boxed(spiking_vgg::SpikingVgg::vgg11_bn_if(o.num_classes.unwrap_or(1000), vb)),
        },
    ];
    &MODELS
}

/// The model named `name`, or an error listing them.
pub fn find(name: &str) -> Result<&'static ZooModel> {
    models().iter().find(|m| m.name == name).ok_or_else(|| {
        Error::Option(format!(
            "no zoo model `{name}`; the zoo has {}",
            models().iter().map(|m| m.name).collect::<Vec<_>>().join(", ")
        ))
    })
}
