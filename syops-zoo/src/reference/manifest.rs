//! A reference case's manifest (`<case>.json`) and its tensors.
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use candle::{DType, Device, Tensor};
use serde::Deserialize;

use super::generate;
use syops_runtime::{Error, Result};

/// How a generated tensor is made.
#[derive(Debug, Clone, Deserialize)]
pub struct GenSpec {
    pub kind: String,
    pub key: String,
    #[serde(default)]
    pub bound_bits: Option<String>,
    #[serde(default)]
    pub p: Option<f64>,
    #[serde(default)]
    pub sum: Option<f64>,
    #[serde(default)]
    pub first: Option<Vec<f64>>,
}

impl GenSpec {
    /// The f32 whose bits are `bound_bits`.
    pub fn bound_f32(&self) -> Result<f32> {
        let bits = self.bound_bits.as_deref().ok_or_else(|| self.error("uniform spec without `bound_bits`"))?;
        let bits = u32::from_str_radix(bits.trim_start_matches("0x"), 16)
            .map_err(|e| self.error(&format!("bad `bound_bits` {bits}: {e}")))?;
        Ok(f32::from_bits(bits))
    }

    pub(crate) fn error(&self, msg: &str) -> Error {
        Error::File { file: format!("generator `{}`", self.key), msg: msg.to_string() }
    }

    /// Checks a materialised tensor against `sum` and `first`.
    pub fn check(&self, t: &Tensor) -> Result<()> {
        let flat = t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?;
        if let Some(sum) = self.sum {
            let got: f64 = flat.iter().sum();
            if (got - sum).abs() > 1e-9 * sum.abs().max(1.0) {
                return Err(self.error(&format!("sum {got} differs from the manifest's {sum}")));
            }
        }
        if let Some(first) = &self.first {
            if flat.iter().zip(first).any(|(a, b)| a != b) {
                return Err(self
                    .error(&format!("first values {:?} differ from {first:?}", &flat[..first.len().min(flat.len())])));
            }
        }
        Ok(())
    }
}

/// One state-dict entry.
#[derive(Debug, Clone, Deserialize)]
pub struct TensorSpec {
    pub name: String,
    pub shape: Vec<usize>,
    #[serde(default)]
    pub generated: Option<GenSpec>,
    #[serde(default)]
    pub stored: bool,
}

/// One input batch.
#[derive(Debug, Clone, Deserialize)]
pub struct InputSpec {
    #[serde(flatten)]
    pub spec: GenSpec,
    pub shape: Vec<usize>,
}

/// One row of what syops counted.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedLayer {
    pub path: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub params: u64,
    pub calls: u64,
    pub sum_total: f64,
    pub sum_acs: f64,
    pub sum_macs: f64,
    pub sum_rate_pct: f64,
}

/// Per-sample totals of what syops counted.
#[derive(Debug, Clone, Deserialize)]
pub struct ExpectedPerSample {
    pub total: f64,
    pub acs: f64,
    pub macs: f64,
}

/// What syops counted in one precision.
#[derive(Debug, Clone, Deserialize)]
pub struct Expected {
    pub batch_counter: u64,
    pub times_counter: u64,
    pub per_sample: ExpectedPerSample,
    pub params: u64,
    pub layers: Vec<ExpectedLayer>,
}

/// A reference case.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    pub case: String,
    pub tensors: Vec<TensorSpec>,
    pub inputs: Vec<InputSpec>,
    pub expected: Expected,
    pub expected_f64: Expected,
    #[serde(skip)]
    pub path: PathBuf,
}

impl Case {
    /// Reads `<case>.json`.
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let file = |msg: String| Error::File { file: path.display().to_string(), msg };
        let text = std::fs::read_to_string(path).map_err(|e| file(format!("cannot read: {e}")))?;
        let mut case: Case = serde_json::from_str(&text).map_err(|e| file(format!("malformed manifest: {e}")))?;
        case.path = path.to_path_buf();
        Ok(case)
    }

    /// The expected counts for `dtype` (float64 is the strict judge).
    pub fn expected(&self, dtype: DType) -> &Expected {
        if dtype == DType::F64 {
            &self.expected_f64
        } else {
            &self.expected
        }
    }

    fn safetensors_path(&self) -> PathBuf {
        self.path.with_extension("safetensors")
    }

    /// Every state-dict tensor: generated ones rebuilt (and checked against `sum`/`first`), stored
    /// ones read from `<case>.safetensors`; all converted to `dtype`.
    pub fn tensors(&self, dtype: DType, device: &Device) -> Result<HashMap<String, Tensor>> {
        let stored = if self.tensors.iter().any(|t| t.stored) {
            let file = self.safetensors_path();
            candle::safetensors::load(&file, device).map_err(|e| Error::File {
                file: file.display().to_string(),
                msg: format!("cannot read stored tensors: {e}"),
            })?
        } else {
            HashMap::new()
        };
        let mut out = HashMap::new();
        for spec in &self.tensors {
            let t = match (&spec.generated, spec.stored) {
                (Some(g), _) => {
                    let t = generate(g, &spec.shape, device)?;
                    g.check(&t)?;
                    t
                }
                (None, true) => stored.get(&spec.name).cloned().ok_or_else(|| Error::File {
                    file: self.safetensors_path().display().to_string(),
                    msg: format!("no tensor `{}`", spec.name),
                })?,
                (None, false) => {
                    return Err(Error::File {
                        file: self.path.display().to_string(),
                        msg: format!("tensor `{}` is neither generated nor stored", spec.name),
                    })
                }
            };
            if t.dims() != spec.shape.as_slice() {
                return Err(Error::File {
                    file: self.path.display().to_string(),
                    msg: format!("tensor `{}` has shape {:?}, the manifest says {:?}", spec.name, t.dims(), spec.shape),
                });
            }
            out.insert(spec.name.clone(), t.to_dtype(dtype)?);
        }
        Ok(out)
    }

    /// The input batches, generated in f32 (and checked), converted to `dtype`.
    pub fn inputs(&self, dtype: DType, device: &Device) -> Result<Vec<Tensor>> {
        self.inputs
            .iter()
            .map(|i| {
                let t = generate(&i.spec, &i.shape, device)?;
                i.spec.check(&t)?;
                Ok(t.to_dtype(dtype)?)
            })
            .collect()
    }
}
