//! End-to-end: `cargo syops` on the fixture workspace in `tests/fixture`.
//!
//! The fixture is built in the dev profile (`--debug`) into a target directory under this crate's
//! `CARGO_TARGET_TMPDIR`, so candle compiles once for every test.
use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use syops_runtime::report::Report;

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixture/Cargo.toml")
}

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

/// `cargo syops ARGS` (with the fixture's manifest and `--debug` unless `diff` or `show`).
fn syops(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-syops"));
    cmd.arg("syops");
    if !matches!(args.first(), Some(&"diff" | &"show")) {
        cmd.arg("--manifest-path").arg(fixture()).arg("--debug");
    }
    cmd.args(args).env("CARGO_TARGET_DIR", Path::new(env!("CARGO_TARGET_TMPDIR")).join("fixture"));
    cmd.output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs and expects success; returns stdout.
fn ok(args: &[&str]) -> String {
    let out = syops(args);
    assert!(out.status.success(), "cargo syops {args:?} failed:\n{}", text(&out.stderr));
    text(&out.stdout)
}

/// Runs and expects failure; returns stderr.
fn fails(args: &[&str]) -> String {
    let out = syops(args);
    assert!(!out.status.success(), "cargo syops {args:?} succeeded:\n{}", text(&out.stdout));
    text(&out.stderr)
}

#[test]
fn json_report_of_a_root_linear_and_program_stdout_on_stderr() {
    let out = syops(&["--example", "linear", "--format", "json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("linear counted 36 params"));
    let report = Report::from_json(&text(&out.stdout)).unwrap();
    assert_eq!((report.model.as_str(), report.params, report.batch_counter), ("Linear", 8 * 4 + 4, 3));
    assert_eq!(report.layers.len(), 1);
    let root = report.layer("").unwrap();
    assert_eq!(root.stats.calls, 1);
    assert!(root.stats.sum_acs > 0.0);
    assert_eq!(report.per_sample.acs, root.stats.sum_acs / 3.0);
}

#[test]
fn formats_units_energy_and_output_file() {
    let table = ok(&["--example", "linear"]);
    assert!(table.contains("(root)") && table.contains("Linear: 3 samples in 1 batches"), "{table}");
    let csv = ok(&["--example", "linear", "--format", "csv", "--units", "K"]);
    assert!(
        csv.starts_with("layer,type,params,calls,output,acs,macs,total,rate_pct,energy_mj\n,Linear,0.036,1,3x4,"),
        "{csv}"
    );
    let md = ok(&["--example", "linear", "--format", "markdown"]);
    assert!(md.starts_with("| layer | type |") && md.contains("- Linear: 3 samples"), "{md}");
    let dir = tmp();
    let path = dir.path().join("r.json");
    let stdout = ok(&["--example", "linear", "--format", "json", "--energy", "int8", "-o", path.to_str().unwrap()]);
    assert!(stdout.is_empty());
    let report = Report::from_json(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report.energy.model, syops_runtime::report::EnergyModel::INT8_45NM);
    let expected =
        syops_runtime::report::EnergyModel::INT8_45NM.estimate(report.per_sample.acs, report.per_sample.macs);
    assert_eq!(report.energy, expected);
}

#[test]
fn depth_folds_layers_and_every_session_is_reported() {
    let csv = ok(&["--example", "tiny", "--format", "csv"]);
    let paths: Vec<_> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(paths, ["fc1", "block.0", "block.1"]);
    let csv = ok(&["--example", "tiny", "--format", "csv", "--depth", "1"]);
    let rows: Vec<_> = csv.lines().skip(1).map(|l| l.split(',').take(3).collect::<Vec<_>>().join(",")).collect();
    assert_eq!(rows, ["fc1,Linear,36", "block,2 layers,30"]);
    let jsonl = ok(&["--example", "tiny", "--format", "json", "--", "5", "--twice"]);
    let reports: Vec<_> = jsonl.lines().map(|l| Report::from_json(l).unwrap()).collect();
    assert_eq!(reports.len(), 2);
    assert!(reports.iter().all(|r| r.batch_counter == 5 && r.params == 66 && r.model == "Net"));
}

#[test]
fn budgets_pass_fail_and_reject_bad_files() {
    let dir = tmp();
    let write = |name: &str, body: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    let good = write("good.toml", "[total]\nparams = 36\nacs = \"1 K\"\n[layers.\"*\"]\nparams = 100\n");
    let out = syops(&["--example", "linear", "--budget", &good]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("budget ok: Linear is within every limit"));
    let tight = write("tight.toml", "[total]\nparams = \"0.01 K\"\nacs = 1\nmacs = 1000\n");
    let err = fails(&["--example", "linear", "--budget", &tight]);
    assert!(err.contains("(total)") && err.contains("params") && err.contains("acs"), "{err}");
    assert!(!err.contains("macs"), "{err}");
    assert!(err.contains("error: 2 budget limit(s) exceeded"), "{err}");
    let bad = write("bad.toml", "[total]\nparams = 36\nmac = 1\n");
    let err = fails(&["--example", "linear", "--budget", &bad]);
    assert!(err.contains("bad.toml: line 3: unknown field `mac`"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn unknown_targets_and_packages_list_what_exists() {
    let err = fails(&["--example", "nope"]);
    assert!(
        err.contains("error: no example `nope`; examples: broken, linear, nocount, options, panics, tiny, uncounted"),
        "{err}"
    );
    let err = fails(&["-p", "nope", "--example", "tiny"]);
    assert!(err.contains("error: no package `nope` in the workspace; packages: syops-fixture"), "{err}");
}

#[test]
fn build_failures_panics_and_silent_programs_fail_clearly() {
    let err = fails(&["--example", "broken"]);
    assert!(err.contains("mismatched types"), "cargo's diagnostics are shown: {err}");
    assert!(err.contains("error: could not build example `broken`"), "{err}");
    let err = fails(&["--example", "panics"]);
    assert!(err.contains("about to fail") && err.contains("the model exploded"), "{err}");
    assert!(err.contains("error: `panics` failed"), "{err}");
    let err = fails(&["--example", "nocount"]);
    assert!(err.contains("this program never counts"), "{err}");
    assert!(err.contains("error: `nocount` ran but never counted anything"), "{err}");
}

#[test]
fn the_options_beyond_syops_are_shown() {
    // Linear(8, 4) on all-ones [3, 8] (a constant input counts as spikes at rate 1), exact:
    // 24 nonzero inputs × 4 outputs + 12 bias = 108 ACs over 3 samples = 36 per sample; dense
    // (syops) 3·8·4 + 4 = 100, 33.3 per sample.
    let table = ok(&["--example", "options", "--", "exact"]);
    assert!(table.contains("(exact convention)"), "{table}");
    assert!(table.contains("ACs      36.0 per sample") && table.contains("dense    33.3 per sample"), "{table}");
    assert!(table.contains("membrane 0.0 updates per sample"), "{table}");
    assert!(table.contains("time-resolved over 3 samples (percentiles by nearest rank):"), "{table}");
    let report = Report::from_json(&ok(&["--example", "options", "--format", "json", "--", "exact"])).unwrap();
    assert_eq!(report.convention, "exact");
    assert_eq!(report.time.unwrap().ops_per_step.iter().map(|s| s.acs).sum::<f64>(), 36.0);
    let html = ok(&["--example", "options", "--format", "html", "--", "exact"]);
    assert!(html.contains("Membrane updates") && html.contains("Time-resolved"), "{html}");

    // Static, an assumed rate of 0.5: the same dense count, half of it ACs.
    let table = ok(&["--example", "options", "--", "static"]);
    assert!(table.contains("static: assumed rates default 50.00 %"), "{table}");
    assert!(table.contains("ACs      16.7 per sample"), "{table}");
    let err = fails(&["--example", "options", "--", "bogus"]);
    assert!(err.contains("expected `exact` or `static`"), "{err}");
}

#[test]
fn show_prints_saved_reports_in_any_format() {
    let dir = tmp();
    let saved = dir.path().join("run.jsonl");
    // Two sessions: JSON lines.
    ok(&["--example", "tiny", "--format", "json", "-o", saved.to_str().unwrap(), "--", "5", "--twice"]);
    let direct = ok(&["--example", "tiny", "--", "5", "--twice"]);
    let shown = ok(&["show", saved.to_str().unwrap()]);
    assert_eq!(shown, direct, "show renders what the run printed");
    let page = dir.path().join("r.html");
    let out = ok(&["show", saved.to_str().unwrap(), "--format", "html", "-o", page.to_str().unwrap()]);
    assert!(out.is_empty());
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>") && html.matches("<section").count() >= 2, "{html}");
    let csv = ok(&["show", saved.to_str().unwrap(), "--format", "csv", "--depth", "1"]);
    assert!(csv.starts_with("layer,type,"), "{csv}");

    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{}\nnot json\n", std::fs::read_to_string(&saved).unwrap().lines().next().unwrap()))
        .unwrap();
    let err = fails(&["show", bad.to_str().unwrap()]);
    assert!(err.contains("bad.jsonl line 2") && err.contains("not a usable syops report"), "{err}");
    let err = fails(&["show", dir.path().join("missing.json").to_str().unwrap()]);
    assert!(err.contains("cannot read") && err.contains("missing.json"), "{err}");
}

#[test]
fn diff_reports_changes_and_rejects_bad_files() {
    let dir = tmp();
    let a = dir.path().join("a.json");
    ok(&["--example", "tiny", "--format", "json", "-o", a.to_str().unwrap()]);
    let mut value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&a).unwrap()).unwrap();
    value["layers"][0]["params"] = 100.into();
    value["layers"][2]["path"] = "head".into();
    value["params"] = 130.into();
    let b = dir.path().join("b.jsonl");
    std::fs::write(
        &b,
        format!("{}\n{}\n", serde_json::to_string(&value).unwrap(), serde_json::to_string(&value).unwrap()),
    )
    .unwrap();
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = ok(&["diff", a, b]);
    assert!(out.contains("fc1") && out.contains("changed") && out.contains("36.0 → 100.0 (+64.0, +177.8 %)"), "{out}");
    assert!(
        out.contains("block.1") && out.contains("removed") && out.contains("head") && out.contains("added"),
        "{out}"
    );
    assert!(out.contains("66.0 → 130.0"), "{out}");
    assert!(out.ends_with("1 layer(s) changed, 1 added, 1 removed\n"), "{out}");
    let differ = syops(&["diff", a, b, "--exit-code"]);
    assert_eq!(differ.status.code(), Some(1), "--exit-code on reports that differ");
    assert!(ok(&["diff", a, a, "--exit-code"]).ends_with("0 layer(s) changed, 0 added, 0 removed\n"));

    let budget = dir.path().join("b.toml");
    std::fs::write(&budget, "[layers.fc1]\nparams = 50\n").unwrap();
    let err = fails(&["diff", a, b, "--budget", budget.to_str().unwrap()]);
    assert!(err.contains("fc1") && err.contains("1 budget limit(s) exceeded"), "{err}");

    let corrupt = dir.path().join("corrupt.json");
    std::fs::write(&corrupt, "{\"schema\": 1, ").unwrap();
    let err = fails(&["diff", a, corrupt.to_str().unwrap()]);
    assert!(
        err.starts_with("error: ") && err.contains("corrupt.json is not a usable syops report: report: not valid JSON"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    value["schema"] = 99.into();
    std::fs::write(&corrupt, value.to_string()).unwrap();
    let err = fails(&["diff", corrupt.to_str().unwrap(), a]);
    assert!(err.contains("schema version 99, but this syops reads versions 1 to 4"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn strict_fails_listing_uncovered_calls_and_passes_covered_ones() {
    let out = syops(&["--example", "uncounted", "--strict"]);
    assert!(!out.status.success(), "{}", text(&out.stdout));
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    // The report is still printed; the Linear(8, 4) is counted, `odd` (one call) is not.
    assert!(stdout.contains("coverage 50.0 % of calls") && stdout.contains("odd (Odd) ×1"), "{stdout}");
    assert!(
        stderr.contains(
            "Net: 1 of 2 layer call(s) were not counted (no counting rule or no layer path):\n  odd (Odd) ×1\n"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("error: strict: 1 layer call(s) were not counted"), "{stderr}");
    ok(&["--example", "uncounted"]);
    let out = syops(&["--example", "linear", "--strict"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("coverage 100.0 % of calls, 100.0 % of dense ops (estimate)"));
}

#[test]
fn energy_bits_and_time_steps_reprice_the_energy_detail() {
    let json = ok(&["--example", "linear", "--format", "json", "--energy", "0.9,4.6,8", "--time-steps", "4"]);
    let report = Report::from_json(&json).unwrap();
    let detail = report.energy_detail.unwrap();
    assert_eq!((detail.model.bits, detail.time_steps), (8, 4));
    assert!(detail.compute.label.contains("custom: 0.9 pJ/AC, 4.6 pJ/MAC, 8-bit"), "{}", detail.compute.label);
    // Linear(8, 4) on all-ones [3, 8]: dense (3·8·4 + 4) / 3 = 100/3 per sample, ANN 100/12 MACs.
    assert!((detail.ann_compute.mj - 100.0 / 12.0 * 4.6e-9).abs() < 1e-18, "{}", detail.ann_compute.mj);
    let table = ok(&["--example", "linear"]);
    assert!(table.contains("compute only, 45 nm FP32: 0.9 pJ/AC, 4.6 pJ/MAC (Horowitz 2014)"), "{table}");
    assert!(table.contains("break-even firing rate"), "{table}");
    let err = fails(&["--example", "linear", "--energy", "0.9,4.6,0"]);
    assert!(err.contains("bits `0` must be a whole number from 1 to 64"), "{err}");
    let err = fails(&["--example", "linear", "--time-steps", "0"]);
    assert!(err.contains("--time-steps"), "{err}");
}

#[test]
fn html_report_is_one_page_with_a_section_per_session() {
    let dir = tmp();
    let path = dir.path().join("report.html");
    let stdout = ok(&["--example", "tiny", "--format", "html", "-o", path.to_str().unwrap(), "--", "5", "--twice"]);
    assert!(stdout.is_empty(), "{stdout}");
    let page = std::fs::read_to_string(&path).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    assert_eq!(page.matches("<!DOCTYPE html>").count(), 1);
    assert_eq!(page.matches("<section class=\"report\"").count(), 2);
    assert!(page.contains("<title>syops: 2 reports</title>") && page.contains("<h2>Net</h2>"));
    for layer in ["fc1", "block.0", "block.1"] {
        // Ops, energy and rate chart labels, in each of the two sections.
        assert_eq!(page.matches(&format!(">{layer}<title>")).count(), 6, "{layer}");
    }
    assert!(page.contains("<dd>5 samples in 1 batches (1 root calls)</dd>"));
    assert!(!page.contains("http://") && !page.contains("https://") && !page.contains("src="));
    let folded = ok(&["--example", "tiny", "--format", "html", "--depth", "1"]);
    assert!(folded.contains(">block<title>") && !folded.contains(">block.0<title>"), "{folded}");
    assert!(folded.contains("<dd>2 rows (depth 1)</dd>"));
}

#[test]
fn convention_flag_reaches_every_session_of_the_program() {
    // The program asks for nothing; `--convention` sets SYOPS_CONVENTION for its sessions.
    let jsonl = ok(&["--example", "tiny", "--convention", "neurobench", "--format", "json", "--", "5", "--twice"]);
    let reports: Vec<Report> = jsonl.lines().map(|l| Report::from_json(l).unwrap()).collect();
    assert_eq!(reports.len(), 2);
    for r in &reports {
        assert_eq!(r.convention, "neurobench");
        let nb = r.neurobench.as_ref().expect("NeuroBench's metrics");
        assert_eq!(nb.statics.parameter_count, r.params);
    }
    let exact = Report::from_json(&ok(&["--example", "tiny", "--convention", "exact", "--format", "json"])).unwrap();
    assert_eq!((exact.convention.as_str(), exact.neurobench.is_none()), ("exact", true));
    let table = ok(&["--example", "tiny", "--convention", "neurobench"]);
    assert!(table.contains("neurobench SynapticOperations: Effective_ACs"), "{table}");
    let err = fails(&["--example", "tiny", "--convention", "neuro"]);
    assert!(err.contains("expected syops-0.0.5 (or syops), exact or neurobench"), "{err}");
}
