//! The model as the counter sees it: the [`Layer`] tree, one [`Call`] of a layer, and the cost its
//! rule reports ([`Ops`], with [`ExactOps`] under the exact convention and [`NeuroBenchOps`]
//! under NeuroBench's, its recurrent cells in `neurobench_cells.rs`); and the compile-time
//! dispatch that lets `#[syops::count]` ask any field whether it is a layer (`detect.rs`).
mod call;
pub(crate) mod detect;
mod exact_ops;
mod layer;
mod neurobench_cells;
mod neurobench_ops;
mod numel;

pub use call::{Call, Ops, Probe, Split};
pub use exact_ops::{count_nonzero, window_weights, ExactOps};
pub use layer::{reset, Layer, Role, Segment};
pub use neurobench_cells::{cell_synapses, CellKind, CellParams};
pub use neurobench_ops::{offset_hits, MembraneChanges, NeuroBenchOps, Synapses};
pub use numel::numel;
