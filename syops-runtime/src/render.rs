//! `Display for Report`: the table and summary of [`crate::View`]'s default, so the library and
//! `cargo syops` print the same thing.
use std::fmt;

use crate::{report::Report, View};

/// Formats an operation count with a unit (`1.234 G`).
pub fn human(value: f64) -> String {
    let a = value.abs();
    if a >= 1e9 {
        format!("{:.3} G", value / 1e9)
    } else if a >= 1e6 {
        format!("{:.3} M", value / 1e6)
    } else if a >= 1e3 {
        format!("{:.3} K", value / 1e3)
    } else {
        format!("{value:.1}")
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&View::default().render(self))
    }
}
