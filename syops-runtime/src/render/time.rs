//! The time-resolved section under the table ([`TimeStats`]): the rate per step, the per-sample
//! distributions and each neuron layer's dead and saturated neurons.
use std::fmt::Write;

use crate::count::time::{Dist, TimeStats};

/// The "time-resolved" section under the table (`prefix` starts each line).
pub(crate) fn summary(t: &TimeStats, prefix: &str, show: impl Fn(f64) -> String) -> String {
    let pct = |v: f64| format!("{:.2}", v * 100.0);
    let dist = |d: &Option<Dist>, f: &dyn Fn(f64) -> String| {
        d.map_or_else(
            || "-".to_string(),
            |d| format!("mean {}, p5 {}, p50 {}, p95 {}, max {}", f(d.mean), f(d.p5), f(d.p50), f(d.p95), f(d.max)),
        )
    };
    let mut out = format!("{prefix}time-resolved over {} samples (percentiles by nearest rank):\n", t.samples);
    const SHOWN: usize = 16;
    let mut steps: Vec<String> = t.rate_per_step.iter().take(SHOWN).map(|&r| pct(r)).collect();
    if t.rate_per_step.len() > SHOWN {
        steps.push(format!("… ({} steps)", t.rate_per_step.len()));
    }
    let _ = writeln!(out, "{prefix}  rate per step %    {}", steps.join(" "));
    let _ = writeln!(out, "{prefix}  rate per sample %  {}", dist(&t.per_sample_rate, &pct));
    let _ = writeln!(out, "{prefix}  ACs per sample     {}", dist(&t.per_sample_acs, &show));
    let _ = writeln!(out, "{prefix}  MACs per sample    {}", dist(&t.per_sample_macs, &show));
    for l in t.layers.iter().filter(|l| l.dead_fraction.is_some()) {
        let _ = writeln!(
            out,
            "{prefix}  {}  dead {} %, saturated {} % of {} neurons",
            l.path,
            pct(l.dead_fraction.unwrap_or(0.0)),
            pct(l.saturated_fraction.unwrap_or(0.0)),
            l.neurons.unwrap_or(0)
        );
    }
    out
}
