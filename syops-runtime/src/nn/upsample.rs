//! `nn.Upsample(mode="nearest")`, 1-D to 3-D, by output size or scale factor. Counted by syops'
//! `upsample_syops_counter_hook`: `numel(output[0])`, spike-tested on `output[0]`.
use candle::{Module, Result, Tensor};

use crate::model::{numel, Call, ExactOps, Layer, Ops, Role};

/// How the output size is given.
#[derive(Debug, Clone, PartialEq)]
pub enum UpsampleSize {
    /// An explicit output size per spatial dim.
    Size(Vec<usize>),
    /// A scale factor per spatial dim (one value is broadcast to every spatial dim).
    Scale(Vec<f64>),
}

/// Nearest-neighbour upsampling: output index `i` reads input index
/// `min(floor(i * scale), in - 1)` with `scale = in / out` for a size, `1 / factor` for a factor.
#[derive(Debug, Clone)]
pub struct Upsample {
    size: UpsampleSize,
}

impl Upsample {
    /// Upsample to a fixed spatial size.
    pub fn size(size: &[usize]) -> Self {
        Upsample { size: UpsampleSize::Size(size.to_vec()) }
    }

    /// Upsample by a scale factor.
    pub fn scale(factor: &[f64]) -> Self {
        Upsample { size: UpsampleSize::Scale(factor.to_vec()) }
    }
}

impl Module for Upsample {
    fn forward(&self, xs: &Tensor) -> Result<Tensor> {
        let spatial = xs.rank().saturating_sub(2);
        if !(1..=3).contains(&spatial) {
            candle::bail!("Upsample: expected a 3-D to 5-D input [N, C, ...], got shape {:?}", xs.dims());
        }
        let mut ys = xs.clone();
        for d in 0..spatial {
            let dim = d + 2;
            let n_in = xs.dim(dim)?;
            let pick = |v: &[f64]| if v.len() == 1 { v[0] } else { v.get(d).copied().unwrap_or(f64::NAN) };
            let (n_out, scale) = match &self.size {
                UpsampleSize::Size(s) if s.len() == spatial || s.len() == 1 => {
                    let n_out = if s.len() == 1 { s[0] } else { s[d] };
                    (n_out, n_in as f32 / n_out as f32)
                }
                UpsampleSize::Scale(f) if f.len() == spatial || f.len() == 1 => {
                    let f = pick(f);
                    ((n_in as f64 * f).floor() as usize, (1.0 / f) as f32)
                }
                other => {
                    candle::bail!("Upsample: {other:?} does not match the {spatial} spatial dims of {:?}", xs.dims())
                }
            };
            if n_out == 0 {
                candle::bail!("Upsample: output size 0 along dim {dim} for input of shape {:?}", xs.dims());
            }
            let index: Vec<u32> =
                (0..n_out).map(|i| ((i as f32 * scale).floor() as usize).min(n_in - 1) as u32).collect();
            let index = Tensor::new(index.as_slice(), xs.device())?;
            ys = ys.index_select(&index, dim)?;
        }
        Ok(ys)
    }
}

impl Layer for Upsample {
    fn type_name(&self) -> &'static str {
        "Upsample"
    }
    fn role(&self) -> Role {
        Role::Counted
    }
    fn ops(&self, call: &Call<'_>) -> crate::Result<Ops> {
        let out = call.output()?;
        let dense = numel(out.dims().get(1..).unwrap_or(&[]));
        // Exact: one op per output element of the whole batch, by the whole output's test.
        Ops::elementwise_output(dense).exact_with(call, || Ok(ExactOps::dense(numel(out.dims()))))
    }
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    #[test]
    fn nearest_by_factor_and_by_size() {
        let xs = Tensor::new(&[[[1f32, 2., 3.]]], &Device::Cpu).unwrap();
        let ys = Upsample::scale(&[2.0]).forward(&xs).unwrap();
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f32>().unwrap(), [1., 1., 2., 2., 3., 3.]);
        let ys = Upsample::size(&[4]).forward(&xs).unwrap();
        // scale 3/4: indices 0, 0, 1, 2
        assert_eq!(ys.flatten_all().unwrap().to_vec1::<f32>().unwrap(), [1., 1., 2., 3.]);
    }
}
