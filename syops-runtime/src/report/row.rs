//! One layer of the report: its path, type, parameters, shapes, status and raw accumulators.
use serde::{Deserialize, Serialize};

use crate::convention::LayerStats;

/// Counted, ignored, or impossible to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Counted by its rule.
    Counted,
    /// Its type was ignored by the session's options.
    Ignored,
    /// No rule: its calls are listed, its operations are unknown.
    Uncounted,
}

/// One layer of the report, in model order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerRow {
    /// Path as PyTorch's `named_modules` names it (`layer1.0.conv1`; empty for the root).
    pub path: String,
    /// Layer type (`Conv2d`).
    #[serde(rename = "type")]
    pub type_name: String,
    /// Trainable parameter elements of this layer.
    pub params: u64,
    /// Frozen parameter elements of this layer (not in `params`, as syops 0.0.5 counts trainable
    /// ones; an snnTorch recurrent layer without `learn_recurrent`): weights it still reads, which
    /// the energy estimate with memory prices. Absent from the JSON when 0.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub frozen_params: u64,
    /// Input shape of the first call.
    pub input_shape: Option<Vec<usize>>,
    /// Output shape of the first call.
    pub output_shape: Option<Vec<usize>>,
    /// Whether it was counted.
    pub status: Status,
    /// Raw accumulators over the whole run.
    #[serde(flatten)]
    pub stats: LayerStats,
}

impl LayerRow {
    /// Mean input firing rate over its calls, in [0, 1] (1 for analog inputs), when it has calls.
    pub fn mean_rate(&self) -> Option<f64> {
        (self.stats.calls > 0 && self.stats.sum_rate_pct > 0.0)
            .then(|| self.stats.sum_rate_pct / 100.0 / self.stats.calls as f64)
    }
}

/// Whether a count is 0 (serde's `skip_serializing_if`).
fn is_zero(n: &u64) -> bool {
    *n == 0
}
