//! What a rule reports of a call under NeuroBench's convention
//! ([`Convention::NeuroBench`](crate::convention::Convention::NeuroBench)), computed on the call's
//! device and read back with the batch's other statistics in one transfer.
//!
//! NeuroBench 2.3 (`neurobench/metrics/utils/layers/macs.py`) counts a connection layer's call
//! by running a copy of the layer whose non-zero weights are 1, bias 0, on the call's input with
//! its non-zero elements set to 1, and summing the output: the products of non-zero weights and
//! non-zero inputs (`effective`). Its `Dense` does the same with every weight and input 1. A call
//! is spiking when every input element is -1, 0 or 1 (`off_spike` counts the others).
//!
//! - **Linear** (`[.., in]` input, weight `[out, in]`): `Σ_i nnz(x[.., i]) · nnz(W[:, i])`; dense
//!   `rows · in · out`.
//! - **Convolution** (zero padding): for each input channel `c` and kernel offset `k`, the non-zero
//!   weights of the channel's group at `k` times the non-zero inputs of channel `c` that offset `k`
//!   reaches (`Σ_n Σ_o 1[x[n, c, o·s + k·d − p] ≠ 0]`, one small matrix product per spatial dim,
//!   [`offset_hits`]); dense `N · Cout · Cin/groups · Π_d (in-bounds (output, offset) pairs)`.
//! - **Recurrent cells** ([`super::neurobench_cells`]).
//!
//! ```
//! use candle::{Device, Tensor};
//! use syops_runtime::model::NeuroBenchOps;
//! // Two rows; input 0 is non-zero twice, input 1 once; weight column 0 has one non-zero, column 1 two.
//! let xs = Tensor::new(&[[1f32, 0.], [1., 1.]], &Device::Cpu)?;
//! let w = Tensor::new(&[[0f32, 2.], [3., 4.]], &Device::Cpu)?;
//! let ops = NeuroBenchOps::linear(&xs, &w)?;
//! assert_eq!(ops.values()?.to_vec1::<f64>()?, [3.0, 2.0 * 1.0 + 1.0 * 2.0, 0.0, 0.0]);
//! # Ok::<(), syops_runtime::Error>(())
//! ```
use candle::{DType, Tensor};

use super::numel::numel;
use crate::Result;

/// One group of synapses a call drives, with its own spike test: a connection layer's call is one
/// group; a recurrent layer is one per cell step.
#[derive(Debug, Clone)]
pub struct Synapses {
    /// `[effective, dense (device part), off_spike]`, F64, on the call's device.
    values: Tensor,
    /// The dense count known from shapes alone, added to the device part.
    dense: u64,
}

impl Synapses {
    /// From 0-d F64 tensors: the products of non-zero weights and inputs, the device part of the
    /// dense count, the input elements that are not -1, 0 or 1; and the dense count known from shapes.
    pub fn new(effective: &Tensor, dense_device: &Tensor, off_spike: &Tensor, dense: u64) -> Result<Self> {
        let values = Tensor::stack(&[effective.reshape(())?, dense_device.reshape(())?, off_spike.reshape(())?], 0)?;
        Ok(Synapses { values, dense })
    }

    /// The dense count known from shapes alone.
    pub fn dense(&self) -> u64 {
        self.dense
    }
}

/// How a neuron's membrane changed over one call, for NeuroBench's MembraneUpdates: the first
/// step of a batch counts every neuron, every later step the neurons whose membrane changed.
#[derive(Debug, Clone)]
pub struct MembraneChanges {
    /// Neurons per step (the elements of one step's membrane).
    pub step_numel: u64,
    /// Changed membranes at the call's first step (0-d F64).
    pub first: Tensor,
    /// Changed membranes over the call's other steps (0-d F64; zero for a single-step call).
    pub rest: Tensor,
}

/// A call's cost under NeuroBench's convention, as a rule reports it.
#[derive(Debug, Clone)]
pub enum NeuroBenchOps {
    /// A connection layer (Linear, Conv1d-3d, recurrent cells and layers).
    Connection {
        /// One group per spike test.
        groups: Vec<Synapses>,
        /// Non-zero elements of the input (0-d F64), for the firing-rate column.
        nonzero_in: Tensor,
        /// Elements of the input.
        numel_in: u64,
        /// A recurrent cell called without its state (counted from zero states; NeuroBench 2.3
        /// counts such a call from the first sample only).
        stateless: bool,
        /// A GRU cell without bias (counted with zero biases; NeuroBench 2.3 fails on it).
        biasless_gru: bool,
        /// A whole recurrent layer, counted as its cells (NeuroBench 2.3 fails on `nn.LSTM`, `nn.GRU`, `nn.RNN`).
        unrolled: bool,
    },
    /// An activation layer NeuroBench hooks (ReLU, Sigmoid, spiking neurons): its output's
    /// non-zero elements, and a neuron's membrane changes.
    Activation {
        /// Non-zero elements of the output (0-d F64).
        nonzero: Tensor,
        /// Elements of the output.
        numel: u64,
        /// A neuron's membrane changes.
        membrane: Option<MembraneChanges>,
    },
    /// A layer with weights that NeuroBench's SynapticOperations leaves out (transposed
    /// convolutions, attention): counted as nothing, with a warning.
    Ignored,
}

impl PartialEq for NeuroBenchOps {
    /// The same kind and counts, and the same device tensors (by identity).
    fn eq(&self, other: &Self) -> bool {
        let same = |a: &Tensor, b: &Tensor| a.id() == b.id();
        match (self, other) {
            (NeuroBenchOps::Ignored, NeuroBenchOps::Ignored) => true,
            (
                NeuroBenchOps::Activation { nonzero: a, numel: m, .. },
                NeuroBenchOps::Activation { nonzero: b, numel: n, .. },
            ) => same(a, b) && m == n,
            (
                NeuroBenchOps::Connection { groups: g, nonzero_in: a, numel_in: m, .. },
                NeuroBenchOps::Connection { groups: h, nonzero_in: b, numel_in: n, .. },
            ) => {
                same(a, b)
                    && m == n
                    && g.len() == h.len()
                    && g.iter().zip(h).all(|(x, y)| same(&x.values, &y.values) && x.dense == y.dense)
            }
            _ => false,
        }
    }
}

/// `xs ≠ 0` as F64 (NaN counts as non-zero, as NeuroBench's `t[t != 0] = 1`).
pub(crate) fn mask(xs: &Tensor) -> Result<Tensor> {
    Ok(xs.ne(0.0)?.to_dtype(DType::F64)?)
}

/// Elements of `xs` that are not -1, 0 or 1 (NaN and ±Inf included), as a 0-d F64 tensor.
pub(crate) fn off_spike(xs: &Tensor) -> Result<Tensor> {
    let off = xs.ne(0.0)?.mul(&xs.abs()?.ne(1.0)?)?;
    Ok(off.to_dtype(DType::F64)?.sum_all()?)
}

impl NeuroBenchOps {
    /// A linear layer on `xs` (`[.., in]`) with `weight` `[out, in]`.
    pub fn linear(xs: &Tensor, weight: &Tensor) -> Result<Self> {
        let (out_f, in_f) = weight.dims2()?;
        let rows = xs.elem_count() / in_f.max(1);
        let mx = mask(xs)?.reshape((rows, in_f))?;
        let per_input = mx.sum(0)?;
        let effective = per_input.mul(&mask(weight)?.sum(0)?)?.sum_all()?;
        let dense = (rows * in_f * out_f) as u64;
        let zero = Tensor::zeros((), DType::F64, xs.device())?;
        let group = Synapses::new(&effective, &zero, &off_spike(xs)?, dense)?;
        Ok(Self::connection(vec![group], per_input.sum_all()?, xs))
    }

    /// A convolution (zero padding) of `xs` `[N, Cin, L..]` giving `output` `[N, Cout, O..]`
    /// with `weight` `[Cout, Cin/groups, K..]`; `stride`, `padding` and `dilation` per spatial dim.
    pub fn conv(
        xs: &Tensor,
        output: &Tensor,
        weight: &Tensor,
        groups: usize,
        stride: &[usize],
        padding: &[usize],
        dilation: &[usize],
    ) -> Result<Self> {
        let w = weight.dims();
        let d = w.len().saturating_sub(2);
        if xs.rank() != d + 2 || output.rank() != d + 2 || d == 0 || groups == 0 {
            return Err(candle::Error::Msg(format!(
                "NeuroBench count: input {:?} and output {:?} must be [N, C, spatial..] for a weight {w:?}",
                xs.dims(),
                output.dims()
            ))
            .into());
        }
        let (cout, cin_g, kernel) = (w[0], w[1], &w[2..]);
        let cin = cin_g * groups;
        let at = |v: &[usize], i: usize, default: usize| v.get(i).or(v.first()).copied().unwrap_or(default);
        let device = xs.device();
        // Non-zero inputs per channel and position, summed over the batch, then per kernel offset.
        let mut hits = mask(xs)?.sum(0)?;
        let mut pairs = 1u64;
        for (i, &k) in kernel.iter().enumerate() {
            let (len, out) = (xs.dims()[2 + i], output.dims()[2 + i]);
            let ind = offset_hits(len, out, k, at(stride, i, 1), at(padding, i, 0), at(dilation, i, 1));
            pairs *= ind.iter().sum::<f64>() as u64;
            hits = contract(&hits, &Tensor::from_vec(ind, (k, len), device)?, 1 + i)?;
        }
        let k = numel(kernel) as usize;
        let hits = hits.reshape((cin, k))?;
        // Non-zero weights per input channel and offset, over the output channels of its group.
        let per_weight = mask(weight)?.reshape((groups, cout / groups, cin_g, k))?.sum(1)?.reshape((cin, k))?;
        let effective = hits.mul(&per_weight)?.sum_all()?;
        let dense = xs.dims()[0] as u64 * cout as u64 * cin_g as u64 * pairs;
        let zero = Tensor::zeros((), DType::F64, device)?;
        let group = Synapses::new(&effective, &zero, &off_spike(xs)?, dense)?;
        let nonzero = mask(xs)?.sum_all()?;
        Ok(Self::connection(vec![group], nonzero, xs))
    }

    /// A connection layer's call of `groups` on input `xs`.
    pub fn connection(groups: Vec<Synapses>, nonzero_in: Tensor, xs: &Tensor) -> Self {
        NeuroBenchOps::Connection {
            groups,
            nonzero_in,
            numel_in: numel(xs.dims()),
            stateless: false,
            biasless_gru: false,
            unrolled: false,
        }
    }

    /// A recurrent cell's or layer's call on input `xs`: one group per cell step
    /// ([`super::cell_synapses`]).
    pub fn cells(groups: Vec<Synapses>, xs: &Tensor) -> Result<Self> {
        Ok(Self::connection(groups, mask(xs)?.sum_all()?, xs))
    }

    /// An activation (ReLU, Sigmoid) with output `output`.
    pub fn activation(output: &Tensor) -> Result<Self> {
        Ok(NeuroBenchOps::Activation { nonzero: mask(output)?.sum_all()?, numel: numel(output.dims()), membrane: None })
    }

    /// A spiking neuron with output `output` and its membrane's changes.
    pub fn neuron(output: &Tensor, membrane: MembraneChanges) -> Result<Self> {
        Ok(NeuroBenchOps::Activation {
            nonzero: mask(output)?.sum_all()?,
            numel: numel(output.dims()),
            membrane: Some(membrane),
        })
    }

    /// A layer NeuroBench's SynapticOperations leaves out.
    pub fn ignored() -> Self {
        NeuroBenchOps::Ignored
    }

    /// The values to read back, as one 1-D F64 tensor: a connection's `[nonzero_in, (effective,
    /// dense, off_spike) per group]`; an activation's `[nonzero]`, a neuron's `[nonzero, first,
    /// rest]`; nothing for an ignored layer (`None`).
    pub fn values(&self) -> Result<Tensor> {
        let parts: Vec<Tensor> = match self {
            NeuroBenchOps::Connection { groups, nonzero_in, .. } => {
                let mut parts = vec![nonzero_in.reshape(1)?];
                parts.extend(groups.iter().map(|g| g.values.clone()));
                parts
            }
            NeuroBenchOps::Activation { nonzero, membrane, .. } => match membrane {
                None => vec![nonzero.reshape(1)?],
                Some(m) => vec![nonzero.reshape(1)?, m.first.reshape(1)?, m.rest.reshape(1)?],
            },
            NeuroBenchOps::Ignored => return Err(candle::Error::Msg("an ignored layer has no values".into()).into()),
        };
        let device = parts[0].device().clone();
        let parts = parts.into_iter().map(|p| p.to_device(&device)).collect::<candle::Result<Vec<_>>>()?;
        Ok(Tensor::cat(&parts, 0)?)
    }
}

/// For one spatial dim of a convolution: `[kernel, len]` row-major, 1 where kernel offset `k` of
/// some output position lands on input position `i` (padding positions are left out).
pub fn offset_hits(len: usize, out: usize, kernel: usize, stride: usize, padding: usize, dilation: usize) -> Vec<f64> {
    let mut m = vec![0.0; kernel * len];
    for k in 0..kernel {
        for o in 0..out {
            let i = (o * stride + k * dilation) as isize - padding as isize;
            if (0..len as isize).contains(&i) {
                m[k * len + i as usize] = 1.0;
            }
        }
    }
    m
}

/// Contracts dim `dim` of `t` (length `L`) with `ind` `[K, L]`: the result has `K` there.
fn contract(t: &Tensor, ind: &Tensor, dim: usize) -> Result<Tensor> {
    let dims = t.dims().to_vec();
    let (a, l, b) = (dims[..dim].iter().product::<usize>(), dims[dim], dims[dim + 1..].iter().product::<usize>());
    let k = ind.dim(0)?;
    let r = t.reshape((a, l, b))?.transpose(1, 2)?.contiguous()?.reshape((a * b, l))?.matmul(&ind.t()?)?;
    let mut shape = dims;
    shape[dim] = k;
    Ok(r.reshape((a, b, k))?.transpose(1, 2)?.contiguous()?.reshape(shape)?)
}

#[cfg(test)]
mod tests {
    use candle::Device;

    use super::*;

    fn scalars(ops: &NeuroBenchOps) -> Vec<f64> {
        ops.values().unwrap().to_vec1::<f64>().unwrap()
    }

    /// NeuroBench's definition, by brute force: a conv1d of the input mask with the weight mask.
    #[test]
    fn conv_by_brute_force() {
        let dev = Device::Cpu;
        // N 2, Cin 4, L 7; Cout 6, groups 2, kernel 3, stride 2, padding 2, dilation 2.
        let x: Vec<f32> = (0..2 * 4 * 7).map(|i| if (i * 7) % 5 < 2 { 0.0 } else { (i % 3) as f32 - 1.0 }).collect();
        let w: Vec<f32> = (0..6 * 2 * 3).map(|i| if i % 4 == 0 { 0.0 } else { 0.5 }).collect();
        let xs = Tensor::from_vec(x.clone(), (2, 4, 7), &dev).unwrap();
        let weight = Tensor::from_vec(w.clone(), (6, 2, 3), &dev).unwrap();
        let (s, p, dl, k, len) = (2usize, 2usize, 2usize, 3usize, 7usize);
        let out = (len + 2 * p - dl * (k - 1) - 1) / s + 1;
        let output = Tensor::zeros((2, 6, out), DType::F32, &dev).unwrap();
        let (mut effective, mut dense) = (0u64, 0u64);
        for n in 0..2 {
            for co in 0..6 {
                let g = co / 3;
                for o in 0..out {
                    for ci in 0..2 {
                        for kk in 0..k {
                            let i = (o * s + kk * dl) as isize - p as isize;
                            if !(0..len as isize).contains(&i) {
                                continue;
                            }
                            dense += 1;
                            let xv = x[(n * 4 + g * 2 + ci) * len + i as usize];
                            let wv = w[(co * 2 + ci) * 3 + kk];
                            effective += u64::from(xv != 0.0 && wv != 0.0);
                        }
                    }
                }
            }
        }
        let ops = NeuroBenchOps::conv(&xs, &output, &weight, 2, &[s], &[p], &[dl]).unwrap();
        let v = scalars(&ops);
        assert_eq!(v[1], effective as f64);
        let NeuroBenchOps::Connection { groups, .. } = &ops else { panic!() };
        assert_eq!(groups[0].dense(), dense);
        assert_eq!(v[3], 0.0, "every element is -1, 0 or 1");
    }

    #[test]
    fn off_spike_counts_values_outside_minus_one_zero_one() {
        let xs = Tensor::new(&[-1f32, 0., 1., 0.5, f32::NAN, 2.], &Device::Cpu).unwrap();
        assert_eq!(off_spike(&xs).unwrap().to_scalar::<f64>().unwrap(), 3.0);
    }
}
