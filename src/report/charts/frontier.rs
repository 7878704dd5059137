//! The efficient-frontier chart of `chokepoint portfolio`: every variant's mean cost against its
//! bad-case loss (CVaR95 of the metric), the base at zero cost, and the undominated points joined
//! as a step line. Same conventions as the other charts: 1200x800, embedded font, SVG and PNG,
//! byte-identical for the same inputs.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN, money};
use super::{Draw, DrawResult};
use crate::stats::portfolio::FrontierPoint;

const BASE: RGBColor = RGBColor(120, 120, 120);
const PACKAGE: RGBColor = RGBColor(31, 90, 180);
const ALONE: RGBColor = RGBColor(230, 120, 20);
const WITHOUT: RGBColor = RGBColor(120, 60, 160);
const FRONTIER: RGBColor = RGBColor(190, 0, 30);
/// Points labelled on the chart (the efficient ones first, then the packages); the rest are in
/// the table.
const MAX_LABELS: usize = 14;

/// The chart's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierFigure {
    pub title: String,
    pub caption: String,
    pub metric: String,
    pub points: Vec<FrontierPoint>,
}

pub const FILE_STEM: &str = "frontier";

/// The figure, or `None` when there is nothing to place (no finite point).
pub fn figure(metric: &str, points: &[FrontierPoint]) -> Option<FrontierFigure> {
    let pts: Vec<FrontierPoint> = points
        .iter()
        .filter(|p| p.cost.is_finite() && p.loss_cvar95.is_finite())
        .cloned()
        .collect();
    if pts.is_empty() {
        return None;
    }
    Some(FrontierFigure {
        title: "Cost against the bad-case loss: the efficient frontier".into(),
        caption: format!(
            "Each point is a variant run on the same trials: mean cost (x) against the mean of the \
             worst 5% of trials of {metric} (y, CVaR95). Lower and further left is better; the \
             red line joins the variants no other variant beats on both."
        ),
        metric: metric.to_string(),
        points: pts,
    })
}

fn color(kind: &str) -> RGBColor {
    match kind {
        "base" => BASE,
        "package" => PACKAGE,
        "lever alone" => ALONE,
        _ => WITHOUT,
    }
}

impl Draw for FrontierFigure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0);
        let x_max = self.points.iter().map(|p| p.cost).fold(0.0, f64::max);
        let x_max = format::nice_ceiling((x_max * 1.15).max(1.0));
        let y_hi = self
            .points
            .iter()
            .map(|p| p.loss_cvar95)
            .fold(f64::MIN, f64::max);
        let y_lo = self
            .points
            .iter()
            .map(|p| p.loss_cvar95)
            .fold(f64::MAX, f64::min);
        let pad = ((y_hi - y_lo) * 0.12).max(y_hi.abs() * 0.02).max(1.0);
        let (y0, y1) = ((y_lo - pad).max(0.0), y_hi + pad);
        let mut chart = ChartBuilder::on(&area)
            .caption(&self.title, format::title_font())
            .margin(MARGIN)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(0.0..x_max, y0..y1)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc("Mean cost, present-value dollars")
            .y_desc(format!("Bad-case {} (CVaR95)", self.metric))
            .x_label_formatter(&|x| money(*x))
            .y_label_formatter(&|y| money(*y))
            .label_style(format::font(LABEL_SIZE))
            .axis_desc_style(format::font(AXIS_DESC_SIZE))
            .draw()?;
        // The frontier: efficient points by cost, as a step line (a cheaper efficient point
        // holds until the next one improves on it).
        let mut eff: Vec<&FrontierPoint> = self.points.iter().filter(|p| p.efficient).collect();
        eff.sort_by(|a, b| a.cost.total_cmp(&b.cost));
        let mut line = Vec::new();
        for (i, p) in eff.iter().enumerate() {
            if i > 0 {
                line.push((p.cost, eff[i - 1].loss_cvar95));
            }
            line.push((p.cost, p.loss_cvar95));
        }
        if let Some(last) = eff.last() {
            line.push((x_max, last.loss_cvar95));
        }
        let fstyle = FRONTIER.stroke_width(3);
        chart
            .draw_series(std::iter::once(PathElement::new(line, fstyle)))?
            .label("efficient frontier")
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], fstyle));
        for kind in ["package without a lever", "lever alone", "package", "base"] {
            let c = color(kind);
            let pts: Vec<(f64, f64)> = self
                .points
                .iter()
                .filter(|p| p.kind == kind)
                .map(|p| (p.cost, p.loss_cvar95))
                .collect();
            if pts.is_empty() {
                continue;
            }
            chart
                .draw_series(pts.into_iter().map(|xy| Circle::new(xy, 7, c.filled())))?
                .label(kind)
                .legend(move |(x, y)| Circle::new((x + 10, y), 6, c.filled()));
        }
        // Labels: efficient points first, then packages, at most MAX_LABELS.
        let mut labelled: Vec<&FrontierPoint> =
            self.points.iter().filter(|p| p.efficient).collect();
        labelled.extend(
            self.points
                .iter()
                .filter(|p| !p.efficient && p.kind == "package"),
        );
        // A label is placed only where it overlaps no label already placed (boxes estimated
        // from the character count), so points that coincide (a lever alone is the package
        // without the other lever when there are two) keep the first label only.
        let (cw, lh) = (x_max * 0.0085, (y1 - y0) * 0.04);
        let mut placed: Vec<(f64, f64, f64)> = Vec::new();
        let left = format::font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Bottom));
        let right = format::font(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Bottom));
        for p in labelled {
            let text = format::shorten(&p.label, 44);
            let w = text.chars().count() as f64 * cw;
            // Labels of points on the right half run leftwards, so they stay inside the plot.
            let to_left = p.cost > x_max * 0.55;
            let (x, style) = if to_left {
                (p.cost - x_max * 0.008, right.clone())
            } else {
                (p.cost + x_max * 0.008, left.clone())
            };
            let x_start = if to_left { x - w } else { x };
            let y = p.loss_cvar95 + (y1 - y0) * 0.01;
            let clash = placed
                .iter()
                .any(|&(px, pw, py)| x_start < px + pw && px < x_start + w && (y - py).abs() < lh);
            if placed.len() >= MAX_LABELS || clash {
                continue;
            }
            placed.push((x_start, w, y));
            chart.draw_series(std::iter::once(Text::new(text, (x, y), style)))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(format::font(LEGEND_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID)
            .draw()?;
        root.present()?;
        Ok(())
    }
}
