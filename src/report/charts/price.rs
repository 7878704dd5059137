//! Price index bands of one restricted commodity, one colour per region: regions a restriction
//! targets are drawn solid, the exporter and untargeted regions dashed, so the split shows at a
//! glance.

use super::bands::{self, BandChart, BandSeries, YFormat};
use super::select::Restricted;
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::run::RunResults;
use crate::scenario::Scenario;

/// At most this many regions on one price chart (the legend must fit).
const MAX_REGIONS: usize = 16;

pub(super) fn figure(scenario: &Scenario, results: &RunResults, r: &Restricted) -> Option<Figure> {
    let com = &scenario.commodities[r.commodity];
    if results.trials == 0 || results.horizon == 0 {
        return None;
    }
    let mut series = Vec::new();
    for (ri, region) in scenario.regions.iter().enumerate() {
        let Some(idx) = results.series_index(&format!("price.{}.{}", region.id, com.id)) else {
            continue;
        };
        let role = if r.exporters.contains(&ri) {
            "exporter"
        } else if r.targets.contains(&ri) {
            "targeted"
        } else {
            "not targeted"
        };
        series.push(BandSeries {
            label: format!("{} ({role})", region.id),
            color: palette::region_color(&region.id),
            bands: results.bands(idx),
            dashed: role != "targeted",
        });
    }
    if series.is_empty() {
        return None;
    }
    let shown = series.len().min(MAX_REGIONS);
    let total = series.len();
    series.truncate(shown);
    let lo = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p5))
        .fold(1.0f64, f64::min);
    let hi = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p95))
        .fold(1.0f64, f64::max);
    // A log axis once prices spread over a factor of three, so falls and rises read alike.
    let log_y = lo > 0.0 && hi / lo >= 3.0;
    let (y_min, y_max) = if log_y {
        (lo / 1.15, hi * 1.15)
    } else {
        // At least +-0.04 around flat prices, so a baseline run does not magnify noise.
        let pad = 0.08 * (hi - lo).max(0.5);
        ((lo - pad).max(0.0), hi + pad)
    };
    let mut note = vec![
        "solid: targeted regions".to_string(),
        "dashed: exporter, untargeted".to_string(),
    ];
    if log_y {
        note.push("log scale".to_string());
    }
    if shown < total {
        note.push(format!("{shown} of {total} regions shown"));
    }
    note.extend(bands::overlap_note(&series));
    let title = format::fit(&com.name, ": price index by region", format::TITLE_CHARS);
    let caption = format!(
        "Price of {} in each region as a multiple of its reference price (median line, middle 50% \
         and 90% of trials): compare the targeted regions (solid) with the exporter and untargeted \
         regions (dashed) against the reference line at 1.",
        com.name
    );
    Some(Figure {
        file_stem: format!("price-{}", file_safe(&com.id)),
        title,
        caption,
        kind: ChartKind::PriceBands,
        body: Body::Bands(BandChart {
            series,
            period_labels: period_labels(scenario, results.horizon),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: "Price index (1 = reference price)".to_string(),
            y_min,
            y_max,
            log_y,
            y_format: YFormat::Index,
            reference: Some((1.0, "reference price".to_string())),
            outer: true,
            note,
        }),
    })
}
