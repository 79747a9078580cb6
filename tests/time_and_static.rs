//! Time-resolved statistics and static counts through `#[syops::count]`, counted by hand.
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops::neuron::IfNode;
use syops::{Rates, Session, StepOps};

#[syops::count]
struct Net {
    fc: Linear,
    sn: IfNode,
    steps: usize,
}

#[syops::count]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out = Vec::new();
        for _ in 0..self.steps {
            out.push(self.sn.forward(&self.fc.forward(xs)?)?);
        }
        Tensor::stack(&out, 0)
    }
}

fn net() -> Net {
    let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
    Net { fc: candle_nn::linear(4, 2, vb.pp("fc")).unwrap(), sn: IfNode::new(), steps: 2 }
}

#[test]
fn a_single_step_loop_is_split_by_step() {
    // Input ones [2, 4]: spikes at rate 1. Each step: fc 2·4·2 + 2 = 18 ACs, sn numel [2, 2] = 4 ACs;
    // per sample 9 + 2. Zero weights: sn's input is 0, so it never fires: rate 0, all dead.
    let xs = Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap();
    let report = Session::new().time_resolved(true).count(&net(), &xs, |n, xs| n.forward(xs)).unwrap();
    let time = report.time.unwrap();
    assert_eq!(time.ops_per_step, [StepOps { total: 11.0, acs: 11.0, macs: 0.0 }; 2]);
    assert_eq!(time.rate_per_step, [0.0, 0.0]);
    let sn = time.layers.iter().find(|l| l.path == "sn").unwrap();
    assert_eq!((sn.dead_fraction, sn.saturated_fraction, sn.neurons), (Some(1.0), Some(0.0), Some(2)));
    // Every sample books (9 + 2) · 2 = 22 ACs.
    assert_eq!(time.per_sample_acs.unwrap().max, 22.0);
}

#[test]
fn a_static_count_needs_only_a_shape() {
    // [3, 4]: fc 3·4·2 + 2 = 26 dense per call at the assumed 0.5: 13 ACs; sn 6 ACs; two steps.
    let report = Session::new()
        .assumed_rates(Rates::new().set("fc", 0.5))
        .count_static(&net(), &[3, 4], DType::F32, &Device::Cpu, |n, xs| n.forward(xs))
        .unwrap();
    assert_eq!(report.layer("fc").unwrap().stats.sum_acs, 26.0);
    assert_eq!(report.layer("sn").unwrap().stats.sum_acs, 12.0);
    assert_eq!((report.per_sample.acs, report.params), (38.0 / 3.0, 10));
    assert!(report.to_string().contains("static: assumed rates `fc` 50.00 %"));
}

#[test]
fn time_resolved_ops_follow_the_exact_convention() {
    // Input ones [2, 4] under the exact convention: fc has nnz 8 × 2 outputs = 16 events + 4 bias
    // = 20 ACs per step (10 per sample); the neuron does membrane updates, no ACs. Two steps.
    let xs = Tensor::ones((2, 4), DType::F32, &Device::Cpu).unwrap();
    let session = Session::new().time_resolved(true).convention(syops::Convention::Exact);
    let report = session.count(&net(), &xs, |n, xs| n.forward(xs)).unwrap();
    let time = report.time.unwrap();
    assert_eq!(report.per_sample.acs, 20.0);
    assert_eq!(report.per_sample.membrane_updates, Some(4.0));
    assert_eq!(time.ops_per_step.iter().map(|s| s.acs).collect::<Vec<_>>(), [10.0, 10.0]);
    assert_eq!(time.ops_per_step.iter().map(|s| s.acs).sum::<f64>(), report.per_sample.acs);
}
