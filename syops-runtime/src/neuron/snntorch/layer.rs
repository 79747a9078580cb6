//! How an snnTorch neuron is counted and called: its [`Layer`](crate::model::Layer) and candle
//! `Module` impls, one macro for the six neurons.
//!
//! Counted like spikingjelly's neurons (`neuron_ops` in `neuron/node.rs`): under
//! syops 0.0.5's convention the input's element count goes to ACs and `output[0]`'s rate to the
//! rate column; under the exact convention, one membrane update per input element; under
//! NeuroBench's, an activation layer (its spikes' zero share) whose membrane (`mem`) changes are
//! MembraneUpdates: every neuron at a batch's first call, then the neurons whose `mem` the call
//! changed (watched by [`super::hidden::Hidden`]). Parameters: the learnable constants only;
//! buffers (NeuroBench's `Footprint`): the other constants, in the dtype they were built or loaded
//! in, and `reset_mechanism_val` (0-d int64, 8 bytes). The hidden states (`mem`, ...) are not
//! counted: snnTorch registers them as empty buffers until a forward call, and NeuroBench reads
//! its static metrics before the run. A recurrent neuron's
//! `recurrent` layer is a child of its own, counted as a synaptic layer
//! ([`Recurrent`](super::Recurrent)).

/// `impl Layer` and `impl Module` for a neuron with a `hidden` state, a `learnable(visit)` method,
/// a `forward_with_state` whose first output is the spikes, and optionally a `recurrent` child.
macro_rules! snntorch_layer {
    ($neuron:ty, $name:literal $(, $recurrent:ident)?) => {
        impl candle::Module for $neuron {
            fn forward(&self, xs: &candle::Tensor) -> candle::Result<candle::Tensor> {
                let spikes = self.forward_with_state(xs)?.0;
                self.hidden.bind(&spikes);
                Ok(spikes)
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
                self.coefs(&mut |c| c.visit(visit))
            }
            fn buffers(&self, visit: &mut dyn FnMut(&candle::Tensor)) {
                self.coefs(&mut |c| c.visit_buffer(visit));
                visit(self.spiking.reset_val())
            }
            fn ops(&self, call: &$crate::model::Call<'_>) -> $crate::Result<$crate::model::Ops> {
                $crate::neuron::node::neuron_ops(call, &self.hidden.watch)
            }
            fn watch_membrane(&self, on: bool) {
                self.hidden.watch.set(on)
            }
            fn reset_state(&self) {
                self.hidden.reset()
            }
        }
    };
}
pub(super) use snntorch_layer;
