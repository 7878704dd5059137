//! Time-series band charts (output fans, price bands, flows): per series a median line with its
//! 25-75% band and optionally its 5-95% band, over calendar-labelled periods, with the legend in a
//! pane to the right so it never hides data.

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::DrawResult;
use super::format::{self, AXIS_DESC_SIZE, GRID, INK, LABEL_SIZE, LEGEND_SIZE, MARGIN};
use crate::stats::Band;

/// Width of the legend pane on the right.
const LEGEND_WIDTH: u32 = 270;
/// Longest legend entry in characters.
const LEGEND_CHARS: usize = 25;
/// Colour of a limit line (the price cap).
const LIMIT: RGBColor = RGBColor(190, 0, 30);

/// How values on the y axis read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum YFormat {
    /// 0..1 shown as a percentage.
    Percent,
    /// A multiple of a reference (price index).
    Index,
    /// A physical quantity.
    Quantity,
}

#[derive(Debug, Clone)]
pub struct BandSeries {
    pub label: String,
    pub color: RGBColor,
    pub bands: Vec<Band>,
    /// Drawn dashed (e.g. regions outside a restriction).
    pub dashed: bool,
}

#[derive(Debug, Clone)]
pub struct BandChart {
    pub series: Vec<BandSeries>,
    /// Tick label per period.
    pub period_labels: Vec<String>,
    pub x_desc: String,
    pub y_desc: String,
    pub y_min: f64,
    pub y_max: f64,
    pub log_y: bool,
    pub y_format: YFormat,
    /// A horizontal reference line and its legend text.
    pub reference: Option<(f64, String)>,
    /// A level series cannot pass (the price cap), drawn as a dotted red line, and its legend text.
    pub limit: Option<(f64, String)>,
    /// Levels drawn as thin dotted lines across the chart in a series' colour (each destination's
    /// pre-control shipments), and the legend text that explains them.
    pub levels: Vec<(f64, RGBColor)>,
    pub levels_label: String,
    /// A vertical line at a period (the control's start) and its label.
    pub marker: Option<(f64, String)>,
    /// Draw the 5-95% band too.
    pub outer: bool,
    /// Candidate spacings of time-axis ticks, in periods, smallest first.
    pub tick_steps: &'static [usize],
    /// A note under the legend (what the bands mean).
    pub note: Vec<String>,
}

impl BandChart {
    /// Value to axis coordinate (log2 on a log axis).
    fn to_axis(&self, v: f64) -> f64 {
        if self.log_y { v.max(1e-12).log2() } else { v }
    }
    fn value_at(&self, y: f64) -> f64 {
        if self.log_y { y.exp2() } else { y }
    }
    fn inner_alpha(&self) -> f64 {
        if self.series.len() == 1 { 0.35 } else { 0.18 }
    }
    fn outer_alpha(&self) -> f64 {
        if self.series.len() == 1 { 0.15 } else { 0.07 }
    }
}

/// Legend note lines naming series whose median lines coincide (within 0.5% at every period),
/// since only the last drawn of them is visible.
pub fn overlap_note(series: &[BandSeries]) -> Vec<String> {
    let same = |a: &BandSeries, b: &BandSeries| {
        a.bands.len() == b.bands.len()
            && a.bands.iter().zip(&b.bands).all(|(x, y)| {
                (x.p50 - y.p50).abs() <= 0.005 * x.p50.abs().max(y.p50.abs()).max(1e-9)
            })
    };
    let mut taken = vec![false; series.len()];
    let mut lines = Vec::new();
    for i in 0..series.len() {
        if taken[i] {
            continue;
        }
        let group: Vec<usize> = (i..series.len())
            .filter(|&j| !taken[j] && same(&series[i], &series[j]))
            .collect();
        if group.len() < 2 {
            continue;
        }
        let mut names = Vec::new();
        for &j in &group {
            taken[j] = true;
            // "US (targeted)" or a merged "US, KR (targeted)": the part before the role.
            let label = &series[j].label;
            names.push(
                label
                    .rsplit_once(" (")
                    .map_or(label.as_str(), |p| p.0)
                    .to_string(),
            );
        }
        // Wrap to the legend width.
        let mut line = "same median: ".to_string();
        for (k, n) in names.iter().enumerate() {
            let piece = if k + 1 < names.len() {
                format!("{n}, ")
            } else {
                n.clone()
            };
            if line.chars().count() + piece.chars().count() > LEGEND_CHARS + 4 {
                lines.push(line.trim_end().to_string());
                line = "  ".to_string();
            }
            line.push_str(&piece);
        }
        lines.push(line);
    }
    lines
}

/// Series that are `close` to an earlier series with the same `suffix` and dash join it: one line
/// labelled with every member's key ("US, KR, IN (targeted)"), drawn in the first member's colour.
/// Input is `(key, suffix, series)`; a series' own label is replaced. Drawn separately, such series
/// stack translucent bands into a muddy block and only the last line drawn is visible.
pub fn merge_close(
    series: Vec<(String, String, BandSeries)>,
    close: impl Fn(&BandSeries, &BandSeries) -> bool,
) -> Vec<BandSeries> {
    let mut out: Vec<(Vec<String>, String, BandSeries)> = Vec::new();
    for (key, suffix, s) in series {
        match out.iter_mut().find(|(_, suf, o)| {
            *suf == suffix && o.dashed == s.dashed && o.bands.len() == s.bands.len() && close(o, &s)
        }) {
            Some((keys, _, _)) => keys.push(key),
            None => out.push((vec![key], suffix, s)),
        }
    }
    out.into_iter()
        .map(|(keys, suffix, mut s)| {
            s.label = format!("{}{suffix}", keys.join(", "));
            s
        })
        .collect()
}

/// Whether two series agree within noise at every period: medians within `tol` of each other
/// and quartiles (p25, p75, noisier) within `2 * tol`, where `tol` is an absolute difference for
/// `relative == false` and a share of the larger value otherwise.
pub fn within(a: &BandSeries, b: &BandSeries, tol: f64, relative: bool) -> bool {
    let close = |x: f64, y: f64, k: f64| {
        let room = if relative {
            k * tol * x.abs().max(y.abs()).max(1e-9)
        } else {
            k * tol
        };
        (x - y).abs() <= room
    };
    a.bands.len() == b.bands.len()
        && a.bands.iter().zip(&b.bands).all(|(x, y)| {
            close(x.p50, y.p50, 1.0) && close(x.p25, y.p25, 2.0) && close(x.p75, y.p75, 2.0)
        })
}

fn format_y(f: YFormat, y: f64) -> String {
    match f {
        YFormat::Percent => format::pct(y),
        YFormat::Index => {
            if y >= 10.0 {
                format!("{y:.0}")
            } else if y >= 1.0 {
                let s = format!("{y:.2}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            } else {
                let s = format!("{y:.3}");
                s.trim_end_matches('0').trim_end_matches('.').to_string()
            }
        }
        YFormat::Quantity => quantity(y),
    }
}

/// A quantity with a magnitude suffix (`12k`, `3.4M`).
pub fn quantity(v: f64) -> String {
    let a = v.abs();
    let (x, suffix) = if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e3 {
        // From 1000 up, so one axis does not mix "8000" with "10k".
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let s = if x.abs() >= 100.0 || x == x.round() {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.3}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    format!("{s}{suffix}")
}

pub(super) fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &BandChart,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let body = root.titled(title, format::title_font())?;
    let (w, _) = body.dim_in_pixel();
    let (plot, pane) = body.split_horizontally(w.saturating_sub(LEGEND_WIDTH));
    let horizon = d.period_labels.len().max(1);
    let x_range = if horizon == 1 {
        -0.5..0.5
    } else {
        0.0..(horizon - 1) as f64
    };
    // A log axis is drawn as a linear axis over log2 of the value, so ticks fall on halvings and
    // doublings (0.5, 1, 2, 4) of the price index.
    let (y_lo, y_hi) = (d.to_axis(d.y_min), d.to_axis(d.y_max));
    let chart = ChartBuilder::on(&plot)
        .margin(MARGIN)
        .x_label_area_size(70)
        .y_label_area_size(95)
        .build_cartesian_2d(x_range, y_lo..y_hi)?;
    plot_series(chart, d)?;
    legend(&pane, d)?;
    Ok(())
}

fn plot_series<DB>(
    mut chart: ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    d: &BandChart,
) -> DrawResult
where
    DB: DrawingBackend,
    DB::ErrorType: 'static,
{
    let labels = &d.period_labels;
    let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(2);
    // About 11 px per character at the label size plus a gap, across roughly 780 px of plot.
    let fits = (780 / (longest * 11 + 24)).max(2);
    let step = d
        .tick_steps
        .iter()
        .copied()
        .find(|&s| labels.len().div_ceil(s) <= fits)
        .unwrap_or_else(|| labels.len().div_ceil(fits).max(1));
    let y_fmt = |y: &f64| format_y(d.y_format, d.value_at(*y));
    let y_labels = if d.log_y {
        // One tick per doubling; plotters picks a step of 1 in log2 units.
        ((d.to_axis(d.y_max) - d.to_axis(d.y_min)).floor() as usize + 1).clamp(2, 12)
    } else {
        10
    };
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_labels(0)
        .y_labels(y_labels)
        .x_desc(d.x_desc.as_str())
        .y_desc(d.y_desc.as_str())
        .y_label_formatter(&y_fmt)
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;

    // Time ticks on whole calendar steps (3, 6, 12 months...), which plotters cannot choose.
    let (y_lo, y_hi) = (d.to_axis(d.y_min), d.to_axis(d.y_max));
    let tick_font = format::font(LABEL_SIZE).pos(Pos::new(HPos::Center, VPos::Top));
    for t in (0..labels.len()).step_by(step) {
        let x = t as f64;
        chart.draw_series([PathElement::new(
            vec![(x, y_lo), (x, y_hi)],
            GRID.stroke_width(1),
        )])?;
        chart.draw_series(std::iter::once(
            EmptyElement::at((x, y_lo))
                + PathElement::new(vec![(0, 0), (0, 6)], INK.stroke_width(1))
                + Text::new(labels[t].clone(), (0, 10), tick_font.clone()),
        ))?;
    }
    let xs = |n: usize| (0..n).map(|t| t as f64);
    let (ylo, yhi) = (d.y_min, d.y_max);
    let clamp = move |v: f64| d.to_axis(v.clamp(ylo, yhi));
    for s in &d.series {
        let n = s.bands.len();
        let band = |lo: &dyn Fn(&Band) -> f64, hi: &dyn Fn(&Band) -> f64| -> Vec<(f64, f64)> {
            let mut pts: Vec<(f64, f64)> = xs(n)
                .zip(&s.bands)
                .map(|(x, b)| (x, clamp(hi(b))))
                .collect();
            pts.extend(xs(n).zip(&s.bands).rev().map(|(x, b)| (x, clamp(lo(b)))));
            pts
        };
        if d.outer {
            let pts = band(&|b| b.p5, &|b| b.p95);
            chart.draw_series(std::iter::once(Polygon::new(
                pts,
                s.color.mix(d.outer_alpha()).filled(),
            )))?;
        }
        let pts = band(&|b| b.p25, &|b| b.p75);
        chart.draw_series(std::iter::once(Polygon::new(
            pts,
            s.color.mix(d.inner_alpha()).filled(),
        )))?;
    }
    if let Some((y, _)) = &d.reference {
        let (x0, x1) = (chart.x_range().start, chart.x_range().end);
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, d.to_axis(*y)), (x1, d.to_axis(*y))],
            8,
            6,
            INK.mix(0.8).stroke_width(2),
        )))?;
    }
    for (y, color) in &d.levels {
        let (x0, x1) = (chart.x_range().start, chart.x_range().end);
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, d.to_axis(*y)), (x1, d.to_axis(*y))],
            2,
            4,
            color.stroke_width(2),
        )))?;
    }
    if let Some((x, label)) = &d.marker {
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(*x, y_lo), (*x, y_hi)],
            INK.mix(0.6).stroke_width(2),
        )))?;
        chart.draw_series(std::iter::once(Text::new(
            label.clone(),
            (*x, y_hi),
            format::font(LABEL_SIZE).pos(Pos::new(HPos::Left, VPos::Top)),
        )))?;
    }
    if let Some((y, _)) = &d.limit {
        let (x0, x1) = (chart.x_range().start, chart.x_range().end);
        chart.draw_series(std::iter::once(DashedPathElement::new(
            vec![(x0, d.to_axis(*y)), (x1, d.to_axis(*y))],
            3,
            5,
            LIMIT.stroke_width(3),
        )))?;
    }
    // Medians last, so no band covers a line.
    for s in &d.series {
        let pts: Vec<(f64, f64)> = xs(s.bands.len())
            .zip(&s.bands)
            .map(|(x, b)| (x, clamp(b.p50)))
            .collect();
        let style = s.color.stroke_width(3);
        if s.dashed {
            chart.draw_series(std::iter::once(DashedPathElement::new(pts, 14, 7, style)))?;
        } else {
            chart.draw_series(std::iter::once(PathElement::new(pts, style)))?;
        }
    }
    Ok(())
}

fn legend<DB: DrawingBackend>(pane: &DrawingArea<DB, Shift>, d: &BandChart) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let font = format::font(LEGEND_SIZE);
    let x = 10;
    let mut y = 40;
    let line = 30;
    for s in &d.series {
        let style = s.color.stroke_width(4);
        if s.dashed {
            pane.draw(&DashedPathElement::new(
                vec![(x, y), (x + 34, y)],
                9,
                5,
                style,
            ))?;
        } else {
            pane.draw(&PathElement::new(vec![(x, y), (x + 34, y)], style))?;
        }
        pane.draw(&Text::new(
            format::shorten(&s.label, LEGEND_CHARS),
            (x + 44, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += line;
    }
    if let Some((_, label)) = &d.reference {
        pane.draw(&DashedPathElement::new(
            vec![(x, y), (x + 34, y)],
            8,
            6,
            INK.mix(0.8).stroke_width(2),
        ))?;
        pane.draw(&Text::new(
            format::shorten(label, LEGEND_CHARS),
            (x + 44, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += line;
    }
    if let Some((_, label)) = &d.limit {
        pane.draw(&DashedPathElement::new(
            vec![(x, y), (x + 34, y)],
            3,
            5,
            LIMIT.stroke_width(3),
        ))?;
        pane.draw(&Text::new(
            format::shorten(label, LEGEND_CHARS),
            (x + 44, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += line;
    }
    if !d.levels.is_empty() {
        pane.draw(&DashedPathElement::new(
            vec![(x, y), (x + 34, y)],
            2,
            4,
            INK.stroke_width(2),
        ))?;
        pane.draw(&Text::new(
            format::shorten(&d.levels_label, LEGEND_CHARS),
            (x + 44, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += line;
    }
    // Swatches for the band meanings, in the first series' colour when there is only one.
    let swatch = d
        .series
        .first()
        .filter(|_| d.series.len() == 1)
        .map(|s| s.color)
        .unwrap_or(RGBColor(90, 90, 90));
    y += 10;
    let mut bands = vec![("middle 50% of trials", d.inner_alpha() + 0.1)];
    if d.outer {
        bands.push(("middle 90% of trials", d.outer_alpha() + 0.05));
    }
    for (label, alpha) in bands {
        pane.draw(&Rectangle::new(
            [(x, y - 9), (x + 34, y + 9)],
            swatch.mix(alpha).filled(),
        ))?;
        pane.draw(&Text::new(
            label,
            (x + 44, y),
            font.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += line;
    }
    let small = format::font(LEGEND_SIZE - 2).color(&RGBColor(80, 80, 80));
    y += 6;
    for n in &d.note {
        pane.draw(&Text::new(
            format::shorten(n, LEGEND_CHARS + 4),
            (x, y),
            small.pos(Pos::new(HPos::Left, VPos::Center)),
        ))?;
        y += 24;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_read_short() {
        assert_eq!(quantity(12_500.0), "12.5k");
        assert_eq!(quantity(3_400_000.0), "3.4M");
        assert_eq!(quantity(250.0), "250");
        assert_eq!(quantity(8_000.0), "8k");
        assert_eq!(quantity(2_500.0), "2.5k");
        assert_eq!(quantity(999.0), "999");
        assert_eq!(quantity(0.25), "0.25");
        assert_eq!(quantity(0.0), "0");
    }

    fn flat(label: &str, v: f64) -> BandSeries {
        let b = Band {
            mean: v,
            p5: v,
            p25: v,
            p50: v,
            p75: v,
            p95: v,
        };
        BandSeries {
            label: label.to_string(),
            color: RGBColor(0, 0, 0),
            bands: vec![b; 3],
            dashed: false,
        }
    }

    #[test]
    fn coinciding_medians_are_named() {
        let s = [
            flat("CN (exporter)", 0.5),
            flat("US (targeted)", 10.0),
            flat("EU (targeted)", 10.02),
            flat("JP (targeted)", 9.0),
        ];
        assert_eq!(overlap_note(&s), vec!["same median: US, EU".to_string()]);
        assert!(overlap_note(&s[..2]).is_empty());
    }

    #[test]
    fn index_labels() {
        assert_eq!(format_y(YFormat::Index, 1.0), "1");
        assert_eq!(format_y(YFormat::Index, 1.5), "1.5");
        assert_eq!(format_y(YFormat::Index, 20.0), "20");
        assert_eq!(format_y(YFormat::Index, 0.25), "0.25");
    }
}
