//! Memory-inclusive energy, the ANN baseline and break-even rates, on small models priced by hand.
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Linear, VarBuilder};
use syops::energy::{EnergyModel, EnergyRole};
use syops::neuron::IfNode;
use syops::render::{Format, View};
use syops::Session;

fn vb() -> VarBuilder<'static> {
    VarBuilder::zeros(DType::F32, &Device::Cpu)
}

/// `[2, 4]`, alternating 0/1: firing rate 0.5.
fn spikes() -> Tensor {
    Tensor::from_vec((0..8).map(|i| (i % 2) as f32).collect::<Vec<_>>(), (2, 4), &Device::Cpu).unwrap()
}

#[syops::count]
struct Tiny {
    fc: Linear,
    sn: IfNode,
}

#[syops::count]
impl Module for Tiny {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.sn.forward(&self.fc.forward(xs)?)
    }
}

fn tiny() -> Tiny {
    Tiny { fc: candle_nn::linear(4, 2, vb()).unwrap(), sn: IfNode::new() }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * b.abs()
}

#[test]
fn linear_and_neuron_priced_by_hand() {
    let report = Session::new().time_steps(8).count(&tiny(), &spikes(), |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.as_ref().unwrap();
    assert_eq!((d.time_steps, d.model), (8, EnergyModel::FP32_45NM));
    let (fc, sn) = (&d.layers[0], &d.layers[1]);
    // fc, per sample (batch 2): dense (2·4·2 + 2) / 2 = 9, ACs 9 × 0.5 = 4.5; 10 params × 4 B = 40 B.
    assert_eq!(
        (fc.path.as_str(), fc.role, fc.dense, fc.acs, fc.macs, fc.params),
        ("fc", EnergyRole::Synaptic, 9.0, 4.5, 0.0, 10)
    );
    assert_eq!(fc.memory_level, "SRAM ≤ 8 KiB");
    // sn: 2·2 / 2 = 2 updates (ACs) per sample; 2 membranes per sample (input [2, 2]).
    assert_eq!(
        (sn.path.as_str(), sn.role, sn.dense, sn.acs, sn.state_neurons),
        ("sn", EnergyRole::Neuron, 2.0, 2.0, 2)
    );
    // Compute only: 4.5 × 0.9 + 2 × 0.9 = 5.85 pJ, syops' own figure.
    assert!(close(d.compute.mj, 5.85e-9) && close(report.energy.total_mj, 5.85e-9));
    // Weight reads 4.5 × (10 pJ × 32/64) = 22.5 pJ; membranes 2 × 2 × 5 = 20 pJ; total 48.35 pJ.
    assert!(close(d.weight_reads_mj, 22.5e-9) && close(d.membrane_mj, 20e-9));
    assert!(close(d.memory_inclusive.mj, 48.35e-9));
    // ANN: 9 / 8 MACs × 4.6 = 5.175 pJ; with a 5 pJ read per MAC, 9 / 8 × 9.6 = 10.8 pJ.
    assert!(close(d.ann_compute.mj, 5.175e-9) && close(d.ann_memory_inclusive.mj, 10.8e-9));
    // Break-even: (5.175 − 1.8) / (9 × 0.9) = 0.41667; with memory none (the neuron alone costs
    // 21.8 pJ > 10.8 pJ). fc alone: 4.6 / (8 × 0.9) and 9.6 / (8 × 5.9).
    assert!(close(d.break_even_rate_compute.unwrap(), 3.375 / 8.1));
    // With memory the neuron alone (21.8 pJ) costs more than the ANN (10.8 pJ): below 0.
    assert!(close(d.break_even_rate_memory.unwrap(), -11.0 / 53.1));
    assert!(close(fc.break_even_rate_compute.unwrap(), 4.6 / 7.2));
    assert!(close(fc.break_even_rate_memory.unwrap(), 9.6 / 47.2));
    let text = report.to_string();
    for line in [
        "energy   5.850e-9 mJ compute only | 4.835e-8 mJ with memory, per sample\n",
        "  compute only, 45 nm FP32: 0.9 pJ/AC, 4.6 pJ/MAC (Horowitz 2014)\n",
        "ANN      5.175e-9 mJ compute only | 1.080e-8 mJ with memory, per sample\n",
        "break-even firing rate 0.417 compute only | -0.207 < 0: the SNN costs more at any rate with memory\n",
    ] {
        assert!(text.contains(line), "{line:?} not in\n{text}");
    }
    let back = syops::Report::from_json(&report.to_json()).unwrap();
    assert_eq!(back.energy_detail, report.energy_detail);
}

#[test]
fn views_reprice_for_another_model_and_time_steps() {
    let report = Session::new().count(&tiny(), &spikes(), |m, xs| m.forward(xs)).unwrap();
    assert_eq!(report.energy_detail.as_ref().unwrap().time_steps, 1, "the default is one time step");
    let view =
        View { format: Format::Json, energy: Some(EnergyModel::INT8_45NM), time_steps: Some(4), ..View::default() };
    let back = syops::Report::from_json(&view.render(&report)).unwrap();
    let d = back.energy_detail.unwrap();
    assert_eq!((d.model, d.time_steps), (EnergyModel::INT8_45NM, 4));
    // INT8: reads are 8/64 of a 10 pJ access = 1.25 pJ: weights 4.5 × 1.25, membranes 2 × 2 × 1.25.
    assert!(close(d.weight_reads_mj, 5.625e-9) && close(d.membrane_mj, 5e-9));
    // ANN: 9 / 4 MACs × 0.23 pJ.
    assert!(close(d.ann_compute.mj, 9.0 / 4.0 * 0.23e-9));
    assert!(close(back.energy.total_mj, d.compute.mj));
}

#[test]
fn weights_are_priced_by_the_buffer_they_fit_in() {
    let level = |fc: Linear| {
        let xs = Tensor::ones((1, fc.weight().dim(1).unwrap()), DType::F32, &Device::Cpu).unwrap();
        let report = Session::new().count(&fc, &xs, |fc, xs| fc.forward(xs)).unwrap();
        report.energy_detail.unwrap().layers[0].memory_level.clone()
    };
    // 63·32 + 32 = 2048 FP32 params = 8 KiB exactly; 2049 × 4 B is 4 bytes more.
    assert_eq!(level(candle_nn::linear(63, 32, vb()).unwrap()), "SRAM ≤ 8 KiB");
    assert_eq!(level(candle_nn::linear_no_bias(2049, 1, vb()).unwrap()), "SRAM ≤ 32 KiB");
}

#[test]
fn a_multi_step_neuron_holds_one_membrane_per_neuron_not_per_step() {
    let sn = IfNode::multi_step();
    // [T = 3, N = 2, 4]: 24 updates; each of the 2 samples holds 4 membranes.
    let xs = Tensor::ones((3, 2, 4), DType::F32, &Device::Cpu).unwrap();
    let report = Session::new().count(&sn, &xs, |sn, xs| sn.forward(xs)).unwrap();
    let d = report.energy_detail.unwrap();
    assert_eq!(report.batch_counter, 3, "syops' batch counter is dim 0 of the root input");
    // Per "sample" (dim 0 = 3): 24 / 3 = 8 updates; 4 membranes × 4 B = 16 B, 5 pJ per access.
    assert_eq!((d.layers[0].dense, d.layers[0].state_neurons), (8.0, 4));
    assert!(close(d.membrane_mj, 8.0 * 2.0 * 5e-9));
}

#[test]
fn zero_time_steps_is_an_error() {
    let err = Session::new().time_steps(0).count(&tiny(), &spikes(), |m, xs| m.forward(xs)).unwrap_err();
    assert_eq!(err.to_string(), "Session::time_steps: the number of time steps must be at least 1, got 0");
}

/// `Tiny` run `steps` times on the same input, as a time loop (single-step neurons keep their state).
#[syops::count]
struct Looped {
    body: Tiny,
    steps: usize,
}

#[syops::count]
impl Module for Looped {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out = Vec::new();
        for _ in 0..self.steps {
            out.push(self.body.forward(xs)?);
        }
        Tensor::stack(&out, 0)
    }
}

#[test]
fn the_ann_baseline_runs_once_per_inferred_time_step() {
    // A time loop of 4 steps: the neuron is called 4 times per forward, so T = 4. fc's dense count
    // per sample is 4 steps · (2·4·2 + 2) / 2 = 36: the ANN runs one step of it, 9 MACs · 4.6 pJ.
    let looped = Looped { body: tiny(), steps: 4 };
    let report = Session::new().count(&looped, &spikes(), |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.unwrap();
    assert_eq!(d.time_steps, 4);
    assert_eq!(d.time_steps_source, "inferred: the neuron `body.sn` is called 4 times per forward");
    assert!(d.ann_compute.label.contains("one run per 4 SNN time step(s) (inferred: the neuron `body.sn`"));
    assert!(close(d.ann_compute.mj, 9.0 * 4.6e-9), "{}", d.ann_compute.mj);
    // Set by the session, it wins; a reprice says so.
    let report = Session::new().time_steps(2).count(&looped, &spikes(), |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.as_ref().unwrap();
    assert_eq!((d.time_steps, d.time_steps_source.as_str()), (2, "Session::time_steps"));
    let d = report.with_energy_detail(None, Some(4)).energy_detail.unwrap();
    assert_eq!(
        (d.time_steps, d.time_steps_source.as_str()),
        (4, "repriced: View::time_steps, `cargo syops --time-steps`")
    );
    // One step of the loop, and a model without neurons: T = 1.
    let report = Session::new().count(&tiny(), &spikes(), |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.unwrap();
    assert_eq!(
        (d.time_steps, d.time_steps_source.as_str()),
        (1, "inferred: the neuron `sn` is called once per forward")
    );
    let fc = candle_nn::linear(4, 2, vb()).unwrap();
    let report = Session::new().count(&fc, &spikes(), |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.unwrap();
    assert_eq!((d.time_steps, d.time_steps_source.as_str()), (1, "no neuron layer: one step"));
}

#[test]
fn a_multi_step_neuron_gives_its_time_dimension() {
    // A multi-step IF neuron on [T = 3, N = 2, 4]: one call, three steps.
    let sn = IfNode::multi_step();
    let xs = Tensor::ones((3, 2, 4), DType::F32, &Device::Cpu).unwrap();
    let report = Session::new().count(&sn, &xs, |m, xs| m.forward(xs)).unwrap();
    let d = report.energy_detail.unwrap();
    assert_eq!(
        (d.time_steps, d.time_steps_source.as_str()),
        (3, "inferred: the multi-step neuron `(root)` runs 3 steps per call")
    );
    assert_eq!(report.layers[0].path, "");
}
