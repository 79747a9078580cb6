//! Hands every finished report to `cargo syops`: appended as one JSON line to the file named by
//! [`REPORT_FILE_ENV`] (criterion's `CARGO_CRITERION_PORT` pattern: the program itself is unchanged).
use super::Report;

/// Environment variable naming a file to which every finished session appends its report as one
/// JSON line (`cargo syops` sets it; the program itself is unchanged).
pub const REPORT_FILE_ENV: &str = "SYOPS_REPORT_FILE";

/// Appends `report` to the file named by [`REPORT_FILE_ENV`], if set.
pub(crate) fn export(report: &Report) -> crate::Result<()> {
    use std::io::Write;
    let Some(path) = std::env::var_os(REPORT_FILE_ENV) else { return Ok(()) };
    let line = serde_json::to_string(report).expect("a report always serialises");
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(&path).map_err(|e| {
        crate::Error::Report(format!("cannot write {REPORT_FILE_ENV}={}: {e}", std::path::Path::new(&path).display()))
    })?;
    writeln!(file, "{line}")?;
    Ok(())
}
