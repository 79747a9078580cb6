//! How many time steps the SNN runs per sample, for the ANN baseline (which runs once while the SNN
//! runs `T` times): set by [`Session::time_steps`](crate::Session::time_steps), else inferred from
//! the run: the most steps any neuron layer took per root forward, that is its calls per forward
//! (a single-step neuron in a time loop) times the steps of each call (dim 0 of a multi-step
//! neuron's `[T, N, …]` input). A model without neuron layers runs once: `T` = 1.
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::booked::Booked;
use super::row::{LayerRow, Status};
use crate::model::Split;

/// The time steps of a run and where the number came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeSteps {
    /// Time steps per sample (at least 1).
    pub count: u64,
    /// Where `count` came from, as the report says it.
    pub source: String,
}

impl TimeSteps {
    /// `count` steps given by the caller, `source` saying by what.
    pub fn given(count: u64, source: impl Into<String>) -> Self {
        TimeSteps { count: count.max(1), source: source.into() }
    }
}

/// The session's `T` when it set one, else `T` inferred from the counted neuron layers of `rows`
/// (`booked` says how each path's calls were booked) over `times_counter` root forwards.
pub(crate) fn time_steps(
    set: Option<u64>,
    rows: &[LayerRow],
    booked: &HashMap<String, Booked>,
    times_counter: u64,
) -> TimeSteps {
    if let Some(t) = set {
        return TimeSteps::given(t, "Session::time_steps");
    }
    let forwards = times_counter.max(1);
    let mut best: Option<(u64, String)> = None;
    for row in rows.iter().filter(|r| r.status == Status::Counted && r.stats.calls > 0) {
        let Some(b) = booked.get(&row.path).filter(|b| b.split == Split::Ac) else { continue };
        let per_forward = (row.stats.calls + forwards / 2) / forwards;
        let per_call = match (b.multi_step, row.input_shape.as_deref()) {
            (true, Some([t, ..])) => *t as u64,
            _ => 1,
        };
        let t = (per_forward * per_call).max(1);
        if best.as_ref().is_some_and(|(bt, _)| *bt >= t) {
            continue;
        }
        let path = if row.path.is_empty() { "(root)" } else { row.path.as_str() };
        let source = match (per_forward, b.multi_step) {
            (_, true) if per_forward <= 1 => {
                format!("inferred: the multi-step neuron `{path}` runs {per_call} steps per call")
            }
            (_, true) => {
                format!("inferred: the multi-step neuron `{path}` runs {per_call} steps per call, {per_forward} calls per forward")
            }
            _ if per_forward == 1 => format!("inferred: the neuron `{path}` is called once per forward"),
            _ => format!("inferred: the neuron `{path}` is called {per_forward} times per forward"),
        };
        best = Some((t, source));
    }
    match best {
        Some((t, source)) => TimeSteps::given(t, source),
        None => TimeSteps::given(1, "no neuron layer: one step"),
    }
}
