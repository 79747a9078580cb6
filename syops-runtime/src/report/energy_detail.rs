//! Energy beyond syops' compute-only figure: memory accesses, the ANN baseline and the break-even
//! firing rate, per layer and per model, each figure labelled with what it assumes.
//!
//! - **Compute only** is [`crate::report::Energy`]: ACs and MACs at the model's pJ per operation.
//! - **Memory** adds, per sample, one weight read per synaptic operation (AC or MAC) of a layer that
//!   has weights, and one read and one write of a neuron's membrane potential per update (a neuron's
//!   dense count is its input element count: neurons × time steps). Each access moves `bits` bits,
//!   `bits / 64` of a 64-bit access, priced by the buffer the layer's weights (or one sample's
//!   membranes) fit in, after Lemaire et al. 2022: ≤ 8 KiB of SRAM 10 pJ, ≤ 32 KiB 20 pJ,
//!   ≤ 1 MiB 100 pJ per 64-bit access; beyond that, DRAM at 1300 pJ (the low end of Horowitz 2014's
//!   1.3–2.6 nJ per 64-bit DRAM access).
//! - **ANN baseline**: the same model run once where the SNN runs `time_steps` times, every dense
//!   operation of a synaptic layer a MAC (plus one weight read each, with memory). Neurons become
//!   activations, counted as free. Layers syops counts in the total only (recurrent layers,
//!   attention) are priced on neither side.
//! - **Break-even rate**: the input firing rate `r` at which an SNN whose synaptic layers do
//!   `dense × r` ACs (neurons as counted) costs what the ANN baseline does, in closed form:
//!   `r = (ann − fixed) / slope`, with `slope = Σ dense × (pJ/AC + pJ per weight read)` over synaptic
//!   layers and `fixed` the neurons' cost. For a single layer, `r = (pJ/MAC + w) / (T (pJ/AC + w))`.
//!   A rate above 1 means the SNN is cheaper at every rate, below 0 at none
//!   ([`describe_break_even`]); `None` only without synaptic operations.
use serde::{Deserialize, Serialize};

use std::collections::HashMap;

use super::booked::Booked;
use super::energy::EnergyModel;
use super::memory_level::{bytes, MemoryLevel};
use super::row::{LayerRow, Status};
use super::time_steps::TimeSteps;
use crate::convention::per_sample;
use crate::model::{numel, Split};

/// What a layer is to the memory-inclusive estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EnergyRole {
    /// Priced per AC or MAC of its input (convolution, linear, pooling, normalisation,
    /// activation), reading a weight per operation when it has weights.
    Synaptic,
    /// A spiking neuron: its updates are ACs; it reads and writes its membrane per update.
    Neuron,
}

/// A figure and the assumptions behind it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Labelled {
    /// Millijoules per sample.
    pub mj: f64,
    /// What it assumes, in words.
    pub label: String,
}

/// One counted layer's energy, per sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerEnergy {
    /// Layer path.
    pub path: String,
    /// Synaptic or neuron.
    pub role: EnergyRole,
    /// Dense operations per sample (for a neuron, its updates).
    pub dense: f64,
    /// ACs per sample.
    pub acs: f64,
    /// MACs per sample.
    pub macs: f64,
    /// Weights read by each synaptic operation's layer (its parameters, frozen ones too); 0 for
    /// neurons.
    pub params: u64,
    /// Membrane potentials one sample holds (neurons); 0 otherwise.
    pub state_neurons: u64,
    /// The buffer its weights or membranes are priced in (empty when it has neither).
    pub memory_level: String,
    /// ACs and MACs at the model's figures.
    pub compute_mj: f64,
    /// Its memory accesses alone (the memory-inclusive figure is `compute_mj + memory_mj`).
    pub memory_mj: f64,
    /// The ANN baseline's compute: `dense / time_steps` MACs (0 for neurons).
    pub ann_compute_mj: f64,
    /// The ANN baseline's weight reads: one per MAC (0 for neurons).
    pub ann_memory_mj: f64,
    /// Break-even input rate, compute only (`None` for a neuron; outside [0, 1] when no rate
    /// breaks even: see [`break_even`]).
    pub break_even_rate_compute: Option<f64>,
    /// Break-even input rate, memory included.
    pub break_even_rate_memory: Option<f64>,
}

impl LayerEnergy {
    /// A layer's inputs to the estimate; its figures are filled in by [`EnergyDetail::new`].
    pub fn new(
        path: String,
        role: EnergyRole,
        dense: f64,
        acs: f64,
        macs: f64,
        params: u64,
        state_neurons: u64,
    ) -> Self {
        LayerEnergy {
            path,
            role,
            dense,
            acs,
            macs,
            params,
            state_neurons,
            memory_level: String::new(),
            compute_mj: 0.0,
            memory_mj: 0.0,
            ann_compute_mj: 0.0,
            ann_memory_mj: 0.0,
            break_even_rate_compute: None,
            break_even_rate_memory: None,
        }
    }

    /// pJ of one weight read (synaptic) or one membrane access (neuron), and its level.
    fn access(&self, bits: u32) -> Option<(f64, &'static MemoryLevel)> {
        let count = match self.role {
            EnergyRole::Synaptic => self.params,
            EnergyRole::Neuron => self.state_neurons,
        };
        let level = MemoryLevel::holding(bytes(count, bits));
        (count > 0).then(|| (level.pj_per_access * f64::from(bits) / 64.0, level))
    }

    fn price(&mut self, m: &EnergyModel, time_steps: u64) {
        const MJ: f64 = 1e-9;
        let access = self.access(m.bits);
        let pj = access.map_or(0.0, |(pj, _)| pj);
        self.memory_level = access.map_or_else(String::new, |(_, l)| l.name.to_string());
        self.compute_mj = (self.acs * m.pj_per_ac + self.macs * m.pj_per_mac) * MJ;
        let t = time_steps as f64;
        match self.role {
            EnergyRole::Synaptic => {
                self.memory_mj = (self.acs + self.macs) * pj * MJ;
                self.ann_compute_mj = self.dense / t * m.pj_per_mac * MJ;
                self.ann_memory_mj = self.dense / t * pj * MJ;
                self.break_even_rate_compute = break_even(self.ann_compute_mj, 0.0, self.dense * m.pj_per_ac * MJ);
                self.break_even_rate_memory =
                    break_even(self.ann_compute_mj + self.ann_memory_mj, 0.0, self.dense * (m.pj_per_ac + pj) * MJ);
            }
            EnergyRole::Neuron => self.memory_mj = 2.0 * self.dense * pj * MJ,
        }
    }
}

/// Membrane potentials one sample holds: the input's elements past dim 0 (`[N, …]`), or past dims
/// 0 and 1 for a multi-step neuron (`[T, N, …]`).
fn state_neurons(multi_step: bool, input_shape: Option<&[usize]>) -> u64 {
    let Some(dims) = input_shape else { return 0 };
    let skip = if multi_step { 2 } else { 1 };
    dims.get(skip..).map_or(0, numel)
}

/// The counted layers of a run as inputs to [`EnergyDetail::new`]: `booked` says how each path's
/// calls were booked; raw sums are divided per sample over `batch_counter` samples.
pub(crate) fn layer_inputs(
    rows: &[LayerRow],
    booked: &HashMap<String, Booked>,
    batch_counter: u64,
) -> Vec<LayerEnergy> {
    rows.iter()
        .filter(|r| r.status == Status::Counted)
        .filter_map(|r| {
            let booked = booked.get(&r.path)?;
            let role = match booked.split {
                Split::AcOrMac => EnergyRole::Synaptic,
                Split::Ac => EnergyRole::Neuron,
                Split::TotalOnly => return None,
            };
            let (params, neurons) = match role {
                EnergyRole::Synaptic => (r.params + r.frozen_params, 0),
                EnergyRole::Neuron => (0, state_neurons(booked.multi_step, r.input_shape.as_deref())),
            };
            Some(layer_energy(r, role, params, neurons, batch_counter))
        })
        .collect()
}

/// `row`'s dense operations, ACs and MACs per sample over `batch_counter` samples, as a layer of
/// the estimate.
fn layer_energy(row: &LayerRow, role: EnergyRole, params: u64, neurons: u64, batch_counter: u64) -> LayerEnergy {
    let ps = |x: f64| per_sample(x, batch_counter);
    let s = &row.stats;
    let (dense, acs, macs) = (ps(s.sum_total as f64), ps(s.sum_acs), ps(s.sum_macs as f64));
    LayerEnergy::new(row.path.clone(), role, dense, acs, macs, params, neurons)
}

/// The layers of an existing estimate (their roles, weights and membranes as booked) with their
/// operations taken again from `rows` over `batch_counter` samples: how a merged report re-derives
/// its estimate from the summed rows. A layer `rows` lacks is an error naming it.
pub(crate) fn relayered(
    layers: &[LayerEnergy],
    rows: &[LayerRow],
    batch_counter: u64,
) -> crate::Result<Vec<LayerEnergy>> {
    layers
        .iter()
        .map(|l| {
            let row = rows.iter().find(|r| r.path == l.path).ok_or_else(|| {
                crate::Error::Report(format!("the energy estimate prices layer `{}`, which has no row", l.path))
            })?;
            Ok(layer_energy(row, l.role, l.params, l.state_neurons, batch_counter))
        })
        .collect()
}

/// The rate `r` with `fixed + slope × r = ann`; `None` without synaptic ops (`slope` 0). It may
/// lie outside [0, 1]: above 1 the SNN costs less than the ANN at any firing rate, below 0 it costs
/// more at any rate ([`describe_break_even`]).
pub fn break_even(ann: f64, fixed: f64, slope: f64) -> Option<f64> {
    (slope > 0.0).then(|| (ann - fixed) / slope)
}

/// A break-even rate as the summaries print it: the rate when it lies in [0, 1], else what its
/// side of the interval means.
pub fn describe_break_even(r: Option<f64>) -> String {
    match r {
        None => "none (no synaptic ops)".to_string(),
        Some(r) if r > 1.0 => format!("{r:.3} > 1: the SNN costs less at any rate"),
        Some(r) if r < 0.0 => format!("{r:.3} < 0: the SNN costs more at any rate"),
        Some(r) => format!("{r:.3}"),
    }
}

/// Compute-only and memory-inclusive energy, the ANN baseline and the break-even rate of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnergyDetail {
    /// pJ per operation and bits per value.
    pub model: EnergyModel,
    /// Time steps the SNN runs for one ANN run ([`crate::Session::time_steps`], else inferred).
    pub time_steps: u64,
    /// Where `time_steps` came from (absent from reports before it was recorded).
    #[serde(default)]
    pub time_steps_source: String,
    /// The SNN, compute only.
    pub compute: Labelled,
    /// The SNN, compute plus weight reads and membrane reads and writes.
    pub memory_inclusive: Labelled,
    /// The weight reads of the memory-inclusive figure.
    pub weight_reads_mj: f64,
    /// The membrane reads and writes of the memory-inclusive figure.
    pub membrane_mj: f64,
    /// The ANN baseline, compute only.
    pub ann_compute: Labelled,
    /// The ANN baseline with its weight reads.
    pub ann_memory_inclusive: Labelled,
    /// Uniform input rate of every synaptic layer at which the SNN costs what the ANN does,
    /// compute only; `None` when no rate in [0, 1] does.
    pub break_even_rate_compute: Option<f64>,
    /// The same, memory included.
    pub break_even_rate_memory: Option<f64>,
    /// What the break-even rates assume.
    pub break_even_label: String,
    /// Counted synaptic layers and neurons, in model order.
    pub layers: Vec<LayerEnergy>,
}

/// `45 nm FP32: 0.9 pJ/AC, 4.6 pJ/MAC (Horowitz 2014)`, or `custom: …, 32-bit`.
fn model_label(m: &EnergyModel) -> String {
    let preset = [(EnergyModel::FP32_45NM, "FP32"), (EnergyModel::FP16_45NM, "FP16"), (EnergyModel::INT8_45NM, "INT8")]
        .into_iter()
        .find(|(p, _)| p == m);
    match preset {
        Some((_, name)) => format!("45 nm {name}: {} pJ/AC, {} pJ/MAC (Horowitz 2014)", m.pj_per_ac, m.pj_per_mac),
        None => format!("custom: {} pJ/AC, {} pJ/MAC, {}-bit", m.pj_per_ac, m.pj_per_mac, m.bits),
    }
}

impl EnergyDetail {
    /// Prices `layers` under `model` for an ANN that runs once per `steps.count` SNN time steps.
    pub fn new(model: EnergyModel, steps: TimeSteps, mut layers: Vec<LayerEnergy>) -> Self {
        let time_steps = steps.count.max(1);
        let mut sum = LayerEnergy::new(String::new(), EnergyRole::Synaptic, 0.0, 0.0, 0.0, 0, 0);
        let (mut weights, mut membrane, mut slope_c, mut slope_m, mut fixed_c, mut fixed_m) =
            (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        for l in &mut layers {
            l.price(&model, time_steps);
            sum.compute_mj += l.compute_mj;
            sum.ann_compute_mj += l.ann_compute_mj;
            sum.ann_memory_mj += l.ann_memory_mj;
            match l.role {
                EnergyRole::Synaptic => {
                    weights += l.memory_mj;
                    let pj = l.access(model.bits).map_or(0.0, |(pj, _)| pj);
                    slope_c += l.dense * model.pj_per_ac * 1e-9;
                    slope_m += l.dense * (model.pj_per_ac + pj) * 1e-9;
                }
                EnergyRole::Neuron => {
                    membrane += l.memory_mj;
                    fixed_c += l.compute_mj;
                    fixed_m += l.compute_mj + l.memory_mj;
                }
            }
        }
        let compute = model_label(&model);
        let bits = model.bits;
        let memory = format!(
            "with memory: compute only, plus a {bits}-bit weight read per synaptic op and a membrane read + write \
             per neuron update, {bits}/64 of a 64-bit access each, from the buffer the layer's weights or one \
             sample's membranes fit in (Lemaire et al. 2022: SRAM ≤ 8 KiB 10 pJ, ≤ 32 KiB 20 pJ, ≤ 1 MiB 100 pJ; \
             beyond, DRAM 1300 pJ, the low end of Horowitz 2014's 1.3–2.6 nJ)"
        );
        let ann = format!(
            "ANN: the same model, one run per {time_steps} SNN time step(s) ({}), every synaptic dense op a MAC, \
             neurons as free activations",
            steps.source
        );
        let ann_compute = sum.ann_compute_mj;
        let ann_memory = sum.ann_compute_mj + sum.ann_memory_mj;
        EnergyDetail {
            model,
            time_steps,
            time_steps_source: steps.source,
            compute: Labelled { mj: sum.compute_mj, label: format!("compute only, {compute}") },
            memory_inclusive: Labelled { mj: sum.compute_mj + weights + membrane, label: memory },
            weight_reads_mj: weights,
            membrane_mj: membrane,
            ann_compute: Labelled { mj: ann_compute, label: format!("{ann}; compute only, {compute}") },
            ann_memory_inclusive: Labelled {
                mj: ann_memory,
                label: format!("{ann}; with memory: plus a {bits}-bit weight read per MAC, priced as above"),
            },
            break_even_rate_compute: break_even(ann_compute, fixed_c, slope_c),
            break_even_rate_memory: break_even(ann_memory, fixed_m, slope_m),
            break_even_label: "the input firing rate of every synaptic layer (ACs = dense × rate, neurons as counted) \
                               at which the SNN costs what the ANN does"
                .to_string(),
            layers,
        }
    }

    /// The same layers priced under another model or number of time steps.
    pub fn with(&self, model: EnergyModel, time_steps: u64) -> Self {
        let steps = match time_steps == self.time_steps {
            true => TimeSteps::given(time_steps, self.time_steps_source.clone()),
            false => TimeSteps::given(time_steps, "repriced: View::time_steps, `cargo syops --time-steps`"),
        };
        EnergyDetail::new(model, steps, self.layers.clone())
    }
}

/// `0.0123` mJ, or `4.835e-8` below a microjoule.
fn mj(v: f64) -> String {
    if v == 0.0 || v.abs() >= 1e-3 {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}

impl EnergyDetail {
    /// The summary lines of the table and Markdown views, each figure with its assumptions
    /// (`prefix` starts each line).
    pub fn summary(&self, prefix: &str) -> String {
        let (c, m) = (&self.compute, &self.memory_inclusive);
        let (ac, am) = (&self.ann_compute, &self.ann_memory_inclusive);
        [
            format!("energy   {} mJ compute only | {} mJ with memory, per sample", mj(c.mj), mj(m.mj)),
            format!("  {}", c.label),
            format!("  {}", m.label),
            format!("ANN      {} mJ compute only | {} mJ with memory, per sample", mj(ac.mj), mj(am.mj)),
            format!("  {}", ac.label),
            format!("  {}", am.label.split_once("; ").map_or(am.label.as_str(), |(_, rest)| rest)),
            format!(
                "break-even firing rate {} compute only | {} with memory",
                describe_break_even(self.break_even_rate_compute),
                describe_break_even(self.break_even_rate_memory)
            ),
            format!("  {}", self.break_even_label),
        ]
        .iter()
        .map(|line| format!("{prefix}{line}\n"))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * b.abs().max(1e-20)
    }

    #[test]
    fn break_even_is_the_rate_where_the_lines_cross_if_in_range() {
        // 1 + 4 r = 3 -> r = 0.5; 1 + 4 r = 6 -> r = 1.25, cheaper at any rate; 3 + 4 r = 1 -> -0.5.
        assert_eq!(break_even(3.0, 1.0, 4.0), Some(0.5));
        assert_eq!(break_even(5.0, 1.0, 4.0), Some(1.0));
        assert_eq!(break_even(6.0, 1.0, 4.0), Some(1.25));
        assert_eq!(break_even(1.0, 3.0, 4.0), Some(-0.5));
        assert_eq!(break_even(1.0, 0.0, 0.0), None, "no synaptic op: no rate");
        assert_eq!(describe_break_even(Some(0.5)), "0.500");
        assert_eq!(describe_break_even(Some(1.25)), "1.250 > 1: the SNN costs less at any rate");
        assert_eq!(describe_break_even(Some(-0.5)), "-0.500 < 0: the SNN costs more at any rate");
    }

    /// Linear(4 → 2), 10 params, on a [2, 4] input at rate 0.5, then an IF neuron on its [2, 2]
    /// output; per sample (batch counter 2): Linear dense (8·2 + 2)/2 = 9, ACs 4.5; neuron 2 updates.
    fn tiny() -> Vec<LayerEnergy> {
        vec![
            LayerEnergy::new("fc".into(), EnergyRole::Synaptic, 9.0, 4.5, 0.0, 10, 0),
            LayerEnergy::new("sn".into(), EnergyRole::Neuron, 2.0, 2.0, 0.0, 0, 2),
        ]
    }

    #[test]
    fn tiny_linear_and_neuron_priced_by_hand() {
        let d = EnergyDetail::new(EnergyModel::FP32_45NM, TimeSteps::given(8, "Session::time_steps"), tiny());
        let (fc, sn) = (&d.layers[0], &d.layers[1]);
        // fc: 10 params × 4 B = 40 B -> SRAM ≤ 8 KiB, 10 pJ per 64-bit access, 32/64 of one = 5 pJ/read.
        assert_eq!(fc.memory_level, "SRAM ≤ 8 KiB");
        assert!(close(fc.compute_mj, 4.5 * 0.9e-9)); // 4.05 pJ
        assert!(close(fc.memory_mj, 4.5 * 5.0e-9)); // 22.5 pJ
        assert!(close(fc.ann_compute_mj, 9.0 / 8.0 * 4.6e-9)); // 5.175 pJ
        assert!(close(fc.ann_memory_mj, 9.0 / 8.0 * 5.0e-9)); // 5.625 pJ
                                                              // r = 4.6 / (8 × 0.9) = 0.63889; with memory (4.6 + 5) / (8 × (0.9 + 5)) = 0.20339.
        assert!(close(fc.break_even_rate_compute.unwrap(), 4.6 / 7.2));
        assert!(close(fc.break_even_rate_memory.unwrap(), 9.6 / 47.2));
        // sn: 2 membranes × 4 B = 8 B -> 5 pJ per access; 2 updates × (read + write) = 20 pJ.
        assert!(close(sn.compute_mj, 1.8e-9) && close(sn.memory_mj, 20e-9));
        assert_eq!((sn.ann_compute_mj, sn.break_even_rate_compute), (0.0, None));
        // Model: compute 4.05 + 1.8 = 5.85 pJ; with memory 5.85 + 22.5 + 20 = 48.35 pJ.
        assert!(close(d.compute.mj, 5.85e-9) && close(d.memory_inclusive.mj, 48.35e-9));
        assert!(close(d.weight_reads_mj, 22.5e-9) && close(d.membrane_mj, 20e-9));
        assert!(close(d.ann_compute.mj, 5.175e-9) && close(d.ann_memory_inclusive.mj, 10.8e-9));
        // Uniform rate: (5.175 − 1.8) / (9 × 0.9) = 0.41667; with memory the neuron alone
        // (1.8 + 20 = 21.8 pJ) costs more than the ANN (10.8 pJ): (10.8 − 21.8) / (9 × 5.9) < 0.
        assert!(close(d.break_even_rate_compute.unwrap(), 3.375 / 8.1));
        assert!(close(d.break_even_rate_memory.unwrap(), -11.0 / 53.1));
        assert_eq!(d.compute.label, "compute only, 45 nm FP32: 0.9 pJ/AC, 4.6 pJ/MAC (Horowitz 2014)");
        assert!(
            d.memory_inclusive.label.contains("Lemaire et al. 2022: SRAM ≤ 8 KiB 10 pJ"),
            "{}",
            d.memory_inclusive.label
        );
        assert!(d.ann_compute.label.contains("one run per 8 SNN time step(s)"), "{}", d.ann_compute.label);
    }

    #[test]
    fn repricing_follows_bits_and_time_steps() {
        let d = EnergyDetail::new(EnergyModel::FP32_45NM, TimeSteps::given(1, "Session::time_steps"), tiny());
        // One time step: fc's r = 4.6 / 0.9 > 1, the SNN is cheaper at every rate; the model's
        // (9 × 4.6 − 1.8) / (9 × 0.9) > 1 too.
        assert!(close(d.layers[0].break_even_rate_compute.unwrap(), 4.6 / 0.9));
        assert!(close(d.break_even_rate_compute.unwrap(), (41.4 - 1.8) / 8.1));
        // INT8: 8/64 of a 10 pJ access = 1.25 pJ per read; fc 4.5 × 1.25, sn 2 × 2 × 1.25 pJ.
        let int8 = d.with(EnergyModel::INT8_45NM, 4);
        assert_eq!(int8.time_steps, 4);
        assert!(close(int8.weight_reads_mj, 5.625e-9) && close(int8.membrane_mj, 5e-9));
        assert!(close(int8.ann_compute.mj, 9.0 / 4.0 * 0.23e-9));
        let custom = EnergyModel { pj_per_ac: 1.0, pj_per_mac: 2.0, bits: 64 };
        let c = d.with(custom, 4);
        assert!(c.compute.label.ends_with("custom: 1 pJ/AC, 2 pJ/MAC, 64-bit"), "{}", c.compute.label);
        // 64-bit: one whole 10 pJ access per read (fc 80 B, sn 16 B): weights 4.5 × 10 = 45 pJ,
        // membranes 2 × 2 × 10 = 40 pJ; compute 4.5 + 2 = 6.5 pJ; with memory 91.5 pJ.
        assert!(close(c.weight_reads_mj, 45e-9) && close(c.membrane_mj, 40e-9));
        // ANN 9/4 × 2 = 4.5 pJ: r = (4.5 − 2) / 9 = 0.278; with memory 9/4 × 12 = 27 < 42 fixed.
        let text = c.summary("");
        assert!(
            text.starts_with("energy   6.500e-9 mJ compute only | 9.150e-8 mJ with memory, per sample\n"),
            "{text}"
        );
        assert!(text.contains("break-even firing rate 0.278 compute only | "), "{text}");
    }
}
