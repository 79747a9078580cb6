//! What the one-pass CPU kernels (spike test, neuron step, channel affine, max pooling) share:
//! from which length a pass is worth splitting over the thread pool (candle's, rayon's global
//! one), and how long its chunks are.

/// Elements from which a pass runs in chunks on the thread pool; shorter ones run in order.
pub(crate) const PARALLEL_MIN: usize = 1 << 15;

/// The chunk length for `n` elements: about four chunks per thread, none shorter than a quarter of
/// [`PARALLEL_MIN`].
pub(crate) fn chunk_len(n: usize) -> usize {
    n.div_ceil(4 * rayon::current_num_threads()).max(PARALLEL_MIN / 4)
}
