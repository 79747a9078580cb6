//! The runtime's error type.

/// Everything that can go wrong while counting, loading or reporting.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A tensor operation failed.
    #[error(transparent)]
    Candle(#[from] candle::Error),
    /// A layer received a tensor of a shape it cannot take.
    #[error("layer `{path}` ({layer}): {msg}")]
    Shape { path: String, layer: String, msg: String },
    /// A counted layer call had no tensor input or output.
    #[error("layer `{path}`: the call has no tensor {which}")]
    MissingTensor { path: String, which: &'static str },
    /// `ops` was asked of a layer that has no rule.
    #[error("layer `{path}` ({layer}) has no counting rule")]
    NoRule { path: String, layer: String },
    /// A counting session was given no batch.
    #[error("the batch iterator was empty: nothing was counted")]
    EmptyBatches,
    /// A session was started while another one runs on this thread.
    #[error("a counting session is already running on this thread")]
    SessionActive,
    /// A reference-case manifest or tensor file is unusable.
    #[error("{file}: {msg}")]
    File { file: String, msg: String },
    /// A saved report is unusable.
    #[error("report: {0}")]
    Report(String),
    /// A budget file is unusable.
    #[error("line {line}: {msg}")]
    Budget { line: usize, msg: String },
    /// An option value (format, units, energy model) is not one of those accepted.
    #[error("{0}")]
    Invalid(String),
    /// I/O.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Strict mode ([`crate::Session::strict`]): some calls had no counting rule or no layer path.
    #[error(
        "strict mode: {uncovered_calls} of {calls} layer call(s) were not counted (no counting rule or no layer path):\n{}",
        .entries.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n")
    )]
    Uncovered { uncovered_calls: u64, calls: u64, entries: Vec<crate::report::CoverageEntry> },
}

impl Error {
    /// A shape error for the layer at `path`.
    pub fn shape(path: &str, layer: &str, msg: impl Into<String>) -> Self {
        Error::Shape { path: path.to_string(), layer: layer.to_string(), msg: msg.into() }
    }
}

/// `Result` with the runtime's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
