//! Which shard of a dataset run a report counted (`cargo syops zoo --shard I/N`), and the check
//! that a set of shards is one whole run: the same split of the same dataset, every index once.
//!
//! ```
//! # use syops_runtime::report::Shard;
//! let shard = |index| Shard { index, count: 2, samples: 7, dataset: "00ff".into() };
//! assert!(Shard::check_whole(&[&shard(1), &shard(0)]).is_ok());
//! let err = Shard::check_whole(&[&shard(1), &shard(1)]).unwrap_err().to_string();
//! assert!(err.contains("shard 0 of 2 is missing") && err.contains("shard 1 appears 2 times"), "{err}");
//! ```
use serde::{Deserialize, Serialize};

use crate::{Error, Result};

/// One shard of a dataset run: samples `[index × samples / count, (index + 1) × samples / count)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's index, in `0..count`.
    pub index: usize,
    /// How many shards the run was split into.
    pub count: usize,
    /// The whole run's samples (the dataset's, after any limit), not this shard's.
    pub samples: usize,
    /// A fingerprint of the dataset: FNV-1a 64 of its files' relative paths and sizes, in hex.
    pub dataset: String,
}

impl Shard {
    /// Whether `shards` make one whole run: all of the same count, samples and dataset, and their
    /// indices exactly `0..count`, each once. The error names what differs, or the missing and
    /// repeated indices.
    pub fn check_whole(shards: &[&Shard]) -> Result<()> {
        let Some(first) = shards.first() else { return Err(Error::Report("merge: no shards".into())) };
        for s in shards {
            let what = match () {
                _ if s.count != first.count => format!("{} shards, but shard {} {}", s.count, first.index, first.count),
                _ if s.samples != first.samples => {
                    format!("{} samples, but shard {} {}", s.samples, first.index, first.samples)
                }
                _ if s.dataset != first.dataset => {
                    format!("dataset {}, but shard {} dataset {}", s.dataset, first.index, first.dataset)
                }
                _ => continue,
            };
            return Err(Error::Report(format!("merge: shard {} is of another split: {what}", s.index)));
        }
        let mut seen = vec![0usize; first.count];
        let mut problems = Vec::new();
        for s in shards {
            match seen.get_mut(s.index) {
                Some(n) => *n += 1,
                None => problems.push(format!("shard {} is out of range (0..{})", s.index, first.count)),
            }
        }
        for (i, &n) in seen.iter().enumerate() {
            match n {
                0 => problems.push(format!("shard {i} of {} is missing", first.count)),
                1 => {}
                n => problems.push(format!("shard {i} appears {n} times")),
            }
        }
        match problems.is_empty() {
            true => Ok(()),
            false => Err(Error::Report(format!("merge: the shards are not one whole run: {}", problems.join("; ")))),
        }
    }
}
