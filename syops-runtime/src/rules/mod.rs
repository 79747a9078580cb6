//! Counting rules for candle-nn's layers, following syops 0.0.5 (`syops/ops.py`).
mod activation;
mod conv;
mod linear;
mod norm;

pub use activation::activation_ops;
pub use conv::{conv_exact, conv_neurobench, conv_ops, ConvGeometry};
pub use linear::linear_ops;
pub use norm::norm_ops;
