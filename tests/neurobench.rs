//! NeuroBench 2.3's metrics, as `tests/neurobench/make_fixtures.py` recorded them with NeuroBench's
//! own `Benchmark`, against candle ports counted under `Convention::NeuroBench`.
//!
//! Float64 (the judge): every integer count exactly (Footprint, ParameterCount, the per-layer
//! effective ACs, effective MACs and Dense that NeuroBench's `single_layer_MACs` computed, their
//! calls, MembraneUpdates per neuron type, the samples), so the per-sample figures are the same
//! doubles; ConnectionSparsity exactly (NeuroBench's rounding); ActivationSparsity and
//! ActivationSparsityByLayer within 1e-9. Float32 (what users run), tests/reference/README.md's
//! loose rules: the same exact fields but the effective operations per layer within 2e-2
//! relative and per sample within 1e-3 relative (a membrane on its threshold may fire in one and
//! not the other), MembraneUpdates within 1e-3 relative, the sparsities within 1e-3.
use std::collections::HashMap;
use std::path::Path;

use candle::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::{Activation, Linear, VarBuilder};
use serde_json::Value;
use syops::convention::Convention;
use syops::neuron::{
    Leaky, LeakyConfig, RLeaky, RLeakyConfig, RSynaptic, RSynapticConfig, RecurrentConfig, ResetMechanism,
};
use syops::nn::{Conv, ConvConfig, Flatten, MaxPool2d, RnnCell, RnnMode};
use syops::{Report, Session};

const DIR: &str = "tests/neurobench";

/// `nn.LSTMCell -> nn.ReLU -> nn.GRUCell -> nn.RNNCell -> nn.Linear` over the rows of a digit,
/// states carried from zeros (make_fixtures.py's `Cells`).
#[syops::count]
struct Cells {
    lstm: RnnCell,
    relu: Activation,
    gru: RnnCell,
    rnn: RnnCell,
    fc: Linear,
}

impl Cells {
    fn new(vb: VarBuilder) -> Result<Self> {
        Ok(Cells {
            lstm: RnnCell::new(RnnMode::Lstm, 8, 16, true, vb.pp("lstm"))?.keep_state(true),
            relu: Activation::Relu,
            gru: RnnCell::new(RnnMode::Gru, 16, 12, true, vb.pp("gru"))?.keep_state(true),
            rnn: RnnCell::new(RnnMode::RnnTanh, 12, 12, true, vb.pp("rnn"))?.keep_state(true),
            fc: candle_nn::linear(12, 10, vb.pp("fc"))?,
        })
    }
}

#[syops::count]
impl Module for Cells {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut r = None;
        for t in 0..xs.dim(1)? {
            let h = self.lstm.forward(&xs.i((.., t))?.contiguous()?)?;
            let a = self.relu.forward(&h)?;
            let g = self.gru.forward(&a)?;
            r = Some(self.rnn.forward(&g)?);
        }
        self.fc.forward(&r.expect("at least one step"))
    }
}

/// snnTorch's `Leaky(beta, init_hidden=True, ...)` at `vb` (its `beta`, `threshold`,
/// `graded_spikes_factor` and `reset_mechanism_val` from the state dict).
fn leaky(cfg: LeakyConfig, vb: VarBuilder) -> Result<Leaky> {
    Leaky::load(cfg, vb)
}

/// `nn.Sequential(Linear(64, 32), N1, Linear(32, 10), N2)` with snnTorch neurons, one call per time
/// step of `[N, T, 64]` inputs, as NeuroBench's `SNNTorchModel` runs it; the output's spikes stacked
/// on dim 1. make_fixtures.py's `snn_mlp` and `snn_mlp_pruned` ([`SnnMlp::leaky`]) and
/// `snn_recurrent` ([`SnnMlp::recurrent`]).
#[syops::count]
struct SnnMlp<N1: Module + syops::Layer, N2: Module + syops::Layer>(Linear, N1, Linear, N2);

impl SnnMlp<Leaky, Leaky> {
    /// `Leaky(0.9)` and `Leaky(0.9, output=True)`.
    fn leaky(vb: VarBuilder) -> Result<Self> {
        Ok(SnnMlp(
            candle_nn::linear(64, 32, vb.pp("0"))?,
            leaky(LeakyConfig::new(0.9), vb.pp("1"))?,
            candle_nn::linear(32, 10, vb.pp("2"))?,
            leaky(LeakyConfig::new(0.9), vb.pp("3"))?,
        ))
    }
}

impl SnnMlp<RSynaptic, RLeaky> {
    /// `RSynaptic(0.8, 0.9, linear_features=32)` and `RLeaky(0.9, linear_features=10,
    /// output=True)`: each neuron's `recurrent` Linear is a connection layer of its own, fed its
    /// previous spikes.
    fn recurrent(vb: VarBuilder) -> Result<Self> {
        Ok(SnnMlp(
            candle_nn::linear(64, 32, vb.pp("0"))?,
            RSynaptic::load(RSynapticConfig::new(0.8, 0.9, RecurrentConfig::Linear { features: 32 }), vb.pp("1"))?,
            candle_nn::linear(32, 10, vb.pp("2"))?,
            RLeaky::load(RLeakyConfig::new(0.9, RecurrentConfig::Linear { features: 10 }), vb.pp("3"))?,
        ))
    }
}

#[syops::count]
impl<N1: Module + syops::Layer, N2: Module + syops::Layer> Module for SnnMlp<N1, N2> {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut spikes = Vec::new();
        for t in 0..xs.dim(1)? {
            let h = self.0.forward(&xs.i((.., t))?.contiguous()?)?;
            let h = self.1.forward(&h)?;
            let h = self.2.forward(&h)?;
            spikes.push(self.3.forward(&h)?);
        }
        Tensor::stack(&spikes, 1)
    }
}

/// `Conv2d(1, 8, 3, padding=1) -> Leaky(0.8, learn_beta) -> MaxPool2d(2) -> Conv2d(8, 12, 3,
/// padding=1, bias=False) -> Leaky(0.7, reset zero) -> MaxPool2d(2) -> Flatten -> Linear(48, 10)
/// -> Leaky(0.8, output=True)` (make_fixtures.py's `snn_conv`), one call per step of `[N, T, 1, 8, 8]`.
#[syops::count]
struct SnnConv(Conv, Leaky, MaxPool2d, Conv, Leaky, MaxPool2d, Flatten, Linear, Leaky);

impl SnnConv {
    fn new(vb: VarBuilder) -> Result<Self> {
        let pad = |bias| ConvConfig { padding: vec![1], bias, ..Default::default() };
        Ok(SnnConv(
            Conv::new(2, false, 1, 8, &[3], pad(true), vb.pp("0"))?,
            leaky(LeakyConfig::new(0.8).learn_beta(true), vb.pp("1"))?,
            MaxPool2d::new(2, 2, 0),
            Conv::new(2, false, 8, 12, &[3], pad(false), vb.pp("3"))?,
            leaky(LeakyConfig::new(0.7).reset_mechanism(ResetMechanism::Zero), vb.pp("4"))?,
            MaxPool2d::new(2, 2, 0),
            Flatten::new(1),
            candle_nn::linear(48, 10, vb.pp("7"))?,
            leaky(LeakyConfig::new(0.8), vb.pp("8"))?,
        ))
    }
}

#[syops::count]
impl Module for SnnConv {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut spikes = Vec::new();
        for t in 0..xs.dim(1)? {
            let h = self.0.forward(&xs.i((.., t))?.contiguous()?)?;
            let h = self.2.forward(&self.1.forward(&h)?)?;
            let h = self.3.forward(&h)?;
            let h = self.6.forward(&self.5.forward(&self.4.forward(&h)?)?)?;
            spikes.push(self.8.forward(&self.7.forward(&h)?)?);
        }
        Tensor::stack(&spikes, 1)
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tier {
    /// Float64, strict.
    F64,
    /// Float32, loose.
    F32,
}

impl Tier {
    fn dtype(self) -> DType {
        match self {
            Tier::F64 => DType::F64,
            Tier::F32 => DType::F32,
        }
    }
    fn key(self) -> &'static str {
        match self {
            Tier::F64 => "f64",
            Tier::F32 => "f32",
        }
    }
}

fn fixture(name: &str) -> Value {
    let text = std::fs::read_to_string(Path::new(DIR).join(format!("{name}.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// The fixture's state dict and input batches, in `dtype`.
fn tensors(name: &str, dtype: DType) -> (HashMap<String, Tensor>, Vec<Tensor>) {
    let all = candle::safetensors::load(Path::new(DIR).join(format!("{name}.safetensors")), &Device::Cpu).unwrap();
    let mut weights = HashMap::new();
    let mut inputs = Vec::new();
    for (k, v) in all {
        let v = v.to_dtype(dtype).unwrap();
        match k.strip_prefix("input.") {
            Some(i) => inputs.push((i.parse::<usize>().unwrap(), v)),
            None => {
                weights.insert(k, v);
            }
        }
    }
    inputs.sort_by_key(|(i, _)| *i);
    (weights, inputs.into_iter().map(|(_, v)| v).collect())
}

fn session() -> Session {
    Session::new().convention(Convention::NeuroBench)
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

/// Checks `report` against the fixture's `expected[tier]`.
fn check(name: &str, report: &Report, expected: &Value, tier: Tier) {
    let e = &expected["expected"][tier.key()];
    let res = &e["results"];
    let nb = report.neurobench.as_ref().expect("a NeuroBench report");
    let ctx = format!("{name} {tier:?}");
    assert_eq!(report.convention, "neurobench", "{ctx}");
    assert_eq!(report.batch_counter, e["samples"].as_u64().unwrap(), "{ctx}: samples");
    assert_eq!(report.batches as usize, e["batch_sizes"].as_array().unwrap().len(), "{ctx}: batches");
    assert_eq!(nb.statics.footprint, res["Footprint"].as_u64().unwrap(), "{ctx}: Footprint");
    assert_eq!(nb.statics.parameter_count, res["ParameterCount"].as_u64().unwrap(), "{ctx}: ParameterCount");
    assert_eq!(nb.connection_sparsity, res["ConnectionSparsity"].as_f64(), "{ctx}: ConnectionSparsity");
    let s = &res["SynapticOperations"];
    let (acs, macs, dense) =
        (s["Effective_ACs"].as_f64().unwrap(), s["Effective_MACs"].as_f64().unwrap(), s["Dense"].as_f64().unwrap());
    let syn = nb.synaptic_operations;
    assert_eq!(syn.dense, dense, "{ctx}: Dense");
    let updates = res["MembraneUpdates"].as_f64().unwrap();
    let sparsity = res["ActivationSparsity"].as_f64().unwrap();
    match tier {
        Tier::F64 => {
            assert_eq!((syn.effective_acs, syn.effective_macs), (acs, macs), "{ctx}: effective ACs, MACs");
            assert_eq!(nb.membrane_updates, updates, "{ctx}: MembraneUpdates");
            assert!((nb.activation_sparsity.unwrap() - sparsity).abs() < 1e-9, "{ctx}: ActivationSparsity");
        }
        Tier::F32 => {
            assert!(close(syn.effective_acs, acs, 1e-3), "{ctx}: Effective_ACs {} vs {acs}", syn.effective_acs);
            assert!(close(syn.effective_macs, macs, 1e-3), "{ctx}: Effective_MACs {} vs {macs}", syn.effective_macs);
            assert!(close(nb.membrane_updates, updates, 1e-3), "{ctx}: MembraneUpdates");
            assert!((nb.activation_sparsity.unwrap() - sparsity).abs() < 1e-3, "{ctx}: ActivationSparsity");
        }
    }
    assert_eq!((report.per_sample.acs, report.per_sample.macs), (syn.effective_acs, syn.effective_macs));
    assert_eq!(report.per_sample.dense, Some(dense));
    // Per connection layer, what NeuroBench's `single_layer_MACs` returned, summed over calls.
    for (path, want) in e["connection_layers"].as_object().unwrap() {
        let row = report.layer(path).unwrap_or_else(|| panic!("{ctx}: no layer `{path}`"));
        let got = row.stats.neurobench.unwrap();
        let n = |k: &str| want[k].as_u64().unwrap();
        assert_eq!(row.stats.calls, n("calls"), "{ctx}: `{path}` calls");
        assert_eq!(got.dense, n("dense"), "{ctx}: `{path}` dense");
        let (a, m) = (n("effective_acs"), n("effective_macs"));
        match tier {
            Tier::F64 => assert_eq!((got.effective_acs, got.effective_macs), (a, m), "{ctx}: `{path}` effective"),
            Tier::F32 => {
                assert_eq!(
                    (got.effective_acs > 0, got.effective_macs > 0),
                    (a > 0, m > 0),
                    "{ctx}: `{path}` AC or MAC"
                );
                assert!(
                    close(got.effective_acs as f64, a as f64, 2e-2),
                    "{ctx}: `{path}` ACs {} vs {a}",
                    got.effective_acs
                );
                assert!(
                    close(got.effective_macs as f64, m as f64, 2e-2),
                    "{ctx}: `{path}` MACs {} vs {m}",
                    got.effective_macs
                );
            }
        }
    }
    let counted = report.layers.iter().filter(|l| l.stats.neurobench.is_some_and(|n| n.dense > 0)).count();
    assert_eq!(counted, e["connection_layers"].as_object().unwrap().len(), "{ctx}: connection layers");
    // ActivationSparsityByLayer, by the layer's own name (NeuroBench keys it by the child's name).
    let by_layer = res["ActivationSparsityByLayer"].as_object().unwrap();
    let mut seen = 0;
    for row in &report.layers {
        let Some(got) = row.stats.neurobench.and_then(|n| n.activation_sparsity()) else { continue };
        let name = row.path.rsplit('.').next().unwrap();
        let want = by_layer.get(name).and_then(Value::as_f64).unwrap_or_else(|| panic!("{ctx}: no `{name}`"));
        let tol = if tier == Tier::F64 { 1e-9 } else { 1e-3 };
        assert!((got - want).abs() < tol, "{ctx}: `{}` activation sparsity {got} vs {want}", row.path);
        seen += 1;
    }
    assert_eq!(seen, by_layer.len(), "{ctx}: activation layers");
    // MembraneUpdates per neuron type.
    for (ty, want) in e["membrane_updates_by_type"].as_object().unwrap() {
        let got: u64 = report
            .layers
            .iter()
            .filter(|l| &l.type_name == ty)
            .filter_map(|l| l.stats.neurobench.map(|n| n.membrane_updates))
            .sum();
        let want = want.as_u64().unwrap();
        match tier {
            Tier::F64 => assert_eq!(got, want, "{ctx}: {ty} membrane updates"),
            Tier::F32 => assert!(close(got as f64, want as f64, 1e-3), "{ctx}: {ty} membrane updates"),
        }
    }
}

fn cells(tier: Tier) {
    let expected = fixture("cells");
    let (weights, inputs) = tensors("cells", tier.dtype());
    let net = Cells::new(VarBuilder::from_tensors(weights, tier.dtype(), &Device::Cpu)).unwrap();
    let report = session().count_batches(&net, &inputs, |m, xs| m.forward(xs)).unwrap();
    check("cells", &report, &expected, tier);
    assert!(report.warnings.iter().all(|w| !w.contains("neurobench")), "{:?}", report.warnings);
}

#[test]
fn cells_f64() {
    cells(Tier::F64);
}

#[test]
fn cells_f32() {
    cells(Tier::F32);
}

/// The spikingjelly reference case, built by the zoo's reference-case harness.
fn cifar_plif_t4(tier: Tier) {
    let expected = fixture("cifar_plif_t4");
    let case = syops::zoo::reference::Case::load("tests/reference/cifar_plif_t4.json").unwrap();
    let report = syops::zoo::count_case_with(&session(), &case, tier.dtype(), &Device::Cpu).unwrap();
    check("cifar_plif_t4", &report, &expected, tier);
}

#[test]
fn cifar_plif_t4_f64() {
    cifar_plif_t4(Tier::F64);
}

#[test]
fn cifar_plif_t4_f32() {
    cifar_plif_t4(Tier::F32);
}

/// Reports of parts of a run merge into the whole run's NeuroBench metrics (ActivationSparsity
/// from the batch-weighted sums, the rest from the summed layers).
#[test]
fn parts_of_a_run_merge_into_the_whole() {
    let (weights, inputs) = tensors("cells", DType::F64);
    let net = Cells::new(VarBuilder::from_tensors(weights, DType::F64, &Device::Cpu)).unwrap();
    let count = |batches: &[Tensor]| session().count_batches(&net, batches, |m, xs| m.forward(xs)).unwrap();
    let whole = count(&inputs);
    let merged = Report::merge(&[count(&inputs[..2]), count(&inputs[2..])]).unwrap();
    let (w, m) = (whole.neurobench.as_ref().unwrap(), merged.neurobench.as_ref().unwrap());
    assert_eq!(
        (m.statics, m.synaptic_operations, m.membrane_updates),
        (w.statics, w.synaptic_operations, w.membrane_updates)
    );
    assert!((m.activation_sparsity.unwrap() - w.activation_sparsity.unwrap()).abs() < 1e-12);
    assert_eq!(merged.per_sample, whole.per_sample);
    for (a, b) in merged.layers.iter().zip(&whole.layers) {
        assert_eq!(a.stats.neurobench, b.stats.neurobench, "{}", a.path);
    }
}

/// An snnTorch model of `name`'s fixture, counted over its batches.
fn snntorch_case<M: Module + syops::Layer>(name: &str, tier: Tier, build: fn(VarBuilder) -> Result<M>) {
    let expected = fixture(name);
    let (weights, inputs) = tensors(name, tier.dtype());
    let net = build(VarBuilder::from_tensors(weights, tier.dtype(), &Device::Cpu)).unwrap();
    let report = session().count_batches(&net, &inputs, |m, xs| m.forward(xs)).unwrap();
    check(name, &report, &expected, tier);
    assert!(report.warnings.iter().all(|w| !w.contains("neurobench")), "{:?}", report.warnings);
}

#[test]
fn snn_mlp_f64() {
    snntorch_case("snn_mlp", Tier::F64, SnnMlp::leaky);
}

#[test]
fn snn_mlp_f32() {
    snntorch_case("snn_mlp", Tier::F32, SnnMlp::leaky);
}

/// Half of each Linear's weights zero: fewer effective ACs, ConnectionSparsity 0.5.
#[test]
fn snn_mlp_pruned_f64() {
    snntorch_case("snn_mlp_pruned", Tier::F64, SnnMlp::leaky);
}

#[test]
fn snn_mlp_pruned_f32() {
    snntorch_case("snn_mlp_pruned", Tier::F32, SnnMlp::leaky);
}

#[test]
fn snn_conv_f64() {
    snntorch_case("snn_conv", Tier::F64, SnnConv::new);
}

#[test]
fn snn_conv_f32() {
    snntorch_case("snn_conv", Tier::F32, SnnConv::new);
}

/// Recurrent snnTorch neurons: each `recurrent` Linear counted as NeuroBench counts it, and
/// RSynaptic's spikes kept across `syops::reset` as snnTorch 1.0's `reset_hidden` keeps them (the
/// second batch, of the first one's size, starts from the first one's last spikes).
#[test]
fn snn_recurrent_f64() {
    snntorch_case("snn_recurrent", Tier::F64, SnnMlp::recurrent);
}

#[test]
fn snn_recurrent_f32() {
    snntorch_case("snn_recurrent", Tier::F32, SnnMlp::recurrent);
}
