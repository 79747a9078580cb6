//! What every part of the page writes the same way: escaped text, counts and energies in their
//! units, row labels, status names and axis ticks.
use crate::render::line::Line;
use crate::render::units::human;
use crate::render::view::View;
use crate::report::Status;

/// A count in the view's units, with the unit (`1.000 K`, or `1.234 M` in `Auto`).
pub(super) fn count(view: &View, v: f64) -> String {
    match view.units.scale() {
        None => human(v),
        Some((div, u)) => format!("{:.3} {u}", v / div),
    }
}

pub(super) fn label(l: &Line) -> String {
    if l.row.path.is_empty() {
        "(root)".into()
    } else {
        l.row.path.clone()
    }
}

pub(super) fn status_name(s: Status) -> &'static str {
    match s {
        Status::Counted => "counted",
        Status::Ignored => "ignored",
        Status::Uncounted => "uncounted",
    }
}

/// Grid lines at 0, half and the whole of `max`.
pub(super) fn ticks(max: f64, show: &dyn Fn(f64) -> String) -> Vec<(f64, String)> {
    if max > 0.0 {
        [0.0, max / 2.0, max].iter().map(|&v| (v, show(v))).collect()
    } else {
        vec![]
    }
}

/// Millijoules as papers quote them (`1.0840 mJ`), or below 0.01 mJ in the unit that keeps them
/// readable (`3.600 nJ`).
pub(super) fn energy(mj: f64) -> String {
    let a = mj.abs();
    let (v, unit) = match a {
        _ if a == 0.0 => return "0 mJ".into(),
        _ if a >= 1e-2 => return format!("{mj:.4} mJ"),
        _ if a >= 1e-3 => (mj * 1e3, "µJ"),
        _ if a >= 1e-6 => (mj * 1e6, "nJ"),
        _ => (mj * 1e9, "pJ"),
    };
    format!("{v:.3} {unit}")
}

/// `s` with `& < > " '` escaped, safe in text and in quoted attributes.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
