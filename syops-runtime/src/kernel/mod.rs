//! The CPU kernels behind `nn` and `neuron` (one pass over contiguous data, the same numbers as
//! the tensor operations) and what they share: the float-dtype dispatch and the thread-pool chunks.
pub(crate) mod channel_affine;
pub(crate) mod chunks;
pub(crate) mod float_pass;
pub(crate) mod im2col;
pub(crate) mod max_pool_2d;
pub(crate) mod scalar;
