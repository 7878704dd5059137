//! Overview box-and-whisker charts of value lost: per sector (worst first, capped) and per region.
//! Boxes span p25-p75, whiskers p5-p95, a bar marks the median and a circle the mean.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, INK, LABEL_SIZE, MARGIN, money};
use super::select::{MAX_OVERVIEW_ROWS, Selection, metric_summary, sector_metric};
use super::{Body, ChartKind, DrawResult, Figure, palette};
use crate::report::view::RunView;
use crate::scenario::Scenario;
use crate::stats::Summary;

/// Longest row label in characters.
const ROW_CHARS: usize = 44;
/// Width of the row-label area in pixels.
const LABEL_AREA: u32 = 390;

#[derive(Debug, Clone)]
pub struct BoxRow {
    pub label: String,
    pub color: RGBColor,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    pub mean: f64,
    /// The largest value over the trials.
    pub max: f64,
    /// A second value drawn as a hollow diamond (the exporter's own price), if any.
    pub other: Option<f64>,
    /// A limit drawn as a red tick (the price cap), if any.
    pub cap: Option<f64>,
}

/// How the value axis reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Axis {
    /// US dollars from zero.
    Money,
    /// A price index on a log axis from `x_min`.
    Index,
}

#[derive(Debug, Clone)]
pub struct BoxData {
    /// Worst first.
    pub rows: Vec<BoxRow>,
    pub x_min: f64,
    pub x_max: f64,
    pub axis: Axis,
    pub x_desc: String,
    pub note: Option<String>,
}

/// A row labelled `label`, coloured by its region.
fn row(label: String, region_id: &str, s: &Summary) -> BoxRow {
    BoxRow {
        label,
        color: palette::region_color(region_id),
        p5: s.p5,
        p25: s.p25,
        p50: s.p50,
        p75: s.p75,
        p95: s.p95,
        mean: s.mean,
        max: s.max,
        other: None,
        cap: None,
    }
}

/// "EU · Automotive": the region id first, so rows of one region read alike down the chart,
/// then the sector name, losing its parenthetical detail and then words to fit. The full names
/// are in the report's sector table.
fn sector_label(region_id: &str, name: &str) -> String {
    let head = format!("{region_id} · ");
    let room = ROW_CHARS.saturating_sub(head.chars().count()).max(8);
    let name = if name.chars().count() <= room {
        name
    } else {
        format::short_name(name)
    };
    format!("{head}{}", format::shorten_words(name, room))
}

fn sort_worst_first(rows: &mut [BoxRow]) {
    // Stable sort: ties keep scenario order.
    rows.sort_by(|a, b| b.mean.total_cmp(&a.mean).then(b.p95.total_cmp(&a.p95)));
}

fn x_desc(scenario: &Scenario, horizon: usize) -> String {
    format!(
        "Value lost over {} {} (US$)",
        horizon,
        if horizon == 1 {
            scenario.meta.period.name()
        } else {
            scenario.meta.period.plural()
        }
    )
}

fn x_max(rows: &[BoxRow]) -> f64 {
    let top = rows.iter().map(|r| r.p95.max(r.mean)).fold(0.0, f64::max);
    format::nice_ceiling(top * 1.05)
}

pub(super) fn sector_figure(
    scenario: &Scenario,
    results: &dyn RunView,
    sel: &Selection,
) -> Option<Figure> {
    if results.trials() == 0 {
        return None;
    }
    let mut rows: Vec<BoxRow> = sel
        .all_affected
        .iter()
        .filter_map(|&s| {
            let v = metric_summary(results, &sector_metric(scenario, s, "value_lost"))?;
            let sec = &scenario.sectors[s];
            let rid = &scenario.regions[sec.region].id;
            Some(row(sector_label(rid, &sec.name), rid, &v))
        })
        .collect();
    if rows.is_empty() {
        return None;
    }
    sort_worst_first(&mut rows);
    let total = rows.len();
    rows.truncate(MAX_OVERVIEW_ROWS);
    let note = (rows.len() < total)
        .then(|| format!("the {} of {total} sectors with value lost", rows.len()));
    let caption = format!(
        "Value each sector loses over the horizon across trials, worst first by mean{}: long \
         whiskers to the right mean a small chance of a much larger loss. {} of {} sectors lost \
         output in some trial.",
        if rows.len() < total {
            format!(" (top {} shown)", rows.len())
        } else {
            String::new()
        },
        sel.affected,
        scenario.sectors.len()
    );
    Some(Figure {
        file_stem: "value-lost-sectors".to_string(),
        title: "Value lost by sector".to_string(),
        caption,
        kind: ChartKind::ValueLostBySector,
        body: Body::Boxes(BoxData {
            x_min: 0.0,
            axis: Axis::Money,
            x_max: x_max(&rows),
            rows,
            x_desc: x_desc(scenario, results.horizon()),
            note,
        }),
    })
}

pub(super) fn region_figure(
    scenario: &Scenario,
    results: &dyn RunView,
    sel: &Selection,
) -> Option<Figure> {
    if results.trials() == 0 || sel.affected == 0 {
        return None;
    }
    let mut rows: Vec<BoxRow> = scenario
        .regions
        .iter()
        .filter_map(|r| {
            let v = metric_summary(results, &format!("region.{}.value_lost", r.id))?;
            Some(row(
                format::fit(&format!("{} {}", r.id, r.name), "", ROW_CHARS),
                &r.id,
                &v,
            ))
        })
        .collect();
    let all = rows.len();
    // Regions that lose nothing in any trial (under a dollar) are counted, not drawn as rows.
    rows.retain(|r| r.max >= 1.0);
    if rows.is_empty() {
        return None;
    }
    sort_worst_first(&mut rows);
    let total = rows.len();
    rows.truncate(MAX_OVERVIEW_ROWS);
    let note = if rows.len() < total {
        Some(format!("the {} of {total} worst regions", rows.len()))
    } else if total < all {
        Some(format!("{} regions lose nothing", all - total))
    } else {
        None
    };
    Some(Figure {
        file_stem: "value-lost-regions".to_string(),
        title: "Value lost by region".to_string(),
        caption: "Value each region loses over the horizon across trials, worst first by mean: \
                  compare where the box sits (typical outcome) with where the whisker ends (bad \
                  case)."
            .to_string(),
        kind: ChartKind::ValueLostByRegion,
        body: Body::Boxes(BoxData {
            x_min: 0.0,
            axis: Axis::Money,
            x_max: x_max(&rows),
            rows,
            x_desc: x_desc(scenario, results.horizon()),
            note,
        }),
    })
}

/// Every restricted commodity on one chart: per commodity, the peak price index across trials in
/// the region outside the exporter where it rises most (box and whiskers), the exporter's own
/// median peak (diamond) and the price cap when some trial reached it (red tick).
pub(super) fn price_summary_figure(
    scenario: &Scenario,
    results: &dyn RunView,
    sel: &Selection,
) -> Option<Figure> {
    if results.trials() == 0 || sel.restricted.is_empty() {
        return None;
    }
    let peak = |rid: &str, cid: &str| metric_summary(results, &format!("price.{rid}.{cid}.peak"));
    let mut rows = Vec::new();
    for r in &sel.restricted {
        let com = &scenario.commodities[r.commodity];
        // The outside region with the highest mean peak.
        let outside = scenario
            .regions
            .iter()
            .enumerate()
            .filter(|(ri, _)| !r.exporters.contains(ri))
            .filter_map(|(_, reg)| peak(&reg.id, &com.id).map(|v| (reg, v)))
            .max_by(|a, b| a.1.mean.total_cmp(&b.1.mean));
        let Some((reg, values)) = outside else {
            continue;
        };
        let head = format::short_name(&com.name);
        let mut row = row(
            format::fit(head, &format!(" ({})", reg.id), ROW_CHARS),
            &reg.id,
            &values,
        );
        row.other = r
            .exporters
            .first()
            .and_then(|&e| peak(&scenario.regions[e].id, &com.id))
            .map(|v| v.p50);
        let capped = metric_summary(results, &format!("price.{}.{}.at_cap", reg.id, com.id))
            .is_some_and(|v| v.max > 0.0);
        row.cap = capped.then(|| com.max_price_multiple.dist.mean());
        rows.push(row);
    }
    if rows.is_empty() {
        return None;
    }
    sort_worst_first(&mut rows);
    let lo = rows
        .iter()
        .map(|r| r.p5.min(r.other.unwrap_or(1.0)))
        .fold(1.0f64, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.p95.max(r.mean).max(r.cap.unwrap_or(1.0)))
        .fold(1.0f64, f64::max);
    let capped = rows.iter().any(|r| r.cap.is_some());
    Some(Figure {
        file_stem: "price-summary".to_string(),
        title: "Peak prices of the restricted commodities".to_string(),
        caption: format!(
            "The highest price over the horizon, as a multiple of the reference price, of each of \
             the {} restricted commodities in the region outside the exporter where it rises \
             most (box: middle 50% of trials, whiskers: 5th-95th percentile), against the \
             exporter's own median (hollow diamond){}.",
            rows.len(),
            if capped {
                "; a red tick marks the price cap (max_price_multiple) where some trial reached it"
            } else {
                ""
            }
        ),
        kind: ChartKind::PriceSummary,
        body: Body::Boxes(BoxData {
            rows,
            x_min: (lo / 1.2).min(0.9),
            x_max: hi * 1.2,
            axis: Axis::Index,
            x_desc: "Peak price index over the horizon (1 = reference price, log scale)"
                .to_string(),
            note: Some("diamond: exporter (median) · red tick: price cap".to_string()),
        }),
    })
}

fn index_label(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else if x >= 1.0 {
        format!("{x:.1}").trim_end_matches(".0").to_string()
    } else {
        format!("{x:.2}")
    }
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &BoxData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let body = root.titled(title, format::title_font())?;
    let n = d.rows.len().max(1);
    let log = d.axis == Axis::Index;
    // A log axis is drawn as a linear axis over log2 of the value: ticks on doublings.
    let tx = move |v: f64| if log { v.max(1e-9).log2() } else { v };
    let (x_lo, x_hi) = (tx(d.x_min), tx(d.x_max));
    let mut chart = ChartBuilder::on(&body)
        .margin(MARGIN)
        .margin_top(40)
        .margin_right(45)
        .x_label_area_size(70)
        .y_label_area_size(LABEL_AREA)
        .build_cartesian_2d(x_lo..x_hi, -0.5..(n as f64 - 0.5))?;
    let x_fmt = |x: &f64| {
        if log {
            index_label(x.exp2())
        } else {
            money(*x)
        }
    };
    let x_labels = if log {
        ((x_hi - x_lo).floor() as usize + 1).clamp(2, 12)
    } else {
        8
    };
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .y_labels(0)
        .x_labels(x_labels)
        .x_desc(d.x_desc.as_str())
        .x_label_formatter(&x_fmt)
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;

    // Thinner boxes when there are many rows; row 0 (the worst) at the top.
    let half = 0.32;
    let y_of = |i: usize| (n - 1 - i) as f64;
    for (i, r) in d.rows.iter().enumerate() {
        let y = y_of(i);
        let edge = r.color.stroke_width(2);
        let r = &BoxRow {
            p5: tx(r.p5),
            p25: tx(r.p25),
            p50: tx(r.p50),
            p75: tx(r.p75),
            p95: tx(r.p95),
            mean: tx(r.mean),
            other: r.other.map(tx),
            cap: r.cap.map(tx),
            ..r.clone()
        };
        if let Some(c) = r.cap {
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(c, y - 0.45), (c, y + 0.45)],
                RGBColor(190, 0, 30).stroke_width(4),
            )))?;
        }
        let diamond = r.other.map(|o| {
            EmptyElement::at((o, y))
                + Polygon::new(vec![(0, -9), (9, 0), (0, 9), (-9, 0)], WHITE.filled())
                + PathElement::new(
                    vec![(0, -9), (9, 0), (0, 9), (-9, 0), (0, -9)],
                    INK.stroke_width(2),
                )
        });
        chart.draw_series([
            PathElement::new(vec![(r.p5, y), (r.p25, y)], edge),
            PathElement::new(vec![(r.p75, y), (r.p95, y)], edge),
            PathElement::new(vec![(r.p5, y - half / 2.0), (r.p5, y + half / 2.0)], edge),
            PathElement::new(vec![(r.p95, y - half / 2.0), (r.p95, y + half / 2.0)], edge),
        ])?;
        chart.draw_series([
            Rectangle::new(
                [(r.p25, y - half), (r.p75, y + half)],
                r.color.mix(0.35).filled(),
            ),
            Rectangle::new([(r.p25, y - half), (r.p75, y + half)], edge),
        ])?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(r.p50, y - half), (r.p50, y + half)],
            INK.stroke_width(4),
        )))?;
        chart.draw_series(std::iter::once(Circle::new(
            (r.mean, y),
            6,
            INK.stroke_width(2),
        )))?;
        chart.draw_series(diamond)?;
        // Row label, right-aligned against the plot, in absolute backend coordinates.
        let (px, py) = chart.backend_coord(&(x_lo, y));
        root.draw(&Text::new(
            r.label.clone(),
            (px - 12, py),
            format::font(LABEL_SIZE + 1).pos(Pos::new(HPos::Right, VPos::Center)),
        ))?;
    }
    let key = format::font(LABEL_SIZE).color(&RGBColor(80, 80, 80));
    let mut line = "box: middle 50% of trials · whiskers: 5th-95th percentile · bar: median · \
                    circle: mean"
        .to_string();
    if let Some(note) = &d.note {
        line.push_str(&format!(" · {note}"));
    }
    let (w, _) = root.dim_in_pixel();
    root.draw(&Text::new(
        line,
        (w as i32 / 2, 58),
        key.pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    Ok(())
}
