//! What a watched neuron records for NeuroBench's MembraneUpdates ([`crate::model::Layer::watch_membrane`]):
//! the membrane changes of its last forward call, keyed by that call's output, so that the rule
//! ([`super::node::neuron_ops`]) finds them when the session books the call. spikingjelly's neurons
//! (`node.rs`) and snnTorch's (`snntorch/hidden.rs`) share it.
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use candle::{Tensor, TensorId};

use crate::model::MembraneChanges;

/// Whether a neuron counts its membrane changes, and the last call's.
pub(crate) struct MembraneWatch {
    on: AtomicBool,
    last: Mutex<Option<(TensorId, MembraneChanges)>>,
}

impl MembraneWatch {
    /// Not watching.
    pub fn new() -> Self {
        MembraneWatch { on: AtomicBool::new(false), last: Mutex::new(None) }
    }

    /// Starts or stops watching; stopping forgets the last call's changes.
    pub fn set(&self, on: bool) {
        self.on.store(on, Ordering::Relaxed);
        if !on {
            *self.last.lock().unwrap_or_else(|e| e.into_inner()) = None;
        }
    }

    /// Whether steps must count the membranes they change.
    pub fn is_on(&self) -> bool {
        self.on.load(Ordering::Relaxed)
    }

    /// Records `changes` as the changes of the call that returned `output`.
    pub fn record(&self, output: &Tensor, changes: MembraneChanges) {
        *self.last.lock().unwrap_or_else(|e| e.into_inner()) = Some((output.id(), changes));
    }

    /// The membrane changes of the last forward call, when `output` is its output and it was watched.
    pub fn changes(&self, output: &Tensor) -> Option<MembraneChanges> {
        match &*self.last.lock().unwrap_or_else(|e| e.into_inner()) {
            Some((id, changes)) if *id == output.id() => Some(changes.clone()),
            _ => None,
        }
    }
}
