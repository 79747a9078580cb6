//! `--depth N`: rows below depth N folded into their ancestor at depth N, as torchinfo does.
//!
//! A path's depth is its number of dot-separated segments (`layer1.0.conv1` is 3, the root is 0).
//!
//! ```
//! # use syops_runtime::convention::LayerStats;
//! # use syops_runtime::report::{LayerRow, Status};
//! # fn row(path: &str, acs: f64) -> LayerRow { LayerRow { path: path.into(), type_name: "Linear".into(),
//! #     params: 1, frozen_params: 0, input_shape: None, output_shape: None, status: Status::Counted,
//! #     stats: LayerStats { calls: 1, sum_acs: acs, ..Default::default() } } }
//! let rows = vec![row("a.0", 1.0), row("a.1", 2.0), row("b", 4.0)];
//! let folded = syops_runtime::report::aggregate(&rows, 1);
//! assert_eq!(folded.iter().map(|r| (r.path.as_str(), r.stats.sum_acs)).collect::<Vec<_>>(), [("a", 3.0), ("b", 4.0)]);
//! ```
use super::row::{LayerRow, Status};

/// Depth of a layer path: its number of dot-separated segments (0 for the root).
pub fn depth(path: &str) -> usize {
    if path.is_empty() {
        0
    } else {
        path.split('.').count()
    }
}

/// The first `depth` segments of `path`.
fn ancestor(path: &str, depth: usize) -> &str {
    match path.match_indices('.').nth(depth.wrapping_sub(1)) {
        _ if depth == 0 => "",
        Some((i, _)) => &path[..i],
        None => path,
    }
}

/// Rows folded to `depth`, in model order: each group keeps the position of its first row; stats
/// and parameters are summed; a folded group's type reads `N layers`.
pub fn aggregate(rows: &[LayerRow], depth: usize) -> Vec<LayerRow> {
    let mut out: Vec<(LayerRow, usize)> = Vec::new();
    for row in rows {
        let key = ancestor(&row.path, depth);
        match out.iter_mut().find(|(r, _)| r.path == key) {
            Some((group, n)) => {
                *n += 1;
                group.params += row.params;
                group.stats.add(&row.stats);
                group.type_name = format!("{n} layers");
                if row.output_shape.is_some() {
                    group.output_shape.clone_from(&row.output_shape);
                }
                if group.status != Status::Counted {
                    group.status = row.status;
                }
            }
            None => {
                let mut group = row.clone();
                if group.path != key {
                    group.path = key.to_string();
                    group.type_name = "1 layer".to_string();
                }
                out.push((group, 1));
            }
        }
    }
    out.into_iter().map(|(r, _)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::convention::LayerStats;

    fn row(path: &str, params: u64, macs: u64) -> LayerRow {
        LayerRow {
            path: path.into(),
            type_name: "Conv2d".into(),
            params,
            frozen_params: 0,
            input_shape: None,
            output_shape: Some(vec![1, params as usize]),
            status: Status::Counted,
            stats: LayerStats { calls: 1, sum_total: macs, sum_macs: macs, ..Default::default() },
        }
    }

    #[test]
    fn depth_counts_segments() {
        assert_eq!((depth(""), depth("fc"), depth("layer1.0.conv1")), (0, 1, 3));
        assert_eq!((ancestor("layer1.0.conv1", 2), ancestor("fc", 2), ancestor("a.b", 0)), ("layer1.0", "fc", ""));
    }

    #[test]
    fn folds_descendants_into_their_ancestor_in_model_order() {
        let rows = vec![
            row("conv1", 1, 10),
            row("layer1.0.conv1", 2, 20),
            row("layer1.0.conv2", 3, 30),
            row("layer1.1.conv1", 4, 40),
            row("fc", 5, 50),
        ];
        let d1 = aggregate(&rows, 1);
        let got: Vec<_> =
            d1.iter().map(|r| (r.path.as_str(), r.type_name.as_str(), r.params, r.stats.sum_macs)).collect();
        assert_eq!(got, [("conv1", "Conv2d", 1, 10), ("layer1", "3 layers", 9, 90), ("fc", "Conv2d", 5, 50)]);
        assert_eq!(d1[1].stats.calls, 3);
        assert_eq!(d1[1].output_shape, Some(vec![1, 4]));
        let d2: Vec<_> = aggregate(&rows, 2).into_iter().map(|r| r.path).collect();
        assert_eq!(d2, ["conv1", "layer1.0", "layer1.1", "fc"]);
        assert_eq!(aggregate(&rows, 9), rows);
        let root = aggregate(&rows, 0);
        assert_eq!((root.len(), root[0].path.as_str(), root[0].params), (1, "", 15));
    }
}
