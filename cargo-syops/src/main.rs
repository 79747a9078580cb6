//! `cargo syops`: build and run a target that counts with `syops::Session`, print its reports in
//! the runtime's formats, check op budgets, and compare saved reports.
mod args;
mod cargo;
mod shard;
mod zoo;

use std::{fs, path::Path, process::ExitCode};

use anyhow::{bail, Context, Result};
use clap::Parser;
use syops_runtime::check::{violations_table, Budget, Diff};
use syops_runtime::render::Format;
use syops_runtime::report::Report;

use crate::args::{Args, Cli, Command, CommonArgs, DiffArgs, ShowArgs, ViewArgs};

/// A counted forward allocates and frees tensors of megabytes per layer; the system allocator
/// hands those back to the kernel and faults their pages in again on every batch, mimalloc keeps
/// them (`cargo bench --bench throughput`, which runs with it too: the README's figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let Cli::Syops(args) = Cli::parse();
    let result = match args.command {
        Some(Command::Diff(ref diff)) => run_diff(diff),
        Some(Command::Show(ref show)) => run_show(show),
        Some(Command::Merge(ref merge)) => run_merge(merge),
        Some(Command::Zoo(ref zoo)) => zoo::run(zoo),
        None => run_target(&args),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

/// Builds and runs the target, then renders and checks every report it wrote.
fn run_target(args: &Args) -> Result<ExitCode> {
    // A bad budget file is an error before the build, not after.
    let budget = args.view.common.budget.as_deref().map(read_budget).transpose()?;
    let target = cargo::resolve(&args.target)?;
    let exe = cargo::build(&target, &args.target)?;
    let file = tempfile::NamedTempFile::new().context("cannot create the report file")?;
    cargo::run(&exe, &args.args, file.path(), &target.name, args.convention)?;
    let text = fs::read_to_string(file.path()).context("cannot read the report file")?;
    let reports = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Report::from_json(l).context("the program wrote an unreadable report"))
        .collect::<Result<Vec<_>>>()?;
    if reports.is_empty() {
        bail!(
            "`{}` ran but never counted anything: no syops::Session finished (did it call `Session::count`?)",
            target.name
        );
    }
    present(&reports, &args.view, budget.as_ref(), args.strict)
}

/// `cargo syops show FILE...`: every report in the files, as a run would print them.
fn run_show(args: &ShowArgs) -> Result<ExitCode> {
    let reports = read_all(&args.files)?;
    let budget = args.view.common.budget.as_deref().map(read_budget).transpose()?;
    present(&reports, &args.view, budget.as_ref(), args.strict)
}

/// `cargo syops merge FILE...`: the report of the run that the files' reports (its shards) make
/// up, as `show` prints one.
fn run_merge(args: &ShowArgs) -> Result<ExitCode> {
    let reports = read_all(&args.files)?;
    let merged = Report::merge(&reports).with_context(|| format!("merging {} report(s)", reports.len()))?;
    let budget = args.view.common.budget.as_deref().map(read_budget).transpose()?;
    present(std::slice::from_ref(&merged), &args.view, budget.as_ref(), args.strict)
}

/// Renders `reports` (`--format`, `-o`), then checks them against `--budget` and `--strict`.
pub(crate) fn present(reports: &[Report], args: &ViewArgs, budget: Option<&Budget>, strict: bool) -> Result<ExitCode> {
    let view = args.view();
    let rendered = match view.format {
        // Several sessions: one report per line (JSON lines), which `cargo syops diff` reads too.
        Format::Json if reports.len() > 1 => {
            reports.iter().map(|r| serde_json::to_string(&view.apply(r)).expect("a report serialises") + "\n").collect()
        }
        // One page with a section per session.
        Format::Html => view.html(reports),
        _ => reports.iter().map(|r| view.render(r)).collect::<Vec<_>>().join("\n"),
    };
    emit(&args.common, &rendered)?;
    let code = check(budget, &reports.iter().map(|r| view.apply(r)).collect::<Vec<_>>());
    if strict && !covered(reports) {
        return Ok(ExitCode::FAILURE);
    }
    Ok(code)
}

/// `--strict`: prints (stderr) every report's uncovered calls; whether there were none.
fn covered(reports: &[Report]) -> bool {
    let mut uncovered = 0;
    for report in reports {
        match &report.coverage {
            Some(c) if !c.is_complete() => {
                uncovered += c.uncovered_calls;
                eprintln!(
                    "{}: {} of {} layer call(s) were not counted (no counting rule or no layer path):\n{}",
                    report.model,
                    c.uncovered_calls,
                    c.calls,
                    c.listing()
                );
            }
            Some(_) => {}
            None => eprintln!("warning: a report of {} has no coverage (written by an older syops)", report.model),
        }
    }
    if uncovered > 0 {
        eprintln!("error: strict: {uncovered} layer call(s) were not counted");
    }
    uncovered == 0
}

/// `cargo syops diff A B`.
fn run_diff(args: &DiffArgs) -> Result<ExitCode> {
    let budget = args.common.budget.as_deref().map(read_budget).transpose()?;
    let view = args.common.view();
    let a = view.apply(&read_report(&args.a)?);
    let b = view.apply(&read_report(&args.b)?);
    let diff = Diff::between(&a, &b);
    emit(&args.common, &diff.render(view.units))?;
    let code = check(budget.as_ref(), &[b]);
    if args.exit_code && !diff.is_empty() {
        return Ok(ExitCode::from(1));
    }
    Ok(code)
}

/// Writes `text` to `--output` or stdout.
fn emit(args: &CommonArgs, text: &str) -> Result<()> {
    match &args.output {
        Some(path) => fs::write(path, text).with_context(|| format!("cannot write {}", path.display())),
        None => {
            print!("{text}");
            Ok(())
        }
    }
}

pub(crate) fn read_budget(path: &Path) -> Result<Budget> {
    let text = fs::read_to_string(path).with_context(|| format!("cannot read budget file {}", path.display()))?;
    Budget::from_toml(&text).with_context(|| format!("budget file {}", path.display()))
}

/// Every report of a file: one pretty-JSON report, or one per line.
fn read_reports(path: &Path) -> Result<Vec<Report>> {
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    if let Ok(report) = Report::from_json(&text) {
        return Ok(vec![report]);
    }
    let reports = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| Report::from_json(l).with_context(|| format!("{} line {}", path.display(), i + 1)))
        .collect::<Result<Vec<_>>>()
        .with_context(|| format!("{} is not a usable syops report", path.display()))?;
    if reports.is_empty() {
        bail!("{} holds no report", path.display());
    }
    Ok(reports)
}

/// Every report of every file, in order.
fn read_all(files: &[std::path::PathBuf]) -> Result<Vec<Report>> {
    let mut reports = Vec::new();
    for path in files {
        reports.extend(read_reports(path)?);
    }
    Ok(reports)
}

/// A report saved by `--format json` (pretty JSON), or the last line of a JSON-lines file.
fn read_report(path: &Path) -> Result<Report> {
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let whole = Report::from_json(&text);
    let last = || text.lines().rev().find(|l| !l.trim().is_empty()).map(Report::from_json);
    match (whole, text.trim().lines().count() > 1) {
        (Ok(r), _) => Ok(r),
        (Err(e), true) => last().unwrap_or(Err(e)),
        (Err(e), false) => Err(e),
    }
    .with_context(|| format!("{} is not a usable syops report", path.display()))
}

/// Checks every report against `budget`: prints the violations (stderr) and fails, or confirms.
fn check(budget: Option<&Budget>, reports: &[Report]) -> ExitCode {
    let Some(budget) = budget else { return ExitCode::SUCCESS };
    let mut failed = 0;
    for report in reports {
        for pattern in budget.unmatched(report) {
            eprintln!("warning: budget layer pattern `{pattern}` matches no layer of {}", report.model);
        }
        let violations = budget.check(report);
        if violations.is_empty() {
            eprintln!("budget ok: {} is within every limit", report.model);
        } else {
            failed += violations.len();
            eprintln!("{}", violations_table(&violations));
        }
    }
    if failed > 0 {
        eprintln!("error: {failed} budget limit(s) exceeded");
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
