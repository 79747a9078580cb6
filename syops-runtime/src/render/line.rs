//! One layer's per-sample numbers, as every format shows them.
use crate::convention::per_sample;
use crate::report::{LayerRow, Report, Status};

/// One layer's per-sample numbers (`None` for a layer that was not counted).
pub(crate) struct Line<'a> {
    pub(crate) row: &'a LayerRow,
    pub(crate) acs: Option<f64>,
    pub(crate) macs: Option<f64>,
    pub(crate) total: f64,
    pub(crate) energy_mj: Option<f64>,
}

/// The lines of `report`, in its row order.
pub(crate) fn lines(report: &Report) -> impl Iterator<Item = Line<'_>> {
    let ps = |x: f64| per_sample(x, report.batch_counter);
    report.layers.iter().map(move |row| {
        let s = &row.stats;
        let (acs, macs) = (ps(s.sum_acs), ps(s.sum_macs as f64));
        let counted = row.status == Status::Counted;
        Line {
            row,
            acs: counted.then_some(acs),
            macs: counted.then_some(macs),
            total: ps(s.sum_total as f64),
            energy_mj: counted.then(|| report.energy.model.estimate(acs, macs).total_mj),
        }
    })
}
