//! Builds a session's [`Report`] from its finished state, whole: walks the model tree for paths and
//! parameters (each tensor once), joins the calls the session saw, and adds the per-sample totals
//! (by the session's convention), energy, coverage, the time-resolved statistics and the warnings.
use std::collections::{HashMap, HashSet};

use super::accuracy::Accuracy;
use super::booked::Booked;
use super::coverage::Coverage;
use super::energy_detail::{layer_inputs, EnergyDetail};
use super::row::{LayerRow, Status};
use super::time_steps::time_steps;
use super::{Report, SCHEMA_VERSION};
use crate::convention::{Counting, LayerStats};
use crate::count::options::Options;
use crate::count::state::{Node, State};
use crate::model::{Layer, Role, Segment};
use crate::Result;

/// One node of the model tree, as the report walks it.
struct TreeLeaf {
    path: String,
    type_name: &'static str,
    role: Role,
    params: u64,
    frozen: u64,
}

fn walk(
    layer: &dyn Layer,
    path: String,
    leaves: &mut Vec<TreeLeaf>,
    seen: &mut HashSet<candle::TensorId>,
    total: &mut u64,
) {
    let mut own = 0u64;
    layer.params(&mut |t| {
        own += t.elem_count() as u64;
        if seen.insert(t.id()) {
            *total += t.elem_count() as u64;
        }
    });
    let mut frozen = 0u64;
    layer.frozen_params(&mut |t| frozen += t.elem_count() as u64);
    if layer.role() != Role::Container {
        let (type_name, role) = (layer.type_name(), layer.role());
        leaves.push(TreeLeaf { path: path.clone(), type_name, role, params: own, frozen });
    }
    // A counted layer may have children of its own (a recurrent neuron's `recurrent`): rows after it.
    layer.children(&mut |seg: Segment, child: &dyn Layer| {
        let child_path = if path.is_empty() { seg.to_string() } else { format!("{path}.{seg}") };
        walk(child, child_path, leaves, seen, total);
    });
}

pub(crate) fn assemble(
    model: &dyn Layer,
    mut state: State,
    batches: u64,
    non_finite_inputs: u64,
    accuracy: Option<Accuracy>,
) -> Result<Report> {
    let time = match state.time.take() {
        Some(t) => {
            let nodes = &state.nodes;
            let name = |i: usize| (nodes[i].path.clone(), nodes[i].type_name.to_string());
            Some(t.finish(name, state.batch_counter)?)
        }
        None => None,
    };
    let counting = state.options.counting();
    let mut leaves = Vec::new();
    let mut params = 0u64;
    walk(model, String::new(), &mut leaves, &mut HashSet::new(), &mut params);
    let mut by_path: HashMap<String, usize> =
        state.nodes.iter().enumerate().map(|(i, n)| (n.path.clone(), i)).collect();
    let booked: HashMap<String, Booked> = state
        .nodes
        .iter()
        .filter_map(|n| Some((n.path.clone(), Booked { split: n.split?, multi_step: n.multi_step })))
        .collect();
    let uncounted_outputs: HashMap<String, u64> = state
        .nodes
        .iter()
        .filter(|n| n.role == Role::Uncounted)
        .map(|n| (n.path.clone(), n.uncounted_outputs))
        .collect();
    let mut warnings = Vec::new();
    if non_finite_inputs > 0 {
        warnings.push(format!("{non_finite_inputs} input batch(es) held NaN or Inf; such tensors count as non-spikes"));
    }
    let mut layers = Vec::new();
    let mut uncounted: Vec<&'static str> = Vec::new();
    for leaf in leaves {
        let node = by_path.remove(&leaf.path).map(|i| &mut state.nodes[i]);
        layers.push(row(&state.options, counting, &mut warnings, &mut uncounted, leaf, node));
    }
    // Calls that reached paths the model tree does not have (a layer built on the fly).
    let mut extra: Vec<usize> = by_path.into_values().filter(|&i| state.nodes[i].role != Role::Container).collect();
    extra.sort_unstable();
    for i in extra {
        let path = state.nodes[i].path.clone();
        let (type_name, role) = (state.nodes[i].type_name, state.nodes[i].role);
        if state.nodes[i].stats.calls == 0 {
            continue;
        }
        warnings.push(format!(
            "layer `{path}` ({type_name}) was called but is not in the model tree; its parameters are not known"
        ));
        let leaf = TreeLeaf { path, type_name, role, params: 0, frozen: 0 };
        layers.push(row(&state.options, counting, &mut warnings, &mut uncounted, leaf, Some(&mut state.nodes[i])));
    }
    warnings.append(&mut state.unattributed);
    let mut sum = LayerStats::default();
    for row in &layers {
        sum.add(&row.stats);
    }
    let per_sample = counting.per_sample(&sum, state.batch_counter);
    let neurobench = counting.metrics(model, &sum, &state.run, state.batch_counter)?;
    if let Some(nb) = &neurobench {
        warnings.extend(nb.warnings());
    }
    if let Some((_, time_warnings)) = &time {
        warnings.extend(time_warnings.iter().cloned());
    }
    if let Some(rates) = state.options.static_rates() {
        let counted = layers.iter().filter(|l| l.status == Status::Counted).map(|l| l.path.as_str());
        warnings.extend(rates.unmatched(counted));
    }
    let coverage = Coverage::new(&layers, &state.options.ignore, &uncounted_outputs, &state.unattributed_calls);
    let steps = time_steps(state.options.time_steps, &layers, &booked, state.times_counter);
    let energy_detail =
        EnergyDetail::new(state.options.energy, steps, layer_inputs(&layers, &booked, state.batch_counter));
    Ok(Report {
        schema: SCHEMA_VERSION,
        model: model.type_name().to_string(),
        convention: state.options.convention().to_string(),
        batch_counter: state.batch_counter,
        times_counter: state.times_counter,
        batches,
        params,
        per_sample,
        energy: state.options.energy.estimate(per_sample.acs, per_sample.macs),
        layers,
        ignored_types: state.options.ignore.clone(),
        warnings,
        coverage: Some(coverage),
        energy_detail: Some(energy_detail),
        time: time.map(|(time, _)| time),
        assumed_rates: state.options.static_rates().map(|r| r.spec.clone()),
        accuracy,
        shard: None,
        neurobench,
    })
}

fn row(
    options: &Options,
    counting: &dyn Counting,
    warnings: &mut Vec<String>,
    uncounted: &mut Vec<&'static str>,
    leaf: TreeLeaf,
    node: Option<&mut Node>,
) -> LayerRow {
    let TreeLeaf { path, type_name, role, params, frozen } = leaf;
    let ignored = role == Role::Counted && options.ignores(type_name);
    let status = match role {
        _ if ignored => Status::Ignored,
        Role::Uncounted => Status::Uncounted,
        _ => Status::Counted,
    };
    let (mut stats, input_shape, output_shape) = match node {
        Some(n) => (std::mem::take(&mut n.stats), n.input_shape.take(), n.output_shape.take()),
        None => (LayerStats::default(), None, None),
    };
    stats.settle();
    if status == Status::Uncounted && !uncounted.contains(&type_name) {
        uncounted.push(type_name);
        warnings.push(format!(
            "layer type `{type_name}` has no counting rule: its calls are listed, its operations are not counted (first at `{path}`)"
        ));
    }
    if status == Status::Counted && stats.calls == 0 {
        warnings.push(format!(
            "layer `{path}` ({type_name}) was never called, or its calls were not attributed to it (is its parent's impl block annotated with #[syops::count]?)"
        ));
    }
    warnings.extend(counting.layer_warning(&path, type_name, &stats));
    if stats.non_finite_calls > 0 {
        warnings.push(format!(
            "layer `{path}` ({type_name}) saw NaN or Inf in {} call(s): counted as non-spike",
            stats.non_finite_calls
        ));
    }
    LayerRow {
        path,
        type_name: type_name.to_string(),
        params: if ignored { 0 } else { params },
        frozen_params: if ignored { 0 } else { frozen },
        input_shape,
        output_shape,
        status,
        stats,
    }
}
