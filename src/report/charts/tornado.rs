//! The tornado chart of a sensitivity study: the most important parameters, labelled in words,
//! each bar with its 95% bootstrap interval. Sobol' studies show first- and total-order bars;
//! Morris studies show mu*. A bar whose interval reaches zero is drawn hollow and grey over its
//! interval shaded as its noise band: it cannot be told from no effect at this sample size. Same
//! conventions as the other charts: 1200x800, embedded font, SVG and PNG, byte-identical for the
//! same inputs.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN};
use super::{ChartError, Draw, DrawResult};
use crate::report::sensitivity::{label, metric_value};
use crate::stats::sobol::Estimate;
use crate::study::sensitivity::{Indices, Method, Study};

/// Parameters shown.
pub const ROWS: usize = 12;

const FIRST: RGBColor = RGBColor(31, 90, 180);
const TOTAL: RGBColor = RGBColor(190, 0, 30);
const NOISE: RGBColor = RGBColor(150, 150, 150);

/// One parameter's bars: `(estimate, colour index)`; Sobol has two, Morris one.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoRow {
    pub label: String,
    pub bars: Vec<Estimate>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct TornadoFigure {
    pub file_stem: String,
    pub title: String,
    pub caption: String,
    method: Method,
    metric: String,
    rows: Vec<TornadoRow>,
    /// Largest magnitude among the estimates that are noise (0 when none is: no legend entry).
    noise: f64,
    x_min: f64,
    x_max: f64,
}

/// The tornado of `study`, or `None` when no parameter has a finite index (a constant metric).
pub fn plan(study: &Study) -> Option<TornadoFigure> {
    let all = study.rows();
    let ranked: Vec<usize> = study
        .ranked()
        .into_iter()
        .filter(|&i| study.importance(i).is_finite())
        .take(ROWS)
        .collect();
    if ranked.is_empty() {
        return None;
    }
    let rows: Vec<TornadoRow> = ranked
        .iter()
        .map(|&i| {
            let (_, ix) = &all[i];
            TornadoRow {
                label: format::shorten(&label(study, i), 44),
                bars: match ix {
                    Indices::Sobol(s) => vec![s.first, s.total],
                    Indices::Morris(m) => vec![m.mu_star],
                },
            }
        })
        .collect();
    let ests = || rows.iter().flat_map(|r| r.bars.iter());
    let noise = ests()
        .filter(|e| e.within_noise())
        .map(|e| e.high.abs().max(e.value.abs()))
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let hi = ests()
        .flat_map(|e| [e.value, e.high])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let lo = ests()
        .flat_map(|e| [e.value, e.low])
        .filter(|v| v.is_finite())
        .fold(0.0, f64::min);
    let (lo, hi) = match study.method {
        // Shares of variance: keep the 0..1 scale readable, with room for negative estimates.
        Method::Sobol => (lo.min(0.0) - 0.02, hi.max(0.1) * 1.05),
        Method::Morris => (0.0, if hi > 0.0 { hi * 1.05 } else { 1.0 }),
    };
    let top = &rows[0];
    let caption = match study.method {
        Method::Sobol => format!(
            "Share of the variance of {} due to each uncertain parameter alone (first order, \
             blue) and with its interactions (total order, red), from {} trials; lines are 95% \
             bootstrap intervals. {} explains most: total order {:.2}. Hollow grey bars over \
             a shaded interval reach zero: they cannot be told from no effect at this sample size.",
            study.metric, study.trials, top.label, top.bars[1].value
        ),
        Method::Morris => format!(
            "Mean absolute change of {} when one parameter moves across its range (Morris mu*), \
             from {} trials; lines are 95% bootstrap intervals. {} matters most: {}. Hollow \
             grey bars reach zero: no effect could be seen.",
            study.metric,
            study.trials,
            top.label,
            metric_value(&study.metric, top.bars[0].value)
        ),
    };
    Some(TornadoFigure {
        file_stem: format!("tornado-{}", study.method.name()),
        title: format::shorten(
            &format!(
                "What drives {}: {}",
                study.metric,
                match study.method {
                    Method::Sobol => "Sobol' indices",
                    Method::Morris => "Morris elementary effects",
                }
            ),
            format::TITLE_CHARS,
        ),
        caption,
        method: study.method,
        metric: study.metric.clone(),
        rows,
        noise,
        x_min: lo,
        x_max: hi,
    })
}

impl Draw for TornadoFigure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0);
        let k = self.rows.len() as f64;
        let mut chart = ChartBuilder::on(&area)
            .caption(&self.title, format::title_font())
            .margin(MARGIN)
            .x_label_area_size(70)
            .y_label_area_size(420)
            .build_cartesian_2d(self.x_min..self.x_max, 0.0..k)?;
        let metric = self.metric.clone();
        let method = self.method;
        let fmt = move |x: &f64| match method {
            Method::Sobol => format!("{:.2}", x + 0.0),
            Method::Morris => metric_value(&metric, *x),
        };
        chart
            .configure_mesh()
            .light_line_style(TRANSPARENT)
            .bold_line_style(GRID)
            .disable_y_mesh()
            .y_labels(0)
            .x_desc(match self.method {
                Method::Sobol => "Sobol' index (share of variance)".to_string(),
                Method::Morris => format!("Morris mu* of {}", self.metric),
            })
            .x_label_formatter(&fmt)
            .label_style(format::font(LABEL_SIZE))
            .axis_desc_style(format::font(AXIS_DESC_SIZE))
            .draw()?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, k)],
            BLACK.stroke_width(1),
        )))?;
        let nbars = self.rows[0].bars.len();
        let colours = [FIRST, TOTAL];
        let names = match self.method {
            Method::Sobol => ["first order", "total order"],
            Method::Morris => ["mu*", ""],
        };
        let h = 0.8 / nbars as f64;
        let top = |i: usize| k - i as f64;
        for b in 0..nbars {
            let colour = colours[b];
            let y0 = |i: usize| top(i) - 0.1 - h * b as f64;
            let solid: Vec<(usize, Estimate)> = self
                .rows
                .iter()
                .enumerate()
                .filter(|(_, r)| !r.bars[b].within_noise())
                .map(|(i, r)| (i, r.bars[b]))
                .collect();
            chart
                .draw_series(solid.iter().map(|&(i, e)| {
                    Rectangle::new([(0.0, y0(i)), (e.value, y0(i) - h * 0.9)], colour.filled())
                }))?
                .label(names[b])
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 7), (x + 20, y + 7)], colour.filled())
                });
            // An estimate whose interval reaches zero: its interval shaded as its noise band, the
            // bar hollow inside it.
            let band = NOISE.mix(0.25).filled();
            let noisy = || {
                self.rows
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.bars[b].within_noise() && r.bars[b].low.is_finite())
            };
            let drawn = chart.draw_series(noisy().map(|(i, r)| {
                let e = r.bars[b];
                Rectangle::new([(e.low, y0(i)), (e.high, y0(i) - h * 0.9)], band)
            }))?;
            if b == 0 && self.noise > 0.0 {
                drawn
                    .label("noise band: 95% interval reaches zero (hollow bar)")
                    .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], band));
            }
            chart.draw_series(self.rows.iter().enumerate().filter_map(|(i, r)| {
                let e = r.bars[b];
                e.within_noise().then(|| {
                    Rectangle::new(
                        [(0.0, y0(i)), (e.value, y0(i) - h * 0.9)],
                        NOISE.stroke_width(2),
                    )
                })
            }))?;
            // 95% intervals.
            chart.draw_series(self.rows.iter().enumerate().filter_map(|(i, r)| {
                let e = r.bars[b];
                let y = y0(i) - h * 0.45;
                e.low
                    .is_finite()
                    .then(|| PathElement::new(vec![(e.low, y), (e.high, y)], BLACK.stroke_width(2)))
            }))?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::LowerRight)
            .margin(12)
            .label_font(format::font(LEGEND_SIZE))
            .background_style(WHITE.mix(0.9))
            .border_style(GRID.stroke_width(1))
            .draw()?;
        let label = format::font(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
        for (i, r) in self.rows.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(self.x_min, top(i) - 0.5));
            root.draw(&Text::new(r.label.clone(), (x - 10, y), label.clone()))?;
        }
        root.present()?;
        Ok(())
    }
}

/// Draws the figure into `<dir>/charts/` as SVG and PNG; returns the files written (relative to
/// `dir`) in the order written.
pub fn draw(dir: &Path, fig: &TornadoFigure) -> Result<Vec<String>, ChartError> {
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| ChartError::Io {
        path: charts.clone(),
        source,
    })?;
    let mut files = Vec::new();
    for ext in ["png", "svg"] {
        let path = charts.join(format!("{}.{ext}", fig.file_stem));
        let bytes = if ext == "svg" {
            fig.svg().map(String::into_bytes)
        } else {
            fig.png()
        }
        .map_err(|message| ChartError::Draw {
            path: path.clone(),
            message,
        })?;
        std::fs::write(&path, bytes).map_err(|source| ChartError::Io {
            path: path.clone(),
            source,
        })?;
        files.push(format!("charts/{}.{ext}", fig.file_stem));
    }
    Ok(files)
}
