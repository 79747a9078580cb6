//! Checks on finished reports: per-sample budgets (`assert_budget!`, budget files) and the
//! differences between two reports.
mod budget;
mod diff;

pub use budget::assert_within;
pub use budget::{violations_table, Budget, Quantity, Violation};
pub use diff::{Change, Diff, LayerDelta};
