//! A neuron's step on the CPU in one pass: charge, fire and reset for every element, with the same
//! floating-point operations in the same order as the tensor operations of [`super::node`] (and
//! spikingjelly), so spikes and potentials are the same to the bit — a few times faster than eight
//! separate tensor operations, three of them broadcasts.
use std::sync::atomic::{AtomicU64, Ordering};

use candle::{CpuStorage, CustomOp1, CustomOp2, Layout, Shape, WithDType};

use crate::kernel::float_pass::{self, FloatPass};

use crate::kernel::chunks::{chunk_len, PARALLEL_MIN};

/// How the membrane charges, per neuron type (`vr` is `v_reset`, 0 for a soft reset).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Charge {
    /// `v + x`.
    If,
    /// With `decay_input`: `v + (x - (v - vr)) / tau`; without: `v * (1 - 1/tau) + x` when
    /// `vr == 0`, else `(v - (v - vr) / tau) + x`.
    Lif { tau: f64, decay_input: bool },
    /// `k = sigmoid(w)` in the input's dtype. With `decay_input`: `v + (x - (v - vr)) * k`;
    /// without: `v * (1 - k) + x` when `vr == 0`, else `(v - (v - vr) * k) + x`.
    Plif { k: f64, decay_input: bool },
}

/// One step of a membrane: inputs `(v, x)`, output `[2, ...]` holding the spikes, then the new
/// potentials.
pub(crate) struct Step {
    pub charge: Charge,
    pub v_threshold: f64,
    pub v_reset: Option<f64>,
    /// The spikes the last run fired, counted as they are written (so that a counting session
    /// need not scan them again; [`Layer::fired`](crate::model::Layer::fired)).
    fired: AtomicU64,
}

impl Step {
    pub fn new(charge: Charge, v_threshold: f64, v_reset: Option<f64>) -> Self {
        Step { charge, v_threshold, v_reset, fired: AtomicU64::new(0) }
    }

    /// The spikes the last run fired.
    pub fn fired(&self) -> u64 {
        self.fired.load(Ordering::Relaxed)
    }

    /// The step over inputs `x` from potentials `v`, or from rest (`v_reset`, 0 for a soft
    /// reset, everywhere: what the tensor operations start from) when `v` is `None`.
    fn steps<T: WithDType + Send + Sync>(&self, v: Option<&[T]>, x: &[T]) -> Vec<T> {
        let n = x.len();
        let (one, zero) = (T::one(), T::zero());
        let minus_one = T::from_f64(-1.0);
        let vr = T::from_f64(self.v_reset.unwrap_or(0.0));
        let rest_is_v = self.v_reset.unwrap_or(0.0) == 0.0;
        let rest = |v: T| if rest_is_v { v } else { v - vr };
        let th = T::from_f64(self.v_threshold);
        let charge = |v: T, x: T| -> T {
            match self.charge {
                Charge::If => v + x,
                Charge::Lif { tau, decay_input: true } => v + (x - rest(v)) / T::from_f64(tau),
                Charge::Lif { tau, decay_input: false } if rest_is_v => v * T::from_f64(1.0 - 1.0 / tau) + x,
                Charge::Lif { tau, decay_input: false } => (v - rest(v) / T::from_f64(tau)) + x,
                Charge::Plif { k, decay_input: true } => v + (x - rest(v)) * T::from_f64(k),
                // `1 - k` as candle's affine computes it: `k * -1 + 1`.
                Charge::Plif { k, decay_input: false } if rest_is_v => v * (T::from_f64(k) * minus_one + one) + x,
                Charge::Plif { k, decay_input: false } => (v - rest(v) * T::from_f64(k)) + x,
            }
        };
        // Spike and new potential from the charged potential `h`.
        let fire = |h: T| -> (T, T) {
            let s = if h >= th { one } else { zero };
            let p = match self.v_reset {
                // `(1 - s) * h + s * vr`, `1 - s` as candle's affine computes it.
                Some(_) => (s * minus_one + one) * h + s * vr,
                None => h - s * th,
            };
            (s, p)
        };
        let step = |spikes: &mut [T], potentials: &mut [T], v: Option<&[T]>, x: &[T]| {
            let out = spikes.iter_mut().zip(potentials.iter_mut());
            let mut fired = 0u64;
            let mut write = |(s, p): (&mut T, &mut T), h: T| {
                (*s, *p) = fire(h);
                fired += u64::from(*s == one);
            };
            match v {
                Some(v) => out.zip(v.iter().zip(x)).for_each(|(o, (&v, &x))| write(o, charge(v, x))),
                // At rest: `zeros + v_reset` is `vr` to the bit.
                None => out.zip(x).for_each(|(o, &x)| write(o, charge(vr, x))),
            }
            fired
        };
        let mut out = vec![zero; 2 * n];
        let (spikes, potentials) = out.split_at_mut(n);
        if n < PARALLEL_MIN {
            self.fired.store(step(spikes, potentials, v, x), Ordering::Relaxed);
            return out;
        }
        // Element-wise: chunks on the thread pool give the same numbers.
        use rayon::prelude::*;
        let chunk = chunk_len(n);
        let fired = spikes
            .par_chunks_mut(chunk)
            .zip(potentials.par_chunks_mut(chunk))
            .zip(x.par_chunks(chunk))
            .enumerate()
            .map(|(i, ((s, p), x))| step(s, p, v.map(|v| &v[i * chunk..i * chunk + x.len()]), x))
            .sum::<u64>();
        self.fired.store(fired, Ordering::Relaxed);
        out
    }

    fn apply<T: WithDType + Send + Sync>(
        &self,
        v: &[T],
        lv: &Layout,
        x: &[T],
        lx: &Layout,
    ) -> candle::Result<(CpuStorage, Shape)> {
        let (Some((v0, v1)), Some((x0, x1))) = (lv.contiguous_offsets(), lx.contiguous_offsets()) else {
            candle::bail!("neuron step: expected contiguous tensors");
        };
        if lv.shape() != lx.shape() {
            candle::bail!("neuron step: membrane {:?} and input {:?} differ", lv.shape(), lx.shape());
        }
        Ok(Self::output(self.steps(Some(&v[v0..v1]), &x[x0..x1]), lx.dims()))
    }

    /// The spikes and potentials as one `[2, ...]` tensor.
    fn output<T: WithDType>(out: Vec<T>, dims: &[usize]) -> (CpuStorage, Shape) {
        let mut shape = vec![2];
        shape.extend_from_slice(dims);
        (T::to_cpu_storage_owned(out), Shape::from(shape))
    }
}

/// The step from rest: input `x` only.
impl FloatPass for Step {
    const WHAT: &'static str = "neuron step";

    fn run<T: WithDType + Send + Sync>(&self, x: &[T], dims: &[usize]) -> candle::Result<(CpuStorage, Shape)> {
        Ok(Self::output(self.steps(None, x), dims))
    }
}

impl CustomOp1 for Step {
    fn name(&self) -> &'static str {
        "syops-neuron-step-from-rest"
    }

    fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> candle::Result<(CpuStorage, Shape)> {
        float_pass::cpu_fwd(self, storage, layout)
    }
}

impl CustomOp2 for Step {
    fn name(&self) -> &'static str {
        "syops-neuron-step"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> candle::Result<(CpuStorage, Shape)> {
        match (s1, s2) {
            (CpuStorage::F32(v), CpuStorage::F32(x)) => self.apply(v, l1, x, l2),
            (CpuStorage::F64(v), CpuStorage::F64(x)) => self.apply(v, l1, x, l2),
            (CpuStorage::F16(v), CpuStorage::F16(x)) => self.apply(v, l1, x, l2),
            (CpuStorage::BF16(v), CpuStorage::BF16(x)) => self.apply(v, l1, x, l2),
            _ => candle::bail!("neuron step: expected two tensors of the same float dtype"),
        }
    }
}

#[cfg(test)]
mod tests {
    use candle::{DType, Device, Module, Tensor};

    use crate::neuron::{IfNode, LifNode, NeuronConfig, PlifNode};

    /// Inputs that charge membranes to just below, at and above the threshold, over 3 steps of
    /// `[2, width]`.
    fn inputs(dtype: DType, width: usize) -> Tensor {
        let v: Vec<f64> = (0..3 * 2 * width).map(|i| ((i * 7919) % 101) as f64 / 40.0 - 0.7).collect();
        let mut v = v;
        v[3] = 1.0;
        v[5] = 0.5;
        Tensor::from_vec(v, (3, 2, width), &Device::Cpu).unwrap().to_dtype(dtype).unwrap()
    }

    fn configs() -> Vec<NeuronConfig> {
        let mut out = Vec::new();
        for v_reset in [Some(0.0), Some(-0.3), None] {
            for v_threshold in [1.0, 0.6] {
                out.push(NeuronConfig { v_threshold, v_reset, multi_step: true });
            }
        }
        out
    }

    /// Runs `make()` twice over the same steps, one-pass and by tensor operations; spikes and the
    /// final potentials must be equal to the bit.
    fn same<N: Module>(make: impl Fn() -> N, membrane: impl Fn(&N) -> &super::super::node::Membrane) -> bool {
        same_on(37, make, membrane)
    }

    fn same_on<N: Module>(
        width: usize,
        make: impl Fn() -> N,
        membrane: impl Fn(&N) -> &super::super::node::Membrane,
    ) -> bool {
        let mut fired = true;
        for dtype in [DType::F32, DType::F64, DType::F16, DType::BF16] {
            let xs = inputs(dtype, width);
            let (a, b) = (make(), make());
            membrane(&b).fused.store(false, std::sync::atomic::Ordering::Relaxed);
            let (sa, sb) = (a.forward(&xs).unwrap(), b.forward(&xs).unwrap());
            let bits = |t: &Tensor| t.to_dtype(DType::F64).unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
            assert_eq!(bits(&sa), bits(&sb), "spikes, {dtype:?}");
            let spikes = bits(&sa);
            fired &= spikes.contains(&1.0) && spikes.contains(&0.0);
            let (va, vb) = (membrane(&a).potential().unwrap(), membrane(&b).potential().unwrap());
            let (va, vb) = (bits(&va), bits(&vb));
            assert!(va.iter().zip(&vb).all(|(x, y)| x.to_bits() == y.to_bits()), "potentials, {dtype:?}");
        }
        fired
    }

    #[test]
    fn one_pass_step_equals_the_tensor_operations() {
        // Cases where some neurons fired and some did not, so that both branches were compared.
        let mut mixed = 0;
        for config in configs() {
            mixed += usize::from(same(|| IfNode::with_config(config), |n| &n.membrane));
            for decay_input in [true, false] {
                mixed += usize::from(same(|| LifNode::with_config(2.0, decay_input, config), |n| &n.membrane));
                mixed += usize::from(same(|| LifNode::with_config(3.0, decay_input, config), |n| &n.membrane));
                let w = Tensor::new(0.4f32, &Device::Cpu).unwrap();
                mixed += usize::from(same(|| PlifNode::from_weight(w.clone(), decay_input, config), |n| &n.membrane));
            }
        }
        assert!(mixed >= 30, "only {mixed} of 42 cases fired some neurons and not others");
    }

    #[test]
    fn a_step_counts_the_spikes_it_fires() {
        for width in [37, 3 * crate::kernel::chunks::PARALLEL_MIN / 2 + 7] {
            let xs = inputs(DType::F32, width).get(0).unwrap();
            let v = xs.zeros_like().unwrap();
            let step = super::Step::new(super::Charge::If, 0.6, Some(0.0));
            for out in [v.apply_op2_no_bwd(&xs, &step).unwrap(), xs.apply_op1_no_bwd(&step).unwrap()] {
                let spikes = out.get(0).unwrap().sum_all().unwrap().to_scalar::<f32>().unwrap();
                assert!(spikes > 0.0 && (spikes as usize) < xs.elem_count(), "{spikes} of {}", xs.elem_count());
                assert_eq!(step.fired(), spikes as u64, "width {width}");
            }
        }
    }

    #[test]
    fn large_membranes_step_in_parallel_chunks_with_the_same_numbers() {
        let width = 3 * crate::kernel::chunks::PARALLEL_MIN / 2 + 7;
        let config = NeuronConfig { multi_step: true, ..NeuronConfig::default() };
        assert!(same_on(width, || IfNode::with_config(config), |n| &n.membrane));
        assert!(same_on(width, || LifNode::with_config(2.0, true, config), |n| &n.membrane));
    }
}
