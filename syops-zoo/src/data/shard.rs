//! Shards of a dataset run, for counting one dataset on several machines (`cargo syops zoo
//! --shard I/N`, one Slurm array task each) and merging their reports
//! ([`Report::merge`](syops_runtime::report::Report::merge)): shard `i` of `n` takes the
//! contiguous samples `[i·len/n, (i+1)·len/n)`, so the shards are disjoint and cover every sample
//! for any `n`, their sizes differing by at most one. A split into more shards than samples is an
//! error (a shard would count nothing). The dataset's fingerprint says that every shard read the
//! same files.
//!
//! ```
//! # use syops_zoo::data::shard_range;
//! let ranges: Vec<_> = (0..3).map(|i| shard_range(7, i, 3).unwrap()).collect();
//! assert_eq!(ranges, [0..2, 2..4, 4..7]);
//! assert!(shard_range(2, 0, 3).is_err());
//! ```
use std::ops::Range;
use std::path::Path;

use super::Dataset;
use crate::{Error, Result};

/// Samples `[index·len/count, (index+1)·len/count)` of `len`: shard `index` of `count`.
pub fn shard_range(len: usize, index: usize, count: usize) -> Result<Range<usize>> {
    if count == 0 || index >= count {
        return Err(Error::Option(format!(
            "shard {index}/{count}: expected an index in 0..{count} and a count of at least 1"
        )));
    }
    if count > len {
        return Err(Error::Option(format!(
            "shard {index}/{count}: {count} shards of {len} sample(s) would leave some empty; use at most {len}"
        )));
    }
    // u128: `index × len` must not overflow for any dataset.
    let at = |i: usize| (i as u128 * len as u128 / count as u128) as usize;
    Ok(at(index)..at(index + 1))
}

/// FNV-1a 64 of `dataset`'s files (their paths relative to `root`, `/`-separated, sorted, each
/// with its size in bytes) and its sample count, as 16 hex digits.
pub fn fingerprint(dataset: &dyn Dataset, root: &Path) -> Result<String> {
    let mut files: Vec<(String, u64)> = Vec::new();
    for path in dataset.files() {
        let size = std::fs::metadata(&path).map_err(|e| Error::Data { path: path.clone(), msg: e.to_string() })?.len();
        let relative = path.strip_prefix(root).ok().filter(|r| !r.as_os_str().is_empty());
        let name = match relative {
            Some(r) => r.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"),
            None => path.file_name().map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
        };
        files.push((name, size));
    }
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for (name, size) in &files {
        eat(name.as_bytes());
        eat(&[0]);
        eat(&size.to_le_bytes());
    }
    eat(&(dataset.len() as u64).to_le_bytes());
    Ok(format!("{hash:016x}"))
}
