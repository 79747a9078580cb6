//! The exact convention on an instrumented spiking model run for T steps, counted by hand, beside
//! the default convention's numbers on the same model.
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, Linear};
use syops::convention::Convention;
use syops::neuron::IfNode;
use syops::Session;

#[syops::count]
struct Snn {
    conv: Conv2d,
    sn: IfNode,
    fc: Linear,
    steps: usize,
}

#[syops::count]
impl Module for Snn {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out = Vec::with_capacity(self.steps);
        for _ in 0..self.steps {
            let s = self.sn.forward(&xs.apply(&self.conv)?)?;
            out.push(s.flatten_from(1)?.apply(&self.fc)?);
        }
        Tensor::stack(&out, 0)?.sum(0)
    }
}

fn snn() -> Snn {
    let dev = Device::Cpu;
    let w = (Tensor::ones((2, 1, 2, 2), DType::F32, &dev).unwrap() * 0.5).unwrap();
    Snn {
        conv: Conv2d::new(w, None, Conv2dConfig::default()),
        sn: IfNode::new(),
        fc: Linear::new(
            Tensor::zeros((3, 8), DType::F32, &dev).unwrap(),
            Some(Tensor::zeros(3, DType::F32, &dev).unwrap()),
        ),
        steps: 2,
    }
}

/// The 3×3 diagonal spike map, one sample.
fn diagonal() -> Tensor {
    Tensor::from_slice(&[1f32, 0., 0., 0., 1., 0., 0., 0., 1.], (1, 1, 3, 3), &Device::Cpu).unwrap()
}

#[test]
fn t_steps_of_conv_neuron_linear_by_hand() {
    // Per step: the conv (2×2 kernel of 0.5, 2 output channels) sees 3 spikes; input positions meet
    // [1,2,1] × [1,2,1] offsets, so (0,0), (1,1), (2,2) meet 1 + 4 + 1 = 6 weights per output
    // channel: 12 ACs. Its output per channel is [[1, .5], [.5, 1]]: the IF neuron (8 membrane
    // updates per step) fires [1,0,0,1] at step 1 (reset to 0, the others keep 0.5), then all four
    // at step 2 (0 + 1 and 0.5 + 0.5): whole-output rates 4/8 and 8/8. The linear layer sees
    // 4 then 8 spikes: (4 + 8) × 3 outputs + 2 × 3 bias = 42 ACs.
    // Two steps: ACs 24 + 42 = 66, membrane updates 16, no MACs.
    // Dense (syops) per step: conv 4 × 2 × 4 positions = 32, neuron 8, linear 8 × 3 + 3 = 27: 134.
    let r = Session::new().convention(Convention::Exact).count(&snn(), &diagonal(), |m, xs| m.forward(xs)).unwrap();
    let e = |p: &str| r.layer(p).unwrap().stats.exact.unwrap();
    assert_eq!((e("conv").acs, e("sn").acs, e("sn").membrane_updates, e("fc").acs), (24, 0, 16, 42));
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.membrane_updates), (66.0, 0.0, Some(16.0)));
    assert_eq!((r.per_sample.total, r.per_sample.dense), (134.0, Some(134.0)));
    assert_eq!(r.layer("sn").unwrap().mean_rate(), Some(0.75));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);

    // The same model under syops 0.0.5: conv dense × rate 3/9, the neuron's 8 dense ACs per step,
    // the linear layer's 27 × rate 4/8, then × 8/8.
    let s = Session::new().count(&snn(), &diagonal(), |m, xs| m.forward(xs)).unwrap();
    assert_eq!(s.convention, "syops-0.0.5");
    let acs = 2.0 * (32.0 * f64::from(3f32 / 9f32) + 8.0) + 27.0 * 0.5 + 27.0;
    assert_eq!((s.per_sample.acs, s.per_sample.macs, s.per_sample.total), (acs, 0.0, 134.0));
    assert_eq!((s.per_sample.membrane_updates, s.per_sample.dense), (None, None));
}
