//! Flows of one restricted commodity from its exporter to each importing region over time.

use super::bands::{BandChart, BandSeries, YFormat};
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::run::RunResults;
use crate::scenario::{CommodityIx, RegionIx, Scenario, ShockKind};

/// At most this many destinations on one flow chart (the legend must fit).
const MAX_DESTINATIONS: usize = 16;

/// Whether any restriction by `exporter` on `commodity` targets `region`.
fn targeted(
    scenario: &Scenario,
    exporter: RegionIx,
    commodity: CommodityIx,
    region: RegionIx,
) -> bool {
    scenario.shocks.iter().any(|s| match &s.kind {
        ShockKind::ExportRestriction {
            exporter: e,
            commodities,
            targets,
            ..
        } => *e == exporter && commodities.contains(&commodity) && targets.contains(&region),
        _ => false,
    })
}

pub(super) fn figure(
    scenario: &Scenario,
    results: &RunResults,
    commodity: CommodityIx,
    exporter: RegionIx,
) -> Option<Figure> {
    if results.trials == 0 || results.horizon == 0 {
        return None;
    }
    let com = &scenario.commodities[commodity];
    let exp = &scenario.regions[exporter];
    let mut series = Vec::new();
    for (ri, region) in scenario.regions.iter().enumerate() {
        if ri == exporter {
            continue;
        }
        let name = format!("flow.{}.{}.{}", exp.id, region.id, com.id);
        let Some(idx) = results.series_index(&name) else {
            continue;
        };
        let hit = targeted(scenario, exporter, commodity, ri);
        series.push(BandSeries {
            label: format!(
                "to {}{}",
                region.id,
                if hit { "" } else { " (not targeted)" }
            ),
            color: palette::region_color(&region.id),
            bands: results.bands(idx),
            dashed: !hit,
        });
    }
    if series.is_empty() {
        return None;
    }
    let total = series.len();
    series.truncate(MAX_DESTINATIONS);
    let top = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p95))
        .fold(0.0f64, f64::max);
    let mut note = vec![format!("exporter: {}", exp.id)];
    if top <= 0.0 {
        note.push("no shipments in any trial".to_string());
    }
    if series.len() < total {
        note.push(format!("{} of {total} destinations shown", series.len()));
    }
    let title = format::fit(
        &com.name,
        &format!(": shipments from {} by destination", exp.name),
        format::TITLE_CHARS,
    );
    let caption = format!(
        "Shipments of {} from {} to each importing region per {} (median line, middle 50% and 90% \
         of trials): the fall shows how much the restriction blocks, the recovery how fast relief \
         and leakage restore trade.",
        com.name,
        exp.name,
        scenario.meta.period.name()
    );
    Some(Figure {
        file_stem: format!("flow-{}-{}", file_safe(&exp.id), file_safe(&com.id)),
        title,
        caption,
        kind: ChartKind::Flows,
        body: Body::Bands(BandChart {
            series,
            period_labels: period_labels(scenario, results.horizon),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: format!("{} per {}", com.unit, scenario.meta.period.name()),
            y_min: 0.0,
            y_max: format::nice_ceiling(top * 1.08),
            log_y: false,
            y_format: YFormat::Quantity,
            reference: None,
            outer: true,
            note,
        }),
    })
}
