//! Reference cases: the original Python syops run on PyTorch models whose weights and inputs can
//! be rebuilt bit for bit. This module reads their manifests, rebuilds tensors and inputs,
//! formats a run as the runner output, and compares it with what syops counted.
mod compare;
mod generator;
mod manifest;

pub use compare::{compare, Tolerance};
pub use generator::{fnv1a64, generate, unit_uniform};
pub use manifest::{Case, Expected, ExpectedLayer, GenSpec, InputSpec, TensorSpec};

use serde_json::{json, Value};

use syops_runtime::report::Report;

/// The runner output of a report: the fields of a manifest's `expected`.
pub fn runner_output(case: &str, report: &Report) -> Value {
    let layers: Vec<Value> = report
        .layers
        .iter()
        .map(|l| {
            json!({
                "path": l.path,
                "type": l.type_name,
                "params": l.params,
                "calls": l.stats.calls,
                "input_shape": l.input_shape,
                "output_shape": l.output_shape,
                "sum_total": l.stats.sum_total,
                "sum_acs": l.stats.sum_acs,
                "sum_macs": l.stats.sum_macs,
                "sum_rate_pct": l.stats.sum_rate_pct,
            })
        })
        .collect();
    json!({
        "case": case,
        "batch_counter": report.batch_counter,
        "times_counter": report.times_counter,
        "per_sample": report.per_sample,
        "params": report.params,
        "layers": layers,
        "warnings": report.warnings,
    })
}
