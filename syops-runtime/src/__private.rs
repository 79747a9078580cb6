//! Used by code that `#[syops::count]` generates; not public API.
pub use crate::check::assert_within;
pub use crate::count::{unattributed, Scope};
pub use crate::model::detect::{Detect, DetectLayer, DetectNoTensor, DetectNotLayer, DetectTensor, LayerRef};
pub use crate::model::{Layer, Segment};
pub use candle::Tensor;

/// Maps a struct's field names to their path segments (`#[syops(rename = "..")]`).
pub trait FieldNames {
    fn segment(field: &'static str) -> &'static str;
}
