//! Which convention a session counts under: its name in reports and on the command line, and what
//! it asks of the rules. How each one counts is its own file ([`super::syops005`], [`super::exact`],
//! [`super::neurobench`]). `cargo syops --convention NAME` hands a run its convention through
//! [`CONVENTION_ENV`], which overrides [`Session::convention`](crate::Session::convention).
//!
//! ```
//! use syops_runtime::convention::Convention;
//! assert_eq!("exact".parse::<Convention>().unwrap(), Convention::Exact);
//! assert_eq!("neurobench".parse::<Convention>().unwrap(), Convention::NeuroBench);
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
    /// NeuroBench 2.3's metrics: SynapticOperations (effective ACs and MACs: products of non-zero
    /// weights and non-zero inputs of the connection layers; Dense), MembraneUpdates,
    /// ActivationSparsity, and the static Footprint, ParameterCount and ConnectionSparsity.
    NeuroBench,
}

/// Environment variable naming the convention every session of a program counts under, whatever
/// it asked for (`cargo syops --convention NAME` sets it).
pub const CONVENTION_ENV: &str = "SYOPS_CONVENTION";

impl Convention {
    /// The name written in reports (`syops-0.0.5`, `exact`).
    pub fn name(self) -> &'static str {
        match self {
            Convention::Syops005 => "syops-0.0.5",
            Convention::Exact => "exact",
            Convention::NeuroBench => "neurobench",
        }
    }

    /// The convention [`CONVENTION_ENV`] names, if it is set; an error naming the variable when
    /// its value is not a convention.
    pub fn from_env() -> crate::Result<Option<Convention>> {
        match std::env::var(CONVENTION_ENV) {
            Ok(name) => name.parse().map(Some).map_err(|e| Error::Invalid(format!("{CONVENTION_ENV}={name}: {e}"))),
            Err(_) => Ok(None),
        }
    }

    /// Whether rules attach their event-exact cost ([`Ops::exact_with`](crate::model::Ops::exact_with)).
    pub(crate) fn wants_exact_ops(self) -> bool {
        self == Convention::Exact
    }

    /// Whether rules attach what NeuroBench reads ([`Ops::neurobench_with`](crate::model::Ops::neurobench_with)).
    pub(crate) fn wants_neurobench_ops(self) -> bool {
        self == Convention::NeuroBench
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
            "neurobench" => Ok(Convention::NeuroBench),
            _ => Err(Error::Invalid(format!("convention `{s}`: expected syops-0.0.5 (or syops), exact or neurobench"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_unknown_names_are_errors() {
        for c in [Convention::Syops005, Convention::Exact, Convention::NeuroBench] {
            assert_eq!(c.to_string().parse::<Convention>().unwrap(), c);
        }
        assert_eq!("syops".parse::<Convention>().unwrap(), Convention::Syops005);
        let err = "neurobench2".parse::<Convention>().unwrap_err().to_string();
        assert!(err.contains("`neurobench2`") && err.contains("exact"), "{err}");
    }
}
