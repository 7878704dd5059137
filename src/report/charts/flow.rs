//! Flows of one restricted commodity from its exporter to each importing region over time.

use plotters::style::RGBColor;

use super::bands::{BandChart, BandSeries, YFormat};
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::report::view::RunView;
use crate::scenario::{CommodityIx, RegionIx, Scenario, ShockKind};

/// At most this many destinations on one flow chart (the legend must fit).
const MAX_DESTINATIONS: usize = 16;

/// The first period any restriction by `exporter` on `commodity` can be in force: the smallest
/// start (the lowest value its start can draw) over those restrictions.
fn first_start(scenario: &Scenario, exporter: RegionIx, commodity: CommodityIx) -> Option<usize> {
    scenario
        .shocks
        .iter()
        .filter(|s| match &s.kind {
            ShockKind::ExportRestriction {
                exporter: e,
                commodities,
                ..
            } => *e == exporter && commodities.contains(&commodity),
            _ => false,
        })
        .map(|s| s.start.dist.support().0.max(0.0).floor() as usize)
        .min()
}

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
    results: &dyn RunView,
    commodity: CommodityIx,
    exporter: RegionIx,
) -> Option<Figure> {
    if results.trials() == 0 || results.horizon() == 0 {
        return None;
    }
    let com = &scenario.commodities[commodity];
    let exp = &scenario.regions[exporter];
    let mut series = Vec::new();
    // The flow id of each series (`CN.US.gallium`), to find its baseline.
    let mut ids = Vec::new();
    for (ri, region) in scenario.regions.iter().enumerate() {
        if ri == exporter {
            continue;
        }
        let name = format!("flow.{}.{}.{}", exp.id, region.id, com.id);
        let Some(idx) = results.series_index(&name) else {
            continue;
        };
        let hit = targeted(scenario, exporter, commodity, ri);
        ids.push(format!("{}.{}.{}", exp.id, region.id, com.id));
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
    // The pre-control level: each destination's median shipments in the baseline pass (no shocks,
    // no policies) in the first period the control can be in force, so it is there even when the
    // control starts in period 0. Results without baseline series (written before they existed)
    // fall back to the scenario's own shipments in the last period before the control.
    let start = first_start(scenario, exporter, commodity).unwrap_or(0);
    let at = start.min(results.horizon() - 1);
    let baseline: Vec<Option<f64>> = ids[..series.len()]
        .iter()
        .map(|id| {
            let name = format!("baseline_flow.{id}");
            results
                .series_index(&name)
                .and_then(|i| results.bands(i).get(at).map(|b| b.p50))
        })
        .collect();
    let from_baseline = baseline.iter().any(Option::is_some);
    let pre = start.checked_sub(1).filter(|&t| t < results.horizon());
    let levels: Vec<(f64, RGBColor)> = if from_baseline {
        series
            .iter()
            .zip(&baseline)
            .filter_map(|(s, b)| b.map(|v| (v, s.color)))
            .filter(|(v, _)| *v > 0.0)
            .collect()
    } else {
        pre.map(|t| {
            series
                .iter()
                .filter_map(|s| s.bands.get(t).map(|b| (b.p50, s.color)))
                .filter(|(v, _)| *v > 0.0)
                .collect()
        })
        .unwrap_or_default()
    };
    let marker = (start > 0 && start < results.horizon()).then(|| {
        (
            start as f64,
            format!(
                " control from {}",
                format::period_tick(&scenario.meta, start as f64)
            ),
        )
    });
    let top = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p95))
        .chain(levels.iter().map(|l| l.0))
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
    let baseline = if levels.is_empty() {
        note.push("no pre-control level".to_string());
        " No pre-control level: no destination ships anything without the controls, or the \
         results hold no baseline flows and the control is in force from the first period."
            .to_string()
    } else if from_baseline {
        format!(
            " Dotted lines mark each destination's shipments without any control (the same trial \
             run without shocks or policies, median in {}): the gap below them shows how much the \
             control blocks, the recovery how fast licences, relief and leakage restore trade.",
            format::period_tick(&scenario.meta, at as f64)
        )
    } else {
        format!(
            " Dotted lines mark each destination's shipments in {}, before the control: the gap \
             below them shows how much it blocks, the recovery how fast licences, relief and \
             leakage restore trade.",
            format::period_tick(&scenario.meta, start.saturating_sub(1) as f64)
        )
    };
    let caption = format!(
        "Shipments of {} from {} to each importing region per {} (median line, middle 50% and 90% \
         of trials).{baseline}",
        com.name,
        exp.name,
        scenario.meta.period.name()
    );
    Some(Figure {
        file_stem: format!("flow-{}-{}", file_safe(&exp.id), file_safe(&com.id)),
        title,
        caption,
        kind: ChartKind::Flows,
        body: Body::Bands(Box::new(BandChart {
            series,
            period_labels: period_labels(scenario, results.horizon()),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: format!("{} per {}", com.unit, scenario.meta.period.name()),
            y_min: 0.0,
            y_max: format::nice_ceiling(top * 1.08),
            log_y: false,
            y_format: YFormat::Quantity,
            reference: None,
            limit: None,
            levels,
            levels_label: if from_baseline {
                "without the control".to_string()
            } else {
                "before the control".to_string()
            },
            marker,
            outer: true,
            note,
        })),
    })
}
