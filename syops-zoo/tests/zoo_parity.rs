//! Zoo models that the reference cases do not cover, built by the registry as `cargo syops zoo`
//! builds them and counted on the weights and inputs of `fixtures/zoo_cases/` (written by
//! `fixtures/zoo_cases.py` with refgen.py's generator, counted there by the original syops 0.0.5 on
//! spikingjelly's own constructors): strictly in float64, loosely in float32
//! (tests/reference/README.md). They cover the multi-step VGGs' time folding, on an image and on a
//! `[T, N, C, H, W]` input, LIF and PLIF neurons, and the DSNN with OR and its `acc` head.
use candle::{DType, Device};
use candle_nn::VarBuilder;
use syops_runtime::Session;
use syops_zoo::reference::{compare, runner_output, Case, Tolerance};
use syops_zoo::{find, Cnf, Head, Neuron, ZooOptions};

/// Counts case `file` with the zoo's `model` built with `options` in `dtype`, and compares.
fn check(file: &str, model: &str, options: ZooOptions, dtype: DType) {
    let dev = Device::Cpu;
    let case = Case::load(format!("{}/fixtures/zoo_cases/{file}.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let vb = VarBuilder::from_tensors(case.tensors(dtype, &dev).unwrap(), dtype, &dev);
    let net = find(model).unwrap().build(&options, vb).unwrap_or_else(|e| panic!("{model}: {e}"));
    let inputs = case.inputs(dtype, &dev).unwrap();
    let report = Session::new().count_batches(&net, &inputs, |m, xs| m.forward(xs)).unwrap();
    let (want, tol) = match dtype {
        DType::F64 => (&case.expected_f64, Tolerance::STRICT),
        _ => (&case.expected, Tolerance::LOOSE),
    };
    let bad = compare(&runner_output(&case.case, &report), want, tol);
    assert!(bad.is_empty(), "{file} ({dtype:?}): {} mismatches:\n{}", bad.len(), bad.join("\n"));
    let paths: Vec<&str> = report.layers.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths.len(), want.layers.len(), "{file}: rows {paths:?}");
}

/// 10 classes, `t` steps, `neuron` (the model's default when `None`).
fn options(t: usize, neuron: Option<Neuron>) -> ZooOptions {
    ZooOptions { time_steps: Some(t), neuron, num_classes: Some(10), ..Default::default() }
}

const PLIF: Option<Neuron> = Some(Neuron::Plif { init_tau: 2.0 });

#[test]
fn multi_step_spiking_vgg11_bn_on_images() {
    for dtype in [DType::F64, DType::F32] {
        check("multi_step_spiking_vgg11_bn_t2", "multi_step_spiking_vgg11_bn", options(2, None), dtype);
    }
}

#[test]
fn multi_step_spiking_vgg13_lif_on_a_sequence() {
    let lif = Some(Neuron::Lif { tau: 2.0 });
    check("multi_step_spiking_vgg13_lif_5d", "multi_step_spiking_vgg13", options(3, lif), DType::F64);
}

#[test]
fn spiking_vgg16_plif() {
    check("spiking_vgg16_plif", "spiking_vgg16", options(1, PLIF), DType::F64);
}

#[test]
fn multi_step_spiking_vgg19_bn_plif() {
    check("multi_step_spiking_vgg19_bn_plif_t2", "multi_step_spiking_vgg19_bn", options(2, PLIF), DType::F64);
}

#[test]
fn dsnn34_or_acc_head() {
    let opts = ZooOptions { cnf: Some(Cnf::Or), head: Some(Head::Acc), ..options(2, None) };
    check("dsnn34_or_t2", "dsnn34", opts, DType::F64);
}
