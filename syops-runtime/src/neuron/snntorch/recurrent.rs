//! The recurrent connection of snnTorch's `RLeaky` and `RSynaptic`: the previous step's spikes fed
//! back through `recurrent`, a layer of its own (`<neuron>.recurrent` in the state dict and the
//! report).
//!
//! - `all_to_all=True, linear_features=F`: `nn.Linear(F, F)`, counted as a Linear.
//! - `all_to_all=True, conv2d_channels=C, kernel_size=K`: `nn.Conv2d(C, C, K, padding=K // 2)`,
//!   counted as a Conv2d (an odd `K` keeps the shape; snnTorch fails on an even one, syops refuses it).
//! - `all_to_all=False, V=v`: `spk * V` (`RecurrentOneToOne`), `V` 0-d or per neuron, stored as
//!   the neuron's `V` (and as `recurrent.V` too when learnable): counted as a synaptic layer of one
//!   weight per input element (syops 0.0.5: `numel(input)`, ACs at the input's rate; exact: one AC
//!   per nonzero spike).
//!
//! Its parameters count only with `learn_recurrent` (snnTorch's default; without it they are
//! frozen, `requires_grad=False`, and syops counts trainable tensors); frozen, they are still
//! PyTorch parameters, which NeuroBench's `ParameterCount` and `Footprint` count
//! ([`Layer::frozen_params`]). A fixed `V` is a buffer of the neuron. In a float64 model snnTorch
//! 1.0 feeds the Linear or Conv2d its float32 spikes and fails; syops gives it the spikes in the
//! model's dtype.
use candle::{DType, Module, Result, Tensor};
use candle_nn::VarBuilder;

use super::coef::Coef;
use crate::count::scope::Scope;
use crate::model::detect::{HasTensor, LayerRef, Outcome};
use crate::model::{numel, Call, ExactOps, Layer, Ops, Role, Segment};
use crate::nn::{Conv, ConvConfig, Linear};

/// The recurrent connection's kind and size (snnTorch's `all_to_all`, `linear_features`,
/// `conv2d_channels`, `kernel_size`, `V`).
#[derive(Debug, Clone, PartialEq)]
pub enum RecurrentConfig {
    /// `linear_features=features`: a `Linear(features, features)`.
    Linear {
        /// Input and output features.
        features: usize,
    },
    /// `conv2d_channels=channels, kernel_size=kernel_size` (odd sizes).
    Conv2d {
        /// Input and output channels.
        channels: usize,
        /// Kernel height and width.
        kernel_size: [usize; 2],
    },
    /// `all_to_all=False, V=v`: one weight per neuron (a 0-d `V`, or the state dict's shape).
    OneToOne {
        /// `V` (1.0 in snnTorch).
        v: f64,
    },
}

#[derive(Debug, Clone)]
enum Kind {
    Linear(Linear),
    Conv2d(Conv),
    OneToOne(Coef),
}

/// A recurrent neuron's `recurrent` layer.
#[derive(Debug, Clone)]
pub struct Recurrent {
    kind: Kind,
    learnable: bool,
}

impl Recurrent {
    /// A one-to-one connection from its configured `V`; all-to-all ones need their weights
    /// ([`Recurrent::load`]).
    pub(super) fn new(cfg: &RecurrentConfig, learnable: bool) -> Result<Self> {
        match cfg {
            RecurrentConfig::OneToOne { v } => {
                Ok(Recurrent { kind: Kind::OneToOne(Coef::scalar("V", *v, learnable)?), learnable })
            }
            _ => candle::bail!("a recurrent neuron with an all-to-all connection needs its weights from a state dict (`RLeaky::load`, `RSynaptic::load`)"),
        }
    }

    /// From the neuron's state dict `vb`: `recurrent.weight` and `recurrent.bias`, or `V`
    /// (and `recurrent.V`, the same tensor, when learnable).
    pub(super) fn load(cfg: &RecurrentConfig, learnable: bool, vb: &VarBuilder) -> Result<Self> {
        let kind = match *cfg {
            RecurrentConfig::Linear { features } => {
                Kind::Linear(Linear::new(features, features, true, vb.pp("recurrent"))?)
            }
            RecurrentConfig::Conv2d { channels, kernel_size: [kh, kw] } => {
                if kh % 2 == 0 || kw % 2 == 0 {
                    candle::bail!("recurrent Conv2d: kernel_size [{kh}, {kw}] must be odd (padding k // 2 keeps the shape only then)");
                }
                let cfg = ConvConfig { padding: vec![kh / 2, kw / 2], ..ConvConfig::default() };
                Kind::Conv2d(Conv::new(2, false, channels, channels, &[kh, kw], cfg, vb.pp("recurrent"))?)
            }
            RecurrentConfig::OneToOne { .. } => {
                let v = Coef::load(vb, "V", learnable)?;
                if learnable {
                    let again = Coef::load(&vb.pp("recurrent"), "V", false)?;
                    let differ = again.value().dims() != v.value().dims()
                        || again.value().ne(v.value())?.flatten_all()?.max(0)?.to_scalar::<u8>()? != 0;
                    if differ {
                        candle::bail!("snnTorch neuron `{}`: `V` and `recurrent.V` differ", vb.prefix());
                    }
                }
                Kind::OneToOne(v)
            }
        };
        Ok(Recurrent { kind, learnable })
    }

    /// The layer applied to spikes of snnTorch's dtype `spike_dtype`, booked under `recurrent`
    /// below the neuron when a session counts.
    pub(super) fn forward_counted(&self, spk: &Tensor, spike_dtype: DType) -> Result<Tensor> {
        let mut scope = Scope::enter(LayerRef::of_dyn(self), &[Segment::Field("recurrent")]);
        scope.input(Outcome::Tensor(spk));
        let out = self.forward_spikes(spk, spike_dtype);
        scope.finish(out.outcome());
        out
    }

    fn forward_spikes(&self, spk: &Tensor, spike_dtype: DType) -> Result<Tensor> {
        match &self.kind {
            Kind::Linear(linear) => linear.forward(spk),
            Kind::Conv2d(conv) => conv.forward(spk),
            Kind::OneToOne(v) => spk.broadcast_mul(&v.times(spike_dtype, spk)?),
        }
    }
}

impl Module for Recurrent {
    /// The layer on `xs`, taken as snnTorch's float32 spikes.
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.forward_spikes(xs, DType::F32)
    }
}

impl Layer for Recurrent {
    fn type_name(&self) -> &'static str {
        match self.kind {
            Kind::Linear(_) => "Linear",
            Kind::Conv2d(_) => "Conv2d",
            Kind::OneToOne(_) => "RecurrentOneToOne",
        }
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if !self.learnable {
            return;
        }
        match &self.kind {
            Kind::Linear(linear) => linear.params(visit),
            Kind::Conv2d(conv) => conv.params(visit),
            Kind::OneToOne(v) => v.visit(visit),
        }
    }
    /// The Linear's or Conv2d's weights without `learn_recurrent` (snnTorch sets their
    /// `requires_grad` to false; they stay parameters).
    fn frozen_params(&self, visit: &mut dyn FnMut(&Tensor)) {
        if self.learnable {
            return;
        }
        match &self.kind {
            Kind::Linear(linear) => linear.params(visit),
            Kind::Conv2d(conv) => conv.params(visit),
            Kind::OneToOne(_) => {}
        }
    }
    /// A fixed `V` (snnTorch's buffer on the neuron).
    fn buffers(&self, visit: &mut dyn FnMut(&Tensor)) {
        if let Kind::OneToOne(v) = &self.kind {
            v.visit_buffer(visit)
        }
    }
    /// NeuroBench's connection layers include a recurrent `nn.Linear`/`nn.Conv2d` (not the
    /// one-to-one `RecurrentOneToOne`).
    fn connection_weights(&self, visit: &mut dyn FnMut(&Tensor)) {
        match &self.kind {
            Kind::Linear(linear) => linear.connection_weights(visit),
            Kind::Conv2d(conv) => conv.connection_weights(visit),
            Kind::OneToOne(_) => {}
        }
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        match &self.kind {
            Kind::Linear(linear) => linear.ops(call),
            Kind::Conv2d(conv) => conv.ops(call),
            Kind::OneToOne(_) => {
                let input = call.input()?;
                Ops::synaptic(numel(input.dims())).exact_with(call, || ExactOps::nonzero(input, 1))
            }
        }
    }
}
