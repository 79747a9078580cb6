//! The DSNN (AAP) at every depth (only depth 18 has a reference case): built with zero weights
//! and counted from a small shape, its parameters equal what PyTorch counts for refgen.py's model
//! (`fixtures/dsnn_params.json`, written by `fixtures/dsnn_params.py`), and its rows are those of
//! refgen.py's modules (Bottleneck stages, the 1×1 carry, the heads). The zoo's `dsnn{depth}`
//! counts exactly as the library's model does, its output the head `--head` names.
use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use syops_runtime::report::Report;
use syops_runtime::Session;
use syops_zoo::dsnn::{dsnn, Cnf};
use syops_zoo::transform::EvalTransform;
use syops_zoo::{find, Head, ZooOptions, ZooRun};

/// PyTorch's parameter count of `dsnn(depth, num_classes=1000)`.
fn torch_params(depth: usize) -> u64 {
    let path = format!("{}/fixtures/dsnn_params.json", env!("CARGO_MANIFEST_DIR"));
    let fixture: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(fixture["num_classes"], 1000);
    fixture["params"][format!("dsnn{depth}")].as_u64().unwrap_or_else(|| panic!("{path}: no dsnn{depth}"))
}

/// One static count of `dsnn(depth, T = 2, cnf)` with 1000 classes on `[1, 3, 32, 32]`.
fn count(depth: usize, cnf: Cnf) -> Report {
    let dev = Device::Cpu;
    let model = dsnn(depth, 2, cnf, 1000, VarBuilder::zeros(DType::F32, &dev)).unwrap();
    Session::new().count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs)).unwrap()
}

fn row<'a>(report: &'a Report, path: &str) -> (&'a str, u64, u64) {
    let l = report.layer(path).unwrap_or_else(|| panic!("no row `{path}`"));
    (l.type_name.as_str(), l.params, l.stats.calls)
}

#[test]
fn params_equal_pytorchs() {
    for (depth, cnf) in [(18, Cnf::Xor), (34, Cnf::Iand), (50, Cnf::Or), (101, Cnf::And), (152, Cnf::And)] {
        let report = count(depth, cnf);
        assert_eq!(report.params, torch_params(depth), "dsnn{depth}");
        assert_eq!(report.params, report.layers.iter().map(|l| l.params).sum::<u64>(), "dsnn{depth}");
        let width = if depth < 50 { 512 } else { 2048 };
        assert_eq!(row(&report, "fc"), ("Linear", width * 1000 + 1000, 2));
        assert_eq!(row(&report, "fc_acc").2, 0);
        assert_eq!(row(&report, "avgpool.0"), ("AdaptiveAvgPool2d", 0, 2));
    }
}

#[test]
fn bottleneck_rows_are_refgens() {
    let report = count(50, Cnf::And);
    // layer1.0 widens 64 → 256 at stride 1: a 1×1 carry; layer2.0 strides: depthwise then pointwise.
    assert_eq!(row(&report, "layer1.0.conv1.0"), ("Conv2d", 64 * 64, 1));
    assert_eq!(row(&report, "layer1.0.conv3.0"), ("Conv2d", 64 * 256, 1));
    assert_eq!(row(&report, "layer1.0.sn3"), ("MultiStepIFNode", 0, 1));
    assert_eq!(row(&report, "layer1.0.downsample.0.0"), ("Conv2d", 64 * 256, 1));
    assert_eq!(row(&report, "layer1.0.downsample.1"), ("MultiStepIFNode", 0, 1));
    assert_eq!(row(&report, "layer1.0.pool.0"), ("Conv2d", 64 * 256, 1));
    assert_eq!(row(&report, "layer1.0.pool.2"), ("ReLU", 0, 1));
    assert!(report.layer("layer1.1.pool.0").is_none() && report.layer("layer1.1.downsample.1").is_none());
    assert_eq!(row(&report, "layer2.0.conv2.0"), ("Conv2d", 128 * 128 * 9, 1));
    assert_eq!(row(&report, "layer2.0.pool.0.0"), ("Conv2d", 256 * 9, 1));
    assert_eq!(row(&report, "layer2.0.pool.0.1"), ("Conv2d", 256 * 512, 1));
    assert_eq!(row(&report, "layer2.0.pool.1"), ("BatchNorm2d", 2 * 512, 1));
    let out = report.layer("layer4.2.sn3").unwrap().output_shape.clone();
    assert_eq!(out, Some(vec![2, 1, 2048, 1, 1]));
}

/// The zoo's model is the library's, transparently: the same rows (paths, types, parameters,
/// calls, shapes, counts) under the same model name, its output the chosen head's logits.
#[test]
fn the_zoos_dsnn_counts_as_the_librarys() {
    let dev = Device::Cpu;
    let varmap = VarMap::new();
    let vb = VarBuilder::from_varmap(&varmap, DType::F32, &dev);
    let opts = ZooOptions {
        time_steps: Some(2),
        cnf: Some(Cnf::Xor),
        head: Some(Head::Acc),
        num_classes: Some(10),
        ..Default::default()
    };
    let zoo = find("dsnn34").unwrap().build(&opts, vb.clone()).unwrap();
    let library = dsnn(34, 2, Cnf::Xor, 10, vb).unwrap();
    let xs = (Tensor::rand(0f32, 1f32, (2, 3, 32, 32), &dev).unwrap() * 3.0).unwrap();
    let a = Session::new().count(&zoo, &xs, |m, xs| m.forward(xs)).unwrap();
    let b = Session::new().count(&library, &xs, |m, xs| m.forward(xs)).unwrap();
    assert_eq!(a.model, "AAPResNet");
    assert_eq!(serde_json::to_value(&a.layers).unwrap(), serde_json::to_value(&b.layers).unwrap());
    assert_eq!((a.params, a.per_sample.acs, a.per_sample.macs), (b.params, b.per_sample.acs, b.per_sample.macs));
    assert!(a.per_sample.acs > 0.0, "no spikes reached a synapse");
    let (spikes, acc) = library.forward(&xs).unwrap();
    let out = zoo.forward(&xs).unwrap();
    assert_eq!(out.to_vec2::<f32>().unwrap(), acc.to_vec2::<f32>().unwrap());
    let spikes_opts = ZooOptions { head: None, ..opts };
    let spikes_model = find("dsnn34").unwrap().build(&spikes_opts, VarBuilder::from_varmap(&varmap, DType::F32, &dev));
    let out = spikes_model.unwrap().forward(&xs).unwrap();
    assert_eq!(out.to_vec2::<f32>().unwrap(), spikes.to_vec2::<f32>().unwrap(), "spikes is the default head");
}

/// Every depth of the zoo's DSNN has refgen.py's parameters.
#[test]
fn the_zoos_dsnns_have_pytorchs_params() {
    let dev = Device::Cpu;
    for depth in [18, 34, 50, 101, 152] {
        let model = find(&format!("dsnn{depth}")).unwrap();
        let model = model.build(&ZooOptions::default(), VarBuilder::zeros(DType::F32, &dev)).unwrap();
        let report = Session::new().count_static(&model, &[1, 3, 32, 32], DType::F32, &dev, |m, xs| m.forward(xs));
        let report = report.unwrap();
        assert_eq!(report.params, torch_params(depth), "dsnn{depth}");
        // T defaults to 4, refgen.py's AAPResNet's.
        assert_eq!(report.layer("layer1.0.sn1").unwrap().input_shape, Some(vec![4, 1, 64, 8, 8]), "dsnn{depth}");
    }
}

/// A zoo run says which head the accuracy scored.
#[test]
fn a_zoo_run_says_which_head_it_scored() {
    let photos = format!("{}/fixtures/images/photos", env!("CARGO_MANIFEST_DIR"));
    let run = ZooRun {
        options: ZooOptions { time_steps: Some(2), head: Some(Head::Acc), ..Default::default() },
        weights: None,
        data: photos.into(),
        batch_size: 2,
        limit: Some(2),
        transform: EvalTransform { resize: 40, crop: 32, ..Default::default() },
        cifar_normalize: false,
        skip_bad: false,
        shard: None,
        dtype: DType::F32,
        device: Device::Cpu,
    };
    let report = syops_zoo::run(&Session::new(), find("dsnn18").unwrap(), &run).unwrap();
    let note = "dsnn18: the output, which the accuracy scores, is the acc head's logits (--head acc); both heads were computed and counted";
    assert!(report.warnings.iter().any(|w| w == note), "{:?}", report.warnings);
    assert_eq!((report.model.as_str(), report.accuracy.unwrap().samples), ("AAPResNet", 2));
    assert_eq!(report.layer("fc").unwrap().stats.calls, 2, "both heads go through fc");
}
