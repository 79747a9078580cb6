//! The spike test of syops 0.0.5: a tensor is "spikes" when it holds at most two distinct values,
//! all within [0, 1]; its rate is `sum / numel` in the tensor's dtype.
//!
//! The test runs on the tensor's own device and yields a 5-element F64 tensor
//! `[third_value_seen, min, max, sum, non_finite]` that stays there until the session gathers the
//! pending statistics of a whole batch in one transfer. On the CPU it is one pass that stops at the
//! first third distinct value, so analog tensors cost a few elements, not a full scan.
use candle::{CpuStorage, CustomOp1, DType, Device, Layout, Shape, Tensor};

use crate::kernel::chunks::{chunk_len, PARALLEL_MIN};
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

/// The spike test by tensor operations, as it runs on CUDA and other non-CPU devices, on any
/// device (the CPU included, to check that path where no GPU is at hand).
pub fn stats_by_tensor_ops(xs: &Tensor) -> Result<Tensor> {
    device_stats(xs)
}

/// The statistics [`stats`] finds in a tensor of `numel` 0s and 1s, `fired` of them ones, without
/// reading it: the values it holds are its range, their sum is `fired`.
pub fn known_stats(fired: u64, numel: usize, device: &Device) -> Result<Tensor> {
    let (min, max) = (f64::from(u8::from(fired == numel as u64)), f64::from(u8::from(fired > 0)));
    Ok(Tensor::new(&[0., min, max, fired as f64, 0.], device)?)
}

/// Whether `xs` holds NaN or ±Inf (the session checks each root input once): one pass on the
/// CPU, a reduction read back on other devices.
pub fn has_non_finite(xs: &Tensor) -> Result<bool> {
    if !xs.dtype().is_float() {
        return Ok(false);
    }
    if xs.device().is_cpu() {
        let xs = xs.contiguous()?;
        let (storage, layout) = xs.storage_and_layout();
        if let (candle::Storage::Cpu(cpu), Some((a, b))) = (&*storage, layout.contiguous_offsets()) {
            let any = |finite: &mut dyn Iterator<Item = bool>| finite.fold(false, |acc, f| acc | !f);
            match cpu {
                CpuStorage::F32(v) => return Ok(any(&mut v[a..b].iter().map(|x| x.is_finite()))),
                CpuStorage::F64(v) => return Ok(any(&mut v[a..b].iter().map(|x| x.is_finite()))),
                _ => {}
            }
        }
    }
    let s = xs.abs()?.flatten_all()?.to_dtype(DType::F64)?.max(0)?.to_scalar::<f64>()?;
    Ok(!s.is_finite())
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

/// The scan's state: the first two distinct values, whether a third (or a non-finite value) was
/// seen, and the sum of the values before it stopped. `a` and `b` keep the values in the tensor's
/// own type, so that blocks are compared without converting them.
struct Scan<T> {
    a: Option<T>,
    b: Option<T>,
    third: bool,
    sum: f64,
    non_finite: bool,
}

/// Elements per block of the two-value fast path: long enough for the compiler to vectorise the
/// block's compare-and-count, short enough that falling back to the exact value-by-value scan on
/// a block with a new value costs little.
const BLOCK: usize = 64;

/// What a block or chunk holds, given the values seen so far: only those (`Some(n_b)`, the count
/// of the second), or something else (`None`).
fn count_known<T: Copy + PartialEq>(data: &[T], a: T, b: T) -> Option<u64> {
    let mut n_b = 0u64;
    for block in data.chunks(BLOCK) {
        let (mut other, mut nb) = (0u32, 0u32);
        for &v in block {
            let (is_a, is_b) = (v == a, v == b);
            other |= u32::from(!(is_a | is_b));
            nb += u32::from(is_b);
        }
        if other != 0 {
            return None;
        }
        n_b += u64::from(nb);
    }
    Some(n_b)
}

impl<T: Copy + PartialEq + Send + Sync> Scan<T> {
    fn new() -> Self {
        Scan { a: None, b: None, third: false, sum: 0.0, non_finite: false }
    }

    /// Takes one value; `false` once the scan has its verdict (a third distinct or non-finite value).
    #[inline]
    fn step(&mut self, v: T, f: f64) -> bool {
        if !f.is_finite() {
            self.non_finite = true;
            self.third = true;
            return false;
        }
        match (self.a, self.b) {
            (None, _) => self.a = Some(v),
            (Some(a), None) if v != a => self.b = Some(v),
            (Some(a), Some(b)) if v != a && v != b => {
                self.third = true;
                return false;
            }
            _ => {}
        }
        self.sum += f;
        true
    }

    /// Books `len` values that held only the known ones, `n_b` of them the second.
    fn book_known(&mut self, len: usize, n_b: u64, to_f64: &impl Fn(T) -> f64) {
        let a = to_f64(self.a.expect("known"));
        let b = self.b.map_or(a, to_f64);
        self.sum += (len as u64 - n_b) as f64 * a + n_b as f64 * b;
    }

    /// Scans `data` in order; `false` once the verdict is in. Blocks that hold only the values
    /// already seen are counted without branching; a block with anything else goes value by value.
    fn sequential(&mut self, data: &[T], to_f64: &impl Fn(T) -> f64) -> bool {
        for block in data.chunks(BLOCK) {
            if let Some(a) = self.a {
                if let Some(n_b) = count_known(block, a, self.b.unwrap_or(a)) {
                    self.book_known(block.len(), n_b, to_f64);
                    continue;
                }
            }
            for &v in block {
                if !self.step(v, to_f64(v)) {
                    return false;
                }
            }
        }
        true
    }

    /// [`Scan::sequential`]'s verdict, with long tensors counted in chunks on the thread pool:
    /// a head is scanned in order to learn the values, then every chunk is checked against them
    /// at once; the first chunk holding anything else, and all after it, are scanned again the
    /// same way, in order.
    fn parallel(&mut self, data: &[T], to_f64: &(impl Fn(T) -> f64 + Sync)) -> bool {
        use rayon::prelude::*;
        if data.len() < PARALLEL_MIN {
            return self.sequential(data, to_f64);
        }
        let (head, rest) = data.split_at(4 * BLOCK);
        if !self.sequential(head, to_f64) {
            return false;
        }
        let a = self.a.expect("the head is not empty");
        let b = self.b.unwrap_or(a);
        let chunk = chunk_len(rest.len());
        let counts: Vec<Option<u64>> = rest.par_chunks(chunk).map(|c| count_known(c, a, b)).collect();
        for (i, n_b) in counts.into_iter().enumerate() {
            match n_b {
                Some(n_b) => self.book_known(chunk.min(rest.len() - i * chunk), n_b, to_f64),
                None => {
                    // In order: this chunk value by value (it learns the new value or ends the
                    // scan), then the rest on the pool again.
                    let end = ((i + 1) * chunk).min(rest.len());
                    return self.sequential(&rest[i * chunk..end], to_f64) && self.parallel(&rest[end..], to_f64);
                }
            }
        }
        true
    }

    fn finish(self, to_f64: impl Fn(T) -> f64) -> [f64; STATS] {
        let a = self.a.map_or(0.0, &to_f64);
        let b = self.b.map_or(a, &to_f64);
        [f64::from(u8::from(self.third)), a.min(b), a.max(b), self.sum, f64::from(u8::from(self.non_finite))]
    }
}

fn scan_slice<T: Copy + PartialEq + Send + Sync>(
    data: &[T],
    layout: &Layout,
    to_f64: impl Fn(T) -> f64 + Sync,
) -> candle::Result<[f64; STATS]> {
    match layout.contiguous_offsets() {
        Some((start, end)) => {
            let mut scan = Scan::new();
            scan.parallel(&data[start..end], &to_f64);
            Ok(scan.finish(to_f64))
        }
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
    // `x - x` is NaN exactly when x is NaN or ±Inf, and NaN is the only value not equal to
    // itself (no scalar operand: nothing is uploaded from the host).
    let gap = flat.sub(&flat)?;
    let non_finite = gap.ne(&gap)?.to_dtype(DType::F64)?.max_keepdim(0)?;
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
    fn known_stats_are_the_scans() {
        let long = crate::kernel::chunks::PARALLEL_MIN + 300;
        let cases: [Vec<f32>; 5] =
            [vec![0.; 7], vec![1.; 7], vec![0., 1., 1., 0.], (0..long).map(|i| (i % 3 == 0) as u8 as f32).collect(), {
                let mut v = vec![0.; long];
                v[long - 1] = 1.;
                v
            }];
        for values in cases {
            let fired = values.iter().filter(|&&v| v == 1.).count() as u64;
            for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
                let xs = Tensor::new(values.as_slice(), &Device::Cpu).unwrap().to_dtype(dtype).unwrap();
                let scanned = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
                let known = known_stats(fired, values.len(), &Device::Cpu).unwrap().to_vec1::<f64>().unwrap();
                assert_eq!(known, scanned, "{} values, {fired} ones, {dtype:?}", values.len());
            }
        }
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

    /// The value-by-value scan the fast path must agree with.
    fn naive(values: &[f64]) -> [f64; STATS] {
        let mut scan = Scan::new();
        for &v in values {
            if !scan.step(v, v) {
                break;
            }
        }
        scan.finish(|x| x)
    }

    #[test]
    fn block_fast_path_agrees_with_value_by_value_scan() {
        // Long tensors (several blocks and a tail) with a third value, a NaN or an Inf planted at
        // every kind of position: first block, block boundary, middle block, tail, none.
        let n = 5 * BLOCK + 17;
        let base: Vec<f32> = (0..n).map(|i| if (i * 7919) % 5 < 2 { 1.0 } else { 0.0 }).collect();
        let mut cases = vec![base.clone()];
        for pos in [0, 1, 2, 3, BLOCK, BLOCK + 1, 2 * BLOCK - 1, 3 * BLOCK + 5, n - 17, n - 1] {
            for planted in [0.5f32, f32::NAN, f32::INFINITY, -1.0] {
                let mut v = base.clone();
                v[pos] = planted;
                cases.push(v);
            }
        }
        cases.push(vec![0.25; n]);
        cases.push(vec![0.0; n]);
        let mut late = vec![0.0; n];
        late[3 * BLOCK + 2] = 1.0;
        late[n - 2] = 1.0;
        cases.push(late.clone());
        late[n - 1] = 0.5;
        cases.push(late);
        cases.push((0..n).map(|i| if i % 3 == 0 { 0.75 } else { 0.25 }).collect());
        for v in cases {
            let xs = Tensor::new(v.as_slice(), &Device::Cpu).unwrap();
            let got = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
            let want = naive(&v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
            assert_eq!(got[0], want[0]);
            assert_eq!(got[4], want[4]);
            assert_eq!(got[1..3], want[1..3]);
            assert!((got[3] - want[3]).abs() <= 1e-9 * want[3].abs().max(1.0), "{got:?} {want:?}");
            assert_eq!(resolve(&got, n, DType::F32), resolve(&want, n, DType::F32));
        }
    }

    #[test]
    fn non_finite_inputs_are_found_anywhere() {
        let mut v = vec![0.5f32; 1000];
        assert!(!has_non_finite(&Tensor::new(v.as_slice(), &Device::Cpu).unwrap()).unwrap());
        for (i, bad) in [(0, f32::NAN), (999, f32::INFINITY), (500, f32::NEG_INFINITY)] {
            v[i] = bad;
            let xs = Tensor::new(v.as_slice(), &Device::Cpu).unwrap();
            assert!(has_non_finite(&xs).unwrap(), "{i}");
            assert!(has_non_finite(&xs.to_dtype(DType::F64).unwrap()).unwrap(), "{i} f64");
            assert!(has_non_finite(&xs.to_dtype(DType::F16).unwrap()).unwrap(), "{i} f16");
            v[i] = 0.5;
        }
        assert!(!has_non_finite(&Tensor::new(&[1u32, 2], &Device::Cpu).unwrap()).unwrap());
    }

    #[test]
    fn parallel_chunks_agree_with_value_by_value_scan() {
        // Long enough for the thread pool: values planted in the head, at chunk boundaries and
        // late; a sparse map whose second value comes late; analog data.
        let n = 3 * PARALLEL_MIN + 123;
        let base: Vec<f32> = (0..n).map(|i| if (i * 7919) % 7 < 2 { 1.0 } else { 0.0 }).collect();
        let mut cases = vec![base.clone(), vec![0.0; n], (0..n).map(|i| i as f32 / n as f32).collect()];
        for pos in [0, 5, 4 * BLOCK, PARALLEL_MIN / 4, PARALLEL_MIN + 1, 2 * PARALLEL_MIN, n - 1] {
            for planted in [0.5f32, f32::NAN, 2.0] {
                let mut v = base.clone();
                v[pos] = planted;
                cases.push(v);
            }
            let mut sparse = vec![0.0f32; n];
            sparse[pos] = 1.0;
            cases.push(sparse.clone());
            sparse[n - 1 - pos / 2] = 0.25;
            cases.push(sparse);
        }
        for v in cases {
            let xs = Tensor::new(v.as_slice(), &Device::Cpu).unwrap();
            let got = stats(&xs).unwrap().to_vec1::<f64>().unwrap();
            let want = naive(&v.iter().map(|&x| f64::from(x)).collect::<Vec<_>>());
            assert_eq!((got[0], got[1], got[2], got[4]), (want[0], want[1], want[2], want[4]));
            assert!((got[3] - want[3]).abs() <= 1e-9 * want[3].abs().max(1.0), "{got:?} {want:?}");
        }
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
