//! Scoring one observation against a run of its episode's scenario.
//!
//! Ratios (exports, prices) are per trial: the quantity in the observed month (averaged over
//! `months` months for a figure that covers several) over the same quantity in the scenario's
//! first period, which every episode places before its announcement.
//! A stoppage is the full-stop-equivalent months of output the sector loses over the horizon,
//! `sum (1 - y) x months per period`, and its timing is the first month with any loss.
//!
//! Checks, on the median across trials (docs/validation.md):
//! - sign: the change from baseline has the observed direction (changes within +-2% count as
//!   flat, and a flat observation needs a flat model);
//! - magnitude: the model's change is within a factor of two of the observed change (a flat
//!   observation: within +-10%). Not scored for stoppages: the record names one plant's stop,
//!   the model a whole regional sector, so their sizes are not comparable;
//! - timing: the magnitude check holds in the observed month or one month either side
//!   (stoppages: the sector's first month with any loss, above 0.1%, within one month of the
//!   observed start);
//! - band: the observation (or its low-high range) meets the model's 5-95% band.

use super::record::{Observation, Quantity, parse_month};
use crate::run::RunResults;
use crate::scenario::{Period, Scenario};
use crate::stats::{quantile_sorted, sorted};

/// Changes of less than this share count as no change.
pub const FLAT: f64 = 0.02;

/// The model's side of one observation.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    /// Period index of the observed month in the episode's run.
    pub period: usize,
    pub median: f64,
    pub p5: f64,
    pub p95: f64,
    pub sign: bool,
    pub timing: bool,
    /// `None` where sizes are not comparable (stoppages).
    pub magnitude: Option<bool>,
    pub band: bool,
}

impl Score {
    /// Sign, timing and (where scored) magnitude all hold.
    pub fn right(&self) -> bool {
        self.sign && self.timing && self.magnitude.unwrap_or(true)
    }
}

/// A sector counts as stopped in a period when it loses more than this share of output.
pub const STOPPED_ABOVE: f64 = 0.001;

/// Period index of `label` in a monthly scenario, if inside the horizon.
pub fn period_of(sc: &Scenario, label: &str) -> Result<usize, String> {
    let (y, m) = parse_month(label).ok_or_else(|| format!("\"{label}\" is not YYYY-MM"))?;
    let start = sc
        .meta
        .start
        .ok_or("the episode's scenario has no calendar `start`")?;
    if sc.meta.period != Period::Month {
        return Err("back-test scenarios must use monthly periods".into());
    }
    let k = (y as i64 * 12 + m as i64) - (start.year as i64 * 12 + start.month as i64);
    if k < 0 || k as usize >= sc.meta.horizon {
        return Err(format!(
            "{label} is outside the scenario's horizon ({} months from {}-{:02})",
            sc.meta.horizon, start.year, start.month
        ));
    }
    Ok(k as usize)
}

fn series(res: &RunResults, name: &str) -> Result<usize, String> {
    res.series_index(name)
        .ok_or_else(|| format!("the run has no series `{name}`"))
}

/// Per-trial values of the sum of series `idx` at period `t`.
fn summed(res: &RunResults, idx: &[usize], t: usize) -> Vec<f64> {
    let mut out = vec![0.0; res.trials];
    for &s in idx {
        for (o, v) in out.iter_mut().zip(res.series_values(s, t)) {
            *o += v;
        }
    }
    out
}

/// Per-trial ratio of the summed series, averaged over the `months` periods ending at `t`, to
/// period 0 (trials with a zero base dropped).
fn ratio(res: &RunResults, idx: &[usize], t: usize, months: usize) -> Vec<f64> {
    let base = summed(res, idx, 0);
    let mut sum = vec![0.0; res.trials];
    for k in t + 1 - months..=t {
        for (s, v) in sum.iter_mut().zip(summed(res, idx, k)) {
            *s += v / months as f64;
        }
    }
    sum.into_iter()
        .zip(base)
        .filter(|(_, b)| *b > 0.0)
        .map(|(v, b)| v / b)
        .collect()
}

fn quantiles(values: &[f64]) -> (f64, f64, f64) {
    if values.is_empty() {
        return (f64::NAN, f64::NAN, f64::NAN);
    }
    let s = sorted(values);
    (
        quantile_sorted(&s, 0.5),
        quantile_sorted(&s, 0.05),
        quantile_sorted(&s, 0.95),
    )
}

fn direction(d: f64) -> i8 {
    if d > FLAT {
        1
    } else if d < -FLAT {
        -1
    } else {
        0
    }
}

/// Whether a modelled change `dm` matches an observed change `dobs` within a factor of two.
pub fn within_factor_two(dm: f64, dobs: f64) -> bool {
    if direction(dobs) == 0 {
        return dm.abs() <= 0.1;
    }
    let q = dm / dobs;
    (0.5..=2.0).contains(&q)
}

fn band_meets(o: &Observation, p5: f64, p95: f64) -> bool {
    let lo = o.low.unwrap_or(o.value);
    let hi = o.high.unwrap_or(o.value);
    hi >= p5 && lo <= p95
}

/// Scores `o` against `res`, a run of scenario `sc`.
pub fn score(o: &Observation, sc: &Scenario, res: &RunResults) -> Result<Score, String> {
    let t = period_of(sc, &o.period)?;
    if o.quantity == Quantity::Stoppage {
        return stoppage(o, sc, res, t);
    }
    let idx: Vec<usize> = match o.quantity {
        Quantity::Exports => {
            let prefix = format!("flow.{}.", o.exporter);
            let suffix = format!(".{}", o.commodity);
            let all: Vec<usize> = res
                .series_names
                .iter()
                .enumerate()
                .filter(|(_, n)| {
                    n.starts_with(&prefix)
                        && n.ends_with(&suffix)
                        && (o.region == "all"
                            || n[prefix.len()..n.len() - suffix.len()] == *o.region)
                })
                .map(|(i, _)| i)
                .collect();
            if all.is_empty() {
                return Err(format!(
                    "the run has no flow series {prefix}{}{suffix}",
                    o.region
                ));
            }
            all
        }
        _ => vec![series(res, &format!("price.{}.{}", o.region, o.commodity))?],
    };
    let months = o.months as usize;
    if t + 1 < months {
        return Err(format!(
            "the {months} months ending {} start before the scenario's first period",
            o.period
        ));
    }
    let at = |k: usize| quantiles(&ratio(res, &idx, k.max(months - 1), months));
    let (median, p5, p95) = at(t);
    let dobs = o.value - 1.0;
    let sign = direction(median - 1.0) == direction(dobs);
    let magnitude = within_factor_two(median - 1.0, dobs);
    let near = [t.saturating_sub(1), t, (t + 1).min(sc.meta.horizon - 1)];
    let timing = near.iter().any(|&k| within_factor_two(at(k).0 - 1.0, dobs));
    Ok(Score {
        period: t,
        median,
        p5,
        p95,
        sign,
        timing,
        magnitude: Some(magnitude),
        band: band_meets(o, p5, p95),
    })
}

fn stoppage(o: &Observation, sc: &Scenario, res: &RunResults, t: usize) -> Result<Score, String> {
    let sector = o.sector.as_deref().unwrap_or_default();
    let s = series(res, &format!("output.{}.{sector}", o.region))?;
    let months = 12.0 / sc.meta.period.per_year();
    let h = res.horizon;
    let mut lost = vec![0.0; res.trials];
    let mut first = vec![h as f64; res.trials];
    for k in 0..h {
        for (i, y) in res.series_values(s, k).into_iter().enumerate() {
            lost[i] += (1.0 - y).max(0.0) * months;
            if 1.0 - y > STOPPED_ABOVE && first[i] >= h as f64 {
                first[i] = k as f64;
            }
        }
    }
    let (median, p5, p95) = quantiles(&lost);
    let (first_median, _, _) = quantiles(&first);
    let stopped = median > STOPPED_ABOVE * months;
    Ok(Score {
        period: t,
        median,
        p5,
        p95,
        sign: stopped == (o.value > 0.0),
        timing: stopped && (first_median - t as f64).abs() <= 1.0,
        magnitude: None,
        band: band_meets(o, p5, p95),
    })
}
