//! Assumed firing rates for static counts ([`Session::count_static`](crate::Session::count_static)):
//! what-if ACs from shapes alone, without data.
//!
//! A static count runs the model once on zeros and tests no tensor for spikes. Each counted layer
//! whose path has an assumed input rate books `dense × rate` ACs; a layer without one books its
//! dense count as MACs (analog input); neurons book their dense count as ACs, as always. The
//! first layer sees the raw data: give it a rate, or mark it [`Rates::analog`], with its path.
//!
//! ```
//! use syops_runtime::count::Rates;
//! let rates = Rates::new().default(0.15).set("layer1.*", 0.2).analog("conv1");
//! assert_eq!(rates.rate_for("layer1.0.conv2").unwrap(), Some(0.2));
//! assert_eq!(rates.rate_for("conv1").unwrap(), None);
//! assert_eq!(rates.rate_for("fc").unwrap(), Some(0.15));
//! assert!(Rates::new().set("fc", 1.5).rate_for("fc").unwrap_err().to_string().contains("`fc`"));
//! ```
use globset::{Glob, GlobMatcher};
use serde::{Deserialize, Serialize};

use crate::convention::spike::SpikeTest;
use crate::convention::{book_syops005, LayerStats};
use crate::model::{Ops, Split};
use crate::{Error, Result};

/// One assumed rate: a glob over dotted layer paths and the input firing rate of the layers it
/// matches (`None`: analog input, MACs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AssumedRate {
    /// Glob over dotted paths (`layer1.*`; `*` also crosses dots), as in budget files.
    pub pattern: String,
    /// Input firing rate in [0, 1], or `None` for an analog input.
    pub rate: Option<f64>,
}

/// Assumed input firing rates per layer: a default and per-path overrides; the last override
/// whose glob matches a path wins, else the default, else none (MACs).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    /// The rate of every counted layer no pattern matches; `None`: those book MACs.
    pub default: Option<f64>,
    /// Overrides, in the order given.
    pub layers: Vec<AssumedRate>,
}

impl Rates {
    /// No assumed rate: every synaptic layer books MACs.
    pub fn new() -> Self {
        Rates { default: None, layers: Vec::new() }
    }

    /// The input rate of every counted layer that no [`set`](Rates::set) pattern matches.
    pub fn default(mut self, rate: f64) -> Self {
        self.default = Some(rate);
        self
    }

    /// The input rate of the layers whose path matches `pattern`.
    pub fn set(mut self, pattern: impl Into<String>, rate: f64) -> Self {
        self.layers.push(AssumedRate { pattern: pattern.into(), rate: Some(rate) });
        self
    }

    /// The layers whose path matches `pattern` take analog input (MACs), whatever the default.
    pub fn analog(mut self, pattern: impl Into<String>) -> Self {
        self.layers.push(AssumedRate { pattern: pattern.into(), rate: None });
        self
    }

    /// The assumed rate of the layer at `path`; an error names an invalid rate or pattern.
    pub fn rate_for(&self, path: &str) -> Result<Option<f64>> {
        Ok(self.compile()?.rate_for(path))
    }

    /// Checks every rate and pattern.
    pub(crate) fn compile(&self) -> Result<CompiledRates> {
        if let Some(rate) = self.default {
            check(rate, "the default")?;
        }
        let mut matchers = Vec::with_capacity(self.layers.len());
        for AssumedRate { pattern, rate } in &self.layers {
            if let Some(rate) = *rate {
                check(rate, &format!("`{pattern}`"))?;
            }
            let glob = Glob::new(pattern)
                .map_err(|e| Error::Invalid(format!("assumed rate pattern `{pattern}`: {}", e.kind())))?;
            matchers.push(glob.compile_matcher());
        }
        Ok(CompiledRates { spec: self.clone(), matchers })
    }

    /// One line for the report's summary: `default 15.00 %, `layer1.*` 20.00 %, `conv1` analog`.
    pub(crate) fn describe(&self) -> String {
        let pct = |r: Option<f64>| r.map_or_else(|| "analog".to_string(), |r| format!("{:.2} %", r * 100.0));
        let mut parts: Vec<String> = self.default.map(|d| format!("default {}", pct(Some(d)))).into_iter().collect();
        parts.extend(self.layers.iter().map(|a| format!("`{}` {}", a.pattern, pct(a.rate))));
        if parts.is_empty() {
            "none (synaptic layers book MACs)".to_string()
        } else {
            parts.join(", ")
        }
    }
}

impl Default for Rates {
    fn default() -> Self {
        Rates::new()
    }
}

fn check(rate: f64, what: &str) -> Result<()> {
    if (0.0..=1.0).contains(&rate) {
        Ok(())
    } else {
        Err(Error::Invalid(format!("assumed rate {rate} for {what}: expected a firing rate in [0, 1]")))
    }
}

/// Rates with their globs compiled, as a static session uses them.
#[derive(Debug, Clone)]
pub(crate) struct CompiledRates {
    pub spec: Rates,
    matchers: Vec<GlobMatcher>,
}

impl CompiledRates {
    pub fn rate_for(&self, path: &str) -> Option<f64> {
        let hit = self.matchers.iter().rposition(|m| m.is_match(path));
        hit.map_or(self.spec.default, |i| self.spec.layers[i].rate)
    }

    /// A warning for every pattern that matched no counted layer (a typo would otherwise turn its
    /// layers' ACs into MACs silently).
    pub fn unmatched<'a>(&self, counted: impl Iterator<Item = &'a str> + Clone) -> Vec<String> {
        self.matchers
            .iter()
            .zip(&self.spec.layers)
            .filter(|(m, _)| !counted.clone().any(|path| m.is_match(path)))
            .map(|(_, a)| format!("assumed rate pattern `{}` matched no counted layer", a.pattern))
            .collect()
    }
}

/// Books one call of a static count: no spike test, the assumed rate decides.
pub(crate) fn book(stats: &mut LayerStats, ops: Ops, rate: Option<f64>) {
    let test = |spike: bool, rate: f64| Some(SpikeTest { spike, rate, non_finite: false });
    match (ops.split, rate) {
        (Split::TotalOnly, _) => book_syops005(stats, ops.dense, ops.split, None),
        // Synaptic: `dense × rate` ACs on an assumed spike input, else `dense` MACs at a rate of 1.
        (Split::AcOrMac, Some(r)) => book_syops005(stats, ops.dense, ops.split, test(true, r)),
        (Split::AcOrMac, None) => book_syops005(stats, ops.dense, ops.split, test(false, 1.0)),
        // Neurons: `dense` ACs; the rate column shows the assumed rate, or stays empty.
        (Split::Ac, r) => book_syops005(stats, ops.dense, ops.split, test(true, r.unwrap_or(0.0))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_matching_pattern_wins_then_default() {
        let r = Rates::new().default(0.1).set("layer*", 0.2).set("layer1.*", 0.3).compile().unwrap();
        assert_eq!(r.rate_for("layer1.0.conv1"), Some(0.3));
        assert_eq!(r.rate_for("layer2.0.conv1"), Some(0.2));
        assert_eq!(r.rate_for("fc"), Some(0.1));
        assert_eq!(Rates::new().compile().unwrap().rate_for("fc"), None);
    }

    #[test]
    fn invalid_rates_and_globs_are_named() {
        let err = |r: Rates| r.compile().unwrap_err().to_string();
        assert_eq!(
            err(Rates::new().default(f64::NAN)),
            "assumed rate NaN for the default: expected a firing rate in [0, 1]"
        );
        assert_eq!(
            err(Rates::new().set("conv1", -0.5)),
            "assumed rate -0.5 for `conv1`: expected a firing rate in [0, 1]"
        );
        assert!(err(Rates::new().set("layer[1", 0.5)).starts_with("assumed rate pattern `layer[1`: "));
    }

    #[test]
    fn booking_follows_the_assumed_rate() {
        let mut s = LayerStats::default();
        book(&mut s, Ops::synaptic(1000), Some(0.25)); // 250 ACs
        book(&mut s, Ops::synaptic(1000), None); // 1000 MACs
        book(&mut s, Ops::neuron(10), None); // 10 ACs, no rate
        book(&mut s, Ops::total_only(7), Some(0.5)); // total only
        assert_eq!((s.sum_total, s.sum_acs, s.sum_macs, s.sum_rate_pct), (2017, 260.0, 1000, 125.0));
    }

    #[test]
    fn describes_itself() {
        assert_eq!(
            Rates::new().default(0.15).set("layer1.*", 0.2).analog("conv1").describe(),
            "default 15.00 %, `layer1.*` 20.00 %, `conv1` analog"
        );
        assert_eq!(Rates::new().describe(), "none (synaptic layers book MACs)");
    }
}
