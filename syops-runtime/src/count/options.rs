//! A session's options, as the counting state and the report's assembly read them (set through
//! [`Session`](crate::Session)'s builder methods).
use std::collections::HashMap;
use std::sync::Arc;

use super::rates::{CompiledRates, Rates};
use crate::convention::{counting_of, Convention, Counting};
use crate::model::{Call, Ops};
use crate::report::EnergyModel;
use crate::Result;

/// A user-supplied rule for a layer type, overriding the built-in one (syops'
/// `custom_modules_hooks`).
pub type RuleFn = Arc<dyn Fn(&Call<'_>) -> Result<Ops> + Send + Sync>;

/// Options of a counting session.
#[derive(Clone, Default)]
pub struct Options {
    pub(crate) ignore: Vec<String>,
    pub(crate) rules: HashMap<String, RuleFn>,
    pub(crate) energy: EnergyModel,
    pub(crate) progress: bool,
    pub(crate) tensor_ops_spike_test: bool,
    pub(crate) convention: Convention,
    pub(crate) strict: bool,
    pub(crate) time_steps: Option<u64>,
    pub(crate) time_resolved: bool,
    pub(crate) rates: Option<Rates>,
    pub(crate) static_rates: Option<Arc<CompiledRates>>,
}

impl Options {
    pub(crate) fn ignores(&self, type_name: &str) -> bool {
        self.ignore.iter().any(|t| t == type_name)
    }

    /// Whether spike tests run as tensor operations on every device (see
    /// [`Session::tensor_ops_spike_test`](crate::Session::tensor_ops_spike_test)).
    pub(crate) fn tensor_ops_spike_test(&self) -> bool {
        self.tensor_ops_spike_test
    }

    pub(crate) fn rule_for(&self, type_name: &str) -> Option<&RuleFn> {
        self.rules.get(type_name)
    }

    pub(crate) fn convention(&self) -> Convention {
        self.convention
    }

    /// How the session's convention counts.
    pub(crate) fn counting(&self) -> &'static dyn Counting {
        counting_of(self.convention)
    }

    pub(crate) fn time_resolved(&self) -> bool {
        self.time_resolved
    }

    /// The assumed rates of a static count ([`Session::count_static`](crate::Session::count_static)); `None` when data runs.
    pub(crate) fn static_rates(&self) -> Option<&CompiledRates> {
        self.static_rates.as_deref()
    }
}
