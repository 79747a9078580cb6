//! Compares a runner output with a manifest's expectations, per the reference README.
use serde_json::Value;

use super::Expected;

/// Relative tolerances on the spike-dependent fields.
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// `sum_acs` and `sum_rate_pct` per layer.
    pub layer: f64,
    /// `acs` per sample.
    pub per_sample_acs: f64,
}

impl Tolerance {
    /// Float64 against `expected_f64`: the judge.
    pub const STRICT: Tolerance = Tolerance { layer: 1e-6, per_sample_acs: 1e-6 };
    /// Float32 against `expected`.
    pub const LOOSE: Tolerance = Tolerance { layer: 2e-2, per_sample_acs: 1e-3 };
}

fn rel(a: f64, b: f64) -> f64 {
    if a == b {
        0.0
    } else {
        (a - b).abs() / b.abs().max(1.0)
    }
}

/// Every mismatch between `got` (a runner output) and `want`, as readable lines.
pub fn compare(got: &Value, want: &Expected, tol: Tolerance) -> Vec<String> {
    let mut bad = Vec::new();
    let num = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    for (k, w) in [
        ("batch_counter", want.batch_counter as f64),
        ("times_counter", want.times_counter as f64),
        ("params", want.params as f64),
    ] {
        if num(got, k) != w {
            bad.push(format!("{k}: got {}, want {w}", num(got, k)));
        }
    }
    let ps = &got["per_sample"];
    for (k, w) in [("total", want.per_sample.total), ("macs", want.per_sample.macs)] {
        if rel(num(ps, k), w) > 1e-12 {
            bad.push(format!("per_sample.{k}: got {}, want {w}", num(ps, k)));
        }
    }
    if rel(num(ps, "acs"), want.per_sample.acs) > tol.per_sample_acs {
        bad.push(format!("per_sample.acs: got {}, want {}", num(ps, "acs"), want.per_sample.acs));
    }
    let layers = got["layers"].as_array().cloned().unwrap_or_default();
    for w in &want.layers {
        let Some(g) = layers.iter().find(|l| l["path"] == w.path.as_str()) else {
            bad.push(format!("layer `{}` ({}) missing", w.path, w.type_name));
            continue;
        };
        let p = &w.path;
        for (k, want_v) in [
            ("params", w.params as f64),
            ("calls", w.calls as f64),
            ("sum_total", w.sum_total),
            ("sum_macs", w.sum_macs),
        ] {
            if num(g, k) != want_v {
                bad.push(format!("`{p}`.{k}: got {}, want {want_v}", num(g, k)));
            }
        }
        if (num(g, "sum_acs") > 0.0) != (w.sum_acs > 0.0) {
            bad.push(format!("`{p}`: AC/MAC decision differs (sum_acs got {}, want {})", num(g, "sum_acs"), w.sum_acs));
        }
        for (k, want_v) in [("sum_acs", w.sum_acs), ("sum_rate_pct", w.sum_rate_pct)] {
            if rel(num(g, k), want_v) > tol.layer {
                bad.push(format!("`{p}`.{k}: got {}, want {want_v} (rel {:.2e})", num(g, k), rel(num(g, k), want_v)));
            }
        }
        if g["type"] != w.type_name.as_str() {
            bad.push(format!("`{p}`.type: got {}, want {}", g["type"], w.type_name));
        }
    }
    // Rows syops does not have must count nothing.
    for g in &layers {
        let path = g["path"].as_str().unwrap_or_default();
        if !want.layers.iter().any(|w| w.path == path) && (num(g, "sum_total") != 0.0 || num(g, "sum_rate_pct") != 0.0)
        {
            bad.push(format!("`{path}` is not counted by syops but counted {}", num(g, "sum_total")));
        }
    }
    bad
}
