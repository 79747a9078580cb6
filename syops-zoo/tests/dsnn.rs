//! The DSNN (AAP) at every depth (only depth 18 has a reference case): built with zero weights
//! and counted from a small shape, its parameters equal what PyTorch counts for refgen.py's model
//! (`fixtures/dsnn_params.json`, written by `fixtures/dsnn_params.py`), and its rows are those of
//! refgen.py's modules (Bottleneck stages, the 1×1 carry, the heads).
use candle::{DType, Device};
use candle_nn::VarBuilder;
use syops_runtime::report::Report;
use syops_runtime::Session;
use syops_zoo::dsnn::{dsnn, Cnf};

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
