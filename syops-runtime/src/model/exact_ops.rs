//! What a rule reports of a call's cost under the exact convention ([`Convention::Exact`](crate::convention::Convention::Exact)): the synaptic
//! events that really happen, counted on the tensor's device and read back with the batch's other
//! statistics in one transfer.
//!
//! A synaptic layer's events are the (nonzero input, weight) pairs that meet. For a window-based
//! layer (convolution, pooling) each input position `p` meets `Π_d w_d[p_d]` kernel offsets, where
//! `w_d[i]` counts the (output position, kernel offset) pairs of dim `d` that land on `i`
//! ([`window_weights`]): stride, padding and dilation included. The count is then
//! `Σ_p 1[x_p ≠ 0] · Π_d w_d[p_d]`, the sum of a convolution of the spike map with an all-ones
//! kernel, computed without the convolution.
//!
//! ```
//! use syops_runtime::model::window_weights;
//! // Length 3, kernel 2, stride 1, padding 1: outputs 0..4 see inputs {-1,0}, {0,1}, {1,2}, {2,3}.
//! assert_eq!(window_weights(3, 4, 2, 1, 1, 1), [2, 2, 2]);
//! ```
use candle::{DType, Tensor};

use super::numel::numel;
use crate::Result;

/// What one call costs under the exact convention, as a rule reports it.
///
/// Once the tested tensor's verdict is known (whole-tensor spike test), the call books
/// - if it spikes: `events × fan_out` ACs (or `pairs` ACs when there are no `events`), `bias` ACs;
/// - otherwise (or with no test): `pairs + bias` MACs;
/// - always: `macs` MACs and `membrane_updates` membrane updates.
#[derive(Debug, Clone, Default)]
pub struct ExactOps {
    /// Synaptic events per unit of `fan_out`, counted on the device: a 0-d or one-element tensor
    /// (it stays there until the batch's statistics are gathered).
    pub events: Option<Tensor>,
    /// Weights each event reaches (output channels or features).
    pub fan_out: u64,
    /// The call's pairs when its input is analog: in-bounds (input, weight) pairs, padding
    /// excluded; booked as ACs for a spiking input only when there are no `events`.
    pub pairs: u64,
    /// Output elements that receive a bias: ACs when the input spikes, MACs otherwise.
    pub bias: u64,
    /// Operations that are MACs whatever the input (products of analog states).
    pub macs: u64,
    /// Neuron membrane updates (NeuroBench's MembraneUpdates), neither ACs nor MACs.
    pub membrane_updates: u64,
}

impl PartialEq for ExactOps {
    /// Equal counts and the same `events` tensor (by identity).
    fn eq(&self, other: &Self) -> bool {
        let same_events = match (&self.events, &other.events) {
            (None, None) => true,
            (Some(a), Some(b)) => a.id() == b.id(),
            _ => false,
        };
        same_events
            && (self.fan_out, self.pairs, self.bias, self.macs, self.membrane_updates)
                == (other.fan_out, other.pairs, other.bias, other.macs, other.membrane_updates)
    }
}

impl ExactOps {
    /// `n` operations of the call's kind: ACs when the tested tensor spikes, MACs otherwise
    /// (normalisation, activations, upsampling, and rules without an event count).
    pub fn dense(n: u64) -> Self {
        ExactOps { pairs: n, ..Default::default() }
    }

    /// A neuron: `n` membrane updates.
    pub fn membrane(n: u64) -> Self {
        ExactOps { membrane_updates: n, ..Default::default() }
    }

    /// Every element of `xs` meets `fan_out` weights (linear layers, transposed convolutions):
    /// `nnz(xs) × fan_out` events for spikes, `numel(xs) × fan_out` pairs otherwise.
    pub fn nonzero(xs: &Tensor, fan_out: u64) -> Result<Self> {
        Ok(ExactOps {
            events: Some(count_nonzero(xs)?),
            fan_out,
            pairs: numel(xs.dims()) * fan_out,
            ..Default::default()
        })
    }

    /// A window-based layer over the last `weights.len()` dims of `xs` (convolution, pooling):
    /// `weights[d]` is [`window_weights`] of spatial dim `d`; every pair reaches `fan_out` outputs.
    pub fn windows(xs: &Tensor, weights: &[Vec<u64>], fan_out: u64) -> Result<Self> {
        let d = weights.len();
        let dims = xs.dims();
        if dims.len() < d || dims[dims.len() - d..].iter().zip(weights).any(|(&l, w)| l != w.len()) {
            return Err(candle::Error::Msg(format!(
                "exact count: input shape {dims:?} does not match window weights of lengths {:?}",
                weights.iter().map(Vec::len).collect::<Vec<_>>()
            ))
            .into());
        }
        let lead = numel(&dims[..dims.len() - d]);
        let in_bounds: u64 = weights.iter().map(|w| w.iter().sum::<u64>()).product();
        // Σ over the leading dims of the indicator, then weighted by each dim's vector.
        let mut map = xs.ne(0.0)?.to_dtype(DType::F64)?;
        map = map.reshape([&[lead as usize][..], &dims[dims.len() - d..]].concat())?.sum(0)?;
        for (i, w) in weights.iter().enumerate() {
            let mut shape = vec![1; d];
            shape[i] = w.len();
            let w: Vec<f64> = w.iter().map(|&v| v as f64).collect();
            map = map.broadcast_mul(&Tensor::new(w.as_slice(), xs.device())?.reshape(shape)?)?;
        }
        Ok(ExactOps { events: Some(map.sum_all()?), fan_out, pairs: lead * in_bounds * fan_out, ..Default::default() })
    }

    /// Adds `n` bias operations.
    pub fn with_bias(mut self, n: u64) -> Self {
        self.bias += n;
        self
    }

    /// Adds `n` operations that are MACs whatever the input.
    pub fn with_macs(mut self, n: u64) -> Self {
        self.macs += n;
        self
    }
}

/// The nonzero elements of `xs`, as a 0-d F64 tensor on its device.
pub fn count_nonzero(xs: &Tensor) -> Result<Tensor> {
    Ok(xs.ne(0.0)?.to_dtype(DType::F64)?.sum_all()?)
}

/// For one spatial dim of a window-based layer: how many (output position, kernel offset) pairs
/// land on each of the `len` input positions, for `out` outputs, window `kernel`, `stride`,
/// zero `padding` and `dilation` (padding positions are left out).
pub fn window_weights(
    len: usize,
    out: usize,
    kernel: usize,
    stride: usize,
    padding: usize,
    dilation: usize,
) -> Vec<u64> {
    let mut w = vec![0u64; len];
    for o in 0..out {
        for k in 0..kernel {
            let i = (o * stride + k * dilation) as isize - padding as isize;
            if (0..len as isize).contains(&i) {
                w[i as usize] += 1;
            }
        }
    }
    w
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    #[test]
    fn window_weights_by_hand() {
        // Length 3, kernel 2, stride 2, no padding: one output sees inputs 0 and 1.
        assert_eq!(window_weights(3, 1, 2, 2, 0, 1), [1, 1, 0]);
        // Length 5, kernel 2, dilation 2, stride 1: outputs 0..3 see {0,2}, {1,3}, {2,4}.
        assert_eq!(window_weights(5, 3, 2, 1, 0, 2), [1, 1, 2, 1, 1]);
    }

    #[test]
    fn windows_reject_mismatched_shapes() {
        let xs = Tensor::zeros((1, 1, 3), DType::F32, &Device::Cpu).unwrap();
        let err = ExactOps::windows(&xs, &[vec![1, 1]], 1).unwrap_err().to_string();
        assert!(err.contains("[1, 1, 3]"), "{err}");
    }
}
