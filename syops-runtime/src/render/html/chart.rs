//! Horizontal SVG bar charts for the HTML report: one row per layer with its path as the label, so
//! that a ResNet's sixty rows stay readable.
use std::fmt::Write;

use super::markup::{esc, label, status_name};
use crate::render::line::Line;

/// Width of the bar area in pixels: a bar of the chart's largest value is this wide.
pub(crate) const BAR_W: f64 = 560.0;
/// Height of one row, and of its bar.
pub(crate) const ROW_H: f64 = 18.0;
const BAR_H: f64 = 12.0;
/// Space above the first row, for the axis labels.
const AXIS_H: f64 = 18.0;
/// Width of a 12 px monospace character, to size the label column.
const CHAR_W: f64 = 7.3;
/// Labels longer than this show their end, after an ellipsis (the tooltip has the whole path).
const MAX_LABEL: usize = 48;
/// Space right of the bars for the value.
const VALUE_W: f64 = 200.0;

/// One part of a stacked bar.
pub(crate) struct Part {
    /// Its value, in the chart's unit.
    pub value: f64,
    /// CSS class that colours it (`ac`, `mac`, `energy`, `rate`).
    pub class: &'static str,
    /// Tooltip.
    pub tip: String,
}

/// One row: a layer's label, its stacked segments (none for a layer without a value), markers
/// (thin vertical ticks at a value, such as a baseline) and the text shown after the bar.
pub(crate) struct Row {
    pub label: String,
    pub segments: Vec<Part>,
    pub markers: Vec<Part>,
    pub text: String,
}

/// An SVG chart of `rows`, scaled so that `max` spans [`BAR_W`], with grid lines at `ticks`
/// (value, label). Each segment is a `rect.bar` with its value in `data-value`; each marker a 2 px
/// `rect.marker` centred on its value.
pub(crate) fn bar_chart(class: &str, rows: &[Row], max: f64, ticks: &[(f64, String)]) -> String {
    let scale = if max.is_finite() && max > 0.0 { BAR_W / max } else { 0.0 };
    let longest = rows.iter().map(|r| r.label.chars().count().min(MAX_LABEL)).max().unwrap_or(0);
    let x0 = (longest as f64 * CHAR_W + 12.0).max(60.0);
    let width = x0 + BAR_W + VALUE_W;
    let height = AXIS_H + rows.len() as f64 * ROW_H + 4.0;
    let mut svg = format!(
        r#"<svg class="chart {class}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">"#
    );
    for (value, label) in ticks {
        let x = x0 + value * scale;
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{x:.2}" y1="{}" x2="{x:.2}" y2="{height}"/><text class="tick" x="{x:.2}" y="12">{}</text>"#,
            AXIS_H - 4.0,
            esc(label)
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let y = AXIS_H + i as f64 * ROW_H;
        let text_y = y + ROW_H / 2.0 + 4.0;
        let _ = write!(
            svg,
            r#"<g class="row"><text class="label" x="{}" y="{text_y}">{}<title>{}</title></text>"#,
            x0 - 6.0,
            esc(&shorten(&row.label)),
            esc(&row.label)
        );
        let mut x = x0;
        for seg in &row.segments {
            let w = seg.value.max(0.0) * scale;
            let _ = write!(
                svg,
                r#"<rect class="bar {}" x="{x:.2}" y="{}" width="{w:.2}" height="{BAR_H}" data-value="{}"><title>{}</title></rect>"#,
                seg.class,
                y + (ROW_H - BAR_H) / 2.0,
                seg.value,
                esc(&seg.tip)
            );
            x += w;
        }
        for m in &row.markers {
            let at = x0 + m.value.max(0.0) * scale;
            let _ = write!(
                svg,
                r#"<rect class="marker {}" x="{:.2}" y="{y}" width="2" height="{ROW_H}" data-value="{}"><title>{}</title></rect>"#,
                m.class,
                at - 1.0,
                m.value,
                esc(&m.tip)
            );
            x = x.max(at + 1.0);
        }
        let _ = write!(svg, r#"<text class="value" x="{:.2}" y="{text_y}">{}</text></g>"#, x + 4.0, esc(&row.text));
    }
    svg + "</svg>"
}

/// `label`, or its last characters after an ellipsis when longer than [`MAX_LABEL`].
fn shorten(label: &str) -> String {
    let n = label.chars().count();
    if n <= MAX_LABEL {
        label.to_string()
    } else {
        format!("…{}", label.chars().skip(n - MAX_LABEL + 1).collect::<String>())
    }
}

/// A row of a layer without a value: its status instead of a bar.
pub(super) fn not_counted(l: &Line) -> Row {
    Row { label: label(l), segments: vec![], markers: vec![], text: status_name(l.row.status).into() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, values: &[f64]) -> Row {
        let segments = values.iter().map(|&value| Part { value, class: "ac", tip: String::new() }).collect();
        Row { label: label.into(), segments, markers: vec![], text: String::new() }
    }

    #[test]
    fn bars_are_proportional_and_stacked() {
        // max 200 spans 560 px: 50 -> 140 px, 150 -> 420 px starting where the 140 px ends (the
        // label column is its 60 px minimum, so at x = 60 + 140 = 200); row 0's bar is at y = 18 + 3.
        let svg = bar_chart("t", &[row("a", &[50.0, 150.0]), row("b", &[])], 200.0, &[]);
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(r#"width="140.00" height="12" data-value="50""#), "{svg}");
        assert!(svg.contains(r#"x="200.00" y="21" width="420.00""#), "{svg}");
        // Zero or non-finite maxima draw empty bars instead of NaN widths.
        let flat = bar_chart("t", &[row("a", &[0.0])], 0.0, &[]);
        assert!(flat.contains(r#"width="0.00""#) && !flat.contains("NaN"), "{flat}");
    }

    #[test]
    fn markers_sit_on_their_value_and_push_the_text_right() {
        // max 100 spans 560 px: a marker at 75 is centred on x = 60 + 420 = 480, so starts at 479;
        // the bar (10 -> 56 px) ends at 116, the marker at 481: the text starts 4 px later, at 485.
        let mut r = row("a", &[10.0]);
        r.markers.push(Part { value: 75.0, class: "ann", tip: "ANN".into() });
        let svg = bar_chart("t", &[r], 100.0, &[]);
        assert!(
            svg.contains(r#"<rect class="marker ann" x="479.00" y="18" width="2" height="18" data-value="75">"#),
            "{svg}"
        );
        assert!(svg.contains(r#"<text class="value" x="485.00""#), "{svg}");
    }

    #[test]
    fn long_labels_keep_their_end_and_the_whole_path_in_the_tooltip() {
        let long = format!("{}.conv", "block".repeat(12));
        let short = shorten(&long);
        assert_eq!(short.chars().count(), MAX_LABEL);
        assert!(short.starts_with('…') && short.ends_with("block.conv"));
        assert!(bar_chart("t", &[row(&long, &[1.0])], 1.0, &[]).contains(&format!("<title>{long}</title>")));
    }
}
