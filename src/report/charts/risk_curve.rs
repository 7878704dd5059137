//! The risk curve of `chokepoint sweep`: the median, p95 and CVaR95 of a metric against the swept
//! value (with the mean's 95% interval as a band). With a grid of several paths, the curve runs
//! along the first path and each combination of the others gets its own CVaR95 line (up to
//! `MAX_LINES`). Same conventions as the other charts.

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN};
use super::{Draw, DrawResult};
use crate::report::sweep::Sweep;

pub const FILE_STEM: &str = "risk_curve";
/// Most lines of a grid chart; a larger grid is in sweep.csv only.
pub const MAX_LINES: usize = 8;

const MEDIAN: RGBColor = RGBColor(31, 90, 180);
const P95: RGBColor = RGBColor(230, 120, 20);
const CVAR: RGBColor = RGBColor(190, 0, 30);
const LINES: [RGBColor; MAX_LINES] = [
    RGBColor(190, 0, 30),
    RGBColor(31, 90, 180),
    RGBColor(230, 120, 20),
    RGBColor(40, 140, 60),
    RGBColor(120, 60, 160),
    RGBColor(120, 120, 120),
    RGBColor(200, 80, 160),
    RGBColor(20, 150, 160),
];

/// A line: its label and `(x, y)` points.
type Line = (String, Vec<(f64, f64)>);

#[derive(Debug, Clone, PartialEq)]
pub struct RiskFigure {
    pub title: String,
    pub caption: String,
    x_desc: String,
    y_desc: String,
    money: bool,
    /// 1-D: median, p95, CVaR95 and the mean band; grid: one CVaR95 line per combination.
    lines: Vec<Line>,
    band: Vec<(f64, f64, f64)>,
    one_path: bool,
}

/// The figure, or `None` when there is nothing to draw (fewer than two values of the first path,
/// or a grid with more than `MAX_LINES` combinations of the other paths).
pub fn figure(s: &Sweep) -> Option<RiskFigure> {
    s.paths.first()?;
    // Axes and legends in the report's words (`Sweep::labels`), the path where a label is missing.
    let name = |i: usize| s.labels.get(i).unwrap_or(&s.paths[i]).clone();
    let first = name(0);
    let money = s.metric.contains("value_lost");
    let mut xs: Vec<f64> = s.points.iter().map(|p| p.values[0]).collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    if xs.len() < 2 {
        return None;
    }
    let by_x = |pts: Vec<&crate::report::sweep::SweepPoint>,
                f: &dyn Fn(&crate::stats::Summary) -> f64| {
        let mut v: Vec<(f64, f64)> = pts.iter().map(|p| (p.values[0], f(&p.summary))).collect();
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        v
    };
    let (lines, band, one_path) = if s.paths.len() == 1 {
        let pts: Vec<_> = s.points.iter().collect();
        let z = 1.959_963_984_540_054;
        let mut band: Vec<(f64, f64, f64)> = pts
            .iter()
            .map(|p| {
                let m = &p.summary;
                (p.values[0], m.mean - z * m.se, m.mean + z * m.se)
            })
            .collect();
        band.sort_by(|a, b| a.0.total_cmp(&b.0));
        (
            vec![
                ("median".to_string(), by_x(pts.clone(), &|m| m.p50)),
                ("p95".to_string(), by_x(pts.clone(), &|m| m.p95)),
                (
                    "CVaR95 (mean of the worst 5% of trials)".to_string(),
                    by_x(pts, &|m| m.cvar95),
                ),
            ],
            band,
            true,
        )
    } else {
        let mut combos: Vec<Vec<f64>> = Vec::new();
        for p in &s.points {
            let rest = p.values[1..].to_vec();
            if !combos.contains(&rest) {
                combos.push(rest);
            }
        }
        if combos.len() > MAX_LINES {
            return None;
        }
        // Each other path's values in short form, distinct where the values are.
        let shown: Vec<Vec<String>> = (1..s.paths.len())
            .map(|i| {
                let col: Vec<f64> = combos.iter().map(|c| c[i - 1]).collect();
                crate::report::format::short_values(&col)
            })
            .collect();
        let lines = combos
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let label = (1..s.paths.len())
                    .map(|i| {
                        format!(
                            "{} = {}",
                            format::shorten(&name(i), 40),
                            format::shorten(&shown[i - 1][k], 12)
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(", ");
                let pts: Vec<_> = s
                    .points
                    .iter()
                    .filter(|p| &p.values[1..] == c.as_slice())
                    .collect();
                (format!("CVaR95, {label}"), by_x(pts, &|m| m.cvar95))
            })
            .collect();
        (lines, Vec::new(), false)
    };
    Some(RiskFigure {
        title: format::shorten(
            &format!("Risk curve: {} against {first}", s.metric_label),
            format::TITLE_CHARS,
        ),
        caption: format!(
            "Every point ran the same {} trials (same seed, common random numbers), so the curve's \
             shape is the effect of {first}, not noise between points.",
            s.trials
        ),
        x_desc: format::shorten(&first, 90),
        y_desc: format::shorten(&s.metric_label, 60),
        money,
        lines,
        band,
        one_path,
    })
}

impl Draw for RiskFigure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0);
        let all = self.lines.iter().flat_map(|l| l.1.iter());
        let (mut x0, mut x1, mut y1) = (f64::MAX, f64::MIN, 0.0f64);
        for &(x, y) in all {
            x0 = x0.min(x);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        for &(_, _, hi) in &self.band {
            y1 = y1.max(hi);
        }
        let y1 = format::nice_ceiling((y1 * 1.1).max(1e-9));
        let money = self.money;
        let fmt_y = move |y: &f64| {
            if money {
                format::money(*y)
            } else {
                crate::report::format::num(*y)
            }
        };
        let mut chart = ChartBuilder::on(&area)
            .caption(&self.title, format::title_font())
            .margin(MARGIN)
            .x_label_area_size(70)
            .y_label_area_size(110)
            .build_cartesian_2d(x0..x1, 0.0..y1)?;
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .x_desc(self.x_desc.as_str())
            .y_desc(self.y_desc.as_str())
            .y_label_formatter(&fmt_y)
            .label_style(format::font(LABEL_SIZE))
            .axis_desc_style(format::font(AXIS_DESC_SIZE))
            .draw()?;
        if !self.band.is_empty() {
            let mut poly: Vec<(f64, f64)> = self.band.iter().map(|b| (b.0, b.2)).collect();
            poly.extend(self.band.iter().rev().map(|b| (b.0, b.1)));
            let fill = MEDIAN.mix(0.12).filled();
            chart
                .draw_series(std::iter::once(Polygon::new(poly, fill)))?
                .label("mean, 95% interval")
                .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], fill));
        }
        for (i, (label, pts)) in self.lines.iter().enumerate() {
            let c = if self.one_path {
                [MEDIAN, P95, CVAR][i.min(2)]
            } else {
                LINES[i % MAX_LINES]
            };
            let style = c.stroke_width(3);
            if self.one_path && i == 1 {
                chart
                    .draw_series(std::iter::once(DashedPathElement::new(
                        pts.clone(),
                        10,
                        6,
                        style,
                    )))?
                    .label(label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            } else {
                chart
                    .draw_series(std::iter::once(PathElement::new(pts.clone(), style)))?
                    .label(label.as_str())
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
            chart.draw_series(pts.iter().map(|&xy| Circle::new(xy, 4, c.filled())))?;
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
