//! The command line, in cargo's shape.
use std::path::PathBuf;

use clap::builder::{PossibleValuesParser, TypedValueParser};
use syops_runtime::convention::Convention;
use syops_runtime::render::{Format, Units, View};
use syops_runtime::report::EnergyModel;

/// `cargo syops`, as cargo passes it: `cargo-syops syops ARGS`.
#[derive(Debug, clap::Parser)]
#[command(name = "cargo", bin_name = "cargo")]
pub enum Cli {
    Syops(Args),
}

/// Build and run a target that counts with `syops::Session`, and print its report.
///
/// The target is built in release mode by default: counting a ResNet in a debug build is
/// unusably slow. Pass `--debug` (or `--profile dev`) to opt out.
///
/// The program runs with SYOPS_REPORT_FILE set; every session it finishes appends its report
/// there, and each report is printed after the program exits. The program's own stdout is sent
/// to stderr, so that `--format json > report.json` holds only the report.
#[derive(Debug, clap::Args)]
#[command(version, args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct Args {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub target: TargetArgs,
    #[command(flatten)]
    pub view: ViewArgs,
    /// Fail (non-zero exit, listing them) when any report has calls that were not counted: layers
    /// without a counting rule, or calls with no layer path.
    #[arg(long)]
    pub strict: bool,
    /// Count every session of the program under this convention, whatever it asks for: `syops`
    /// (syops 0.0.5's, the default), `exact` (event-exact) or `neurobench` (NeuroBench 2.3's
    /// metrics). Passed to the program as SYOPS_CONVENTION.
    #[arg(long, value_name = "NAME", value_parser = convention)]
    pub convention: Option<Convention>,
    /// Arguments passed to the program.
    #[arg(last = true)]
    pub args: Vec<String>,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Count a model of the zoo over a dataset, with trained weights: nothing of yours is built
    /// (`cargo syops zoo --list` lists the models).
    Zoo(Box<ZooArgs>),
    /// Compare two saved reports (`--format json` output): per-layer and total deltas.
    Diff(DiffArgs),
    /// Print saved reports (`--format json` output, or JSON lines) in any format, without running
    /// anything: `cargo syops show report.json --format html -o report.html`.
    Show(ShowArgs),
    /// Merge the reports of a run's shards (`cargo syops zoo --shard I/N`) into the report of the
    /// whole run, and print it as `show` does: `cargo syops merge shard-*.json --format json -o all.json`.
    Merge(ShowArgs),
}

/// What to build, as cargo names it.
#[derive(Debug, clap::Args)]
pub struct TargetArgs {
    /// Run the example NAME.
    #[arg(long, value_name = "NAME", group = "target")]
    pub example: Option<String>,
    /// Run the binary NAME.
    #[arg(long, value_name = "NAME", group = "target")]
    pub bin: Option<String>,
    /// Run the integration test NAME (every session its tests finish is reported).
    #[arg(long, value_name = "NAME", group = "target")]
    pub test: Option<String>,
    /// Package of the target.
    #[arg(short, long, value_name = "SPEC")]
    pub package: Option<String>,
    /// Path to Cargo.toml.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Space or comma separated list of features to activate.
    #[arg(short = 'F', long)]
    pub features: Vec<String>,
    /// Do not activate the `default` feature.
    #[arg(long)]
    pub no_default_features: bool,
    /// Build with the release profile (the default).
    #[arg(long, conflicts_with_all = ["debug", "profile"])]
    pub release: bool,
    /// Build with the dev profile (slow to count large models).
    #[arg(long, conflicts_with = "profile")]
    pub debug: bool,
    /// Build with the given profile.
    #[arg(long, value_name = "PROFILE-NAME")]
    pub profile: Option<String>,
}

/// How to show reports.
#[derive(Debug, clap::Args)]
pub struct ViewArgs {
    /// Output format.
    #[arg(long, default_value = "table", value_parser = parser::<Format>(&["table", "json", "csv", "markdown", "html"]))]
    pub format: Format,
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Options shared by running and diffing.
#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// Write the report to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Fold layers below depth N (dot-separated path segments) into their ancestor at depth N.
    #[arg(long, value_name = "N")]
    pub depth: Option<usize>,
    /// Units of operation and parameter counts.
    #[arg(long, default_value = "auto", value_parser = parser::<Units>(&["auto", "G", "M", "K"]))]
    pub units: Units,
    /// Energy model: fp32, fp16, int8 (45 nm), AC_PJ,MAC_PJ or AC_PJ,MAC_PJ,BITS; recomputes the energy columns.
    #[arg(long, value_name = "MODEL", value_parser = |s: &str| s.parse::<EnergyModel>().map_err(|e| e.to_string()))]
    pub energy: Option<EnergyModel>,
    /// SNN time steps per ANN run, for the ANN baseline and break-even rates (overrides the
    /// program's `Session::time_steps`); in `zoo`, also the model's time steps.
    #[arg(short = 'T', long, value_name = "T", value_parser = clap::value_parser!(u64).range(1..))]
    pub time_steps: Option<u64>,
    /// Check per-sample limits from a TOML file; exit non-zero listing every violation.
    #[arg(long, value_name = "FILE")]
    pub budget: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ZooArgs {
    /// The model (`cargo syops zoo --list`).
    #[arg(required_unless_present = "list")]
    pub model: Option<String>,
    /// List the zoo's models, their inputs and options.
    #[arg(long)]
    pub list: bool,
    /// A trained checkpoint: `.pth`/`.pt` (PyTorch) or `.safetensors`; without one, generated
    /// weights are counted and the report says so.
    #[arg(long, value_name = "FILE")]
    pub weights: Option<PathBuf>,
    /// The dataset: an image folder (class sub-folders), CIFAR's binary batches, a folder of
    /// per-sample `.npz` frames, or a stacked `.npy`/`.npz`.
    #[arg(long, value_name = "PATH", required_unless_present = "list")]
    pub data: Option<PathBuf>,
    /// Output classes of the model's head.
    #[arg(long, value_name = "N")]
    pub num_classes: Option<usize>,
    /// The spiking ResNets' and VGGs' neuron: `if`, `lif`, `plif`, or `lif:TAU`, `plif:INIT_TAU`
    /// (tau 2 when not given).
    #[arg(long, value_name = "NEURON", value_parser = parsed::<syops_zoo::Neuron>)]
    pub neuron: Option<syops_zoo::Neuron>,
    /// The connection function of a SEW ResNet (`ADD`, `AND` or `IAND`) or of the DSNN (`AND`,
    /// `IAND`, `OR` or `XOR`).
    #[arg(long, value_name = "CNF", value_parser = parsed::<syops_zoo::Cnf>)]
    pub cnf: Option<syops_zoo::Cnf>,
    /// The DSNN's output, which the accuracy scores: the logits of its spike head (`spikes`, the
    /// default) or of its accumulation head (`acc`); both are computed and counted.
    #[arg(long, value_name = "HEAD", value_parser = parsed::<syops_zoo::Head>)]
    pub head: Option<syops_zoo::Head>,
    /// A PLIF net's width (spikingjelly's `channels`; default the net's own).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub channels: Option<u64>,
    /// Samples per batch.
    #[arg(long, value_name = "N", default_value_t = syops_zoo::ZooRun::DEFAULT_BATCH_SIZE as u64, value_parser = clap::value_parser!(u64).range(1..))]
    pub batch_size: u64,
    /// Count the first N samples only.
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,
    /// Count only shard I of N of the samples (`I/N`, I from 0), or the shard of this Slurm array
    /// task (`slurm`: SLURM_ARRAY_TASK_ID less SLURM_ARRAY_TASK_MIN, of SLURM_ARRAY_TASK_COUNT);
    /// `cargo syops merge` puts the shards' reports together.
    #[arg(long, value_name = "I/N|slurm")]
    pub shard: Option<String>,
    /// Skip unreadable samples (each named in the report's warnings) instead of failing.
    #[arg(long)]
    pub skip_bad: bool,
    /// Images: `Resize(N)` on the short side.
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub resize: usize,
    /// Images: `CenterCrop(N)`.
    #[arg(long, value_name = "N", default_value_t = 224)]
    pub crop: usize,
    /// `Normalize` means, `a,b,c` (default ImageNet's; CIFAR: its own statistics).
    #[arg(long, value_name = "A,B,C", value_parser = triple)]
    pub mean: Option<[f32; 3]>,
    /// `Normalize` standard deviations, `a,b,c`.
    #[arg(long, value_name = "A,B,C", value_parser = triple)]
    pub std: Option<[f32; 3]>,
    /// The counting dtype.
    #[arg(long, default_value = "f32", value_parser = ["f32", "f64"])]
    pub dtype: String,
    /// Where the model runs: `cpu`, `cuda` or `cuda:K` (needs the `cuda` feature).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    #[command(flatten)]
    pub view: ViewArgs,
    /// Fail, listing them, when any layer call was not counted.
    #[arg(long)]
    pub strict: bool,
    /// The counting convention: `syops` (syops 0.0.5's, the default), `exact` or `neurobench`.
    #[arg(long, value_name = "NAME", value_parser = convention)]
    pub convention: Option<Convention>,
}

fn convention(s: &str) -> Result<Convention, String> {
    s.parse().map_err(|e: syops_runtime::Error| e.to_string())
}

fn parsed<T: std::str::FromStr<Err = candle::Error>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: candle::Error| e.to_string())
}

fn triple(s: &str) -> Result<[f32; 3], String> {
    let v: Vec<f32> =
        s.split(',').map(|x| x.trim().parse::<f32>().map_err(|e| format!("`{x}`: {e}"))).collect::<Result<_, _>>()?;
    <[f32; 3]>::try_from(v.as_slice()).map_err(|_| format!("expected three comma-separated numbers, got `{s}`"))
}

#[derive(Debug, clap::Args)]
pub struct DiffArgs {
    /// The old report.
    pub a: PathBuf,
    /// The new report (checked against --budget).
    pub b: PathBuf,
    /// Exit with status 1 when the reports differ (a layer added, removed or changed, or a
    /// total), as `git diff --exit-code` does; 0 when they count the same.
    #[arg(long)]
    pub exit_code: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// Saved reports: pretty JSON (`--format json`) or one report per line.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub view: ViewArgs,
    /// Fail (non-zero exit, listing them) when any report has calls that were not counted.
    #[arg(long)]
    pub strict: bool,
}

fn parser<T>(names: &'static [&'static str]) -> impl TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Debug,
{
    PossibleValuesParser::new(names).map(|s| s.parse::<T>().expect("a possible value parses"))
}

impl ViewArgs {
    pub fn view(&self) -> View {
        View { format: self.format, ..self.common.view() }
    }
}

impl CommonArgs {
    pub fn view(&self) -> View {
        View {
            format: Format::Table,
            units: self.units,
            depth: self.depth,
            energy: self.energy,
            time_steps: self.time_steps,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    use super::*;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_cargo_shape() {
        let Cli::Syops(a) = Cli::try_parse_from([
            "cargo-syops",
            "syops",
            "--example",
            "tiny",
            "-p",
            "fx",
            "--format",
            "csv",
            "--depth",
            "1",
            "--energy",
            "0.5,2",
            "--",
            "--steps",
            "3",
        ])
        .unwrap();
        assert_eq!(a.target.example.as_deref(), Some("tiny"));
        assert_eq!(a.view.format, Format::Csv);
        assert_eq!(a.view.common.energy, Some(EnergyModel { pj_per_ac: 0.5, pj_per_mac: 2.0, bits: 32 }));
        assert_eq!(a.args, ["--steps", "3"]);
        let Cli::Syops(d) =
            Cli::try_parse_from(["cargo-syops", "syops", "diff", "a.json", "b.json", "--depth", "2"]).unwrap();
        assert!(matches!(d.command, Some(Command::Diff(DiffArgs { common: CommonArgs { depth: Some(2), .. }, .. }))));
        assert!(Cli::try_parse_from(["cargo-syops", "syops", "--example", "a", "--bin", "b"]).is_err());
        let Cli::Syops(s) =
            Cli::try_parse_from(["cargo-syops", "syops", "show", "a.json", "b.json", "--format", "html"]).unwrap();
        assert!(matches!(s.command, Some(Command::Show(ShowArgs { ref files, .. })) if files.len() == 2));
        assert!(Cli::try_parse_from(["cargo-syops", "syops", "show"]).is_err(), "a file is required");
        let Cli::Syops(m) =
            Cli::try_parse_from(["cargo-syops", "syops", "merge", "a.json", "b.json", "-o", "all.json"]).unwrap();
        assert!(matches!(m.command, Some(Command::Merge(ShowArgs { ref files, .. })) if files.len() == 2));
        assert!(Cli::try_parse_from(["cargo-syops", "syops", "--debug", "--profile", "x"]).is_err());
        assert!(Cli::try_parse_from(["cargo-syops", "syops", "--energy", "fp64"]).is_err());
        let Cli::Syops(c) =
            Cli::try_parse_from(["cargo-syops", "syops", "--example", "a", "--convention", "neurobench"]).unwrap();
        assert_eq!(c.convention, Some(Convention::NeuroBench));
        let err = Cli::try_parse_from(["cargo-syops", "syops", "--example", "a", "--convention", "nb"]).unwrap_err();
        assert!(err.to_string().contains("neurobench"), "{err}");
        let Cli::Syops(z) =
            Cli::try_parse_from(["cargo-syops", "syops", "zoo", "m", "--data", "d", "--convention", "exact"]).unwrap();
        assert!(matches!(z.command, Some(Command::Zoo(ref z)) if z.convention == Some(Convention::Exact)));
    }
}
