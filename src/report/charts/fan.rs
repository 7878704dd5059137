//! Output over time of one kind of sector (one sector id), a line per region that has it:
//! regions whose bands agree within noise share one line, so the chart grows with what differs,
//! not with the number of regions.

use super::bands::{self, BandChart, BandSeries, YFormat};
use super::select::SectorGroup;
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::report::view::RunView;
use crate::scenario::Scenario;

/// Regions whose median output is within this share of normal output of each other at every
/// period (quartiles within twice it) share a line: two percentage points, about what a reader
/// can tell apart on the chart and within the sampling noise of a few hundred trials.
pub const SAME_OUTPUT: f64 = 0.02;
/// At most this many lines on one chart (the legend must fit).
const MAX_LINES: usize = 10;

pub(super) fn figure(
    scenario: &Scenario,
    results: &dyn RunView,
    g: &SectorGroup,
) -> Option<Figure> {
    if results.trials() == 0 || results.horizon() == 0 {
        return None;
    }
    let first = &scenario.sectors[*g.sectors.first()?];
    let mut series = Vec::new();
    for &s in &g.sectors {
        let sec = &scenario.sectors[s];
        let region = &scenario.regions[sec.region];
        let Some(idx) = results.series_index(&format!("output.{}.{}", region.id, sec.id)) else {
            continue;
        };
        series.push((
            region.id.clone(),
            String::new(),
            BandSeries {
                label: region.id.clone(),
                color: palette::region_color(&region.id),
                bands: results.bands(idx),
                dashed: false,
            },
        ));
    }
    if series.is_empty() {
        return None;
    }
    let total = series.len();
    let mut series = bands::merge_close(series, |a, b| bands::within(a, b, SAME_OUTPUT, false));
    let merged = series.len() < total;
    series.truncate(MAX_LINES);
    let lo = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p5))
        .fold(1.0f64, f64::min);
    // The axis starts at a round tenth under the worst 5% of trials, so a 5% dip is visible.
    let y_min = ((lo - 0.05) * 10.0).floor().max(0.0) / 10.0;
    let mut note = vec![format!("{} trials", results.trials())];
    if merged {
        note.push("regions within 2 points".to_string());
        note.push("  of each other share a line".to_string());
    }
    let shown: usize = series.iter().map(|s| s.label.split(", ").count()).sum();
    if shown < total {
        note.push(format!("{shown} of {total} regions shown"));
    }
    let title = format::fit(&first.name, ": output by region", format::TITLE_CHARS);
    let caption = format!(
        "Output of {} in each region that loses some, as a share of normal, period by period \
         (median line, middle 50% and 90% of trials){}: look at how deep the dip goes and how \
         long it lasts.",
        first.name,
        if merged {
            "; regions whose bands agree within one percentage point share a line"
        } else {
            ""
        }
    );
    Some(Figure {
        file_stem: format!("output-{}", file_safe(&g.id)),
        title,
        caption,
        kind: ChartKind::OutputFan,
        body: Body::Bands(Box::new(BandChart {
            series,
            period_labels: period_labels(scenario, results.horizon()),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: "Output (% of normal)".to_string(),
            y_min,
            y_max: 1.05,
            log_y: false,
            y_format: YFormat::Percent,
            reference: Some((1.0, "normal output".to_string())),
            limit: None,
            levels: Vec::new(),
            levels_label: String::new(),
            marker: None,
            outer: true,
            note,
        })),
    })
}
