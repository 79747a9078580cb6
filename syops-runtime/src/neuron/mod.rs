//! Spiking neurons: snnTorch's (1.0: `Leaky`, `Synaptic`, `Alpha`, `Lapicque`, `RLeaky`,
//! `RSynaptic`; see `snntorch/`) and spikingjelly's with its `clock_driven` semantics
//! (v0.0.0.0.14): IF, LIF and parametric LIF, single-step (membrane kept across calls until [`Layer::reset_state`](crate::model::Layer::reset_state))
//! or multi-step (a `[T, N, ...]` input run over dim 0).
//!
//! Defaults as spikingjelly's: `v_threshold = 1.0`, hard reset to `v_reset = 0.0`,
//! `decay_input = true`. Each step charges, fires `spike = (v - v_threshold >= 0)` and resets
//! `v = (1 - spike) * v + spike * v_reset` (hard) or `v = v - spike * v_threshold` (soft).
//!
//! ```
//! use candle::{Device, Module, Tensor};
//! use syops_runtime::neuron::IfNode;
//!
//! # fn main() -> candle::Result<()> {
//! let sn = IfNode::new();
//! let xs = Tensor::new(&[0.6f32, 1.2], &Device::Cpu)?;
//! assert_eq!(sn.forward(&xs)?.to_vec1::<f32>()?, [0., 1.]);
//! assert_eq!(sn.forward(&xs)?.to_vec1::<f32>()?, [1., 1.]); // 0.6 + 0.6 crosses the threshold
//! syops_runtime::model::reset(&sn);
//! assert_eq!(sn.forward(&xs)?.to_vec1::<f32>()?, [0., 1.]);
//! # Ok(()) }
//! ```
mod fused;
mod if_node;
mod lif;
mod node;
mod plif;
mod snntorch;
mod watch;

pub use if_node::IfNode;
pub use lif::LifNode;
pub use node::NeuronConfig;
pub use plif::PlifNode;
pub use snntorch::{
    Alpha, AlphaConfig, Lapicque, LapicqueConfig, Leaky, LeakyConfig, RLeaky, RLeakyConfig, RSynaptic, RSynapticConfig,
    Recurrent, RecurrentConfig, ResetMechanism, SpikingConfig, Synaptic, SynapticConfig,
};
