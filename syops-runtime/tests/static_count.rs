//! Static counts (`Session::count_static`): dense counts and parameters from a shape alone, and
//! what-if ACs from assumed rates, on a conv → IF → linear model counted by hand, instrumented by
//! `#[syops::count]` (through the runtime: `crate = syops_runtime`).
use candle::{DType, Device, Module, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, Linear, VarBuilder};
use syops_macros::count;
use syops_runtime::count::Rates;
use syops_runtime::neuron::IfNode;
use syops_runtime::render::View;
use syops_runtime::report::Report;
use syops_runtime::Session;

mod support;
use support::looped;

#[count(crate = syops_runtime)]
struct Net {
    conv: Conv2d,
    sn: IfNode,
    fc: Linear,
}

#[count(crate = syops_runtime)]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> candle::Result<Tensor> {
        let h = self.sn.forward(&self.conv.forward(xs)?)?;
        self.fc.forward(&h.flatten_from(1)?)
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

/// On `[2, 1, 4, 4]`, worked by hand:
/// - conv: 3·3 kernel · 1 in · 2 out · batch 2 · 4·4 out = 576, bias 2 · 2 · 16 = 64: 640 dense;
///   params 1·2·9 + 2 = 20.
/// - sn: numel(input [2, 2, 4, 4]) = 64 dense, always ACs.
/// - fc: numel(input [2, 32]) · 3 + 3 = 195 dense; params 32·3 + 3 = 99.
fn count(rates: Rates) -> Report {
    Session::new()
        .assumed_rates(rates)
        .count_static(&net(), &[2, 1, 4, 4], DType::F32, &Device::Cpu, Net::forward)
        .unwrap()
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
    let live = Session::new().count(&net(), &data, Net::forward).unwrap();
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
    let md = View { format: syops_runtime::render::Format::Markdown, ..View::default() }.render(&r);
    assert!(md.contains(&format!("- {line}")), "{md}");
    let back = Report::from_json(&r.to_json()).unwrap();
    assert_eq!(back.assumed_rates, r.assumed_rates);
}

#[test]
fn bad_rates_and_misuse_are_errors() {
    let err = |rates: Rates| {
        Session::new()
            .assumed_rates(rates)
            .count_static(&net(), &[2, 1, 4, 4], DType::F32, &Device::Cpu, Net::forward)
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
    let e = Session::new().assumed_rates(Rates::new()).count(&net(), &data, Net::forward).unwrap_err().to_string();
    assert!(e.contains("assumed rates apply to a static count"), "{e}");
    // A pattern that matches no counted layer is warned about.
    let r = count(Rates::new().set("fc2", 0.1));
    assert!(r.warnings.iter().any(|w| w == "assumed rate pattern `fc2` matched no counted layer"), "{:?}", r.warnings);
    // A shape the model cannot take names the layer.
    let e = Session::new()
        .count_static(&net(), &[2, 3, 4, 4], DType::F32, &Device::Cpu, Net::forward)
        .unwrap_err()
        .to_string();
    assert!(e.contains("layer `conv`"), "{e}");
}

#[test]
fn a_static_count_needs_only_a_shape() {
    // [3, 4]: fc 3·4·2 + 2 = 26 dense per call at the assumed 0.5: 13 ACs; sn 6 ACs; two steps.
    let report = Session::new()
        .assumed_rates(Rates::new().set("fc", 0.5))
        .count_static(&looped(), &[3, 4], DType::F32, &Device::Cpu, |n, xs| n.forward(xs))
        .unwrap();
    assert_eq!(report.layer("fc").unwrap().stats.sum_acs, 26.0);
    assert_eq!(report.layer("sn").unwrap().stats.sum_acs, 12.0);
    assert_eq!((report.per_sample.acs, report.params), (38.0 / 3.0, 10));
    assert!(report.to_string().contains("static: assumed rates `fc` 50.00 %"));
}
