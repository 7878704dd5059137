//! Price index bands of one restricted commodity, one colour per region: regions a restriction
//! targets are drawn solid, the exporter and untargeted regions dashed, so the split shows at a
//! glance.

use super::bands::{self, BandChart, BandSeries, YFormat};
use super::select::Restricted;
use super::{Body, ChartKind, Figure, file_safe, format, palette, period_labels};
use crate::report::view::RunView;
use crate::scenario::Scenario;

/// At most this many lines on one price chart (the legend must fit).
const MAX_REGIONS: usize = 16;
/// Regions whose median prices are within this share of each other at every period (quartiles
/// within twice it) share a line.
pub const SAME_PRICE: f64 = 0.05;

pub(super) fn figure(scenario: &Scenario, results: &dyn RunView, r: &Restricted) -> Option<Figure> {
    let com = &scenario.commodities[r.commodity];
    if results.trials() == 0 || results.horizon() == 0 {
        return None;
    }
    let mut series = Vec::new();
    let mut capped = false;
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
        if let Some(m) = results.metric_index(&format!("price.{}.{}.at_cap", region.id, com.id))
            && results.summary(m).max > 0.0
        {
            capped = true;
        }
        series.push((
            region.id.clone(),
            format!(" ({role})"),
            BandSeries {
                label: format!("{} ({role})", region.id),
                color: palette::region_color(&region.id),
                bands: results.bands(idx),
                dashed: role != "targeted",
            },
        ));
    }
    if series.is_empty() {
        return None;
    }
    let total = series.len();
    let mut series = bands::merge_close(series, |a, b| bands::within(a, b, SAME_PRICE, true));
    let merged = series.len() < total;
    let shown = series.len().min(MAX_REGIONS);
    series.truncate(shown);
    let lo = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p5))
        .fold(1.0f64, f64::min);
    let mut hi = series
        .iter()
        .flat_map(|s| s.bands.iter().map(|b| b.p95))
        .fold(1.0f64, f64::max);
    // The cap (MODEL.md v2 section 4.9), drawn and named whenever some trial reached it.
    let cap = com.max_price_multiple.dist.mean();
    let limit = capped.then(|| {
        hi = hi.max(cap);
        let what = if com.max_price_multiple.dist.is_const() {
            format!("price cap {}x", crate::sample::dist::num(cap))
        } else {
            format!("price cap, mean {}x", crate::sample::dist::num(cap))
        };
        (cap, what)
    });
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
    if limit.is_some() {
        note.push("max_price_multiple caps".to_string());
        note.push("  the price index".to_string());
    }
    if merged {
        note.push("regions within 5% of each".to_string());
        note.push("  other share a line".to_string());
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
         regions (dashed) against the reference line at 1.{}",
        com.name,
        if capped {
            format!(
                " The dotted red line is the price cap ({}x the reference, \
                 max_price_multiple): a line held there is a floor of what scarcity would fetch.",
                crate::sample::dist::num(cap)
            )
        } else {
            String::new()
        }
    );
    Some(Figure {
        file_stem: format!("price-{}", file_safe(&com.id)),
        title,
        caption,
        kind: ChartKind::PriceBands,
        body: Body::Bands(Box::new(BandChart {
            series,
            period_labels: period_labels(scenario, results.horizon()),
            tick_steps: format::tick_steps(scenario.meta.period),
            x_desc: format::time_desc(&scenario.meta),
            y_desc: "Price index (1 = reference price)".to_string(),
            y_min,
            y_max,
            log_y,
            y_format: YFormat::Index,
            reference: Some((1.0, "reference price".to_string())),
            limit,
            levels: Vec::new(),
            levels_label: String::new(),
            marker: None,
            outer: true,
            note,
        })),
    })
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
        let input = [
            ("CN", " (exporter)", 0.5, true),
            ("US", " (targeted)", 20.0, false),
            ("EU", " (targeted)", 8.0, false),
            ("KR", " (targeted)", 20.2, false),
            ("IN", " (targeted)", 20.0, false),
            // Same band but another role: kept apart.
            ("BR", " (not targeted)", 20.0, true),
        ]
        .map(|(id, role, level, dashed)| {
            (id.to_string(), role.to_string(), series(id, level, dashed))
        });
        let merged =
            bands::merge_close(input.to_vec(), |a, b| bands::within(a, b, SAME_PRICE, true));
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
        // 10% apart is more than noise: two lines.
        let apart = bands::merge_close(
            vec![
                ("US".into(), String::new(), series("US", 10.0, false)),
                ("EU".into(), String::new(), series("EU", 11.0, false)),
            ],
            |a, b| bands::within(a, b, SAME_PRICE, true),
        );
        assert_eq!(apart.len(), 2);
    }
}
