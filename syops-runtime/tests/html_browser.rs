//! The HTML report as headless Chromium renders it: what the page shows, measured in the browser,
//! and a screenshot whose bar pixels are counted.
//!
//! Needs Debian's `chromium` package (`chromium` or `chromium-browser` on PATH, or `$CHROMIUM`);
//! without it these tests fail, unless `SYOPS_SKIP_BROWSER_TESTS=1`.
use std::{
    env,
    path::{Path, PathBuf},
    process::{Command, Stdio},
    thread,
    time::{Duration, Instant},
};

use syops_runtime::convention::{LayerStats, PerSample};
use syops_runtime::count::{
    time::{Dist, LayerTime, StepOps, TimeStats},
    Rates,
};
use syops_runtime::render::{Format, View};
use syops_runtime::report::{
    Coverage, CoverageEntry, EnergyDetail, EnergyModel, EnergyRole, LayerEnergy, LayerRow, Report, Status, TimeSteps,
    SCHEMA_VERSION,
};

/// Counted layers, as many as a ResNet-18 has rows.
const LAYERS: usize = 64;
/// Samples: the raw sums below are twice the per-sample numbers.
const SAMPLES: u64 = 2;
/// Widest bar, in CSS pixels (`chart::BAR_W`).
const BAR_W: f64 = 560.0;
/// Bar height, in CSS pixels.
const BAR_H: f64 = 12.0;
const AC_RGB: [u8; 3] = [0x4e, 0x79, 0xa7];
const MAC_RGB: [u8; 3] = [0xf2, 0x8e, 0x2b];

/// Per sample, layer `i` does 100·(i+1) ACs and 50·(64−i) MACs, with input firing rate (i+1)/64.
fn per_sample(i: usize) -> (f64, f64, f64) {
    (100.0 * (i + 1) as f64, 50.0 * (LAYERS - i) as f64, (i + 1) as f64 / LAYERS as f64)
}

fn path(i: usize) -> String {
    format!("layer{}.{}.conv{}", i / 8 + 1, (i / 4) % 2, i % 4 + 1)
}

/// 64 counted layers, then one uncounted layer whose type and warning would run script if they
/// were not escaped.
fn report() -> Report {
    let mut layers: Vec<LayerRow> = (0..LAYERS)
        .map(|i| {
            let (acs, macs, rate) = per_sample(i);
            let sum_acs = acs * SAMPLES as f64;
            let sum_macs = macs as u64 * SAMPLES;
            LayerRow {
                path: path(i),
                type_name: "Conv2d".into(),
                params: 1000,
                frozen_params: 0,
                input_shape: Some(vec![2, 64, 8, 8]),
                output_shape: Some(vec![2, 64, 8, 8]),
                status: Status::Counted,
                stats: LayerStats {
                    calls: 1,
                    sum_total: sum_acs as u64 + sum_macs,
                    sum_acs,
                    sum_macs,
                    sum_rate_pct: rate * 100.0,
                    non_finite_calls: 0,
                    ..LayerStats::default()
                },
            }
        })
        .collect();
    layers.push(LayerRow {
        path: "evil&co".into(),
        type_name: "Evil<script>document.body.setAttribute('data-pwned','1')</script>".into(),
        params: 0,
        frozen_params: 0,
        input_shape: None,
        output_shape: None,
        status: Status::Uncounted,
        stats: LayerStats::default(),
    });
    // Sums over i = 1..=64: 100 · 2080 ACs and 50 · 2080 MACs per sample.
    let (acs, macs) = (208_000.0, 104_000.0);
    Report {
        schema: SCHEMA_VERSION,
        model: "SpikingNet".into(),
        convention: "syops-0.0.5".into(),
        batch_counter: SAMPLES,
        times_counter: 1,
        batches: 1,
        params: 64_000,
        per_sample: PerSample { total: acs + macs, acs, macs, rate_slot: 0.0, ..PerSample::default() },
        energy: EnergyModel::FP32_45NM.estimate(acs, macs),
        layers,
        ignored_types: vec![],
        coverage: None,
        energy_detail: None,
        time: None,
        assumed_rates: None,
        accuracy: None,
        shard: None,
        neurobench: None,
        warnings: vec![
            "`evil&co` (<img src=x onerror=document.body.setAttribute('data-pwned','2')>) has no rule".into()
        ],
    }
}

/// The browser, or `None` when absent and `SYOPS_SKIP_BROWSER_TESTS=1`.
fn chromium() -> Option<PathBuf> {
    let on_path = |name: &str| env::split_paths(&env::var_os("PATH")?).map(|d| d.join(name)).find(|p| p.is_file());
    let found = env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| on_path("chromium"))
        .or_else(|| on_path("chromium-browser"));
    match found {
        Some(path) => Some(path),
        None if env::var("SYOPS_SKIP_BROWSER_TESTS").as_deref() == Ok("1") => {
            eprintln!("skipped: no chromium on PATH and SYOPS_SKIP_BROWSER_TESTS=1");
            None
        }
        None => panic!(
            "no headless browser: install Debian's `chromium` package (`apt-get install chromium`), put \
             `chromium` or `chromium-browser` on PATH or set CHROMIUM=/path/to/it; \
             or set SYOPS_SKIP_BROWSER_TESTS=1 to skip the browser tests"
        ),
    }
}

/// A fresh directory under the target's temporary directory.
fn workdir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("html_browser_{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs headless Chromium on `page` with `args`; returns its stdout (through files: a DOM dump fills
/// a pipe's buffer before the browser exits).
fn browse(browser: &Path, dir: &Path, page: &Path, args: &[String]) -> String {
    let (stdout, stderr) = (dir.join("stdout.txt"), dir.join("stderr.txt"));
    let mut child = Command::new(browser)
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--force-device-scale-factor=1"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .args(args)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&stdout).unwrap())
        .stderr(std::fs::File::create(&stderr).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", browser.display()));
    let deadline = Instant::now() + Duration::from_secs(180);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{} did not finish within 180 s", browser.display());
        }
        thread::sleep(Duration::from_millis(100));
    };
    let read = |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
    assert!(status.success(), "chromium failed: {}", read(&stderr));
    read(&stdout)
}

/// Appended to a copy of the page: writes what the browser laid out into `<pre id="measured">`,
/// one line per chart (`svg|kind|width`), label (`label|kind|path|left|right`), bar
/// (`bar|kind|path|class|width|data-value|left`), marker (`marker|kind|path|class|centre`) and
/// column (`column|kind|step|height|width|bottom`), positions relative to the chart's edges.
const MEASURE: &str = r"<script>
(() => {
  const out = [];
  const fix = (v) => v.toFixed(2);
  for (const svg of document.querySelectorAll('svg.chart')) {
    const kind = svg.classList[1], s = svg.getBoundingClientRect();
    out.push(['svg', kind, fix(s.width)].join('|'));
    for (const g of svg.querySelectorAll('g.row')) {
      const label = g.querySelector('text.label'), l = label.getBoundingClientRect();
      const path = label.querySelector('title').textContent;
      out.push(['label', kind, path, fix(l.left - s.left), fix(l.right - s.left)].join('|'));
      for (const r of g.querySelectorAll('rect.bar')) {
        const b = r.getBoundingClientRect();
        out.push(['bar', kind, path, r.classList[1], fix(b.width), r.dataset.value, fix(b.left - s.left)].join('|'));
      }
      for (const r of g.querySelectorAll('rect.marker')) {
        const b = r.getBoundingClientRect();
        out.push(['marker', kind, path, r.classList[1], fix(b.left + b.width / 2 - s.left)].join('|'));
      }
    }
    for (const r of svg.querySelectorAll(':scope > rect.bar')) {
      const b = r.getBoundingClientRect();
      out.push(['column', kind, r.dataset.step, fix(b.height), fix(b.width), fix(s.bottom - b.bottom)].join('|'));
    }
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = out.join('\n');
  document.body.append(pre);
})();
</script>
";

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

/// `report` as the browser lays it out: the DOM after [`MEASURE`] ran, and its measured lines.
fn measure(browser: &Path, name: &str, report: &Report) -> (String, Vec<Vec<String>>) {
    let dir = workdir(name);
    let page = View { format: Format::Html, ..View::default() }.render(report);
    let file = dir.join("measured.html");
    std::fs::write(&file, page.replace("</body>", &format!("{MEASURE}</body>"))).unwrap();
    // 1200 px wide: the charts (about 880 px) are not scaled down to fit.
    let dom = browse(browser, &dir, &file, &["--dump-dom".into(), "--window-size=1200,2000".into()]);
    let measured = dom.split("<pre id=\"measured\">").nth(1).and_then(|s| s.split("</pre>").next()).expect("measured");
    let lines = unescape(measured).lines().map(|l| l.split('|').map(String::from).collect()).collect();
    (dom, lines)
}

#[test]
fn the_browser_shows_every_layer_and_bars_to_scale() {
    let Some(browser) = chromium() else { return };
    let (dom, lines) = measure(&browser, "dom", &report());

    // Nothing from the report ran as script or markup.
    assert!(dom.contains("<h2>SpikingNet</h2>"), "{dom}");
    // (the type name and the warning would set `data-pwned` on the body).
    assert!(dom.contains("<body>") && !dom.contains("<body data-pwned"), "a string from the report ran as script");
    assert!(!dom.contains("<img"), "a string from the report became markup");
    assert!(dom.contains("Evil&lt;script&gt;document.body.setAttribute('data-pwned','1')&lt;/script&gt;"));
    // The header and the table, as rendered: 208000 and 104000 per sample, 65 rows.
    assert!(dom.contains("<dd>208.000 K per sample</dd>") && dom.contains("<dd>104.000 K per sample</dd>"));
    assert_eq!(dom.matches("<tr class=\"counted\">").count(), LAYERS);
    assert_eq!(dom.matches("<tr class=\"uncounted\">").count(), 1);

    let charts: Vec<_> = lines.iter().filter(|l| l[0] == "svg").map(|l| l[1].as_str()).collect();
    assert_eq!(charts, ["ops", "energy", "rate", "coverage"]);

    // Every chart labels every layer, left of its bars and inside the chart.
    for kind in ["ops", "energy", "rate"] {
        let labels: Vec<_> = lines.iter().filter(|l| l[0] == "label" && l[1] == kind).collect();
        let paths: Vec<_> = labels.iter().map(|l| l[2].to_string()).collect();
        let mut expected: Vec<_> = (0..LAYERS).map(path).collect();
        expected.push("evil&co".into());
        assert_eq!(paths, expected, "{kind}");
        for l in &labels {
            let (left, right): (f64, f64) = (l[3].parse().unwrap(), l[4].parse().unwrap());
            // 12 px monospace: about 7 px a character.
            let chars = l[2].chars().count() as f64;
            assert!(left >= 0.0 && right - left >= 6.0 * chars, "{kind} label {l:?} is clipped or empty");
            let bar_left = lines.iter().find(|b| b[0] == "bar" && b[1] == kind && b[2] == l[2]).map(|b| b[6].as_str());
            if let Some(x) = bar_left {
                assert!(right <= x.parse::<f64>().unwrap(), "{kind} label {l:?} overlaps its bar at {x}");
            }
        }
    }

    // Bars as laid out, in CSS pixels: value / largest value × 560.
    let width = |kind: &str, class: &str, i: usize| -> f64 {
        let b = lines.iter().find(|b| b[0] == "bar" && b[1] == kind && b[3] == class && b[2] == path(i));
        b.unwrap_or_else(|| panic!("no {kind} {class} bar for {}", path(i)))[4].parse().unwrap()
    };
    let bars = |kind: &str| lines.iter().filter(|b| b[0] == "bar" && b[1] == kind).count();
    assert_eq!((bars("ops"), bars("energy"), bars("rate")), (2 * LAYERS, LAYERS, LAYERS));
    // Ops of row i: 100(i+1) + 50(64−i) = 3300 + 50 i, largest at i = 63: 6450.
    // Energy of row i: 0.9·100(i+1) + 4.6·50(64−i) = 14810 − 140 i pJ, largest at i = 0: 14810 pJ.
    for i in 0..LAYERS {
        let (acs, macs, rate) = per_sample(i);
        let close = |got: f64, want: f64, what: &str| assert!((got - want).abs() < 0.02, "{what} {i}: {got} vs {want}");
        close(width("ops", "ac", i), acs / 6450.0 * BAR_W, "ACs");
        close(width("ops", "mac", i), macs / 6450.0 * BAR_W, "MACs");
        close(width("energy", "energy", i), (0.9 * acs + 4.6 * macs) / 14810.0 * BAR_W, "energy");
        close(width("rate", "rate", i), rate * BAR_W, "rate");
    }
}

/// [`report`] with the optional fields filled by hand: a memory-inclusive estimate of two layers,
/// coverage, time-resolved statistics over 4 steps, and the static mark.
fn full_report() -> Report {
    let entry = |path: &str, type_name: &str, receiver: Option<&str>, calls| CoverageEntry {
        path: path.into(),
        type_name: type_name.into(),
        receiver: receiver.map(Into::into),
        calls,
        dense_ops_estimate: 0,
    };
    let neuron = LayerTime {
        path: "layer1.0.sn".into(),
        type_name: "LifNode".into(),
        rate_per_step: vec![],
        ops_per_step: vec![],
        per_sample_rate: None,
        per_sample_acs: None,
        per_sample_macs: None,
        neurons: Some(64),
        dead_fraction: Some(0.125),
        saturated_fraction: Some(0.0625),
        values: None,
    };
    Report {
        // FP32, 8 time steps: the first layer synaptic (2000 MACs, 40 weights), the second a neuron
        // (1000 updates, 4 membranes); the other rows have no energy detail.
        energy_detail: Some(EnergyDetail::new(
            EnergyModel::FP32_45NM,
            TimeSteps::given(8, "Session::time_steps"),
            vec![
                LayerEnergy::new(path(0), EnergyRole::Synaptic, 2000.0, 0.0, 2000.0, 40, 0),
                LayerEnergy::new(path(1), EnergyRole::Neuron, 1000.0, 1000.0, 0.0, 0, 4),
            ],
        )),
        coverage: Some(Coverage {
            calls: 66,
            counted_calls: 64,
            ignored_calls: 0,
            uncovered_calls: 2,
            call_share: 64.0 / 66.0,
            dense_ops: 624_000,
            uncovered_dense_ops_estimate: 0,
            dense_share_estimate: 1.0,
            uncovered: vec![
                entry("evil&co", "Evil<script>", None, 1),
                entry("src/<img src=x onerror=alert(1)>.rs:9", "unattributed", Some("net"), 1),
            ],
            ignored: vec![],
        }),
        time: Some(TimeStats {
            percentiles: "nearest-rank".into(),
            samples: 2,
            rate_per_step: vec![0.1, 0.4, 0.8],
            ops_per_step: vec![StepOps::default(); 3],
            per_sample_rate: Dist::of(&[0.3, 0.5]),
            per_sample_acs: None,
            per_sample_macs: None,
            layers: vec![neuron],
            values: None,
        }),
        assumed_rates: Some(Rates::new().default(0.2)),
        accuracy: None,
        shard: None,
        neurobench: None,
        ..report()
    }
}

#[test]
fn the_browser_shows_the_optional_sections_to_scale() {
    let Some(browser) = chromium() else { return };
    let (dom, lines) = measure(&browser, "full", &full_report());
    assert!(!dom.contains("<body data-pwned") && !dom.contains("<img"), "a string from the report became markup");
    let charts: Vec<_> = lines.iter().filter(|l| l[0] == "svg").map(|l| l[1].as_str()).collect();
    assert_eq!(charts, ["ops", "energy-detail", "rate", "steps", "neurons", "coverage", "share"]);

    // The header, as rendered. Compute: 2000 × 4.6 + 1000 × 0.9 = 10100 pJ; memory: 2000 weight
    // reads and 2000 membrane accesses at 5 pJ (32/64 of a 10 pJ SRAM access) = 20000 pJ more.
    // ANN: 2000 / 8 = 250 MACs: 1150 pJ, plus 250 reads: 2400 pJ.
    assert!(dom.contains("<b>10.100 nJ</b> compute only | <b>30.100 nJ</b> with memory, per sample"), "{dom}");
    assert!(dom.contains("<b>1.150 nJ</b> compute only | <b>2.400 nJ</b> with memory, per sample"));
    assert!(dom.contains("<b>static:</b> assumed rates default 20.00 % (no data: one forward pass on zeros)"));
    assert!(!dom.contains("memory access not included"));
    // Coverage: 64 of 66 calls; the call site's path is text.
    assert!(dom.contains("97.0 % of calls, 100.0 % of dense ops"));
    assert!(dom.contains("<td>net.forward(..) at src/&lt;img src=x onerror=alert(1)&gt;.rs:9</td>"));
    // Rates 0.3 and 0.5: mean 40 %, p5 = p50 = rank 1 (30 %), p95 = max = 50 %.
    assert!(dom.contains(
        "<tr><td>firing rate %</td><td class=\"num\">40.00</td><td class=\"num\">30.00</td><td class=\"num\">30.00</td>\
         <td class=\"num\">50.00</td><td class=\"num\">50.00</td></tr>"
    ));

    let close = |got: &str, want: f64, what: &str| {
        let got: f64 = got.parse().unwrap();
        // Layout rounds edges to 1/64 px: each edge of a bar moves up to 1/64 px.
        assert!((got - want).abs() < 0.04, "{what}: {got} vs {want}");
    };
    let find = |kind: &str, at: &str, class: &str| {
        lines
            .iter()
            .find(|l| l[1] == kind && l[2] == at && l.get(3).map(String::as_str) == Some(class))
            .unwrap_or_else(|| panic!("no {kind} {class} for {at}"))
    };
    let (fc, sn) = (path(0), path(1));
    // Every row has a label, only these two have bars.
    assert_eq!(lines.iter().filter(|l| l[0] == "label" && l[1] == "energy-detail").count(), LAYERS + 1);
    assert_eq!(lines.iter().filter(|l| l[0] == "bar" && l[1] == "energy-detail").count(), 4);
    // Energy, 560 px for the largest, fc's 9200 + 10000 = 19200 pJ: compute 268.33 px, memory
    // 291.67 px; sn 900 pJ (26.25 px) + 10000 pJ. fc's ANN markers 1150 and 2400 pJ right of
    // the bar's start: 33.54 and 70 px.
    close(&find("energy-detail", &fc, "energy")[4], 9200.0 / 19200.0 * 560.0, "fc compute");
    close(&find("energy-detail", &fc, "memory")[4], 10000.0 / 19200.0 * 560.0, "fc memory");
    close(&find("energy-detail", &sn, "energy")[4], 900.0 / 19200.0 * 560.0, "sn compute");
    let start: f64 = find("energy-detail", &fc, "energy")[6].parse().unwrap();
    close(&find("energy-detail", &fc, "ann")[4], start + 1150.0 / 19200.0 * 560.0, "ANN");
    close(&find("energy-detail", &fc, "ann-memory")[4], start + 2400.0 / 19200.0 * 560.0, "ANN with memory");
    // Dead 12.5 % and saturated 6.25 % of 560 px.
    close(&find("neurons", "layer1.0.sn", "dead")[4], 70.0, "dead");
    close(&find("neurons", "layer1.0.sn", "saturated")[4], 35.0, "saturated");
    // Calls covered: 64/66 of 560 px.
    close(&find("share", "calls", "counted")[4], 64.0 / 66.0 * 560.0, "call share");
    // Steps: 120 px for 100 %, 30 px wide (32 px a step less 2), standing on the axis 28 px above
    // the chart's bottom (156 − 8 − 120).
    let columns: Vec<_> = lines.iter().filter(|l| l[0] == "column").collect();
    assert_eq!(columns.len(), 3);
    for (c, rate) in columns.iter().zip([0.1, 0.4, 0.8]) {
        close(&c[3], rate * 120.0, "column height");
        close(&c[4], 30.0, "column width");
        close(&c[5], 28.0, "column bottom");
    }
}

#[test]
fn the_screenshot_shows_the_bars_in_their_colours() {
    let Some(browser) = chromium() else { return };
    let dir = workdir("png");
    let file = dir.join("report.html");
    std::fs::write(&file, View { format: Format::Html, ..View::default() }.render(&report())).unwrap();
    let shot = dir.join("report.png");
    browse(&browser, &dir, &file, &[format!("--screenshot={}", shot.display()), "--window-size=1200,2000".into()]);

    let decoder = png::Decoder::new(std::fs::File::open(&shot).expect("chromium wrote no screenshot"));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!((info.width, info.height), (1200, 2000));
    let channels = info.color_type.samples();
    let pixels: Vec<&[u8]> = buf[..info.buffer_size()].chunks(channels).collect();
    let near = |p: &[u8], rgb: [u8; 3]| p.iter().zip(rgb).all(|(&a, b)| a.abs_diff(b) <= 3);
    let count = |rgb: [u8; 3]| pixels.iter().filter(|p| near(p, rgb)).count() as f64;

    let white = count([255, 255, 255]);
    assert!(white < 0.95 * pixels.len() as f64, "the screenshot is blank ({white} white pixels)");
    // The whole ops chart fits in 2000 px: the AC pixels are the AC bars, 12 px high and in total
    // 560 × 208000 / 6450 px wide (each bar's edges snap to whole pixels: ±1 px each), plus the
    // legend's 12 × 12 key.
    let ac_area = BAR_H * BAR_W * 208_000.0 / 6450.0 + 144.0;
    let mac_area = BAR_H * BAR_W * 104_000.0 / 6450.0 + 144.0;
    let slack = BAR_H * LAYERS as f64 * 2.0;
    let (ac, mac) = (count(AC_RGB), count(MAC_RGB));
    assert!((ac - ac_area).abs() <= slack, "AC-coloured pixels: {ac}, expected {ac_area} ± {slack}");
    assert!((mac - mac_area).abs() <= slack, "MAC-coloured pixels: {mac}, expected {mac_area} ± {slack}");
}
