//! `cargo syops zoo MODEL --weights FILE --data PATH`: a model of the zoo with trained weights,
//! counted over a dataset, printed as every `cargo syops` report is. Nothing of the user's is
//! built; `--list` shows the models.
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use candle::{DType, Device};
use syops_runtime::Session;
use syops_zoo::transform::EvalTransform;
use syops_zoo::{models, ZooOptions, ZooRun};

use crate::args::ZooArgs;

pub fn run(args: &ZooArgs) -> Result<ExitCode> {
    if args.list {
        print!("{}", list());
        return Ok(ExitCode::SUCCESS);
    }
    let (Some(name), Some(data)) = (&args.model, &args.data) else { bail!("a model and --data are needed") };
    let model = syops_zoo::find(name)?;
    let budget = args.view.common.budget.as_deref().map(crate::read_budget).transpose()?;
    let defaults = EvalTransform::default();
    let transform = EvalTransform {
        resize: args.resize,
        crop: args.crop,
        mean: args.mean.unwrap_or(defaults.mean),
        std: args.std.unwrap_or(defaults.std),
    };
    if transform.crop == 0 || transform.resize == 0 {
        bail!("--resize and --crop must be at least 1");
    }
    let run = ZooRun {
        options: ZooOptions {
            num_classes: args.num_classes,
            time_steps: args.view.common.time_steps.map(|t| t as usize),
            neuron: args.neuron,
            cnf: args.cnf,
            head: args.head,
            channels: args.channels.map(|c| c as usize),
        },
        weights: args.weights.clone(),
        data: data.clone(),
        batch_size: args.batch_size as usize,
        limit: args.limit,
        transform,
        cifar_normalize: args.mean.is_some() || args.std.is_some(),
        skip_bad: args.skip_bad,
        shard: args.shard.as_deref().map(|s| crate::shard::parse(s, &|name| std::env::var(name).ok())).transpose()?,
        dtype: if args.dtype == "f64" { DType::F64 } else { DType::F32 },
        device: device(&args.device)?,
    };
    let mut session = Session::new().progress(true);
    if let Some(c) = args.convention {
        session = session.convention(c);
    }
    let report =
        syops_zoo::run(&session, model, &run).with_context(|| format!("counting {name} over {}", data.display()))?;
    crate::present(std::slice::from_ref(&report), &args.view, budget.as_ref(), args.strict)
}

/// `--device`: `cpu`, `cuda` (the first GPU) or `cuda:K`.
fn device(spec: &str) -> Result<Device> {
    let cuda = |k: usize| {
        if !candle::utils::cuda_is_available() {
            bail!("--device {spec}: this cargo-syops was built without CUDA (install it with `--features cuda`)");
        }
        Device::new_cuda(k).with_context(|| format!("--device {spec}: CUDA device {k} could not be opened"))
    };
    match spec {
        "cpu" => Ok(Device::Cpu),
        "cuda" => cuda(0),
        other => match other.strip_prefix("cuda:").map(str::parse::<usize>) {
            Some(Ok(k)) => cuda(k),
            _ => bail!("--device {other}: expected cpu, cuda or cuda:K"),
        },
    }
}

/// The models, their inputs and options, one paragraph each.
fn list() -> String {
    let mut out = String::new();
    for m in models() {
        let mut options = Vec::new();
        if m.num_classes {
            options.push("--num-classes".to_string());
        }
        if let Some(neuron) = m.neuron {
            options.push(format!("--neuron (default {})", neuron.name()));
        }
        if let Some(cnf) = m.cnf {
            let cnfs: Vec<&str> = m.cnfs.iter().map(|c| c.name()).collect();
            options.push(format!("--cnf {} (default {})", cnfs.join("|"), cnf.name()));
        }
        if let Some(head) = m.head {
            options.push(format!("--head spikes|acc (default {})", head.name()));
        }
        if let Some(channels) = m.channels {
            options.push(format!("--channels (default {channels})"));
        }
        if !m.frames {
            let steps = if m.multi_step { "-T (its time steps)" } else { "-T (runs per batch, outputs averaged)" };
            options.push(steps.to_string());
        }
        out += &format!("{}\n  {}\n  input {}; options {}\n", m.name, m.about, m.input, options.join(", "));
    }
    out
}
