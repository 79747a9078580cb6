//! PyTorch's `nn.Sequential` (VGG's `features`, spikingjelly's `SeqToANNContainer`): children called
//! in order, each counted under its index (`features.0`, `features.1`, …) and loaded from those
//! state-dict names (`vb.pp("features").pp(i)`). Its forward opens a scope per child, as
//! `#[syops::count]` does for an annotated struct's fields, so a session counts every child.
//!
//! ```
//! use candle::{DType, Device, Module, Tensor};
//! use candle_nn::VarBuilder;
//! use syops_runtime::nn::{seq, Conv, ConvConfig};
//! use syops_runtime::rules::activation_ops;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
//! let cfg = ConvConfig { padding: vec![1], ..Default::default() };
//! let stem = seq()
//!     .add(Conv::new(2, false, 3, 8, &[3], cfg, vb.pp("stem").pp(0))?)
//!     .add(candle_nn::Activation::Relu);
//! let xs = Tensor::zeros((1, 3, 8, 8), DType::F32, &Device::Cpu)?;
//! let report = syops_runtime::Session::new().count(&stem, &xs, |m, xs| m.forward(xs))?;
//! assert_eq!(report.layers.iter().map(|l| l.path.as_str()).collect::<Vec<_>>(), ["0", "1"]);
//! assert_eq!(report.layer("0").unwrap().params, 8 * 3 * 9 + 8);
//! # let _ = activation_ops;
//! # Ok(()) }
//! ```
use candle::{Module, Result, Tensor};

use crate::count::scope::Scope;
use crate::model::detect::{HasTensor, LayerRef, Outcome};
use crate::model::{Layer, Segment};

/// What a [`Sequential`] holds: a [`Layer`] that is also a candle `Module`.
pub trait SequentialLayer: Layer + Module + Send + Sync {
    /// This child as a [`Layer`].
    fn as_layer(&self) -> &dyn Layer;
}

impl<T: Layer + Module + Send + Sync> SequentialLayer for T {
    fn as_layer(&self) -> &dyn Layer {
        self
    }
}

/// Layers called one after the other, counted under their indices.
#[derive(Default)]
pub struct Sequential {
    layers: Vec<Box<dyn SequentialLayer>>,
}

/// An empty [`Sequential`] (candle-nn's `seq()`).
pub fn seq() -> Sequential {
    Sequential::default()
}

impl Sequential {
    /// The same with `layer` appended.
    #[allow(clippy::should_implement_trait)]
    pub fn add<L: SequentialLayer + 'static>(mut self, layer: L) -> Self {
        self.push(layer);
        self
    }

    /// Appends `layer`.
    pub fn push<L: SequentialLayer + 'static>(&mut self, layer: L) {
        self.layers.push(Box::new(layer));
    }

    /// The number of children.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// Whether it has no child.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }

    /// The child at `index`.
    pub fn get(&self, index: usize) -> Option<&dyn SequentialLayer> {
        self.layers.get(index).map(|l| &**l)
    }

    /// The children in order. In a `#[syops::count]` forward, `for layer in self.f.iter()` (or
    /// `.iter().enumerate()`) counts each `layer.forward(..)` under its index, `f.0`, `f.1`, …, so a
    /// model can call its children its own way (spikingjelly's `sequential_forward` runs them on
    /// a time-folded tensor).
    pub fn iter(&self) -> impl Iterator<Item = &dyn SequentialLayer> {
        self.layers.iter().map(|l| &**l)
    }
}

impl std::fmt::Debug for Sequential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.layers.iter().map(|l| l.type_name())).finish()
    }
}

impl Module for Sequential {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut xs = xs.clone();
        for (i, layer) in self.layers.iter().enumerate() {
            let mut scope = Scope::enter(LayerRef::of_dyn(layer.as_layer()), &[Segment::Index(i)]);
            scope.input(Outcome::Tensor(&xs));
            let out = layer.forward(&xs);
            scope.finish(out.outcome());
            xs = out?;
        }
        Ok(xs)
    }
}

impl Layer for Sequential {
    fn type_name(&self) -> &'static str {
        "Sequential"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        for (i, layer) in self.layers.iter().enumerate() {
            visit(Segment::Index(i), layer.as_layer());
        }
    }
}

#[cfg(test)]
mod tests {
    use candle::{DType, Device};
    use candle_nn::VarBuilder;

    use super::*;
    use crate::neuron::IfNode;
    use crate::nn::Linear;
    use crate::Session;

    #[test]
    fn children_are_counted_under_their_indices_and_load_from_them() {
        let mut tensors = std::collections::HashMap::new();
        tensors.insert("features.0.weight".to_string(), Tensor::ones((2, 3), DType::F32, &Device::Cpu).unwrap());
        tensors.insert("features.0.bias".to_string(), Tensor::zeros(2, DType::F32, &Device::Cpu).unwrap());
        let vb = VarBuilder::from_tensors(tensors, DType::F32, &Device::Cpu);
        let net = seq().add(Linear::new(3, 2, true, vb.pp("features").pp(0)).unwrap()).add(IfNode::new());
        assert_eq!((net.len(), format!("{net:?}")), (2, "[\"Linear\", \"IFNode\"]".to_string()));
        let xs = Tensor::new(&[[1f32, 0., 1.]], &Device::Cpu).unwrap();
        let report = Session::new().count(&net, &xs, |n, xs| n.forward(xs)).unwrap();
        // Linear on spikes at rate 2/3: (3 · 2 + 2) · 2/3 ACs; the neuron books numel 2 ACs and
        // fires both (1 + 0 + 1 = 2 ≥ 1).
        let fc = report.layer("0").unwrap();
        assert_eq!((fc.type_name.as_str(), fc.params, fc.stats.calls), ("Linear", 8, 1));
        assert!((fc.stats.sum_acs - 8.0 * 2.0 / 3.0).abs() < 1e-6, "{}", fc.stats.sum_acs);
        let sn = report.layer("1").unwrap();
        assert_eq!((sn.stats.sum_acs, sn.mean_rate()), (2.0, Some(1.0)));
        assert!(report.coverage.unwrap().is_complete());
    }

    #[test]
    fn a_failing_child_is_named() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let net = seq().add(Linear::new(3, 2, true, vb).unwrap());
        let xs = Tensor::zeros((1, 4), DType::F32, &Device::Cpu).unwrap();
        let err = Session::new().count(&net, &xs, |n, xs| n.forward(xs)).unwrap_err().to_string();
        assert!(err.contains("layer `0` (Linear)") && err.contains("[1, 4]"), "{err}");
    }
}
