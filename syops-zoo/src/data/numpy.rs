//! NumPy samples: a folder of class folders with one `.npz` per sample whose array `frames` is one
//! sample (`[T, 2, H, W]`: how spikingjelly stores DVS128 Gesture, N-MNIST and CIFAR10-DVS frames),
//! labelled by the sorted class folders as torchvision's `DatasetFolder`; and one `.npy`/`.npz` of
//! stacked samples (`x`, `[N, …]`, with optional labels `y`, `[N]`), read whole when opened.
use std::path::{Path, PathBuf};

use candle::{DType, IndexOp, Tensor};

use super::{class_folders, files_in, Dataset, Sample};
use crate::{Error, Result};

/// The array of a per-sample `.npz` file.
pub const FRAMES: &str = "frames";

/// One `.npz` per sample under class folders.
pub struct NpzFolder {
    root: PathBuf,
    classes: usize,
    files: Vec<(PathBuf, u32)>,
}

impl NpzFolder {
    /// The class folders of `root` and their `.npz` files.
    pub fn open(root: &Path) -> Result<Self> {
        let classes = class_folders(root)?;
        let mut files = Vec::new();
        for (i, (_, dir)) in classes.iter().enumerate() {
            for f in files_in(dir, &|name| name.ends_with(".npz"))? {
                files.push((f, i as u32));
            }
        }
        if files.is_empty() {
            return Err(Error::Data { path: root.to_path_buf(), msg: "no .npz files in its class folders".into() });
        }
        Ok(NpzFolder { root: root.to_path_buf(), classes: classes.len(), files })
    }
}

impl Dataset for NpzFolder {
    fn len(&self) -> usize {
        self.files.len()
    }

    fn describe(&self) -> String {
        format!("npz folder {}: {} samples in {} classes", self.root.display(), self.files.len(), self.classes)
    }

    fn sample(&self, index: usize) -> Result<Sample> {
        let (path, label) = &self.files[index];
        let fail = |msg: String| Error::Data { path: path.clone(), msg };
        let npz = candle::npy::NpzTensors::new(path).map_err(|e| fail(format!("not a readable .npz: {e}")))?;
        let frames = npz.get(FRAMES).map_err(|e| fail(e.to_string()))?.ok_or_else(|| {
            let mut names: Vec<&String> = npz.names();
            names.sort();
            fail(format!("no array `{FRAMES}` (it has {names:?})"))
        })?;
        Ok(Sample { xs: frames.to_dtype(DType::F32)?, label: Some(*label) })
    }

    fn source(&self, index: usize) -> PathBuf {
        self.files[index].0.clone()
    }
}

/// Stacked samples in one file.
pub struct NpyStack {
    path: PathBuf,
    xs: Tensor,
    ys: Option<Vec<u32>>,
}

impl NpyStack {
    /// A `.npy` of samples `[N, …]`, or a `.npz` with `x` (`[N, …]`) and optional `y` (`[N]`).
    pub fn open(path: &Path) -> Result<Self> {
        let fail = |msg: String| Error::Data { path: path.to_path_buf(), msg };
        let npz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npz"));
        let (xs, ys) = if npz {
            let arrays = candle::npy::NpzTensors::new(path).map_err(|e| fail(format!("not a readable .npz: {e}")))?;
            let mut names: Vec<&String> = arrays.names();
            names.sort();
            let xs = arrays
                .get("x")
                .map_err(|e| fail(e.to_string()))?
                .ok_or_else(|| fail(format!("no array `x` of stacked samples (it has {names:?})")))?;
            (xs, arrays.get("y").map_err(|e| fail(e.to_string()))?)
        } else {
            (Tensor::read_npy(path).map_err(|e| fail(format!("not a readable .npy: {e}")))?, None)
        };
        if xs.rank() < 2 {
            return Err(fail(format!("`x` has shape {:?}; expected stacked samples [N, …]", xs.dims())));
        }
        let ys = match ys {
            None => None,
            Some(y) => {
                let y = y.to_dtype(DType::I64).map_err(|e| fail(e.to_string()))?;
                let y = y.flatten_all()?.to_vec1::<i64>()?;
                if y.len() != xs.dim(0)? || y.iter().any(|&v| v < 0 || v > i64::from(u32::MAX)) {
                    return Err(fail(format!(
                        "`y` must hold one label in [0, 2^32) per sample: {} labels for {} samples",
                        y.len(),
                        xs.dim(0)?
                    )));
                }
                Some(y.into_iter().map(|v| v as u32).collect())
            }
        };
        Ok(NpyStack { path: path.to_path_buf(), xs: xs.to_dtype(DType::F32)?, ys })
    }
}

impl Dataset for NpyStack {
    fn len(&self) -> usize {
        self.xs.dims()[0]
    }

    fn describe(&self) -> String {
        let labels = if self.ys.is_some() { "with labels" } else { "without labels" };
        format!("{}: {} samples of {:?}, {labels}", self.path.display(), self.len(), &self.xs.dims()[1..])
    }

    fn labelled(&self) -> bool {
        self.ys.is_some()
    }

    fn sample(&self, index: usize) -> Result<Sample> {
        Ok(Sample { xs: self.xs.i(index)?, label: self.ys.as_ref().map(|y| y[index]) })
    }

    fn source(&self, _index: usize) -> PathBuf {
        self.path.clone()
    }
}
