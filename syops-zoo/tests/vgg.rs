//! spikingjelly's spiking VGGs from the registry, counted at 32×32 (`avgpool` takes any size to
//! 7×7): the single-step model's rows, and the multi-step model's time folding as spiking_vgg.py's
//! `MultiStepSpikingVGG` runs it: `features.0` once on an image, then repeated `T` times (or on the
//! folded `[T*N, ...]` of a `[T, N, ...]` input), every later module on `[T*N, ...]`, the neurons on
//! `[T, N, ...]`, the output `[T, N, classes]`.
use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use syops_runtime::model::reset;
use syops_runtime::nn::SequentialLayer;
use syops_runtime::report::Report;
use syops_runtime::Session;
use syops_zoo::{find, Neuron, ZooOptions};

fn build(name: &str, options: &ZooOptions, vb: VarBuilder) -> Box<dyn SequentialLayer> {
    find(name).unwrap().build(options, vb).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A row: path, type, calls, input and output shape.
type Row = (String, String, u64, Vec<usize>, Vec<usize>);

/// Every row of `report`.
fn rows(report: &Report) -> Vec<Row> {
    let shape = |s: &Option<Vec<usize>>| s.clone().unwrap_or_default();
    let rows = report.layers.iter();
    rows.map(|l| (l.path.clone(), l.type_name.clone(), l.stats.calls, shape(&l.input_shape), shape(&l.output_shape)))
        .collect()
}

/// The rows of VGG-11 (cfg A) at `[n, 3, 32, 32]`: `neuron`'s type, with BatchNorm when `bn`; for
/// a multi-step model of `t` steps, every module after `features.0` sees `t * n` samples and the
/// neurons `[t, n, ...]`.
fn vgg11_rows(n: usize, bn: bool, neuron: &str, t: Option<usize>) -> Vec<Row> {
    let (tn, seq) = match t {
        Some(t) => (t * n, vec![t, n]),
        None => (n, vec![n]),
    };
    let at = |b: usize, rest: &[usize]| [&[b][..], rest].concat();
    let sn = |rest: &[usize]| [&seq[..], rest].concat();
    let mut want = Vec::new();
    let mut push = |path: String, ty: &str, i: Vec<usize>, o: Vec<usize>| want.push((path, ty.to_string(), 1, i, o));
    let (mut i, mut cin, mut hw) = (0, 3, 32);
    for v in [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0] {
        if v == 0 {
            push(format!("features.{i}"), "MaxPool2d", at(tn, &[cin, hw, hw]), at(tn, &[cin, hw / 2, hw / 2]));
            (i, hw) = (i + 1, hw / 2);
            continue;
        }
        // The first convolution sees the image; under a 4-D input, before the repeat.
        let b = if i == 0 { n } else { tn };
        push(format!("features.{i}"), "Conv2d", at(b, &[cin, hw, hw]), at(b, &[v, hw, hw]));
        if bn {
            push(format!("features.{}", i + 1), "BatchNorm2d", at(tn, &[v, hw, hw]), at(tn, &[v, hw, hw]));
        }
        let j = i + 1 + usize::from(bn);
        push(format!("features.{j}"), neuron, sn(&[v, hw, hw]), sn(&[v, hw, hw]));
        (i, cin) = (j + 1, v);
    }
    push("avgpool".into(), "AdaptiveAvgPool2d", at(tn, &[512, 1, 1]), at(tn, &[512, 7, 7]));
    push("classifier.0".into(), "Linear", at(tn, &[25088]), at(tn, &[4096]));
    push("classifier.1".into(), neuron, sn(&[4096]), sn(&[4096]));
    push("classifier.3".into(), "Linear", at(tn, &[4096]), at(tn, &[4096]));
    push("classifier.4".into(), neuron, sn(&[4096]), sn(&[4096]));
    push("classifier.6".into(), "Linear", at(tn, &[4096]), at(tn, &[10]));
    want
}

fn images(shape: &[usize]) -> Tensor {
    Tensor::rand(0f32, 1f32, shape, &Device::Cpu).unwrap()
}

#[test]
fn a_single_step_vgg11_counts_at_32x32() {
    let lif = ZooOptions { neuron: Some(Neuron::Lif { tau: 3.0 }), num_classes: Some(10), ..Default::default() };
    let model = build("spiking_vgg11", &lif, VarBuilder::zeros(DType::F32, &Device::Cpu));
    let report = Session::new().count(&model, &images(&[2, 3, 32, 32]), |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.model, "SpikingVGG");
    assert_eq!(rows(&report), vgg11_rows(2, false, "LIFNode", None));
    // The Dropouts (`classifier.2`, `.5`) have no row, as in syops; nothing goes uncounted.
    assert!(report.warnings.is_empty() && report.coverage.unwrap().is_complete(), "{:?}", report.warnings);
    // spiking_vgg11 with 10 classes: torchvision's vgg11 less 990 classes of 4096 weights and a bias.
    assert_eq!(report.params, 132_863_336 - 990 * 4097);
}

#[test]
fn a_multi_step_vgg11_folds_time_as_spikingjelly_does() {
    let dev = Device::Cpu;
    let opts = ZooOptions { time_steps: Some(2), num_classes: Some(10), ..Default::default() };
    let model = build("multi_step_spiking_vgg11_bn", &opts, VarBuilder::zeros(DType::F32, &dev));
    let report = Session::new().count(&model, &images(&[3, 3, 32, 32]), |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.model, "MultiStepSpikingVGG");
    assert_eq!(rows(&report), vgg11_rows(3, true, "MultiStepIFNode", Some(2)));
    assert!(report.warnings.is_empty() && report.coverage.unwrap().is_complete(), "{:?}", report.warnings);
    assert_eq!(report.params, 132_868_840 - 990 * 4097);
    // A `[T, N, C, H, W]` input sets T itself, and `features.0` runs time-folded.
    let report = Session::new().count(&model, &images(&[4, 1, 3, 32, 32]), |m, xs| m.forward(xs)).unwrap();
    let mut want = vgg11_rows(1, true, "MultiStepIFNode", Some(4));
    want[0].3[0] = 4;
    want[0].4[0] = 4;
    assert_eq!(rows(&report), want);
    let err = model.forward(&images(&[3, 32, 32])).unwrap_err().to_string();
    assert!(err.contains("expected [N, C, H, W] or [T, N, C, H, W], got [3, 32, 32]"), "{err}");
}

/// With IF neurons the multi-step model on an image is the single-step model called `T` times
/// without a reset (its neurons keep their membranes): step `t` of the output is the `t`-th call's.
#[test]
fn multi_step_outputs_are_the_single_step_models_steps() {
    const SCALE: f32 = 2.0;
    let dev = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let opts = ZooOptions { time_steps: Some(3), num_classes: Some(10), ..Default::default() };
    let multi = build("multi_step_spiking_vgg11_bn", &opts, vb.clone());
    let single = build("spiking_vgg11_bn", &opts, vb);
    // He-normal weights (gain `SCALE`), BatchNorm as initialised, zero biases and means.
    for (name, var) in varmap.data().lock().unwrap().iter() {
        let dims = var.dims().to_vec();
        let value = if dims.len() > 1 {
            let fan_in = dims[1..].iter().product::<usize>() as f32;
            Tensor::randn(0f32, SCALE * (2.0 / fan_in).sqrt(), dims, &dev).unwrap()
        } else if name.ends_with("weight") || name.ends_with("running_var") {
            Tensor::ones(dims, DType::F32, &dev).unwrap()
        } else {
            Tensor::zeros(dims, DType::F32, &dev).unwrap()
        };
        var.set(&value).unwrap();
    }
    let xs = (images(&[2, 3, 32, 32]) * 4.0).unwrap();
    let out = multi.forward(&xs).unwrap();
    assert_eq!(out.dims(), [3, 2, 10]);
    for t in 0..3 {
        let want = single.forward(&xs).unwrap();
        let diff = (out.get(t).unwrap() - &want).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert!(diff <= 1e-4, "step {t}: {diff}");
    }
    // The steps differ (the membranes carry over), so the comparison saw the neurons at work.
    let steps = (out.get(0).unwrap() - out.get(2).unwrap()).unwrap().abs().unwrap().sum_all().unwrap();
    assert!(steps.to_scalar::<f32>().unwrap() > 0.0);
    reset(&multi);
    assert_eq!(multi.forward(&xs).unwrap().to_vec3::<f32>().unwrap(), out.to_vec3::<f32>().unwrap());
}
