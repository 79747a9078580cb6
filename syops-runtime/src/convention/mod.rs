//! Counting conventions: how a layer call becomes ACs and MACs, and what a run reports per sample.
//! syops 0.0.5's, quirks included, is the default ([`Convention::Syops005`], `syops005.rs`); the
//! exact one counts the synaptic events that really happen ([`Convention::Exact`], `exact.rs`);
//! NeuroBench 2.3's metrics are [`Convention::NeuroBench`] (`neurobench.rs`, its accumulators in
//! `neurobench_stats.rs`, its run's metrics in `neurobench_metrics.rs`). They share the spike test
//! ([`spike`]) and the per-layer accumulators they book into ([`LayerStats`]); what a rule
//! reports for the exact one is [`crate::model::ExactOps`], for NeuroBench's
//! [`crate::model::NeuroBenchOps`]. A new convention is a variant of [`Convention`], one file
//! implementing `Counting`, and one line in `counting_of`.
mod counting;
mod exact;
mod kind;
mod neurobench;
mod neurobench_metrics;
mod neurobench_stats;
mod per_sample;
pub mod spike;
mod stats;
mod syops005;

pub(crate) use counting::{Booking, Counting};
pub use kind::{Convention, CONVENTION_ENV};
pub use neurobench_metrics::{round_decimals, static_metrics, NeuroBenchMetrics, StaticMetrics, SynapticOperations};
pub use neurobench_stats::{NeuroBenchRun, NeuroBenchStats};
pub use per_sample::{per_sample, PerSample};
pub use stats::{Carry, ExactStats, LayerStats, RunStats};
pub(crate) use syops005::book as book_syops005;

/// The implementation of `convention`.
pub(crate) fn counting_of(convention: Convention) -> &'static dyn Counting {
    match convention {
        Convention::Syops005 => &syops005::Syops005,
        Convention::Exact => &exact::Exact,
        Convention::NeuroBench => &neurobench::NeuroBench,
    }
}
