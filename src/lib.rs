//! # syops — synaptic operations of spiking neural networks in candle
//!
//! Counts ACs (accumulates driven by binary spikes), MACs (multiply-accumulates on analog values),
//! parameters, per-layer firing rates and an energy estimate, with the numbers of the Python
//! `syops` 0.0.5 counter by default.
//!
//! 1. Annotate the model's structs and their `impl Module` blocks with `#[syops::count]`.
//! 2. Run it in a [`Session`]; read the [`Report`].
//!
//! ```
//! use candle::{DType, Device, Module, Result, Tensor};
//! use candle_nn::{linear, Linear, VarBuilder};
//! use syops::neuron::IfNode;
//!
//! #[syops::count]
//! struct Net {
//!     fc1: Linear,
//!     sn1: IfNode,
//!     fc2: Linear,
//! }
//!
//! #[syops::count]
//! impl Module for Net {
//!     fn forward(&self, xs: &Tensor) -> Result<Tensor> {
//!         let xs = self.fc1.forward(xs)?;
//!         let xs = self.sn1.forward(&xs)?;
//!         self.fc2.forward(&xs)
//!     }
//! }
//!
//! # fn main() -> std::result::Result<(), Box<dyn std::error::Error>> {
//! let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
//! let net = Net { fc1: linear(8, 4, vb.pp("fc1"))?, sn1: IfNode::new(), fc2: linear(4, 2, vb.pp("fc2"))? };
//! let xs = Tensor::ones((3, 8), DType::F32, &Device::Cpu)?;
//! let report = syops::Session::new().count(&net, &xs, |net, xs| net.forward(xs))?;
//! assert_eq!(report.params, 8 * 4 + 4 + 4 * 2 + 2);
//! assert_eq!(report.layer("fc1").unwrap().stats.sum_acs, (3 * 8 * 4 + 4) as f64); // all-ones input: rate 1
//! println!("{report}");
//! # Ok(()) }
//! ```
//!
//! ## What `#[syops::count]` instruments
//! On a struct: its fields become child layers, named like PyTorch's `named_modules`
//! (`layer1.0.conv1`); fields whose type is not a [`Layer`] are skipped. Field attributes:
//! `#[syops(skip)]`, `#[syops(rename = "name")]`.
//!
//! On an `impl` block (or a `fn forward`/`forward_t` method), these call shapes are attributed to
//! the child they call:
//! - `self.f.forward(xs)`, `self.f.forward_t(xs, train)`, `self.f[i].forward(xs)`, `self.0.forward(xs)`;
//! - `xs.apply(&self.f)`, `xs.apply_t(&self.f, train)`;
//! - `for l in &self.f` / `self.f.iter()` / `self.f.iter().enumerate()`, then `l.forward(xs)` (as `f.0`, `f.1`, …);
//! - `if let Some(d) = &self.f` (or `self.f.as_ref()`), `let d = &self.f;`, then `d.forward(xs)`.
//!
//! Any other `.forward(..)` call is still run, and reported in the report's warnings as
//! unattributed. With no session running, instrumented code does one thread-local check per call.
//!
//! ## Budgets and `cargo syops`
//! [`assert_budget!`] checks per-sample limits in a test; its panic lists every quantity over
//! budget and the layers that contribute most:
//! `syops::assert_budget!(report, acs <= 0.12 G, macs <= 150 M, params <= 12 M);`
//!
//! `cargo install --path cargo-syops`, then `cargo syops --example NAME` builds the example in
//! release mode, runs it, and prints every report its sessions wrote, through the same [`View`](render::View)
//! the library uses (`--format table|json|csv|markdown|html`, `--depth N`, `--units`, `--energy`).
//! `--budget budget.toml` checks limits (see [`Budget`](budget::Budget)); `cargo syops diff A.json B.json` compares
//! two reports saved with `--format json`.
//!
//! ## Coverage and energy
//! Every report has a [`Coverage`](report::Coverage) (the share of calls and dense ops that had a counting rule, the
//! uncovered calls by path; [`Session::strict`] makes any uncovered call an error) and an
//! [`EnergyDetail`](energy::EnergyDetail): compute-only and memory-inclusive energy side by side, the ANN baseline
//! ([`Session::time_steps`]) and the break-even firing rate, per layer and per model, each figure
//! labelled with its assumptions.
//! ## Time-resolved statistics and static counts
//! `Session::new().time_resolved(true)` adds firing rates and operations per time step and per
//! sample (mean, nearest-rank p5/p50/p95, max) and the dead and saturated neurons of each neuron
//! layer: the report's [`time`](Report::time) ([`TimeStats`](time::TimeStats)).
//! `Session::new().assumed_rates(Rates::new().default(0.15).analog("conv1")).count_static(&net, &[1, 3, 224, 224], dtype, &device, forward)`
//! counts from a shape alone (one forward pass on zeros, no spike test): dense counts and
//! parameters as usual, ACs from the assumed input rates ([`Rates`](rates::Rates)).
//! ## The crate
//! The root holds what every count needs: the attribute [`count`], [`Session`], [`Report`],
//! [`Error`], [`Layer`] and [`reset`]; the rest is in modules, one per concern: [`nn`] and [`neuron`]
//! (layers and spiking neurons), [`model`] and [`rules`] (the layer tree and what a rule reports),
//! [`convention`], [`report`], [`energy`], [`time`], [`rates`], [`budget`], [`diff`], [`render`],
//! and [`zoo`] (ready-made models, the `zoo` feature, on by default).
pub use syops_macros::count;
pub use syops_runtime::model::{reset, Layer};
pub use syops_runtime::report::Report;
pub use syops_runtime::{assert_budget, Error, Result, Session};

pub use syops_runtime::{convention, model, neuron, nn, render};

/// Counting rules: what one call of a layer costs ([`Call`](rules::Call) in, [`Ops`](rules::Ops)
/// out), the built-in rules of candle-nn's layers, and the type of a session's own rules
/// ([`Session::rule`]).
pub mod rules {
    pub use syops_runtime::count::RuleFn;
    pub use syops_runtime::model::{numel, Call, ExactOps, Ops, Probe, Split};
    pub use syops_runtime::rules::*;
}

/// The report of a session and its parts: rows, raw accumulators, per-sample totals, coverage,
/// folding by depth, and the JSON schema.
pub mod report {
    pub use syops_runtime::convention::{Carry, ExactStats, LayerStats, PerSample};
    pub use syops_runtime::report::{
        aggregate, depth, Coverage, CoverageEntry, LayerRow, Report, Status, OLDEST_SCHEMA_VERSION, REPORT_FILE_ENV,
        SCHEMA_VERSION,
    };
}

/// Energy: syops' compute-only estimate ([`EnergyModel`](energy::EnergyModel)) and the detail beside
/// it: memory accesses, the ANN baseline and the break-even firing rate.
pub mod energy {
    pub use syops_runtime::report::{
        break_even, describe_break_even, Energy, EnergyDetail, EnergyModel, EnergyRole, Labelled, LayerEnergy,
        MemoryLevel, MEMORY_LEVELS,
    };
}

/// Time-resolved statistics ([`Session::time_resolved`]).
pub mod time {
    pub use syops_runtime::count::time::*;
}

/// Assumed firing rates of a static count ([`Session::count_static`]).
pub mod rates {
    pub use syops_runtime::count::{AssumedRate, Rates};
}

/// Per-sample budgets: [`assert_budget!`] and budget files (`cargo syops --budget`).
pub mod budget {
    pub use syops_runtime::check::{violations_table, Budget, Quantity, Violation};
}

/// The differences between two reports (`cargo syops diff`).
pub mod diff {
    pub use syops_runtime::check::{Change, Diff, LayerDelta};
}

#[cfg(feature = "zoo")]
pub use syops_zoo as zoo;

#[doc(hidden)]
pub use syops_runtime::__private;
