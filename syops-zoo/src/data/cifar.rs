//! CIFAR-10/100 in their binary batches, as torchvision's `CIFAR10`/`CIFAR100` read them: a record
//! is the label byte (CIFAR-100: the coarse then the fine label; torchvision's target is the fine
//! one) then 3072 bytes, the red, green and blue 32×32 planes. A folder means its test set
//! (`test_batch.bin`, or CIFAR-100's `test.bin`); name a file to count another batch. Samples go
//! through `ToTensor` and `Normalize(mean, std)` in float32, as torchvision computes them.
use std::path::{Path, PathBuf};

use candle::{Device, Tensor};

use super::{Dataset, Sample};
use crate::transform::{to_tensor_normalized, Rgb8};
use crate::{Error, Result};

const PIXELS: usize = 3 * 32 * 32;

/// One CIFAR-10 (`label_bytes` 1) or CIFAR-100 (2) binary batch file.
pub struct Cifar {
    file: PathBuf,
    label_bytes: usize,
    records: usize,
    mean: [f32; 3],
    std: [f32; 3],
}

/// CIFAR-10's training-set channel means and standard deviations, the usual normalisation.
pub const CIFAR10_MEAN: [f32; 3] = [0.4914, 0.4822, 0.4465];
/// See [`CIFAR10_MEAN`].
pub const CIFAR10_STD: [f32; 3] = [0.2470, 0.2435, 0.2616];

impl Cifar {
    /// The evaluation batch of the folder `dir`, if it holds CIFAR's binary batches.
    pub fn batches_in(dir: &Path) -> std::io::Result<Option<PathBuf>> {
        for name in ["test_batch.bin", "test.bin"] {
            let p = dir.join(name);
            if p.is_file() {
                return Ok(Some(p));
            }
        }
        Ok(None)
    }

    /// The batch file `path`, or the test batch of the folder `path`, normalised with CIFAR-10's
    /// statistics ([`Cifar::normalize`] sets others).
    pub fn open(path: &Path) -> Result<Self> {
        let fail = |msg: String| Error::Data { path: path.to_path_buf(), msg };
        let file = match path.is_dir() {
            true => Self::batches_in(path)
                .map_err(|e| fail(e.to_string()))?
                .ok_or_else(|| fail("no test_batch.bin (CIFAR-10) or test.bin (CIFAR-100) in this folder".into()))?,
            false => path.to_path_buf(),
        };
        let size = std::fs::metadata(&file).map_err(|e| Error::Data { path: file.clone(), msg: e.to_string() })?.len()
            as usize;
        let name = file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        let label_bytes = match name.as_str() {
            n if n.starts_with("data_batch_") || n == "test_batch.bin" => 1,
            "train.bin" | "test.bin" => 2,
            _ if size.is_multiple_of(PIXELS + 1) && !size.is_multiple_of(PIXELS + 2) => 1,
            _ if size.is_multiple_of(PIXELS + 2) && !size.is_multiple_of(PIXELS + 1) => 2,
            _ => {
                return Err(Error::Data {
                    path: file,
                    msg: format!("{size} bytes: not CIFAR-10 records of 3073 bytes nor CIFAR-100 records of 3074"),
                })
            }
        };
        if size == 0 || !size.is_multiple_of(PIXELS + label_bytes) {
            return Err(Error::Data {
                path: file,
                msg: format!("{size} bytes is not a whole number of {}-byte CIFAR records", PIXELS + label_bytes),
            });
        }
        let n = size / (PIXELS + label_bytes);
        Ok(Cifar { file, label_bytes, records: n, mean: CIFAR10_MEAN, std: CIFAR10_STD })
    }

    /// The same with `Normalize(mean, std)`.
    pub fn normalize(mut self, mean: [f32; 3], std: [f32; 3]) -> Self {
        (self.mean, self.std) = (mean, std);
        self
    }
}

impl Dataset for Cifar {
    fn len(&self) -> usize {
        self.records
    }

    fn describe(&self) -> String {
        let which = if self.label_bytes == 1 { "CIFAR-10" } else { "CIFAR-100" };
        format!(
            "{which} {}: {} images, Normalize(mean {:?}, std {:?})",
            self.file.display(),
            self.len(),
            self.mean,
            self.std
        )
    }

    fn sample(&self, index: usize) -> Result<Sample> {
        use std::io::{Read, Seek, SeekFrom};
        let record = PIXELS + self.label_bytes;
        let fail = |e: std::io::Error| Error::Data { path: self.file.clone(), msg: format!("record {index}: {e}") };
        let mut file = std::fs::File::open(&self.file).map_err(fail)?;
        file.seek(SeekFrom::Start((index * record) as u64)).map_err(fail)?;
        let mut buf = vec![0u8; record];
        file.read_exact(&mut buf).map_err(fail)?;
        let label = u32::from(buf[self.label_bytes - 1]);
        let planes = &buf[self.label_bytes..];
        let mut data = vec![0u8; PIXELS];
        for p in 0..1024 {
            for c in 0..3 {
                data[p * 3 + c] = planes[c * 1024 + p];
            }
        }
        let img = Rgb8 { width: 32, height: 32, data };
        let xs = Tensor::from_vec(to_tensor_normalized(&img, self.mean, self.std), (3, 32, 32), &Device::Cpu)?;
        Ok(Sample { xs, label: Some(label) })
    }

    fn source(&self, _index: usize) -> PathBuf {
        self.file.clone()
    }
}
