//! Issue #13's proof on real data: the four models of the original syops README's table
//! (spiking_resnet18, sew_resnet18, DSNN18 (AAP), resnet18), with the reference cases' weights,
//! counted over photographs read through `syops::zoo::data` (torchvision's `ImageFolder` and
//! ImageNet's evaluation transform) and held against syops 0.0.5 counting the same photographs on
//! PyTorch (`syops-zoo/fixtures/photos/expected.json`, written by
//! `syops-zoo/fixtures/make_photo_counts.py`): float64 strictly, float32 loosely
//! (tests/reference/README.md), accuracy exactly, and each sample's label rank and five best
//! classes as PyTorch ranked them.
//!
//! These run whole ResNets on 224×224 images: the test profile optimises them (see Cargo.toml).
use candle::{DType, Device, Tensor};
use serde_json::Value;
use syops::zoo::data::{Dataset, ImageFolder};
use syops::zoo::reference::{compare, fnv1a64, runner_output, Case, Expected, Tolerance};
use syops::zoo::transform::EvalTransform;
use syops::Session;

/// The repository (cargo's `CARGO_MANIFEST_DIR` when it runs the test, else where it was built).
fn repo() -> std::path::PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn fixture() -> Value {
    let path = repo().join("syops-zoo/fixtures/photos/expected.json");
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// The photographs, as `cargo syops zoo` reads them, after checking that the fixture's transform is
/// the zoo's default (ImageNet's 256/224).
fn photos(fixture: &Value) -> ImageFolder {
    let t = EvalTransform::default();
    let floats =
        |k: &str| -> Vec<f32> { fixture[k].as_array().unwrap().iter().map(|v| v.as_f64().unwrap() as f32).collect() };
    assert_eq!(fixture["resize"], t.resize);
    assert_eq!(fixture["crop"], t.crop);
    assert_eq!((floats("mean"), floats("std")), (t.mean.to_vec(), t.std.to_vec()));
    let root = repo().join("syops-zoo/fixtures/photos").join(fixture["images"].as_str().unwrap());
    ImageFolder::open(&root, t).unwrap()
}

/// FNV-1a-64 of bytes (the generator's hash of a key is the same over its UTF-8 bytes).
fn fnv1a64_bytes(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn the_loader_gives_torchvisions_tensors_bit_for_bit() {
    assert_eq!(fnv1a64_bytes(b"test"), fnv1a64("test"));
    let fixture = fixture();
    let folder = photos(&fixture);
    let inputs = fixture["inputs"].as_array().unwrap();
    assert_eq!(folder.len(), inputs.len());
    assert_eq!(
        folder.classes(),
        fixture["classes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect::<Vec<_>>()
    );
    for (i, want) in inputs.iter().enumerate() {
        let sample = folder.sample(i).unwrap();
        let path = want["path"].as_str().unwrap();
        assert!(folder.source(i).ends_with(path), "sample {i}: {} is not {path}", folder.source(i).display());
        assert_eq!(sample.label, Some(want["class_index"].as_u64().unwrap() as u32), "{path}");
        assert_eq!(sample.xs.dims(), [3, 224, 224], "{path}");
        let values = sample.xs.flatten_all().unwrap().to_vec1::<f32>().unwrap();
        let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        assert_eq!(format!("{:#018x}", fnv1a64_bytes(&bytes)), want["fnv1a64"].as_str().unwrap(), "{path}");
        let sum: f64 = values.iter().map(|&v| f64::from(v)).sum();
        let want_sum = want["sum"].as_f64().unwrap();
        assert!((sum - want_sum).abs() <= 1e-9 * want_sum.abs(), "{path}: sum {sum}, torchvision's {want_sum}");
    }
}

#[test]
fn an_unreadable_photograph_is_an_error_naming_it() {
    let root = std::env::temp_dir().join(format!("syops-photo-counts-{}", std::process::id()));
    std::fs::create_dir_all(root.join("cat")).unwrap();
    std::fs::write(root.join("cat/broken.png"), b"not a png").unwrap();
    let folder = ImageFolder::open(&root, EvalTransform::default()).unwrap();
    let case = Case::load(repo().join("tests/reference/resnet18.json")).unwrap();
    let err = syops::zoo::count_case_over(&Session::new(), &case, &folder, 2, DType::F32, &Device::Cpu, &mut |_| ())
        .unwrap_err()
        .to_string();
    std::fs::remove_dir_all(&root).unwrap();
    assert!(err.contains("broken.png") && err.contains("not a readable image"), "{err}");
}

/// The label's rank (ties to the lower class, as `Accuracy::add`) and the five best classes.
fn ranks(row: &[f64], label: usize) -> (usize, Vec<usize>) {
    let s = row[label];
    let rank = row.iter().enumerate().filter(|&(c, &v)| v > s || (v == s && c < label)).count();
    let mut order: Vec<usize> = (0..row.len()).collect();
    order.sort_by(|&a, &b| row[b].total_cmp(&row[a]).then(a.cmp(&b)));
    (rank, order[..5].to_vec())
}

/// Counts `case` over the photographs in `dtype` and compares it with what syops 0.0.5 counted.
fn check(case: &str, dtype: DType) {
    let fixture = fixture();
    let entry = fixture["models"].as_array().unwrap().iter().find(|m| m["case"] == case).unwrap();
    let (key, tol) = match dtype {
        DType::F64 => ("expected_f64", Tolerance::STRICT),
        _ => ("expected", Tolerance::LOOSE),
    };
    let want = &entry[key];
    let expected: Expected = serde_json::from_value(want.clone()).unwrap();
    let folder = photos(&fixture);
    let reference = Case::load(repo().join(format!("tests/reference/{case}.json"))).unwrap();
    let batch_size = fixture["batch_size"].as_u64().unwrap() as usize;
    let mut rows: Vec<Vec<f64>> = Vec::new();
    let mut scores = |s: &Tensor| rows.extend(s.to_dtype(DType::F64).unwrap().to_vec2::<f64>().unwrap());
    let report =
        syops::zoo::count_case_over(&Session::new(), &reference, &folder, batch_size, dtype, &Device::Cpu, &mut scores)
            .unwrap();

    let bad = compare(&runner_output(case, &report), &expected, tol);
    assert!(bad.is_empty(), "{case} ({dtype:?}): {} mismatches:\n{}", bad.len(), bad.join("\n"));
    assert_eq!(report.layers.len(), expected.layers.len());

    let acc = report.accuracy.expect("labelled photographs give an accuracy");
    let want_acc = &want["accuracy"];
    assert_eq!(
        (acc.samples, acc.top1, acc.top5),
        (want_acc["samples"].as_u64().unwrap(), want_acc["top1"].as_u64().unwrap(), want_acc["top5"].as_u64().unwrap()),
        "{case} ({dtype:?}): accuracy"
    );
    let samples = want["samples"].as_array().unwrap();
    assert_eq!(rows.len(), samples.len());
    for (i, (row, s)) in rows.iter().zip(samples).enumerate() {
        let label = s["label"].as_u64().unwrap() as usize;
        let top5: Vec<usize> = s["top5"].as_array().unwrap().iter().map(|c| c.as_u64().unwrap() as usize).collect();
        let (rank, best) = ranks(row, label);
        if dtype == DType::F32 && F32_FLIPPED.contains(&(case, i)) {
            assert_eq!(best[0], top5[0], "{case} ({dtype:?}): sample {i}'s best class");
            continue;
        }
        let want = (s["rank"].as_u64().unwrap() as usize, top5);
        assert_eq!((rank, best), want, "{case} ({dtype:?}): sample {i}'s label rank and five best classes");
    }
}

/// Float32 samples whose logits move past a rank because one membrane lands on the other side of
/// its threshold (their counts stay within the loose tier; only their best class is checked):
///
/// - spiking_resnet18, sample 5 (`things/rocket.png`, the second of the third batch):
///   `layer4.0.sn1` at (channel 350, y 1, x 2) gets `bn1(conv1(x))`. `conv1` gives the same
///   float32 as PyTorch's there (1.34762979, bits 0x3fac7f22); the exact value after the
///   BatchNorm is 0.9999999125, 8.7e-8 under the threshold. PyTorch's CPU BatchNorm kernel, as
///   built for AVX2 and AVX-512, computes `beta = fma(-mean, alpha, bias)` and
///   `y = fma(x, alpha, beta)` (the compiler contracts `x * alpha + beta`; under
///   `ATEN_CPU_CAPABILITY=default` it rounds the product and the sum apart, as the port does):
///   0.99999994, no spike. The port rounds twice (syops-runtime's `nn/batch_norm.rs`,
///   `kernel/channel_affine.rs`) and gets 1.0: a spike. It spreads through layer4 (1,725
///   neuron outputs of that batch differ) to the sample's logits (by up to 0.15): the label's
///   rank moves from 149 to 165 and classes 62 and 831 swap in the five best. With the two
///   roundings fused (tried, not adopted: it would change the default convention's float32
///   numbers), every neuron of spiking_resnet18 and sew_resnet18 fires as PyTorch's does over
///   these photographs and the logits agree within 4e-6.
const F32_FLIPPED: &[(&str, usize)] = &[("spiking_resnet18", 5)];

/// A test per model and dtype: float64 strict, float32 loose.
macro_rules! photo_counts {
    ($($name:ident),* $(,)?) => {
        mod f64 {
            $(#[test] fn $name() { crate::check(stringify!($name), candle::DType::F64) })*
        }
        mod f32 {
            $(#[test] fn $name() { crate::check(stringify!($name), candle::DType::F32) })*
        }
    };
}

photo_counts!(spiking_resnet18, sew_resnet18, dsnn18_aap_t2, resnet18);
