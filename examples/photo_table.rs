//! The original syops README's model table beside what this project counts: the same four models
//! (spiking_resnet18, sew_resnet18, DSNN18 (AAP), resnet18) with the reference cases' generated
//! weights, over the photographs of `syops-zoo/fixtures/images/photos` (ImageNet's evaluation
//! transform, batches of 2, float32, CPU), in syops 0.0.5's convention and the exact one; and the
//! same weights in the zoo's multi-step models at T = 4 (`multi_step_spiking_resnet18`,
//! `multi_step_sew_resnet18`, `dsnn18`), as spikingjelly's ImageNet models are trained. Prints the
//! Markdown table of the README's section "The original's table, counted here":
//!
//! ```text
//! cargo run --release --example photo_table
//! ```
//!
//! `tests/photo_counts.rs` holds the same counts against syops 0.0.5 on PyTorch.
use anyhow::Context;
use candle::{DType, Device};
use candle_nn::VarBuilder;
use syops::convention::Convention;
use syops::report::Report;
use syops::zoo::{
    self, data::Dataset, data::ImageFolder, reference::Case, transform::EvalTransform, ZooOptions, ZooRun,
};
use syops::Session;

/// The original README's rows: name, reference case, and its Params (M), ACs (G), MACs (G),
/// Energy (mJ), Acc@1, Acc@5 (trained weights over ImageNet's validation set); then the zoo's
/// multi-step model that the case's weights are counted in at T = 4, if any.
const ORIGINAL: [(&str, &str, [&str; 6], Option<&str>); 4] = [
    (
        "spiking_resnet18",
        "spiking_resnet18",
        ["11.69", "0.10", "0.14", "0.734", "62.32", "84.05"],
        Some("multi_step_spiking_resnet18"),
    ),
    (
        "sew_resnet18",
        "sew_resnet18",
        ["11.69", "0.50", "2.75", "13.10", "63.18", "84.53"],
        Some("multi_step_sew_resnet18"),
    ),
    ("DSNN18 (AAP)", "dsnn18_aap_t2", ["11.69", "1.69", "0.20", "2.44", "63.46", "85.14"], Some("dsnn18")),
    ("resnet18", "resnet18", ["11.69", "0.00", "1.82", "8.372", "69.76", "89.08"], None),
];

/// The multi-step models' time steps.
const T: usize = 4;

fn main() {
    if let Err(err) = run() {
        eprintln!("error: {err:#}");
        std::process::exit(1);
    }
}

fn run() -> anyhow::Result<()> {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let images = repo.join("syops-zoo/fixtures/images/photos");
    let folder = ImageFolder::open(&images, EvalTransform::default())?;
    let count = |case: &Case, convention: Convention| -> anyhow::Result<Report> {
        let session = Session::new().convention(convention);
        let report = zoo::count_case_over(&session, case, &folder, 2, DType::F32, &Device::Cpu, &mut |_| ())?;
        Ok(report)
    };
    println!(
        "| model | weights, data | Params (M) | ACs (G) | MACs (G) | Energy (mJ) | exact ACs (G) | exact MACs (G) | Acc@1 | Acc@5 |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    let row = |what: String, syops: &Report, exact: &Report| {
        println!(
            "| | {what}, {} photographs | {:.2} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | — | — |",
            folder.len(),
            syops.params as f64 / 1e6,
            syops.per_sample.acs / 1e9,
            syops.per_sample.macs / 1e9,
            syops.energy.total_mj,
            exact.per_sample.acs / 1e9,
            exact.per_sample.macs / 1e9,
        );
    };
    for (name, case, [params, acs, macs, energy, top1, top5], multi_step) in ORIGINAL {
        let path = repo.join(format!("tests/reference/{case}.json"));
        let case = Case::load(&path).with_context(|| format!("{}", path.display()))?;
        let syops = count(&case, Convention::Syops005)?;
        let exact = count(&case, Convention::Exact)?;
        // The photographs' folders (cat, people, things) are labels 0–2 to a 1000-class model with
        // generated weights: an accuracy over them would mean nothing, so none is printed.
        println!(
            "| {name} | trained, ImageNet val (original) | {params} | {acs} | {macs} | {energy} | | | {top1} | {top5} |"
        );
        row(format!("generated (`{}`)", case.case), &syops, &exact);
        if let Some(zoo_name) = multi_step {
            let model = zoo::find(zoo_name)?;
            let options = ZooOptions { time_steps: Some(T), ..ZooOptions::default() };
            let run = ZooRun { options, batch_size: 2, ..ZooRun::new(&images) };
            // The case's weights under the same state-dict names, in the multi-step model.
            let vb = VarBuilder::from_tensors(case.tensors(DType::F32, &Device::Cpu)?, DType::F32, &Device::Cpu);
            let net = model.build(&run.options, vb)?;
            let syops = zoo::run::count_over(&Session::new(), model, &run, &net)?;
            let exact = zoo::run::count_over(&Session::new().convention(Convention::Exact), model, &run, &net)?;
            row(format!("the same weights in `{zoo_name}`, T = {T}"), &syops, &exact);
        }
    }
    Ok(())
}
