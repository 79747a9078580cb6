//! The layers of `syops_runtime::nn` against PyTorch: `fixtures/layers.json` (written by
//! `fixtures/gen_layers.py` in float64, eval mode) holds each layer's inputs, parameters under their
//! state-dict names, and PyTorch's outputs. Also: dense counts worked by hand from syops 0.0.5's
//! formulas, and errors for bad shapes.
use std::collections::HashMap;

use candle::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use serde_json::Value;
use syops_runtime::model::{Call, Layer, Ops};
use syops_runtime::nn::*;

const TOL: f64 = 1e-10;

fn tensor(v: &Value) -> Tensor {
    let shape: Vec<usize> = v["shape"].as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect();
    let data: Vec<f64> = v["data"].as_array().unwrap().iter().map(|d| d.as_f64().unwrap()).collect();
    Tensor::from_vec(data, shape, &Device::Cpu).unwrap()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array().unwrap().iter().map(|d| d.as_u64().unwrap() as usize).collect()
}

fn cfg_usize(c: &Value, key: &str) -> usize {
    c[key].as_u64().unwrap_or_else(|| panic!("config {key}")) as usize
}

fn max_abs_diff(a: &Tensor, b: &Tensor) -> f64 {
    assert_eq!(a.dims(), b.dims(), "shape mismatch");
    a.sub(b).unwrap().abs().unwrap().flatten_all().unwrap().max(0).unwrap().to_scalar::<f64>().unwrap()
}

fn arr<const D: usize>(v: &[usize]) -> [usize; D] {
    v.try_into().unwrap()
}

type Forward = Box<dyn Fn(&Tensor) -> candle::Result<Tensor>>;

fn pool_layer(c: &Value) -> Forward {
    let dims = cfg_usize(c, "dims");
    let kind = c["pool"].as_str().unwrap().to_string();
    macro_rules! windowed {
        ($d:literal) => {{
            let (k, s, p) = (usizes(&c["kernel"]), usizes(&c["stride"]), usizes(&c["padding"]));
            let ceil = c["ceil_mode"].as_bool().unwrap();
            if kind == "max" {
                let m = MaxPool::<$d>::with_config(arr::<$d>(&k), arr::<$d>(&s), arr::<$d>(&p), ceil);
                Box::new(move |x: &Tensor| m.forward(x)) as Forward
            } else {
                let m = AvgPool::<$d>::with_config(arr::<$d>(&k), arr::<$d>(&s), arr::<$d>(&p), ceil);
                Box::new(move |x: &Tensor| m.forward(x))
            }
        }};
    }
    macro_rules! adaptive {
        ($d:literal) => {{
            let o = arr::<$d>(&usizes(&c["out"]));
            if kind == "amax" {
                let m = AdaptiveMaxPool::<$d>::with_size(o);
                Box::new(move |x: &Tensor| m.forward(x)) as Forward
            } else {
                let m = AdaptiveAvgPool::<$d>::with_size(o);
                Box::new(move |x: &Tensor| m.forward(x))
            }
        }};
    }
    match (kind.as_str(), dims) {
        ("max" | "avg", 1) => windowed!(1),
        ("max" | "avg", 2) => windowed!(2),
        ("max" | "avg", 3) => windowed!(3),
        (_, 1) => adaptive!(1),
        (_, 2) => adaptive!(2),
        (_, 3) => adaptive!(3),
        _ => panic!("bad pool config {c}"),
    }
}

fn rnn_mode(s: &str) -> RnnMode {
    match s {
        "lstm" => RnnMode::Lstm,
        "gru" => RnnMode::Gru,
        "rnn" => RnnMode::RnnTanh,
        "rnn_relu" => RnnMode::RnnRelu,
        other => panic!("mode {other}"),
    }
}

/// Runs one fixture case; returns the Rust outputs, in PyTorch's order.
fn run_case(case: &Value, dtype: DType) -> Vec<Tensor> {
    let c = &case["config"];
    let params: HashMap<String, Tensor> = case["params"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), tensor(v).to_dtype(dtype).unwrap()))
        .collect();
    let vb = VarBuilder::from_tensors(params, dtype, &Device::Cpu);
    let inputs: Vec<Tensor> =
        case["inputs"].as_array().unwrap().iter().map(|v| tensor(v).to_dtype(dtype).unwrap()).collect();
    let x = &inputs[0];
    let b = |key: &str| c[key].as_bool().unwrap();
    match case["kind"].as_str().unwrap() {
        "conv" => {
            let cfg = ConvConfig {
                stride: usizes(&c["stride"]),
                padding: usizes(&c["padding"]),
                dilation: usizes(&c["dilation"]),
                output_padding: usizes(&c["output_padding"]),
                groups: cfg_usize(c, "groups"),
                bias: b("bias"),
            };
            let conv = Conv::new(
                cfg_usize(c, "dims"),
                b("transposed"),
                cfg_usize(c, "in"),
                cfg_usize(c, "out"),
                &usizes(&c["kernel"]),
                cfg,
                vb,
            )
            .unwrap();
            vec![conv.forward(x).unwrap()]
        }
        "pool" => vec![pool_layer(c)(x).unwrap()],
        "instance_norm" => {
            let m = InstanceNorm::new(cfg_usize(c, "dims"), cfg_usize(c, "c"), b("affine"), vb).unwrap();
            vec![m.forward(x).unwrap()]
        }
        "group_norm" => {
            let (g, ch) = (cfg_usize(c, "groups"), cfg_usize(c, "c"));
            let m = if b("affine") {
                GroupNorm::new(g, ch, vb).unwrap()
            } else {
                GroupNorm::from_tensors(g, ch, None, 1e-5).unwrap()
            };
            vec![m.forward(x).unwrap()]
        }
        "linear" => {
            let m = Linear::new(cfg_usize(c, "in"), cfg_usize(c, "out"), b("bias"), vb).unwrap();
            vec![m.forward(x).unwrap()]
        }
        "rnn" => {
            let cfg =
                RnnConfig { num_layers: cfg_usize(c, "layers"), bidirectional: b("bidirectional"), bias: b("bias") };
            let m =
                Rnn::new(rnn_mode(c["mode"].as_str().unwrap()), cfg_usize(c, "in"), cfg_usize(c, "hidden"), cfg, vb)
                    .unwrap();
            let out = m.forward_with_state(x, inputs.get(1), inputs.get(2)).unwrap();
            let mut v = vec![out.output, out.h_n];
            v.extend(out.c_n);
            v
        }
        "cell" => {
            let m = RnnCell::new(
                rnn_mode(c["mode"].as_str().unwrap()),
                cfg_usize(c, "in"),
                cfg_usize(c, "hidden"),
                b("bias"),
                vb,
            )
            .unwrap();
            let state = inputs.get(1).map(|h| (h, inputs.get(2)));
            let (h, cs) = m.forward_with_state(x, state).unwrap();
            let mut v = vec![h];
            v.extend(cs);
            v
        }
        "mha" => {
            let m = MultiheadAttention::new(cfg_usize(c, "embed"), cfg_usize(c, "heads"), b("bias"), vb).unwrap();
            let (out, w) = if inputs.len() == 3 {
                m.forward_qkv(x, &inputs[1], &inputs[2]).unwrap()
            } else {
                m.forward_qkv(x, x, x).unwrap()
            };
            vec![out, w]
        }
        other => panic!("unknown kind {other}"),
    }
}

fn cases() -> Vec<Value> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/layers.json");
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    json["cases"].as_array().unwrap().clone()
}

#[test]
fn layers_match_pytorch_in_f64() {
    let cases = cases();
    assert!(cases.len() >= 50, "fixture has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let expected: Vec<Tensor> = case["outputs"].as_array().unwrap().iter().map(tensor).collect();
        eprintln!("case {name}");
        let got = run_case(case, DType::F64);
        assert_eq!(got.len(), expected.len(), "{name}: number of outputs");
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            if g.dims() != e.dims() {
                failures.push(format!("{name}[{i}]: shape {:?}, PyTorch {:?}", g.dims(), e.dims()));
                continue;
            }
            let err = max_abs_diff(g, e);
            if err.is_nan() || err >= TOL {
                failures.push(format!("{name}[{i}]: max abs error {err:e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn layers_match_pytorch_in_f32() {
    for case in &cases() {
        let name = case["name"].as_str().unwrap();
        let expected: Vec<Tensor> = case["outputs"].as_array().unwrap().iter().map(tensor).collect();
        for (g, e) in run_case(case, DType::F32).iter().zip(&expected) {
            assert_eq!(g.dtype(), DType::F32, "{name}");
            let err = max_abs_diff(&g.to_dtype(DType::F64).unwrap(), e);
            assert!(err.is_finite() && err < 1e-4, "{name}: f32 max abs error {err:e}");
        }
    }
}

fn zeros_vb() -> VarBuilder<'static> {
    VarBuilder::zeros(DType::F32, &Device::Cpu)
}

fn ops_of(layer: &dyn Layer, x: &Tensor, y: &Tensor) -> Ops {
    layer.ops(&Call::new("l", Some(x), Some(y))).unwrap()
}

fn zeros(shape: &[usize]) -> Tensor {
    Tensor::zeros(shape, DType::F32, &Device::Cpu).unwrap()
}

#[test]
fn dense_counts_follow_syops_formulas() {
    // Conv3d(2, 8, 3, padding=1) on [2, 2, 4, 4, 4]: (27 * 2 * 8 + 8) * 2 * 64.
    let conv =
        Conv::new(3, false, 2, 8, &[3], ConvConfig { padding: vec![1], ..Default::default() }, zeros_vb()).unwrap();
    let x = zeros(&[2, 2, 4, 4, 4]);
    let y = conv.forward(&x).unwrap();
    assert_eq!(conv.type_name(), "Conv3d");
    assert_eq!(ops_of(&conv, &x, &y), Ops::synaptic((27 * 2 * 8 + 8) * 2 * 64));

    // ConvTranspose2d(16, 8, 3, stride=2, padding=1, output_padding=1, groups=2) on [1, 16, 4, 4]:
    // output [1, 8, 8, 8]; 9 * 16 * (8 / 2) + 8 bias per position, 64 positions.
    let cfg =
        ConvConfig { stride: vec![2], padding: vec![1], output_padding: vec![1], groups: 2, ..Default::default() };
    let deconv = Conv::new(2, true, 16, 8, &[3], cfg, zeros_vb()).unwrap();
    let x = zeros(&[1, 16, 4, 4]);
    let y = deconv.forward(&x).unwrap();
    assert_eq!(y.dims(), &[1, 8, 8, 8]);
    assert_eq!(deconv.type_name(), "ConvTranspose2d");
    assert_eq!(ops_of(&deconv, &x, &y).dense, (9 * 16 * 4 + 8) * 64);

    // Pools: numel(input).
    let x = zeros(&[2, 3, 5, 6, 7]);
    let pool = MaxPool3d::new(2, 2, 0);
    let y = pool.forward(&x).unwrap();
    assert_eq!(pool.type_name(), "MaxPool3d");
    assert_eq!(ops_of(&pool, &x, &y), Ops::synaptic(2 * 3 * 5 * 6 * 7));
    let pool = AdaptiveAvgPool1d::new(4);
    assert_eq!(pool.type_name(), "AdaptiveAvgPool1d");

    // InstanceNorm2d(3, affine=True): 2 * numel; GroupNorm: 2 * numel; not affine: numel.
    let x = zeros(&[2, 3, 4, 5]);
    let inorm = InstanceNorm::new(2, 3, true, zeros_vb()).unwrap();
    assert_eq!(inorm.type_name(), "InstanceNorm2d");
    assert_eq!(ops_of(&inorm, &x, &x).dense, 2 * 120);
    let inorm = InstanceNorm::new(2, 3, false, zeros_vb()).unwrap();
    assert_eq!(ops_of(&inorm, &x, &x).dense, 120);
    let gn = GroupNorm::new(3, 3, zeros_vb()).unwrap();
    assert_eq!(ops_of(&gn, &x, &x).dense, 240);

    // LSTM(16, 32, num_layers=2) on [2, 5, 16]:
    // layer 0: 128*16 + 128*32 + 32*10 + 128 + 128 = 6720; layer 1: 128*32 + 128*32 + 320 + 256 = 8768.
    let cfg = RnnConfig { num_layers: 2, ..Default::default() };
    let lstm = Rnn::lstm(16, 32, cfg, zeros_vb()).unwrap();
    let x = zeros(&[2, 5, 16]);
    let y = lstm.forward(&x).unwrap();
    assert_eq!(lstm.type_name(), "LSTM");
    assert_eq!(ops_of(&lstm, &x, &y), Ops::total_only((6720 + 8768) * 2 * 5));

    // GRU(32, 24, bidirectional) on [2, 5, 32]: 72*32 + 72*24 + 24*7 + 72 + 72 = 4344, x 2 x 5 x 2.
    let gru = Rnn::gru(32, 24, RnnConfig { bidirectional: true, ..Default::default() }, zeros_vb()).unwrap();
    let x = zeros(&[2, 5, 32]);
    let y = gru.forward(&x).unwrap();
    assert_eq!(y.dims(), &[2, 5, 48]);
    assert_eq!(ops_of(&gru, &x, &y).dense, 4344 * 2 * 5 * 2);

    // RNN(48, 16, bias=False) on [2, 5, 48]: 16*48 + 16*16 + 16 = 1040, x 10.
    let rnn = Rnn::rnn_tanh(48, 16, RnnConfig { bias: false, ..Default::default() }, zeros_vb()).unwrap();
    let x = zeros(&[2, 5, 48]);
    let y = rnn.forward(&x).unwrap();
    assert_eq!(rnn.type_name(), "RNN");
    assert_eq!(ops_of(&rnn, &x, &y).dense, 1040 * 10);

    // Cells on [3, 16] / [3, 8]: LSTMCell(16, 8): 32*16 + 32*8 + 80 + 64 = 912; GRUCell(8, 8):
    // 24*8*2 + 56 + 48 = 488; RNNCell(8, 8): 64*2 + 8 + 16 = 152; each x 3.
    let cell = RnnCell::new(RnnMode::Lstm, 16, 8, true, zeros_vb()).unwrap();
    let x = zeros(&[3, 16]);
    let y = cell.forward(&x).unwrap();
    assert_eq!(cell.type_name(), "LSTMCell");
    assert_eq!(ops_of(&cell, &x, &y), Ops::total_only(912 * 3));
    let x = zeros(&[3, 8]);
    let cell = RnnCell::new(RnnMode::Gru, 8, 8, true, zeros_vb()).unwrap();
    assert_eq!(ops_of(&cell, &x, &x).dense, 488 * 3);
    let cell = RnnCell::new(RnnMode::RnnTanh, 8, 8, true, zeros_vb()).unwrap();
    assert_eq!(cell.type_name(), "RNNCell");
    assert_eq!(ops_of(&cell, &x, &x).dense, 152 * 3);

    // MultiheadAttention(16, 4) self-attention on [2, 5, 16]:
    // 5*16 + 3*5*256 + 15*16 + 4*(25*4 + 25 + 25*4) + 5*16*17 = 80 + 3840 + 240 + 900 + 1360 = 6420.
    let mha = MultiheadAttention::new(16, 4, true, zeros_vb()).unwrap();
    let x = zeros(&[2, 5, 16]);
    let y = mha.forward(&x).unwrap();
    assert_eq!(mha.type_name(), "MultiheadAttention");
    assert_eq!(ops_of(&mha, &x, &y), Ops::total_only(6420 * 2));

    // Linear on rank 5: numel(input) * out + out.
    let fc = Linear::new(5, 3, true, zeros_vb()).unwrap();
    let x = zeros(&[2, 2, 3, 2, 5]);
    let y = fc.forward(&x).unwrap();
    assert_eq!(y.dims(), &[2, 2, 3, 2, 3]);
    assert_eq!(ops_of(&fc, &x, &y).dense, 120 * 3 + 3);
}

#[test]
fn params_are_listed_under_pytorch_layout() {
    let count = |l: &dyn Layer| {
        let mut n = 0;
        l.params(&mut |t| n += t.elem_count());
        n
    };
    let lstm = Rnn::lstm(5, 4, RnnConfig { num_layers: 2, bidirectional: true, bias: true }, zeros_vb()).unwrap();
    // PyTorch: sum(p.numel()) = 2*(16*5 + 16*4 + 32) + 2*(16*8 + 16*4 + 32) = 352 + 448.
    assert_eq!(count(&lstm), 800);
    let conv = Conv::new(2, true, 4, 6, &[3], ConvConfig { groups: 2, ..Default::default() }, zeros_vb()).unwrap();
    assert_eq!(conv.weight().dims(), &[4, 3, 3, 3]);
    assert_eq!(count(&conv), 4 * 3 * 9 + 6);
    let mha = MultiheadAttention::new(8, 2, true, zeros_vb()).unwrap();
    assert_eq!(count(&mha), 3 * 64 + 24 + 64 + 8);
}

fn err_of(r: candle::Result<Tensor>) -> String {
    r.expect_err("expected an error").to_string()
}

#[test]
fn bad_shapes_are_errors_naming_the_layer() {
    let conv = Conv::new(1, false, 4, 6, &[3], ConvConfig::default(), zeros_vb()).unwrap();
    let e = err_of(conv.forward(&zeros(&[2, 3, 9])));
    assert!(e.contains("Conv1d") && e.contains("[2, 3, 9]"), "{e}");
    let e = err_of(conv.forward(&zeros(&[2, 4, 9, 9])));
    assert!(e.contains("Conv1d") && e.contains("[2, 4, 9, 9]"), "{e}");
    let e = err_of(conv.forward(&zeros(&[2, 4, 2])));
    assert!(e.contains("Conv1d") && e.contains("larger"), "{e}");

    let deconv = Conv::new(3, true, 4, 2, &[2], ConvConfig::default(), zeros_vb()).unwrap();
    let e = err_of(deconv.forward(&zeros(&[1, 3, 2, 2, 2])));
    assert!(e.contains("ConvTranspose3d") && e.contains("[1, 3, 2, 2, 2]"), "{e}");

    let e = err_of(MaxPool1d::new(2, 2, 0).forward(&zeros(&[2, 3, 4, 5])));
    assert!(e.contains("MaxPool1d") && e.contains("[2, 3, 4, 5]"), "{e}");
    let e = err_of(AvgPool3d::new(3, 1, 0).forward(&zeros(&[1, 1, 2, 5, 5])));
    assert!(e.contains("AvgPool3d") && e.contains("larger") && e.contains("[1, 1, 2, 5, 5]"), "{e}");
    let e = err_of(AdaptiveMaxPool2d::new((2, 2)).forward(&zeros(&[4])));
    assert!(e.contains("AdaptiveMaxPool2d") && e.contains("[4]"), "{e}");

    let inorm = InstanceNorm::new(2, 3, true, zeros_vb()).unwrap();
    let e = err_of(inorm.forward(&zeros(&[2, 4, 5, 5])));
    assert!(e.contains("InstanceNorm2d") && e.contains("[2, 4, 5, 5]"), "{e}");
    let gn = GroupNorm::new(2, 4, zeros_vb()).unwrap();
    let e = err_of(gn.forward(&zeros(&[2, 6, 5])));
    assert!(e.contains("GroupNorm") && e.contains("[2, 6, 5]"), "{e}");

    let fc = Linear::new(5, 3, true, zeros_vb()).unwrap();
    let e = err_of(fc.forward(&zeros(&[2, 4])));
    assert!(e.contains("Linear") && e.contains("[2, 4]"), "{e}");

    let lstm = Rnn::lstm(5, 4, RnnConfig::default(), zeros_vb()).unwrap();
    let e = err_of(lstm.forward(&zeros(&[2, 3, 6])));
    assert!(e.contains("LSTM") && e.contains("[2, 3, 6]"), "{e}");
    let cell = RnnCell::new(RnnMode::Gru, 5, 4, true, zeros_vb()).unwrap();
    let e = err_of(cell.forward(&zeros(&[2, 3, 5])));
    assert!(e.contains("GRUCell") && e.contains("[2, 3, 5]"), "{e}");

    let mha = MultiheadAttention::new(8, 2, true, zeros_vb()).unwrap();
    let e = err_of(mha.forward(&zeros(&[2, 3, 6])));
    assert!(e.contains("MultiheadAttention") && e.contains("[2, 3, 6]"), "{e}");
}
