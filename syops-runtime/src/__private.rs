//! Used by code that `#[syops::count]` generates; not public API.
pub use crate::budget::assert_within;
pub use crate::layer::{Layer, Segment};
pub use crate::probe::{LayerRef, Probe, ProbeLayer, ProbeNoTensor, ProbeNotLayer, ProbeTensor};
pub use crate::state::{unattributed, Scope};
pub use candle::Tensor;

/// Maps a struct's field names to their path segments (`#[syops(rename = "..")]`).
pub trait FieldNames {
    fn segment(field: &'static str) -> &'static str;
}
