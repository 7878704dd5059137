//! Fan chart of a sector's output share over time.

use super::bands::{BandChart, BandSeries, YFormat};
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::run::RunResults;
use crate::scenario::{Scenario, SectorIx};

pub(super) fn figure(scenario: &Scenario, results: &RunResults, s: SectorIx) -> Option<Figure> {
    let sec = &scenario.sectors[s];
    let region = &scenario.regions[sec.region];
    let idx = results.series_index(&format!("output.{}.{}", region.id, sec.id))?;
    if results.trials == 0 || results.horizon == 0 {
        return None;
    }
    let bands = results.bands(idx);
    let title = format::fit(
        &sec.name,
        &format!(" ({}): output share over time", region.id),
        format::TITLE_CHARS,
    );
    let caption = format!(
        "Output of {} in {} as a share of normal, period by period (median line, bands for the \
         middle 50% and 90% of trials): look at how deep the dip goes and how long it lasts.",
        sec.name, region.name
    );
    Some(Figure {
        file_stem: format!("output-{}-{}", file_safe(&region.id), file_safe(&sec.id)),
        title,
        caption,
        kind: ChartKind::OutputFan,
        body: Body::Bands(BandChart {
            series: vec![BandSeries {
                label: format!("median, {}", region.id),
                color: palette::region_color(&region.id),
                bands,
                dashed: false,
            }],
            period_labels: period_labels(scenario, results.horizon),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: "Output (% of normal)".to_string(),
            y_min: 0.0,
            y_max: 1.05,
            log_y: false,
            y_format: YFormat::Percent,
            reference: Some((1.0, "normal output".to_string())),
            outer: true,
            note: vec![format!("{} trials", results.trials)],
        }),
    })
}
