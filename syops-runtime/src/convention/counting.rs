//! The seam between the counting state and a convention: what a convention decides about each
//! call (which tensor's spike test splits it, what is gathered with the test, how it is booked)
//! and about the run (its per-batch and per-sample totals, its metrics, its warnings about a
//! layer). One implementation per file: [`super::syops005`], [`super::exact`], [`super::neurobench`].
use candle::{Device, Tensor};

use super::neurobench_metrics::NeuroBenchMetrics;
use super::per_sample::PerSample;
use super::spike::SpikeTest;
use super::stats::{LayerStats, RunStats};
use crate::model::{Call, Layer, Ops};
use crate::Result;

/// One call, its spike test resolved, as a convention books it.
pub(crate) struct Booking<'a> {
    /// What its rule reported.
    pub ops: &'a Ops,
    /// Its spike test, when [`Counting::tested`] named a tensor.
    pub test: Option<SpikeTest>,
    /// The values of [`Counting::gathered`], read back (empty when there were none).
    pub gathered: &'a [f64],
    /// How many calls of the same layer the batch had before this one.
    pub batch_call: u64,
}

/// A convention, as the counting state and the report's assembly use it.
pub(crate) trait Counting: Sync {
    /// The tensor whose spike test decides how `call` is booked, or `None` for no test.
    /// `type_name` names the layer in errors.
    fn tested(&self, ops: &Ops, call: &Call<'_>, type_name: &str) -> Result<Option<Tensor>>;

    /// Values to read back with the call's spike statistics, in the same transfer; `device` is the
    /// tested tensor's (`None` when the call has no test).
    fn gathered(&self, ops: &Ops, device: Option<&Device>) -> Result<Option<Tensor>> {
        let _ = (ops, device);
        Ok(None)
    }

    /// Books one call once its spike test (if any) is resolved, into its layer's and the run's
    /// accumulators.
    fn book(&self, stats: &mut LayerStats, run: &mut RunStats, booking: Booking<'_>);

    /// Ends a batch of `samples` samples (after its calls are booked).
    fn end_batch(&self, run: &mut RunStats, samples: u64) {
        let _ = (run, samples);
    }

    /// The run's per-sample totals, from the sum of every layer's accumulators.
    fn per_sample(&self, sum: &LayerStats, batch_counter: u64) -> PerSample;

    /// A warning about how one layer was counted, if any.
    fn layer_warning(&self, path: &str, type_name: &str, stats: &LayerStats) -> Option<String> {
        let _ = (path, type_name, stats);
        None
    }

    /// Whether neurons must record their membrane changes ([`Layer::watch_membrane`]).
    fn watches_membrane(&self) -> bool {
        false
    }

    /// Whether a count from shapes alone ([`Session::count_static`](crate::Session::count_static)) means something here.
    fn counts_static(&self) -> bool {
        true
    }

    /// NeuroBench's metrics of the run, for the convention that reports them.
    fn metrics(
        &self,
        model: &dyn Layer,
        sum: &LayerStats,
        run: &RunStats,
        batch_counter: u64,
    ) -> Result<Option<NeuroBenchMetrics>> {
        let _ = (model, sum, run, batch_counter);
        Ok(None)
    }
}
