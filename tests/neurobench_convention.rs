//! NeuroBench's convention on small models worked by hand: what it counts, what it leaves out,
//! and where it does better than NeuroBench 2.3 (and says so).
use candle::{DType, Device, IndexOp, Module, Result, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, Linear, VarBuilder};
use syops::convention::Convention;
use syops::neuron::IfNode;
use syops::nn::{Conv, ConvConfig, Rnn, RnnCell, RnnConfig, RnnMode};
use syops::{Report, Session};

#[syops::count]
struct Snn {
    conv: Conv2d,
    sn: IfNode,
    fc: Linear,
}

#[syops::count]
impl Module for Snn {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut out = Vec::new();
        for _ in 0..2 {
            let s = self.sn.forward(&xs.apply(&self.conv)?)?;
            out.push(s.flatten_from(1)?.apply(&self.fc)?);
        }
        Tensor::stack(&out, 0)?.sum(0)
    }
}

fn neurobench() -> Session {
    Session::new().convention(Convention::NeuroBench)
}

/// tests/exact_convention.rs's model: a conv of 0.5s, an IF neuron, a linear layer of zero weights,
/// run twice on the 3×3 diagonal.
#[test]
fn conv_neuron_linear_by_hand() {
    let dev = Device::Cpu;
    let net = Snn {
        conv: Conv2d::new(
            (Tensor::ones((2, 1, 2, 2), DType::F32, &dev).unwrap() * 0.5).unwrap(),
            None,
            Conv2dConfig::default(),
        ),
        sn: IfNode::new(),
        fc: Linear::new(
            Tensor::zeros((3, 8), DType::F32, &dev).unwrap(),
            Some(Tensor::zeros(3, DType::F32, &dev).unwrap()),
        ),
    };
    let xs = Tensor::from_slice(&[1f32, 0., 0., 0., 1., 0., 0., 0., 1.], (1, 1, 3, 3), &dev).unwrap();
    let r = neurobench().count(&net, &xs, |m, xs| m.forward(xs)).unwrap();
    let nb = |p: &str| r.layer(p).unwrap().stats.neurobench.unwrap();
    // conv: the 2×2 windows over the diagonal hold 2, 1, 1, 2 spikes, times 2 channels: 12 products
    // of non-zero weights and inputs per step; dense 4 positions × 4 offsets × 2 channels = 32.
    assert_eq!((nb("conv").effective_acs, nb("conv").effective_macs, nb("conv").dense), (24, 0, 64));
    // The neuron's output [[1, .5], [.5, 1]] per channel fires [1, 0, 0, 1], then all: 4 + 8 of 16
    // non-zero. Membranes: every neuron at the batch's first step (8); at the second the four at
    // 0.5 change (to 1, fire, reset to 0), the four at 0 stay at 0 (charged to 1, fired, reset).
    assert_eq!((nb("sn").membrane_updates, nb("sn").activation_nonzero, nb("sn").activation_numel), (12, 12, 16));
    // fc: every weight is zero, so no effective operation; dense 8 × 3 per call, bias not counted.
    assert_eq!((nb("fc").effective_acs, nb("fc").dense), (0, 48));
    let m = r.neurobench.as_ref().unwrap();
    assert_eq!((m.synaptic_operations.effective_acs, m.synaptic_operations.effective_macs), (24.0, 0.0));
    assert_eq!((m.synaptic_operations.dense, m.membrane_updates), (112.0, 12.0));
    assert_eq!(m.activation_sparsity, Some(0.25));
    // 24 of the 32 connection weights are zero; 35 parameters of 4 bytes.
    assert_eq!((m.connection_sparsity, m.statics.parameter_count, m.statics.footprint), (Some(0.75), 35, 140));
    assert_eq!((r.per_sample.acs, r.per_sample.dense, r.per_sample.membrane_updates), (24.0, Some(112.0), Some(12.0)));
    // The rate column: the input's non-zero share (conv 3/9, fc 4/8 and 8/8), the output's for the neuron.
    assert_eq!(r.layer("sn").unwrap().mean_rate(), Some(0.75));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let text = r.to_string();
    assert!(
        text.contains(
            "neurobench MembraneUpdates 12.0 per sample; ActivationSparsity 0.2500; ConnectionSparsity 0.7500"
        ),
        "{text}"
    );
    assert!(text.contains("NeuroBench per layer (per sample):"), "{text}");
    let back = Report::from_json(&r.to_json()).unwrap();
    assert_eq!(back, r);
}

/// Analog inputs (not all -1, 0, 1) are MACs; signed spikes are ACs.
#[test]
fn spiking_means_every_input_in_minus_one_zero_one() {
    let dev = Device::Cpu;
    let fc = Linear::new(Tensor::ones((2, 3), DType::F32, &dev).unwrap(), None);
    let signed = Tensor::new(&[[-1f32, 0., 1.]], &dev).unwrap();
    let analog = Tensor::new(&[[0.5f32, 0., 1.]], &dev).unwrap();
    let r = neurobench().count_batches(&fc, [&signed, &analog], |m, xs| m.forward(xs)).unwrap();
    let nb = r.layer("").unwrap().stats.neurobench.unwrap();
    // Two non-zero inputs meet two weights each, in both calls.
    assert_eq!((nb.effective_acs, nb.effective_macs, nb.dense), (4, 4, 12));
}

#[syops::count]
struct Recurrent {
    lstm: Rnn,
}

#[syops::count]
impl Module for Recurrent {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        self.lstm.forward(xs)
    }
}

#[syops::count]
struct Unrolled {
    cell: RnnCell,
}

#[syops::count]
impl Module for Unrolled {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let mut h = None;
        for t in 0..xs.dim(1)? {
            h = Some(self.cell.forward(&xs.i((.., t))?.contiguous()?)?);
        }
        h.ok_or_else(|| candle::Error::Msg("no steps".into()))
    }
}

/// An LSTM cell's weights (input 4, hidden 3), a fifth of them zero.
fn weights(dev: &Device) -> std::collections::HashMap<String, Tensor> {
    let v = |n: usize, seed: usize| -> Vec<f32> {
        (0..n)
            .map(|i| if (i * 7 + seed).is_multiple_of(5) { 0.0 } else { ((i * 13 + seed) % 11) as f32 / 11.0 - 0.4 })
            .collect()
    };
    let mut t = std::collections::HashMap::new();
    let put = |t: &mut std::collections::HashMap<String, Tensor>, name: &str, shape: &[usize], seed: usize| {
        let n = shape.iter().product();
        t.insert(name.to_string(), Tensor::from_vec(v(n, seed), shape, dev).unwrap());
    };
    put(&mut t, "weight_ih", &[12, 4], 1);
    put(&mut t, "weight_hh", &[12, 3], 2);
    put(&mut t, "bias_ih", &[12], 3);
    put(&mut t, "bias_hh", &[12], 4);
    t
}

/// A whole `nn.LSTM` layer (which NeuroBench 2.3 cannot count) is counted as its cell step by
/// step, with a warning: the same numbers as the cell run in a loop.
#[test]
fn a_recurrent_layer_counts_as_its_cells() {
    let dev = Device::Cpu;
    let w = weights(&dev);
    let layer_vb =
        VarBuilder::from_tensors(w.iter().map(|(k, v)| (format!("{k}_l0"), v.clone())).collect(), DType::F32, &dev);
    let layer = Recurrent { lstm: Rnn::lstm(4, 3, RnnConfig::default(), layer_vb).unwrap() };
    let cell = Unrolled {
        cell: RnnCell::new(RnnMode::Lstm, 4, 3, true, VarBuilder::from_tensors(w, DType::F32, &dev))
            .unwrap()
            .keep_state(true),
    };
    let xs = Tensor::new(
        &[
            [[1f32, 0., 1., 1.], [0., 0., 1., 0.], [1., 1., 1., 1.]],
            [[0., 1., 0., 0.], [1., 0., 0., 1.], [0., 0., 0., 0.]],
        ],
        &dev,
    )
    .unwrap();
    let a = neurobench().count(&layer, &xs, |m, xs| m.forward(xs)).unwrap();
    let b = neurobench().count(&cell, &xs, |m, xs| m.forward(xs)).unwrap();
    let (na, nb) =
        (a.layer("lstm").unwrap().stats.neurobench.unwrap(), b.layer("cell").unwrap().stats.neurobench.unwrap());
    assert!(na.effective_acs > 0 && na.dense > na.effective_acs, "{na:?}");
    assert_eq!((na.effective_acs, na.effective_macs, na.dense), (nb.effective_acs, nb.effective_macs, nb.dense));
    assert_eq!(na.unrolled_calls, 1);
    assert!(
        a.warnings.iter().any(|w| w.contains("`lstm` (LSTM)") && w.contains("counted as its cells")),
        "{:?}",
        a.warnings
    );
    assert!(!b.warnings.iter().any(|w| w.contains("`cell`")), "{:?}", b.warnings);
}

/// A cell called without a state is counted from zero states, with a warning (NeuroBench 2.3
/// counts only the first sample there).
#[test]
fn a_cell_without_state_is_counted_from_zeros_and_flagged() {
    let dev = Device::Cpu;
    let w = weights(&dev);
    let stateless =
        RnnCell::new(RnnMode::Lstm, 4, 3, true, VarBuilder::from_tensors(w.clone(), DType::F32, &dev)).unwrap();
    let kept = RnnCell::new(RnnMode::Lstm, 4, 3, true, VarBuilder::from_tensors(w, DType::F32, &dev))
        .unwrap()
        .keep_state(true);
    let xs = Tensor::new(&[[1f32, 0., 1., 1.], [0., 1., 0., 0.]], &dev).unwrap();
    let a = neurobench().count(&stateless, &xs, |m, xs| m.forward(xs)).unwrap();
    let b = neurobench().count(&kept, &xs, |m, xs| m.forward(xs)).unwrap();
    let (na, nb) = (a.layer("").unwrap().stats.neurobench.unwrap(), b.layer("").unwrap().stats.neurobench.unwrap());
    assert_eq!((na.effective_acs, na.dense), (nb.effective_acs, nb.dense));
    assert_eq!((na.stateless_calls, nb.stateless_calls), (1, 0));
    assert!(
        a.warnings.iter().any(|w| w.contains("without its state") && w.contains("zero states")),
        "{:?}",
        a.warnings
    );
}

/// Transposed convolutions are not NeuroBench connection layers; a model without activation layers
/// has no ActivationSparsity (NeuroBench reports 0.0): both are said.
#[test]
fn what_neurobench_leaves_out_is_said() {
    let dev = Device::Cpu;
    let vb = VarBuilder::zeros(DType::F32, &dev);
    let deconv = Conv::new(2, true, 2, 2, &[2, 2], ConvConfig { stride: vec![2], ..Default::default() }, vb).unwrap();
    let xs = Tensor::ones((1, 2, 3, 3), DType::F32, &dev).unwrap();
    let r = neurobench().count(&deconv, &xs, |m, xs| m.forward(xs)).unwrap();
    let m = r.neurobench.as_ref().unwrap();
    assert_eq!((m.synaptic_operations.dense, m.activation_sparsity, m.connection_sparsity), (0.0, None, None));
    let all = r.warnings.join("\n");
    assert!(all.contains("not a connection layer for NeuroBench 2.3"), "{all}");
    assert!(
        all.contains("ActivationSparsity is undefined") && all.contains("ConnectionSparsity is undefined"),
        "{all}"
    );
    let err = neurobench().count_static(&deconv, &[1, 2, 3, 3], DType::F32, &dev, |m, xs| m.forward(xs)).unwrap_err();
    assert!(err.to_string().contains("no count from shapes alone"), "{err}");
}
