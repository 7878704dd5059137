//! Charts of a paired comparison: the per-trial world value lost saved by the policy (base minus
//! policy on the same shocks), and a tornado of the sampled parameters most rank-correlated with
//! world value lost on each side. Same conventions as the run charts: 1200x800, embedded font,
//! PNG and SVG, byte-identical for the same inputs.

use std::path::Path;

use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::format::{self, AXIS_DESC_SIZE, GRID, LABEL_SIZE, LEGEND_SIZE, MARGIN, money};
use super::{ChartError, Draw, DrawResult};
use crate::report::compare_html::InlineChart;
use crate::run::RunResults;
use crate::scenario::Scenario;
use crate::stats::paired::{Better, paired};
use crate::stats::rank::Sensitivity;

/// The metric both charts are about.
pub const WORLD: &str = "world.value_lost";
const BINS: usize = 40;
/// Parameters shown in the tornado.
pub const TORNADO_ROWS: usize = 12;

const BASE_COLOR: RGBColor = RGBColor(150, 150, 150);
const POLICY_COLOR: RGBColor = RGBColor(31, 90, 180);
const MEAN_COLOR: RGBColor = RGBColor(190, 0, 30);

/// Histogram of per-trial savings.
#[derive(Debug, Clone, PartialEq)]
pub struct SavingData {
    pub x_min: f64,
    pub x_max: f64,
    /// `(left edge, right edge, share of trials in %)`.
    pub bins: Vec<(f64, f64, f64)>,
    /// Mean saving and its 95% interval.
    pub mean: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub p_better: f64,
    pub p_tie: f64,
    pub trials: usize,
}

/// Rank correlations of the strongest parameters, strongest first.
#[derive(Debug, Clone, PartialEq)]
pub struct TornadoData {
    /// `(parameter path, rho on the base side, rho on the policy side)`; `None` where the pair
    /// has no correlation (constant parameter, or the parameter exists on one side only).
    pub rows: Vec<(String, Option<f64>, Option<f64>)>,
}

#[derive(Debug, Clone)]
enum Body {
    Saving(SavingData),
    Tornado(TornadoData),
    /// A time series of both sides (price or output bands).
    Bands(Box<super::bands::BandChart>),
}

impl PartialEq for Body {
    fn eq(&self, other: &Body) -> bool {
        match (self, other) {
            (Body::Saving(a), Body::Saving(b)) => a == b,
            (Body::Tornado(a), Body::Tornado(b)) => a == b,
            // Band charts compare by what they draw.
            (Body::Bands(a), Body::Bands(b)) => format!("{a:?}") == format!("{b:?}"),
            _ => false,
        }
    }
}

/// A comparison chart's numbers, ready to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareFigure {
    pub file_stem: String,
    pub title: String,
    pub caption: String,
    body: Body,
}

/// The comparison charts that have something to show: the saving histogram when world value lost
/// was not zero in every trial on both sides, the tornado when some parameter correlates with it.
pub fn plan(
    base: &RunResults,
    policy: &RunResults,
    base_sens: &[Sensitivity],
    policy_sens: &[Sensitivity],
) -> Vec<CompareFigure> {
    plan_named(None, base, policy, base_sens, policy_sens)
}

/// `plan` with the tornado's parameters named in the report's words (`format::param_words`) from
/// `scenario`, the policy side (which holds the base's shocks and its own policies).
pub fn plan_named(
    scenario: Option<&Scenario>,
    base: &RunResults,
    policy: &RunResults,
    base_sens: &[Sensitivity],
    policy_sens: &[Sensitivity],
) -> Vec<CompareFigure> {
    let mut figs = Vec::new();
    figs.extend(saving_figure(base, policy));
    figs.extend(tornado_figure(scenario, base_sens, policy_sens));
    figs
}

/// Time series of both sides, from the base scenario's names: the price of the restricted
/// commodity that rises most outside its exporter on the base side, in that region, and the
/// output of the sector that loses most value on the base side. Base grey and dashed, policy in
/// blue, so what the policy changes over time shows as the gap between the lines.
pub fn series_figures(
    scenario: &Scenario,
    base: &RunResults,
    policy: &RunResults,
) -> Vec<CompareFigure> {
    use super::bands::{BandChart, BandSeries, YFormat};
    if base.trials == 0 || base.horizon == 0 || base.horizon != policy.horizon {
        return Vec::new();
    }
    let mut figs = Vec::new();
    let sides = |name: &str| -> Option<Vec<BandSeries>> {
        let b = base.series_index(name)?;
        let p = policy.series_index(name)?;
        Some(vec![
            BandSeries {
                label: "base".to_string(),
                color: BASE_COLOR,
                bands: base.bands(b),
                dashed: true,
            },
            BandSeries {
                label: "policy".to_string(),
                color: POLICY_COLOR,
                bands: policy.bands(p),
                dashed: false,
            },
        ])
    };
    let labels: Vec<String> = (0..base.horizon)
        .map(|t| format::period_tick(&scenario.meta, t as f64))
        .collect();
    let mean_of = |r: &RunResults, name: &str| {
        r.metric_index(name).map(|m| {
            let v = r.metric_values(m);
            v.iter().sum::<f64>() / v.len().max(1) as f64
        })
    };
    // The price that rises most outside its exporter on the base side.
    let mut best: Option<(f64, usize, usize)> = None;
    for r in super::restricted(scenario) {
        for (ri, reg) in scenario.regions.iter().enumerate() {
            if r.exporters.contains(&ri) {
                continue;
            }
            let com = &scenario.commodities[r.commodity];
            if let Some(m) = mean_of(base, &format!("price.{}.{}.peak", reg.id, com.id))
                && best.is_none_or(|b| m > b.0)
            {
                best = Some((m, ri, r.commodity));
            }
        }
    }
    if let Some((_, ri, c)) = best {
        let (reg, com) = (&scenario.regions[ri], &scenario.commodities[c]);
        if let Some(series) = sides(&format!("price.{}.{}", reg.id, com.id)) {
            let lo = series
                .iter()
                .flat_map(|s| s.bands.iter().map(|b| b.p5))
                .fold(1.0f64, f64::min);
            let hi = series
                .iter()
                .flat_map(|s| s.bands.iter().map(|b| b.p95))
                .fold(1.0f64, f64::max);
            let log_y = lo > 0.0 && hi / lo >= 3.0;
            let (y_min, y_max) = if log_y {
                (lo / 1.15, hi * 1.15)
            } else {
                let pad = 0.08 * (hi - lo).max(0.5);
                ((lo - pad).max(0.0), hi + pad)
            };
            figs.push(CompareFigure {
                file_stem: format!(
                    "compare-price-{}-{}",
                    super::file_safe(&com.id),
                    super::file_safe(&reg.id)
                ),
                title: format::fit(
                    format::short_name(&com.name),
                    &format!(": price in {}, base and policy", reg.id),
                    format::TITLE_CHARS,
                ),
                caption: format!(
                    "Price of {} in {} as a multiple of its reference price, period by period, on \
                     each side (median line, middle 50% and 90% of trials): the restricted \
                     commodity whose price rises most outside its exporter without the policy.",
                    com.name, reg.name
                ),
                body: Body::Bands(Box::new(BandChart {
                    series,
                    period_labels: labels.clone(),
                    tick_steps: format::tick_steps(scenario.meta.period),
                    x_desc: format::time_desc(&scenario.meta),
                    y_desc: "Price index (1 = reference price)".to_string(),
                    y_min,
                    y_max,
                    log_y,
                    y_format: YFormat::Index,
                    reference: Some((1.0, "reference price".to_string())),
                    limit: None,
                    levels: Vec::new(),
                    levels_label: String::new(),
                    marker: None,
                    outer: true,
                    note: if log_y {
                        vec!["log scale".to_string()]
                    } else {
                        Vec::new()
                    },
                })),
            });
        }
    }
    // The sector that loses most value on the base side.
    let worst = (0..scenario.sectors.len())
        .filter_map(|s| {
            let v = mean_of(base, &super::sector_metric(scenario, s, "value_lost"))?;
            (v > 0.0).then_some((s, v))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
    if let Some((s, _)) = worst {
        let sec = &scenario.sectors[s];
        let reg = &scenario.regions[sec.region];
        if let Some(series) = sides(&format!("output.{}.{}", reg.id, sec.id)) {
            let lo = series
                .iter()
                .flat_map(|s| s.bands.iter().map(|b| b.p5))
                .fold(1.0f64, f64::min);
            figs.push(CompareFigure {
                file_stem: format!(
                    "compare-output-{}-{}",
                    super::file_safe(&reg.id),
                    super::file_safe(&sec.id)
                ),
                title: format::fit(
                    format::short_name(&sec.name),
                    &format!(" ({}): output, base and policy", reg.id),
                    format::TITLE_CHARS,
                ),
                caption: format!(
                    "Output of {} in {} as a share of normal, period by period, on each side \
                     (median line, middle 50% and 90% of trials): the sector that loses most \
                     value without the policy.",
                    sec.name, reg.name
                ),
                body: Body::Bands(Box::new(BandChart {
                    series,
                    period_labels: labels,
                    tick_steps: format::tick_steps(scenario.meta.period),
                    x_desc: format::time_desc(&scenario.meta),
                    y_desc: "Output (% of normal)".to_string(),
                    y_min: ((lo - 0.05) * 10.0).floor().max(0.0) / 10.0,
                    y_max: 1.05,
                    log_y: false,
                    y_format: YFormat::Percent,
                    reference: Some((1.0, "normal output".to_string())),
                    limit: None,
                    levels: Vec::new(),
                    levels_label: String::new(),
                    marker: None,
                    outer: true,
                    note: vec![format!("{} trials", base.trials)],
                })),
            });
        }
    }
    figs
}

fn saving_figure(base: &RunResults, policy: &RunResults) -> Option<CompareFigure> {
    let b = base.metric_values(base.metric_index(WORLD)?);
    let p = policy.metric_values(policy.metric_index(WORLD)?);
    if b.len() != p.len() || b.is_empty() || b.iter().chain(&p).all(|&v| v == 0.0) {
        return None;
    }
    // Saving = base - policy, so the chart reads "more is better"; the paired statistics are on
    // policy - base and change sign here.
    let d = paired(&b, &p, Better::Lower).ok()?.diff;
    let savings: Vec<f64> = b.iter().zip(&p).map(|(b, p)| b - p).collect();
    let lo = savings.iter().copied().fold(0.0, f64::min);
    let hi = savings.iter().copied().fold(0.0, f64::max);
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo - 1.0, hi + 1.0)
    };
    let width = (hi - lo) / BINS as f64;
    let mut counts = [0usize; BINS];
    for &s in &savings {
        let i = (((s - lo) / width).floor().max(0.0) as usize).min(BINS - 1);
        counts[i] += 1;
    }
    let n = savings.len() as f64;
    let bins = counts
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            (
                lo + i as f64 * width,
                lo + (i + 1) as f64 * width,
                c as f64 / n * 100.0,
            )
        })
        .collect();
    let pad = (hi - lo) * 0.03;
    let data = SavingData {
        x_min: lo - pad,
        x_max: hi + pad,
        bins,
        mean: -d.mean,
        ci_low: -d.ci_high,
        ci_high: -d.ci_low,
        p_better: d.p_better,
        p_tie: d.p_tie,
        trials: savings.len(),
    };
    let ci = if data.ci_low.is_finite() {
        format!(
            " (95% interval {} to {})",
            money(data.ci_low),
            money(data.ci_high)
        )
    } else {
        String::new()
    };
    let caption = format!(
        "World value lost saved by the policy in each of {} trials (base minus policy, on the same \
         shocks): mean {}{ci}; the policy does better in {} of trials, equally in {}.",
        data.trials,
        money(data.mean),
        format::pct(data.p_better),
        format::pct(data.p_tie)
    );
    Some(CompareFigure {
        file_stem: "compare-saving-world".into(),
        title: "World value lost saved by the policy, per trial".into(),
        caption,
        body: Body::Saving(data),
    })
}

fn tornado_figure(
    scenario: Option<&Scenario>,
    base: &[Sensitivity],
    policy: &[Sensitivity],
) -> Option<CompareFigure> {
    let of = |rows: &[Sensitivity], param: &str| {
        rows.iter()
            .find(|s| s.metric == WORLD && s.param == param)
            .map(|s| s.rho)
    };
    let mut params: Vec<&str> = base
        .iter()
        .chain(policy)
        .filter(|s| s.metric == WORLD)
        .map(|s| s.param.as_str())
        .collect();
    params.sort_unstable();
    params.dedup();
    if params.is_empty() {
        return None;
    }
    let strength = |p: &str| {
        of(base, p)
            .unwrap_or(0.0)
            .abs()
            .max(of(policy, p).unwrap_or(0.0).abs())
    };
    params.sort_by(|a, b| strength(b).total_cmp(&strength(a)).then_with(|| a.cmp(b)));
    params.truncate(TORNADO_ROWS);
    let rows: Vec<(String, Option<f64>, Option<f64>)> = params
        .iter()
        .map(|p| {
            let name = scenario.map_or_else(
                || param_label(p),
                |sc| crate::report::format::param_words(sc, p),
            );
            (name, of(base, p), of(policy, p))
        })
        .collect();
    let caption = format!(
        "The {} sampled parameters whose rank moves most with world value lost (Spearman \
         correlation, base in grey, policy in blue): the strongest is {} (`{}` in \
         sensitivity.csv). Bars near 0 barely matter; a bar shrinking from base to policy is a \
         risk the policy absorbs.",
        rows.len(),
        rows[0].0,
        params[0]
    );
    Some(CompareFigure {
        file_stem: "compare-tornado-world".into(),
        title: "What drives world value lost: rank correlation by parameter".into(),
        caption,
        body: Body::Tornado(TornadoData { rows }),
    })
}

impl Draw for CompareFigure {
    fn draw_on<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult
    where
        DB::ErrorType: 'static,
    {
        root.fill(&WHITE)?;
        let area = root.margin(10, 0, 0, 0);
        match &self.body {
            Body::Saving(d) => draw_saving(&area, &self.title, d),
            Body::Tornado(d) => draw_tornado(root, &area, &self.title, d),
            Body::Bands(d) => super::bands::draw(&area, &self.title, d),
        }?;
        root.present()?;
        Ok(())
    }
}

/// Draws `figs` into `<dir>/charts/` as SVG and PNG; returns the files written (relative to
/// `dir`) and the charts for inlining in `comparison.html`.
pub fn draw_all(
    dir: &Path,
    figs: &[CompareFigure],
) -> Result<(Vec<String>, Vec<InlineChart>), ChartError> {
    let mut files = Vec::new();
    let mut inline = Vec::new();
    if figs.is_empty() {
        return Ok((files, inline));
    }
    let charts = dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|source| ChartError::Io {
        path: charts.clone(),
        source,
    })?;
    for fig in figs {
        let svg_path = charts.join(format!("{}.svg", fig.file_stem));
        let svg = fig.svg().map_err(|message| ChartError::Draw {
            path: svg_path.clone(),
            message,
        })?;
        std::fs::write(&svg_path, &svg).map_err(|source| ChartError::Io {
            path: svg_path.clone(),
            source,
        })?;
        let png_path = charts.join(format!("{}.png", fig.file_stem));
        let png = fig.png().map_err(|message| ChartError::Draw {
            path: png_path.clone(),
            message,
        })?;
        std::fs::write(&png_path, png).map_err(|source| ChartError::Io {
            path: png_path.clone(),
            source,
        })?;
        files.push(format!("charts/{}.png", fig.file_stem));
        files.push(format!("charts/{}.svg", fig.file_stem));
        inline.push(InlineChart {
            title: fig.title.clone(),
            caption: fig.caption.clone(),
            svg,
        });
    }
    Ok((files, inline))
}

fn draw_saving<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &SavingData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let tallest = d.bins.iter().map(|b| b.2).fold(0.0, f64::max);
    let y_max = format::nice_ceiling(tallest * 1.3);
    let mut chart = ChartBuilder::on(root)
        .caption(title, format::title_font())
        .margin(MARGIN)
        .x_label_area_size(70)
        .y_label_area_size(90)
        .build_cartesian_2d(d.x_min..d.x_max, 0.0..y_max)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .x_desc("World value lost saved by the policy in a trial (base minus policy)")
        .y_desc(format!("Share of {} trials (%)", d.trials))
        .x_label_formatter(&|x| money(*x))
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;
    let bar = POLICY_COLOR.mix(0.55).filled();
    chart
        .draw_series(
            d.bins
                .iter()
                .filter(|b| b.2 > 0.0)
                .map(|&(x0, x1, h)| Rectangle::new([(x0, 0.0), (x1, h)], bar)),
        )?
        .label(format!(
            "trials at this saving: policy better in {}, equal in {}",
            format::pct(d.p_better),
            format::pct(d.p_tie)
        ))
        .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], bar));
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, 0.0), (0.0, y_max)],
            BLACK.stroke_width(2),
        )))?
        .label("no saving")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(2)));
    if d.ci_low.is_finite() {
        let band = MEAN_COLOR.mix(0.15).filled();
        chart.draw_series(std::iter::once(Rectangle::new(
            [(d.ci_low, 0.0), (d.ci_high, y_max)],
            band,
        )))?;
    }
    let style = MEAN_COLOR.stroke_width(3);
    chart
        .draw_series(std::iter::once(DashedPathElement::new(
            vec![(d.mean, 0.0), (d.mean, y_max)],
            10,
            6,
            style,
        )))?
        .label(format!(
            "mean saving {} (shaded: 95% interval)",
            money(d.mean)
        ))
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    // The legend goes in the top corner away from the mean line and the zero line it explains
    // (with a right-skewed saving that is the upper right, over the thin tail).
    let corner = if d.mean <= (d.x_min + d.x_max) / 2.0 {
        SeriesLabelPosition::UpperRight
    } else {
        SeriesLabelPosition::UpperLeft
    };
    chart
        .configure_series_labels()
        .position(corner)
        .margin(12)
        .label_font(format::font(LEGEND_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(GRID.stroke_width(1))
        .draw()?;
    Ok(())
}

/// A parameter path in words for a chart label: the entity, then the field.
/// `shock.esc-ree.relief_half_life` -> `esc-ree: relief half-life`;
/// `producer.ndfeb_magnet.CN.capacity` -> `producer ndfeb_magnet CN: capacity`.
pub fn param_label(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    if parts.len() < 3 {
        return path.to_string();
    }
    // The field is the last segment, or the last two for keyed fields (`demand.<commodity>`,
    // `substitution.<commodity>.rate` keeps its commodity with the entity).
    let field = parts[parts.len() - 1]
        .replace("_half_life", " half-life")
        .replace('_', " ");
    let entity = &parts[1..parts.len() - 1];
    let entity = match parts[0] {
        "shock" | "policy" => entity.join(" "),
        kind => format!("{kind} {}", entity.join(" ")),
    };
    format!("{entity}: {field}")
}

/// `s` in at most two lines of at most `max` characters, broken at a space; the second line is
/// shortened with an ellipsis when the rest does not fit.
fn two_lines(s: &str, max: usize) -> Vec<String> {
    if s.chars().count() <= max {
        return vec![s.to_string()];
    }
    let chars: Vec<char> = s.chars().collect();
    let cut = chars[..=max.min(chars.len() - 1)]
        .iter()
        .rposition(|&c| c == ' ')
        .filter(|&i| i > 0)
        .unwrap_or(max);
    let head: String = chars[..cut].iter().collect();
    let rest: String = chars[cut..].iter().collect();
    vec![
        head.trim_end().to_string(),
        format::shorten_words(rest.trim_start(), max),
    ]
}

fn draw_tornado<DB: DrawingBackend>(
    page: &DrawingArea<DB, Shift>,
    root: &DrawingArea<DB, Shift>,
    title: &str,
    d: &TornadoData,
) -> DrawResult
where
    DB::ErrorType: 'static,
{
    let k = d.rows.len() as f64;
    let mut chart = ChartBuilder::on(root)
        .caption(title, format::title_font())
        .margin(MARGIN)
        .x_label_area_size(70)
        .y_label_area_size(400)
        .build_cartesian_2d(-1.05..1.05, 0.0..k)?;
    chart
        .configure_mesh()
        .light_line_style(TRANSPARENT)
        .bold_line_style(GRID)
        .disable_y_mesh()
        .y_labels(0)
        .x_desc("Spearman rank correlation with world value lost")
        // Adding 0.0 turns a rounded -0.0 into 0.0, so the middle tick does not read "-0.0".
        .x_label_formatter(&|x: &f64| format!("{:.1}", (x * 10.0).round() / 10.0 + 0.0))
        .label_style(format::font(LABEL_SIZE))
        .axis_desc_style(format::font(AXIS_DESC_SIZE))
        .draw()?;
    chart.draw_series(std::iter::once(PathElement::new(
        vec![(0.0, 0.0), (0.0, k)],
        BLACK.stroke_width(1),
    )))?;
    // Row i (strongest first) sits at the top: its band is [k-i-1, k-i], base bar above policy.
    let base_fill = BASE_COLOR.filled();
    let policy_fill = POLICY_COLOR.filled();
    let top = |i: usize| k - i as f64;
    chart
        .draw_series(d.rows.iter().enumerate().filter_map(|(i, (_, b, _))| {
            b.map(|r| Rectangle::new([(0.0, top(i) - 0.1), (r, top(i) - 0.45)], base_fill))
        }))?
        .label("base")
        .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], base_fill));
    chart
        .draw_series(d.rows.iter().enumerate().filter_map(|(i, (_, _, p))| {
            p.map(|r| Rectangle::new([(0.0, top(i) - 0.55), (r, top(i) - 0.9)], policy_fill))
        }))?
        .label("policy")
        .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 20, y + 7)], policy_fill));
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .margin(12)
        .label_font(format::font(LEGEND_SIZE))
        .background_style(WHITE.mix(0.9))
        .border_style(GRID.stroke_width(1))
        .draw()?;
    // Parameter names beside their rows, in the label area left of the plot.
    let label = format::font(LABEL_SIZE).pos(Pos::new(HPos::Right, VPos::Center));
    // A long name (the report's words for a parameter) takes two lines.
    for (i, (name, _, _)) in d.rows.iter().enumerate() {
        let (x, y) = chart.backend_coord(&(-1.0, top(i) - 0.5));
        let lines = two_lines(name, 40);
        let step = 19;
        let first = y - step / 2 * (lines.len() as i32 - 1);
        for (k, line) in lines.iter().enumerate() {
            page.draw(&Text::new(
                line.clone(),
                (x - 10, first + step * k as i32),
                label.clone(),
            ))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_break_into_two_lines_at_a_space() {
        assert_eq!(two_lines("short", 40), ["short"]);
        let l = two_lines(
            "relief half-life of CN's controls on Dysprosium and terbium oxides and 2 more",
            40,
        );
        assert_eq!(l.len(), 2);
        assert!(l.iter().all(|x| x.chars().count() <= 40), "{l:?}");
        assert_eq!(l[0], "relief half-life of CN's controls on");
        assert!(l[1].starts_with("Dysprosium"));
    }

    #[test]
    fn parameter_paths_read_as_entity_and_field() {
        assert_eq!(param_label("shock.ban.duration"), "ban: duration");
        assert_eq!(
            param_label("shock.esc-ree.relief_half_life"),
            "esc-ree: relief half-life"
        );
        assert_eq!(
            param_label("producer.ndfeb_magnet.CN.capacity"),
            "producer ndfeb_magnet CN: capacity"
        );
        assert_eq!(
            param_label("sector.US.ev.demand.ndfeb_magnet"),
            "sector US ev demand: ndfeb magnet"
        );
        assert_eq!(param_label("odd"), "odd");
    }

    fn run(world: Vec<f64>) -> RunResults {
        RunResults {
            seed: 1,
            first_trial: 0,
            trials: world.len(),
            horizon: 1,
            metric_names: vec![WORLD.into()],
            metrics: world,
            param_paths: vec![],
            params: vec![],
            series_names: vec![],
            series: vec![],
        }
    }

    fn sens(param: &str, rho: f64) -> Sensitivity {
        Sensitivity {
            param: param.into(),
            metric: WORLD.into(),
            rho,
        }
    }

    #[test]
    fn saving_histogram_holds_every_trial_and_flips_the_sign() {
        let base = run(vec![10.0, 20.0, 30.0, 40.0]);
        let policy = run(vec![10.0, 15.0, 20.0, 45.0]);
        let figs = plan(&base, &policy, &[], &[]);
        assert_eq!(figs.len(), 1);
        let Body::Saving(d) = &figs[0].body else {
            panic!("expected the saving chart first")
        };
        let total: f64 = d.bins.iter().map(|b| b.2).sum();
        assert!((total - 100.0).abs() < 1e-9);
        // Savings 0, 5, 10, -5: mean 2.5; better in 2 of 4, equal in 1.
        assert_eq!(d.mean, 2.5);
        assert_eq!((d.p_better, d.p_tie), (0.5, 0.25));
        assert!(d.ci_low < d.mean && d.mean < d.ci_high);
        assert!(d.x_min < -5.0 && d.x_max > 10.0);
    }

    #[test]
    fn nothing_lost_on_either_side_draws_no_saving_chart() {
        let zero = run(vec![0.0; 5]);
        assert!(plan(&zero, &zero, &[], &[]).is_empty());
    }

    #[test]
    fn tornado_keeps_the_strongest_parameters_of_either_side() {
        let mut base: Vec<Sensitivity> = (0..15)
            .map(|i| sens(&format!("p{i:02}"), 0.05 * i as f64))
            .collect();
        base.push(Sensitivity {
            param: "other".into(),
            metric: "region.US.value_lost".into(),
            rho: 1.0,
        });
        let policy = vec![sens("policy.reserve.initial", -0.9), sens("p14", 0.2)];
        let zero = run(vec![0.0; 3]);
        let figs = plan(&zero, &zero, &base, &policy);
        assert_eq!(figs.len(), 1);
        let Body::Tornado(d) = &figs[0].body else {
            panic!("expected the tornado")
        };
        assert_eq!(d.rows.len(), TORNADO_ROWS);
        // Rows carry the label in words; the strongest is the policy-only parameter.
        assert_eq!(d.rows[0], ("reserve: initial".into(), None, Some(-0.9)));
        assert_eq!(d.rows[1].0, "p14");
        assert_eq!(d.rows[1].2, Some(0.2));
        assert!(d.rows.iter().all(|r| r.0 != "other"));
    }

    #[test]
    fn charts_draw_the_same_bytes_twice() {
        let base = run(vec![10.0, 20.0, 30.0, 40.0]);
        let policy = run(vec![10.0, 15.0, 20.0, 45.0]);
        let figs = plan(&base, &policy, &[sens("shock.ban.duration", 0.8)], &[]);
        assert_eq!(figs.len(), 2);
        for f in &figs {
            let svg = f.svg().unwrap();
            assert!(svg.starts_with("<svg"));
            assert_eq!(svg, f.svg().unwrap());
        }
        let tornado = figs[1].svg().unwrap();
        assert!(tornado.contains("ban: duration"));
    }
}
