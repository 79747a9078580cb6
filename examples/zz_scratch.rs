use candle::{DType, Device, Module, Tensor};
use std::time::Instant;
fn t(name: &str, n: usize, f: impl Fn()) {
    f();
    let s = Instant::now();
    for _ in 0..n {
        f();
    }
    println!("{name}: {:.3} ms", s.elapsed().as_secs_f64() * 1e3 / n as f64);
}
fn main() {
    let dev = Device::Cpu;
    let vb = candle_nn::VarBuilder::zeros(DType::F32, &dev);
    let x = Tensor::rand(0f32, 1f32, (2, 64, 56, 56), &dev).unwrap();
    let s = x.ge(0.7).unwrap().to_dtype(DType::F32).unwrap();
    let conv =
        candle_nn::conv2d_no_bias(64, 64, 3, candle_nn::Conv2dConfig { padding: 1, ..Default::default() }, vb.pp("c"))
            .unwrap();
    let bn = syops::nn::batch_norm(2, 64, true, vb.pp("bn")).unwrap();
    let sn = syops::neuron::IfNode::new();
    let mp = syops::nn::MaxPool2d::new(3, 2, 1);
    let big = Tensor::rand(0f32, 1f32, (2, 64, 112, 112), &dev).unwrap();
    t("conv 64x56x56", 20, || {
        conv.forward(&s).unwrap();
    });
    t("bn 64x56x56", 20, || {
        bn.forward(&x).unwrap();
    });
    t("if 64x56x56", 20, || {
        sn.forward(&x).unwrap();
        syops::reset(&sn);
    });
    t("maxpool 64x112x112", 20, || {
        mp.forward(&big).unwrap();
    });
    t("add", 20, || {
        (&x + &x).unwrap();
    });
}
