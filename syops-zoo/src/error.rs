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
    /// Counting a reference case failed.
    #[error("counting reference case `{case}`: {error}")]
    Counting { case: String, error: Box<syops_runtime::Error> },
}

/// `Result` with the zoo's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
