//! How an snnTorch neuron is counted and called: its [`Layer`](crate::model::Layer) and candle
//! `Module` impls, one macro for the six neurons.
//!
//! Counted like spikingjelly's neurons (`neuron_ops` in `neuron/node.rs`): under
//! syops 0.0.5's convention the input's element count goes to ACs and `output[0]`'s rate to the
//! rate column; under the exact convention, one membrane update per input element. Parameters: the
//! learnable constants only (snnTorch's buffers are not trainable). A recurrent neuron's
//! `recurrent` layer is a child of its own, counted as a synaptic layer
//! ([`Recurrent`](super::Recurrent)).

/// `impl Layer` and `impl Module` for a neuron with a `hidden` state, a `learnable(visit)` method,
/// a `forward_with_state` whose first output is the spikes, and optionally a `recurrent` child.
macro_rules! snntorch_layer {
    ($neuron:ty, $name:literal $(, $recurrent:ident)?) => {
        impl candle::Module for $neuron {
            fn forward(&self, xs: &candle::Tensor) -> candle::Result<candle::Tensor> {
                Ok(self.forward_with_state(xs)?.0)
            }
        }

        impl $crate::model::Layer for $neuron {
            fn type_name(&self) -> &'static str {
                $name
            }
            fn role(&self) -> $crate::model::Role {
                $crate::model::Role::Counted
            }
            $(
            fn children(&self, visit: &mut dyn FnMut($crate::model::Segment, &dyn $crate::model::Layer)) {
                visit($crate::model::Segment::Field(stringify!($recurrent)), &self.$recurrent)
            }
            )?
            fn params(&self, visit: &mut dyn FnMut(&candle::Tensor)) {
                self.learnable(visit)
            }
            fn ops(&self, call: &$crate::model::Call<'_>) -> $crate::Result<$crate::model::Ops> {
                $crate::neuron::node::neuron_ops(call, None)
            }
            fn reset_state(&self) {
                self.hidden.reset()
            }
        }
    };
}
pub(super) use snntorch_layer;
