//! The seam between the counting state and a convention: what a convention decides about each
//! call (which tensor's spike test splits it, what is gathered with the test, how it is booked)
//! and about the run (its per-sample totals, its warnings about a layer). One implementation per
//! file: [`super::syops005`], [`super::exact`].
use candle::{Device, Tensor};

use super::per_sample::PerSample;
use super::spike::SpikeTest;
use super::stats::LayerStats;
use crate::model::{Call, Ops};
use crate::Result;

/// A convention, as the counting state and the report's assembly use it.
pub(crate) trait Counting: Sync {
    /// The tensor whose spike test decides how `call` is booked, or `None` for no test.
    /// `type_name` names the layer in errors.
    fn tested(&self, ops: &Ops, call: &Call<'_>, type_name: &str) -> Result<Option<Tensor>>;

    /// Values to gather from `device` with the call's spike statistics, in the same transfer.
    fn gathered(&self, ops: &Ops, device: &Device) -> Result<Option<Tensor>> {
        let _ = (ops, device);
        Ok(None)
    }

    /// Books one call once its spike test (if any) is resolved; `gathered` is the first value of
    /// [`Counting::gathered`], when there was one.
    fn book(&self, stats: &mut LayerStats, ops: &Ops, test: Option<SpikeTest>, gathered: Option<f64>);

    /// The run's per-sample totals, from the sum of every layer's accumulators.
    fn per_sample(&self, sum: &LayerStats, batch_counter: u64) -> PerSample;

    /// A warning about how one layer was counted, if any.
    fn layer_warning(&self, path: &str, type_name: &str, stats: &LayerStats) -> Option<String> {
        let _ = (path, type_name, stats);
        None
    }
}
