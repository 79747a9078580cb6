//! The thread-local state of a running session: the path tree of calls seen, the scope stack,
//! per-layer accumulators and the spike statistics still on the device, booked by the session's
//! convention when a batch ends.
use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use candle::{DType, Device, Tensor, TensorId};

use super::options::Options;
use crate::convention::{spike, Booking, LayerStats, RunStats};
use crate::model::detect::LayerRef;
use crate::model::{Call, Ops, Role, Segment, Split};
use crate::Result;

thread_local! {
    static ACTIVE: Cell<bool> = const { Cell::new(false) };
    static STATE: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// Whether a session is counting on this thread: the only work instrumented code does otherwise.
#[inline]
pub fn active() -> bool {
    ACTIVE.with(Cell::get)
}

/// Runs `f` on the state of the active session.
pub(crate) fn with<R>(f: impl FnOnce(&mut State) -> R) -> Option<R> {
    STATE.with(|s| s.borrow_mut().as_mut().map(f))
}

/// A call node: one path as the calls reached it.
pub(crate) struct Node {
    pub path: String,
    pub type_name: &'static str,
    pub role: Role,
    pub stats: LayerStats,
    pub input_shape: Option<Vec<usize>>,
    pub output_shape: Option<Vec<usize>>,
    /// How its rule splits its calls (set by its first counted call; read by the energy detail).
    pub split: Option<Split>,
    /// Output elements of its calls when it has no rule (the coverage estimate of its dense ops).
    pub uncounted_outputs: u64,
    /// Whether one call covers every time step ([`Layer::multi_step`](crate::model::Layer::multi_step)).
    pub multi_step: bool,
    /// Its calls in the batch so far.
    batch_calls: u64,
}

impl Node {
    fn new(path: String, layer: &LayerRef<'_>) -> Self {
        Node {
            path,
            type_name: layer.type_name(),
            role: layer.role(),
            stats: LayerStats::default(),
            input_shape: None,
            output_shape: None,
            split: None,
            uncounted_outputs: 0,
            multi_step: false,
            batch_calls: 0,
        }
    }
}

/// A call whose spike statistics are still on the device.
struct Pending {
    node: usize,
    /// What its rule reported.
    ops: Ops,
    /// Its spike statistics (when `tested`), then what the convention gathers, on the device.
    stats: Option<Tensor>,
    tested: bool,
    numel: usize,
    dtype: DType,
    /// Its layer's calls in the batch before it.
    batch_call: u64,
}

pub(crate) struct State {
    pub options: Options,
    pub nodes: Vec<Node>,
    index: HashMap<(usize, Segment), usize>,
    pub(super) stack: Vec<usize>,
    pending: Vec<Pending>,
    pub batch_counter: u64,
    /// The batch counter when the batch in progress began.
    batch_start: u64,
    /// What the convention accumulates over the run beyond its layers.
    pub run: RunStats,
    pub times_counter: u64,
    pub unattributed: Vec<String>,
    /// Unattributed calls counted per site: `(file:line, receiver, calls)`, in first-seen order.
    pub unattributed_calls: Vec<(&'static str, &'static str, u64)>,
    pub error: Option<crate::Error>,
    /// The innermost layer whose call failed, with its input shape.
    pub failed_at: Option<(String, &'static str, Option<Vec<usize>>)>,
    /// Time-resolved statistics, when the session asked for them.
    pub time: Option<super::time::TimeState>,
    /// Spikes that syops' neurons fired this batch and counted as they wrote them, by tensor:
    /// their spike test needs no scan. Emptied with every batch.
    known_spikes: HashMap<TensorId, u64>,
}

impl State {
    fn new(options: Options, root: &LayerRef<'_>) -> Self {
        let root = Node::new(String::new(), root);
        State {
            time: options.time_resolved().then(Default::default),
            options,
            nodes: vec![root],
            index: HashMap::new(),
            stack: Vec::new(),
            pending: Vec::new(),
            batch_counter: 0,
            batch_start: 0,
            run: RunStats::default(),
            times_counter: 0,
            unattributed: Vec::new(),
            unattributed_calls: Vec::new(),
            error: None,
            failed_at: None,
            known_spikes: HashMap::new(),
        }
    }

    pub(super) fn child(&mut self, parent: usize, seg: Segment, layer: &LayerRef<'_>) -> usize {
        if let Some(&id) = self.index.get(&(parent, seg)) {
            return id;
        }
        let parent_path = &self.nodes[parent].path;
        let path = if parent_path.is_empty() { seg.to_string() } else { format!("{parent_path}.{seg}") };
        let id = self.nodes.len();
        self.nodes.push(Node::new(path, layer));
        self.index.insert((parent, seg), id);
        id
    }

    pub(super) fn record(
        &mut self,
        node: usize,
        layer: &LayerRef<'_>,
        input: Option<&Tensor>,
        output: Option<&Tensor>,
    ) {
        let n = &mut self.nodes[node];
        n.stats.calls += 1;
        n.batch_calls += 1;
        if n.input_shape.is_none() && n.output_shape.is_none() {
            n.input_shape = input.map(|t| t.dims().to_vec());
            n.output_shape = output.map(|t| t.dims().to_vec());
        }
        if n.role == Role::Uncounted {
            n.uncounted_outputs += output.map_or(0, |t| t.elem_count() as u64);
        }
        if let (Some(l), Some(out)) = (layer.layer(), output) {
            n.multi_step = l.multi_step();
            if let Some(fired) = l.fired(out) {
                self.note_spikes(out, fired);
            }
        }
        let n = &mut self.nodes[node];
        if n.role != Role::Counted || self.options.ignores(n.type_name) {
            return;
        }
        let Some(layer) = layer.layer else { return };
        let call = Call::new(&n.path, input, output).with_convention(self.options.convention());
        let ops = match self.options.rule_for(n.type_name) {
            Some(rule) => rule(&call),
            None => layer.ops(&call),
        };
        if let Err(err) = ops.and_then(|ops| {
            let time_ops = self.time.is_some().then(|| ops.clone());
            self.queue(node, ops, input, output)?;
            match (self.time.as_mut(), time_ops) {
                (Some(time), Some(ops)) => {
                    time.observe(node, &self.nodes[node].path, layer.multi_step(), ops, input, output)
                }
                _ => Ok(()),
            }
        }) {
            self.error.get_or_insert(err);
        }
    }

    fn queue(&mut self, node: usize, ops: Ops, input: Option<&Tensor>, output: Option<&Tensor>) -> Result<()> {
        let n = &mut self.nodes[node];
        n.split = Some(ops.split);
        if let Some(rates) = self.options.static_rates() {
            // A static count: no spike test, the assumed rate decides.
            let rate = rates.rate_for(&n.path);
            super::rates::book(&mut n.stats, ops, rate);
            return Ok(());
        }
        let counting = self.options.counting();
        let call = Call::new(&n.path, input, output);
        let batch_call = n.batch_calls - 1;
        let (test, numel, dtype) = match counting.tested(&ops, &call, n.type_name)? {
            Some(t) => (Some(self.spike_stats(&t)?), t.elem_count(), t.dtype()),
            None => (None, 0, DType::F64),
        };
        let tested = test.is_some();
        let gathered = counting.gathered(&ops, test_device(&test))?;
        let stats = match (test, gathered) {
            (Some(test), Some(gathered)) => Some(Tensor::cat(&[&test, &gathered.to_device(test.device())?], 0)?),
            (test, gathered) => test.or(gathered),
        };
        self.pending.push(Pending { node, ops, stats, tested, numel, dtype, batch_call });
        Ok(())
    }

    /// Starts the spike test of `t` on its device, by the session's method: the statistics of
    /// spikes a neuron counted as it fired them ([`State::note_spikes`]), else a scan.
    fn spike_stats(&self, t: &Tensor) -> Result<Tensor> {
        if self.options.tensor_ops_spike_test() {
            return spike::stats_by_tensor_ops(t);
        }
        match self.known_spikes.get(&t.id()) {
            Some(&fired) => spike::known_stats(fired, t.elem_count(), t.device()),
            None => spike::stats(t),
        }
    }

    /// Notes that `spikes`, a tensor of 0s and 1s a layer just made, holds `fired` ones
    /// ([`Layer::fired`](crate::model::Layer::fired)), so that a layer that takes it as input is not
    /// scanned for its spike test. Candle tensors do not change after they are made (short of
    /// in-place writes such as `slice_set`, which a neuron's fresh output has not had), and a
    /// tensor's id is never reused. Notes end with the batch.
    fn note_spikes(&mut self, spikes: &Tensor, fired: u64) {
        if spikes.elem_count() > 0 {
            self.known_spikes.insert(spikes.id(), fired);
        }
    }

    /// Gathers the device statistics of every pending call (one transfer per device), books them
    /// in call order, and ends the batch.
    pub fn flush(&mut self) -> Result<()> {
        self.known_spikes.clear();
        let pending = std::mem::take(&mut self.pending);
        let mut by_device: Vec<(Device, Vec<Tensor>)> = Vec::new();
        for p in pending.iter().filter_map(|p| p.stats.as_ref()) {
            match by_device.iter_mut().find(|(d, _)| d.same_device(p.device())) {
                Some((_, list)) => list.push(p.flatten_all()?),
                None => by_device.push((p.device().clone(), vec![p.flatten_all()?])),
            }
        }
        // Per device: every call's values in one vector, and where the next call's begin.
        let mut host: Vec<(Device, Vec<f64>, usize)> = Vec::new();
        for (device, list) in by_device {
            let values = Tensor::cat(&list, 0)?.to_dtype(DType::F64)?.to_vec1::<f64>()?;
            host.push((device, values, 0));
        }
        let counting = self.options.counting();
        for p in pending {
            let (test, gathered) = match &p.stats {
                None => (None, &[][..]),
                Some(t) => {
                    let slot = host.iter_mut().find(|(d, _, _)| d.same_device(t.device())).expect("grouped above");
                    let row = &slot.1[slot.2..slot.2 + t.elem_count()];
                    slot.2 += t.elem_count();
                    match p.tested {
                        true => (Some(spike::resolve(row, p.numel, p.dtype)), &row[spike::STATS..]),
                        false => (None, row),
                    }
                }
            };
            let stats = &mut self.nodes[p.node].stats;
            let before = (stats.sum_total, stats.sum_acs, stats.sum_macs);
            let booking = Booking { ops: &p.ops, test, gathered, batch_call: p.batch_call };
            counting.book(stats, &mut self.run, booking);
            if let Some(time) = self.time.as_mut() {
                time.booked(stats.sum_total - before.0, stats.sum_acs - before.1, stats.sum_macs - before.2);
            }
        }
        counting.end_batch(&mut self.run, self.batch_counter - self.batch_start);
        self.batch_start = self.batch_counter;
        for n in &mut self.nodes {
            n.batch_calls = 0;
        }
        if let Some(time) = self.time.as_mut() {
            time.end_batch()?;
        }
        Ok(())
    }
}

/// The device of a started spike test, if any.
fn test_device(test: &Option<Tensor>) -> Option<&Device> {
    test.as_ref().map(Tensor::device)
}

/// Installs a session's state on this thread for as long as it lives.
pub(crate) struct Activation(());

impl Activation {
    pub fn start(options: Options, root: &LayerRef<'_>) -> Result<Self> {
        if active() {
            return Err(crate::Error::SessionActive);
        }
        STATE.with(|s| *s.borrow_mut() = Some(State::new(options, root)));
        ACTIVE.with(|a| a.set(true));
        Ok(Activation(()))
    }

    /// Ends the session and hands its state over.
    pub fn finish(self) -> State {
        ACTIVE.with(|a| a.set(false));
        STATE.with(|s| s.borrow_mut().take()).expect("state installed by start")
    }
}

impl Drop for Activation {
    fn drop(&mut self) {
        ACTIVE.with(|a| a.set(false));
        STATE.with(|s| s.borrow_mut().take());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::neuron::IfNode;

    fn stats(t: &Tensor) -> Vec<f64> {
        with(|s| s.spike_stats(t).unwrap().to_vec1::<f64>().unwrap()).expect("a session is active")
    }

    #[test]
    fn spikes_a_neuron_counted_are_not_scanned_until_the_batch_ends() {
        let node = IfNode::new();
        let spikes = Tensor::new(&[0f32, 1., 1., 0.], &Device::Cpu).unwrap();
        let scanned = spike::stats(&spikes).unwrap().to_vec1::<f64>().unwrap();
        assert_eq!(scanned, [0., 0., 1., 2., 0.]);
        let activation = Activation::start(Options::default(), &LayerRef::of(&node)).unwrap();
        // A count the tensor does not hold, to tell where the statistics came from.
        with(|s| s.note_spikes(&spikes, 3));
        assert_eq!(stats(&spikes.clone()), [0., 0., 1., 3., 0.], "a clone is the same tensor");
        let copy = spikes.copy().unwrap();
        assert_eq!(stats(&copy), scanned, "another tensor is scanned");
        with(|s| s.flush().unwrap());
        assert_eq!(stats(&spikes), scanned, "a batch's notes end with it");
        drop(activation);
    }

    #[test]
    fn the_tensor_ops_spike_test_ignores_notes() {
        let node = IfNode::new();
        let spikes = Tensor::new(&[0f32, 1., 1., 0.], &Device::Cpu).unwrap();
        let options = crate::Session::new().tensor_ops_spike_test(true).options;
        let activation = Activation::start(options, &LayerRef::of(&node)).unwrap();
        with(|s| s.note_spikes(&spikes, 3));
        assert_eq!(stats(&spikes), [0., 0., 1., 2., 0.]);
        drop(activation);
    }
}
