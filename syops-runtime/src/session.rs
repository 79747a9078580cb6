//! Counting sessions: run a model on batches (syops' DataLoader mode) or on one input, and get a
//! [`Report`].
//!
//! ```
//! use candle::{DType, Device, Tensor};
//! use candle_nn::{Module, VarBuilder};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let vb = VarBuilder::zeros(DType::F32, &Device::Cpu);
//! let fc = candle_nn::linear(4, 2, vb)?;
//! let xs = Tensor::new(&[[0f32, 1., 1., 0.]], &Device::Cpu)?;
//! let report = syops_runtime::Session::new().count(&fc, &xs, |fc, xs| fc.forward(xs))?;
//! // A binary input: (4 × 2 + 2) dense ops at a firing rate of 0.5 are ACs.
//! assert_eq!(report.per_sample.acs, 5.0);
//! # Ok(()) }
//! ```
use std::sync::Arc;

use candle::Tensor;

use crate::convention::{spike, Convention};
use crate::count::options::Options;
use crate::count::rates::Rates;
use crate::count::scope::Scope;
use crate::count::state::{self, Activation, State};
use crate::model::detect::{HasTensor, LayerRef, Outcome};
use crate::model::{Call, Layer, Ops};
use crate::report::{Accuracy, EnergyModel, Report};
use crate::{Error, Result};

/// A counting session's settings; run it with [`Session::count`] or [`Session::count_batches`].
#[derive(Clone, Default)]
pub struct Session {
    pub(crate) options: Options,
}

impl Session {
    /// The original syops convention, 45 nm FP32 energy, no progress bar.
    pub fn new() -> Self {
        Session::default()
    }

    /// Counts nothing for layers of this type (syops' `ignore_modules`); their rows show zero
    /// operations and zero parameters, and the report lists the type.
    pub fn ignore(mut self, type_name: impl Into<String>) -> Self {
        self.options.ignore.push(type_name.into());
        self
    }

    /// Counts layers of this type with `rule` (syops' `custom_modules_hooks`). The type must be a
    /// [`Layer`] whose role is [`Role::Counted`](crate::model::Role::Counted) for the rule to be called; a type without a rule
    /// of its own can return [`Role::Counted`](crate::model::Role::Counted) and rely on this one.
    pub fn rule(
        mut self,
        type_name: impl Into<String>,
        rule: impl Fn(&Call<'_>) -> Result<Ops> + Send + Sync + 'static,
    ) -> Self {
        self.options.rules.insert(type_name.into(), Arc::new(rule));
        self
    }

    /// Energy per operation used by the report.
    pub fn energy(mut self, model: EnergyModel) -> Self {
        self.options.energy = model;
        self
    }

    /// Runs the spike test as tensor operations on every device, the CPU included: the path CUDA
    /// and other devices take (minimum, maximum, a count of values off both, sum, non-finite
    /// flag), instead of the CPU's one-pass scan. The counts are the same; this is slower on the
    /// CPU and exists to check the device path where no GPU is at hand.
    pub fn tensor_ops_spike_test(mut self, on: bool) -> Self {
        self.options.tensor_ops_spike_test = on;
        self
    }

    /// Counts under `convention` (default [`Convention::Syops005`]); the report names it. See the
    /// README's "Exact convention" for what [`Convention::Exact`] counts, and "NeuroBench's
    /// metrics" for [`Convention::NeuroBench`]. The environment variable
    /// [`CONVENTION_ENV`](crate::convention::CONVENTION_ENV) (`cargo syops --convention NAME`)
    /// overrides it.
    pub fn convention(mut self, convention: Convention) -> Self {
        self.options.convention = convention;
        self
    }

    /// Shows a progress bar on stderr while batches run (hidden when stderr is not a terminal).
    pub fn progress(mut self, on: bool) -> Self {
        self.options.progress = on;
        self
    }

    /// Strict mode: counting fails with [`Error::Uncovered`], listing them, when any call had no
    /// counting rule or no layer path (the report's [`Coverage`](crate::report::Coverage) lists them either way).
    pub fn strict(mut self, on: bool) -> Self {
        self.options.strict = on;
        self
    }

    /// The number of time steps the SNN runs per sample (default 1), for the ANN baseline of
    /// [`EnergyDetail`](crate::report::EnergyDetail): the ANN runs once while the SNN runs `t` times. Must be at least 1.
    pub fn time_steps(mut self, t: u64) -> Self {
        self.options.time_steps = Some(t);
        self
    }

    /// Also collects time-resolved statistics ([`crate::count::time`]): firing rates and operations per
    /// time step and per sample, dead and saturated neurons; the report's `time` field. Off by
    /// default, and free when off; when on, it costs a few reductions per counted call on the
    /// device and keeps a few `f64` per sample and layer.
    pub fn time_resolved(mut self, on: bool) -> Self {
        self.options.time_resolved = on;
        self
    }

    /// Assumed input firing rates for [`Session::count_static`] (what-if ACs). A data-driven count
    /// ([`Session::count`], [`Session::count_batches`]) with assumed rates is an error.
    pub fn assumed_rates(mut self, rates: Rates) -> Self {
        self.options.rates = Some(rates);
        self
    }

    /// Counts `model` from a shape alone, without data: dense counts and parameters as usual, and
    /// ACs from the [assumed rates](Session::assumed_rates) ([`Rates`]). It runs `forward`
    /// once on zeros of `shape` (candle has no shape-only device, so this costs one forward pass)
    /// and tests no tensor for spikes. The report's `assumed_rates` is set (`Some`, even with no
    /// rate), which marks it static; time-resolved statistics are not collected.
    pub fn count_static<M, R>(
        &self,
        model: &M,
        shape: &[usize],
        dtype: candle::DType,
        device: &candle::Device,
        forward: impl FnMut(&M, &Tensor) -> R,
    ) -> Result<Report>
    where
        M: Layer,
        R: HasTensor,
    {
        let rates = self.options.rates.clone().unwrap_or_default().compile()?;
        let mut session = self.clone();
        session.options.convention = Convention::from_env()?.unwrap_or(self.options.convention);
        if !session.options.counting().counts_static() {
            return Err(Error::Invalid(format!(
                "Session::count_static: the {} convention counts what the data do (non-zero inputs, membrane changes); it has no count from shapes alone",
                session.options.convention
            )));
        }
        session.options.rates = None;
        session.options.time_resolved = false;
        session.options.static_rates = Some(Arc::new(rates));
        let xs = Tensor::zeros(shape, dtype, device)?;
        session.count(model, &xs, forward)
    }

    /// Counts one forward call of `model` on `xs`.
    pub fn count<M, R>(&self, model: &M, xs: &Tensor, forward: impl FnMut(&M, &Tensor) -> R) -> Result<Report>
    where
        M: Layer,
        R: HasTensor,
    {
        self.count_batches(model, std::iter::once(xs.clone()), forward)
    }

    /// Counts `model` over every batch, resetting its neurons after each one (syops' DataLoader
    /// loop). Per-sample numbers divide by the samples seen (dim 0 of each batch).
    pub fn count_batches<M, R, I>(&self, model: &M, batches: I, forward: impl FnMut(&M, &Tensor) -> R) -> Result<Report>
    where
        M: Layer,
        R: HasTensor,
        I: IntoIterator,
        I::Item: std::borrow::Borrow<Tensor>,
    {
        self.run(model, batches.into_iter().map(|xs| (xs, None)), forward)
    }

    /// [`Session::count_batches`] over labelled batches `(xs, labels)`: the model's output on each
    /// batch (`[N, classes]`, or `[T, N, classes]` averaged over `T`) is scored against its labels,
    /// and the report's [`accuracy`](Report::accuracy) gives the top-1 and top-5 accuracy.
    pub fn count_labelled<M, R, I, B>(
        &self,
        model: &M,
        batches: I,
        forward: impl FnMut(&M, &Tensor) -> R,
    ) -> Result<Report>
    where
        M: Layer,
        R: HasTensor,
        I: IntoIterator<Item = (B, Vec<u32>)>,
        B: std::borrow::Borrow<Tensor>,
    {
        self.run(model, batches.into_iter().map(|(xs, labels)| (xs, Some(labels))), forward)
    }

    fn run<M, R, B>(
        &self,
        model: &M,
        batches: impl Iterator<Item = (B, Option<Vec<u32>>)>,
        mut forward: impl FnMut(&M, &Tensor) -> R,
    ) -> Result<Report>
    where
        M: Layer,
        R: HasTensor,
        B: std::borrow::Borrow<Tensor>,
    {
        if self.options.time_steps == Some(0) {
            return Err(Error::Invalid(
                "Session::time_steps: the number of time steps must be at least 1, got 0".into(),
            ));
        }
        if self.options.rates.is_some() {
            return Err(Error::Invalid(
                "assumed rates apply to a static count (Session::count_static), not to a count on data".into(),
            ));
        }
        let mut options = self.options.clone();
        options.convention = Convention::from_env()?.unwrap_or(options.convention);
        let bar = self.progress_bar(batches.size_hint());
        let root = LayerRef::of(model);
        let _watch = options.counting().watches_membrane().then(|| Watch::start(model));
        let activation = Activation::start(options, &root)?;
        let mut n_batches = 0u64;
        let mut non_finite_inputs = 0u64;
        let mut accuracy: Option<Accuracy> = None;
        for (xs, labels) in batches {
            let xs: &Tensor = xs.borrow();
            let batch = *xs.dims().first().ok_or_else(|| {
                Error::shape(
                    "",
                    model.type_name(),
                    format!("root input has shape {:?}; expected a batch dimension", xs.dims()),
                )
            })?;
            non_finite_inputs += u64::from(spike::has_non_finite(xs)?);
            if self.options.time_resolved {
                state::with(|s| s.time.as_mut().map(|t| t.begin_batch(batch)));
            }
            let mut scope = Scope::enter(root, &[]);
            scope.input(Outcome::Tensor(xs));
            let out = forward(model, xs);
            state::with(|s| {
                s.batch_counter += batch as u64;
                s.times_counter += 1;
            });
            if let Outcome::Failed(msg) = out.outcome() {
                drop(scope);
                let state = activation.finish();
                return Err(call_error(state, msg));
            }
            if let Some(labels) = labels {
                let Outcome::Tensor(scores) = out.outcome() else {
                    return Err(Error::Invalid("accuracy: the model's output holds no tensor to score".into()));
                };
                accuracy.get_or_insert_with(Accuracy::default).add(scores, &labels)?;
            }
            scope.finish(out.outcome());
            drop(out);
            model.reset_state();
            let flushed = state::with(|s| s.flush().map(|()| s.error.take()));
            if let Some(err) = flushed.transpose()?.flatten() {
                return Err(err);
            }
            n_batches += 1;
            if let Some(bar) = &bar {
                bar.inc(1);
            }
        }
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        if n_batches == 0 {
            return Err(Error::EmptyBatches);
        }
        let report = crate::report::assemble(model, activation.finish(), n_batches, non_finite_inputs, accuracy)?;
        if let Some(c) = report.coverage.as_ref().filter(|c| self.options.strict && !c.is_complete()) {
            return Err(Error::Uncovered {
                uncovered_calls: c.uncovered_calls,
                calls: c.calls,
                entries: c.uncovered.clone(),
            });
        }
        crate::report::export::export(&report)?;
        Ok(report)
    }

    fn progress_bar(&self, hint: (usize, Option<usize>)) -> Option<indicatif::ProgressBar> {
        if !self.options.progress {
            return None;
        }
        let bar = match hint.1 {
            Some(n) => indicatif::ProgressBar::new(n as u64),
            None => indicatif::ProgressBar::new_spinner(),
        };
        bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        bar.set_message("counting");
        Some(bar)
    }
}

/// Neurons record their membrane changes while it lives (the conventions that read them).
struct Watch<'a>(&'a dyn Layer);

impl<'a> Watch<'a> {
    fn start(model: &'a dyn Layer) -> Self {
        model.watch_membrane(true);
        Watch(model)
    }
}

impl Drop for Watch<'_> {
    fn drop(&mut self) {
        self.0.watch_membrane(false);
    }
}

fn call_error(state: State, msg: String) -> Error {
    match state.failed_at {
        Some((path, layer, input)) => Error::shape(
            &path,
            layer,
            match input {
                Some(dims) => format!("forward failed on input of shape {dims:?}: {msg}"),
                None => format!("forward failed: {msg}"),
            },
        ),
        None => Error::Candle(candle::Error::Msg(msg)),
    }
}
