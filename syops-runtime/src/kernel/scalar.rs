//! A 0-d tensor of a value in another tensor's dtype: exact broadcast arithmetic as PyTorch
//! does it.
use candle::Tensor;

/// A 0-d tensor of `value` in `like`'s dtype and device, for exact broadcast arithmetic
/// (candle's `tensor / f64` multiplies by the reciprocal; PyTorch divides).
pub(crate) fn scalar(value: f64, like: &Tensor) -> candle::Result<Tensor> {
    Tensor::new(value, like.device())?.to_dtype(like.dtype())
}
