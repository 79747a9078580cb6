//! Throughput at dataset scale: images per second of `cargo syops zoo spiking_resnet18` (what the
//! command runs, [`syops::zoo::run`]: decode, transform, forward and count, the next batch read on
//! another thread) over a folder of JPEG photographs at 224², against PyTorch + torchvision running
//! the same model and weights without counting (`ImageFolder`, a `DataLoader` with a worker per
//! core) and against syops 0.0.5 counting it over the same loader (`benches/python_throughput.py`,
//! when `SYOPS_PYTHON` names a Python with torch, torchvision, spikingjelly 0.0.0.0.14, syops 0.0.5
//! and safetensors): one run, the ratios of the medians printed at the end.
//!
//! The data: the six committed photographs (`syops-zoo/fixtures/images/photos`), each written 8
//! times as a 500×375 JPEG (ImageNet's typical size; a different crop each time) in its class
//! folder: 48 images. The weights: generated once (PyTorch's default initialisation, as `cargo
//! syops zoo` without `--weights`) and saved, so that every side runs the same network. Where the
//! time goes, on the same data: decoding and transforming alone (the reader's thread), the model's
//! uncounted forward over batches decoded beforehand, and the counted forward over them
//! (`Session::count_batches`, no reading). The bench runs with `cargo syops`'s allocator
//! (mimalloc), as the command does.
//!
//! ```text
//! cargo bench --bench throughput
//! SYOPS_PYTHON=/path/to/venv/bin/python cargo bench --bench throughput
//! SYOPS_BENCH_BATCH=16 SYOPS_BENCH_REPEATS=5 cargo bench --bench throughput
//! ```
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use syops::nn::SequentialLayer;
use syops::zoo::data::{self, Batches};
use syops::zoo::run::{build, ZooRun};
use syops::zoo::ZooOptions;
use syops::Session;

/// `cargo syops`'s allocator, so that the bench times what the command runs.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MODEL: &str = "spiking_resnet18";
const COPIES: u32 = 8;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The repository: cargo's `CARGO_MANIFEST_DIR` when it runs the bench, else where it was built.
fn repo() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR").map_or_else(|| env!("CARGO_MANIFEST_DIR").into(), Into::into)
}

/// Each fixture photograph as `COPIES` 500×375 JPEGs under `dir/CLASS/`; how many images.
fn image_folder(dir: &Path) -> usize {
    let photos = repo().join("syops-zoo/fixtures/images/photos");
    let mut n = 0;
    for class in std::fs::read_dir(&photos).unwrap() {
        let class = class.unwrap().path();
        let out = dir.join(class.file_name().unwrap());
        std::fs::create_dir_all(&out).unwrap();
        for photo in std::fs::read_dir(&class).unwrap() {
            let photo = photo.unwrap().path();
            let img = image::open(&photo).unwrap().to_rgb8();
            for k in 0..COPIES {
                // A slightly different crop of the photograph each time, scaled to 500×375.
                let (w, h) = img.dimensions();
                let (dx, dy) = (k * w / (8 * COPIES), k * h / (8 * COPIES));
                let crop = image::imageops::crop_imm(&img, dx, dy, w - dx, h - dy).to_image();
                let big = image::imageops::resize(&crop, 500, 375, image::imageops::FilterType::Triangle);
                let stem = photo.file_stem().unwrap().to_string_lossy();
                big.save(out.join(format!("{stem}-{k}.jpg"))).unwrap();
                n += 1;
            }
        }
    }
    n
}

/// The model's generated weights, saved as a checkpoint.
fn weights(file: &Path) {
    let varmap = VarMap::new();
    syops::zoo::find(MODEL)
        .unwrap()
        .build(&ZooOptions::default(), VarBuilder::from_varmap(&varmap, DType::F32, &Device::Cpu))
        .unwrap();
    varmap.save(file).unwrap();
}

/// The median of `repeats` timings of `f`, after one untimed run.
fn median_s(repeats: usize, mut f: impl FnMut()) -> f64 {
    f();
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

/// PyTorch's plain inference and syops 0.0.5's counting, timed by `benches/python_throughput.py`.
fn python(folder: &Path, weights: &Path, batch: usize, repeats: usize) -> Result<serde_json::Value, String> {
    let python = std::env::var_os("SYOPS_PYTHON").ok_or(
        "not measured: set SYOPS_PYTHON to a Python with torch, torchvision, spikingjelly 0.0.0.0.14, syops 0.0.5 and safetensors",
    )?;
    let script = repo().join("benches/python_throughput.py");
    let out = Command::new(&python)
        .arg(&script)
        .arg(folder)
        .arg(weights)
        .arg(batch.to_string())
        .arg(repeats.to_string())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", Path::new(&python).display()))?;
    if !out.status.success() {
        return Err(format!("{} failed: {}", script.display(), String::from_utf8_lossy(&out.stderr)));
    }
    serde_json::from_slice(&out.stdout).map_err(|e| format!("{} printed no JSON: {e}", script.display()))
}

fn main() {
    // `cargo bench` passes `--bench`; this bench takes no arguments of its own.
    let batch = env_usize("SYOPS_BENCH_BATCH", 8);
    let repeats = env_usize("SYOPS_BENCH_REPEATS", 3);
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("images");
    let images = image_folder(&folder);
    let weights_file = dir.path().join("weights.safetensors");
    weights(&weights_file);
    let run = ZooRun { weights: Some(weights_file.clone()), batch_size: batch, ..ZooRun::new(&folder) };
    let model = syops::zoo::find(MODEL).unwrap();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("{MODEL}: {images} JPEGs (500×375) at 224², batches of {batch}, {threads} cores, median of {repeats} epochs after a warm-up one");

    // The whole command: build the model, read, decode, transform, forward, count.
    let session = Session::new();
    let zoo_s = median_s(repeats, || {
        std::hint::black_box(syops::zoo::run(&session, model, &run).unwrap());
    });

    // Where the time goes.
    let net = build(model, &run).unwrap();
    let dataset = data::open(&folder, &run.transform, false).unwrap();
    let batches = || Batches::over(&*dataset, 0..images, batch, DType::F32, &Device::Cpu);
    let decode_s = median_s(repeats, || {
        for b in batches() {
            std::hint::black_box(b.unwrap());
        }
    });
    let decoded: Vec<Tensor> = batches().map(|b| b.unwrap().xs).collect();
    let forward_s = median_s(repeats, || {
        for xs in &decoded {
            std::hint::black_box(net.forward(xs).unwrap());
            syops::reset(net.as_layer());
        }
    });
    #[allow(clippy::borrowed_box)] // the session counts the model as built
    let counted_s = median_s(repeats, || {
        let forward = |m: &Box<dyn SequentialLayer>, xs: &Tensor| m.forward(xs);
        std::hint::black_box(session.count_batches(&net, &decoded, forward).unwrap());
    });

    let rate = |s: f64| images as f64 / s;
    println!("  cargo syops zoo (counted, reading overlapped)  {:7.2} images/s  ({zoo_s:.3} s an epoch)", rate(zoo_s));
    println!("  where the time goes, each alone:");
    println!("    decode + transform (one thread)             {:7.2} images/s  ({decode_s:.3} s)", rate(decode_s));
    println!("    forward, not counted (decoded batches)      {:7.2} images/s  ({forward_s:.3} s)", rate(forward_s));
    println!("    forward, counted (decoded batches)          {:7.2} images/s  ({counted_s:.3} s)", rate(counted_s));
    println!(
        "    counting's share of the counted forward {:.1} %; reading left exposed {:.3} s of {:.3} s",
        100.0 * (counted_s - forward_s) / counted_s,
        (zoo_s - counted_s).max(0.0),
        decode_s
    );
    match python(&folder, &weights_file, batch, repeats) {
        Err(e) => println!("  PyTorch and syops 0.0.5: {e}"),
        Ok(v) => {
            let (plain, old) = (v["plain_median_s"].as_f64().unwrap(), v["syops_median_s"].as_f64().unwrap());
            println!(
                "  PyTorch + torchvision, not counted ({} workers) {:7.2} images/s  ({plain:.3} s)",
                v["workers"],
                rate(plain)
            );
            println!("  syops 0.0.5, counted                          {:7.2} images/s  ({old:.3} s)", rate(old));
            println!(
                "  ratios (images/s): cargo syops zoo / PyTorch {:.3}×, / syops 0.0.5 {:.3}×",
                plain / zoo_s,
                old / zoo_s
            );
            println!("  ({})", v);
        }
    }
}
