//! PyTorch's `nn.Sequential` (VGG's `features`, spikingjelly's `SeqToANNContainer`): children called
//! in order, each counted under its index (`features.0`, `features.1`, …) and loaded from those
//! state-dict names (`vb.pp("features").pp(i)`). Its forward opens a scope per child, as
//! `#[syops::count]` does for an annotated struct's fields, so a session counts every child.
//! [`Sequential::multi_step_mode`] runs it as spikingjelly's step mode 'm' does: on `[T, N, …]`,
//! the multi-step children (neurons) as they are, every other child time-folded.
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
    multi_step: bool,
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

    /// The same in spikingjelly's multi-step mode (`functional.set_step_mode(net, 'm')` on
    /// `activation_based` layers): its input is `[T, N, …]`; a child that is multi-step itself
    /// ([`Layer::multi_step`]: multi-step neurons, a `Sequential` in this mode) takes it as it is,
    /// every other child runs on the time-folded `[T·N, …]` tensor and its output is unfolded to
    /// `[T, N, …]` (spikingjelly's `seq_to_ann_forward`). Each call is counted on the tensor the
    /// child ran on, as syops' hooks see it.
    pub fn multi_step_mode(mut self) -> Self {
        self.multi_step = true;
        self
    }

    /// Child `i`'s forward on `xs`, in a scope of its own; time-folded around the call when
    /// `fold`.
    fn call(&self, i: usize, xs: &Tensor, fold: bool) -> Result<Tensor> {
        let layer = &self.layers[i];
        let (t, n) = match (fold, xs.dims()) {
            (false, _) => (0, 0),
            (true, &[t, n, ..]) => (t, n),
            (true, dims) => candle::bail!(
                "Sequential in multi-step mode: child {i} ({}) expects a [T, N, ...] input, got shape {dims:?}",
                layer.type_name()
            ),
        };
        let xs = if fold { xs.flatten(0, 1)? } else { xs.clone() };
        let mut scope = Scope::enter(LayerRef::of_dyn(layer.as_layer()), &[Segment::Index(i)]);
        scope.input(Outcome::Tensor(&xs));
        let out = layer.forward(&xs);
        scope.finish(out.outcome());
        let ys = out?;
        if !fold {
            return Ok(ys);
        }
        let mut shape = vec![t, n];
        shape.extend_from_slice(&ys.dims()[1..]);
        ys.reshape(shape)
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
            xs = self.call(i, &xs, self.multi_step && !layer.multi_step())?;
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
    fn multi_step(&self) -> bool {
        self.multi_step
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
    fn multi_step_mode_folds_time_around_all_but_multi_step_children() {
        let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
        let net = seq()
            .add(Linear::new(3, 2, true, vb.pp(0)).unwrap())
            .add(IfNode::multi_step())
            .add(crate::nn::Flatten::new(1))
            .multi_step_mode();
        assert!(net.multi_step());
        // [T = 4, N = 2, 3]: the linear layer sees [8, 3], the neuron [4, 2, 2], the flatten [8, 2].
        let xs = Tensor::ones((4, 2, 3), DType::F32, &Device::Cpu).unwrap();
        let report = Session::new().count(&net, &xs, |n, xs| n.forward(xs)).unwrap();
        let shapes = |p: &str| {
            let l = report.layer(p).unwrap();
            (l.input_shape.clone().unwrap(), l.output_shape.clone().unwrap())
        };
        assert_eq!(shapes("0"), (vec![8, 3], vec![8, 2]));
        assert_eq!(shapes("1"), (vec![4, 2, 2], vec![4, 2, 2]));
        assert_eq!(shapes("2"), (vec![8, 2], vec![8, 2]));
        assert_eq!(net.forward(&xs).unwrap().dims(), [4, 2, 2]);
        let err =
            Session::new().count(&net, &Tensor::ones(3, DType::F32, &Device::Cpu).unwrap(), |n, xs| n.forward(xs));
        let err = err.unwrap_err().to_string();
        assert!(
            err.contains("multi-step mode: child 0 (Linear) expects a [T, N, ...] input") && err.contains("[3]"),
            "{err}"
        );
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
