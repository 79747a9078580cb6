//! Showing a report: the terminal table and its summary, CSV and Markdown (`text.rs`; NeuroBench's
//! metrics in `neurobench.rs`), JSON, and one HTML page (`html/`), with units, depth and energy
//! model ([`View`]). The library's `Display` and
//! `cargo syops` print through the same [`View::render`].
mod html;
mod line;
mod neurobench;
mod text;
mod time;
mod units;
mod view;

use std::fmt;

pub use units::{human, Units};
pub use view::{Format, View};

use crate::report::Report;

impl View {
    /// The report in this view, ending with a newline.
    pub fn render(&self, report: &Report) -> String {
        let report = self.apply(report);
        match self.format {
            Format::Table => self.table(&report),
            Format::Json => report.to_json() + "\n",
            Format::Csv => self.csv(&report),
            Format::Markdown => self.markdown(&report),
            Format::Html => html::document(self, std::slice::from_ref(&report)),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&View::default().render(self))
    }
}
