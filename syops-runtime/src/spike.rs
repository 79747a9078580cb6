//! The spike test of syops 0.0.5: a tensor is "spikes" when it holds at most two distinct values,
//! all within [0, 1]; its rate is `sum / numel` in the tensor's dtype.
//!
//! The test runs on the tensor's own device and yields a 5-element F64 tensor
//! `[third_value_seen, min, max, sum, non_finite]` that stays there until the session gathers the
//! pending statistics of a whole batch in one transfer. On the CPU it is one pass that stops at the
//! first third distinct value, so analog tensors cost a few elements, not a full scan.
use candle::{CpuStorage, CustomOp1, DType, Device, Layout, Shape, Tensor};

use crate::Result;

/// Number of statistics [`stats`] produces per tensor.
pub const STATS: usize = 5;

/// The resolved spike test of one tensor.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SpikeTest {
    /// At most two distinct values, all within [0, 1].
    pub spike: bool,
    /// `sum / numel` in the tensor's dtype for spikes; 1 otherwise (syops' convention).
    pub rate: f64,
    /// The tensor held NaN or ±Inf.
    pub non_finite: bool,
}

/// Starts the spike test of `xs` on its device; see [`resolve`].
pub fn stats(xs: &Tensor) -> Result<Tensor> {
    match xs.device() {
        Device::Cpu => Ok(xs.contiguous()?.apply_op1_no_bwd(&ScanOp)?),
        _ => device_stats(xs),
    }
}

/// Turns gathered statistics into the test's verdict.
pub fn resolve(stats: &[f64], numel: usize, dtype: DType) -> SpikeTest {
    let (third, min, max, sum, non_finite) = (stats[0], stats[1], stats[2], stats[3], stats[4]);
    let spike = numel > 0 && third == 0.0 && non_finite == 0.0 && min >= 0.0 && max <= 1.0;
    let rate = if spike { rate_in_dtype(sum, numel, dtype) } else { 1.0 };
    SpikeTest { spike, rate, non_finite: non_finite != 0.0 }
}

/// `sum / numel` rounded as PyTorch computes it in the tensor's dtype.
fn rate_in_dtype(sum: f64, numel: usize, dtype: DType) -> f64 {
    match dtype {
        DType::F64 => sum / numel as f64,
        _ => f64::from((sum as f32) / (numel as f32)),
    }
}

/// One pass over a CPU tensor.
struct ScanOp;

#[derive(Default)]
struct Scan {
    first: Option<f64>,
    second: Option<f64>,
    third: bool,
    sum: f64,
    non_finite: bool,
}

impl Scan {
    fn run(mut self, values: impl Iterator<Item = f64>) -> [f64; STATS] {
        for v in values {
            if !v.is_finite() {
                self.non_finite = true;
                self.third = true;
                break;
            }
            match (self.first, self.second) {
                (None, _) => self.first = Some(v),
                (Some(a), None) if v != a => self.second = Some(v),
                (Some(a), Some(b)) if v != a && v != b => {
                    self.third = true;
                    break;
                }
                _ => {}
            }
            self.sum += v;
        }
        let a = self.first.unwrap_or(0.0);
        let b = self.second.unwrap_or(a);
        [f64::from(u8::from(self.third)), a.min(b), a.max(b), self.sum, f64::from(u8::from(self.non_finite))]
    }
}

fn scan_slice<T: Copy>(data: &[T], layout: &Layout, to_f64: impl Fn(T) -> f64) -> candle::Result<[f64; STATS]> {
    match layout.contiguous_offsets() {
        Some((start, end)) => Ok(Scan::default().run(data[start..end].iter().map(|&v| to_f64(v)))),
        None => candle::bail!("spike test: expected a contiguous tensor"),
    }
}

impl CustomOp1 for ScanOp {
    fn name(&self) -> &'static str {
        "syops-spike-scan"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle::Result<(CpuStorage, Shape)> {
        let out = match storage {
            CpuStorage::F32(v) => scan_slice(v, layout, f64::from),
            CpuStorage::F64(v) => scan_slice(v, layout, |x| x),
            CpuStorage::F16(v) => scan_slice(v, layout, |x| x.to_f64()),
            CpuStorage::BF16(v) => scan_slice(v, layout, |x| x.to_f64()),
            CpuStorage::U8(v) => scan_slice(v, layout, f64::from),
            CpuStorage::U32(v) => scan_slice(v, layout, f64::from),
            CpuStorage::I64(v) => scan_slice(v, layout, |x| x as f64),
            _ => candle::bail!("spike test: unsupported dtype"),
        }?;
        Ok((CpuStorage::F64(out.to_vec()), Shape::from(STATS)))
    }
}

/// The same statistics from tensor operations, for devices without the CPU scan.
fn device_stats(xs: &Tensor) -> Result<Tensor> {
    let flat = xs.flatten_all()?.to_dtype(DType::F64)?;
    if flat.elem_count() == 0 {
        return Ok(Tensor::new(&[1f64, 0., 0., 0., 0.], xs.device())?);
    }
    let min = flat.min_keepdim(0)?;
    let max = flat.max_keepdim(0)?;
    let off_min = flat.broadcast_ne(&min)?.to_dtype(DType::F64)?;
    let off_max = flat.broadcast_ne(&max)?.to_dtype(DType::F64)?;
    let third = (off_min * off_max)?.sum_keepdim(0)?;
    let sum = flat.sum_keepdim(0)?;
    // NaN is the only value not equal to itself; ±Inf is caught by the range check.
    let nan = flat.ne(&flat)?.to_dtype(DType::F64)?.max_keepdim(0)?;
    let inf = flat.abs()?.eq(f64::INFINITY)?.to_dtype(DType::F64)?.max_keepdim(0)?;
    let non_finite = nan.maximum(&inf)?;
    Ok(Tensor::cat(&[&third, &min, &max, &sum, &non_finite], 0)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(values: &[f32]) -> SpikeTest {
        let xs = Tensor::new(values, &Device::Cpu).unwrap();
        let s = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
        resolve(&s, values.len(), DType::F32)
    }

    #[test]
    fn binary_tensor_is_spikes_with_its_mean() {
        let t = test(&[0., 1., 1., 0., 0.]);
        assert!(t.spike);
        assert_eq!(t.rate, f64::from(2f32 / 5f32));
    }

    #[test]
    fn two_values_inside_unit_interval_are_spikes() {
        let t = test(&[0.5, 0.25, 0.5]);
        assert!(t.spike);
        assert_eq!(t.rate, f64::from(1.25f32 / 3f32));
    }

    #[test]
    fn three_values_or_out_of_range_are_not_spikes() {
        for v in [&[0., 1., 0.5][..], &[0., 2.], &[-1., 0.]] {
            let t = test(v);
            assert!(!t.spike, "{v:?}");
            assert_eq!(t.rate, 1.0);
        }
    }

    #[test]
    fn constant_tensor_is_spikes() {
        assert_eq!(test(&[1., 1., 1.]).rate, 1.0);
        assert_eq!(test(&[0., 0.]).rate, 0.0);
        assert!(test(&[0., 0.]).spike);
    }

    #[test]
    fn nan_and_inf_are_flagged_non_spikes() {
        for v in [&[0., f32::NAN][..], &[f32::INFINITY, 0.]] {
            let t = test(v);
            assert!(!t.spike && t.non_finite, "{v:?}");
        }
    }

    #[test]
    fn strided_and_f64_inputs() {
        let xs = Tensor::new(&[[0f64, 1.], [1., 1.]], &Device::Cpu).unwrap().t().unwrap();
        let s = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
        let t = resolve(&s, 4, DType::F64);
        assert!(t.spike);
        assert_eq!(t.rate, 0.75);
    }

    #[test]
    fn device_path_agrees_with_cpu_scan() {
        for v in [&[0f32, 1., 1.][..], &[0., 0.5, 1.], &[0., f32::NAN], &[3., 3.]] {
            let xs = Tensor::new(v, &Device::Cpu).unwrap();
            let a = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
            let b = device_stats(&xs).unwrap().to_vec1::<f64>().unwrap();
            assert_eq!(resolve(&a, v.len(), DType::F32), resolve(&b, v.len(), DType::F32), "{v:?}");
        }
    }
}
