//! Writes every reference case's full report in every format, for checking that a refactor keeps
//! behaviour: run it before and after and compare the folders byte for byte.
//!
//! ```text
//! cargo run --profile test --example dump_reports -- /tmp/before     # on the old commit
//! cargo run --profile test --example dump_reports -- /tmp/after      # on the new one
//! diff -r /tmp/before /tmp/after
//! ```
//!
//! Each case, in float64 and float32, under the three conventions, with time-resolved statistics off
//! and on: the runner output, the report's JSON, the table, CSV, Markdown, HTML and the depth-2 table.
use candle::{DType, Device};
use syops::convention::Convention;
use syops::render::{Format, View};
use syops::zoo;
use syops::zoo::reference::{runner_output, Case};
use syops::Session;

fn main() -> anyhow::Result<()> {
    let out = std::env::args().nth(1).ok_or_else(|| anyhow::anyhow!("usage: dump_reports OUT_DIR"))?;
    std::fs::create_dir_all(&out)?;
    for entry in std::fs::read_dir("tests/reference")? {
        let p = entry?.path();
        if p.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let case = Case::load(p.to_str().unwrap())?;
        for (dn, dtype) in [("f64", DType::F64), ("f32", DType::F32)] {
            for conv in [Convention::Syops005, Convention::Exact, Convention::NeuroBench] {
                for tr in [false, true] {
                    let session = Session::new().convention(conv).time_resolved(tr);
                    let report = zoo::count_case_with(&session, &case, dtype, &Device::Cpu)?;
                    let stem = format!("{out}/{}.{dn}.{conv}.{tr}", case.case);
                    std::fs::write(
                        format!("{stem}.runner.json"),
                        serde_json::to_string_pretty(&runner_output(&case.case, &report))?,
                    )?;
                    std::fs::write(format!("{stem}.report.json"), report.to_json())?;
                    for (fname, f) in [
                        ("table", Format::Table),
                        ("csv", Format::Csv),
                        ("md", Format::Markdown),
                        ("html", Format::Html),
                    ] {
                        std::fs::write(
                            format!("{stem}.{fname}"),
                            View { format: f, ..View::default() }.render(&report),
                        )?;
                    }
                    std::fs::write(
                        format!("{stem}.d2.table"),
                        View { depth: Some(2), ..View::default() }.render(&report),
                    )?;
                }
            }
        }
        eprintln!("{}", case.case);
    }
    Ok(())
}
