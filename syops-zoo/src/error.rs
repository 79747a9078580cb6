//! The zoo's error type.
use std::path::PathBuf;

/// What can go wrong while building or counting a zoo model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The runtime failed: a tensor operation, a manifest, a count.
    #[error(transparent)]
    Runtime(#[from] syops_runtime::Error),
    /// A model could not be built (a missing or misshapen weight).
    #[error(transparent)]
    Candle(#[from] candle::Error),
    /// A manifest names a case this zoo has no port for.
    #[error("unknown reference case `{case}` in {}; known cases: {}", .file.display(), crate::CASES.join(", "))]
    UnknownCase { case: String, file: PathBuf },
    /// An option that does not apply (a zoo model's name, `--num-classes`).
    #[error("{0}")]
    Option(String),
    /// A dataset, or one of its files, could not be read.
    #[error("{}: {msg}", .path.display())]
    Data { path: PathBuf, msg: String },
    /// A checkpoint file could not be read.
    #[error("{}: {msg}", .file.display())]
    Checkpoint { file: PathBuf, msg: String },
    /// A checkpoint does not fit the model: every missing tensor, every unexpected one and every
    /// shape mismatch, by state-dict name.
    #[error("{}", mismatch(.file, .missing, .unexpected, .mismatched))]
    Mismatch {
        file: PathBuf,
        /// Tensors the model asks for that the checkpoint lacks, with the shape expected.
        missing: Vec<(String, Vec<usize>)>,
        /// Tensors of the checkpoint the model does not use, with their shapes.
        unexpected: Vec<(String, Vec<usize>)>,
        /// `(name, expected, found)` shapes.
        mismatched: Vec<(String, Vec<usize>, Vec<usize>)>,
    },
    /// Counting a reference case failed.
    #[error("counting reference case `{case}`: {error}")]
    Counting { case: String, error: Box<syops_runtime::Error> },
}

/// `Result` with the zoo's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn mismatch(
    file: &std::path::Path,
    missing: &[(String, Vec<usize>)],
    unexpected: &[(String, Vec<usize>)],
    mismatched: &[(String, Vec<usize>, Vec<usize>)],
) -> String {
    let mut out = format!(
        "{}: the checkpoint does not fit the model ({} missing, {} unexpected, {} of another shape)",
        file.display(),
        missing.len(),
        unexpected.len(),
        mismatched.len()
    );
    for (name, shape) in missing {
        out += &format!("\n  missing     {name} {shape:?}");
    }
    for (name, shape) in unexpected {
        out += &format!("\n  unexpected  {name} {shape:?}");
    }
    for (name, want, found) in mismatched {
        out += &format!("\n  shape       {name}: the model expects {want:?}, the checkpoint has {found:?}");
    }
    out
}
