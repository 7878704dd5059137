//! Distribution of a sector's loss: histogram of the per-trial mean output loss, the exceedance
//! curve P(loss > x) on a secondary axis, and labelled lines at the median, p95 and CVaR95.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN, pct};
use super::select::{metric, sector_metric};
use super::{Body, ChartKind, DrawResult, Figure, file_safe, palette};
use crate::run::RunResults;
use crate::scenario::{Scenario, SectorIx};
use crate::stats;

const BINS: usize = 40;
const CURVE_POINTS: usize = 200;

#[derive(Debug, Clone)]
pub struct LossData {
    pub color: RGBColor,
    pub x_max: f64,
    /// `(left edge, right edge, share of trials in %)`.
    pub bins: Vec<(f64, f64, f64)>,
    /// `(x, P(loss > x) in %)`.
    pub exceedance: Vec<(f64, f64)>,
    pub median: f64,
    pub p95: f64,
    pub cvar95: f64,
    pub trials: usize,
}

pub(super) fn figure(scenario: &Scenario, results: &RunResults, s: SectorIx) -> Option<Figure> {
    let values = metric(results, &sector_metric(scenario, s, "mean_loss"))?;
    if values.is_empty() {
        return None;
    }
    let sec = &scenario.sectors[s];
    let region = &scenario.regions[sec.region];
    let sorted = stats::sorted(&values);
    let sum = stats::summarize(&values);
    let top = sorted[sorted.len() - 1].clamp(0.0, 1.0);
    let x_max = format::nice_ceiling((top * 1.05).max(0.01)).min(1.0);
    let n = values.len() as f64;
    let width = x_max / BINS as f64;
    let mut counts = vec![0usize; BINS];
    for &v in &values {
        let i = ((v / width).floor().max(0.0) as usize).min(BINS - 1);
        counts[i] += 1;
    }
    let bins = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            (
                i as f64 * width,
                (i + 1) as f64 * width,
                c as f64 / n * 100.0,
            )
        })
        .collect();
    let exceedance = (0..=CURVE_POINTS)
        .map(|k| {
            let x = x_max * k as f64 / CURVE_POINTS as f64;
            let above = sorted.len() - sorted.partition_point(|&v| v <= x);
            (x, above as f64 / n * 100.0)
        })
        .collect();
    let title = format::shorten(
        &format!(
            "{} ({}): distribution of mean output loss",
            sec.name, region.id
        ),
        format::TITLE_CHARS,
    );
    let caption = format!(
        "How often each level of average output loss over the horizon occurs for {} in {} across \
         {} trials, with the chance of exceeding it (right axis): median {}, p95 {}, mean of the \
         worst 5% (CVaR95) {}.",
        sec.name,
        region.name,
        values.len(),
        pct(sum.p50),
        pct(sum.p95),
        pct(sum.cvar95)
    );
    Some(Figure {
        file_stem: format!("loss-{}-{}", file_safe(&region.id), file_safe(&sec.id)),
        title,
        caption,
        kind: ChartKind::LossDistribution,
        body: Body::Loss(LossData {
            color: palette::region_color(&region.id),
            x_max,
            bins,
            exceedance,
            median: sum.p50,
            p95: sum.p95,
            cvar95: sum.cvar95,
            trials: values.len(),
        }),
    })
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &LossData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let tallest = d.bins.iter().map(|b| b.2).fold(0.0, f64::max);
    let y_max = format::nice_ceiling(tallest * 1.25);
    let mut chart = ChartBuilder::on(root)
        .caption(title, format::title_font())
        .margin(MARGIN)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .right_y_label_area_size(90)
        .build_cartesian_2d(0.0..d.x_max, 0.0..y_max)?
        .set_secondary_coord(0.0..d.x_max, 0.0..100.0);
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("Mean output loss over the horizon (% of normal output)")
        .y_desc(format!("Share of {} trials (%)", d.trials))
        .x_label_formatter(&|x| pct(*x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("Chance the loss is exceeded (%)")
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;

    let bar = d.color.mix(0.55).filled();
    chart
        .draw_series(
            d.bins
                .iter()
                .filter(|b| b.2 > 0.0)
                .map(|&(x0, x1, h)| Rectangle::new([(x0, 0.0), (x1, h)], bar)),
        )?
        .label("trials at this loss (left axis)")
        .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], bar));
    chart
        .draw_secondary_series(std::iter::once(PathElement::new(
            d.exceedance.clone(),
            BLACK.stroke_width(3),
        )))?
        .label("chance loss exceeds x (right axis)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(3)));

    let marks = [
        ("median", d.median, RGBColor(70, 70, 70)),
        ("p95", d.p95, RGBColor(220, 110, 0)),
        ("CVaR95", d.cvar95, RGBColor(190, 0, 30)),
    ];
    for (k, (name, x, color)) in marks.iter().enumerate() {
        let style = color.stroke_width(3);
        chart
            .draw_series(std::iter::once(DashedPathElement::new(
                vec![(*x, 0.0), (*x, y_max)],
                10,
                6,
                style,
            )))?
            .label(format!("{name} {}", pct(*x)))
            .legend(move |(lx, ly)| PathElement::new(vec![(lx, ly), (lx + 20, ly)], style));
        // Stagger labels so coincident lines stay readable; flip to the left near the right edge.
        let y = y_max * (0.96 - 0.07 * k as f64);
        let right = *x > d.x_max * 0.75;
        let (dx, anchor) = if right {
            (-8, Pos::new(HPos::Right, VPos::Center))
        } else {
            (8, Pos::new(HPos::Left, VPos::Center))
        };
        let text = format::bold(LEGEND_SIZE).color(color).pos(anchor);
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, y)) + Text::new(format!("{name} {}", pct(*x)), (dx, 0), text),
        ))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .margin(12)
        .label_font(format::font(LEGEND_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(format::GRID.stroke_width(1))
        .draw()?;
    Ok(())
}
