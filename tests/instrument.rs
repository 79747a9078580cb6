//! Behaviour of `#[syops::count]` and of sessions, on small models counted by hand.
use candle::{DType, Device, Module, ModuleT, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops::model::{Ops, Role};
use syops::neuron::IfNode;
use syops::report::Status;
use syops::{Layer, Session};

fn vb() -> VarBuilder<'static> {
    VarBuilder::zeros(DType::F32, &Device::Cpu)
}

fn spikes(rows: usize, cols: usize) -> Tensor {
    // Alternating 0/1: firing rate 0.5.
    let v: Vec<f32> = (0..rows * cols).map(|i| (i % 2) as f32).collect();
    Tensor::from_vec(v, (rows, cols), &Device::Cpu).unwrap()
}

#[syops::count(name = "Sequential")]
struct Pair(Linear, Linear);

#[syops::count]
impl Module for Pair {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        xs.apply(&self.0)?.apply(&self.1)
    }
}

#[syops::count]
struct Net {
    stem: Linear,
    sn: IfNode,
    blocks: Vec<Pair>,
    extra: Option<Linear>,
    absent: Option<Linear>,
    #[syops(rename = "head_fc")]
    head: Linear,
    #[syops(skip)]
    _scale: f64,
    steps: usize,
}

fn net() -> Net {
    let vb = vb();
    Net {
        stem: candle_nn::linear(4, 4, vb.pp("stem")).unwrap(),
        sn: IfNode::new(),
        blocks: (0..2)
            .map(|i| {
                Pair(
                    candle_nn::linear(4, 4, vb.pp(format!("b{i}a"))).unwrap(),
                    candle_nn::linear(4, 4, vb.pp(format!("b{i}b"))).unwrap(),
                )
            })
            .collect(),
        extra: Some(candle_nn::linear_no_bias(4, 4, vb.pp("extra")).unwrap()),
        absent: None,
        head: candle_nn::linear(4, 2, vb.pp("head")).unwrap(),
        _scale: 1.0,
        steps: 2,
    }
}

#[syops::count]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut xs = self.stem.forward(xs)?;
        for _ in 0..self.steps {
            xs = self.sn.forward(&xs)?;
        }
        for block in self.blocks.iter() {
            xs = block.forward(&xs)?;
        }
        if let Some(extra) = &self.extra {
            xs = extra.forward(&xs)?;
        }
        if let Some(absent) = self.absent.as_ref() {
            xs = absent.forward(&xs)?;
        }
        self.head.forward(&xs)
    }
}

#[test]
fn paths_follow_named_modules_and_counts_follow_syops() {
    let xs = spikes(3, 4);
    let report = Session::new().count(&net(), &xs, |m, xs| m.forward(xs)).unwrap();
    let paths: Vec<&str> = report.layers.iter().map(|l| l.path.as_str()).collect();
    // `absent` is `None`: no row, as PyTorch registers no module for it.
    assert_eq!(paths, ["stem", "sn", "blocks.0.0", "blocks.0.1", "blocks.1.0", "blocks.1.1", "extra", "head_fc"]);
    let stem = report.layer("stem").unwrap();
    // Spike input at rate 0.5: (3*4*4 + 4) dense, half of it ACs.
    assert_eq!(stem.stats.sum_total, 52);
    assert_eq!(stem.stats.sum_acs, 26.0);
    assert_eq!(stem.stats.sum_rate_pct, 50.0);
    // The neuron is called twice; each call adds its input size to ACs.
    let sn = report.layer("sn").unwrap();
    assert_eq!((sn.stats.calls, sn.stats.sum_acs), (2, 24.0));
    // Zero weights: the neuron never fires, every later layer sees an all-zero (spike) input.
    assert_eq!(report.layer("blocks.1.0").unwrap().stats.sum_acs, 0.0);
    assert_eq!(report.layer("blocks.1.0").unwrap().stats.calls, 1);
    assert_eq!(report.layer("extra").unwrap().stats.sum_total, 48);
    assert_eq!(report.params, 4 * 4 + 4 + 4 * (4 * 4 + 4) + 4 * 4 + 4 * 2 + 2);
    assert_eq!(report.batch_counter, 3);
    assert_eq!(report.times_counter, 1);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}

#[test]
fn no_session_means_no_counting_and_same_output() {
    let model = net();
    let xs = spikes(2, 4);
    let plain = model.forward(&xs).unwrap();
    assert!(!syops::__private::Scope::enter(syops::__private::LayerRef::of(&model), &[]).is_active());
    let report = Session::new().count(&model, &xs, |m, xs| m.forward(xs)).unwrap();
    syops::reset(&model);
    let again = model.forward(&xs).unwrap();
    assert_eq!(plain.to_vec2::<f32>().unwrap(), again.to_vec2::<f32>().unwrap());
    assert_eq!(report.layer("stem").unwrap().stats.calls, 1);
}

/// A user's leaf layer with its own rule.
struct Doubler;
impl Module for Doubler {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        xs * 2.0
    }
}
impl Layer for Doubler {
    fn type_name(&self) -> &'static str {
        "Doubler"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, call: &syops::model::Call<'_>) -> syops::Result<Ops> {
        Ok(Ops::elementwise_output(call.output()?.elem_count() as u64))
    }
}

/// A leaf layer without a rule, and a non-layer type.
struct Opaque;
impl Module for Opaque {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        xs.relu()
    }
}

#[syops::count]
struct Custom {
    double: Doubler,
    opaque: Opaque,
    fc: Linear,
}

#[syops::count]
impl ModuleT for Custom {
    fn forward_t(&self, xs: &Tensor, train: bool) -> Result<Tensor> {
        let xs = self.double.forward(xs)?;
        let xs = self.opaque.forward(&xs)?;
        let local = candle_nn::Activation::Relu;
        let xs = local.forward(&xs)?;
        xs.apply_t(&self.fc, train)
    }
}

fn custom() -> Custom {
    Custom { double: Doubler, opaque: Opaque, fc: candle_nn::linear(4, 2, vb()).unwrap() }
}

#[test]
fn user_rules_uncounted_layers_and_unattributed_calls_are_reported() {
    let xs = spikes(2, 4);
    let report = Session::new().count(&custom(), &xs, |m, xs| m.forward_t(xs, false)).unwrap();
    let double = report.layer("double").unwrap();
    assert_eq!((double.status, double.stats.sum_total), (Status::Counted, 8));
    // Output 0/2: not spikes, so MACs.
    assert_eq!(double.stats.sum_macs, 8);
    let opaque = report.layer("opaque").unwrap();
    assert_eq!((opaque.status, opaque.stats.calls), (Status::Uncounted, 1));
    assert!(report.warnings.iter().any(|w| w.contains("`Opaque` has no counting rule")), "{:?}", report.warnings);
    assert!(
        report.warnings.iter().any(|w| w.contains("`local.forward(..)`") && w.contains("instrument.rs")),
        "{:?}",
        report.warnings
    );
    assert_eq!(report.layer("fc").unwrap().stats.calls, 1);
}

#[test]
fn ignore_and_custom_rules_replace_builtin_counting() {
    let xs = spikes(2, 4);
    let report = Session::new()
        .ignore("Linear")
        .rule("Doubler", |_call| Ok(Ops::total_only(7)))
        .count(&custom(), &xs, |m, xs| m.forward_t(xs, false))
        .unwrap();
    let fc = report.layer("fc").unwrap();
    assert_eq!((fc.status, fc.params, fc.stats.sum_total), (Status::Ignored, 0, 0));
    assert_eq!(report.params, 10, "total params still count ignored layers");
    let double = report.layer("double").unwrap();
    assert_eq!((double.stats.sum_total, double.stats.sum_macs, double.stats.sum_acs), (7, 0, 0.0));
    assert_eq!(report.ignored_types, ["Linear"]);
}

#[syops::count]
struct Shared {
    fc: Linear,
    alias: Linear,
}

#[syops::count]
impl Module for Shared {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.alias.forward(&self.fc.forward(xs)?)
    }
}

#[test]
fn parameters_count_once_per_tensor() {
    let fc = candle_nn::linear(4, 4, vb()).unwrap();
    let model = Shared { alias: fc.clone(), fc };
    let report = Session::new().count(&model, &spikes(1, 4), |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.params, 20);
    assert_eq!(report.layer("fc").unwrap().params, 20);
    assert_eq!(report.layer("alias").unwrap().params, 20);
}

#[test]
fn batches_reset_neurons_and_divide_by_samples() {
    let model = net();
    let batches = vec![spikes(2, 4), spikes(3, 4)];
    let report = Session::new().count_batches(&model, &batches, |m, xs| m.forward(xs)).unwrap();
    assert_eq!((report.batch_counter, report.times_counter, report.batches), (5, 2, 2));
    let total: u64 = report.layers.iter().map(|l| l.stats.sum_total).sum();
    assert_eq!(report.per_sample.total, total as f64 / 5.0);
    let json = report.to_json();
    assert_eq!(syops::Report::from_json(&json).unwrap(), report);
}

#[test]
fn bad_input_is_an_error_naming_layer_and_shapes() {
    let xs = Tensor::zeros((2, 3), DType::F32, &Device::Cpu).unwrap();
    let err = Session::new().count(&net(), &xs, |m, xs| m.forward(xs)).unwrap_err().to_string();
    assert!(err.contains("`stem`") && err.contains("[2, 3]"), "{err}");
    let empty: Vec<Tensor> = Vec::new();
    let err = Session::new().count_batches(&net(), &empty, |m, xs| m.forward(xs)).unwrap_err();
    assert!(matches!(err, syops::Error::EmptyBatches), "{err}");
    let scalar = Tensor::new(1f32, &Device::Cpu).unwrap();
    let err = Session::new().count(&net(), &scalar, |m, xs| m.forward(xs)).unwrap_err().to_string();
    assert!(err.contains("batch dimension"), "{err}");
}

#[test]
fn nan_inputs_count_as_analog_and_are_flagged() {
    let xs = Tensor::new(&[[0f32, 1., f32::NAN, 0.]], &Device::Cpu).unwrap();
    let report = Session::new().count(&net(), &xs, |m, xs| m.forward(xs)).unwrap();
    let stem = report.layer("stem").unwrap();
    assert_eq!((stem.stats.sum_acs, stem.stats.sum_macs), (0.0, 20));
    assert!(report.warnings.iter().any(|w| w.contains("NaN")), "{:?}", report.warnings);
}

/// Stages of blocks, walked as one loop over an array of fields (as ResNets are written).
#[syops::count]
struct Staged {
    stage1: Vec<Linear>,
    stage2: Vec<Linear>,
    #[syops(rename = "head")]
    last: Linear,
}

#[syops::count]
impl Module for Staged {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut xs = xs.clone();
        for stage in [&self.stage1, &self.stage2] {
            for layer in stage.iter() {
                xs = layer.forward(&xs)?;
            }
        }
        for single in [&self.last] {
            xs = single.forward(&xs)?;
        }
        Ok(xs)
    }
}

#[test]
fn loops_over_arrays_of_fields_are_attributed() {
    let linear = |n: &str| candle_nn::linear(4, 4, vb().pp(n)).unwrap();
    let net = Staged { stage1: vec![linear("a"), linear("b")], stage2: vec![linear("c")], last: linear("d") };
    let report = Session::new().count(&net, &spikes(2, 4), |m, xs| m.forward(xs)).unwrap();
    let paths: Vec<_> = report.layers.iter().map(|l| (l.path.as_str(), l.stats.calls)).collect();
    assert_eq!(paths, [("stage1.0", 1), ("stage1.1", 1), ("stage2.0", 1), ("head", 1)]);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
}
