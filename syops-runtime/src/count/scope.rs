//! One layer call in flight, as generated code opens and finishes it ([`Scope`]), and the calls it
//! could not attribute to a path ([`unattributed`]).
use candle::Tensor;

use super::state::{active, with};
use crate::model::detect::{LayerRef, Outcome};
use crate::model::Segment;

/// One layer call in flight: created by generated code when a call starts, finished with its
/// result. Inactive (and free) when no session runs.
pub struct Scope<'a> {
    node: Option<usize>,
    layer: LayerRef<'a>,
    input: Option<Tensor>,
}

impl<'a> Scope<'a> {
    /// Enters the child at `segments` below the current scope (the root when `segments` is empty
    /// and no scope is open).
    #[inline]
    pub fn enter(layer: LayerRef<'a>, segments: &[Segment]) -> Self {
        if !active() {
            return Scope { node: None, layer, input: None };
        }
        let node = with(|s| {
            let mut node = s.stack.last().copied().unwrap_or(0);
            if s.stack.is_empty() && segments.is_empty() {
                node = 0;
            }
            for seg in segments {
                node = s.child(node, *seg, &layer);
            }
            s.stack.push(node);
            node
        });
        Scope { node, layer, input: None }
    }

    /// Whether this scope is counting (a session is active on this thread).
    pub fn is_active(&self) -> bool {
        self.node.is_some()
    }

    /// Notes the call's first argument.
    #[inline]
    pub fn input(&mut self, arg: Outcome<'_>) {
        if self.node.is_some() {
            if let Outcome::Tensor(t) = arg {
                self.input = Some(t.clone());
            }
        }
    }

    /// Books the call with its result.
    #[inline]
    pub fn finish(self, result: Outcome<'_>) {
        let Some(node) = self.node else { return };
        let layer = self.layer;
        let input = self.input.clone();
        with(|s| match result {
            Outcome::Failed(_) => {
                if s.failed_at.is_none() {
                    let n = &s.nodes[node];
                    s.failed_at = Some((n.path.clone(), n.type_name, input.as_ref().map(|t| t.dims().to_vec())));
                }
            }
            Outcome::Tensor(out) => s.record(node, &layer, input.as_ref(), Some(out)),
            Outcome::Opaque => s.record(node, &layer, input.as_ref(), None),
        });
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        if self.node.is_some() {
            with(|s| s.stack.pop());
        }
    }
}

/// Notes a forward call that generated code could not attribute to a layer path.
pub fn unattributed(site: &'static str, receiver: &'static str) {
    if !active() {
        return;
    }
    with(|s| {
        let msg = format!("call `{receiver}.forward(..)` at {site} could not be attributed to a layer path; its operations are not counted");
        if !s.unattributed.contains(&msg) {
            s.unattributed.push(msg);
        }
        match s.unattributed_calls.iter_mut().find(|(at, recv, _)| *at == site && *recv == receiver) {
            Some((_, _, calls)) => *calls += 1,
            None => s.unattributed_calls.push((site, receiver, 1)),
        }
    });
}
