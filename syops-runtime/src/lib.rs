//! Runtime of [syops](https://docs.rs/syops): use it through the `syops` facade, which re-exports
//! its public modules. The folders follow the data flow (see ARCHITECTURE.md at the repository's
//! root): `model` (the layer tree and what a rule reports) → `rules`, `nn`, `neuron` (the layers
//! and their rules, on `kernel`'s CPU passes) → `convention` (how a call becomes ACs and MACs) →
//! `count` (a running session's state) → `report` (the one report, built at once) → `check`
//! (budgets, diffs) and `render` (text, CSV, Markdown, JSON, HTML). `session.rs` drives a run.
pub mod check;
pub mod convention;
pub mod count;
mod error;
mod kernel;
pub mod model;
pub mod neuron;
pub mod nn;
pub mod render;
pub mod report;
pub mod rules;
mod session;

#[doc(hidden)]
pub mod __private;

pub use error::{Error, Result};
pub use session::Session;
