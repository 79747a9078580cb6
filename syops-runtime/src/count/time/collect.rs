//! Collecting time-resolved statistics during a session: per-call reductions on the device, one
//! transfer per batch, run-long accumulators per layer.
use std::collections::HashMap;

use candle::{DType, Device, Tensor};

use super::{LayerTime, LayerValues, NeuronSet, RunValues, StepOps, TimeStats};
use crate::convention::LayerStats;
use crate::model::{Ops, Probe, Split};
use crate::Result;

/// Run-long accumulators of one counted layer.
#[derive(Default)]
struct Acc {
    calls_in_batch: usize,
    step_ops: Vec<StepOps>,
    step_spikes: Vec<f64>,
    step_obs: Vec<f64>,
    sample_acs: Vec<f64>,
    sample_macs: Vec<f64>,
    sample_rate: Vec<f64>,
    batch_acs: Vec<f64>,
    batch_macs: Vec<f64>,
    batch_spikes: Vec<f64>,
    batch_obs: Vec<f64>,
    counts: Option<Tensor>,
    neuron_dims: Option<Vec<usize>>,
    observations: u64,
    no_counts: bool,
    warned: bool,
}

/// A neuron call's statistics, as indices into the batch's device tensors.
struct NeuronCall {
    steps: usize,
    first_step: usize,
    step_obs: f64,
    samples: Option<(usize, f64)>,
}

/// One counted call of the batch, in the order the session queues calls.
struct Queued {
    node: usize,
    step: usize,
    input_sums: Option<usize>,
    /// A synaptic call whose input spans several steps (`[T·B, ...]` or `[T, B, ...]`): its input
    /// spike count per step, which shares its ACs out over those steps.
    step_sums: Option<usize>,
    neuron: Option<NeuronCall>,
}

/// The time-resolved side of a session's state.
#[derive(Default)]
pub(crate) struct TimeState {
    batch: usize,
    samples_before: usize,
    accs: HashMap<usize, Acc>,
    order: Vec<usize>,
    queue: Vec<Queued>,
    booked: Vec<LayerStats>,
    tensors: Vec<Tensor>,
    model: [Vec<f64>; 4],
    warnings: Vec<String>,
}

impl TimeState {
    /// A batch of `samples` samples starts.
    pub fn begin_batch(&mut self, samples: usize) {
        self.batch = samples;
        for acc in self.accs.values_mut() {
            acc.calls_in_batch = 0;
            for v in [&mut acc.batch_acs, &mut acc.batch_macs, &mut acc.batch_spikes, &mut acc.batch_obs] {
                *v = vec![0.0; samples];
            }
        }
    }

    fn acc(&mut self, node: usize) -> &mut Acc {
        let (before, b) = (self.samples_before, self.batch);
        if !self.accs.contains_key(&node) {
            self.order.push(node);
        }
        self.accs.entry(node).or_insert_with(|| Acc {
            sample_acs: vec![0.0; before],
            sample_macs: vec![0.0; before],
            batch_acs: vec![0.0; b],
            batch_macs: vec![0.0; b],
            batch_spikes: vec![0.0; b],
            batch_obs: vec![0.0; b],
            ..Acc::default()
        })
    }

    fn push(&mut self, t: Tensor) -> usize {
        self.tensors.push(t);
        self.tensors.len() - 1
    }

    /// Starts the device statistics of one counted call (queued by the session just before).
    pub fn observe(
        &mut self,
        node: usize,
        path: &str,
        multi_step: bool,
        ops: Ops,
        input: Option<&Tensor>,
        output: Option<&Tensor>,
    ) -> Result<()> {
        let b = self.batch;
        let step = {
            let acc = self.acc(node);
            acc.calls_in_batch += 1;
            acc.calls_in_batch - 1
        };
        let (mut input_sums, mut step_sums) = (None, None);
        if ops.split == Split::AcOrMac && ops.probe == Probe::Input {
            if let Some(xs) = input {
                match by_sample(xs, b, multi_step)? {
                    Some((v, _)) => {
                        input_sums = Some(self.push(v.sum(2)?.sum(0)?));
                        if v.dim(0)? > 1 {
                            step_sums = Some(self.push(v.sum(2)?.sum(1)?));
                        }
                    }
                    None => self.warn(node, path, "input", xs.dims(), "its ACs are split evenly over the samples"),
                }
            }
        }
        let mut neuron = None;
        if ops.split == Split::Ac {
            if let Some(out) = output {
                neuron = Some(self.observe_neuron(node, path, multi_step, step, out)?);
            }
        }
        self.queue.push(Queued { node, step, input_sums, step_sums, neuron });
        Ok(())
    }

    fn observe_neuron(
        &mut self,
        node: usize,
        path: &str,
        multi_step: bool,
        step: usize,
        out: &Tensor,
    ) -> Result<NeuronCall> {
        let dims = out.dims().to_vec();
        let t = if multi_step { dims.first().copied().unwrap_or(1).max(1) } else { 1 };
        let numel = out.elem_count();
        let f = out.to_dtype(DType::F64)?;
        let steps = self.push(f.reshape((t, numel / t))?.sum(1)?);
        let mut call = NeuronCall {
            steps,
            first_step: if multi_step { 0 } else { step },
            step_obs: (numel / t) as f64,
            samples: None,
        };
        match by_sample(&f, self.batch, multi_step)? {
            Some((v, rest)) => {
                let (s, k) = (v.dim(0)?, v.dim(2)?);
                let per_sample = self.push(v.sum(2)?.sum(0)?);
                call.samples = Some((per_sample, (s * k) as f64));
                let b = self.batch as u64;
                let acc = self.acc(node);
                match acc.neuron_dims.clone() {
                    _ if acc.no_counts => {}
                    Some(first) if first != rest => {
                        acc.no_counts = true;
                        acc.counts = None;
                        self.warnings.push(format!(
                            "time-resolved: neuron layer `{path}` saw neurons of shape {rest:?} after {first:?}; its dead and saturated fractions are left out"
                        ));
                    }
                    _ => {
                        let per_neuron = v.sum(1)?.sum(0)?;
                        acc.counts = Some(match acc.counts.take() {
                            Some(c) => (c + per_neuron)?,
                            None => per_neuron,
                        });
                        acc.neuron_dims = Some(rest);
                        acc.observations += s as u64 * b;
                    }
                }
            }
            None => {
                self.acc(node).no_counts = true;
                self.warn(
                    node,
                    path,
                    "output",
                    &dims,
                    "its per-sample rates and dead/saturated fractions are left out",
                );
            }
        }
        Ok(call)
    }

    fn warn(&mut self, node: usize, path: &str, which: &str, dims: &[usize], what: &str) {
        let b = self.batch;
        let acc = self.acc(node);
        if !acc.warned {
            acc.warned = true;
            self.warnings.push(format!(
                "time-resolved: layer `{path}` {which} of shape {dims:?} has no sample axis of size {b}; {what}"
            ));
        }
    }

    /// The session booked the next queued call.
    pub fn booked(&mut self, total: u64, acs: f64, macs: u64) {
        self.booked.push(LayerStats { sum_total: total, sum_acs: acs, sum_macs: macs, ..LayerStats::default() });
    }

    /// Brings the batch's statistics to the host (one transfer per device) and books them.
    pub fn end_batch(&mut self) -> Result<()> {
        let host = gather(&std::mem::take(&mut self.tensors))?;
        let b = self.batch;
        let queue = std::mem::take(&mut self.queue);
        let booked = std::mem::take(&mut self.booked);
        for (q, one) in queue.iter().zip(&booked) {
            let acc = self.accs.get_mut(&q.node).expect("created by observe");
            // The steps this call covers: one, or each step of a multi-step input or output.
            // ACs follow the input's spikes per step (evenly when it has none, and for neurons,
            // whose every step updates as many membranes); dense counts and MACs are even.
            let shares: Vec<f64> = match (q.step_sums, &q.neuron) {
                (Some(i), _) => host[i].clone(),
                (None, Some(nc)) => vec![1.0; host[nc.steps].len()],
                (None, None) => vec![1.0],
            };
            let first = if shares.len() > 1 { q.step * shares.len() } else { q.step };
            let (whole, n) = (shares.iter().sum::<f64>(), shares.len() as f64);
            grow(&mut acc.step_ops, first + shares.len());
            for (t, share) in shares.iter().enumerate() {
                let so = &mut acc.step_ops[first + t];
                so.total += one.sum_total as f64 / n;
                so.acs += if whole > 0.0 { one.sum_acs * share / whole } else { one.sum_acs / n };
                so.macs += one.sum_macs as f64 / n;
            }
            if b > 0 {
                let sums = q.input_sums.map(|i| &host[i]);
                let spikes: f64 = sums.map_or(0.0, |s| s.iter().sum());
                for n in 0..b {
                    acc.batch_acs[n] += match sums {
                        Some(s) if spikes > 0.0 => one.sum_acs * s[n] / spikes,
                        _ => one.sum_acs / b as f64,
                    };
                    acc.batch_macs[n] += one.sum_macs as f64 / b as f64;
                }
            }
            if let Some(nc) = &q.neuron {
                let steps = &host[nc.steps];
                grow(&mut acc.step_spikes, nc.first_step + steps.len());
                grow(&mut acc.step_obs, nc.first_step + steps.len());
                for (j, v) in steps.iter().enumerate() {
                    acc.step_spikes[nc.first_step + j] += v;
                    acc.step_obs[nc.first_step + j] += nc.step_obs;
                }
                if let Some((i, obs)) = nc.samples {
                    for (n, v) in host[i].iter().enumerate() {
                        acc.batch_spikes[n] += v;
                        acc.batch_obs[n] += obs;
                    }
                }
            }
        }
        // Model sums in the layers' first-call order, so that they round the same way every run.
        let mut model = [vec![0.0; b], vec![0.0; b], vec![0.0; b], vec![0.0; b]];
        for node in &self.order {
            let acc = self.accs.get_mut(node).expect("ordered when created");
            acc.sample_acs.extend_from_slice(&acc.batch_acs);
            acc.sample_macs.extend_from_slice(&acc.batch_macs);
            let batch = [&acc.batch_acs, &acc.batch_macs, &acc.batch_spikes, &acc.batch_obs];
            for (sums, values) in model.iter_mut().zip(batch) {
                for (sum, v) in sums.iter_mut().zip(values) {
                    *sum += v;
                }
            }
            let rates = acc.batch_spikes.iter().zip(&acc.batch_obs).filter(|(_, o)| **o > 0.0).map(|(s, o)| s / o);
            acc.sample_rate.extend(rates);
        }
        for (all, batch) in self.model.iter_mut().zip(model) {
            all.extend(batch);
        }
        self.samples_before += b;
        Ok(())
    }

    /// The statistics of the run; `name(node)` gives a node's path and type. Dead and saturated
    /// neurons are read from the device here, once per neuron layer.
    pub fn finish(
        self,
        name: impl Fn(usize) -> (String, String),
        batch_counter: u64,
    ) -> Result<(TimeStats, Vec<String>)> {
        let mut layers = Vec::new();
        let mut accs = self.accs;
        for node in &self.order {
            let acc = accs.remove(node).expect("ordered when created");
            let (mut dead, mut saturated) = (None, None);
            if let (Some(counts), false) = (&acc.counts, acc.no_counts) {
                let set =
                    |t: Tensor| -> Result<NeuronSet> { Ok(NeuronSet::from_flags(&t.flatten_all()?.to_vec1::<u8>()?)) };
                dead = Some(set(counts.eq(0f64)?)?);
                saturated = Some(set(counts.eq(acc.observations as f64)?)?);
            }
            let values = LayerValues {
                step_spikes: acc.step_spikes,
                step_outputs: acc.step_obs,
                step_ops: acc.step_ops,
                sample_acs: acc.sample_acs,
                sample_macs: acc.sample_macs,
                sample_rate: acc.sample_rate,
                dead,
                saturated,
            };
            let (path, type_name) = name(*node);
            layers.push(LayerTime::derive(path, type_name, values, batch_counter));
        }
        let [acs, macs, sample_spikes, sample_obs] = self.model;
        let sample_rate: Vec<f64> =
            sample_spikes.iter().zip(&sample_obs).filter(|(_, o)| **o > 0.0).map(|(s, o)| s / o).collect();
        let values = RunValues { sample_acs: acs, sample_macs: macs, sample_rate };
        Ok((TimeStats::derive(values, layers, batch_counter), self.warnings))
    }
}

fn grow<T: Default + Clone>(v: &mut Vec<T>, len: usize) {
    if v.len() < len {
        v.resize(len, T::default());
    }
}

/// `xs` as `[S, B, K]` in F64 along its sample axis (see the module docs), with the dims of one
/// sample's slice; `None` when no axis fits.
fn by_sample(xs: &Tensor, b: usize, multi_step: bool) -> Result<Option<(Tensor, Vec<usize>)>> {
    let dims = xs.dims();
    if b == 0 {
        return Ok(None);
    }
    let (s, rest) = match dims {
        [t, n, rest @ ..] if multi_step && *n == b => (*t, rest),
        [n, rest @ ..] if !multi_step && *n == b => (1, rest),
        [n, rest @ ..] if !multi_step && *n > 0 && n % b == 0 => (n / b, rest),
        _ => return Ok(None),
    };
    let k = rest.iter().product::<usize>();
    Ok(Some((xs.to_dtype(DType::F64)?.reshape((s, b, k))?, rest.to_vec())))
}

/// Brings 1-D F64 tensors to the host, one concatenation and transfer per device.
fn gather(tensors: &[Tensor]) -> Result<Vec<Vec<f64>>> {
    let mut out = vec![Vec::new(); tensors.len()];
    let mut devices: Vec<(Device, Vec<usize>)> = Vec::new();
    for (i, t) in tensors.iter().enumerate() {
        match devices.iter_mut().find(|(d, _)| d.same_device(t.device())) {
            Some((_, list)) => list.push(i),
            None => devices.push((t.device().clone(), vec![i])),
        }
    }
    for (_, list) in devices {
        let parts: Vec<&Tensor> = list.iter().map(|&i| &tensors[i]).collect();
        let flat = Tensor::cat(&parts, 0)?.to_vec1::<f64>()?;
        let mut at = 0;
        for i in list {
            let n = tensors[i].elem_count();
            out[i] = flat[at..at + n].to_vec();
            at += n;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_axis() {
        let t = |dims: &[usize]| Tensor::zeros(dims, DType::F32, &Device::Cpu).unwrap();
        let shape = |x: Option<(Tensor, Vec<usize>)>| x.map(|(v, r)| (v.dims().to_vec(), r));
        assert_eq!(shape(by_sample(&t(&[2, 3, 4]), 2, false).unwrap()), Some((vec![1, 2, 12], vec![3, 4])));
        assert_eq!(shape(by_sample(&t(&[6, 4]), 2, false).unwrap()), Some((vec![3, 2, 4], vec![4])));
        assert_eq!(shape(by_sample(&t(&[3, 2, 4]), 2, true).unwrap()), Some((vec![3, 2, 4], vec![4])));
        assert_eq!(shape(by_sample(&t(&[5, 4]), 2, false).unwrap()), None);
        assert_eq!(shape(by_sample(&t(&[3, 5, 4]), 2, true).unwrap()), None);
    }
}
