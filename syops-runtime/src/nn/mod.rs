//! Layers PyTorch has and candle-nn lacks, computing what PyTorch computes, each counted by its
//! syops rule. Constructors follow candle-nn (`fn new(..., vb: VarBuilder)`) and load PyTorch's
//! parameter names.
mod batch_norm;
mod flatten;
mod pool;
mod upsample;

pub use batch_norm::{batch_norm, BatchNorm};
pub use flatten::Flatten;
pub use pool::{AdaptiveAvgPool2d, AvgPool2d, MaxPool2d};
pub use upsample::Upsample;
