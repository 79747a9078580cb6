//! Runtime of [syops](https://docs.rs/syops): counting sessions, the counting rules of syops 0.0.5,
//! spiking neurons, the layers candle-nn lacks, and the report. Use it through the `syops` facade.
mod aggregate;
mod assemble;
mod budget;
mod convention;
mod coverage;
mod diff;
mod energy;
mod error;
mod exact;
mod format;
mod html;
mod layer;
mod memory_energy;
mod memory_level;
pub mod neuron;
pub mod nn;
mod ops;
mod pool_split;
mod probe;
mod rates;
pub mod reference;
mod render;
mod report;
mod rules;
mod session;
pub mod spike;
mod state;
mod stats;
pub mod time;

#[doc(hidden)]
pub mod __private;

pub use aggregate::{aggregate, depth};
pub use budget::{violations_table, Budget, Quantity, Violation};
pub use convention::Convention;
pub use coverage::{Coverage, CoverageEntry};
pub use diff::{Change, Diff, LayerDelta};
pub use energy::{Energy, EnergyModel};
pub use error::{Error, Result};
pub use exact::{count_nonzero, window_weights, ExactOps};
pub use format::{Format, Units, View};
pub use layer::{reset, Layer, Role, Segment};
pub use memory_energy::{break_even, describe_break_even, EnergyDetail, EnergyRole, Labelled, LayerEnergy};
pub use memory_level::{MemoryLevel, MEMORY_LEVELS};
pub use ops::{numel, Call, Ops, Probe, Split};
pub use rates::{AssumedRate, Rates};
pub use render::human;
pub use report::{LayerRow, PerSample, Report, Status, OLDEST_SCHEMA_VERSION, REPORT_FILE_ENV, SCHEMA_VERSION};
pub use rules::{activation_ops, conv_exact, conv_ops, linear_ops, norm_ops, ConvGeometry};
pub use session::{Options, RuleFn, Session};
pub use state::active;
pub use stats::{Carry, ExactStats, LayerStats};
pub use time::{Dist, LayerTime, StepOps, TimeStats};
