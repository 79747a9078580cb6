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
//! release mode, runs it, and prints every report its sessions wrote, through the same [`View`]
//! the library uses (`--format table|json|csv|markdown|html`, `--depth N`, `--units`, `--energy`).
//! `--budget budget.toml` checks limits (see [`Budget`]); `cargo syops diff A.json B.json` compares
//! two reports saved with `--format json`.
//!
//! ## Coverage and energy
//! Every report has a [`Coverage`] (the share of calls and dense ops that had a counting rule, the
//! uncovered calls by path; [`Session::strict`] makes any uncovered call an error) and an
//! [`EnergyDetail`]: compute-only and memory-inclusive energy side by side, the ANN baseline
//! ([`Session::time_steps`]) and the break-even firing rate, per layer and per model, each figure
//! labelled with its assumptions.
//! ## Time-resolved statistics and static counts
//! `Session::new().time_resolved(true)` adds firing rates and operations per time step and per
//! sample (mean, nearest-rank p5/p50/p95, max) and the dead and saturated neurons of each neuron
//! layer: the report's [`time`](Report::time) ([`TimeStats`]).
//! `Session::new().assumed_rates(Rates::new().default(0.15).analog("conv1")).count_static(&net, &[1, 3, 224, 224], dtype, &device, forward)`
//! counts from a shape alone (one forward pass on zeros, no spike test): dense counts and
//! parameters as usual, ACs from the assumed input rates ([`Rates`]).
pub use syops_macros::count;
pub use syops_runtime::{
    activation_ops, aggregate, assert_budget, conv_ops, linear_ops, neuron, nn, norm_ops, numel, reference, reset,
    spike, violations_table, Budget, Call, Change, Diff, Energy, EnergyModel, Error, Format, Layer, LayerDelta,
    LayerRow, LayerStats, Ops, PerSample, Probe, Quantity, Report, Result, Role, RuleFn, Segment, Session, Split,
    Status, Units, View, Violation, OLDEST_SCHEMA_VERSION, REPORT_FILE_ENV, SCHEMA_VERSION,
};
pub use syops_runtime::{
    break_even, describe_break_even, Coverage, CoverageEntry, EnergyDetail, EnergyRole, Labelled, LayerEnergy,
    MemoryLevel, MEMORY_LEVELS,
};
pub use syops_runtime::{conv_exact, count_nonzero, window_weights, ConvGeometry, Convention, ExactOps, ExactStats};
pub use syops_runtime::{time, AssumedRate, Dist, LayerTime, Rates, StepOps, TimeStats};

#[doc(hidden)]
pub use syops_runtime::__private;
