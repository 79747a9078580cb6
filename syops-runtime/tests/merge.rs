//! `Report::merge`: the shards' accumulators summed exactly, the per-sample numbers, energy and
//! coverage shares derived again, the same result whatever order the shards come in, and every
//! refusal naming what differs.
use syops_runtime::convention::{LayerStats, PerSample};
use syops_runtime::count::time::TimeStats;
use syops_runtime::count::Rates;
use syops_runtime::report::{
    Accuracy, Coverage, CoverageEntry, EnergyDetail, EnergyModel, EnergyRole, LayerEnergy, LayerRow, Report, Shard,
    Status, TimeSteps, SCHEMA_VERSION,
};

fn row(path: &str, type_name: &str, params: u64, stats: LayerStats) -> LayerRow {
    LayerRow {
        path: path.into(),
        type_name: type_name.into(),
        params,
        frozen_params: 0,
        input_shape: Some(vec![2, 8]),
        output_shape: Some(vec![2, 8]),
        status: Status::Counted,
        stats,
    }
}

/// Shard `index` of 3 of a two-layer run: `samples` samples, `acs` ACs booked by the neuron.
fn shard(index: usize, samples: u64, acs: f64, warnings: &[&str]) -> Report {
    let fc = LayerStats {
        calls: 1,
        sum_total: 64 * samples,
        sum_macs: 64 * samples,
        sum_rate_pct: 100.0,
        ..Default::default()
    };
    let lif = LayerStats {
        calls: 1,
        sum_total: 8 * samples,
        sum_acs: acs,
        sum_rate_pct: 12.5 + index as f64 * 0.1,
        ..Default::default()
    };
    let layers = vec![row("fc", "Linear", 72, fc), row("lif", "LIFNode", 0, lif)];
    let priced = vec![
        LayerEnergy::new("fc".into(), EnergyRole::Synaptic, 64.0, 0.0, 64.0, 72, 0),
        LayerEnergy::new("lif".into(), EnergyRole::Neuron, 8.0, acs / samples as f64, 0.0, 0, 8),
    ];
    let coverage = Coverage {
        calls: 3,
        counted_calls: 2,
        uncovered_calls: 1,
        uncovered: vec![CoverageEntry {
            path: "model.rs:7".into(),
            type_name: "unattributed".into(),
            receiver: Some("head".into()),
            calls: 1,
            dense_ops_estimate: 0,
        }],
        ..Coverage::default()
    };
    Report {
        schema: SCHEMA_VERSION,
        model: "Net".into(),
        convention: "syops-0.0.5".into(),
        batch_counter: samples,
        times_counter: 1,
        batches: 1,
        params: 72,
        per_sample: PerSample::default(),
        energy: EnergyModel::FP32_45NM.estimate(0.0, 0.0),
        layers,
        ignored_types: vec![],
        warnings: warnings.iter().map(|w| w.to_string()).collect(),
        coverage: Some(coverage),
        energy_detail: Some(EnergyDetail::new(
            EnergyModel::FP32_45NM,
            TimeSteps::given(4, "Session::time_steps"),
            priced,
        )),
        time: None,
        assumed_rates: None,
        accuracy: Some(Accuracy { samples, top1: index as u64, top5: samples }),
        shard: Some(Shard { index, count: 3, samples: 7, dataset: "cafe".into() }),
        neurobench: None,
    }
}

fn shards() -> [Report; 3] {
    [
        shard(0, 2, 1e16, &["generated weights", "w0"]),
        shard(1, 2, 1.0, &["generated weights"]),
        shard(2, 3, 1.0, &["w0", "generated weights"]),
    ]
}

fn error(reports: &[Report]) -> String {
    Report::merge(reports).unwrap_err().to_string()
}

#[test]
fn sums_exactly_and_derives_per_sample_numbers_again() {
    let m = Report::merge(&shards()).unwrap();
    assert_eq!((m.batch_counter, m.times_counter, m.batches, m.shard.as_ref()), (7, 3, 3, None));
    let (fc, lif) = (&m.layer("fc").unwrap().stats, &m.layer("lif").unwrap().stats);
    assert_eq!((fc.calls, fc.sum_total, fc.sum_macs, lif.sum_total), (3, 448, 448, 56));
    // Compensated: 1e16 + 1 + 1 loses both ones when added naively.
    assert_eq!(lif.sum_acs, 1e16 + 2.0);
    assert!((lif.sum_rate_pct - 37.8).abs() < 1e-13, "{}", lif.sum_rate_pct);
    let per = |x: f64| x / 7.0;
    assert_eq!(
        m.per_sample,
        PerSample {
            total: per(504.0),
            acs: per(1e16 + 2.0),
            macs: per(448.0),
            rate_slot: per(300.0 + lif.sum_rate_pct),
            ..PerSample::default()
        }
    );
    assert_eq!(m.energy, EnergyModel::FP32_45NM.estimate(m.per_sample.acs, m.per_sample.macs));
    let priced = vec![
        LayerEnergy::new("fc".into(), EnergyRole::Synaptic, per(448.0), 0.0, per(448.0), 72, 0),
        LayerEnergy::new("lif".into(), EnergyRole::Neuron, per(56.0), per(1e16 + 2.0), 0.0, 0, 8),
    ];
    let detail = EnergyDetail::new(EnergyModel::FP32_45NM, TimeSteps::given(4, "Session::time_steps"), priced);
    assert_eq!(m.energy_detail, Some(detail));
    assert_eq!(m.accuracy, Some(Accuracy { samples: 7, top1: 3, top5: 7 }));
    let c = m.coverage.unwrap();
    assert_eq!((c.calls, c.counted_calls, c.uncovered_calls, c.call_share), (9, 6, 3, 6.0 / 9.0));
    assert_eq!((c.uncovered.len(), c.uncovered[0].calls), (1, 3));
    assert_eq!(m.warnings, ["generated weights", "w0 (in 2 of 3 shards)"]);
}

#[test]
fn the_order_of_the_shards_does_not_matter() {
    let [a, b, c] = shards();
    let abc = Report::merge(&[a.clone(), b.clone(), c.clone()]).unwrap();
    let cab = Report::merge(&[c.clone(), a.clone(), b.clone()]).unwrap();
    let bca = Report::merge(&[b, c, a]).unwrap();
    assert_eq!(abc.to_json(), cab.to_json());
    assert_eq!(abc.to_json(), bca.to_json());
    // Plain reports (no shard) too.
    let plain: Vec<Report> = shards().into_iter().map(|r| Report { shard: None, ..r }).collect();
    let mut reversed = plain.clone();
    reversed.reverse();
    assert_eq!(Report::merge(&plain).unwrap().to_json(), Report::merge(&reversed).unwrap().to_json());
}

#[test]
fn a_missing_or_repeated_shard_is_an_error_naming_it() {
    let [a, b, c] = shards();
    let err = error(&[a.clone(), c.clone()]);
    assert!(err.contains("shard 1 of 3 is missing"), "{err}");
    let err = error(&[a.clone(), b.clone(), b.clone(), c.clone()]);
    assert!(err.contains("shard 1 appears 2 times"), "{err}");
    let mut other = c.clone();
    other.shard.as_mut().unwrap().dataset = "beef".into();
    let err = error(&[a.clone(), b.clone(), other]);
    assert!(err.contains("another split") && err.contains("beef"), "{err}");
    let err = error(&[a, b, Report { shard: None, ..c }]);
    assert!(err.contains("2 of the 3 reports are shards"), "{err}");
    assert!(error(&[]).contains("no reports"));
}

#[test]
fn reports_of_other_runs_are_refused_naming_the_difference() {
    let [a, b, _] = shards();
    let refused = |change: &dyn Fn(&mut Report), expect: &str| {
        let mut other = b.clone();
        change(&mut other);
        let err = error(&[a.clone(), other]);
        assert!(err.contains(expect), "expected `{expect}` in: {err}");
    };
    refused(&|r| r.model = "Other".into(), "model \"Other\"");
    refused(&|r| r.convention = "exact".into(), "convention");
    refused(&|r| r.schema = 1, "schema version");
    refused(&|r| r.energy.model = EnergyModel::INT8_45NM, "energy model");
    refused(&|r| r.layers[1].path = "lif2".into(), "layer (path, type, parameters, frozen parameters, status)");
    refused(&|r| r.layers[0].params = 1, "layer (path, type, parameters, frozen parameters, status)");
    refused(&|r| r.layers[0].frozen_params = 1, "layer (path, type, parameters, frozen parameters, status)");
    refused(
        &|r| {
            r.layers.pop();
        },
        "layer count",
    );
    refused(&|r| r.energy_detail = r.energy_detail.as_ref().map(|d| d.with(d.model, 8)), "time steps 8 against 4");
    refused(&|r| r.accuracy = None, "present");
    let time = TimeStats {
        percentiles: String::new(),
        samples: 2,
        rate_per_step: vec![],
        ops_per_step: vec![],
        per_sample_rate: None,
        per_sample_acs: None,
        per_sample_macs: None,
        layers: vec![],
        values: None,
    };
    refused(&|r| r.time = Some(time.clone()), "time-resolved statistics) present");
    refused(&|r| r.assumed_rates = Some(Rates::new()), "static count (assumed rates) true against false");
}
