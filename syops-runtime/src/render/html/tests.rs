//! The page of a small report, worked by hand; the parts of the optional fields test themselves
//! in their files, on [`full`].
use super::markup::energy;
use super::*;
use crate::render::{Format, Units};
use crate::report::EnergyModel;

/// Two batches of samples: per sample, `block.fc1` does 2000 MACs, `block.sn` 1000 ACs, and the
/// third layer, whose path and type need escaping, was not counted.
pub(super) fn report() -> Report {
    serde_json::from_str(
        r#"{"schema":1,"model":"Net<&>","convention":"syops-0.0.5","batch_counter":2,"times_counter":1,"batches":1,
        "params":44,"per_sample":{"total":3000.0,"acs":1000.0,"macs":2000.0,"rate_slot":0.0},
        "energy":{"model":{"pj_per_ac":0.9,"pj_per_mac":4.6},"ac_mj":9e-7,"mac_mj":9.2e-6,"total_mj":1.01e-5},
        "layers":[
          {"path":"block.fc1","type":"Linear","params":40,"input_shape":[2,8],"output_shape":[2,4],"status":"counted",
           "calls":1,"sum_total":4000,"sum_acs":0.0,"sum_macs":4000,"sum_rate_pct":100.0},
          {"path":"block.sn","type":"IfNode","params":0,"input_shape":[2,4],"output_shape":[2,4],"status":"counted",
           "calls":1,"sum_total":2000,"sum_acs":2000.0,"sum_macs":0,"sum_rate_pct":50.0},
          {"path":"head&tail","type":"Evil<script>alert(1)</script>&Co","params":4,"input_shape":null,
           "output_shape":null,"status":"uncounted","calls":0,"sum_total":0,"sum_acs":0.0,"sum_macs":0,
           "sum_rate_pct":0.0}],
        "ignored_types":["Dropout"],
        "warnings":["`head&tail` (<Evil>) has no rule"]}"#,
    )
    .unwrap()
}

pub(super) fn page(view: View) -> String {
    View { format: Format::Html, ..view }.render(&report())
}

/// The `width` attributes of the `rect.bar` of class `class`, in order.
pub(super) fn widths(page: &str, class: &str) -> Vec<String> {
    let tag = format!(r#"<rect class="bar {class}" "#);
    page.split(&tag)
        .skip(1)
        .map(|s| s.split("width=\"").nth(1).unwrap().split('"').next().unwrap().to_string())
        .collect()
}

#[test]
fn is_self_contained() {
    let page = page(View::default());
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>\n"));
    for external in ["http://", "https://", "src=", "url(", "@import", "<link", "<script", "xmlns"] {
        assert!(!page.contains(external), "`{external}` in the page");
    }
    assert_eq!(page.matches("<svg").count(), 4, "ops, energy, rate and coverage charts");
}

#[test]
fn escapes_every_string_from_the_report() {
    let page = page(View::default());
    assert!(!page.contains("<script>") && !page.contains("Net<&>") && !page.contains("head&tail"));
    assert!(page.contains("Evil&lt;script&gt;alert(1)&lt;/script&gt;&amp;Co"));
    assert!(page.contains("<h2>Net&lt;&amp;&gt;</h2>") && page.contains("<title>syops: Net&lt;&amp;&gt;</title>"));
    assert!(page.contains("<li>`head&amp;tail` (&lt;Evil&gt;) has no rule</li>"));
    assert!(page.contains("Ignored types: Dropout"));
    assert_eq!(esc(r#"a"b'c"#), "a&quot;b&#39;c");
}

#[test]
fn every_layer_has_a_row_in_each_chart_and_the_table() {
    let page = page(View::default());
    for path in ["block.fc1", "block.sn", "head&amp;tail"] {
        // Label of the ops, energy and rate charts, tooltip of the coverage strip, table cell.
        assert_eq!(page.matches(&format!(">{path}<title>")).count(), 3, "{path}");
        assert!(page.contains(&format!("<title>{path}: ")), "{path}");
        assert!(page.contains(&format!("<td>{path}</td>")), "{path}");
    }
    assert_eq!(page.matches("<tr class=").count(), 3);
    assert!(page.contains(r#"<tr class="uncounted"><td>head&amp;tail</td>"#));
    assert!(page.contains(r#"<rect class="status uncounted""#));
    assert!(page.contains("counted <b>2</b>") && page.contains("uncounted <b>1</b>"));
}

#[test]
fn bars_are_the_per_sample_numbers_to_scale() {
    let page = page(View::default());
    // Ops: fc1 0 ACs + 2000 MACs (the largest, 560 px), sn 1000 ACs + 0 MACs (280 px).
    assert_eq!(widths(&page, "ac"), ["0.00", "280.00"]);
    assert_eq!(widths(&page, "mac"), ["560.00", "0.00"]);
    assert!(page.contains(">0.0 / 2.000 K<") && page.contains(">uncounted<"));
    // Energy: fc1 2000 × 4.6 pJ = 9.2 nJ (560 px), sn 1000 × 0.9 pJ = 0.9 nJ (560 × 0.9 / 9.2 = 54.78 px).
    assert_eq!(widths(&page, "energy"), ["560.00", "54.78"]);
    assert!(page.contains(">9.200 nJ<") && page.contains(">900.000 pJ<"));
    // Rates on a fixed 0-100 % axis: fc1 analog (100 %), sn 50 %; the uncounted layer has none.
    assert_eq!(widths(&page, "rate"), ["560.00", "280.00"]);
    assert!(page.contains(">50.00 %<") && page.contains(">no rate<"));
    // The header: per-sample totals and the energy model.
    assert!(page.contains("<dd>1.000 K per sample</dd>") && page.contains("<dd>2.000 K per sample</dd>"));
    assert!(page.contains("0.9 pJ per AC, 4.6 pJ per MAC (45 nm FP32, Horowitz 2014)"));
    assert!(page.contains("<dd>10.100 nJ per sample = ACs 900.000 pJ + MACs 9.200 nJ</dd>"));
}

#[test]
fn depth_units_and_energy_model_apply() {
    let page = page(View { depth: Some(1), units: Units::K, energy: Some(EnergyModel::INT8_45NM), ..View::default() });
    // `block` folds fc1 and sn: 1000 ACs + 2000 MACs, the largest bar.
    assert!(page.contains(">block<title>") && !page.contains("block.fc1") && !page.contains("block.sn"));
    assert_eq!((widths(&page, "ac"), widths(&page, "mac")), (vec!["186.67".to_string()], vec!["373.33".to_string()]));
    assert!(page.contains(">1.000 / 2.000<") && page.contains("<th>ACs (K)</th>") && page.contains("in K)"));
    // INT8: 1000 × 0.03 pJ + 2000 × 0.23 pJ = 490 pJ.
    assert!(page.contains("0.03 pJ per AC, 0.23 pJ per MAC (45 nm INT8)") && page.contains(">490.000 pJ<"));
    assert!(page.contains("<dd>2 rows (depth 1)</dd>"));
}

#[test]
fn several_reports_make_one_page() {
    let page = View::default().html(&[report(), report()]);
    assert_eq!(page.matches("<!DOCTYPE html>").count(), 1);
    assert!(page.contains(r##"<a href="#report-2">Net&lt;&amp;&gt;</a>"##) && page.contains(r#"id="report-2""#));
    assert!(page.contains("<title>syops: 2 reports</title>"));
}

#[test]
fn energy_reads_in_mj_or_a_smaller_unit() {
    assert_eq!(energy(1.084), "1.0840 mJ");
    assert_eq!(energy(0.0123), "0.0123 mJ");
    assert_eq!(energy(0.005), "5.000 µJ");
    assert_eq!(energy(3.6e-6), "3.600 nJ");
    assert_eq!(energy(0.0), "0 mJ");
}

/// [`report`] with every optional field, worked by hand in the tests of each part:
/// - exact convention: 1000 membrane updates and 3000 dense per sample; `block.sn` did 2000
///   membrane updates over the run's 2 samples.
/// - energy detail, FP32, 8 time steps: fc1 synaptic (2000 dense, 2000 MACs, 40 params), sn a
///   neuron (1000 updates, 1000 ACs, 4 membranes).
/// - coverage: 5 calls, 2 counted + 1 ignored (60 %), 6000 dense ops + 2000 estimated uncovered
///   (75 %); uncovered `head&tail` ×1 and a call site `src/<m>.rs:7` ×1; ignored `drop` ×1.
/// - time: rates 50, 25, 0, 100 % over 4 steps; per-sample rate 0.2 and 0.4; sn 25 % dead, 50 %
///   saturated of 4 neurons.
/// - static, with an assumed default rate of 15 %.
pub(super) fn full() -> Report {
    use crate::convention::ExactStats;
    use crate::count::time::{Dist, LayerTime, StepOps, TimeStats};
    use crate::count::Rates;
    use crate::report::{Coverage, CoverageEntry, EnergyDetail, EnergyRole, LayerEnergy, TimeSteps};
    let mut r = report();
    r.convention = "exact".into();
    r.per_sample.membrane_updates = Some(1000.0);
    r.per_sample.dense = Some(3000.0);
    r.layers[1].stats.exact = Some(ExactStats { acs: 2000, membrane_updates: 2000, ..ExactStats::default() });
    r.energy_detail = Some(EnergyDetail::new(
        EnergyModel::FP32_45NM,
        TimeSteps::given(8, "Session::time_steps"),
        vec![
            LayerEnergy::new("block.fc1".into(), EnergyRole::Synaptic, 2000.0, 0.0, 2000.0, 40, 0),
            LayerEnergy::new("block.sn".into(), EnergyRole::Neuron, 1000.0, 1000.0, 0.0, 0, 4),
        ],
    ));
    let entry = |path: &str, type_name: &str, receiver: Option<&str>, dense_ops_estimate| CoverageEntry {
        path: path.into(),
        type_name: type_name.into(),
        receiver: receiver.map(Into::into),
        calls: 1,
        dense_ops_estimate,
    };
    r.coverage = Some(Coverage {
        calls: 5,
        counted_calls: 2,
        ignored_calls: 1,
        uncovered_calls: 2,
        call_share: 0.6,
        dense_ops: 6000,
        uncovered_dense_ops_estimate: 2000,
        dense_share_estimate: 0.75,
        uncovered: vec![
            entry("head&tail", "Evil<script>", None, 2000),
            entry("src/<m>.rs:7", "unattributed", Some("x<y>"), 0),
        ],
        ignored: vec![entry("drop", "Dropout", None, 0)],
    });
    let dist = |v: &[f64]| Dist::of(v);
    r.time = Some(TimeStats {
        percentiles: "nearest-rank".into(),
        samples: 2,
        rate_per_step: vec![0.5, 0.25, 0.0, 1.0],
        ops_per_step: vec![StepOps { total: 750.0, acs: 250.0, macs: 500.0 }; 4],
        per_sample_rate: dist(&[0.2, 0.4]),
        per_sample_acs: dist(&[500.0, 1500.0]),
        per_sample_macs: dist(&[2000.0, 2000.0]),
        layers: vec![LayerTime {
            path: "block.sn".into(),
            type_name: "IfNode".into(),
            rate_per_step: vec![],
            ops_per_step: vec![],
            per_sample_rate: None,
            per_sample_acs: None,
            per_sample_macs: None,
            neurons: Some(4),
            dead_fraction: Some(0.25),
            saturated_fraction: Some(0.5),
            values: None,
        }],
        values: None,
    });
    r.assumed_rates = Some(Rates::new().default(0.15));
    r
}

#[test]
fn each_optional_part_shows_only_with_its_field() {
    let parts = [
        "static:</b> assumed rates default 15.00 %",
        "<dt>Membrane updates</dt>",
        "<dt>Dense</dt>",
        "<h3>Membrane updates per sample</h3>",
        "<dt>SNN energy</dt>",
        "<dt>ANN baseline</dt>",
        "<dt>Break-even rate</dt>",
        "<table class=\"energy\">",
        "<h3>Time-resolved</h3>",
        "<svg class=\"chart share\"",
        "<table class=\"uncovered\">",
    ];
    let bare = page(View::default());
    let full = View { format: Format::Html, ..View::default() }.render(&full());
    for part in parts {
        assert!(!bare.contains(part), "`{part}` without its field");
        assert!(full.contains(part), "`{part}` missing");
    }
    // The compute-only caveat gives way to the memory-inclusive figures.
    assert!(bare.contains("memory access not included") && !full.contains("memory access not included"));
    // ops, membrane, energy-detail, rate, steps, neurons, coverage strip, shares.
    assert_eq!(full.matches("<svg").count(), 8);
    for external in ["http://", "https://", "src=", "url(", "<script", "<m>", "x<y>"] {
        assert!(!full.contains(external), "`{external}` in the page");
    }
}
