//! Counting overhead on the reference case `spiking_resnet18` (2 batches of 2 images at 224×224,
//! float32, CPU, release): the same candle forward
//!
//! - `plain`: written without `#[syops::count]` (the forward functions below),
//! - `instrumented`: the example's instrumented model, no session running,
//! - `counted`: `Session::count_batches` over both batches (every spike test, every rule, the
//!   per-batch gathering of statistics and the report),
//! - `plain_candle_nn_conv`: `plain` with candle-nn's `Conv2d` (same weights) in place of every
//!   `syops::nn::Conv`: what the ports' own convolution gains on the whole forward,
//!
//! each over both batches with the neurons reset after each, as the session does. After criterion
//! has measured them, the bench prints the ratios of their median times (`counted / plain`,
//! `instrumented / plain`, `candle-nn conv / plain`), then the same ratios paired: rounds (21, or
//! `SYOPS_BENCH_ROUNDS`) that each time every variant as plain, variant, variant, plain, with the
//! median, the quartiles and a bootstrap 95 % interval of the median of the per-round ratios (a
//! machine whose load changes between criterion's sequential groups moves the first ratios,
//! hardly the paired ones), and, when `SYOPS_PYTHON` names a Python with torch, spikingjelly
//! 0.0.0.0.14 and syops 0.0.5 installed, it times the original counting the same case
//! (`benches/python_syops.py`, same machine, same run) and prints `counted / python`.
//!
//! ```text
//! cargo bench --bench overhead
//! SYOPS_PYTHON=/path/to/venv/bin/python cargo bench --bench overhead
//! SYOPS_BENCH_ROUNDS=61 cargo bench --bench overhead                     # a narrower interval
//! SYOPS_BENCH_DEVICE=cuda cargo bench --features cuda --bench overhead   # on the first GPU
//! ```
//!
//! Where the counted run's extra time goes (`perf record` on `--bench --profile-time 10 counted`
//! against the same on `plain$`, this 2-core machine, symbols' shares of the samples): at first
//! the spike test (`ScanOp::cpu_fwd`) took 6.6 % of the counted run, a value-by-value pass
//! converting each element to f64. It then counted 64-element blocks that hold only the two values
//! already seen without branching, long tensors in chunks on the thread pool (`spike.rs`): 1.1 %
//! of the samples (the pool's `Folder::consume_iter`, absent from `plain`). Now the spikes that
//! syops' neurons fire are counted as the one-pass step writes them, and a layer taking such a
//! tensor as input is not scanned at all (`state::note_spikes`): the scans left (the max pool's
//! output, analog inputs that stop at their third value) are 0.4 %, and the session's own code —
//! path lookup (one hash-map probe per call), the rules' shape arithmetic, the root input's NaN
//! check, one gathering of the statistics per batch — under 0.2 %. The rest is the forward (gemm
//! 40 %, the neurons' step 10 %, `syops::nn::Conv`'s im2col 5 %, max pooling 3 %, memset and
//! page faults of fresh tensors), the same in all variants. A single-threaded pause between two
//! parallel candle operations also lets the pool's workers fall asleep, a cost `perf` does not
//! attribute; scanning on the pool avoids it.
use syops::zoo;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use candle::{DType, Device, Module, Result, Tensor, TensorId};
use candle_nn::{Conv2d, Conv2dConfig, VarBuilder};
use criterion::Criterion;
use syops::neuron::IfNode;
use syops::nn::Conv;
use syops::zoo::reference::Case;
use syops::Session;
use zoo::spiking_resnet::{BasicBlock, SpikingResNet};

/// How a forward runs each convolution of the network.
type ConvFn<'a> = &'a dyn Fn(&Conv, &Tensor) -> Result<Tensor>;

/// The uninstrumented forward of a single-step block: the body of its `impl Module`, without the
/// attribute.
fn plain_block(b: &BasicBlock<IfNode>, xs: &Tensor, conv: ConvFn) -> Result<Tensor> {
    let out = b.sn1.forward(&b.bn1.forward(&conv(&b.conv1, xs)?)?)?;
    let out = b.bn2.forward(&conv(&b.conv2, &out)?)?;
    let identity = match &b.downsample {
        Some(ds) => ds.1.forward(&conv(&ds.0, xs)?)?,
        None => xs.clone(),
    };
    b.sn2.forward(&(out + identity)?)
}

/// The uninstrumented forward of the whole network, each convolution run by `conv`.
fn plain_forward_with(net: &SpikingResNet, xs: &Tensor, conv: ConvFn) -> Result<Tensor> {
    let xs = net.sn1.forward(&net.bn1.forward(&conv(&net.conv1, xs)?)?)?;
    let mut xs = net.maxpool.forward(&xs)?;
    for stage in [&net.layer1, &net.layer2, &net.layer3, &net.layer4] {
        for block in stage {
            xs = plain_block(block, &xs, conv)?;
        }
    }
    net.fc.forward(&net.avgpool.forward(&xs)?.flatten_from(1)?)
}

/// The uninstrumented forward of the whole network.
fn plain_forward(net: &SpikingResNet, xs: &Tensor) -> Result<Tensor> {
    plain_forward_with(net, xs, &|c, xs| c.forward(xs))
}

/// candle-nn's `Conv2d` on the weights and geometry of each of the network's `syops::nn::Conv`s,
/// by the id of their (shared) weight: the whole forward's A/B of the two convolutions.
struct CandleNnConvs(HashMap<TensorId, Conv2d>);

impl CandleNnConvs {
    fn new(net: &SpikingResNet) -> Self {
        let mut convs = vec![&net.conv1];
        for block in [&net.layer1, &net.layer2, &net.layer3, &net.layer4].into_iter().flatten() {
            convs.extend([&block.conv1, &block.conv2]);
            convs.extend(block.downsample.as_ref().map(|ds| &ds.0));
        }
        let square = |v: &[usize]| {
            assert!(v.iter().all(|&x| x == v[0]), "candle-nn's Conv2d takes one size for both dims, not {v:?}");
            v[0]
        };
        let map = convs
            .into_iter()
            .map(|c| {
                let cfg = Conv2dConfig {
                    padding: square(c.padding()),
                    stride: square(c.stride()),
                    dilation: square(c.dilation()),
                    groups: c.groups(),
                    cudnn_fwd_algo: None,
                };
                (c.weight().id(), Conv2d::new(c.weight().clone(), c.bias().cloned(), cfg))
            })
            .collect();
        CandleNnConvs(map)
    }

    /// The plain forward with candle-nn's convolutions.
    fn forward(&self, net: &SpikingResNet, xs: &Tensor) -> Result<Tensor> {
        plain_forward_with(net, xs, &|c, xs| self.0[&c.weight().id()].forward(xs))
    }
}

/// The repository: cargo's `CARGO_MANIFEST_DIR` when it runs the bench, else where it was built
/// (set `CARGO_MANIFEST_DIR` to run a binary built elsewhere, as on a GPU machine).
fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

fn case_path() -> PathBuf {
    repo().join("tests/reference/spiking_resnet18.json")
}

/// The CPU, or the first CUDA device when built with `--features cuda` and
/// `SYOPS_BENCH_DEVICE=cuda`.
fn device() -> Device {
    match std::env::var("SYOPS_BENCH_DEVICE").as_deref() {
        Ok("cuda") => Device::new_cuda(0).expect("SYOPS_BENCH_DEVICE=cuda needs --features cuda and a CUDA device"),
        Ok("cpu") | Err(_) => Device::Cpu,
        Ok(other) => panic!("SYOPS_BENCH_DEVICE={other}: expected cpu or cuda"),
    }
}

/// The network, its inputs and candle-nn's convolutions, loaded once for criterion's groups and
/// the paired rounds.
struct Bench {
    net: SpikingResNet,
    inputs: Vec<Tensor>,
    candle_nn: CandleNnConvs,
}

fn setup() -> Bench {
    let case = Case::load(case_path()).expect("the reference case loads");
    let device = device();
    let vb = VarBuilder::from_tensors(case.tensors(DType::F32, &device).unwrap(), DType::F32, &device);
    let net = SpikingResNet::resnet18(vb).unwrap();
    let inputs = case.inputs(DType::F32, &device).unwrap();
    // The plain and instrumented forwards are the same computation, to the bit.
    for xs in &inputs {
        let a = plain_forward(&net, xs).unwrap();
        syops::reset(&net);
        let b = net.forward(xs).unwrap();
        syops::reset(&net);
        let diff = (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
        assert_eq!(diff, 0.0, "plain and instrumented forwards differ");
    }
    // candle-nn's convolutions sum in another order: the same outputs to float32 rounding (a
    // membrane potential within rounding of the threshold may fire in one and not the other).
    let candle_nn = CandleNnConvs::new(&net);
    let (a, b) = (plain_forward(&net, &inputs[0]).unwrap(), candle_nn.forward(&net, &inputs[0]).unwrap());
    syops::reset(&net);
    let scale = a.abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
    let diff = (a - b).unwrap().abs().unwrap().max_all().unwrap().to_scalar::<f32>().unwrap();
    println!("plain forward's logits with candle-nn's Conv2d against syops::nn::Conv: max |diff| {diff:.3e} (max |logit| {scale:.3e})");
    Bench { net, inputs, candle_nn }
}

fn run_all(net: &SpikingResNet, inputs: &[Tensor], f: impl Fn(&SpikingResNet, &Tensor) -> Result<Tensor>) {
    for xs in inputs {
        std::hint::black_box(f(net, xs).unwrap());
        syops::reset(net);
    }
    // Asynchronous devices: the time includes the work, not only its launch.
    inputs[0].device().synchronize().unwrap();
}

/// A whole counting session over the batches (it gathers its statistics on the host per batch,
/// so it ends synchronised).
fn count(net: &SpikingResNet, inputs: &[Tensor]) {
    std::hint::black_box(Session::new().count_batches(net, inputs, |m, xs| m.forward(xs)).unwrap());
}

const GROUP: &str = "spiking_resnet18";
const IDS: [&str; 4] = ["plain", "instrumented", "counted", "plain_candle_nn_conv"];

impl Bench {
    /// One run of variant `IDS[v]` over both batches.
    fn run(&self, v: usize) {
        let Bench { net, inputs, candle_nn } = self;
        match v {
            0 => run_all(net, inputs, plain_forward),
            1 => run_all(net, inputs, |m, xs| m.forward(xs)),
            2 => count(net, inputs),
            3 => run_all(net, inputs, |m, xs| candle_nn.forward(m, xs)),
            _ => unreachable!("{} variants", IDS.len()),
        }
    }
}

fn overhead(c: &mut Criterion, bench: &Bench) {
    let mut group = c.benchmark_group(GROUP);
    group.sample_size(20).warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(15));
    for (v, id) in IDS.into_iter().enumerate() {
        group.bench_function(id, |b| b.iter(|| bench.run(v)));
    }
    group.finish();
}

/// criterion's median estimate (seconds) of `id`, read from what it just wrote.
fn median(id: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| repo().join("target"));
    let path = target.join("criterion").join(GROUP).join(id).join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let value: serde_json::Value = serde_json::from_str(&text).ok()?;
    Some(value["median"]["point_estimate"].as_f64()? * 1e-9)
}

/// Times the original syops counting the same case, through `SYOPS_PYTHON`.
fn python_seconds() -> Option<std::result::Result<f64, String>> {
    let python = std::env::var_os("SYOPS_PYTHON")?;
    let script = repo().join("benches/python_syops.py");
    let out = match Command::new(&python).arg(&script).arg(case_path()).output() {
        Ok(out) => out,
        Err(e) => return Some(Err(format!("cannot run {}: {e}", Path::new(&python).display()))),
    };
    if !out.status.success() {
        return Some(Err(format!("{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr))));
    }
    let value: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(v) => v,
        Err(e) => return Some(Err(format!("{} printed no JSON: {e}", script.display()))),
    };
    Some(value["counted_median_s"].as_f64().ok_or_else(|| "no counted_median_s in its output".to_string()))
}

/// Paired ratios: each round times every variant against `plain` in the order plain, variant,
/// variant, plain, and takes the variant's two times over plain's two. A change of load on the
/// machine between criterion's sequential groups does not masquerade as overhead, a drift within
/// the four runs cancels to first order, and each runs as often after the other as before it (a
/// fixed rotation of all variants would always run each after the same neighbour, on the heap and
/// caches that one left). Returns, per round, each variant's ratio (`IDS`' order, `plain` left out).
fn paired(bench: &Bench, rounds: usize) -> [Vec<f64>; 3] {
    let time = |v: usize| {
        let t = std::time::Instant::now();
        bench.run(v);
        t.elapsed().as_secs_f64()
    };
    let mut ratios = [Vec::new(), Vec::new(), Vec::new()];
    for _ in 0..rounds {
        for (v, ratio) in (1..).zip(&mut ratios) {
            let p1 = time(0);
            let t = time(v) + time(v);
            ratio.push(t / (p1 + time(0)));
        }
    }
    ratios
}

/// The median of `v`, its quartiles, and a 95 % bootstrap interval of the median (2000
/// resamples, a fixed seed so that reruns on the same ratios agree).
fn summary(mut v: Vec<f64>) -> [f64; 5] {
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        ((seed >> 33) % n as u64) as usize
    };
    let mut medians: Vec<f64> = (0..2000)
        .map(|_| {
            let mut sample: Vec<f64> = (0..v.len()).map(|_| v[next(v.len())]).collect();
            median(&mut sample)
        })
        .collect();
    medians.sort_by(f64::total_cmp);
    let m = median(&mut v);
    let at = |v: &[f64], q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    [m, at(&v, 0.25), at(&v, 0.75), at(&medians, 0.025), at(&medians, 0.975)]
}

fn main() {
    let bench = setup();
    let mut criterion = Criterion::default().configure_from_args();
    overhead(&mut criterion, &bench);
    criterion.final_summary();
    if std::env::args().any(|a| a == "--profile-time" || a == "--list") {
        return;
    }
    let [plain, instrumented, counted, candle_nn] = IDS.map(median);
    println!("\nratios of medians, this run:");
    if let (Some(p), Some(i), Some(c), Some(n)) = (plain, instrumented, counted, candle_nn) {
        println!("  counted / plain       {:.4}  (overhead {:+.2} %)", c / p, (c / p - 1.0) * 100.0);
        println!("  instrumented / plain  {:.4}  (no session running)", i / p);
        println!("  candle-nn conv / plain {:.4}  (the plain forward with candle-nn's Conv2d)", n / p);
    } else {
        println!("  (criterion's estimates were not found under target/criterion; run with `cargo bench`)");
    }
    let rounds = std::env::var("SYOPS_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(21);
    let [i, c, n] = paired(&bench, rounds).map(summary);
    println!(
        "paired, {rounds} rounds of plain, variant, variant, plain: median [quartiles] (95 % interval of the median)"
    );
    let line = |what: &str, r: [f64; 5], note: &str| {
        println!("  {what:<22} {:.4} [{:.4}, {:.4}] ({:.4}, {:.4})  {note}", r[0], r[1], r[2], r[3], r[4]);
    };
    line("counted / plain", c, &format!("(overhead {:+.2} %)", (c[0] - 1.0) * 100.0));
    line("instrumented / plain", i, "(no session running)");
    line("candle-nn conv / plain", n, "(the plain forward with candle-nn's Conv2d)");
    match python_seconds() {
        None => println!("  counted / python      not measured: set SYOPS_PYTHON to a Python with torch, spikingjelly 0.0.0.0.14 and syops 0.0.5"),
        Some(Err(e)) => println!("  counted / python      not measured: {e}"),
        Some(Ok(py)) => match counted {
            Some(c) => println!("  counted / python      {:.4}  ({:.3} s against syops 0.0.5's {py:.3} s)", c / py, c),
            None => println!("  python syops 0.0.5    {py:.3} s"),
        },
    }
}
