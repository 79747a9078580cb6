//! `syops::nn::Conv` (one-pass im2col, one matmul per group over the batch) against candle-nn's
//! `Conv2d` on the CPU, float32: every distinct convolution shape of ResNet-18 at 224×224, batch 2,
//! on a binary (spike) input, each run once per iteration. The two compute the same outputs
//! (checked before timing, to float32 rounding); the bench prints the ratio of their medians.
//!
//! ```text
//! cargo bench --bench conv
//! ```
use std::path::PathBuf;
use std::time::Duration;

use candle::{DType, Device, Module, Tensor};
use candle_nn::{Conv2d, Conv2dConfig};
use criterion::{criterion_group, Criterion};
use syops::nn::{Conv, ConvConfig};

/// `(in, out, kernel, stride, padding, input size)`.
const SHAPES: [(usize, usize, usize, usize, usize, usize); 9] = [
    (3, 64, 7, 2, 3, 224),
    (64, 64, 3, 1, 1, 56),
    (64, 128, 3, 2, 1, 56),
    (64, 128, 1, 2, 0, 56),
    (128, 128, 3, 1, 1, 28),
    (128, 256, 3, 2, 1, 28),
    (256, 256, 3, 1, 1, 14),
    (256, 512, 3, 2, 1, 14),
    (512, 512, 3, 1, 1, 7),
];

struct Case {
    xs: Tensor,
    candle: Conv2d,
    syops: Conv,
}

fn cases() -> Vec<Case> {
    let dev = Device::Cpu;
    SHAPES
        .iter()
        .map(|&(cin, cout, k, stride, padding, hw)| {
            let w = Tensor::randn(0f32, 0.1, (cout, cin, k, k), &dev).unwrap();
            let xs = Tensor::randn(0f32, 1., (2, cin, hw, hw), &dev).unwrap().ge(0.5).unwrap().to_dtype(DType::F32);
            let candle = Conv2d::new(w.clone(), None, Conv2dConfig { padding, stride, ..Default::default() });
            let cfg = ConvConfig { padding: vec![padding], stride: vec![stride], bias: false, ..Default::default() };
            let syops = Conv::from_tensors(2, false, w, None, cfg).unwrap();
            let case = Case { xs: xs.unwrap(), candle, syops };
            let (a, b) = (case.candle.forward(&case.xs).unwrap(), case.syops.forward(&case.xs).unwrap());
            let scale = a.abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap().max(1.0);
            let diff = (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
            assert!(diff <= 1e-5 * scale, "{cin}->{cout} k{k}: outputs differ by {diff}");
            case
        })
        .collect()
}

const GROUP: &str = "resnet18_convs";

fn convs(c: &mut Criterion) {
    let cases = cases();
    let mut group = c.benchmark_group(GROUP);
    group.sample_size(20).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(10));
    group.bench_function("candle_nn", |b| {
        b.iter(|| cases.iter().for_each(|c| drop(std::hint::black_box(c.candle.forward(&c.xs).unwrap()))))
    });
    group.bench_function("syops_nn", |b| {
        b.iter(|| cases.iter().for_each(|c| drop(std::hint::black_box(c.syops.forward(&c.xs).unwrap()))))
    });
    group.finish();
}

criterion_group!(benches, convs);

/// criterion's median estimate (seconds) of `id`, read from what it just wrote.
fn median(id: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"), PathBuf::from);
    let text =
        std::fs::read_to_string(target.join("criterion").join(GROUP).join(id).join("new/estimates.json")).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(value["median"]["point_estimate"].as_f64()? * 1e-9)
}

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    if let (Some(c), Some(s)) = (median("candle_nn"), median("syops_nn")) {
        println!("\ncandle_nn / syops_nn  {:.3}  ({:.1} ms against {:.1} ms)", c / s, c * 1e3, s * 1e3);
    }
}
