//! Counting a run: the session's options, the per-thread state that follows the calls of the
//! model tree ([`Scope`] is what generated code opens around each child call), the assumed rates
//! of a static count and the time-resolved statistics. Each counted call is handed to the
//! session's convention ([`crate::convention`]); the finished state goes to
//! [`crate::report`]'s assembly.
pub(crate) mod options;
pub(crate) mod rates;
pub(crate) mod scope;
pub(crate) mod state;
pub mod time;

pub use options::{Options, RuleFn};
pub use rates::{AssumedRate, Rates};
pub use scope::{unattributed, Scope};
pub use state::active;
