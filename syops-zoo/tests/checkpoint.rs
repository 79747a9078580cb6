//! Checkpoints written by PyTorch itself (`fixtures/make_checkpoints.py`): every wrapping loads to
//! the tensors PyTorch saved, the model built from them computes what PyTorch computes, and a
//! checkpoint that does not fit is one error naming every tensor concerned.
use std::path::PathBuf;

use candle::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use serde_json::Value;
use syops_macros::count;
use syops_runtime::nn::{batch_norm, BatchNorm, Conv, ConvConfig, Linear};
use syops_runtime::Session;
use syops_zoo::{load, Checkpoint, Error};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/checkpoints").join(name)
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture("expected.json")).unwrap()).unwrap()
}

fn tensor(v: &Value, dtype: DType) -> Tensor {
    let shape: Vec<usize> = serde_json::from_value(v["shape"].clone()).unwrap();
    let values: Vec<f64> = serde_json::from_value(v["values"].clone()).unwrap();
    Tensor::from_vec(values, shape, &Device::Cpu).unwrap().to_dtype(dtype).unwrap()
}

/// make_checkpoints.py's `Tiny`: conv1 (3 → 4, 3×3, padding 1, no bias), bn1, relu, mean over
/// the plane, fc (4 → 3).
#[count(crate = syops_runtime)]
struct Tiny {
    conv1: Conv,
    bn1: BatchNorm,
    fc: Linear,
}

#[count(crate = syops_runtime)]
impl Module for Tiny {
    fn forward(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let xs = self.bn1.forward(&self.conv1.forward(xs)?)?.relu()?;
        self.fc.forward(&xs.mean((2, 3))?)
    }
}

fn tiny(vb: VarBuilder) -> candle::Result<Tiny> {
    let cfg = ConvConfig { padding: vec![1], bias: false, ..Default::default() };
    Ok(Tiny {
        conv1: Conv::new(2, false, 3, 4, &[3], cfg, vb.pp("conv1"))?,
        bn1: batch_norm(2, 4, true, vb.pp("bn1"))?,
        fc: Linear::new(4, 3, true, vb.pp("fc"))?,
    })
}

const NAMES: [&str; 7] =
    ["bn1.bias", "bn1.running_mean", "bn1.running_var", "bn1.weight", "conv1.weight", "fc.bias", "fc.weight"];

#[test]
fn every_wrapping_loads_the_tensors_pytorch_saved() {
    let want = expected();
    for (file, wrapping, prefix) in [
        ("bare.pth", None, false),
        ("model_key.pth", Some("model"), false),
        ("state_dict_key.pt", Some("state_dict"), false),
        ("net_key.pth", Some("net"), false),
        ("data_parallel.pth", None, true),
        ("tiny.safetensors", None, false),
    ] {
        let ckpt = Checkpoint::open(fixture(file)).unwrap();
        assert_eq!((ckpt.wrapping(), ckpt.prefix_dropped()), (wrapping, prefix), "{file}");
        assert_eq!(ckpt.names(), NAMES, "{file}: num_batches_tracked dropped, prefixes gone");
        for name in NAMES {
            let got = ckpt.get(name).unwrap().to_dtype(DType::F64).unwrap();
            let want = tensor(&want[name], DType::F64);
            assert_eq!(got.dims(), want.dims(), "{file}: {name}");
            let diff = (got - want).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f64>().unwrap();
            assert_eq!(diff, 0.0, "{file}: {name}");
        }
    }
}

#[test]
fn the_model_built_from_a_checkpoint_computes_what_pytorch_computes() {
    let want = expected();
    let xs = tensor(&want["input"], DType::F64);
    let ys = tensor(&want["output"], DType::F64);
    for file in ["bare.pth", "model_key.pth", "tiny.safetensors"] {
        let model = load(fixture(file), DType::F64, &Device::Cpu, tiny).unwrap();
        let diff = (model.forward(&xs).unwrap() - &ys).unwrap().abs().unwrap().max_all().unwrap();
        assert!(diff.to_scalar::<f64>().unwrap() < 1e-12, "{file}: {diff}");
        // And it counts: conv1 on an analog input is MACs, 2·4·3·9·36 = 7776.
        let report = Session::new().count(&model, &xs, |m, xs| m.forward(xs)).unwrap();
        assert_eq!(report.layer("conv1").unwrap().stats.sum_macs, 7776);
        assert_eq!(report.params, 4 * 3 * 9 + 4 + 4 + 3 * 4 + 3);
    }
}

#[test]
fn half_precision_checkpoints_are_widened_to_the_counting_dtype() {
    let want = expected();
    let f16 = Checkpoint::open(fixture("float16.pth")).unwrap();
    let bf16 = Checkpoint::open(fixture("bfloat16.pth")).unwrap();
    for name in NAMES {
        assert_eq!(f16.get(name).unwrap().dtype(), DType::F16);
        let vb = f16.var_builder(DType::F64, &Device::Cpu);
        let shape = f16.get(name).unwrap().dims().to_vec();
        let got = vb.get(shape.clone(), name).unwrap();
        assert_eq!(got.dtype(), DType::F64);
        let half = Tensor::from_vec(
            serde_json::from_value::<Vec<f64>>(want["half_values"][name].clone()).unwrap(),
            shape.clone(),
            &Device::Cpu,
        )
        .unwrap();
        assert_eq!((got - half).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f64>().unwrap(), 0.0, "{name}");
        // bfloat16: PyTorch rounds to nearest even, as candle does from float32.
        let got = bf16.var_builder(DType::F32, &Device::Cpu).get(shape, name).unwrap();
        let rounded = tensor(&want[name], DType::F32).to_dtype(DType::BF16).unwrap().to_dtype(DType::F32).unwrap();
        assert_eq!(
            (got - rounded).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap(),
            0.0,
            "{name}"
        );
    }
    load(fixture("float16.pth"), DType::F32, &Device::Cpu, tiny).unwrap();
}

#[test]
fn a_checkpoint_that_does_not_fit_is_one_error_naming_every_tensor() {
    let err = load(fixture("mismatched.pth"), DType::F32, &Device::Cpu, tiny).map(|_| ()).unwrap_err();
    let Error::Mismatch { missing, unexpected, mismatched, .. } = &err else { panic!("{err}") };
    assert_eq!(missing, &[("bn1.running_var".to_string(), vec![4])]);
    assert_eq!(unexpected, &[("head.weight".to_string(), vec![2])]);
    assert_eq!(mismatched, &[("fc.weight".to_string(), vec![3, 4], vec![3, 5])]);
    let msg = err.to_string();
    for part in [
        "mismatched.pth",
        "1 missing, 1 unexpected, 1 of another shape",
        "missing     bn1.running_var [4]",
        "unexpected  head.weight [2]",
        "fc.weight: the model expects [3, 4], the checkpoint has [3, 5]",
    ] {
        assert!(msg.contains(part), "{part:?} not in:\n{msg}");
    }
    // A model that asks for less than the checkpoint holds: the rest is unexpected.
    let err = load(fixture("bare.pth"), DType::F32, &Device::Cpu, |vb| Linear::new(4, 3, true, vb.pp("fc")))
        .map(|_| ())
        .unwrap_err()
        .to_string();
    assert!(err.contains("0 missing, 5 unexpected") && err.contains("unexpected  conv1.weight [4, 3, 3, 3]"), "{err}");
}

#[test]
fn a_var_builder_names_the_tensor_and_the_file() {
    let ckpt = Checkpoint::open(fixture("bare.pth")).unwrap();
    let vb = ckpt.var_builder(DType::F32, &Device::Cpu);
    let err = vb.get((4, 4), "fc.weight").unwrap_err().to_string();
    assert!(
        err.contains("bare.pth") && err.contains("`fc.weight` has shape [3, 4]") && err.contains("[4, 4]"),
        "{err}"
    );
    let err = vb.get(3, "fc.scale").unwrap_err().to_string();
    assert!(err.contains("bare.pth: no tensor `fc.scale`"), "{err}");
    assert!(tiny(vb).is_ok());
}

#[test]
fn unreadable_files_are_errors_naming_them() {
    let legacy = Checkpoint::open(fixture("legacy.pth")).unwrap_err().to_string();
    assert!(legacy.contains("legacy.pth: PyTorch's legacy format") && legacy.contains("save it again"), "{legacy}");
    let json = Checkpoint::open(fixture("expected.json")).unwrap_err().to_string();
    assert!(json.contains("expected.json: not a readable PyTorch checkpoint"), "{json}");
    let none = Checkpoint::open(fixture("nothing.pth")).unwrap_err().to_string();
    assert!(none.contains("nothing.pth: no such file"), "{none}");
    let bad = std::env::temp_dir().join(format!("syops-not-safetensors-{}.safetensors", std::process::id()));
    std::fs::write(&bad, b"not a safetensors file").unwrap();
    let err = Checkpoint::open(&bad).unwrap_err().to_string();
    std::fs::remove_file(&bad).unwrap();
    assert!(err.contains("not a readable safetensors file"), "{err}");
}
