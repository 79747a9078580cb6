//! Layers PyTorch has and candle-nn lacks, computing what PyTorch computes, each counted by its
//! syops rule. Constructors follow candle-nn (`fn new(..., vb: VarBuilder)`) and load PyTorch's
//! parameter names.
mod attention;
mod batch_norm;
mod conv;
mod dropout;
mod flatten;
mod linear;
mod norm;
mod pool;
mod rnn;
mod sequential;
mod upsample;
mod voting;

pub use attention::MultiheadAttention;
pub use batch_norm::{batch_norm, BatchNorm};
pub use conv::{Conv, ConvConfig};
pub use dropout::Dropout;
pub use flatten::Flatten;
pub use linear::Linear;
pub use norm::{GroupNorm, InstanceNorm};
pub use pool::{
    AdaptiveAvgPool, AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveAvgPool3d, AdaptiveMaxPool, AdaptiveMaxPool1d,
    AdaptiveMaxPool2d, AdaptiveMaxPool3d, AvgPool, AvgPool1d, AvgPool2d, AvgPool3d, MaxPool, MaxPool1d, MaxPool2d,
    MaxPool3d, PoolSize,
};
pub use rnn::{Rnn, RnnCell, RnnConfig, RnnMode, RnnOutput};
pub use sequential::{seq, Sequential, SequentialLayer};
pub use upsample::Upsample;
pub use voting::VotingLayer;
