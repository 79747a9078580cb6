//! Coverage and strict mode: which calls had a counting rule, on a small model counted by hand.
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops::{Error, Session};

/// A leaf layer without a rule (not a `syops::Layer`): its calls are uncovered.
struct Opaque;
impl Module for Opaque {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        xs.relu()
    }
}

#[syops::count]
struct Net {
    fc: Linear,
    opaque: Opaque,
    head: Linear,
}

#[syops::count]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.fc.forward(xs)?;
        let xs = self.opaque.forward(&xs)?;
        let local = candle_nn::Activation::Relu;
        let xs = local.forward(&xs)?;
        self.head.forward(&xs)
    }
}

fn net() -> Net {
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    Net {
        fc: candle_nn::linear(4, 4, vb.pp("fc")).unwrap(),
        opaque: Opaque,
        head: candle_nn::linear(4, 2, vb.pp("head")).unwrap(),
    }
}

fn batches() -> Vec<Tensor> {
    vec![
        Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap(),
        Tensor::ones((3, 4), DType::F32, &Device::Cpu).unwrap(),
    ]
}

#[test]
fn uncounted_layers_and_unattributed_calls_are_uncovered_with_their_counts() {
    let report = Session::new().count_batches(&net(), batches(), |m, xs| m.forward(xs)).unwrap();
    let c = report.coverage.as_ref().unwrap();
    // Two batches: fc, opaque, head and the `local` site are each called twice: 8 calls, 4 counted.
    assert_eq!((c.calls, c.counted_calls, c.ignored_calls, c.uncovered_calls), (8, 4, 0, 4));
    assert_eq!(c.call_share, 0.5);
    // Dense ops (raw): fc (2·4·4 + 4) + (3·4·4 + 4) = 88; head (2·4·2 + 2) + (3·4·2 + 2) = 44.
    assert_eq!(c.dense_ops, 132);
    // Estimate for opaque: one op per output element, 2·4 + 3·4 = 20; the site's output is unseen.
    assert_eq!(c.uncovered_dense_ops_estimate, 20);
    assert_eq!(c.dense_share_estimate, 132.0 / 152.0);
    assert_eq!(
        (c.uncovered[0].path.as_str(), c.uncovered[0].type_name.as_str(), c.uncovered[0].calls),
        ("opaque", "Opaque", 2)
    );
    let site = &c.uncovered[1];
    assert_eq!((site.receiver.as_deref(), site.calls, site.type_name.as_str()), (Some("local"), 2, "unattributed"));
    assert!(site.path.starts_with("tests/coverage.rs:"), "{}", site.path);
    let text = report.to_string();
    assert!(
        text.contains("coverage 50.0 % of calls, 86.8 % of dense ops (estimate; 2 uncovered: opaque (Opaque) ×2, local.forward(..) at tests/coverage.rs:"),
        "{text}"
    );
    let back = syops::Report::from_json(&report.to_json()).unwrap();
    assert_eq!(back.coverage, report.coverage);
}

#[test]
fn ignored_types_are_covered_by_choice() {
    let report =
        Session::new().ignore("Linear").ignore("Opaque").count(&net(), &batches()[0], |m, xs| m.forward(xs)).unwrap();
    let c = report.coverage.unwrap();
    // fc, head (ignored Linear) and opaque (an ignored type without a rule): 3 calls by choice;
    // the `local` site is still uncovered.
    assert_eq!((c.calls, c.counted_calls, c.ignored_calls, c.uncovered_calls), (4, 0, 3, 1));
    assert_eq!(c.call_share, 0.75);
    let ignored: Vec<_> = c.ignored.iter().map(|e| e.path.as_str()).collect();
    // `opaque` is not a `syops::Layer`, so not in the model tree: its row comes after the tree's.
    assert_eq!(ignored, ["fc", "head", "opaque"]);
    assert_eq!(c.uncovered.len(), 1);
}

#[test]
fn strict_mode_fails_listing_every_uncovered_call() {
    let err = Session::new().strict(true).count_batches(&net(), batches(), |m, xs| m.forward(xs)).unwrap_err();
    assert!(matches!(err, Error::Uncovered { uncovered_calls: 4, calls: 8, .. }), "{err:?}");
    let msg = err.to_string();
    let lines: Vec<_> = msg.lines().collect();
    assert_eq!(lines[0], "strict mode: 4 of 8 layer call(s) were not counted (no counting rule or no layer path):");
    assert_eq!(lines[1], "  opaque (Opaque) ×2");
    assert!(lines[2].starts_with("  local.forward(..) at tests/coverage.rs:") && lines[2].ends_with(" ×2"), "{msg}");
    assert_eq!(lines.len(), 3);
}

#[test]
fn strict_mode_passes_a_fully_counted_model() {
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    let fc = candle_nn::linear(4, 2, vb).unwrap();
    let report = Session::new().strict(true).count(&fc, &batches()[0], |fc, xs| fc.forward(xs)).unwrap();
    let c = report.coverage.unwrap();
    assert!(c.is_complete());
    // One root Linear call: 2·4·2 + 2 = 18 dense ops, all covered.
    assert_eq!((c.calls, c.counted_calls, c.dense_ops, c.call_share, c.dense_share_estimate), (1, 1, 18, 1.0, 1.0));
}
