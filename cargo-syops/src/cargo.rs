//! Finding, building and running the target through `$CARGO`.
use std::{
    ffi::OsString,
    io::BufReader,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use anyhow::{bail, Context, Result};
use cargo_metadata::{Message, MetadataCommand, Package, TargetKind};
use syops_runtime::convention::Convention;

use crate::args::TargetArgs;

/// The cargo that invoked us (`$CARGO`), else `cargo` on the PATH.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// A target to build: its package, kind and name.
#[derive(Debug)]
pub struct Target {
    pub package: String,
    pub kind: TargetKind,
    pub name: String,
}

impl Target {
    fn flag(&self) -> &'static str {
        match self.kind {
            TargetKind::Example => "--example",
            TargetKind::Test => "--test",
            _ => "--bin",
        }
    }
}

/// The target `args` names, checked against `cargo metadata`; errors list what exists.
pub fn resolve(args: &TargetArgs) -> Result<Target> {
    let mut cmd = MetadataCommand::new();
    cmd.cargo_path(cargo()).no_deps();
    if let Some(path) = &args.manifest_path {
        cmd.manifest_path(path);
    }
    let meta = cmd.exec().context("`cargo metadata` failed")?;
    let members = meta.workspace_packages();
    let packages: Vec<&Package> = match &args.package {
        Some(spec) => {
            let Some(p) = members.iter().find(|p| p.name.as_str() == spec) else {
                let names: Vec<_> = members.iter().map(|p| p.name.as_str()).collect();
                bail!("no package `{spec}` in the workspace; packages: {}", names.join(", "));
            };
            vec![*p]
        }
        None => members,
    };
    let (kind, wanted, what) = match (&args.example, &args.bin, &args.test) {
        (Some(n), _, _) => (TargetKind::Example, Some(n), "example"),
        (_, Some(n), _) => (TargetKind::Bin, Some(n), "binary"),
        (_, _, Some(n)) => (TargetKind::Test, Some(n), "test"),
        _ => (TargetKind::Bin, None, "binary"),
    };
    let all: Vec<(&Package, &str)> = packages
        .iter()
        .flat_map(|p| p.targets.iter().filter(|t| t.is_kind(kind.clone())).map(move |t| (*p, t.name.as_str())))
        .collect();
    let found: Vec<_> = all.iter().filter(|(_, n)| wanted.iter().all(|w| w == n)).collect();
    let names = || {
        let mut names: Vec<_> = all.iter().map(|(_, n)| *n).collect();
        names.sort_unstable();
        names.dedup();
        if names.is_empty() {
            "none".to_string()
        } else {
            names.join(", ")
        }
    };
    match (found.as_slice(), wanted) {
        ([(p, n)], _) => Ok(Target { package: p.name.to_string(), kind, name: n.to_string() }),
        ([], Some(w)) => bail!("no {what} `{w}`; {what}s: {}", names()),
        ([], None) => bail!("nothing to run: pass --example NAME, --bin NAME or --test NAME (examples: {})", {
            let mut ex: Vec<_> =
                packages.iter().flat_map(|p| &p.targets).filter(|t| t.is_example()).map(|t| t.name.as_str()).collect();
            ex.sort_unstable();
            if ex.is_empty() {
                "none".to_string()
            } else {
                ex.join(", ")
            }
        }),
        (many, _) => {
            let pkgs: Vec<_> = many.iter().map(|(p, _)| p.name.as_str()).collect();
            match wanted {
                Some(w) => bail!("{what} `{w}` is in several packages ({}): pass -p", pkgs.join(", ")),
                None => bail!("several binaries ({}): pass --bin NAME", names()),
            }
        }
    }
}

/// Builds `target` and returns its executable; cargo's diagnostics go to stderr.
pub fn build(target: &Target, args: &TargetArgs) -> Result<PathBuf> {
    let mut cmd = Command::new(cargo());
    cmd.args(["build", "--message-format=json-render-diagnostics", "-p", &target.package, target.flag(), &target.name]);
    if let Some(path) = &args.manifest_path {
        cmd.arg("--manifest-path").arg(path);
    }
    for f in &args.features {
        cmd.args(["--features", f]);
    }
    if args.no_default_features {
        cmd.arg("--no-default-features");
    }
    match (&args.profile, args.debug) {
        (Some(p), _) => cmd.args(["--profile", p]),
        (None, true) => &mut cmd,
        (None, false) => cmd.arg("--release"),
    };
    let mut child = cmd.stdout(Stdio::piped()).spawn().context("cannot run cargo")?;
    let mut executable = None;
    for message in Message::parse_stream(BufReader::new(child.stdout.take().expect("piped"))) {
        if let Message::CompilerArtifact(a) = message.context("cannot read cargo's output")? {
            if a.target.name == target.name && a.target.is_kind(target.kind.clone()) {
                executable = a.executable.map(PathBuf::from).or(executable);
            }
        }
    }
    let status = child.wait().context("cannot wait for cargo")?;
    if !status.success() {
        bail!("could not build {} `{}` (cargo's diagnostics are above)", &target.flag()[2..], target.name);
    }
    executable.with_context(|| format!("cargo built no executable for {} `{}`", &target.flag()[2..], target.name))
}

/// Runs `exe` with `args`, the report file and the convention (when given) set; its stdout goes
/// to our stderr.
pub fn run(exe: &Path, args: &[String], report_file: &Path, name: &str, convention: Option<Convention>) -> Result<()> {
    let mut cmd = Command::new(exe);
    if let Some(c) = convention {
        cmd.env(syops_runtime::convention::CONVENTION_ENV, c.name());
    }
    let status = cmd
        .args(args)
        .env(syops_runtime::report::REPORT_FILE_ENV, report_file)
        .stdout(Stdio::from(std::io::stderr()))
        .status()
        .with_context(|| format!("cannot run {}", exe.display()))?;
    if !status.success() {
        bail!("`{name}` failed ({status}); its output is above");
    }
    Ok(())
}
