//! Time-resolved statistics (`Session::time_resolved`) on neurons whose spikes are worked out by
//! hand, on models instrumented by `#[syops::count]` (through the runtime: `crate = syops_runtime`).
use candle::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::convention::Convention;
use syops_runtime::count::time::{Dist, StepOps};
use syops_runtime::neuron::IfNode;
use syops_runtime::Session;

mod support;
use support::looped;

/// A root holding one neuron `sn` (and optionally a linear layer `fc` before it); its input is
/// `[N, T, K]`, samples first, as a data loader yields them.
#[count(crate = syops_runtime)]
struct Net {
    fc: Option<Linear>,
    sn: IfNode,
}

#[count(crate = syops_runtime)]
impl Net {
    /// Multi-step: one call on `[T, N, K]`.
    fn multi(&self, xs: &Tensor) -> candle::Result<Tensor> {
        self.sn.forward(&xs.transpose(0, 1)?.contiguous()?)
    }

    /// Single-step: one call per step on `[N, K]`.
    fn single(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let steps = (0..xs.dim(1)?).map(|t| self.sn.forward(&xs.i((.., t))?.contiguous()?));
        Tensor::stack(&steps.collect::<candle::Result<Vec<_>>>()?, 0)
    }

    /// `fc` once on the time-folded `[T·N, K]` input (spikingjelly's `SeqToANNContainer`), then a
    /// multi-step `sn` on `[T, N, K]`.
    fn folded(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let (n, t, k) = xs.dims3()?;
        let folded = xs.transpose(0, 1)?.contiguous()?.reshape((t * n, k))?;
        let h = match &self.fc {
            Some(fc) => fc.forward(&folded)?,
            None => folded,
        };
        self.sn.forward(&h.reshape((t, n, k))?)
    }

    /// `fc` then a single-step `sn` on the first step `[N, K]`.
    fn first_step(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let first = xs.i((.., 0))?.contiguous()?;
        let h = match &self.fc {
            Some(fc) => fc.forward(&first)?,
            None => first,
        };
        self.sn.forward(&h)
    }
}

/// `[N=2, T=3, K=3]` inputs of an IF neuron (threshold 1, hard reset to 0). Worked by hand:
///
/// | neuron | sample 0 input → spikes | sample 1 input → spikes |
/// | --- | --- | --- |
/// | a | 0.1 0.1 0.1 → v .1 .2 .3 → 0 0 0 | 0.3 0.3 0.3 → v .3 .6 .9 → 0 0 0 |
/// | b | 1 1 1 → 1 1 1 | 2 1 1.5 → 1 1 1 |
/// | c | 0.6 0.6 0.6 → v .6 1.2 .6 → 0 1 0 | 1 1 0 → 1 1 0 |
///
/// Step rates: t0 (b0 + b1 c1) 3/6, t1 (b0 c0 + b1 c1) 4/6, t2 (b0 + b1) 2/6.
/// Sample rates: sample 0 (b 3 + c 1) 4/9, sample 1 (b 3 + c 2) 5/9.
/// Per-neuron counts over 6 (sample, step) pairs: a 0 (dead), b 6 (saturated), c 3.
fn batch() -> Tensor {
    #[rustfmt::skip]
    let v: [f32; 18] = [
        // sample 0: t0 [a b c], t1, t2
        0.1, 1.0, 0.6,   0.1, 1.0, 0.6,   0.1, 1.0, 0.6,
        // sample 1
        0.3, 2.0, 1.0,   0.3, 1.0, 1.0,   0.3, 1.5, 0.0,
    ];
    Tensor::from_vec(v.to_vec(), (2, 3, 3), &Device::Cpu).unwrap()
}

fn assert_close(a: f64, b: f64) {
    assert!((a - b).abs() < 1e-12, "{a} != {b}");
}

fn assert_hand_worked(report: &syops_runtime::report::Report) {
    let time = report.time.as_ref().expect("time-resolved statistics");
    assert_eq!(time.percentiles, "nearest-rank");
    assert_eq!(time.samples, 2);
    assert_eq!(time.rate_per_step, [3.0 / 6.0, 4.0 / 6.0, 2.0 / 6.0]);
    let sn = &time.layers[0];
    assert_eq!((sn.path.as_str(), sn.neurons), ("sn", Some(3)));
    assert_eq!(sn.rate_per_step, time.rate_per_step);
    // Two samples, 4/9 and 5/9: p5 is rank ⌈0.1⌉ = 1, p50 rank ⌈1.0⌉ = 1, p95 rank ⌈1.9⌉ = 2.
    let d = sn.per_sample_rate.unwrap();
    assert_eq!((d.samples, d.p5, d.p50, d.p95, d.max), (2, 4.0 / 9.0, 4.0 / 9.0, 5.0 / 9.0, 5.0 / 9.0));
    assert_close(d.mean, 0.5);
    assert_eq!(time.per_sample_rate, sn.per_sample_rate);
    assert_eq!((sn.dead_fraction, sn.saturated_fraction), (Some(1.0 / 3.0), Some(1.0 / 3.0)));
    // The neuron books numel(input) = 18 ACs over the batch: 9 per sample, each sample alike.
    let acs = sn.per_sample_acs.unwrap();
    assert_eq!((acs.mean, acs.p5, acs.max), (9.0, 9.0, 9.0));
    assert_eq!(report.per_sample.acs, 9.0);
}

#[test]
fn multi_step_neuron_worked_by_hand() {
    let net = Net { fc: None, sn: IfNode::multi_step() };
    let report = Session::new().time_resolved(true).count(&net, &batch(), Net::multi).unwrap();
    assert_hand_worked(&report);
    // One call per batch over T = 3 steps: each step updates 6 membranes, 3 per sample, as the
    // single-step loop books them.
    let time = report.time.unwrap();
    assert_eq!(time.ops_per_step, [StepOps { total: 3.0, acs: 3.0, macs: 0.0 }; 3]);
}

#[test]
fn single_step_neuron_in_a_loop_gives_the_same_numbers() {
    let net = Net { fc: None, sn: IfNode::new() };
    let report = Session::new().time_resolved(true).count(&net, &batch(), Net::single).unwrap();
    assert_hand_worked(&report);
    // Three calls of numel 6: 6 ACs each, 3 per sample, one per step.
    let step = StepOps { total: 3.0, acs: 3.0, macs: 0.0 };
    assert_eq!(report.time.unwrap().ops_per_step, [step; 3]);
}

#[test]
fn two_batches_accumulate() {
    // A second batch of one sample: a 0 0 0 → 0 0 0, b 1 1 1 → 1 1 1, c 0 0 0 → 0 0 0.
    let second = Tensor::from_vec(vec![0f32, 1., 0., 0., 1., 0., 0., 1., 0.], (1, 3, 3), &Device::Cpu).unwrap();
    let net = Net { fc: None, sn: IfNode::multi_step() };
    let report = Session::new().time_resolved(true).count_batches(&net, [batch(), second], Net::multi).unwrap();
    let time = report.time.unwrap();
    assert_eq!(time.samples, 3);
    // Step t: batch-1 spikes + 1 (b), over 6 + 3 observations.
    assert_eq!(time.rate_per_step, [4.0 / 9.0, 5.0 / 9.0, 3.0 / 9.0]);
    // Sample rates 4/9, 5/9, 3/9; sorted 3/9 4/9 5/9: p5 rank ⌈0.15⌉ = 1, p50 ⌈1.5⌉ = 2, p95 ⌈2.85⌉ = 3.
    let d = time.per_sample_rate.unwrap();
    assert_eq!((d.samples, d.p5, d.p50, d.p95, d.max), (3, 3.0 / 9.0, 4.0 / 9.0, 5.0 / 9.0, 5.0 / 9.0));
    assert_close(d.mean, 4.0 / 9.0);
    // a never fired; b fired 6 + 3 = 9 times in 9 (sample, step) pairs; c 3 times.
    let sn = &time.layers[0];
    assert_eq!((sn.dead_fraction, sn.saturated_fraction), (Some(1.0 / 3.0), Some(1.0 / 3.0)));
    // ACs: 18 + 9 over 3 samples; each sample books 9, 3 per step.
    assert_eq!(time.ops_per_step, [StepOps { total: 3.0, acs: 3.0, macs: 0.0 }; 3]);
    assert_eq!(time.per_sample_acs.unwrap().p50, 9.0);
}

#[test]
fn a_time_folded_synaptic_call_shares_its_acs_by_each_step_s_spikes() {
    // fc: Linear(3 → 3) once on the time-folded `[T·N, 3]` = `[3·2, 3]` input (spikingjelly's
    // SeqToANNContainer), time-major: step 0 fires 1 + 2 inputs, step 1 none, step 2 3 + 0.
    // Dense 6·3·3 + 3 = 57 at rate 6/18 (in f32, as syops): 19 ACs, shared 3/6, 0, 3/6 by the
    // steps; per sample (batch counter 2): 4.75, 0, 4.75. The dense count is even: 57 / 3 / 2 = 9.5
    // per step.
    let booked = 57.0 * f64::from(6f32 / 18f32);
    let half = booked * 3.0 / 6.0 / 2.0;
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    let net = Net { fc: Some(candle_nn::linear(3, 3, vb).unwrap()), sn: IfNode::multi_step() };
    #[rustfmt::skip]
    let xs = Tensor::new(&[
        [[1f32, 0., 0.], [0., 0., 0.], [1., 1., 1.]],
        [[1., 1., 0.], [0., 0., 0.], [0., 0., 0.]],
    ], &Device::Cpu).unwrap();
    let report = Session::new().time_resolved(true).count(&net, &xs, Net::folded).unwrap();
    let time = report.time.unwrap();
    let fc = time.layers.iter().find(|l| l.path == "fc").unwrap();
    let acs: Vec<f64> = fc.ops_per_step.iter().map(|s| s.acs).collect();
    assert_eq!(acs, [half, 0.0, half]);
    assert!((half - 4.75).abs() < 1e-6, "{half}: 4.75 but for the f32 rate");
    assert!(fc.ops_per_step.iter().all(|s| s.total == 9.5 && s.macs == 0.0));
    assert_close(acs.iter().sum::<f64>(), report.layers.iter().find(|l| l.path == "fc").unwrap().stats.sum_acs / 2.0);
    // The model adds the neuron's 18 / 3 / 2 = 3 per step.
    assert_eq!(time.ops_per_step.iter().map(|s| s.acs).collect::<Vec<_>>(), [half + 3.0, 3.0, half + 3.0]);
}

#[test]
fn synaptic_acs_are_shared_by_each_sample_s_spikes() {
    // fc: Linear(3 → 3) on spikes [N=2, 3] each step; sample 0 fires 1 input, sample 1 fires 2.
    // Dense per call 2·3·3 + 3 = 21 at rate 3/6: 10.5 ACs, shared 1/3 and 2/3 by the samples.
    // Over T = 1 step: sample 0 books 3.5 ACs in fc, sample 1 books 7.
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    let net = Net { fc: Some(candle_nn::linear(3, 3, vb).unwrap()), sn: IfNode::new() };
    let xs = Tensor::new(&[[[1f32, 0., 0.]], [[0., 1., 1.]]], &Device::Cpu).unwrap();
    let report = Session::new().time_resolved(true).count(&net, &xs, Net::first_step).unwrap();
    let time = report.time.unwrap();
    let fc = time.layers.iter().find(|l| l.path == "fc").unwrap();
    let acs = fc.per_sample_acs.unwrap();
    assert_eq!((acs.p5, acs.max), (3.5, 7.0));
    assert_close(acs.mean, 5.25);
    assert_eq!(report.per_sample.acs, 5.25 + 3.0);
    assert!(fc.per_sample_rate.is_none() && fc.dead_fraction.is_none());
    // The model: fc's share plus the neuron's numel([2, 3]) / 2 = 3 ACs per sample.
    let model = time.per_sample_acs.unwrap();
    assert_eq!((model.p5, model.max), (3.5 + 3.0, 7.0 + 3.0));
    // The neuron's input is zero (zero weights): every neuron is dead.
    assert_eq!(time.layers.iter().find(|l| l.path == "sn").unwrap().dead_fraction, Some(1.0));
}

#[test]
fn off_by_default_and_absent_from_json() {
    let net = Net { fc: None, sn: IfNode::multi_step() };
    let report = Session::new().count(&net, &batch(), Net::multi).unwrap();
    assert!(report.time.is_none());
    assert!(!report.to_json().contains("\"time\""));
    assert!(!report.to_string().contains("time-resolved"));
}

#[test]
fn json_round_trip_and_table_section() {
    let net = Net { fc: None, sn: IfNode::multi_step() };
    let report = Session::new().time_resolved(true).count(&net, &batch(), Net::multi).unwrap();
    let back = syops_runtime::report::Report::from_json(&report.to_json()).unwrap();
    assert_eq!(back.time, report.time);
    let table = report.to_string();
    assert!(table.contains("time-resolved over 2 samples (percentiles by nearest rank):"), "{table}");
    assert!(table.contains("rate per step %    50.00 66.67 33.33"), "{table}");
    assert!(table.contains("rate per sample %  mean 50.00, p5 44.44, p50 44.44, p95 55.56, max 55.56"), "{table}");
    assert!(table.contains("sn  dead 33.33 %, saturated 33.33 % of 3 neurons"), "{table}");
}

#[test]
fn percentiles_by_nearest_rank() {
    // n = 10, values 1..=10: p5 rank ⌈0.5⌉ = 1, p50 rank 5, p95 rank ⌈9.5⌉ = 10.
    let v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
    let d = Dist::of(&v).unwrap();
    assert_eq!((d.p5, d.p50, d.p95, d.max, d.mean), (1.0, 5.0, 10.0, 10.0, 5.5));
    // n = 100, values 0..100: p5 rank 5 → 4, p50 rank 50 → 49, p95 rank 95 → 94.
    let v: Vec<f64> = (0..100).map(f64::from).collect();
    let d = Dist::of(&v).unwrap();
    assert_eq!((d.p5, d.p50, d.p95, d.max), (4.0, 49.0, 94.0, 99.0));
}

#[test]
fn a_single_step_loop_is_split_by_step() {
    // Input ones [2, 4]: spikes at rate 1. Each step: fc 2·4·2 + 2 = 18 ACs, sn numel [2, 2] = 4 ACs;
    // per sample 9 + 2. Zero weights: sn's input is 0, so it never fires: rate 0, all dead.
    let xs = Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap();
    let report = Session::new().time_resolved(true).count(&looped(), &xs, |n, xs| n.forward(xs)).unwrap();
    let time = report.time.unwrap();
    assert_eq!(time.ops_per_step, [StepOps { total: 11.0, acs: 11.0, macs: 0.0 }; 2]);
    assert_eq!(time.rate_per_step, [0.0, 0.0]);
    let sn = time.layers.iter().find(|l| l.path == "sn").unwrap();
    assert_eq!((sn.dead_fraction, sn.saturated_fraction, sn.neurons), (Some(1.0), Some(0.0), Some(2)));
    // Every sample books (9 + 2) · 2 = 22 ACs.
    assert_eq!(time.per_sample_acs.unwrap().max, 22.0);
}

#[test]
fn time_resolved_ops_follow_the_exact_convention() {
    // Input ones [2, 4] under the exact convention: fc has nnz 8 × 2 outputs = 16 events + 4 bias
    // = 20 ACs per step (10 per sample); the neuron does membrane updates, no ACs. Two steps.
    let xs = Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap();
    let session = Session::new().time_resolved(true).convention(Convention::Exact);
    let report = session.count(&looped(), &xs, |n, xs| n.forward(xs)).unwrap();
    let time = report.time.unwrap();
    assert_eq!(report.per_sample.acs, 20.0);
    assert_eq!(report.per_sample.membrane_updates, Some(4.0));
    assert_eq!(time.ops_per_step.iter().map(|s| s.acs).collect::<Vec<_>>(), [10.0, 10.0]);
    assert_eq!(time.ops_per_step.iter().map(|s| s.acs).sum::<f64>(), report.per_sample.acs);
}
