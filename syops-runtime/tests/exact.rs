//! The exact convention on small cases worked by hand.
use std::collections::HashMap;

use candle::{DType, Device, Module, Tensor};
use candle_nn::{Conv2dConfig, VarBuilder};
use syops_runtime::convention::Convention;
use syops_runtime::model::{ExactOps, Layer, Ops};
use syops_runtime::nn::{AvgPool2d, MaxPool2d, MultiheadAttention, Rnn, RnnConfig};
use syops_runtime::report::Report;
use syops_runtime::Session;

fn exact() -> Session {
    Session::new().convention(Convention::Exact)
}

/// A VarBuilder holding `weight` (and a zero `bias` of `bias` elements, when given).
fn weights(weight: Tensor, bias: Option<usize>) -> VarBuilder<'static> {
    let mut map = HashMap::from([("weight".to_string(), weight)]);
    if let Some(n) = bias {
        map.insert("bias".into(), Tensor::zeros(n, DType::F32, &Device::Cpu).unwrap());
    }
    VarBuilder::from_tensors(map, DType::F32, &Device::Cpu)
}

fn ones(shape: &[usize]) -> Tensor {
    Tensor::ones(shape, DType::F32, &Device::Cpu).unwrap()
}

fn tensor(values: &[f32], shape: &[usize]) -> Tensor {
    Tensor::from_slice(values, shape, &Device::Cpu).unwrap()
}

/// The diagonal spike map
/// ```text
/// 1 0 0
/// 0 1 0
/// 0 0 1
/// ```
fn diagonal() -> Tensor {
    tensor(&[1., 0., 0., 0., 1., 0., 0., 0., 1.], &[1, 1, 3, 3])
}

fn count<M: Layer + Module>(session: &Session, layer: &M, xs: &Tensor) -> Report {
    session.count(layer, xs, |l, xs| l.forward(xs)).unwrap()
}

#[test]
fn conv_padding_1_counts_pairs_that_meet() {
    // 2×2 ones kernel, stride 1, padding 1 on the 3×3 diagonal: output 4×4. Along each dim the
    // outputs 0..4 see inputs {-1,0}, {0,1}, {1,2}, {2,3}: every input is seen twice, so every
    // input position meets 2 × 2 = 4 weights. 3 spikes × 4 = 12 events, + 16 bias ops (one per
    // output element) = 28 ACs. Dense (syops): (4 + 1) × 16 = 80.
    let cfg = Conv2dConfig { padding: 1, ..Default::default() };
    let conv = candle_nn::conv2d(1, 1, 2, cfg, weights(ones(&[1, 1, 2, 2]), Some(1))).unwrap();
    let r = count(&exact(), &conv, &diagonal());
    assert_eq!(r.convention, "exact");
    let e = r.layers[0].stats.exact.unwrap();
    assert_eq!((e.acs, e.macs, e.membrane_updates), (28, 0, 0));
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (28.0, 0.0));
    assert_eq!((r.per_sample.total, r.per_sample.dense, r.per_sample.membrane_updates), (80.0, Some(80.0), Some(0.0)));
    // The events are the sum of the convolution of the spike map with the ones kernel.
    let no_bias = candle_nn::conv2d_no_bias(1, 1, 2, cfg, weights(ones(&[1, 1, 2, 2]), None)).unwrap();
    assert_eq!(no_bias.forward(&diagonal()).unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap(), 12.0);
}

#[test]
fn conv_stride_2_never_sees_the_last_row_and_column() {
    // 2×2 kernel, stride 2, no padding on 3×3: one window over (0,0), (0,1), (1,0), (1,1). It
    // holds the spikes at (0,0) and (1,1); the one at (2,2) meets no weight: 2 ACs. Dense: 4.
    let cfg = Conv2dConfig { stride: 2, ..Default::default() };
    let conv = candle_nn::conv2d_no_bias(1, 1, 2, cfg, weights(ones(&[1, 1, 2, 2]), None)).unwrap();
    let r = count(&exact(), &conv, &diagonal());
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.total), (2.0, 0.0, 4.0));
}

#[test]
fn grouped_conv_counts_each_group_into_its_own_outputs() {
    // Conv2d(2, 4, 2, groups=2), stride 1, no padding, on 2×3×3: output 2×2, and along each dim
    // inputs 0, 1, 2 are seen by 1, 2, 1 windows, so position (i, j) meets w[i]·w[j] kernel offsets:
    //   1 2 1
    //   2 4 2
    //   1 2 1
    // Channel 0 (group 0) spikes at (1,1): 4 pairs; channel 1 (group 1) at (0,0) and (0,1): 1 + 2.
    // Each group has 4 / 2 = 2 output channels: (4 + 3) × 2 = 14 ACs.
    let xs = tensor(&[0., 0., 0., 0., 1., 0., 0., 0., 0., 1., 1., 0., 0., 0., 0., 0., 0., 0.], &[1, 2, 3, 3]);
    let cfg = Conv2dConfig { groups: 2, ..Default::default() };
    let conv = candle_nn::conv2d_no_bias(2, 4, 2, cfg, weights(ones(&[4, 1, 2, 2]), None)).unwrap();
    let r = count(&exact(), &conv, &xs);
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (14.0, 0.0));
    assert_eq!(conv.forward(&xs).unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap(), 14.0);
}

#[test]
fn conv_events_equal_the_ones_convolution_for_many_geometries() {
    // With an all-ones weight and a binary input, the convolution's output summed is the number of
    // (nonzero input, weight) pairs that meet: the exact ACs.
    let v: Vec<f32> = (0..2 * 4 * 7 * 6).map(|i| f32::from(u8::from((i * 7 + i / 5) % 3 == 0))).collect();
    let xs = tensor(&v, &[2, 4, 7, 6]);
    for (stride, padding, dilation, groups) in [(1, 0, 1, 1), (2, 1, 1, 2), (3, 2, 2, 4), (1, 2, 2, 1), (2, 0, 1, 4)] {
        let cfg = Conv2dConfig { stride, padding, dilation, groups, ..Default::default() };
        let conv = candle_nn::conv2d_no_bias(4, 8, 3, cfg, weights(ones(&[8, 4 / groups, 3, 3]), None)).unwrap();
        let want = conv.forward(&xs).unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap();
        let r = count(&exact(), &conv, &xs);
        assert_eq!(r.layers[0].stats.exact.unwrap().acs as f32, want, "{cfg:?}");
    }
}

#[test]
fn analog_conv_counts_in_bounds_macs_without_padding() {
    // 2×2 kernel, stride 1, padding 1 on an analog 3×3 map: every input position meets 4 weights
    // (see the padding-1 case), 9 × 4 = 36 MACs; syops' dense count includes the padding, 4 × 16 = 64.
    let xs = tensor(&[0.5, 2., -1., 0., 3., 0.25, 1., 0., 7.], &[1, 1, 3, 3]);
    let cfg = Conv2dConfig { padding: 1, ..Default::default() };
    let conv = candle_nn::conv2d_no_bias(1, 1, 2, cfg, weights(ones(&[1, 1, 2, 2]), None)).unwrap();
    let r = count(&exact(), &conv, &xs);
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.total), (0.0, 36.0, 64.0));
}

#[test]
fn linear_counts_nonzero_inputs_times_outputs_and_bias_per_output() {
    // Linear(4, 3) on [[1,0,1,0],[0,0,0,1]]: 3 nonzero inputs × 3 outputs = 9 events, + 2 rows × 3
    // outputs of bias = 15 ACs over 2 samples: 7.5 per sample. Dense (syops): 8 × 3 + 3 = 27.
    let fc =
        candle_nn::linear(4, 3, weights(Tensor::zeros((3, 4), DType::F32, &Device::Cpu).unwrap(), Some(3))).unwrap();
    let xs = tensor(&[1., 0., 1., 0., 0., 0., 0., 1.], &[2, 4]);
    let r = count(&exact(), &fc, &xs);
    assert_eq!(r.layers[0].stats.exact.unwrap().acs, 15);
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.total), (7.5, 0.0, 13.5));
    // Analog input: 8 × 3 + 6 = 30 MACs.
    let r = count(&exact(), &fc, &tensor(&[1., 2., 3., 0., 0., 0., 0., 1.], &[2, 4]));
    assert_eq!(r.layers[0].stats.exact.unwrap().macs, 30);
}

#[test]
fn transposed_conv_counts_from_its_input() {
    // ConvTranspose1d(2, 3, 3, stride 2) on [1, 2, 4] with 3 spikes: each meets 3 kernel taps ×
    // 3 output channels = 27 events; output length (4 - 1) × 2 + 3 = 9, 3 × 9 = 27 bias ops: 54 ACs.
    let cfg = candle_nn::ConvTranspose1dConfig { stride: 2, ..Default::default() };
    let vb = weights(ones(&[2, 3, 3]), Some(3));
    let conv = candle_nn::conv_transpose1d(2, 3, 3, cfg, vb).unwrap();
    let xs = tensor(&[1., 0., 0., 1., 0., 0., 1., 0.], &[1, 2, 4]);
    let r = count(&exact(), &conv, &xs);
    assert_eq!(r.layers[0].output_shape.as_deref(), Some(&[1, 3, 9][..]));
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (54.0, 0.0));
}

#[test]
fn neuron_counts_membrane_updates_not_acs_and_rates_the_whole_output() {
    // A multi-step IF neuron on [T=3, N=1, 2] inputs of 0.6: the membrane charges 0.6, 1.2 (fires,
    // resets), 0.6, so the output is [0, 1, 0] per feature: whole-output rate 2 / 6 (syops would
    // rate output[0], all zeros). 6 membrane updates, no ACs, no MACs; dim 0 (T) is the batch
    // counter, so 2 per sample.
    let sn = syops_runtime::neuron::IfNode::multi_step();
    let xs = (ones(&[3, 1, 2]) * 0.6).unwrap();
    let r = exact().count(&sn, &xs, |sn, xs| sn.forward(xs)).unwrap();
    let e = r.layers[0].stats.exact.unwrap();
    assert_eq!((e.acs, e.macs, e.membrane_updates), (0, 0, 6));
    assert_eq!(r.per_sample.membrane_updates, Some(2.0));
    assert!((r.layers[0].mean_rate().unwrap() - 1.0 / 3.0).abs() < 1e-6);
    let syops = Session::new().count(&sn, &xs, |sn, xs| sn.forward(xs)).unwrap();
    assert_eq!((syops.layers[0].stats.sum_acs, syops.layers[0].mean_rate()), (6.0, None));
}

#[test]
fn rnn_splits_input_events_from_hidden_macs() {
    // RNN(3, 2) with bias on [N=1, L=2, 3] holding 2 spikes. Input-to-hidden: 2 × 2 = 4 events, and
    // 2 rows × 2 bias_ih = 4 bias ops: 8 ACs. Per row, hidden-to-hidden 2 × 2 = 4, bias_hh 2,
    // tanh 2: 8 MACs, × 2 rows = 16. Dense (syops): (6 + 4 + 2 + 2 + 2) × 2 steps = 32.
    let rnn = Rnn::rnn_tanh(3, 2, RnnConfig::default(), VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    let xs = tensor(&[1., 0., 0., 0., 1., 0.], &[1, 2, 3]);
    let r = count(&exact(), &rnn, &xs);
    assert_eq!((r.per_sample.acs, r.per_sample.macs, r.per_sample.total), (8.0, 16.0, 32.0));
    // An analog input makes every product a MAC: then the MACs are the dense count, also for a
    // stacked bidirectional LSTM.
    let cfg = RnnConfig { num_layers: 2, bidirectional: true, bias: true };
    let lstm = Rnn::lstm(3, 2, cfg, VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    let r = count(&exact(), &lstm, &tensor(&[0.5, 2., 0., -1., 1., 3.], &[1, 2, 3]));
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (0.0, r.per_sample.total));
}

#[test]
fn attention_projections_split_by_input_the_rest_macs() {
    // MHA(E=2, 1 head) on [1, L=2, 2] holding one spike: q, k, v projections 1 × 3E = 6 events,
    // in_proj bias 3 × 2 rows × 2 = 12: 18 ACs. MACs: scaling 2 × 2 = 4, QK^T and ·V 2 × (2 × 2 × 2)
    // = 16, softmax 2 × 2 = 4, out projection 2 × 2 × 2 = 8, its bias 2 × 2 = 4: 36.
    let mha = MultiheadAttention::new(2, 1, true, VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    let r = count(&exact(), &mha, &tensor(&[1., 0., 0., 0.], &[1, 2, 2]));
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (18.0, 36.0));
}

#[test]
fn pools_count_window_pairs() {
    // AvgPool2d(2, 2) on a 4×4 map with 6 spikes: windows do not overlap, 6 events; dense 16.
    let v: Vec<f32> = (0..16).map(|i| f32::from(u8::from(i % 3 == 0))).collect();
    let r = count(&exact(), &AvgPool2d::new(2, 2, 0), &tensor(&v, &[1, 1, 4, 4]));
    assert_eq!((r.per_sample.acs, r.per_sample.total), (6.0, 16.0), "spikes at 0, 3, 6, 9, 12, 15");
    // MaxPool2d(3, 2, padding 1) on the 3×3 diagonal: outputs 0, 1 see inputs {-1,0,1}, {1,2,3},
    // so input positions meet [1, 2, 1] windows per dim: (0,0) 1, (1,1) 4, (2,2) 1 = 6 events.
    let r = count(&exact(), &MaxPool2d::new(3, 2, 1), &diagonal());
    assert_eq!(r.per_sample.acs, 6.0);
}

#[test]
fn custom_rules_see_the_convention_and_dense_fallbacks_are_flagged() {
    let fc = candle_nn::linear_no_bias(2, 2, VarBuilder::zeros(DType::F32, &Device::Cpu)).unwrap();
    let xs = tensor(&[1., 0.], &[1, 2]);
    // No exact part: the dense 10 is booked as ACs (the input spikes), with a warning.
    let r = exact().rule("Linear", |_| Ok(Ops::synaptic(10))).count(&fc, &xs, |l, x| l.forward(x)).unwrap();
    assert_eq!((r.per_sample.acs, r.per_sample.macs), (10.0, 0.0));
    assert!(r.warnings.iter().any(|w| w.contains("(Linear)") && w.contains("not event-exact")), "{:?}", r.warnings);
    // A rule that branches on the convention.
    let rule = |call: &syops_runtime::model::Call<'_>| {
        let ops = Ops::synaptic(if call.convention() == Convention::Exact { 7 } else { 10 });
        ops.exact_with(call, || Ok(ExactOps::dense(3)))
    };
    let r = exact().rule("Linear", rule).count(&fc, &xs, |l, x| l.forward(x)).unwrap();
    assert_eq!((r.per_sample.acs, r.per_sample.total), (3.0, 7.0));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn default_convention_is_unchanged() {
    // syops 0.0.5 on the padding-1 case: dense 80 at the input's rate 3/9 (in f32), no exact fields.
    let cfg = Conv2dConfig { padding: 1, ..Default::default() };
    let conv = candle_nn::conv2d(1, 1, 2, cfg, weights(ones(&[1, 1, 2, 2]), Some(1))).unwrap();
    let r = count(&Session::new(), &conv, &diagonal());
    assert_eq!(r.convention, "syops-0.0.5");
    assert_eq!(r.per_sample.acs, 80.0 * f64::from(3f32 / 9f32));
    assert_eq!((r.per_sample.macs, r.per_sample.total), (0.0, 80.0));
    assert_eq!((r.per_sample.membrane_updates, r.per_sample.dense, r.layers[0].stats.exact), (None, None, None));
    let json: serde_json::Value = serde_json::from_str(&r.to_json()).unwrap();
    let per_sample = json["per_sample"].as_object().unwrap();
    assert!(!per_sample.contains_key("membrane_updates") && !per_sample.contains_key("dense"), "{per_sample:?}");
    assert!(!json["layers"][0].as_object().unwrap().contains_key("exact"), "{json}");
    assert_eq!(count(&Session::new().convention(Convention::Syops005), &conv, &diagonal()), r);
}

#[test]
fn exact_reports_round_trip_through_json_and_print_their_counts() {
    let sn = syops_runtime::neuron::IfNode::multi_step();
    let r = exact().count(&sn, &(ones(&[3, 1, 2]) * 0.6).unwrap(), |sn, xs| sn.forward(xs)).unwrap();
    let json = r.to_json();
    assert!(json.contains("\"membrane_updates\"") && json.contains("\"exact\""), "{json}");
    assert_eq!(Report::from_json(&json).unwrap(), r);
    let text = r.to_string();
    assert!(text.contains("(exact convention)"), "{text}");
    assert!(text.contains("membrane 2.0 updates per sample") && text.contains("dense    2.0 per sample"), "{text}");
    let md = syops_runtime::render::View { format: syops_runtime::render::Format::Markdown, ..Default::default() }
        .render(&r);
    assert!(md.contains("(exact convention)") && md.contains("- membrane 2.0 updates per sample"), "{md}");
}
