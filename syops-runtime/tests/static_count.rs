//! Static counts (`Session::count_static`): dense counts and parameters from a shape alone, and
//! what-if ACs from assumed rates, on a conv → IF → linear model counted by hand. The model is wired
//! by hand as `#[syops::count]` would wire it (a scope per child call).
use candle::{DType, Device, Module, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, Linear, VarBuilder};
use syops_runtime::__private::{LayerRef, Probe, ProbeTensor as _, Scope};
use syops_runtime::neuron::IfNode;
use syops_runtime::{Layer, Rates, Report, Segment, Session, View};

fn call<L: Layer + Module>(layer: &L, name: &'static str, xs: &Tensor) -> candle::Result<Tensor> {
    let mut scope = Scope::enter(LayerRef::of(layer), &[Segment::Field(name)]);
    scope.input((&&Probe(xs)).__syops_tensor());
    let out = layer.forward(xs);
    scope.finish((&&Probe(&out)).__syops_tensor());
    out
}

struct Net {
    conv: Conv2d,
    sn: IfNode,
    fc: Linear,
}

impl Layer for Net {
    fn type_name(&self) -> &'static str {
        "Net"
    }
    fn children(&self, visit: &mut dyn FnMut(Segment, &dyn Layer)) {
        visit(Segment::Field("conv"), &self.conv);
        visit(Segment::Field("sn"), &self.sn);
        visit(Segment::Field("fc"), &self.fc);
    }
}

fn net() -> Net {
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    let cfg = Conv2dConfig { padding: 1, ..Default::default() };
    Net {
        conv: candle_nn::conv2d(1, 2, 3, cfg, vb.pp("conv")).unwrap(),
        sn: IfNode::new(),
        fc: candle_nn::linear(32, 3, vb.pp("fc")).unwrap(),
    }
}

fn forward(net: &Net, xs: &Tensor) -> candle::Result<Tensor> {
    let h = call(&net.sn, "sn", &call(&net.conv, "conv", xs)?)?;
    call(&net.fc, "fc", &h.flatten_from(1)?)
}

/// On `[2, 1, 4, 4]`, worked by hand:
/// - conv: 3·3 kernel · 1 in · 2 out · batch 2 · 4·4 out = 576, bias 2 · 2 · 16 = 64: 640 dense;
///   params 1·2·9 + 2 = 20.
/// - sn: numel(input [2, 2, 4, 4]) = 64 dense, always ACs.
/// - fc: numel(input [2, 32]) · 3 + 3 = 195 dense; params 32·3 + 3 = 99.
fn count(rates: Rates) -> Report {
    Session::new().assumed_rates(rates).count_static(&net(), &[2, 1, 4, 4], DType::F32, &Device::Cpu, forward).unwrap()
}

fn row(r: &Report, path: &str) -> (u64, f64, u64) {
    let s = &r.layer(path).unwrap().stats;
    (s.sum_total, s.sum_acs, s.sum_macs)
}

#[test]
fn assumed_rates_give_what_if_acs() {
    // conv has no rate (analog input, the data): 640 MACs; sn 64 ACs; fc 195 × 0.2 = 39 ACs.
    let r = count(Rates::new().set("fc", 0.2));
    assert_eq!(row(&r, "conv"), (640, 0.0, 640));
    assert_eq!(row(&r, "sn"), (64, 64.0, 0));
    assert_eq!(row(&r, "fc"), (195, 195.0 * 0.2, 0));
    assert_eq!(r.params, 119);
    // Per sample (2 samples): ACs (64 + 39) / 2, MACs 640 / 2.
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.batch_counter), (51.5, 320.0, 2));
    assert_eq!(r.assumed_rates, Some(Rates::new().set("fc", 0.2)));
    assert_eq!(r.layer("fc").unwrap().mean_rate(), Some(0.2));
}

#[test]
fn default_rate_with_the_first_layer_analog() {
    // Default 0.15 for every counted layer, but conv reads the raw data: analog, 640 MACs.
    // fc: 195 × 0.15 = 29.25 ACs. sn: 64 ACs whatever its rate.
    let r = count(Rates::new().default(0.15).analog("conv"));
    assert_eq!(row(&r, "conv"), (640, 0.0, 640));
    assert_eq!(row(&r, "fc"), (195, 195.0 * 0.15, 0));
    assert_eq!(row(&r, "sn"), (64, 64.0, 0));
    // No rate at all: every synaptic layer books MACs.
    let r = count(Rates::new());
    assert_eq!((row(&r, "conv").2, row(&r, "fc").2, r.per_sample.acs), (640, 195, 32.0));
}

#[test]
fn dense_counts_and_params_match_a_count_on_data() {
    let stat = count(Rates::new().default(0.3));
    let data = Tensor::rand(0f32, 1., (2, 1, 4, 4), &Device::Cpu).unwrap();
    let live = Session::new().count(&net(), &data, forward).unwrap();
    assert_eq!(stat.params, live.params);
    assert_eq!(stat.per_sample.total, live.per_sample.total);
    assert_eq!(stat.layers.len(), live.layers.len());
    for (s, l) in stat.layers.iter().zip(&live.layers) {
        assert_eq!(
            (&s.path, s.params, s.stats.sum_total, &s.output_shape),
            (&l.path, l.params, l.stats.sum_total, &l.output_shape)
        );
    }
    assert!(live.assumed_rates.is_none());
}

#[test]
fn renderers_say_the_report_is_static() {
    let r = count(Rates::new().default(0.15).set("fc", 0.2).analog("conv"));
    let line =
        "static: assumed rates default 15.00 %, `fc` 20.00 %, `conv` analog (no data: one forward pass on zeros)";
    assert!(r.to_string().contains(line), "{r}");
    let md = View { format: syops_runtime::Format::Markdown, ..View::default() }.render(&r);
    assert!(md.contains(&format!("- {line}")), "{md}");
    let back = Report::from_json(&r.to_json()).unwrap();
    assert_eq!(back.assumed_rates, r.assumed_rates);
}

#[test]
fn bad_rates_and_misuse_are_errors() {
    let err = |rates: Rates| {
        Session::new()
            .assumed_rates(rates)
            .count_static(&net(), &[2, 1, 4, 4], DType::F32, &Device::Cpu, forward)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(err(Rates::new().set("fc", 1.5)), "assumed rate 1.5 for `fc`: expected a firing rate in [0, 1]");
    assert_eq!(
        err(Rates::new().default(f64::NAN)),
        "assumed rate NaN for the default: expected a firing rate in [0, 1]"
    );
    assert!(err(Rates::new().set("{fc", 0.1)).starts_with("assumed rate pattern `{fc`:"));
    // Assumed rates on a count on data.
    let data = Tensor::zeros((2, 1, 4, 4), DType::F32, &Device::Cpu).unwrap();
    let e = Session::new().assumed_rates(Rates::new()).count(&net(), &data, forward).unwrap_err().to_string();
    assert!(e.contains("assumed rates apply to a static count"), "{e}");
    // A pattern that matches no counted layer is warned about.
    let r = count(Rates::new().set("fc2", 0.1));
    assert!(r.warnings.iter().any(|w| w == "assumed rate pattern `fc2` matched no counted layer"), "{:?}", r.warnings);
    // A shape the model cannot take names the layer.
    let e =
        Session::new().count_static(&net(), &[2, 3, 4, 4], DType::F32, &Device::Cpu, forward).unwrap_err().to_string();
    assert!(e.contains("layer `conv`"), "{e}");
}
