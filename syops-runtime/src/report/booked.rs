//! How a counted layer's calls were booked, as the report's assembly reads it off the counting
//! state for the energy detail and the time steps.
use crate::model::Split;

/// How a counted layer's calls were booked.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Booked {
    /// The split its rule reported.
    pub split: Split,
    /// Whether one call covers every time step ([`Layer::multi_step`](crate::model::Layer::multi_step)).
    pub multi_step: bool,
}
