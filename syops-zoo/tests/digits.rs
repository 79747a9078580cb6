//! The zoo's PLIF nets on real data (fixtures/make_digits.py): spikingjelly's CIFAR10Net and
//! NMNISTNet trained on scikit-learn's digits, counted from their checkpoints (a bfloat16
//! `{"model", "epoch", "optimizer"}` file; a float16 DataParallel state dict) over a PNG image
//! folder, a folder of `.npz` frames and a stacked `.npz`, through the library's path (checkpoint →
//! zoo model → dataset → Session), against what syops 0.0.5 counted in Python: float64 strict,
//! float32 loose (tests/reference/README.md), and the accuracy exactly.
use std::path::{Path, PathBuf};

use candle::{DType, Device};
use serde::Deserialize;
use syops_runtime::report::{Accuracy, Report};
use syops_runtime::Session;
use syops_zoo::reference::{compare, runner_output, Expected, Tolerance};
use syops_zoo::transform::EvalTransform;
use syops_zoo::{ZooOptions, ZooRun};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/digits")
}

#[derive(Deserialize)]
struct Transform {
    resize: usize,
    crop: usize,
    mean: [f32; 3],
    std: [f32; 3],
}

/// What syops counted in one precision, with the accuracy PyTorch's outputs scored.
#[derive(Deserialize)]
struct Counted {
    #[serde(flatten)]
    expected: Expected,
    accuracy: Accuracy,
}

/// One run of `expected.json`.
#[derive(Deserialize)]
struct Run {
    name: String,
    model: String,
    channels: usize,
    time_steps: Option<usize>,
    weights: String,
    data: String,
    batch_size: usize,
    transform: Option<Transform>,
    expected: Counted,
    expected_f64: Counted,
}

#[derive(Deserialize)]
struct Manifest {
    runs: Vec<Run>,
}

fn manifest() -> Manifest {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

fn zoo_run(run: &Run, dtype: DType) -> ZooRun {
    let transform = run.transform.as_ref().map_or_else(EvalTransform::default, |t| EvalTransform {
        resize: t.resize,
        crop: t.crop,
        mean: t.mean,
        std: t.std,
    });
    ZooRun {
        options: ZooOptions { channels: Some(run.channels), time_steps: run.time_steps, ..ZooOptions::default() },
        weights: Some(fixtures().join(&run.weights)),
        data: fixtures().join(&run.data),
        batch_size: run.batch_size,
        limit: None,
        transform,
        cifar_normalize: false,
        skip_bad: false,
        shard: None,
        dtype,
        device: Device::Cpu,
    }
}

fn count(run: &Run, dtype: DType) -> Report {
    let model = syops_zoo::find(&run.model).unwrap();
    syops_zoo::run(&Session::new(), model, &zoo_run(run, dtype)).unwrap_or_else(|e| panic!("{}: {e}", run.name))
}

/// The report against one precision's expectations: the counts by `tol`, the accuracy exactly,
/// every call covered (Dropout, Flatten and VotingLayer count nothing, as in syops).
fn check(run: &Run, report: &Report, want: &Counted, tol: Tolerance) {
    let bad = compare(&runner_output(&run.name, report), &want.expected, tol);
    assert!(bad.is_empty(), "{}:\n{}", run.name, bad.join("\n"));
    assert_eq!(report.accuracy, Some(want.accuracy), "{}: accuracy", run.name);
    assert!(report.coverage.as_ref().unwrap().is_complete(), "{}: {:?}", run.name, report.coverage);
    assert!(report.warnings.is_empty(), "{}: {:?}", run.name, report.warnings);
}

#[test]
fn the_trained_nets_count_as_syops_in_float64() {
    for run in &manifest().runs {
        check(run, &count(run, DType::F64), &run.expected_f64, Tolerance::STRICT);
    }
}

#[test]
fn the_trained_nets_count_as_syops_in_float32() {
    for run in &manifest().runs {
        check(run, &count(run, DType::F32), &run.expected, Tolerance::LOOSE);
    }
}

#[test]
fn the_runs_are_the_ones_the_fixtures_describe() {
    let runs = manifest().runs;
    let names: Vec<(&str, &str, &str)> =
        runs.iter().map(|r| (r.name.as_str(), r.model.as_str(), r.data.as_str())).collect();
    assert_eq!(
        names,
        [
            ("cifar10_net_png", "cifar10_net", "png"),
            ("nmnist_net_frames", "nmnist_net", "frames"),
            ("nmnist_net_stack", "nmnist_net", "frames.npz")
        ]
    );
    // Trained, not chance: well above 10 % top-1 on the fixtures' samples.
    for run in &runs {
        let acc = run.expected_f64.accuracy;
        assert!(acc.top1 * 2 > acc.samples, "{}: {acc:?}", run.name);
    }
}

#[test]
fn a_checkpoint_of_another_width_is_a_mismatch_naming_its_tensors() {
    let manifest = manifest();
    let run = &manifest.runs[0];
    let mut wrong = zoo_run(run, DType::F32);
    wrong.options.channels = Some(run.channels + 1);
    let err = syops_zoo::run(&Session::new(), syops_zoo::find(&run.model).unwrap(), &wrong).unwrap_err().to_string();
    let (c, w) = (run.channels, run.channels + 1);
    assert!(
        err.contains("does not fit the model")
            && err.contains(&format!(
                "conv_fc.0.weight: the model expects [{w}, 3, 3, 3], the checkpoint has [{c}, 3, 3, 3]"
            )),
        "{err}"
    );
}

#[test]
fn the_checkpoints_are_saved_in_the_wrappings_the_runs_load_them_from() {
    use syops_zoo::checkpoint::Checkpoint;
    // cifar10_net: `{"model": state dict, "epoch", "optimizer"}` in bfloat16; nmnist_net:
    // DataParallel's `module.` names, bare, in float16. Both are counted above as PyTorch ran them.
    for (file, wrapping, prefix, dtype) in
        [("cifar10_net.pth", Some("model"), false, DType::BF16), ("nmnist_net.pth", None, true, DType::F16)]
    {
        let ckpt = Checkpoint::open(fixtures().join(file)).unwrap();
        assert_eq!((ckpt.wrapping(), ckpt.prefix_dropped()), (wrapping, prefix), "{file}");
        let conv = ckpt.get("conv_fc.0.weight").unwrap_or_else(|| panic!("{file}: {:?}", ckpt.names()));
        assert_eq!(conv.dtype(), dtype, "{file}");
        assert!(
            ckpt.names().iter().all(|n| n.starts_with("conv_fc.") && !n.ends_with("num_batches_tracked")),
            "{file}"
        );
    }
}
