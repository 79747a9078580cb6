//! Counting a reference case with its port: [`CASES`] lists the cases this zoo can build. A case's
//! model counts over the case's own inputs ([`count_case`]) or, with the case's weights, over a
//! dataset ([`count_case_over`]).
use std::cell::RefCell;

use candle::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use syops_runtime::model::Layer;
use syops_runtime::report::Report;
use syops_runtime::Session;

use crate::data::{Batches, Dataset};
use crate::reference::Case;
use crate::{
    audio1d, cifar_plif, decoder2d, dsnn, recurrent, resnet, sew_resnet, spiking_mlp, spiking_resnet, spiking_vgg,
    volume3d,
};
use crate::{Error, Result};

/// The reference cases this runner has a port for.
pub const CASES: &[&str] = &[
    "resnet18",
    "spiking_resnet18",
    "sew_resnet18",
    "multistep_spiking_resnet18_lif_t4",
    "multistep_sew_resnet18_5d",
    "cifar_plif_t4",
    "audio1d",
    "volume3d",
    "decoder2d",
    "recurrent",
    "dsnn18_aap_t2",
    "spiking_vgg11_bn",
    "spiking_mlp_t6",
];

/// Builds the case's model from its manifest and counts it on the case's batches.
pub fn count_case(case: &Case, dtype: DType, device: &Device) -> Result<Report> {
    count_case_with(&Session::new(), case, dtype, device)
}

/// [`count_case`] with the given session's options.
pub fn count_case_with(session: &Session, case: &Case, dtype: DType, device: &Device) -> Result<Report> {
    let inputs = case.inputs(dtype, device)?;
    count_model(session, case, dtype, device, Feed::Inputs(&inputs))
}

/// The case's model (its manifest's weights) counted over `dataset` instead of the case's own
/// inputs: its samples in order, in batches of `batch_size`, neurons reset after each batch. A
/// labelled dataset is scored too ([`Report::accuracy`]), by the output `scores` is shown for each
/// batch: the model's logits (the DSNN's spike head, as `cargo syops zoo` scores it by default;
/// its `acc` head is computed and counted all the same).
pub fn count_case_over(
    session: &Session,
    case: &Case,
    dataset: &dyn Dataset,
    batch_size: usize,
    dtype: DType,
    device: &Device,
    scores: &mut dyn FnMut(&Tensor),
) -> Result<Report> {
    let failed = RefCell::new(None);
    let report = {
        let batches = Batches::new(dataset, batch_size, None, dtype, device).until_error(&failed);
        let mut batches = batches.map(|b| (b.xs, b.labels.unwrap_or_default()));
        let feed = Feed::Dataset { batches: &mut batches, labelled: dataset.labelled(), scores };
        count_model(session, case, dtype, device, feed)
    };
    match failed.into_inner() {
        Some(e) => Err(e),
        None => report,
    }
}

/// What a case's model is counted over.
enum Feed<'a> {
    /// Its own input batches.
    Inputs(&'a [Tensor]),
    /// A dataset's batches and their labels (scored when `labelled`); `scores` sees each output.
    Dataset {
        batches: &'a mut dyn Iterator<Item = (Tensor, Vec<u32>)>,
        labelled: bool,
        scores: &'a mut dyn FnMut(&Tensor),
    },
}

impl Feed<'_> {
    /// Counts `model` over the feed; `forward` gives the output that is scored.
    fn count<M: Layer>(
        self,
        session: &Session,
        model: &M,
        forward: impl Fn(&M, &Tensor) -> candle::Result<Tensor>,
    ) -> syops_runtime::Result<Report> {
        let shown = |scores: &mut dyn FnMut(&Tensor), m: &M, xs: &Tensor| {
            let out = forward(m, xs);
            if let Ok(out) = &out {
                scores(out);
            }
            out
        };
        match self {
            Feed::Inputs(inputs) => session.count_batches(model, inputs, &forward),
            Feed::Dataset { batches, labelled: true, scores } => {
                session.count_labelled(model, batches, |m, xs| shown(scores, m, xs))
            }
            Feed::Dataset { batches, labelled: false, scores } => {
                session.count_batches(model, batches.map(|(xs, _)| xs), |m, xs| shown(scores, m, xs))
            }
        }
    }
}

/// Builds the case's model from its manifest's tensors and counts it over `feed`.
fn count_model(session: &Session, case: &Case, dtype: DType, device: &Device, feed: Feed) -> Result<Report> {
    let unknown = || Error::UnknownCase { case: case.case.clone(), file: case.path.clone() };
    if !CASES.contains(&case.case.as_str()) {
        return Err(unknown());
    }
    let tensors = case.tensors(dtype, device)?;
    let vb = VarBuilder::from_tensors(tensors, dtype, device);
    let name = case.case.as_str();
    let report = match name {
        "resnet18" => feed.count(session, &resnet::ResNet::resnet18(vb)?, |m, xs| m.forward(xs)),
        "spiking_resnet18" => feed.count(session, &spiking_resnet::SpikingResNet::resnet18(vb)?, |m, xs| m.forward(xs)),
        "sew_resnet18" => feed.count(session, &sew_resnet::SewResNet::resnet18(vb)?, |m, xs| m.forward(xs)),
        "multistep_spiking_resnet18_lif_t4" => {
            let model = spiking_resnet::MultiStepSpikingResNet::resnet18_lif(4, vb)?;
            feed.count(session, &model, |m, xs| m.forward(xs))
        }
        "multistep_sew_resnet18_5d" => {
            feed.count(session, &sew_resnet::MultiStepSewResNet::resnet18_if(2, vb)?, |m, xs| m.forward(xs))
        }
        "cifar_plif_t4" => feed.count(session, &cifar_plif::cifar_plif(vb)?, |m, xs| m.forward(xs)),
        "audio1d" => feed.count(session, &audio1d::Audio1d::new(vb)?, |m, xs| m.forward(xs)),
        "volume3d" => feed.count(session, &volume3d::Volume3d::new(vb)?, |m, xs| m.forward(xs)),
        "decoder2d" => feed.count(session, &decoder2d::Decoder2d::new(vb)?, |m, xs| m.forward(xs)),
        "recurrent" => feed.count(session, &recurrent::Recurrent::new(vb)?, |m, xs| m.forward(xs)),
        "dsnn18_aap_t2" => {
            // Two outputs, the spike and the `acc` heads' logits: the spike head is the output.
            let model = dsnn::dsnn(18, 2, dsnn::Cnf::And, 1000, vb)?;
            feed.count(session, &model, |m, xs| m.forward(xs).map(|(spikes, _acc)| spikes))
        }
        "spiking_vgg11_bn" => {
            feed.count(session, &spiking_vgg::SpikingVgg::vgg11_bn_if(10, vb)?, |m, xs| m.forward(xs))
        }
        "spiking_mlp_t6" => feed.count(session, &spiking_mlp::spiking_mlp(vb)?, |m, xs| m.forward(xs)),
        _ => return Err(unknown()),
    };
    report.map_err(|error| Error::Counting { case: name.to_string(), error: Box::new(error) })
}
