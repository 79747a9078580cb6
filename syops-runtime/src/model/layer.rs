//! The model tree: every layer a session can see implements [`Layer`].
//!
//! `#[syops::count]` implements it for annotated structs (containers); the runtime implements it
//! for candle-nn's layers, for its own layers and neurons, and for `Vec`, `Option`, `Box`, arrays
//! and references of layers. A user's own leaf type implements it by hand to give it a rule.
//!
//! ```
//! use syops_runtime::model::{Call, Layer, Ops, Role};
//! use candle::Tensor;
//!
//! /// A leaf layer of the user's own, counted like an activation.
//! struct Square;
//! impl Layer for Square {
//!     fn type_name(&self) -> &'static str { "Square" }
//!     fn role(&self) -> Role { Role::Counted }
//!     fn ops(&self, call: &Call<'_>) -> syops_runtime::Result<Ops> {
//!         Ok(Ops::elementwise_output(call.output()?.elem_count() as u64))
//!     }
//! }
//! ```
use std::fmt;

use candle::Tensor;

use super::call::{Call, Ops};
use crate::Result;

/// One step of a layer path: a field name or an element index (`layer1.0.conv1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Segment {
    /// A named field, as PyTorch names a registered submodule.
    Field(&'static str),
    /// An element of a `Vec`, array or `Sequential`.
    Index(usize),
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Segment::Field(name) => f.write_str(name),
            Segment::Index(i) => write!(f, "{i}"),
        }
    }
}

/// What a layer is to the counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Holds other layers; counts nothing itself (an annotated struct, a `Vec` of layers).
    Container,
    /// A leaf with a counting rule ([`Layer::ops`]).
    Counted,
    /// A leaf the tool cannot count: its calls are reported, never silently zero.
    Uncounted,
}

/// A node of the model tree.
pub trait Layer {
    /// The name shown in the report, PyTorch's class name where there is one (`Conv2d`).
    fn type_name(&self) -> &'static str;

    /// What the counter does with this layer.
    fn role(&self) -> Role {
        Role::Container
    }

    /// Visits the direct children, in registration (model) order.
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        let _ = visit;
    }

    /// Visits this layer's own trainable parameters (not its children's).
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        let _ = visit;
    }

    /// Visits this layer's own buffers (PyTorch's `register_buffer`: running statistics, a
    /// neuron's fixed constants): NeuroBench's `Footprint` counts their bytes.
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        let _ = visit;
    }

    /// Visits this layer's own frozen parameters (PyTorch parameters with `requires_grad=False`,
    /// such as snnTorch's recurrent weights without `learn_recurrent`): not in syops' parameter
    /// count (syops 0.0.5 counts trainable ones), but in NeuroBench's `ParameterCount` and
    /// `Footprint` (every `model.parameters()`).
    fn frozen_params(&self, visit: &mut dyn FnMut(&Tensor)) {
        let _ = visit;
    }

    /// Visits the weights NeuroBench's `ConnectionSparsity` reads, for a connection layer: a
    /// Linear's or convolution's weight, a recurrent cell's or layer's weights and biases.
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        let _ = visit;
    }

    /// The dense operation count of one call and how it splits into ACs and MACs.
    /// Called only for [`Role::Counted`] layers.
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        Err(crate::Error::NoRule { path: call.path().to_string(), layer: self.type_name().to_string() })
    }

    /// Clears stateful layers (neuron membranes) in this layer and every descendant.
    fn reset_state(&self) {
        self.children(&mut |_, child| child.reset_state());
    }

    /// Asks every neuron in this layer and its descendants to record, or stop recording, how its
    /// membrane changes at each step (NeuroBench's MembraneUpdates; a session turns it on for the
    /// conventions that read it, and off when it ends).
    fn watch_membrane(&self, on: bool) {
        self.children(&mut |_, child| child.watch_membrane(on));
    }

    /// Whether one call covers every time step: dim 0 of the input and output is time
    /// (`[T, N, ...]`, multi-step neurons). Time-resolved statistics read it.
    fn multi_step(&self) -> bool {
        false
    }

    /// How many ones this layer's last call wrote into `output`, when it counted them as it wrote
    /// a tensor of 0s and 1s (syops' neurons do): a layer that takes `output` as input then needs
    /// no scan for its spike test. `None` (the default) when `output` is not that call's output.
    fn fired(&self, output: &Tensor) -> Option<u64> {
        let _ = output;
        None
    }
}

/// Resets every neuron of a model (spikingjelly's `functional.reset_net`).
pub fn reset(model: &dyn Layer) {
    model.reset_state()
}

impl<T: Layer + ?Sized> Layer for &T {
    fn type_name(&self) -> &'static str {
        (**self).type_name()
    }
    fn role(&self) -> Role {
        (**self).role()
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        (**self).children(visit)
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).params(visit)
    }
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).buffers(visit)
    }
    fn frozen_params(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).frozen_params(visit)
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).connection_weights(visit)
    }
    fn watch_membrane(&self, on: bool) {
        (**self).watch_membrane(on)
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        (**self).ops(call)
    }
    fn reset_state(&self) {
        (**self).reset_state()
    }
    fn multi_step(&self) -> bool {
        (**self).multi_step()
    }
    fn fired(&self, output: &Tensor) -> Option<u64> {
        (**self).fired(output)
    }
}

impl<T: Layer + ?Sized> Layer for Box<T> {
    fn type_name(&self) -> &'static str {
        (**self).type_name()
    }
    fn role(&self) -> Role {
        (**self).role()
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        (**self).children(visit)
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).params(visit)
    }
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).buffers(visit)
    }
    fn frozen_params(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).frozen_params(visit)
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        (**self).connection_weights(visit)
    }
    fn watch_membrane(&self, on: bool) {
        (**self).watch_membrane(on)
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        (**self).ops(call)
    }
    fn reset_state(&self) {
        (**self).reset_state()
    }
    fn multi_step(&self) -> bool {
        (**self).multi_step()
    }
    fn fired(&self, output: &Tensor) -> Option<u64> {
        (**self).fired(output)
    }
}

/// `Vec<T>`, like `nn.ModuleList`/`nn.Sequential`: children `0`, `1`, ...
impl<T: Layer> Layer for Vec<T> {
    fn type_name(&self) -> &'static str {
        "Sequential"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        self.as_slice().children(visit)
    }
}

impl<T: Layer> Layer for [T] {
    fn type_name(&self) -> &'static str {
        "Sequential"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        for (i, layer) in self.iter().enumerate() {
            visit(Segment::Index(i), layer);
        }
    }
}

impl<T: Layer, const N: usize> Layer for [T; N] {
    fn type_name(&self) -> &'static str {
        "Sequential"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        self.as_slice().children(visit)
    }
}

/// `Option<T>` is transparent: `Some(layer)` takes the field's own path (`downsample`), as an
/// optional submodule does in PyTorch.
impl<T: Layer> Layer for Option<T> {
    fn type_name(&self) -> &'static str {
        match self {
            Some(layer) => layer.type_name(),
            None => "None",
        }
    }
    fn role(&self) -> Role {
        match self {
            Some(layer) => layer.role(),
            None => Role::Container,
        }
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        if let Some(layer) = self {
            layer.children(visit)
        }
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some(layer) = self {
            layer.params(visit)
        }
    }
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some(layer) = self {
            layer.buffers(visit)
        }
    }
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Some(layer) = self {
            layer.connection_weights(visit)
        }
    }
    fn watch_membrane(&self, on: bool) {
        if let Some(layer) = self {
            layer.watch_membrane(on)
        }
    }
    fn ops(&self, call: &Call<'_>) -> Result<Ops> {
        match self {
            Some(layer) => layer.ops(call),
            None => Ok(Ops::zero()),
        }
    }
    fn reset_state(&self) {
        if let Some(layer) = self {
            layer.reset_state()
        }
    }
    fn multi_step(&self) -> bool {
        self.as_ref().is_some_and(|layer| layer.multi_step())
    }
    fn fired(&self, output: &Tensor) -> Option<u64> {
        self.as_ref().and_then(|layer| layer.fired(output))
    }
}
