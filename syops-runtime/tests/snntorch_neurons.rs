//! snnTorch's neurons (`syops_runtime::neuron::{Leaky, ...}`) against snnTorch 1.0's own traces,
//! step for step, and counted like spikingjelly's neurons in each convention.
//!
//! `fixtures/snntorch/make_traces.py` ran each neuron in snnTorch (25 settings: fixed and learnable
//! constants, every reset mechanism, `reset_delay` on and off, `[N, F]` and conv-shaped
//! `[N, C, H, W]` inputs) in float64 and float32 and wrote its state dict, inputs and every step's
//! spikes and states. Here each neuron is loaded from that state dict (and, where the settings
//! are scalars, built from its config too), runs the same steps, is reset (`syops::reset`), runs a
//! second batch of another size, is reset again and runs a third of the second's size (snnTorch
//! reset by `utils.reset`, as NeuroBench does: RSynaptic keeps its last spikes), and must match:
//! float64 within 1e-12 (relative to max(1, |x|)), float32 within 1e-5 with equal spikes but where
//! a membrane sits within 1e-6 of the threshold.
use std::collections::HashMap;
use std::sync::OnceLock;

use candle::{DType, Device, IndexOp, Module, Tensor};
use candle_nn::VarBuilder;
use serde_json::Value;
use syops_macros::count;
use syops_runtime::convention::Convention;
use syops_runtime::model::{reset, Layer};
use syops_runtime::neuron::*;
use syops_runtime::nn::Linear;
use syops_runtime::Session;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/snntorch");

struct Fixture {
    cases: Vec<Value>,
    tensors: HashMap<String, Tensor>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let cases: Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{DIR}/cases.json")).unwrap()).unwrap();
        let tensors = candle::safetensors::load(format!("{DIR}/traces.safetensors"), &Device::Cpu).unwrap();
        Fixture { cases: cases["cases"].as_array().unwrap().clone(), tensors }
    })
}

/// One of the six neurons.
enum Neuron {
    Leaky(Leaky),
    Synaptic(Synaptic),
    Alpha(Alpha),
    Lapicque(Lapicque),
    RLeaky(RLeaky),
    RSynaptic(RSynaptic),
}

/// A keyword argument of the snnTorch constructor (`None` when absent or a tensor).
fn num(kw: &Value, name: &str) -> Option<f64> {
    kw.get(name).and_then(Value::as_f64)
}

fn flag(kw: &Value, name: &str, default: bool) -> bool {
    kw.get(name).and_then(Value::as_bool).unwrap_or(default)
}

fn spiking(kw: &Value, default_reset: ResetMechanism) -> SpikingConfig {
    let reset = match kw.get("reset_mechanism").and_then(Value::as_str) {
        Some("subtract") => ResetMechanism::Subtract,
        Some("zero") => ResetMechanism::Zero,
        Some("none") => ResetMechanism::None,
        _ => default_reset,
    };
    SpikingConfig {
        threshold: num(kw, "threshold").unwrap_or(1.0),
        learn_threshold: flag(kw, "learn_threshold", false),
        reset_mechanism: reset,
        graded_spikes_factor: num(kw, "graded_spikes_factor").unwrap_or(1.0),
        learn_graded_spikes_factor: flag(kw, "learn_graded_spikes_factor", false),
    }
}

fn recurrent(kw: &Value) -> RecurrentConfig {
    if !flag(kw, "all_to_all", true) {
        return RecurrentConfig::OneToOne { v: num(kw, "V").unwrap_or(1.0) };
    }
    match kw.get("linear_features").and_then(Value::as_u64) {
        Some(f) => RecurrentConfig::Linear { features: f as usize },
        None => {
            let k = kw["kernel_size"].as_u64().unwrap() as usize;
            RecurrentConfig::Conv2d { channels: kw["conv2d_channels"].as_u64().unwrap() as usize, kernel_size: [k, k] }
        }
    }
}

impl Neuron {
    /// The case's neuron, loaded from `vb` or, without one, built from its config.
    fn build(case: &Value, vb: Option<VarBuilder>) -> candle::Result<Self> {
        let kw = &case["kwargs"];
        let (alpha, beta) = (num(kw, "alpha").unwrap_or(0.0), num(kw, "beta").unwrap_or(0.0));
        let sub = spiking(kw, ResetMechanism::Subtract);
        let delay = flag(kw, "reset_delay", true);
        Ok(match case["neuron"].as_str().unwrap() {
            "Leaky" => {
                let cfg = LeakyConfig { spiking: sub, ..LeakyConfig::new(beta) }
                    .learn_beta(flag(kw, "learn_beta", false))
                    .reset_delay(delay);
                Neuron::Leaky(match vb {
                    Some(vb) => Leaky::load(cfg, vb)?,
                    None => Leaky::new(cfg)?,
                })
            }
            "Synaptic" => {
                let cfg = SynapticConfig { spiking: sub, ..SynapticConfig::new(alpha, beta) }
                    .learn_alpha(flag(kw, "learn_alpha", false))
                    .learn_beta(flag(kw, "learn_beta", false))
                    .reset_delay(delay);
                Neuron::Synaptic(match vb {
                    Some(vb) => Synaptic::load(cfg, vb)?,
                    None => Synaptic::new(cfg)?,
                })
            }
            "Alpha" => {
                let cfg = AlphaConfig { spiking: spiking(kw, ResetMechanism::Zero), ..AlphaConfig::new(alpha, beta) }
                    .learn_beta(flag(kw, "learn_beta", false));
                Neuron::Alpha(match vb {
                    Some(vb) => Alpha::load(cfg, vb)?,
                    None => Alpha::new(cfg)?,
                })
            }
            "Lapicque" => {
                let cfg = LapicqueConfig {
                    beta: num(kw, "beta"),
                    r: num(kw, "R"),
                    c: num(kw, "C"),
                    time_step: num(kw, "time_step").unwrap_or(1.0),
                    learn_beta: flag(kw, "learn_beta", false),
                    spiking: sub,
                };
                Neuron::Lapicque(match vb {
                    Some(vb) => Lapicque::load(cfg, vb)?,
                    None => Lapicque::new(cfg)?,
                })
            }
            "RLeaky" => {
                let cfg = RLeakyConfig { spiking: sub, ..RLeakyConfig::new(beta, recurrent(kw)) }
                    .learn_beta(flag(kw, "learn_beta", false))
                    .learn_recurrent(flag(kw, "learn_recurrent", true))
                    .reset_delay(delay);
                Neuron::RLeaky(match vb {
                    Some(vb) => RLeaky::load(cfg, vb)?,
                    None => RLeaky::new(cfg)?,
                })
            }
            "RSynaptic" => {
                let cfg = RSynapticConfig { spiking: sub, ..RSynapticConfig::new(alpha, beta, recurrent(kw)) }
                    .learn_alpha(flag(kw, "learn_alpha", false))
                    .learn_beta(flag(kw, "learn_beta", false))
                    .learn_recurrent(flag(kw, "learn_recurrent", true));
                Neuron::RSynaptic(match vb {
                    Some(vb) => RSynaptic::load(cfg, vb)?,
                    None => RSynaptic::new(cfg)?,
                })
            }
            other => panic!("unknown neuron {other}"),
        })
    }

    /// One step: the spikes, then the states in snnTorch's order (make_traces.py's `STATES`).
    fn step(&self, xs: &Tensor) -> Vec<Tensor> {
        let out = match self {
            Neuron::Leaky(n) => n.forward_with_state(xs).map(|(s, m)| vec![s, m]),
            Neuron::Synaptic(n) => n.forward_with_state(xs).map(|(s, y, m)| vec![s, y, m]),
            Neuron::Alpha(n) => n.forward_with_state(xs).map(|(s, e, i, m)| vec![s, e, i, m]),
            Neuron::Lapicque(n) => n.forward_with_state(xs).map(|(s, m)| vec![s, m]),
            Neuron::RLeaky(n) => n.forward_with_state(xs).map(|(s, m)| vec![s, m]),
            Neuron::RSynaptic(n) => n.forward_with_state(xs).map(|(s, y, m)| vec![s, y, m]),
        };
        out.unwrap()
    }

    fn layer(&self) -> &dyn Layer {
        match self {
            Neuron::Leaky(n) => n,
            Neuron::Synaptic(n) => n,
            Neuron::Alpha(n) => n,
            Neuron::Lapicque(n) => n,
            Neuron::RLeaky(n) => n,
            Neuron::RSynaptic(n) => n,
        }
    }
}

fn states(neuron: &str) -> &'static [&'static str] {
    match neuron {
        "Synaptic" | "RSynaptic" => &["spk", "syn", "mem"],
        "Alpha" => &["spk", "syn_exc", "syn_inh", "mem"],
        _ => &["spk", "mem"],
    }
}

/// Trainable elements of a layer and its descendants.
fn params(layer: &dyn Layer) -> usize {
    let mut n = 0;
    layer.params(&mut |t| n += t.elem_count());
    layer.children(&mut |_, child| n += params(child));
    n
}

fn values(t: &Tensor) -> Vec<f64> {
    t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1().unwrap()
}

/// What the comparisons saw, over every case of one dtype.
#[derive(Default)]
struct Tally {
    elements: usize,
    identical: usize,
    max_diff: f64,
    near_threshold_flips: Vec<String>,
    /// Cases with a value that is not bit-identical.
    inexact: std::collections::BTreeSet<String>,
}

/// Runs `neuron` over the case's two runs and compares every step with snnTorch's.
fn check(neuron: &Neuron, case: &Value, tag: &str, dtype: DType, tally: &mut Tally) {
    let fx = fixture();
    let (name, kind) = (case["name"].as_str().unwrap(), case["neuron"].as_str().unwrap());
    let get =
        |key: &str| fx.tensors.get(&format!("{tag}/{name}/{key}")).unwrap_or_else(|| panic!("{tag}/{name}/{key}"));
    let threshold = values(get("sd.threshold"));
    let tol = if dtype == DType::F64 { 1e-12 } else { 1e-5 };
    for run in ["a", "b", "c"] {
        let xs = get(&format!("x_{run}"));
        assert_eq!(xs.dtype(), dtype);
        for t in 0..xs.dim(0).unwrap() {
            let ours = neuron.step(&xs.i(t).unwrap());
            let mem_ref = values(&get(&format!("mem_{run}")).i(t).unwrap());
            for (state, ours) in states(kind).iter().zip(&ours) {
                assert_eq!(ours.dtype(), dtype, "{tag} {name} {state}");
                let theirs = values(&get(&format!("{state}_{run}")).i(t).unwrap());
                let ours = values(ours);
                assert_eq!(ours.len(), theirs.len(), "{tag} {name} {state}: shape");
                for (i, (a, b)) in ours.iter().zip(&theirs).enumerate() {
                    tally.elements += 1;
                    if a.to_bits() == b.to_bits() {
                        tally.identical += 1;
                    } else {
                        tally.inexact.insert(name.to_string());
                    }
                    let diff = (a - b).abs() / b.abs().max(1.0);
                    tally.max_diff = tally.max_diff.max(diff);
                    if *state == "spk" && a != b {
                        let th = threshold[i % threshold.len()];
                        let near = dtype == DType::F32 && (mem_ref[i] - th).abs() < 1e-6;
                        assert!(near, "{tag} {name} run {run} step {t}: spike {i} is {a}, snnTorch's {b}");
                        tally.near_threshold_flips.push(format!("{name} run {run} step {t} element {i}"));
                    }
                    assert!(diff <= tol, "{tag} {name} run {run} step {t}: {state}[{i}] = {a}, snnTorch's {b}");
                }
            }
        }
        reset(neuron.layer());
    }
}

fn trace_test(dtype: DType) -> Tally {
    let tag = if dtype == DType::F64 { "f64" } else { "f32" };
    let fx = fixture();
    let mut tally = Tally::default();
    let (mut from_config, mut all_to_all_cases) = (0, Vec::new());
    for case in &fx.cases {
        let name = case["name"].as_str().unwrap();
        let prefix = format!("{tag}/{name}/sd.");
        let sd: HashMap<String, Tensor> = fx
            .tensors
            .iter()
            .filter_map(|(k, v)| k.strip_prefix(&prefix).map(|k| (k.to_string(), v.clone())))
            .collect();
        let trainable: usize =
            case["trainable"].as_array().unwrap().iter().map(|n| sd[n.as_str().unwrap()].elem_count()).sum();
        let neuron = Neuron::build(case, Some(VarBuilder::from_tensors(sd, dtype, &Device::Cpu))).unwrap();
        assert_eq!(params(neuron.layer()), trainable, "{name}: trainable elements");
        check(&neuron, case, tag, dtype, &mut tally);
        // Built from its settings: the same numbers (float32 constants, as `torch.as_tensor` makes them).
        let kw = case["kwargs"].as_object().unwrap();
        let all_to_all = case["neuron"].as_str().unwrap().starts_with('R') && flag(&case["kwargs"], "all_to_all", true);
        if all_to_all {
            all_to_all_cases.push(name.to_string());
        } else if !kw.values().any(|v| v == "tensor") {
            check(&Neuron::build(case, None).unwrap(), case, tag, dtype, &mut tally);
            from_config += 1;
        }
    }
    assert_eq!(from_config, 16, "cases also built from their config");
    // Element-wise steps are the same IEEE operations in the same order: bit-identical. Only a
    // recurrent Linear or Conv2d sums in another order than PyTorch's kernels (within 1e-12 in
    // float64, 1e-5 in float32).
    let elementwise: Vec<&String> = tally.inexact.iter().filter(|n| !all_to_all_cases.contains(n)).collect();
    assert!(elementwise.is_empty(), "{tag}: not bit-identical in {elementwise:?}");
    println!(
        "{tag}: {} cases, {} values, {} bit-identical (not in {:?}), max relative difference {:e}, {} spike(s) flipped within 1e-6 of the threshold: {:?}",
        fx.cases.len(),
        tally.elements,
        tally.identical,
        tally.inexact,
        tally.max_diff,
        tally.near_threshold_flips.len(),
        tally.near_threshold_flips
    );
    tally
}

#[test]
fn float64_traces_match_snntorch_step_for_step() {
    let tally = trace_test(DType::F64);
    assert!(tally.elements > 20_000, "{}", tally.elements);
}

#[test]
fn float32_traces_match_snntorch_step_for_step() {
    let tally = trace_test(DType::F32);
    assert!(tally.elements > 20_000, "{}", tally.elements);
}

/// A linear layer and a neuron (`lif` or `rlif`) called once per time step on `[N, T, 3]` inputs.
#[count(crate = syops_runtime)]
struct Net {
    fc: Linear,
    lif: Option<Leaky>,
    rlif: Option<RLeaky>,
    if_node: Option<IfNode>,
}

#[count(crate = syops_runtime)]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let mut steps = Vec::new();
        for t in 0..xs.dim(1)? {
            let h = self.fc.forward(&xs.i((.., t))?.contiguous()?)?;
            steps.push(match &self.lif {
                Some(lif) => lif.forward(&h)?,
                None => match &self.rlif {
                    Some(rlif) => rlif.forward(&h)?,
                    None => match &self.if_node {
                        Some(if_node) => if_node.forward(&h)?,
                        None => h,
                    },
                },
            });
        }
        Tensor::stack(&steps, 0)
    }
}

fn tensor(values: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(values, shape, &Device::Cpu).unwrap()
}

/// `fc` picks the first two inputs (`[[1, 0, 0], [0, 1, 0]]`, zero bias), so one sample of two
/// steps `[0.5, 1.5, 0.2]`, `[0.5, 0.2, 0.3]` charges the neurons with `[0.5, 1.5]`, then `[0.5, 0.2]`.
fn net(lif: Option<Leaky>, rlif: Option<RLeaky>) -> Net {
    let fc = Linear::from_tensors(tensor(&[1., 0., 0., 0., 1., 0.], &[2, 3]), Some(tensor(&[0., 0.], &[2])));
    Net { fc, lif, rlif, if_node: None }
}

fn sample() -> Tensor {
    tensor(&[0.5, 1.5, 0.2, 0.5, 0.2, 0.3], &[1, 2, 3])
}

#[test]
fn a_leaky_neuron_is_counted_like_spikingjellys_in_both_conventions() {
    // Leaky(beta=0.5), threshold 1, subtract with delay. Step 0: mem = [0.5, 1.5] → spikes [0, 1].
    // Step 1: reset [0, 1] from the previous membrane; mem = 0.5·[0.5, 1.5] + [0.5, 0.2] − [0, 1]
    // = [0.75, −0.05] → no spike.
    let model = net(Some(Leaky::new(LeakyConfig::new(0.5)).unwrap()), None);
    let out = model.forward(&sample()).unwrap();
    assert_eq!(values(&out), [0., 1., 0., 0.]);
    reset(&model);

    // syops 0.0.5: fc's input is analog: dense 3·2 + 2 = 8 MACs per call, 2 calls. The neuron adds
    // its input's 2 elements to ACs per call: 4; its rate column is output[0]'s: 50 % then 0 %.
    let r = Session::new().count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
    let (fc, lif) = (r.layer("fc").unwrap(), r.layer("lif").unwrap());
    assert_eq!((lif.type_name.as_str(), lif.params, lif.stats.calls), ("Leaky", 0, 2));
    assert_eq!((fc.stats.sum_macs, fc.stats.sum_acs), (16, 0.0));
    assert_eq!((lif.stats.sum_total, lif.stats.sum_acs, lif.stats.sum_rate_pct), (4, 4.0, 50.0));
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.params), (4.0, 16.0, 8));

    // Exact: fc 6 pairs + 2 bias = 8 MACs per call; the neuron 2 membrane updates per call, no ACs.
    let r = Session::new().convention(Convention::Exact).count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
    let lif = r.layer("lif").unwrap().stats.exact.unwrap();
    assert_eq!((lif.acs, lif.macs, lif.membrane_updates), (0, 0, 4));
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.membrane_updates), (0.0, 16.0, Some(4.0)));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

/// `net` with `rlif`: an RLeaky loaded with `cfg` from a state dict of beta 0.5, threshold 1,
/// subtract reset, and a Linear(2, 2) recurrence that swaps the neurons (`[[0, 1], [1, 0]]`, bias 0).
fn rleaky_net(cfg: RLeakyConfig) -> Net {
    let sd = HashMap::from([
        ("rlif.beta".to_string(), Tensor::new(0.5f32, &Device::Cpu).unwrap()),
        ("rlif.threshold".to_string(), Tensor::new(1f32, &Device::Cpu).unwrap()),
        ("rlif.graded_spikes_factor".to_string(), Tensor::new(1f32, &Device::Cpu).unwrap()),
        ("rlif.reset_mechanism_val".to_string(), Tensor::new(0i64, &Device::Cpu).unwrap()),
        ("rlif.recurrent.weight".to_string(), tensor(&[0., 1., 1., 0.], &[2, 2])),
        ("rlif.recurrent.bias".to_string(), tensor(&[0., 0.], &[2])),
    ]);
    let vb = VarBuilder::from_tensors(sd, DType::F32, &Device::Cpu);
    net(None, Some(RLeaky::load(cfg, vb.pp("rlif")).unwrap()))
}

#[test]
fn a_recurrent_neurons_recurrent_layer_is_a_synaptic_layer_of_its_own() {
    // RLeaky(beta=0.5) with a learnable Linear(2, 2) recurrence that swaps the neurons
    // (`[[0, 1], [1, 0]]`, bias 0). Step 0 as the Leaky's (its recurrent input is zeros): spikes
    // [0, 1]. Step 1: the recurrence brings [1, 0]: mem = [0.25 + 0.5 + 1, 0.75 + 0.2 + 0 − 1]
    // = [1.75, −0.05] → spikes [1, 0].
    let model = rleaky_net(RLeakyConfig::new(0.9, RecurrentConfig::Linear { features: 2 }));
    assert_eq!(values(&model.forward(&sample()).unwrap()), [0., 1., 1., 0.]);
    reset(&model);

    // syops 0.0.5: `rlif.recurrent` is a Linear of its own, dense 2·2 + 2 = 6 per call, on spikes:
    // zeros (rate 0) then [0, 1] (rate 0.5): 3 ACs. Its 6 parameters count (learn_recurrent).
    let r = Session::new().count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
    let paths: Vec<&str> = r.layers.iter().map(|l| l.path.as_str()).collect();
    assert_eq!(paths, ["fc", "rlif", "rlif.recurrent"]);
    let rec = r.layer("rlif.recurrent").unwrap();
    assert_eq!((rec.type_name.as_str(), rec.params, rec.stats.calls), ("Linear", 6, 2));
    assert_eq!((rec.stats.sum_total, rec.stats.sum_acs, rec.stats.sum_macs), (12, 3.0, 0));
    assert_eq!((r.per_sample.acs, r.params), (4.0 + 3.0, 8 + 6));

    // Exact: nnz(spikes)·2 events + 2 bias ACs per call: (0 + 2) + (2 + 2) = 6 ACs.
    let r = Session::new().convention(Convention::Exact).count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
    let rec = r.layer("rlif.recurrent").unwrap().stats.exact.unwrap();
    assert_eq!((rec.acs, rec.macs), (6, 0));
    assert_eq!(r.layer("rlif").unwrap().stats.exact.unwrap().membrane_updates, 4);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

fn leaky_state_dict(reset_mechanism: i64) -> VarBuilder<'static> {
    let sd = HashMap::from([
        ("lif.beta".to_string(), tensor(&[0.5, 0.9], &[2])),
        ("lif.threshold".to_string(), Tensor::new(1f32, &Device::Cpu).unwrap()),
        ("lif.graded_spikes_factor".to_string(), Tensor::new(1f32, &Device::Cpu).unwrap()),
        ("lif.reset_mechanism_val".to_string(), Tensor::new(reset_mechanism, &Device::Cpu).unwrap()),
    ]);
    VarBuilder::from_tensors(sd, DType::F32, &Device::Cpu)
}

#[test]
fn bad_settings_and_state_dicts_are_refused_with_what_and_where() {
    let err = |r: candle::Result<Leaky>| r.unwrap_err().to_string();
    // The state dict's reset mechanism (1, zero) is not the configured one.
    let e = err(Leaky::load(LeakyConfig::new(0.9), leaky_state_dict(1).pp("lif")));
    assert!(e.contains("`lif`") && e.contains("reset_mechanism_val") && e.contains("subtract"), "{e}");
    let e = err(Leaky::load(LeakyConfig::new(0.9), leaky_state_dict(0).pp("other")));
    assert!(e.contains("`other`") && e.contains("beta"), "{e}");
    // A per-neuron beta of 2 does not broadcast to 3 neurons.
    let lif = Leaky::load(LeakyConfig::new(0.9), leaky_state_dict(0).pp("lif")).unwrap();
    let e = lif.forward(&Tensor::ones((1, 3), DType::F32, &Device::Cpu).unwrap()).unwrap_err().to_string();
    assert!(e.contains("`beta` of shape [2]") && e.contains("[1, 3]"), "{e}");
    let e = lif.forward(&Tensor::ones((1, 2), DType::U32, &Device::Cpu).unwrap()).unwrap_err().to_string();
    assert!(e.contains("Leaky") && e.contains("float"), "{e}");
    // A state of another dtype: reset between runs.
    lif.forward(&Tensor::ones((1, 2), DType::F32, &Device::Cpu).unwrap()).unwrap();
    let e = lif.forward(&Tensor::ones((1, 2), DType::F64, &Device::Cpu).unwrap()).unwrap_err().to_string();
    assert!(e.contains("reset the neuron"), "{e}");

    let e = Alpha::new(AlphaConfig::new(0.5, 0.8)).unwrap_err().to_string();
    assert!(e.contains("alpha must be greater than beta"), "{e}");
    assert!(Lapicque::new(LapicqueConfig::resistance_capacitance(1.0, 2.0)).is_ok());
    let e = Lapicque::new(LapicqueConfig::beta(0.9).r(1.0).c(2.0)).unwrap_err().to_string();
    assert!(e.contains("two of beta, R and C"), "{e}");
    let e = RLeaky::new(RLeakyConfig::new(0.9, RecurrentConfig::Linear { features: 4 })).unwrap_err().to_string();
    assert!(e.contains("needs its weights") && e.contains("load"), "{e}");
    let even = RecurrentConfig::Conv2d { channels: 1, kernel_size: [2, 2] };
    let e = RLeaky::load(RLeakyConfig::new(0.9, even), leaky_state_dict(0).pp("lif")).unwrap_err().to_string();
    assert!(e.contains("must be odd"), "{e}");
}

#[test]
fn a_batch_of_another_shape_starts_from_rest_as_in_snntorch() {
    // snnTorch zeroes a state whose shape is not the input's.
    let lif = Leaky::new(LeakyConfig::new(0.5)).unwrap();
    let (two, one) = (tensor(&[0.8, 0.8], &[1, 2]), tensor(&[0.8], &[1, 1]));
    let (_, mem) = lif.forward_with_state(&two).unwrap();
    assert_eq!(values(&mem), [0.800000011920929, 0.800000011920929]);
    let (_, mem) = lif.forward_with_state(&two).unwrap();
    assert_eq!(values(&mem), [1.2000000476837158, 1.2000000476837158]); // 0.5 · 0.8 + 0.8
    let (_, mem) = lif.forward_with_state(&one).unwrap();
    assert_eq!(values(&mem), [0.800000011920929]);
    reset(&lif);
    assert!(lif.mem().is_none());
    // Params: the learnable constants only; a clone starts at rest.
    let learnable = Leaky::new(LeakyConfig::new(0.5).learn_beta(true).learn_threshold(true)).unwrap();
    assert_eq!((params(&lif), params(&learnable)), (0, 2));
    lif.forward(&two).unwrap();
    assert!(lif.clone().mem().is_none() && lif.mem().is_some());
}

/// One sample of three steps: neuron 0 is never charged, neuron 1 gets 1.5, 0.2, 0.3.
fn quiet_sample() -> Tensor {
    tensor(&[0., 1.5, 0., 0., 0.2, 0., 0., 0.3, 0.], &[1, 3, 3])
}

#[test]
fn snntorch_and_spikingjelly_neurons_are_counted_alike_in_each_convention() {
    // Leaky(beta=0.5): mem [0, 1.5] → spikes [0, 1]; [0, 0.75 + 0.2 − 1 = −0.05]; [0, −0.025 + 0.3
    // = 0.275]. IFNode (hard reset to 0): v [0, 1.5] → spikes [0, 1], v [0, 0]; [0, 0.2]; [0, 0.5].
    // The same spikes; neuron 0's membrane never changes in either. (NeuroBench 2.3 on this net in
    // snnTorch, two batches of this sample: MembraneUpdates 4.0, ActivationSparsity 0.8333.)
    let leaky = net(Some(Leaky::new(LeakyConfig::new(0.5)).unwrap()), None);
    let if_node = Net { if_node: Some(IfNode::new()), ..net(None, None) };
    let spikes = [0., 1., 0., 0., 0., 0.];
    assert_eq!(values(&leaky.forward(&quiet_sample()).unwrap()), spikes);
    assert_eq!(values(&if_node.forward(&quiet_sample()).unwrap()), spikes);
    reset(&leaky);
    reset(&if_node);
    let batches = [quiet_sample(), quiet_sample()];
    let count = |model: &Net, convention| {
        let r = Session::new().convention(convention).count_batches(model, &batches, |m, xs| m.forward(xs)).unwrap();
        assert!(r.warnings.is_empty(), "{:?}", r.warnings);
        r
    };
    for convention in [Convention::Syops005, Convention::Exact, Convention::NeuroBench] {
        let (a, b) = (count(&leaky, convention), count(&if_node, convention));
        let (la, lb) = (a.layer("lif").unwrap(), b.layer("if_node").unwrap());
        let ctx = format!("{convention:?}");
        assert_eq!((la.type_name.as_str(), lb.type_name.as_str()), ("Leaky", "IFNode"), "{ctx}");
        assert_eq!(la.stats.calls, lb.stats.calls, "{ctx}");
        assert_eq!(
            (la.stats.sum_total, la.stats.sum_acs, la.stats.sum_macs),
            (lb.stats.sum_total, lb.stats.sum_acs, lb.stats.sum_macs),
            "{ctx}"
        );
        assert_eq!(la.stats.sum_rate_pct, lb.stats.sum_rate_pct, "{ctx}");
        assert_eq!(la.stats.exact, lb.stats.exact, "{ctx}");
        assert_eq!(la.stats.neurobench, lb.stats.neurobench, "{ctx}");
        assert_eq!(a.per_sample, b.per_sample, "{ctx}");
        assert_eq!(
            a.neurobench.as_ref().map(|n| n.membrane_updates),
            b.neurobench.as_ref().map(|n| n.membrane_updates)
        );
        match convention {
            // syops 0.0.5: the input's 2 elements to ACs per call, 3 calls per batch.
            Convention::Syops005 => assert_eq!((la.stats.sum_total, la.stats.sum_acs), (12, 12.0)),
            // Exact: one membrane update per input element.
            Convention::Exact => assert_eq!(la.stats.exact.unwrap().membrane_updates, 12),
            // NeuroBench: per batch, the first call updates both neurons, each later call only
            // neuron 1 (whose membrane changed): 2 + 1 + 1; one spike of 6 outputs.
            Convention::NeuroBench => {
                let nb = la.stats.neurobench.unwrap();
                assert_eq!((nb.membrane_updates, nb.activation_nonzero, nb.activation_numel), (8, 2, 12));
                let m = a.neurobench.as_ref().unwrap();
                assert_eq!(m.membrane_updates, 4.0);
                assert!((m.activation_sparsity.unwrap() - 5.0 / 6.0).abs() < 1e-12);
            }
        }
    }
}

#[test]
fn neurobench_footprint_counts_an_snntorch_neurons_buffers() {
    // Leaky(0.5): beta, threshold, graded_spikes_factor (float32, 4 bytes each) and
    // reset_mechanism_val (int64, 8 bytes), as NeuroBench's Footprint reads snnTorch's buffers; fc:
    // 6 weights and 2 biases. A learnable beta is a parameter instead.
    let fixed = net(Some(Leaky::new(LeakyConfig::new(0.5)).unwrap()), None);
    let learnable = net(Some(Leaky::new(LeakyConfig::new(0.5).learn_beta(true)).unwrap()), None);
    let statics = |model: &Net| {
        let r =
            Session::new().convention(Convention::NeuroBench).count(model, &sample(), |m, xs| m.forward(xs)).unwrap();
        r.neurobench.unwrap().statics
    };
    let (f, l) = (statics(&fixed), statics(&learnable));
    assert_eq!((f.footprint, f.parameter_count), (8 * 4 + 3 * 4 + 8, 8));
    assert_eq!((l.footprint, l.parameter_count), (8 * 4 + 3 * 4 + 8, 9));
}

#[test]
fn a_frozen_recurrent_layer_counts_in_neurobenchs_parameters_not_in_syops() {
    // `nn.Sequential(nn.Linear(3, 2), snn.RLeaky(beta=0.5, linear_features=2, learn_recurrent=…))`:
    // fc 6 + 2 parameters; RLeaky's beta, threshold, graded_spikes_factor (float32) and
    // reset_mechanism_val (int64) buffers, 3·4 + 8 bytes; recurrent Linear(2, 2) 4 + 2 parameters.
    // snnTorch freezes the recurrent Linear without learn_recurrent (`requires_grad=False`): syops
    // 0.0.5 counts trainable parameters (8), NeuroBench's ParameterCount and Footprint every
    // `parameters()` (14, and 14·4 + 20 = 76 bytes, as NeuroBench 2.3 reports for both).
    for (learn, syops_params) in [(true, 14), (false, 8)] {
        let cfg = RLeakyConfig::new(0.5, RecurrentConfig::Linear { features: 2 }).learn_recurrent(learn);
        let model = rleaky_net(cfg);
        let r = Session::new().count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
        assert_eq!(r.params, syops_params, "learn_recurrent={learn}: syops' parameters");
        // Frozen or not, the recurrent layer reads its 6 weights: the estimate with memory prices them.
        let rec = r.layer("rlif.recurrent").unwrap();
        assert_eq!((rec.params, rec.frozen_params), if learn { (6, 0) } else { (0, 6) });
        let detail = r.energy_detail.as_ref().unwrap();
        let priced = detail.layers.iter().find(|l| l.path == "rlif.recurrent").unwrap();
        assert_eq!(priced.params, 6, "learn_recurrent={learn}: weights priced");
        assert!(priced.memory_mj > 0.0, "learn_recurrent={learn}: weight reads priced");
        let r =
            Session::new().convention(Convention::NeuroBench).count(&model, &sample(), |m, xs| m.forward(xs)).unwrap();
        let statics = r.neurobench.unwrap().statics;
        assert_eq!((statics.parameter_count, statics.footprint), (14, 76), "learn_recurrent={learn}: NeuroBench");
    }
}
