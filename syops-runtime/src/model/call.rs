//! What one call of a layer costs, in syops' terms: a dense count, the tensor whose spike test
//! decides ACs versus MACs, and how the count is split; and, computed only under the convention
//! that reads them, the exact convention's [`ExactOps`] and NeuroBench's [`NeuroBenchOps`].
use candle::Tensor;

use super::exact_ops::ExactOps;
use super::neurobench_ops::NeuroBenchOps;
use crate::convention::Convention;

/// Which tensor's spike test gives the rate of a call (syops 0.0.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// The whole input (convolutions, linear, pooling, normalisation).
    Input,
    /// `output[0]`, the first slice along dim 0 (activations, upsampling, neurons); the whole
    /// output under the exact convention.
    OutputFirst,
    /// No spike test (recurrent layers, attention, zero-op layers); under the exact convention, the
    /// whole input when the call has something to split.
    None,
}

/// How the dense count of a call is booked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Split {
    /// Spike input: `dense × rate` ACs; otherwise `dense` MACs and a rate of 1.
    AcOrMac,
    /// Always `dense` ACs; the rate only feeds the firing-rate column (neurons).
    Ac,
    /// The dense count goes to the total only (recurrent layers, attention, as in syops).
    TotalOnly,
}

/// The cost of one layer call, as a rule reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct Ops {
    /// Dense operation count of the call.
    pub dense: u64,
    /// Which tensor's spike test decides the split.
    pub probe: Probe,
    /// How the dense count is booked.
    pub split: Split,
    /// The event-exact cost, under [`Convention::Exact`] (ignored otherwise). A rule that leaves
    /// it out under the exact convention has its dense count booked by the whole-tensor test, with
    /// a warning.
    pub exact: Option<ExactOps>,
    /// What NeuroBench's metrics read of the call, under [`Convention::NeuroBench`] (ignored
    /// otherwise). A rule that leaves it out counts nothing there (NeuroBench counts only
    /// connection and activation layers).
    pub neurobench: Option<NeuroBenchOps>,
}

impl Ops {
    /// A layer that costs nothing by design (Flatten, identity).
    pub fn zero() -> Self {
        Ops { dense: 0, probe: Probe::None, split: Split::TotalOnly, exact: None, neurobench: None }
    }

    /// A synaptic layer tested on its whole input: convolution, linear, pooling, normalisation.
    pub fn synaptic(dense: u64) -> Self {
        Ops { dense, probe: Probe::Input, split: Split::AcOrMac, exact: None, neurobench: None }
    }

    /// An element-wise layer tested on `output[0]`: activations, upsampling.
    pub fn elementwise_output(dense: u64) -> Self {
        Ops { dense, probe: Probe::OutputFirst, split: Split::AcOrMac, exact: None, neurobench: None }
    }

    /// A spiking neuron: `dense` ACs always, rate of `output[0]`.
    pub fn neuron(dense: u64) -> Self {
        Ops { dense, probe: Probe::OutputFirst, split: Split::Ac, exact: None, neurobench: None }
    }

    /// Counted in the total only (recurrent layers, attention).
    pub fn total_only(dense: u64) -> Self {
        Ops { dense, probe: Probe::None, split: Split::TotalOnly, exact: None, neurobench: None }
    }

    /// Under the exact convention, attaches the exact cost `exact` computes; otherwise returns
    /// `self` unchanged (and `exact` is not run).
    pub fn exact_with(
        mut self,
        call: &Call<'_>,
        exact: impl FnOnce() -> crate::Result<ExactOps>,
    ) -> crate::Result<Self> {
        if call.convention().wants_exact_ops() {
            self.exact = Some(exact()?);
        }
        Ok(self)
    }

    /// Under NeuroBench's convention, attaches what `neurobench` computes; otherwise returns `self`
    /// unchanged (and `neurobench` is not run).
    pub fn neurobench_with(
        mut self,
        call: &Call<'_>,
        neurobench: impl FnOnce() -> crate::Result<NeuroBenchOps>,
    ) -> crate::Result<Self> {
        if call.convention().wants_neurobench_ops() {
            self.neurobench = Some(neurobench()?);
        }
        Ok(self)
    }

    /// The same cost tested on another tensor (under the exact convention, [`Probe::OutputFirst`]
    /// tests the whole output).
    pub fn probe(mut self, probe: Probe) -> Self {
        self.probe = probe;
        self
    }
}

/// One forward call of a counted layer, as a rule sees it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    path: &'a str,
    input: Option<&'a Tensor>,
    output: Option<&'a Tensor>,
    convention: Convention,
}

impl<'a> Call<'a> {
    /// A call at `path` with its first input and its (first) output tensor.
    pub fn new(path: &'a str, input: Option<&'a Tensor>, output: Option<&'a Tensor>) -> Self {
        Call { path, input, output, convention: Convention::Syops005 }
    }

    /// The same call counted under `convention`.
    pub fn with_convention(mut self, convention: Convention) -> Self {
        self.convention = convention;
        self
    }

    /// The session's counting convention, for rules that count differently under each.
    pub fn convention(&self) -> Convention {
        self.convention
    }

    /// The layer's path (`layer1.0.conv1`; empty for the root).
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The first positional input, or an error naming the layer.
    pub fn input(&self) -> crate::Result<&'a Tensor> {
        self.input.ok_or_else(|| crate::Error::MissingTensor { path: self.path.to_string(), which: "input" })
    }

    /// The output, or an error naming the layer.
    pub fn output(&self) -> crate::Result<&'a Tensor> {
        self.output.ok_or_else(|| crate::Error::MissingTensor { path: self.path.to_string(), which: "output" })
    }
}
