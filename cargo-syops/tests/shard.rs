//! End-to-end: a zoo model counted over a NumPy dataset whole, then in 1, 2, 3 and 7 shards whose
//! reports merge into the whole run's (`--shard I/N`, `cargo syops merge`). Batches of one sample,
//! so that the shards batch as the whole run does: a call's spike test covers its whole batch (a
//! batch whose tensor holds only 0 and 1 is spikes, even where one of its samples alone would not
//! be), under either convention.
use std::path::{Path, PathBuf};
use std::process::Command;

use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use syops_runtime::convention::Convention;
use syops_runtime::report::Report;
use syops_runtime::Session;
use syops_zoo::transform::EvalTransform;
use syops_zoo::{ZooOptions, ZooRun};

const MODEL: &str = "spiking_resnet18";

fn cli(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-syops")).arg("syops").args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Generated weights saved as a checkpoint, so that every run counts the same ones; and 7
/// labelled samples of `[3, 32, 32]`.
fn fixture(dir: &Path) -> (PathBuf, PathBuf) {
    let varmap = VarMap::new();
    syops_zoo::find(MODEL)
        .unwrap()
        .build(&ZooOptions::default(), VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))
        .unwrap();
    let weights = dir.join("weights.safetensors");
    varmap.save(&weights).unwrap();
    let x = Tensor::randn(0f32, 1., (7, 3, 32, 32), &Device::Cpu).unwrap();
    let y = Tensor::new(&[0i64, 1, 2, 3, 4, 5, 6], &Device::Cpu).unwrap();
    let data = dir.join("samples.npz");
    Tensor::write_npz(&[("x", &x), ("y", &y)], &data).unwrap();
    (weights, data)
}

fn count(session: &Session, weights: &Path, data: &Path, shard: Option<(usize, usize)>) -> syops_zoo::Result<Report> {
    let run = ZooRun {
        options: ZooOptions::default(),
        weights: Some(weights.to_path_buf()),
        data: data.to_path_buf(),
        batch_size: 1,
        limit: None,
        transform: EvalTransform::default(),
        cifar_normalize: false,
        skip_bad: false,
        shard,
        dtype: DType::F32,
        device: Device::Cpu,
    };
    syops_zoo::run(session, syops_zoo::find(MODEL).unwrap(), &run)
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{what}: {a} against {b}");
}

/// `merged` counts what `whole` does. Calls, root forwards and batches follow the batching (one
/// call per layer and batch), and so do syops' summed per-call rates and the dense count of a
/// linear layer's bias (`out_features` once per call, as syops counts it); all else is equal.
fn assert_same(whole: &Report, merged: &Report, what: &str) {
    let mut bias_ops = 0i64;
    assert_eq!(
        (merged.batch_counter, merged.params, merged.accuracy),
        (whole.batch_counter, whole.params, whole.accuracy),
        "{what}"
    );
    assert_eq!(merged.times_counter, merged.batches, "{what}: one root forward per batch");
    assert_eq!((merged.shard.as_ref(), &merged.warnings), (None, &whole.warnings), "{what}");
    assert_eq!(merged.layers.len(), whole.layers.len(), "{what}");
    for (m, w) in merged.layers.iter().zip(&whole.layers) {
        let at = format!("{what}: layer `{}`", m.path);
        let (ms, ws) = (&m.stats, &w.stats);
        let per_call = match m.type_name.as_str() {
            "Linear" => *m.output_shape.as_ref().unwrap().last().unwrap() as i64,
            _ => 0,
        };
        let bias = (ms.calls as i64 - ws.calls as i64) * per_call;
        bias_ops += bias;
        let total = (ws.sum_total as i64 + bias) as u64;
        assert_eq!(
            (&m.path, ms.sum_total, ms.sum_macs, ms.non_finite_calls),
            (&w.path, total, ws.sum_macs, ws.non_finite_calls),
            "{at}"
        );
        let events = |s: &syops_runtime::convention::LayerStats| s.exact.map(|e| (e.acs, e.macs, e.membrane_updates));
        assert_eq!(events(ms), events(ws), "{at}");
        close(ms.sum_acs, ws.sum_acs, &at);
        assert_eq!(ms.calls * whole.batches, ws.calls * merged.batches, "{at}: calls per batch");
    }
    let (m, w) = (merged.per_sample, whole.per_sample);
    let total = w.total + bias_ops as f64 / whole.batch_counter as f64;
    for (a, b, name) in [(m.total, total, "total"), (m.acs, w.acs, "acs"), (m.macs, w.macs, "macs")] {
        close(a, b, &format!("{what}: per-sample {name}"));
    }
    close(m.membrane_updates.unwrap(), w.membrane_updates.unwrap(), &format!("{what}: membrane updates"));
    close(merged.energy.total_mj, whole.energy.total_mj, &format!("{what}: energy"));
    let (md, wd) = (merged.energy_detail.as_ref().unwrap(), whole.energy_detail.as_ref().unwrap());
    assert_eq!((md.time_steps, md.layers.len()), (wd.time_steps, wd.layers.len()), "{what}");
    close(md.memory_inclusive.mj, wd.memory_inclusive.mj, &format!("{what}: memory-inclusive energy"));
    close(md.compute.mj, wd.compute.mj, &format!("{what}: compute energy"));
    let (mc, wc) = (merged.coverage.as_ref().unwrap(), whole.coverage.as_ref().unwrap());
    let dense = (wc.dense_ops as i64 + bias_ops) as u64;
    assert_eq!((mc.dense_ops, mc.uncovered.len()), (dense, wc.uncovered.len()), "{what}");
}

#[test]
fn shards_merge_into_the_whole_run() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (weights, data) = fixture(dir.path());
    // The exact convention (its event counts, membrane updates and dense counts checked too).
    let session = Session::new().convention(Convention::Exact);
    let whole = count(&session, &weights, &data, None).unwrap();
    assert_eq!((whole.batch_counter, whole.batches, whole.accuracy.unwrap().samples), (7, 7, 7));
    let spiking = whole.layers.iter().filter(|l| l.type_name == "Conv2d" && l.stats.sum_acs > 0.0).count();
    assert!(spiking > 5, "the generated weights make convolutions take spikes: {spiking}");
    for n in [1, 2, 3, 7] {
        let shards: Vec<Report> = (0..n).map(|i| count(&session, &weights, &data, Some((i, n))).unwrap()).collect();
        let sizes: Vec<u64> = shards.iter().map(|r| r.batch_counter).collect();
        assert_eq!(sizes.iter().sum::<u64>(), 7, "{sizes:?}");
        let s = shards[0].shard.as_ref().unwrap();
        assert_eq!((s.count, s.samples, s.dataset.len()), (n, 7, 16));
        let mut reversed = shards.clone();
        reversed.reverse();
        let merged = Report::merge(&reversed).unwrap();
        assert_same(&whole, &merged, &format!("{n} shard(s)"));
        if n == 7 {
            assert_eq!(merged.batches, 7);
            let err = Report::merge(&shards[1..]).unwrap_err().to_string();
            assert!(err.contains("shard 0 of 7 is missing"), "{err}");
        }
    }
    let err = count(&session, &weights, &data, Some((0, 8))).unwrap_err().to_string();
    assert!(err.contains("8 shards of 7 sample(s) would leave some empty"), "{err}");
}

#[test]
fn the_command_line_counts_shards_and_merges_them() {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let (weights, data) = fixture(dir.path());
    let (w, d) = (weights.to_str().unwrap(), data.to_str().unwrap());
    let mut files = Vec::new();
    for spec in ["1/2", "0/2"] {
        let file = dir.path().join(format!("shard-{}.json", &spec[..1]));
        let f = file.to_str().unwrap();
        cli(&[
            "zoo",
            MODEL,
            "--weights",
            w,
            "--data",
            d,
            "--batch-size",
            "1",
            "--shard",
            spec,
            "--format",
            "json",
            "-o",
            f,
        ]);
        files.push(file);
    }
    let all = dir.path().join("all.json");
    let mut args = vec!["merge"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(["--format", "json", "-o", all.to_str().unwrap()]);
    cli(&args);
    let merged = Report::from_json(&std::fs::read_to_string(&all).unwrap()).unwrap();
    let shards: Vec<Report> =
        files.iter().map(|f| Report::from_json(&std::fs::read_to_string(f).unwrap()).unwrap()).collect();
    assert_eq!(merged, Report::merge(&shards).unwrap());
    assert_eq!((merged.batch_counter, merged.batches, merged.accuracy.unwrap().samples), (7, 7, 7));
    let whole = count(&Session::new(), &weights, &data, None).unwrap();
    assert_eq!(merged.per_sample.total, whole.per_sample.total);
    assert!(cli(&["merge", files[0].to_str().unwrap(), files[1].to_str().unwrap()]).contains("SpikingResNet"));
}
