//! End-to-end: `cargo syops zoo` counts a zoo model with a checkpoint over real photographs and
//! over NumPy samples, as a user types it, and gives what the library counts in-process; and
//! spikingjelly's PLIF nets trained on scikit-learn's digits as syops 0.0.5 counts them.
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use serde_json::Value;
use syops_runtime::report::{Accuracy, Report};
use syops_runtime::Session;
use syops_zoo::reference::{compare, runner_output, Expected, Tolerance};
use syops_zoo::transform::EvalTransform;
use syops_zoo::{ZooOptions, ZooRun};

fn zoo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cargo-syops")).args(["syops", "zoo"]).args(args).output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn photos() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../syops-zoo/fixtures/images/photos")
}

/// A ResNet-18 checkpoint of generated weights, as training would leave one: a safetensors file.
fn checkpoint(dir: &Path) -> PathBuf {
    let varmap = VarMap::new();
    syops_zoo::find("resnet18")
        .unwrap()
        .build(&ZooOptions::default(), VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))
        .unwrap();
    let path = dir.join("resnet18.safetensors");
    varmap.save(&path).unwrap();
    path
}

#[test]
fn a_checkpoint_over_an_image_folder_counts_as_the_library_does() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let weights = checkpoint(dir.path());
    let out_file = dir.path().join("report.json");
    let out = zoo(&[
        "resnet18",
        "--weights",
        weights.to_str().unwrap(),
        "--data",
        photos().to_str().unwrap(),
        "--resize",
        "72",
        "--crop",
        "64",
        "--batch-size",
        "4",
        "--format",
        "json",
        "-o",
        out_file.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = Report::from_json(&std::fs::read_to_string(&out_file).unwrap()).unwrap();
    assert_eq!(
        (report.model.as_str(), report.params, report.batch_counter, report.batches),
        ("ResNet", 11_689_512, 6, 2)
    );
    assert_eq!(report.accuracy.unwrap().samples, 6);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    // The library, in-process, on the same weights and data: the same report.
    let run = ZooRun {
        options: ZooOptions::default(),
        weights: Some(weights),
        data: photos(),
        batch_size: 4,
        limit: None,
        transform: EvalTransform { resize: 72, crop: 64, ..EvalTransform::default() },
        cifar_normalize: false,
        skip_bad: false,
        shard: None,
        dtype: DType::F32,
        device: Device::Cpu,
    };
    let library = syops_zoo::run(&Session::new(), syops_zoo::find("resnet18").unwrap(), &run).unwrap();
    assert_eq!(library.per_sample, report.per_sample);
    assert_eq!(library.accuracy, report.accuracy);
    assert_eq!(library.layers.len(), report.layers.len());
}

#[test]
fn numpy_samples_a_limit_and_generated_weights_said_so() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let x = Tensor::randn(0f32, 1., (5, 3, 32, 32), &Device::Cpu).unwrap();
    let y = Tensor::new(&[0i64, 1, 2, 3, 4], &Device::Cpu).unwrap();
    let data = dir.path().join("stacked.npz");
    Tensor::write_npz(&[("x", &x), ("y", &y)], &data).unwrap();
    let out = zoo(&["spiking_resnet18", "--data", data.to_str().unwrap(), "--limit", "3", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = Report::from_json(&text(&out.stdout)).unwrap();
    assert_eq!((report.batch_counter, report.accuracy.unwrap().samples), (3, 3));
    assert!(report.warnings.iter().any(|w| w.contains("generated weights")), "{:?}", report.warnings);
    let out = zoo(&[
        "spiking_resnet18",
        "--data",
        data.to_str().unwrap(),
        "--limit",
        "2",
        "--resize",
        "32",
        "--crop",
        "32",
        "--convention",
        "neurobench",
        "--format",
        "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = Report::from_json(&text(&out.stdout)).unwrap();
    assert_eq!(report.convention, "neurobench");
    let nb = report.neurobench.unwrap();
    assert!(nb.synaptic_operations.dense > 0.0 && nb.membrane_updates > 0.0, "{nb:?}");
}

#[test]
fn bad_models_weights_and_data_are_errors_naming_them() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let err = text(&zoo(&["resnet99", "--data", "x"]).stderr);
    assert!(err.contains("no zoo model `resnet99`") && err.contains("spiking_resnet18"), "{err}");
    // A checkpoint of another model: one error listing what is missing.
    let weights = checkpoint(dir.path());
    let out = zoo(&["spiking_vgg11_bn", "--weights", weights.to_str().unwrap(), "--data", photos().to_str().unwrap()]);
    let err = text(&out.stderr);
    assert!(
        !out.status.success()
            && err.contains("does not fit the model")
            && err.contains("missing     features.0.weight"),
        "{err}"
    );
    let err = text(&zoo(&["resnet18", "--data", dir.path().join("none").to_str().unwrap()]).stderr);
    assert!(err.contains("none: no such file or folder"), "{err}");
    // Options a model does not take are errors naming the flag, before any data is read.
    let err = text(&zoo(&["resnet18", "--head", "acc", "--data", "x"]).stderr);
    assert!(err.contains("resnet18 has one output") && err.contains("--head acc does not apply"), "{err}");
    let err = text(&zoo(&["dsnn18", "--cnf", "ADD", "--data", "x"]).stderr);
    assert!(err.contains("dsnn18 takes --cnf AND, IAND, OR or XOR; --cnf ADD does not apply"), "{err}");
    let err = text(&zoo(&["dsnn18", "--head", "logits", "--data", "x"]).stderr);
    assert!(err.contains("unknown head `logits`; expected spikes or acc"), "{err}");
    let out = zoo(&["--list"]);
    let list = text(&out.stdout);
    assert!(out.status.success() && list.contains("multi_step_spiking_resnet18\n"));
    assert!(list.contains("multi_step_spiking_vgg19_bn\n") && list.contains("spiking_vgg13\n"), "{list}");
    assert!(list.contains("dsnn152\n") && list.contains("--cnf AND|IAND|OR|XOR (default AND)"), "{list}");
    assert!(list.contains("--head spikes|acc (default spikes)") && list.contains("--cnf ADD|AND|IAND (default ADD)"));
}

fn digits() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../syops-zoo/fixtures/digits")
}

/// `cargo syops zoo ARGS --format json -o FILE`'s report against the digits fixtures' run `name`
/// (what syops 0.0.5 counted in Python, `expected.json`), in the precision `key` names.
fn check_digits(args: &[&str], name: &str, key: &str, tol: Tolerance) {
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(digits().join("expected.json")).unwrap()).unwrap();
    let run = manifest["runs"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap();
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let file = dir.path().join("report.json");
    let out = zoo(&[args, &["--format", "json", "-o", file.to_str().unwrap()]].concat());
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = Report::from_json(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let want: Expected = serde_json::from_value(run[key].clone()).unwrap();
    let bad = compare(&runner_output(name, &report), &want, tol);
    assert!(bad.is_empty(), "{name} ({key}):\n{}", bad.join("\n"));
    let accuracy: Accuracy = serde_json::from_value(run[key]["accuracy"].clone()).unwrap();
    assert_eq!(report.accuracy, Some(accuracy), "{name}");
}

#[test]
fn trained_plif_nets_count_from_the_command_line_as_syops() {
    let d = |p: &str| digits().join(p).to_str().unwrap().to_string();
    let (weights, png) = (d("cifar10_net.pth"), d("png"));
    // As a user types it: float32, against syops' float32 counts (loose).
    let cifar = [
        "cifar10_net",
        "--channels",
        "4",
        "--weights",
        &weights,
        "--data",
        &png,
        "--resize",
        "32",
        "--crop",
        "32",
        "--mean",
        "0.31,0.31,0.31",
        "--std",
        "0.32,0.32,0.32",
        "-T",
        "4",
    ];
    check_digits(&cifar, "cifar10_net_png", "expected", Tolerance::LOOSE);
    // The frame net over the `.npz` folder, in float64 against syops' float64 counts (strict).
    let (weights, frames) = (d("nmnist_net.pth"), d("frames"));
    let nmnist = ["nmnist_net", "--channels", "2", "--weights", &weights, "--data", &frames, "--dtype", "f64"];
    check_digits(&nmnist, "nmnist_net_frames", "expected_f64", Tolerance::STRICT);
    // The same samples stacked in one `.npz` (`x`, `y`), in float32.
    let stack = d("frames.npz");
    let nmnist = ["nmnist_net", "--channels", "2", "--weights", &weights, "--data", &stack];
    check_digits(&nmnist, "nmnist_net_stack", "expected", Tolerance::LOOSE);
    let list = text(&zoo(&["--list"]).stdout);
    assert!(list.contains("cifar10_net\n") && list.contains("--channels (default 256)"), "{list}");
}
