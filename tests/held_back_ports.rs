//! The held-back reference cases (`spiking_vgg11_bn`, `spiking_mlp_t6`) have no manifest here:
//! their ports are checked by building them with zero weights and counting one batch of the case's
//! input shape, asserting the rows (PyTorch's `named_modules` paths, types, parameters, calls and
//! shapes) that syops would report.
use syops::zoo;

use candle::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use syops::{Report, Session};

type Row<'a> = (&'a str, &'a str, u64, u64, &'a [usize], &'a [usize]);
/// An owned row without the call count: path, type, parameters, input and output shapes.
type OwnedRow = (String, &'static str, u64, Vec<usize>, Vec<usize>);

fn assert_rows(report: &Report, want: &[Row]) {
    let got: Vec<Row> = report
        .layers
        .iter()
        .map(|l| {
            (
                l.path.as_str(),
                l.type_name.as_str(),
                l.params,
                l.stats.calls,
                l.input_shape.as_deref().unwrap_or(&[]),
                l.output_shape.as_deref().unwrap_or(&[]),
            )
        })
        .collect();
    assert_eq!(got, want);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn spiking_vgg11_bn_rows() {
    let dev = Device::Cpu;
    let vb = VarBuilder::zeros(DType::F32, &dev);
    let model = zoo::spiking_vgg::SpikingVgg::vgg11_bn_if(10, vb).unwrap();
    let xs = Tensor::zeros((2, 3, 64, 64), DType::F32, &dev).unwrap();
    let report = Session::new().count(&model, &xs, |m, xs| m.forward(xs)).unwrap();
    let mut want: Vec<OwnedRow> = Vec::new();
    let (mut i, mut cin, mut hw) = (0, 3, 64);
    for v in [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0] {
        if v == 0 {
            want.push((format!("features.{i}"), "MaxPool2d", 0, vec![2, cin, hw, hw], vec![2, cin, hw / 2, hw / 2]));
            hw /= 2;
            i += 1;
            continue;
        }
        let shape = vec![2, v, hw, hw];
        want.push((format!("features.{i}"), "Conv2d", (cin * v * 9 + v) as u64, vec![2, cin, hw, hw], shape.clone()));
        want.push((format!("features.{}", i + 1), "BatchNorm2d", 2 * v as u64, shape.clone(), shape.clone()));
        want.push((format!("features.{}", i + 2), "IFNode", 0, shape.clone(), shape));
        i += 3;
        cin = v;
    }
    assert_eq!(i, 29);
    want.push(("avgpool".into(), "AdaptiveAvgPool2d", 0, vec![2, 512, 2, 2], vec![2, 512, 7, 7]));
    want.push(("classifier.0".into(), "Linear", 25088 * 4096 + 4096, vec![2, 25088], vec![2, 4096]));
    want.push(("classifier.1".into(), "IFNode", 0, vec![2, 4096], vec![2, 4096]));
    want.push(("classifier.3".into(), "Linear", 4096 * 4096 + 4096, vec![2, 4096], vec![2, 4096]));
    want.push(("classifier.4".into(), "IFNode", 0, vec![2, 4096], vec![2, 4096]));
    want.push(("classifier.6".into(), "Linear", 4096 * 10 + 10, vec![2, 4096], vec![2, 10]));
    let want: Vec<Row> =
        want.iter().map(|(p, t, n, i, o)| (p.as_str(), *t, *n, 1, i.as_slice(), o.as_slice())).collect();
    assert_rows(&report, &want);
    // torchvision's vgg11_bn with a 10-class head: 128,812,810 parameters.
    assert_eq!(report.params, 128_812_810);
    assert_eq!((report.batch_counter, report.times_counter), (2, 1));
}

#[test]
fn spiking_mlp_t6_rows() {
    let dev = Device::Cpu;
    let vb = VarBuilder::zeros(DType::F32, &dev);
    let model = zoo::spiking_mlp::spiking_mlp(vb).unwrap();
    let xs = Tensor::zeros((8, 6, 1, 28, 28), DType::F32, &dev).unwrap();
    let report = Session::new().count(&model, &xs, |m, xs| m.forward(xs)).unwrap();
    let want: &[Row] = &[
        ("body.1", "Linear", 784 * 256 + 256, 6, &[8, 784], &[8, 256]),
        ("body.2", "BatchNorm1d", 512, 6, &[8, 256], &[8, 256]),
        ("body.3", "LIFNode", 0, 6, &[8, 256], &[8, 256]),
        ("body.4", "Linear", 256 * 128, 6, &[8, 256], &[8, 128]),
        ("body.5", "BatchNorm1d", 256, 6, &[8, 128], &[8, 128]),
        ("body.6", "ParametricLIFNode", 1, 6, &[8, 128], &[8, 128]),
        ("body.7", "Linear", 128 * 10 + 10, 6, &[8, 128], &[8, 10]),
        ("body.8", "LIFNode", 0, 6, &[8, 10], &[8, 10]),
    ];
    assert_rows(&report, want);
    assert_eq!(report.params, 235_787);
    assert_eq!((report.batch_counter, report.times_counter), (8, 1));
}
