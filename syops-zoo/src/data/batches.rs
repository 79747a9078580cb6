//! Batches of a [`Dataset`]: samples `start..end` (a `--limit` cuts the end; a shard picks the
//! range) in order, stacked into `[B, …]` and cast to the counting dtype, one batch in memory at a
//! time.
use std::cell::RefCell;
use std::ops::Range;

use candle::{DType, Device, Tensor};

use super::Dataset;
use crate::{Error, Result};

/// One batch: the stacked samples, their labels (when every sample has one), and the files
/// skipped as unreadable (`skip_bad`).
#[derive(Debug)]
pub struct Batch {
    pub xs: Tensor,
    pub labels: Option<Vec<u32>>,
    pub skipped: Vec<(std::path::PathBuf, String)>,
}

/// The batches of a dataset, read as they are asked for.
pub struct Batches<'a> {
    dataset: &'a dyn Dataset,
    next: usize,
    start: usize,
    end: usize,
    batch_size: usize,
    dtype: DType,
    device: Device,
    skip_bad: bool,
}

impl<'a> Batches<'a> {
    /// The first `limit` samples (all without one) of `dataset` in batches of `batch_size`.
    pub fn new(
        dataset: &'a dyn Dataset,
        batch_size: usize,
        limit: Option<usize>,
        dtype: DType,
        device: &Device,
    ) -> Self {
        let end = limit.map_or(dataset.len(), |l| l.min(dataset.len()));
        Batches::over(dataset, 0..end, batch_size, dtype, device)
    }

    /// Samples `range` of `dataset` (cut to its length) in batches of `batch_size`, formed inside
    /// the range: one shard of a run ([`super::shard_range`]).
    pub fn over(
        dataset: &'a dyn Dataset,
        range: Range<usize>,
        batch_size: usize,
        dtype: DType,
        device: &Device,
    ) -> Self {
        let end = range.end.min(dataset.len());
        let next = range.start.min(end);
        Batches {
            dataset,
            next,
            start: next,
            end,
            batch_size: batch_size.max(1),
            dtype,
            device: device.clone(),
            skip_bad: false,
        }
    }

    /// Skips unreadable samples (each listed in its batch's `skipped`) instead of failing.
    pub fn skip_bad(mut self, on: bool) -> Self {
        self.skip_bad = on;
        self
    }

    /// How many samples the batches cover (before any skipped).
    pub fn samples(&self) -> usize {
        self.end - self.start
    }

    /// How many batches there are.
    pub fn len(&self) -> usize {
        self.samples().div_ceil(self.batch_size)
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.samples() == 0
    }

    /// The batches until the first that fails to load, whose error `failed` then holds (a count
    /// over them stops there, and its caller reports the error rather than the count).
    pub fn until_error(self, failed: &'a RefCell<Option<Error>>) -> impl Iterator<Item = Batch> + 'a {
        self.map_while(move |b| b.map_err(|e| *failed.borrow_mut() = Some(e)).ok())
    }

    fn batch(&mut self) -> Result<Batch> {
        let stop = (self.next + self.batch_size).min(self.end);
        let (mut xs, mut labels, mut skipped) = (Vec::new(), Vec::new(), Vec::new());
        for i in self.next..stop {
            match self.dataset.sample(i) {
                Ok(s) => {
                    if let Some(first) = xs.first().map(|t: &Tensor| t.dims().to_vec()) {
                        if first != s.xs.dims() {
                            return Err(Error::Data {
                                path: self.dataset.source(i),
                                msg: format!("sample of shape {:?}, but this batch's first has {first:?}", s.xs.dims()),
                            });
                        }
                    }
                    xs.push(s.xs);
                    labels.push(s.label);
                }
                Err(e) if self.skip_bad => skipped.push((self.dataset.source(i), e.to_string())),
                Err(e) => return Err(e),
            }
        }
        self.next = stop;
        if xs.is_empty() {
            return Err(Error::Data {
                path: self.dataset.source(stop.saturating_sub(1)),
                msg: "every sample of this batch was skipped as unreadable".into(),
            });
        }
        let xs = Tensor::stack(&xs, 0)?.to_dtype(self.dtype)?.to_device(&self.device)?;
        let labels = labels.into_iter().collect::<Option<Vec<u32>>>();
        Ok(Batch { xs, labels, skipped })
    }
}

impl Iterator for Batches<'_> {
    type Item = Result<Batch>;

    fn next(&mut self) -> Option<Result<Batch>> {
        (self.next < self.end).then(|| self.batch())
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = (self.end - self.next).div_ceil(self.batch_size);
        (n, Some(n))
    }
}
