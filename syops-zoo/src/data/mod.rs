//! Datasets as the zoo counts over them, one sample at a time, batched on the fly (never more
//! than one batch in memory): torchvision's `ImageFolder` with its evaluation transform
//! ([`ImageFolder`]), CIFAR-10/100 binary batches ([`Cifar`]), NumPy files ([`NpzFolder`], one
//! `.npz` per sample in class folders as spikingjelly stores DVS frames; [`NpyStack`], a stacked
//! `.npy`/`.npz`). [`open`] tells them apart from the path; [`prefetched`] reads the next batch on
//! another thread while one is counted.
mod batches;
mod cifar;
mod image_folder;
mod numpy;
mod prefetch;
mod shard;

use std::path::{Path, PathBuf};

use candle::Tensor;

pub use batches::{Batch, Batches};
pub use cifar::Cifar;
pub use image_folder::ImageFolder;
pub use numpy::{NpyStack, NpzFolder};
pub use prefetch::{prefetched, Prefetched};
pub use shard::{fingerprint, shard_range};

use crate::transform::EvalTransform;
use crate::{Error, Result};

/// One sample: its tensor (float32, without a batch dimension) and its label, where the format
/// has labels.
#[derive(Debug, Clone)]
pub struct Sample {
    pub xs: Tensor,
    pub label: Option<u32>,
}

/// A dataset the zoo can count over (`Sync`: the next batch is read on another thread).
pub trait Dataset: Sync {
    /// How many samples it has.
    fn len(&self) -> usize;

    /// Whether it has none.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// What it is, for the report (`image folder photos/: 6 images in 3 classes`).
    fn describe(&self) -> String;

    /// Whether its samples have labels (then a count also gives the accuracy).
    fn labelled(&self) -> bool {
        true
    }

    /// Sample `index` (`< len()`), read from disk now.
    fn sample(&self, index: usize) -> Result<Sample>;

    /// The file sample `index` comes from, for errors and `--skip-bad`.
    fn source(&self, index: usize) -> PathBuf;

    /// Every file the samples come from, each once, sorted (for the dataset's [`fingerprint`]):
    /// by default the sources of all samples.
    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = (0..self.len()).map(|i| self.source(i)).collect();
        files.sort();
        files.dedup();
        files
    }
}

/// Opens the dataset at `path`: a `.npy`/`.npz` file of stacked samples; CIFAR's binary batches
/// (a `.bin` file, or a folder holding `data_batch_*.bin`/`test_batch.bin` or `test.bin`/`train.bin`);
/// a folder of class folders holding `.npz` files; else a folder of class folders of images.
/// `transform` applies to images; its mean and std normalise CIFAR too when `normalize_cifar`,
/// else CIFAR keeps CIFAR-10's own statistics.
pub fn open(path: impl AsRef<Path>, transform: &EvalTransform, normalize_cifar: bool) -> Result<Box<dyn Dataset>> {
    let path = path.as_ref();
    let fail = |msg: String| Error::Data { path: path.to_path_buf(), msg };
    if !path.exists() {
        return Err(fail("no such file or folder".into()));
    }
    let cifar =
        |p: &Path| Cifar::open(p).map(|c| if normalize_cifar { c.normalize(transform.mean, transform.std) } else { c });
    let ext = |p: &Path| p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    if path.is_file() {
        return match ext(path).as_deref() {
            Some("npy" | "npz") => Ok(Box::new(NpyStack::open(path)?)),
            Some("bin") => Ok(Box::new(cifar(path)?)),
            _ => Err(fail("expected a folder, a .npy/.npz file of stacked samples or a CIFAR .bin batch".into())),
        };
    }
    if Cifar::batches_in(path).map_err(|e| fail(e.to_string()))?.is_some() {
        return Ok(Box::new(cifar(path)?));
    }
    let has_npz = std::fs::read_dir(path)
        .map_err(|e| fail(e.to_string()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .any(|class| {
            std::fs::read_dir(class.path())
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok())
                .any(|f| ext(&f.path()).as_deref() == Some("npz"))
        });
    if has_npz {
        Ok(Box::new(NpzFolder::open(path)?))
    } else {
        Ok(Box::new(ImageFolder::open(path, *transform)?))
    }
}

/// The class folders of `root`, sorted by name as torchvision's `find_classes` sorts them.
fn class_folders(root: &Path) -> Result<Vec<(String, PathBuf)>> {
    let fail = |msg: String| Error::Data { path: root.to_path_buf(), msg };
    let mut classes: Vec<(String, PathBuf)> = std::fs::read_dir(root)
        .map_err(|e| fail(e.to_string()))?
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    classes.sort();
    if classes.is_empty() {
        return Err(fail("no class folders: expected one sub-folder per class, as torchvision's ImageFolder".into()));
    }
    Ok(classes)
}

/// The files under `dir` whose lower-cased name `keep` accepts, in torchvision's `make_dataset`
/// order: the folders of `os.walk(dir)` sorted by their path, then each folder's files by name.
fn files_in(dir: &Path, keep: &dyn Fn(&str) -> bool) -> Result<Vec<PathBuf>> {
    let read = |d: &Path| -> Result<Vec<PathBuf>> {
        Ok(std::fs::read_dir(d)
            .map_err(|e| Error::Data { path: d.to_path_buf(), msg: e.to_string() })?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect())
    };
    let mut folders = vec![dir.to_path_buf()];
    let mut i = 0;
    while i < folders.len() {
        let subs: Vec<PathBuf> = read(&folders[i])?.into_iter().filter(|p| p.is_dir()).collect();
        folders.extend(subs);
        i += 1;
    }
    folders.sort_by_key(|p| p.to_string_lossy().into_owned());
    let mut out = Vec::new();
    for folder in folders {
        let mut files: Vec<(String, PathBuf)> = read(&folder)?
            .into_iter()
            .filter(|p| !p.is_dir())
            .map(|p| (p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), p))
            .filter(|(name, _)| keep(&name.to_ascii_lowercase()))
            .collect();
        files.sort();
        out.extend(files.into_iter().map(|(_, p)| p));
    }
    Ok(out)
}
