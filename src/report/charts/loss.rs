//! Distribution of a sector's loss: histogram of the per-trial mean output loss, the exceedance
//! curve P(loss > x) on a secondary axis, and labelled lines at the median, p95 and CVaR95.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN, pct};
use super::select::{metric, sector_metric};
use super::{Body, ChartKind, DrawResult, Figure, file_safe, palette};
use crate::report::view::RunView;
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

pub(super) fn figure(scenario: &Scenario, results: &dyn RunView, s: SectorIx) -> Option<Figure> {
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
    let title = format::fit(
        &sec.name,
        &format!(" ({}): distribution of mean output loss", region.id),
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

const MEDIAN_COLOR: RGBColor = RGBColor(70, 70, 70);
const P95_COLOR: RGBColor = RGBColor(220, 110, 0);
const CVAR_COLOR: RGBColor = RGBColor(190, 0, 30);

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &LossData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let body = root.titled(title, format::title_font())?;
    // The legend runs in a strip above the plot, so it never covers bars or labels.
    let (strip, rest) = body.split_vertically(40);
    let bar = d.color.mix(0.55).filled();
    legend_strip(&strip, bar)?;

    let tallest = d.bins.iter().map(|b| b.2).fold(0.0, f64::max);
    // Headroom above the tallest bar for the staggered line labels.
    let y_max = format::nice_ceiling(tallest * 1.3);
    let mut chart = ChartBuilder::on(&rest)
        .margin(MARGIN)
        .margin_top(6)
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

    chart.draw_series(
        d.bins
            .iter()
            .filter(|b| b.2 > 0.0)
            .map(|&(x0, x1, h)| Rectangle::new([(x0, 0.0), (x1, h)], bar)),
    )?;
    chart.draw_secondary_series(std::iter::once(PathElement::new(
        d.exceedance.clone(),
        BLACK.stroke_width(3),
    )))?;

    let marks = [
        ("median", d.median, MEDIAN_COLOR),
        ("p95", d.p95, P95_COLOR),
        ("CVaR95", d.cvar95, CVAR_COLOR),
    ];
    let right_edge = chart.backend_coord(&(d.x_max, 0.0)).0;
    for (k, (name, x, color)) in marks.iter().enumerate() {
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(*x, 0.0), (*x, y_max)],
            10,
            6,
            color.stroke_width(3),
        )))?;
        // Staggered heights keep coincident lines readable; a label goes right of its line
        // unless it would run past the plot.
        let label = format!("{name} {}", pct(*x));
        let font = format::bold(LEGEND_SIZE).color(color);
        let (w, _) = root.estimate_text_size(&label, &font)?;
        let y = y_max * (0.96 - 0.07 * k as f64);
        let px = chart.backend_coord(&(*x, y)).0;
        let (dx, anchor) = if px + 8 + w as i32 <= right_edge {
            (8, Pos::new(HPos::Left, VPos::Center))
        } else {
            (-8, Pos::new(HPos::Right, VPos::Center))
        };
        chart.draw_series(std::iter::once(
            EmptyElement::at((*x, y)) + Text::new(label, (dx, 0), font.pos(anchor)),
        ))?;
    }
    Ok(())
}

/// One row of legend entries, centred: swatch or line sample, then its text.
fn legend_strip<DB: DrawingBackend>(strip: &DrawingArea<DB, Shift>, bar: ShapeStyle) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let font = format::font(LEGEND_SIZE);
    let items: [(&str, Option<RGBColor>); 5] = [
        ("trials at this loss (left axis)", None),
        ("chance the loss is exceeded (right axis)", Some(BLACK)),
        ("median", Some(MEDIAN_COLOR)),
        ("p95", Some(P95_COLOR)),
        ("CVaR95: mean of the worst 5%", Some(CVAR_COLOR)),
    ];
    let (sample, gap, pad) = (30, 26, 8);
    let mut widths = Vec::new();
    for (text, _) in &items {
        widths.push(strip.estimate_text_size(text, &font)?.0 as i32);
    }
    let total: i32 = widths.iter().map(|w| sample + pad + w).sum::<i32>() + gap * 4;
    let (w, h) = strip.dim_in_pixel();
    let mut x = ((w as i32 - total) / 2).max(4);
    let y = h as i32 / 2;
    for ((text, line), tw) in items.iter().zip(&widths) {
        match line {
            None => strip.draw(&Rectangle::new([(x, y - 8), (x + sample, y + 8)], bar))?,
            Some(c) if *c == BLACK => strip.draw(&PathElement::new(
                vec![(x, y), (x + sample, y)],
                c.stroke_width(3),
            ))?,
            Some(c) => strip.draw(&DashedPathElement::new(
                vec![(x, y), (x + sample, y)],
                8,
                5,
                c.stroke_width(3),
            ))?,
        }
        strip.draw(&Text::new(
            *text,
            (x + sample + pad, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        x += sample + pad + tw + gap;
    }
    Ok(())
}
