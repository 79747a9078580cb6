//! The report of a whole run from the reports of its shards (`cargo syops zoo --shard I/N`, then
//! `cargo syops merge`): what each shard counted added up, and everything derived from the sums
//! derived again, as assembly derives it.
//!
//! - **Summed**: every layer's raw accumulators (integers exactly; `sum_acs` and `sum_rate_pct`
//!   with compensated summation), the batch and times counters, batches, accuracy counts and
//!   coverage counts (uncovered and ignored entries merged by path, their calls summed).
//! - **Derived again**: per-sample totals by the report's convention over the summed rows, the
//!   energy from them, the energy detail from the summed rows (each layer's role, weights and
//!   membranes as the shards booked them), the coverage shares; NeuroBench's metrics from the
//!   summed rows and the summed batch-weighted activation sparsity.
//! - **Order**: the reports are put in a canonical order first (by shard index; reports without
//!   a shard by their JSON text), so the float sums, the first-seen order of the warnings and the
//!   shapes taken do not depend on the order they are given in.
//! - **Kept from the first** (in that order): the input and output shapes of each layer (the
//!   first call's; dim 0 is that shard's batch size), the time-steps source, NeuroBench's static
//!   metrics (equal in every shard, or refused).
//! - **Warnings**: each text once, in first-seen order; one given by some of `n > 1` reports
//!   but not all ends in ` (in k of n shards)`. Warnings that quote a count (NaN inputs) stay per
//!   shard, as written.
//! - **Refused** (an [`Error::Report`] naming the difference): reports of different schema
//!   versions, models, conventions, parameters, layer lists (paths, types, parameters, frozen
//!   parameters, status), ignored types, energy models, time steps or assumed rates, or with
//!   accuracy, coverage, an energy detail, NeuroBench's metrics, time-resolved statistics or
//!   assumed rates in some but not all; shards of different splits, or a set of shards with an
//!   index missing or repeated ([`Shard::check_whole`]); a mix of shards and plain reports.
//! - **Time-resolved statistics** ([`TimeStats::merge`]): from the values each report keeps (schema
//!   version 4): per-sample values concatenated in shard order, per-step sums added, dead and
//!   saturated neurons intersected, and every figure derived again. Percentiles and rates per step
//!   then equal the whole run's exactly when the batches are the same.
//! - **Static counts** (`assumed_rates`) merge when their assumed rates are the same.
//!
//! The merged report has no `shard`.
use super::accuracy::Accuracy;
use super::coverage::Coverage;
use super::energy_detail::{relayered, EnergyDetail};
use super::row::LayerRow;
use super::shard::Shard;
use super::time_steps::TimeSteps;
use super::Report;
use crate::convention::{counting_of, Convention, LayerStats, NeuroBenchMetrics, NeuroBenchRun};
use crate::count::time::TimeStats;
use crate::count::{AssumedRate, Rates};
use crate::{Error, Result};

fn fail(msg: String) -> Error {
    Error::Report(format!("merge: {msg}"))
}

/// The report of the run that `reports` (its shards) make up; see the module's documentation.
pub fn merge(reports: &[Report]) -> Result<Report> {
    let Some(first) = reports.first() else { return Err(fail("no reports to merge".into())) };
    for (i, r) in reports.iter().enumerate() {
        if let Some(what) = differs(first, r) {
            return Err(fail(format!("report {i} and report 0 differ: {what}")));
        }
    }
    let shards: Vec<&Shard> = reports.iter().filter_map(|r| r.shard.as_ref()).collect();
    match shards.len() {
        0 => {}
        n if n == reports.len() => Shard::check_whole(&shards)?,
        n => return Err(fail(format!("{n} of the {} reports are shards, the others are not", reports.len()))),
    }
    let order = canonical(reports);
    let first = order[0];
    let layers: Vec<LayerRow> = first
        .layers
        .iter()
        .enumerate()
        .map(|(i, row)| LayerRow {
            input_shape: order.iter().find_map(|r| r.layers[i].input_shape.clone()),
            output_shape: order.iter().find_map(|r| r.layers[i].output_shape.clone()),
            stats: LayerStats::sum_of(order.iter().map(|r| &r.layers[i].stats)),
            ..row.clone()
        })
        .collect();
    let batch_counter: u64 = order.iter().map(|r| r.batch_counter).sum();
    let energy_detail = match &first.energy_detail {
        Some(d) => {
            let steps = TimeSteps::given(d.time_steps, d.time_steps_source.clone());
            Some(EnergyDetail::new(d.model, steps, relayered(&d.layers, &layers, batch_counter)?))
        }
        None => None,
    };
    let parts: Vec<&Coverage> = order.iter().filter_map(|r| r.coverage.as_ref()).collect();
    let coverage = first.coverage.as_ref().map(|_| Coverage::merged(&parts, &layers));
    let accuracy = first.accuracy.map(|_| {
        let mut sum = Accuracy::default();
        for a in order.iter().filter_map(|r| r.accuracy) {
            (sum.samples, sum.top1, sum.top5) = (sum.samples + a.samples, sum.top1 + a.top1, sum.top5 + a.top5);
        }
        sum
    });
    let time = match &first.time {
        Some(_) => {
            let parts: Vec<&TimeStats> = order.iter().filter_map(|r| r.time.as_ref()).collect();
            Some(TimeStats::merge(&parts, batch_counter)?)
        }
        None => None,
    };
    let mut warnings = warnings(&order);
    let time = time.map(|(time, mut more)| {
        warnings.append(&mut more);
        time
    });
    let mut merged = Report {
        batch_counter,
        times_counter: order.iter().map(|r| r.times_counter).sum(),
        batches: order.iter().map(|r| r.batches).sum(),
        layers,
        warnings,
        coverage,
        time,
        energy_detail,
        accuracy,
        shard: None,
        ..first.clone()
    };
    let convention: Convention = first.convention.parse()?;
    merged.per_sample = counting_of(convention).per_sample(&merged.totals(), batch_counter);
    merged.neurobench = first.neurobench.as_ref().map(|nb| {
        let run = NeuroBenchRun::sum_of(order.iter().filter_map(|r| r.neurobench.as_ref()).map(|m| &m.run));
        NeuroBenchMetrics::new(nb.statics, &merged.totals(), run, batch_counter)
    });
    merged.energy = first.energy.model.estimate(merged.per_sample.acs, merged.per_sample.macs);
    Ok(merged)
}

/// What makes `b` a report of another run than `a`, if anything.
fn differs(a: &Report, b: &Report) -> Option<String> {
    let pair =
        |what: &str, x: &dyn std::fmt::Debug, y: &dyn std::fmt::Debug| Some(format!("{what} {y:?} against {x:?}"));
    if a.schema != b.schema {
        return pair("schema version", &a.schema, &b.schema);
    }
    if a.model != b.model {
        return pair("model", &a.model, &b.model);
    }
    if a.convention != b.convention {
        return pair("convention", &a.convention, &b.convention);
    }
    if a.params != b.params {
        return pair("parameters", &a.params, &b.params);
    }
    if a.ignored_types != b.ignored_types {
        return pair("ignored types", &a.ignored_types, &b.ignored_types);
    }
    if a.energy.model != b.energy.model {
        return pair("energy model", &a.energy.model, &b.energy.model);
    }
    if a.layers.len() != b.layers.len() {
        return pair("layer count", &a.layers.len(), &b.layers.len());
    }
    let row = |r: &LayerRow| (r.path.clone(), r.type_name.clone(), r.params, r.frozen_params, r.status);
    if let Some((x, y)) = a.layers.iter().zip(&b.layers).find(|(x, y)| row(x) != row(y)) {
        return pair("layer (path, type, parameters, frozen parameters, status)", &row(x), &row(y));
    }
    let has = |r: &Report| {
        (
            r.accuracy.is_some(),
            r.coverage.is_some(),
            r.energy_detail.is_some(),
            r.neurobench.is_some(),
            r.time.is_some(),
        )
    };
    if has(a) != has(b) {
        return pair(
            "(accuracy, coverage, energy detail, neurobench, time-resolved statistics) present",
            &has(a),
            &has(b),
        );
    }
    if let (Some(x), Some(y)) = (&a.neurobench, &b.neurobench) {
        if x.statics != y.statics {
            return pair("neurobench static metrics", &x.statics, &y.statics);
        }
    }
    match (&a.assumed_rates, &b.assumed_rates) {
        (Some(x), Some(y)) if x != y => return rates_differ(x, y),
        (None, Some(_)) | (Some(_), None) => {
            let static_count = |r: &Report| r.assumed_rates.is_some();
            return pair("static count (assumed rates)", &static_count(a), &static_count(b));
        }
        _ => {}
    }
    if let (Some(x), Some(y)) = (&a.energy_detail, &b.energy_detail) {
        if x.time_steps != y.time_steps {
            return pair("time steps", &x.time_steps, &y.time_steps);
        }
        if x.model != y.model {
            return pair("energy detail model", &x.model, &y.model);
        }
        let priced = |d: &EnergyDetail| {
            d.layers.iter().map(|l| (l.path.clone(), l.role, l.params, l.state_neurons)).collect::<Vec<_>>()
        };
        if priced(x) != priced(y) {
            return pair("energy detail layers (path, role, weights, membranes)", &priced(x), &priced(y));
        }
    }
    None
}

/// How two static counts' assumed rates differ: the default, or the first override that does.
fn rates_differ(a: &Rates, b: &Rates) -> Option<String> {
    if a.default != b.default {
        return Some(format!("assumed default rate {:?} against {:?}", b.default, a.default));
    }
    let n = a.layers.len().max(b.layers.len());
    let at = (0..n).find(|&i| a.layers.get(i) != b.layers.get(i))?;
    let show = |r: Option<&AssumedRate>| match r {
        Some(AssumedRate { pattern, rate: Some(rate) }) => format!("`{pattern}` at {rate}"),
        Some(AssumedRate { pattern, rate: None }) => format!("`{pattern}` analog"),
        None => "none".to_string(),
    };
    Some(format!("assumed rate {at}: {} against {}", show(b.layers.get(at)), show(a.layers.get(at))))
}

/// `reports` by shard index, then (reports without a shard) by their JSON text.
fn canonical(reports: &[Report]) -> Vec<&Report> {
    let mut order: Vec<&Report> = reports.iter().collect();
    order.sort_by_cached_key(|r| (r.shard.as_ref().map(|s| s.index), r.to_json()));
    order
}

/// Each warning once, in first-seen order; marked with how many reports gave it when not all did.
fn warnings(order: &[&Report]) -> Vec<String> {
    let mut seen: Vec<(&str, usize)> = Vec::new();
    for r in order {
        let mut own: Vec<&str> = Vec::new();
        for w in &r.warnings {
            if own.contains(&w.as_str()) {
                continue;
            }
            own.push(w.as_str());
            match seen.iter_mut().find(|e| e.0 == w.as_str()) {
                Some((_, k)) => *k += 1,
                None => seen.push((w.as_str(), 1)),
            }
        }
    }
    let n = order.len();
    seen.into_iter()
        .map(|(w, k)| if k < n && n > 1 { format!("{w} (in {k} of {n} shards)") } else { w.to_string() })
        .collect()
}
