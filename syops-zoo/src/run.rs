//! One zoo run, as `cargo syops zoo` makes it: a model of the zoo with trained weights (or
//! generated ones, said so in the report), counted over a dataset in batches, scored against its
//! labels where it has them; or one shard of it ([`ZooRun::shard`]).
use std::cell::RefCell;
use std::path::PathBuf;

use candle::{DType, Device, Tensor};
use candle_nn::{VarBuilder, VarMap};
use syops_runtime::nn::SequentialLayer;
use syops_runtime::report::{Report, Shard};
use syops_runtime::Session;

use crate::checkpoint::Checkpoint;
use crate::data::{self, Batches};
use crate::registry::{ZooModel, ZooOptions};
use crate::transform::EvalTransform;
use crate::{Error, Result};

/// What to run.
#[derive(Debug, Clone)]
pub struct ZooRun {
    /// The model's options.
    pub options: ZooOptions,
    /// A checkpoint (`None`: generated weights, which the report says).
    pub weights: Option<PathBuf>,
    /// The dataset ([`data::open`]).
    pub data: PathBuf,
    /// Samples per batch.
    pub batch_size: usize,
    /// At most this many samples.
    pub limit: Option<usize>,
    /// The evaluation transform of images (and the normalisation of CIFAR, when `cifar_normalize`).
    pub transform: EvalTransform,
    /// Whether `transform`'s mean and std were given, and so normalise CIFAR too (else CIFAR
    /// keeps CIFAR-10's own statistics).
    pub cifar_normalize: bool,
    /// Skip unreadable samples with a warning instead of failing.
    pub skip_bad: bool,
    /// Count only shard `(index, count)` of the samples ([`data::shard_range`]); the report says
    /// which ([`Report::shard`]), so that `cargo syops merge` can put the run together again.
    pub shard: Option<(usize, usize)>,
    /// The counting dtype.
    pub dtype: DType,
    /// Where the model runs.
    pub device: Device,
}

impl ZooRun {
    /// Samples per batch unless set (`cargo syops zoo --batch-size`'s default).
    pub const DEFAULT_BATCH_SIZE: usize = 16;

    /// A run over `data` as `cargo syops zoo --data DATA` makes it: the model's default options,
    /// generated weights, batches of [`ZooRun::DEFAULT_BATCH_SIZE`], every sample, ImageNet's
    /// evaluation transform (CIFAR keeping its own statistics), no sample skipped, no shard,
    /// float32 on the CPU. Set the fields that differ.
    pub fn new(data: impl Into<PathBuf>) -> Self {
        ZooRun {
            options: ZooOptions::default(),
            weights: None,
            data: data.into(),
            batch_size: Self::DEFAULT_BATCH_SIZE,
            limit: None,
            transform: EvalTransform::default(),
            cifar_normalize: false,
            skip_bad: false,
            shard: None,
            dtype: DType::F32,
            device: Device::Cpu,
        }
    }
}

/// Builds `model` as `run` says and counts it over `run.data` in `session`: [`build`], then
/// [`count_over`].
pub fn run(session: &Session, model: &ZooModel, run: &ZooRun) -> Result<Report> {
    count_over(session, model, run, &build(model, run)?)
}

/// `model` with `run`'s options and weights (generated ones without a checkpoint), on `run.device`.
pub fn build(model: &ZooModel, run: &ZooRun) -> Result<Box<dyn SequentialLayer>> {
    match &run.weights {
        Some(path) => Ok(Checkpoint::open(path)?.build(run.dtype, &run.device, |vb| {
            model.build(&run.options, vb).map_err(|e| candle::Error::Msg(e.to_string()))
        })?),
        None => {
            let varmap = VarMap::new();
            model.build(&run.options, VarBuilder::from_varmap(&varmap, run.dtype, &run.device))
        }
    }
}

/// Counts `net`, `model` built by [`build`], over `run.data` in `session`: batches read one ahead
/// on another thread while the current one is counted ([`data::prefetched`]).
#[allow(clippy::borrowed_box)] // the session counts the model as it was built
pub fn count_over(session: &Session, model: &ZooModel, run: &ZooRun, net: &Box<dyn SequentialLayer>) -> Result<Report> {
    let mut warnings = Vec::new();
    if let Some(head) = model.scored_head(&run.options) {
        warnings.push(format!(
            "{}: the output, which the accuracy scores, is the {} head's logits (--head {}); both heads were computed and counted",
            model.name,
            head.name(),
            head.name()
        ));
    }
    if run.weights.is_none() {
        warnings.push(format!(
            "no --weights: {} was counted with generated weights (PyTorch's default initialisation for convolutions, linear layers and norms; candle's for the rest), not trained ones",
            model.name
        ));
    }
    let dataset = data::open(&run.data, &run.transform, run.cifar_normalize)?;
    if dataset.is_empty() {
        return Err(Error::Data { path: run.data.clone(), msg: "the dataset has no samples".into() });
    }
    let samples = run.limit.map_or(dataset.len(), |l| l.min(dataset.len()));
    let shard = match run.shard {
        Some((index, count)) => {
            let range = data::shard_range(samples, index, count)?;
            let fingerprint = data::fingerprint(&*dataset, &run.data)?;
            Some((range, Shard { index, count, samples, dataset: fingerprint }))
        }
        None => None,
    };
    let range = shard.as_ref().map_or(0..samples, |(r, _)| r.clone());
    let batches = Batches::over(&*dataset, range, run.batch_size, run.dtype, &run.device).skip_bad(run.skip_bad);
    let steps = if model.multi_step { 1 } else { run.options.time_steps.unwrap_or(1).max(1) };
    #[allow(clippy::borrowed_box)] // the session hands the model as it was given
    let forward = |m: &Box<dyn SequentialLayer>, xs: &Tensor| -> candle::Result<Tensor> {
        let mut sum = m.forward(xs)?;
        for _ in 1..steps {
            sum = (sum + m.forward(xs)?)?;
        }
        if steps > 1 {
            sum = (sum / steps as f64)?;
        }
        Ok(sum)
    };
    let labelled = dataset.labelled();
    let mut session = session.clone();
    if let Some(t) = run.options.time_steps {
        session = session.time_steps(t as u64);
    }
    let failed: RefCell<Option<Error>> = RefCell::new(None);
    let skipped: RefCell<Vec<(PathBuf, String)>> = RefCell::new(Vec::new());
    let report = data::prefetched(batches, |batches| {
        let ok = batches.map_while(|b| match b {
            Ok(b) => {
                skipped.borrow_mut().extend(b.skipped);
                Some((b.xs, b.labels.unwrap_or_default()))
            }
            Err(e) => {
                *failed.borrow_mut() = Some(e);
                None
            }
        });
        if labelled {
            session.count_labelled(net, ok, forward)
        } else {
            session.count_batches(net, ok.map(|(xs, _)| xs), forward)
        }
    });
    if let Some(e) = failed.into_inner() {
        return Err(e);
    }
    let mut report = report?;
    for (path, why) in skipped.into_inner() {
        warnings.push(format!("skipped {}: {why}", path.display()));
    }
    report.warnings.extend(warnings);
    report.shard = shard.map(|(_, s)| s);
    Ok(report)
}
