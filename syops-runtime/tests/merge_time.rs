//! `Report::merge` of time-resolved and static reports: a two-layer spiking model counted over 7
//! samples whole and in 1, 2, 3 and 7 shards (the last uneven), batches of one sample so that the
//! shards batch as the whole run does (under syops 0.0.5's convention a batch's spike test reads
//! its first sample). The merged statistics equal the whole run's: integer counts exactly, float
//! sums within 1e-12, percentiles, rates per step and dead and saturated neurons exactly; and the
//! merge does not depend on the order the shards come in.
use candle::{DType, Device, Module, Tensor};
use candle_nn::Linear;
use syops_macros::count;
use syops_runtime::convention::Convention;
use syops_runtime::count::time::{Dist, NeuronSet, StepOps, TimeStats};
use syops_runtime::count::Rates;
use syops_runtime::neuron::IfNode;
use syops_runtime::report::{Report, Shard};
use syops_runtime::Session;

mod support;
use support::looped;

const SAMPLES: usize = 7;

/// `fc1 (4 → 6) → sn1 → fc2 (6 → 3) → sn2`, single-step, called for 3 steps per batch.
#[count(crate = syops_runtime)]
struct Net {
    fc1: Linear,
    sn1: IfNode,
    fc2: Linear,
    sn2: IfNode,
}

#[count(crate = syops_runtime)]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let mut out = Vec::new();
        for _ in 0..3 {
            let h = self.sn1.forward(&self.fc1.forward(xs)?)?;
            out.push(self.sn2.forward(&self.fc2.forward(&h)?)?);
        }
        Tensor::stack(&out, 0)
    }
}

/// Weights that make `sn1`'s neuron 0 dead (zero weights) and neuron 1 saturated (large ones on
/// positive inputs), the others firing by sample and step.
fn net() -> Net {
    let dev = &Device::Cpu;
    let w1: Vec<f32> = (0..24)
        .map(|i| match i / 4 {
            0 => 0.0,
            1 => 10.0,
            _ => ((i as f32) * 0.91).sin() * 0.9,
        })
        .collect();
    let w2: Vec<f32> = (0..18).map(|i| ((i as f32) * 1.7).cos() * 0.8).collect();
    let linear = |w: Vec<f32>, o: usize, i: usize| {
        Linear::new(Tensor::from_vec(w, (o, i), dev).unwrap(), Some(Tensor::zeros(o, DType::F32, dev).unwrap()))
    };
    Net { fc1: linear(w1, 6, 4), sn1: IfNode::new(), fc2: linear(w2, 3, 6), sn2: IfNode::new() }
}

/// Sample `n` of the 7: positive inputs that differ by sample.
fn sample(n: usize) -> Tensor {
    let v: Vec<f32> = (0..4).map(|j| (((n * 4 + j) as f32) * 0.37).sin().abs() + 0.05).collect();
    Tensor::from_vec(v, (1, 4), &Device::Cpu).unwrap()
}

fn count(session: &Session, samples: std::ops::Range<usize>) -> Report {
    session.count_batches(&net(), samples.map(sample), Net::forward).unwrap()
}

/// Shard `i` of `n`, as `cargo syops zoo --shard i/n` splits: `[i·7/n, (i+1)·7/n)`.
fn shard(session: &Session, i: usize, n: usize) -> Report {
    let mut report = count(session, i * SAMPLES / n..(i + 1) * SAMPLES / n);
    report.shard = Some(Shard { index: i, count: n, samples: SAMPLES, dataset: "0123".into() });
    report
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12 * a.abs().max(b.abs()), "{what}: {a} against {b}");
}

fn same_dist(a: Option<Dist>, b: Option<Dist>, what: &str) {
    match (a, b) {
        (Some(a), Some(b)) => {
            assert_eq!((a.samples, a.p5, a.p50, a.p95, a.max), (b.samples, b.p5, b.p50, b.p95, b.max), "{what}");
            close(a.mean, b.mean, what);
        }
        _ => assert_eq!(a, b, "{what}"),
    }
}

fn same_ops(a: &[StepOps], b: &[StepOps], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}");
    for (x, y) in a.iter().zip(b) {
        close(x.total, y.total, what);
        close(x.acs, y.acs, what);
        close(x.macs, y.macs, what);
    }
}

fn assert_same_time(merged: &TimeStats, whole: &TimeStats, what: &str) {
    assert_eq!((merged.samples, &merged.rate_per_step), (whole.samples, &whole.rate_per_step), "{what}");
    same_ops(&merged.ops_per_step, &whole.ops_per_step, what);
    same_dist(merged.per_sample_rate, whole.per_sample_rate, &format!("{what}: rate"));
    same_dist(merged.per_sample_acs, whole.per_sample_acs, &format!("{what}: ACs"));
    same_dist(merged.per_sample_macs, whole.per_sample_macs, &format!("{what}: MACs"));
    let (mv, wv) = (merged.values.as_ref().unwrap(), whole.values.as_ref().unwrap());
    assert_eq!(mv, wv, "{what}: the model's per-sample values");
    assert_eq!(merged.layers.len(), whole.layers.len(), "{what}");
    for (m, w) in merged.layers.iter().zip(&whole.layers) {
        let at = format!("{what}: `{}`", m.path);
        assert_eq!((&m.path, &m.type_name, &m.rate_per_step), (&w.path, &w.type_name, &w.rate_per_step), "{at}");
        assert_eq!(
            (m.neurons, m.dead_fraction, m.saturated_fraction),
            (w.neurons, w.dead_fraction, w.saturated_fraction)
        );
        same_ops(&m.ops_per_step, &w.ops_per_step, &at);
        same_dist(m.per_sample_rate, w.per_sample_rate, &at);
        same_dist(m.per_sample_acs, w.per_sample_acs, &at);
        same_dist(m.per_sample_macs, w.per_sample_macs, &at);
        let (mv, wv) = (m.values.as_ref().unwrap(), w.values.as_ref().unwrap());
        let exact = |v: &syops_runtime::count::time::LayerValues| {
            (v.sample_acs.clone(), v.sample_macs.clone(), v.sample_rate.clone(), v.dead.clone(), v.saturated.clone())
        };
        assert_eq!(exact(mv), exact(wv), "{at}: per-sample values and neuron sets");
        assert_eq!((&mv.step_spikes, &mv.step_outputs), (&wv.step_spikes, &wv.step_outputs), "{at}");
    }
}

#[test]
fn time_resolved_shards_merge_into_the_whole_run() {
    for convention in [Convention::Syops005, Convention::Exact] {
        let session = Session::new().convention(convention).time_resolved(true);
        let whole = count(&session, 0..SAMPLES);
        let time = whole.time.as_ref().unwrap();
        let sn1 = &time.layers.iter().find(|l| l.path == "sn1").unwrap();
        // The test means something: neurons dead and saturated, and samples that differ.
        let (dead, saturated) = (sn1.dead_fraction.unwrap(), sn1.saturated_fraction.unwrap());
        assert!(sn1.neurons == Some(6) && dead >= 1.0 / 6.0 && saturated >= 1.0 / 6.0 && dead + saturated < 1.0);
        let acs = time.per_sample_acs.unwrap();
        assert!(acs.p5 < acs.max && time.samples == 7, "{acs:?}");
        for n in [1, 2, 3, 7] {
            let what = format!("{convention:?}, {n} shard(s)");
            let shards: Vec<Report> = (0..n).map(|i| shard(&session, i, n)).collect();
            let merged = Report::merge(&shards).unwrap();
            assert_eq!((merged.batch_counter, merged.batches), (7, 7), "{what}");
            for (m, w) in merged.layers.iter().zip(&whole.layers) {
                assert_eq!(
                    (m.stats.calls, m.stats.sum_total, m.stats.sum_macs),
                    (w.stats.calls, w.stats.sum_total, w.stats.sum_macs)
                );
                close(m.stats.sum_acs, w.stats.sum_acs, &what);
            }
            assert_same_time(merged.time.as_ref().unwrap(), time, &what);
            let mut reversed = shards.clone();
            reversed.reverse();
            assert_eq!(Report::merge(&reversed).unwrap().to_json(), merged.to_json(), "{what}: order");
            // The values survive the report's JSON.
            let read: Vec<Report> = shards.iter().map(|r| Report::from_json(&r.to_json()).unwrap()).collect();
            assert_eq!(Report::merge(&read).unwrap(), merged, "{what}: through JSON");
        }
    }
}

#[test]
fn time_resolved_reports_without_their_values_are_refused() {
    let session = Session::new().time_resolved(true);
    let mut shards: Vec<Report> = (0..2).map(|i| shard(&session, i, 2)).collect();
    shards[1].time.as_mut().unwrap().values = None;
    let err = Report::merge(&shards).unwrap_err().to_string();
    assert!(err.contains("report 1 keep no per-sample values") && err.contains("schema version 4"), "{err}");
    // A neuron layer of another size in one shard: its dead and saturated fractions left out, said so.
    let mut shards: Vec<Report> = (0..2).map(|i| shard(&session, i, 2)).collect();
    let sn1 = shards[1].time.as_mut().unwrap().layers.iter_mut().find(|l| l.path == "sn1").unwrap();
    sn1.values.as_mut().unwrap().dead = Some(NeuronSet::from_flags(&[0; 5]));
    let merged = Report::merge(&shards).unwrap();
    let sn1 = merged.time.as_ref().unwrap().layers.iter().find(|l| l.path == "sn1").unwrap();
    assert_eq!((sn1.neurons, sn1.dead_fraction, sn1.saturated_fraction), (None, None, None));
    let warning = "neuron layer `sn1` has 6 neurons in reports before report 1 and 5 in it";
    assert!(merged.warnings.iter().any(|w| w.contains(warning)), "{:?}", merged.warnings);
    let plain = shard(&Session::new(), 1, 2);
    let err = Report::merge(&[shards[0].clone(), plain]).unwrap_err().to_string();
    assert!(err.contains("time-resolved statistics) present"), "{err}");
}

#[test]
fn static_counts_merge_when_they_assume_the_same_rates() {
    let count = |rates: Rates, index: usize| {
        let mut r = Session::new()
            .assumed_rates(rates)
            .count_static(&looped(), &[1, 4], DType::F32, &Device::Cpu, |m, xs| m.forward(xs))
            .unwrap();
        r.shard = Some(Shard { index, count: 2, samples: 2, dataset: "00".into() });
        r
    };
    let rates = || Rates::new().default(0.25).analog("fc");
    let merged = Report::merge(&[count(rates(), 1), count(rates(), 0)]).unwrap();
    let one = count(rates(), 0);
    assert_eq!((merged.batch_counter, merged.assumed_rates.as_ref()), (2, Some(&rates())));
    assert_eq!(merged.per_sample, one.per_sample);
    let refused = |other: Rates, expect: &str| {
        let err = Report::merge(&[count(rates(), 0), count(other, 1)]).unwrap_err().to_string();
        assert!(err.contains(expect), "expected `{expect}` in: {err}");
    };
    refused(Rates::new().default(0.5).analog("fc"), "assumed default rate Some(0.5) against Some(0.25)");
    refused(Rates::new().default(0.25).set("fc", 0.1), "assumed rate 0: `fc` at 0.1 against `fc` analog");
    refused(Rates::new().default(0.25).analog("fc").set("sn", 1.0), "assumed rate 1: `sn` at 1 against none");
}
