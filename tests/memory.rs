//! Memory stays flat in the number of batches: a session over a long iterator keeps no per-batch
//! state (pending device statistics are booked and dropped at the end of every batch).
//!
//! One test in this binary, so that its counting allocator sees only this session.
use candle::{DType, Device, Module, Result, Tensor};
use candle_nn::{Conv2d, Conv2dConfig, Linear, VarBuilder};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use syops::neuron::IfNode;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not yet freed.
fn live() -> isize {
    let s = GLOBAL.stats();
    s.bytes_allocated as isize - s.bytes_deallocated as isize
}

#[syops::count]
struct Net {
    conv: Conv2d,
    sn1: IfNode,
    fc: Linear,
    sn2: IfNode,
}

#[syops::count]
impl Module for Net {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let xs = self.sn1.forward(&self.conv.forward(xs)?)?;
        self.sn2.forward(&self.fc.forward(&xs.flatten_from(1)?)?)
    }
}

#[test]
fn live_heap_does_not_grow_with_batches() {
    let dev = Device::Cpu;
    let vb = VarBuilder::from_tensors(
        [
            ("conv.weight".to_string(), (Tensor::ones((4, 1, 3, 3), DType::F32, &dev).unwrap() * 0.3).unwrap()),
            ("fc.weight".to_string(), (Tensor::ones((3, 4 * 6 * 6), DType::F32, &dev).unwrap() * 0.1).unwrap()),
            ("fc.bias".to_string(), Tensor::zeros(3, DType::F32, &dev).unwrap()),
        ]
        .into(),
        DType::F32,
        &dev,
    );
    let net = Net {
        conv: candle_nn::conv2d_no_bias(1, 4, 3, Conv2dConfig::default(), vb.pp("conv")).unwrap(),
        sn1: IfNode::new(),
        fc: candle_nn::linear(4 * 6 * 6, 3, vb.pp("fc")).unwrap(),
        sn2: IfNode::new(),
    };
    let batches = 400usize;
    let inputs = (0..batches).map(|i| {
        let xs = Tensor::rand(0f32, 1f32, (2, 1, 8, 8), &Device::Cpu).unwrap().ge(0.5 + 0.001 * (i % 7) as f64);
        xs.unwrap().to_dtype(DType::F32).unwrap()
    });
    // Live bytes when each batch is handed to the session (the previous one is done by then);
    // reserved up front so that recording does not allocate.
    let mut seen = Vec::with_capacity(batches);
    let report = syops::Session::new()
        .count_batches(&net, inputs.inspect(|_| seen.push(live())), |m, xs| m.forward(xs))
        .unwrap();
    assert_eq!(report.batches, batches as u64);
    assert_eq!(report.layer("conv").unwrap().stats.calls, batches as u64);
    // After a warm-up (path interning, first allocations of the thread pool), the live heap at the
    // start of batch 400 is what it was at batch 20, within a small slack for allocator noise.
    let (early, late) = (seen[20], seen[batches - 1]);
    let growth = late - early;
    assert!(growth < 16 * 1024, "live heap grew by {growth} bytes from batch 20 ({early}) to batch {batches} ({late})");
    let max_after_warmup = *seen[20..].iter().max().unwrap();
    assert!(max_after_warmup - early < 64 * 1024, "live heap peaked {} bytes above batch 20", max_after_warmup - early);

    // Sessions one after another leave nothing behind either.
    let xs = Tensor::ones((2, 1, 8, 8), DType::F32, &dev).unwrap();
    let mut after = Vec::with_capacity(100);
    for _ in 0..100 {
        syops::Session::new().count(&net, &xs, |m, xs| m.forward(xs)).unwrap();
        after.push(live());
    }
    let growth = after[99] - after[9];
    assert!(growth < 16 * 1024, "live heap grew by {growth} bytes over 90 sessions");
}
