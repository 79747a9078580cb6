//! Units of counts: [`Units`] for a view, [`human`] for a number in the largest unit below it.
use std::str::FromStr;

use crate::Error;

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

/// Units of operation and parameter counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Units {
    /// Each number in the largest unit below it (`1.234 G`, `56.000 K`); raw numbers in CSV.
    #[default]
    Auto,
    /// Billions.
    G,
    /// Millions.
    M,
    /// Thousands.
    K,
}

impl Units {
    pub(crate) fn scale(self) -> Option<(f64, &'static str)> {
        match self {
            Units::Auto => None,
            Units::G => Some((1e9, "G")),
            Units::M => Some((1e6, "M")),
            Units::K => Some((1e3, "K")),
        }
    }

    /// `value` in these units: `human` for `Auto`, three decimals otherwise.
    pub fn show(self, value: f64) -> String {
        match self.scale() {
            None => human(value),
            Some((div, _)) => format!("{:.3}", value / div),
        }
    }

    pub(crate) fn header(self, name: &str) -> String {
        self.scale().map_or_else(|| name.to_string(), |(_, u)| format!("{name} ({u})"))
    }
}

impl FromStr for Units {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "auto" => Ok(Units::Auto),
            "G" | "g" => Ok(Units::G),
            "M" | "m" => Ok(Units::M),
            "K" | "k" => Ok(Units::K),
            _ => Err(Error::Invalid(format!("units `{s}`: expected auto, G, M or K"))),
        }
    }
}
