//! snnTorch's neurons (snntorch 1.0.0): `Leaky`, `Synaptic`, `Alpha`, `Lapicque`, `RLeaky` and
//! `RSynaptic`, step for step as snnTorch computes them (checked against its traces in float64 and
//! float32, `tests/snntorch_neurons.rs`).
//!
//! Each runs one time step per call, as with `init_hidden=True`: the state (`mem`, `syn`, ...) is
//! kept across calls until `syops::reset` (snnTorch's `reset_mem()`/`utils.reset`), and starts
//! from zeros of the input's shape (also when a batch of another shape comes). `forward` returns
//! the spikes (a candle `Module`, counted in `#[syops::count]` models); `forward_with_state`
//! returns the states too (snnTorch's `output=True`), and `mem()`, `syn()`, ... read them after a
//! call. Build one from a config (`Leaky::new(LeakyConfig::new(0.9).threshold(0.5))`: values are
//! float32 as snnTorch's `torch.as_tensor` makes them) or load it from snnTorch's state dict
//! (`Leaky::load(config, vb.pp("lif1"))`: values from the state dict, the rest from the config).
//!
//! Not ported: `inhibition`, `state_quant`, a custom `spike_grad` (the forward Heaviside is the
//! same for all of snnTorch's surrogates), passing states as arguments (`init_hidden=False`
//! style: the state is always kept in the neuron).
//!
//! ```
//! use candle::{Device, Module, Tensor};
//! use syops_runtime::neuron::{Leaky, LeakyConfig};
//!
//! # fn main() -> candle::Result<()> {
//! let lif = Leaky::new(LeakyConfig::new(0.5))?;
//! let xs = Tensor::new(&[0.5f32, 1.0, 1.5], &Device::Cpu)?;
//! assert_eq!(lif.forward(&xs)?.to_vec1::<f32>()?, [0., 0., 1.]); // `mem - threshold > 0`: 1.0 does not fire
//! let (spk, mem) = lif.forward_with_state(&xs)?; // 0.5 * mem + x, minus the reset of the last step's spike
//! assert_eq!(mem.to_vec1::<f32>()?, [0.75, 1.5, 1.25]);
//! assert_eq!(spk.to_vec1::<f32>()?, [0., 1., 1.]);
//! syops_runtime::model::reset(&lif);
//! assert!(lif.mem().is_none());
//! # Ok(()) }
//! ```
mod alpha;
mod coef;
mod hidden;
mod lapicque;
mod layer;
mod leaky;
mod recurrent;
mod rleaky;
mod rsynaptic;
mod spiking;
mod synaptic;

pub use alpha::{Alpha, AlphaConfig};
pub use lapicque::{Lapicque, LapicqueConfig};
pub use leaky::{Leaky, LeakyConfig};
pub use recurrent::{Recurrent, RecurrentConfig};
pub use rleaky::{RLeaky, RLeakyConfig};
pub use rsynaptic::{RSynaptic, RSynapticConfig};
pub use spiking::{ResetMechanism, SpikingConfig};
pub use synaptic::{Synaptic, SynapticConfig};
