//! Price index bands of one restricted commodity, one colour per region: regions a restriction
//! targets are drawn solid, the exporter and untargeted regions dashed, so the split shows at a
//! glance.

use super::bands::{self, BandChart, BandSeries, YFormat};
use super::select::Restricted;
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::run::RunResults;
use crate::scenario::Scenario;

/// At most this many lines on one price chart (the legend must fit).
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
    let total = series.len();
    let mut series = merge_identical(series);
    let shown = series.len().min(MAX_REGIONS);
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
    let regions_shown: usize = series.iter().map(|s| region_count(&s.label)).sum();
    if regions_shown < total {
        note.push(format!("{regions_shown} of {total} regions shown"));
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

/// Whether two series have the same band (every quantile within 0.5%) at every period.
fn same_bands(a: &BandSeries, b: &BandSeries) -> bool {
    let close = |x: f64, y: f64| (x - y).abs() <= 0.005 * x.abs().max(y.abs()).max(1e-9);
    a.dashed == b.dashed
        && a.bands.len() == b.bands.len()
        && a.bands.iter().zip(&b.bands).all(|(x, y)| {
            close(x.p5, y.p5)
                && close(x.p25, y.p25)
                && close(x.p50, y.p50)
                && close(x.p75, y.p75)
                && close(x.p95, y.p95)
        })
}

/// Regions with the same role and identical bands (typically targeted regions all held at the
/// price cap) become one line labelled "US, KR, IN (targeted)": drawn separately they stack
/// translucent bands into a muddy block and only the last line drawn is visible.
fn merge_identical(series: Vec<BandSeries>) -> Vec<BandSeries> {
    let mut out: Vec<BandSeries> = Vec::new();
    let mut members: Vec<Vec<String>> = Vec::new();
    for s in series {
        let (id, role) = split_label(&s.label);
        let (id, role) = (id.to_string(), role.to_string());
        match out
            .iter()
            .position(|o| split_label(&o.label).1 == role && same_bands(o, &s))
        {
            Some(k) => members[k].push(id),
            None => {
                members.push(vec![id]);
                out.push(s);
            }
        }
    }
    for (s, ids) in out.iter_mut().zip(members) {
        let role = split_label(&s.label).1.to_string();
        s.label = format!("{} ({role})", ids.join(", "));
    }
    out
}

/// "US (targeted)" -> ("US", "targeted").
fn split_label(label: &str) -> (&str, &str) {
    label
        .rsplit_once(" (")
        .map_or((label, ""), |(id, role)| (id, role.trim_end_matches(')')))
}

/// How many regions a (possibly merged) series label names.
fn region_count(label: &str) -> usize {
    split_label(label).0.split(", ").count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::Band;
    use plotters::style::RGBColor;

    fn series(label: &str, level: f64, dashed: bool) -> BandSeries {
        let b = Band {
            mean: level,
            p5: level * 0.5,
            p25: level * 0.8,
            p50: level,
            p75: level * 1.2,
            p95: level * 1.5,
        };
        BandSeries {
            label: label.to_string(),
            color: RGBColor(0, 0, 0),
            bands: vec![b; 3],
            dashed,
        }
    }

    #[test]
    fn identical_regions_share_one_line() {
        let merged = merge_identical(vec![
            series("CN (exporter)", 0.5, true),
            series("US (targeted)", 20.0, false),
            series("EU (targeted)", 8.0, false),
            series("KR (targeted)", 20.0, false),
            series("IN (targeted)", 20.0, false),
            // Same band but another role: kept apart.
            series("BR (not targeted)", 20.0, true),
        ]);
        let labels: Vec<&str> = merged.iter().map(|s| s.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "CN (exporter)",
                "US, KR, IN (targeted)",
                "EU (targeted)",
                "BR (not targeted)"
            ]
        );
        assert_eq!(
            merged.iter().map(|s| region_count(&s.label)).sum::<usize>(),
            6
        );
    }
}
