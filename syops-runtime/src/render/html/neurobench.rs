//! NeuroBench's metrics on the page (reports counted under its convention only): the run's
//! metrics as NeuroBench names them, and a table of the layers it counts, per sample.
use std::fmt::Write;

use super::markup::{count, esc};
use crate::convention::per_sample;
use crate::render::neurobench::{ratio, rows};
use crate::render::view::View;
use crate::report::Report;

/// Nothing unless the report has NeuroBench's metrics.
pub(super) fn neurobench(view: &View, r: &Report) -> String {
    let Some(nb) = &r.neurobench else { return String::new() };
    let s = &nb.synaptic_operations;
    let items = [
        (
            "SynapticOperations",
            format!(
                "Effective_ACs {}, Effective_MACs {}, Dense {} per sample",
                count(view, s.effective_acs),
                count(view, s.effective_macs),
                count(view, s.dense)
            ),
        ),
        ("MembraneUpdates", format!("{} per sample", count(view, nb.membrane_updates))),
        ("ActivationSparsity", ratio(nb.activation_sparsity)),
        (
            "ConnectionSparsity",
            format!(
                "{} ({} zero of {} connection weights)",
                ratio(nb.connection_sparsity),
                nb.statics.zero_weights,
                nb.statics.connection_weights
            ),
        ),
        ("Footprint", format!("{} bytes (parameters and buffers)", nb.statics.footprint)),
        ("ParameterCount", nb.statics.parameter_count.to_string()),
    ];
    let mut out = String::from(
        "<h3>NeuroBench 2.3 metrics</h3>\n<p class=\"note\">effective operations: products of non-zero weights and \
         non-zero inputs of connection layers (ACs when every input is -1, 0 or 1); dense: every connection</p>\n\
         <dl class=\"summary neurobench\">\n",
    );
    for (term, value) in items {
        let _ = writeln!(out, "<dt>{term}</dt><dd>{}</dd>", esc(&value));
    }
    out += "</dl>\n<table class=\"neurobench\">\n<thead><tr><th>layer</th><th>type</th><th>effective ACs</th>\
            <th>effective MACs</th><th>dense</th><th>membrane updates</th><th>activation sparsity</th></tr></thead>\n<tbody>\n";
    let ps = |v: u64| count(view, per_sample(v as f64, r.batch_counter));
    for (row, l) in rows(r) {
        let sparsity = l.activation_sparsity().map_or_else(String::new, |v| format!("{v:.4}"));
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{}</td><td class=\"num\">{}</td></tr>",
            esc(&row.path),
            esc(&row.type_name),
            ps(l.effective_acs),
            ps(l.effective_macs),
            ps(l.dense),
            ps(l.membrane_updates),
            sparsity
        );
    }
    out + "</tbody>\n</table>\n"
}

#[cfg(test)]
mod tests {
    use crate::convention::{NeuroBenchMetrics, NeuroBenchStats, StaticMetrics};
    use crate::render::html::tests::report;
    use crate::render::{Format, View};

    #[test]
    fn shown_only_with_neurobench_metrics() {
        let html = View { format: Format::Html, ..View::default() };
        let mut r = report();
        assert!(!html.render(&r).contains("NeuroBench"));
        r.neurobench = Some(NeuroBenchMetrics {
            statics: StaticMetrics { footprint: 40, parameter_count: 10, zero_weights: 2, connection_weights: 8 },
            connection_sparsity: Some(0.25),
            activation_sparsity: None,
            ..NeuroBenchMetrics::default()
        });
        r.layers[0].stats.neurobench = Some(NeuroBenchStats { effective_acs: 6, dense: 16, ..Default::default() });
        let page = html.render(&r);
        assert!(page.contains("<dt>ConnectionSparsity</dt><dd>0.2500 (2 zero of 8 connection weights)</dd>"), "{page}");
        assert!(page.contains("<dt>ActivationSparsity</dt><dd>undefined</dd>"));
        assert!(page.contains("<dt>Footprint</dt><dd>40 bytes (parameters and buffers)</dd>"));
        // 6 effective ACs and 16 dense over the report's 2 samples.
        assert!(
            page.contains("<td class=\"num\">3.0</td><td class=\"num\">0.0</td><td class=\"num\">8.0</td>"),
            "{page}"
        );
    }
}
