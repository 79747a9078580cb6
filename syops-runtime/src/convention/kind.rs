//! Which convention a session counts under: its name in reports and on the command line, and what
//! it asks of the rules. How each one counts is its own file ([`super::syops005`], [`super::exact`]).
//!
//! ```
//! use syops_runtime::convention::Convention;
//! assert_eq!("exact".parse::<Convention>().unwrap(), Convention::Exact);
//! assert_eq!(Convention::default().to_string(), "syops-0.0.5");
//! ```
use std::fmt;
use std::str::FromStr;

use crate::Error;

/// How a session turns layer calls into ACs and MACs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum Convention {
    /// syops 0.0.5, quirks included: spike test on `output[0]` for activations and neurons, ACs
    /// as `dense × rate`, neurons counted as ACs, recurrent layers and attention in the total only.
    #[default]
    Syops005,
    /// Event-exact: whole-tensor spike tests, ACs as the (nonzero input, weight) pairs that meet,
    /// neurons as membrane updates, recurrent layers and attention split into ACs and MACs.
    Exact,
}

impl Convention {
    /// The name written in reports (`syops-0.0.5`, `exact`).
    pub fn name(self) -> &'static str {
        match self {
            Convention::Syops005 => "syops-0.0.5",
            Convention::Exact => "exact",
        }
    }

    /// Whether rules attach their event-exact cost ([`Ops::exact_with`](crate::model::Ops::exact_with)).
    pub(crate) fn wants_exact_ops(self) -> bool {
        match self {
            Convention::Syops005 => false,
            Convention::Exact => true,
        }
    }
}

impl fmt::Display for Convention {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Convention {
    type Err = Error;
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "syops-0.0.5" | "syops" => Ok(Convention::Syops005),
            "exact" => Ok(Convention::Exact),
            _ => Err(Error::Invalid(format!("convention `{s}`: expected syops-0.0.5 (or syops) or exact"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for c in [Convention::Syops005, Convention::Exact] {
            assert_eq!(c.to_string().parse::<Convention>().unwrap(), c);
        }
        assert_eq!("syops".parse::<Convention>().unwrap(), Convention::Syops005);
        let err = "neurobench".parse::<Convention>().unwrap_err().to_string();
        assert!(err.contains("`neurobench`") && err.contains("exact"), "{err}");
    }
}
