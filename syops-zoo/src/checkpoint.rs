//! Trained weights from PyTorch: `.safetensors` and `.pth`/`.pt` files (read with candle's own
//! pickle reader) as a `VarBuilder` whose names are PyTorch's state-dict names.
//!
//! The usual wrappings load unchanged: a bare state dict, or one under `"state_dict"`, `"model"`,
//! `"net"`, `"model_state_dict"` or `"module"` beside other entries (`epoch`, `optimizer`);
//! DataParallel's `module.` prefixes are dropped, and so are BatchNorm's `num_batches_tracked`
//! counters (no layer reads them). Floating-point tensors (float16 and bfloat16 included) are
//! widened or narrowed to the counting dtype when a layer asks for them.
//!
//! [`Checkpoint::build`] builds a model and checks that it fits: every tensor the model asks for
//! is there with its shape, and every tensor of the checkpoint is used. When it does not fit, the
//! error lists the missing tensors, the unexpected ones and every shape mismatch, by state-dict
//! name; a model is never built on a zero or generated weight.
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use candle::{DType, Device, Shape, Tensor};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::VarBuilder;

use crate::{Error, Result};

/// The keys a trained checkpoint commonly wraps its state dict in, tried in this order after the
/// file's top level.
pub const WRAPPING_KEYS: [&str; 5] = ["state_dict", "model", "net", "model_state_dict", "module"];

/// The tensors of a checkpoint file, by state-dict name.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    file: PathBuf,
    tensors: Arc<HashMap<String, Tensor>>,
    wrapping: Option<&'static str>,
    prefix_dropped: bool,
}

/// Builds a model from the checkpoint at `path` in `dtype` on `device` ([`Checkpoint::build`]).
pub fn load<M>(
    path: impl AsRef<Path>,
    dtype: DType,
    device: &Device,
    build: impl FnOnce(VarBuilder) -> candle::Result<M>,
) -> Result<M> {
    Checkpoint::open(path)?.build(dtype, device, build)
}

impl Checkpoint {
    /// Reads the tensors of a `.safetensors` file, or of a PyTorch `.pth`/`.pt` file (any other
    /// name is read as PyTorch's), on the CPU.
    pub fn open(path: impl AsRef<Path>) -> Result<Self> {
        let file = path.as_ref().to_path_buf();
        if !file.is_file() {
            return Err(Error::Checkpoint { file, msg: "no such file".into() });
        }
        let safetensors = file.extension().is_some_and(|e| e == "safetensors");
        let (tensors, wrapping) = if safetensors {
            let tensors = candle::safetensors::load(&file, &Device::Cpu).map_err(|e| Error::Checkpoint {
                file: file.clone(),
                msg: format!("not a readable safetensors file: {e}"),
            })?;
            (tensors, None)
        } else {
            read_pth(&file)?
        };
        Ok(Checkpoint::from_tensors(file, tensors, wrapping))
    }

    /// A checkpoint of `tensors` (named as a state dict) from `file`, unwrapped as [`open`](Self::open)
    /// unwraps a file's.
    pub fn from_tensors(
        file: impl Into<PathBuf>,
        tensors: HashMap<String, Tensor>,
        wrapping: Option<&'static str>,
    ) -> Self {
        let mut tensors: HashMap<String, Tensor> =
            tensors.into_iter().filter(|(name, _)| !name.ends_with("num_batches_tracked")).collect();
        let prefix_dropped = !tensors.is_empty() && tensors.keys().all(|k| k.starts_with("module."));
        if prefix_dropped {
            tensors = tensors.into_iter().map(|(k, v)| (k["module.".len()..].to_string(), v)).collect();
        }
        Checkpoint { file: file.into(), tensors: Arc::new(tensors), wrapping, prefix_dropped }
    }

    /// The file it was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// The key its state dict was found under (`None`: the file's top level).
    pub fn wrapping(&self) -> Option<&'static str> {
        self.wrapping
    }

    /// Whether its names had DataParallel's `module.` prefix, now dropped.
    pub fn prefix_dropped(&self) -> bool {
        self.prefix_dropped
    }

    /// Its state-dict names, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tensors.keys().map(String::as_str).collect();
        names.sort_unstable();
        names
    }

    /// The tensor named `name`, as stored.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.tensors.get(name)
    }

    /// A `VarBuilder` over these tensors for a model of one's own: a tensor that is missing or of
    /// another shape is an error naming it and the file. [`Checkpoint::build`] also reports the
    /// tensors the model did not use, all at once.
    pub fn var_builder(&self, dtype: DType, device: &Device) -> VarBuilder<'static> {
        VarBuilder::from_backend(Box::new(Backend { checkpoint: self.clone(), fit: None }), dtype, device.clone())
    }

    /// Builds a model with `build` and checks that it fits this checkpoint: one error lists every
    /// missing tensor, every unexpected one and every shape mismatch.
    pub fn build<M>(
        &self,
        dtype: DType,
        device: &Device,
        build: impl FnOnce(VarBuilder) -> candle::Result<M>,
    ) -> Result<M> {
        let fit = Arc::new(Mutex::new(Fit::default()));
        let backend = Backend { checkpoint: self.clone(), fit: Some(fit.clone()) };
        let built = build(VarBuilder::from_backend(Box::new(backend), dtype, device.clone()));
        let fit = std::mem::take(&mut *fit.lock().unwrap_or_else(|e| e.into_inner()));
        let unexpected: Vec<(String, Vec<usize>)> = self
            .names()
            .into_iter()
            .filter(|n| !fit.used.contains(*n))
            .map(|n| (n.to_string(), self.tensors[n].dims().to_vec()))
            .collect();
        let fits = fit.missing.is_empty() && fit.mismatched.is_empty();
        match built {
            Ok(model) if fits && unexpected.is_empty() => Ok(model),
            Err(e) if fits => {
                Err(Error::Checkpoint { file: self.file.clone(), msg: format!("building the model failed: {e}") })
            }
            _ => Err(Error::Mismatch {
                file: self.file.clone(),
                missing: fit.missing,
                unexpected,
                mismatched: fit.mismatched,
            }),
        }
    }
}

/// How a file in PyTorch's legacy format starts: pickle protocol 2, then its magic number
/// `0x1950a86a20f9469cfc6c` as a 10-byte long.
const LEGACY_MAGIC: [u8; 14] = [0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/// Reads a PyTorch file's state dict: at its top level, else under the first of [`WRAPPING_KEYS`]
/// that holds tensors.
fn read_pth(file: &Path) -> Result<(HashMap<String, Tensor>, Option<&'static str>)> {
    let fail = |msg: String| Error::Checkpoint { file: file.to_path_buf(), msg };
    let mut head = [0u8; 14];
    let n = std::io::Read::read(&mut std::fs::File::open(file).map_err(|e| fail(e.to_string()))?, &mut head)
        .map_err(|e| fail(e.to_string()))?;
    if head[..n] == LEGACY_MAGIC {
        return Err(fail(
            "PyTorch's legacy format (saved with `_use_new_zipfile_serialization=False`), which candle does not read; \
             load it in PyTorch and save it again with torch.save"
                .into(),
        ));
    }
    let read = |key: Option<&str>| candle::pickle::read_all_with_key(file, key);
    let top = read(None).map_err(|e| fail(format!("not a readable PyTorch checkpoint: {e}")))?;
    if !top.is_empty() {
        return Ok((top.into_iter().collect(), None));
    }
    for key in WRAPPING_KEYS {
        if let Ok(tensors) = read(Some(key)) {
            if !tensors.is_empty() {
                return Ok((tensors.into_iter().collect(), Some(key)));
            }
        }
    }
    Err(Error::Checkpoint {
        file: file.to_path_buf(),
        msg: format!(
            "no tensors: neither the top level nor any of the keys {} holds a state dict",
            WRAPPING_KEYS.map(|k| format!("`{k}`")).join(", ")
        ),
    })
}

/// What a model asked of a checkpoint while it was built.
#[derive(Debug, Default)]
struct Fit {
    used: BTreeSet<String>,
    missing: Vec<(String, Vec<usize>)>,
    mismatched: Vec<(String, Vec<usize>, Vec<usize>)>,
}

/// The `VarBuilder` backend: the checkpoint's tensors, converted on the way out. With a `fit`, a
/// missing or misshapen tensor is recorded and a placeholder returned so that the whole model is
/// checked (the build then fails); without one it is an error at once.
struct Backend {
    checkpoint: Checkpoint,
    fit: Option<Arc<Mutex<Fit>>>,
}

impl Backend {
    fn record(&self, f: impl FnOnce(&mut Fit)) {
        if let Some(fit) = &self.fit {
            f(&mut fit.lock().unwrap_or_else(|e| e.into_inner()));
        }
    }

    fn convert(&self, name: &str, t: &Tensor, dtype: DType, dev: &Device) -> candle::Result<Tensor> {
        self.record(|fit| {
            fit.used.insert(name.to_string());
        });
        t.to_device(dev)?.to_dtype(dtype)
    }
}

impl SimpleBackend for Backend {
    fn get(&self, s: Shape, name: &str, _: candle_nn::Init, dtype: DType, dev: &Device) -> candle::Result<Tensor> {
        let file = self.checkpoint.file.display();
        match self.checkpoint.tensors.get(name) {
            Some(t) if t.shape() == &s => self.convert(name, t, dtype, dev),
            Some(t) if self.fit.is_some() => {
                self.record(|fit| {
                    fit.used.insert(name.to_string());
                    fit.mismatched.push((name.to_string(), s.dims().to_vec(), t.dims().to_vec()));
                });
                Tensor::zeros(s, dtype, dev)
            }
            Some(t) => candle::bail!("{file}: `{name}` has shape {:?}; the model expects {:?}", t.dims(), s.dims()),
            None if self.fit.is_some() => {
                self.record(|fit| fit.missing.push((name.to_string(), s.dims().to_vec())));
                Tensor::zeros(s, dtype, dev)
            }
            None => candle::bail!("{file}: no tensor `{name}` (the model expects shape {:?})", s.dims()),
        }
    }

    fn get_unchecked(&self, name: &str, dtype: DType, dev: &Device) -> candle::Result<Tensor> {
        match self.checkpoint.tensors.get(name) {
            Some(t) => self.convert(name, t, dtype, dev),
            None => candle::bail!("{}: no tensor `{name}`", self.checkpoint.file.display()),
        }
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.checkpoint.tensors.contains_key(name)
    }
}
