//! spikingjelly's `layer.VotingLayer(voting_size)`: the class scores of the PLIF nets
//! (`parametric_lif_net.py`), an average pooling over groups of `voting_size` features of an
//! `[N, features]` input (`F.avg_pool1d(x.unsqueeze(1), v, v).squeeze(1)`; features beyond the last
//! whole group are dropped, as PyTorch's pooling drops them).
//!
//! syops 0.0.5 maps exact module types, and `VotingLayer` is not one of them: it counts nothing
//! for it, and neither does this layer under the default convention (a covered layer of zero
//! operations, as `Flatten`). Under the exact convention it is counted as the average pooling it
//! is: one event per nonzero input for spikes (each feature is in one window), one MAC per input
//! otherwise.
//!
//! ```
//! use candle::{Device, Module, Tensor};
//! use syops_runtime::nn::VotingLayer;
//!
//! # fn main() -> candle::Result<()> {
//! let xs = Tensor::new(&[[1f32, 0., 1., 1., 0., 0.]], &Device::Cpu)?;
//! let votes = VotingLayer::new(3).forward(&xs)?;
//! assert_eq!(votes.to_vec2::<f32>()?, [[2. / 3., 1. / 3.]]);
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};

use super::pool::AvgPool1d;
use crate::model::{window_weights, Call, ExactOps, Layer, Ops, Role};

/// Average pooling over groups of `voting_size` features.
#[derive(Debug, Clone, Copy)]
pub struct VotingLayer {
    voting_size: usize,
}

impl VotingLayer {
    /// Groups of `voting_size` features (spikingjelly's default is 10).
    pub fn new(voting_size: usize) -> Self {
        VotingLayer { voting_size }
    }

    /// The features per group.
    pub fn voting_size(&self) -> usize {
        self.voting_size
    }
}

impl Default for VotingLayer {
    fn default() -> Self {
        VotingLayer::new(10)
    }
}

impl Module for VotingLayer {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let v = self.voting_size;
        match xs.dims() {
            &[_, features] if v > 0 && features >= v => {}
            dims => {
                candle::bail!("VotingLayer({v}): expected [N, features] with at least {v} features, got shape {dims:?}")
            }
        }
        AvgPool1d::new(v, v, 0).forward(&xs.unsqueeze(1)?)?.squeeze(1)
    }
}

impl Layer for VotingLayer {
    fn type_name(&self) -> &'static str {
        "VotingLayer"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    /// Nothing, as syops; under the exact convention, the events of an average pooling.
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        Ops::zero().exact_with(call, || {
            let (xs, ys) = (call.input()?, call.output()?);
            let (len, out) = (xs.dims().last().copied().unwrap_or(0), ys.dims().last().copied().unwrap_or(0));
            let v = self.voting_size;
            ExactOps::windows(xs, &[window_weights(len, out, v, v, 0, 1)], 1)
        })
    }
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;
    use crate::convention::Convention;
    use crate::Session;

    #[test]
    fn drops_a_partial_group_and_rejects_other_shapes() {
        let xs = Tensor::arange(0f32, 7., &Device::Cpu).unwrap().reshape((1, 7)).unwrap();
        assert_eq!(VotingLayer::new(3).forward(&xs).unwrap().to_vec2::<f32>().unwrap(), [[1., 4.]]);
        let err = VotingLayer::new(3).forward(&xs.reshape((1, 1, 7)).unwrap()).unwrap_err().to_string();
        assert!(err.contains("VotingLayer(3)") && err.contains("[1, 1, 7]"), "{err}");
    }

    #[test]
    fn counts_nothing_as_syops_and_a_pooling_when_exact() {
        // 2 samples of 20 spikes, 7 of them ones: 2 groups of 10 per sample.
        let v: Vec<f32> = (0..40).map(|i| if i % 6 == 0 { 1. } else { 0. }).collect();
        let xs = Tensor::from_vec(v, (2, 20), &Device::Cpu).unwrap();
        let net = VotingLayer::default();
        let syops = Session::new().count(&net, &xs, |m, xs| m.forward(xs)).unwrap();
        let row = &syops.layers[0];
        assert_eq!((row.stats.sum_total, row.stats.sum_acs, row.stats.sum_macs), (0, 0.0, 0));
        assert!(syops.coverage.unwrap().is_complete());
        let exact = Session::new().convention(Convention::Exact).count(&net, &xs, |m, xs| m.forward(xs)).unwrap();
        let row = &exact.layers[0];
        assert_eq!((row.stats.sum_total, row.stats.sum_acs, row.stats.sum_macs), (0, 7.0, 0));
        // Analog input: every input is a MAC.
        let xs = (Tensor::arange(0f32, 40., &Device::Cpu).unwrap().reshape((2, 20)).unwrap() / 40.0).unwrap();
        let exact = Session::new().convention(Convention::Exact).count(&net, &xs, |m, xs| m.forward(xs)).unwrap();
        let row = &exact.layers[0];
        assert_eq!((row.stats.sum_acs, row.stats.sum_macs), (0.0, 40));
    }
}
