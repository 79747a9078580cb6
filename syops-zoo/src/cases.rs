//! Counting a reference case with its port: [`CASES`] lists the cases this zoo can build.
use candle::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use syops_runtime::model::Layer;
use syops_runtime::report::Report;
use syops_runtime::Session;

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
    let unknown = || Error::UnknownCase { case: case.case.clone(), file: case.path.clone() };
    if !CASES.contains(&case.case.as_str()) {
        return Err(unknown());
    }
    let tensors = case.tensors(dtype, device)?;
    let vb = VarBuilder::from_tensors(tensors, dtype, device);
    let inputs = case.inputs(dtype, device)?;
    let name = case.case.as_str();
    let report = match name {
        "resnet18" => run(session, &resnet::ResNet::resnet18(vb)?, &inputs),
        "spiking_resnet18" => run(session, &spiking_resnet::SpikingResNet::resnet18(vb)?, &inputs),
        "sew_resnet18" => run(session, &sew_resnet::SewResNet::resnet18(vb)?, &inputs),
        "multistep_spiking_resnet18_lif_t4" => {
            run(session, &spiking_resnet::MultiStepSpikingResNet::resnet18_lif(4, vb)?, &inputs)
        }
        "multistep_sew_resnet18_5d" => run(session, &sew_resnet::MultiStepSewResNet::resnet18_if(2, vb)?, &inputs),
        "cifar_plif_t4" => run(session, &cifar_plif::cifar_plif(vb)?, &inputs),
        "audio1d" => run(session, &audio1d::Audio1d::new(vb)?, &inputs),
        "volume3d" => run(session, &volume3d::Volume3d::new(vb)?, &inputs),
        "decoder2d" => run(session, &decoder2d::Decoder2d::new(vb)?, &inputs),
        "recurrent" => run(session, &recurrent::Recurrent::new(vb)?, &inputs),
        "dsnn18_aap_t2" => {
            // Two outputs (the spike and the `acc` heads), so no `Module`: its own forward.
            let model = dsnn::dsnn(18, 2, dsnn::Cnf::And, 1000, vb)?;
            session.count_batches(&model, &inputs, |m, xs| m.forward(xs))
        }
        "spiking_vgg11_bn" => run(session, &spiking_vgg::SpikingVgg::vgg11_bn_if(10, vb)?, &inputs),
        "spiking_mlp_t6" => run(session, &spiking_mlp::spiking_mlp(vb)?, &inputs),
        _ => return Err(unknown()),
    };
    report.map_err(|error| Error::Counting { case: name.to_string(), error: Box::new(error) })
}

fn run<M: Layer + Module>(session: &Session, model: &M, inputs: &[Tensor]) -> syops_runtime::Result<Report> {
    session.count_batches(model, inputs, |m, xs| m.forward(xs))
}
