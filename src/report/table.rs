//! The summary printed after a run: sectors and regions, worst first, in readable units.

use std::cmp::Ordering;

use crate::run::results::RunShape;
use crate::scenario::Scenario;

use super::format::{money, percent, terminal};
use super::summaries::Summaries;
use crate::stats::Interval;

/// Rows shown per table; the rest are counted (every number is in `metrics.csv`).
pub const MAX_ROWS: usize = 15;

/// The terminal summary of a run. Sectors are ordered by mean value lost, then mean output loss,
/// regions by mean value lost, largest first: the order, names and number formats of
/// `report.html`. Only sectors and regions that lost something in some trial get a row (at
/// most `MAX_ROWS`); the others are counted in one line. A sector or region without its metrics in
/// `results` is left out.
pub fn summary_table(scenario: &Scenario, results: &impl RunShape, sums: &Summaries) -> String {
    let meta = &scenario.meta;
    let mut out = String::new();
    let span = match meta.start {
        Some(_) => format!(
            "{} {} from {}",
            results.horizon(),
            meta.period.plural(),
            meta.period_label(0)
        ),
        None => format!("{} {}", results.horizon(), meta.period.plural()),
    };
    out.push_str(&format!(
        "{}: {}, seed {}, {}\n",
        terminal(&meta.name),
        super::format::trials(results.trials() as u64),
        results.seed(),
        span
    ));

    // Sectors.
    struct SectorRow {
        label: String,
        loss: f64,
        p95: String,
        cvar: String,
        /// Periods disrupted (output below 95% of normal) in the bad case, as `report.html`.
        disrupted95: String,
        value: f64,
        /// Lost something in some trial.
        hit: bool,
    }
    let mut sectors: Vec<SectorRow> = scenario
        .sectors
        .iter()
        .filter_map(|s| {
            let key = format!("sector.{}.{}", scenario.regions[s.region].id, s.id);
            let loss = sums.metric(results, &format!("{key}.mean_loss"))?;
            let value = sums.metric(results, &format!("{key}.value_lost"));
            Some(SectorRow {
                label: format!(
                    "{} {}",
                    scenario.regions[s.region].id,
                    crate::report::charts::format::short_name(&s.name)
                ),
                loss: loss.mean,
                p95: plus_minus(loss.p95, &loss.p95_mc, percent),
                cvar: plus_minus(loss.cvar95, &loss.cvar95_mc, percent),
                disrupted95: sums
                    .metric(results, &format!("{key}.periods_disrupted"))
                    .filter(|d| d.p95.is_finite())
                    .map_or_else(|| "-".to_string(), |d| format!("{:.0}", d.p95)),
                value: value.map_or(f64::NAN, |v| v.mean),
                hit: loss.max > crate::report::charts::LOSS_EPS || loss.max.is_nan(),
            })
        })
        .collect();
    sectors.sort_by(|a, b| {
        worst_first(a.value, b.value)
            .then(worst_first(a.loss, b.loss))
            .then_with(|| a.label.cmp(&b.label))
    });
    if !sectors.is_empty() {
        out.push('\n');
        let (hit, unhurt): (Vec<_>, Vec<_>) = sectors.iter().partition(|r| r.hit);
        if hit.is_empty() {
            out.push_str(&format!(
                "  No sector lost output in any trial ({}).\n",
                count(unhurt.len(), "sector")
            ));
        } else {
            let mut rows = vec![vec![
                "Sector (output loss over the horizon)".to_string(),
                "mean".into(),
                "p95".into(),
                "CVaR95".into(),
                format!("{} disrupted (p95)", meta.period.plural()),
                "value lost (mean)".into(),
            ]];
            rows.extend(hit.iter().take(MAX_ROWS).map(|r| {
                vec![
                    r.label.clone(),
                    percent(r.loss),
                    r.p95.clone(),
                    r.cvar.clone(),
                    r.disrupted95.clone(),
                    money(r.value),
                ]
            }));
            out.push_str(&render(&rows));
            if hit.len() > MAX_ROWS {
                out.push_str(&format!(
                    "  ... and {} with losses (every sector is in metrics.csv)\n",
                    count(hit.len() - MAX_ROWS, "more sector")
                ));
            }
            if !unhurt.is_empty() {
                out.push_str(&format!(
                    "  {} lost no output in any trial.\n",
                    count(unhurt.len(), "other sector")
                ));
            }
        }
    }

    // Regions, then the world.
    let mut regions: Vec<(String, f64, String, bool)> = scenario
        .regions
        .iter()
        .filter_map(|r| {
            let s = sums.metric(results, &format!("region.{}.value_lost", r.id))?;
            // Under a dollar in every trial is floating-point residue, not a loss (as on the page).
            Some((
                format!("{} {}", r.id, r.name),
                s.mean,
                plus_minus(s.p95, &s.p95_mc, money),
                s.max >= 1.0 || s.max.is_nan(),
            ))
        })
        .collect();
    regions.sort_by(|a, b| worst_first(a.1, b.1).then_with(|| a.0.cmp(&b.0)));
    let world = sums.metric(results, "world.value_lost");
    if !regions.is_empty() || world.is_some() {
        out.push('\n');
        let mut rows = vec![vec![
            "Region (value lost)".to_string(),
            "mean".into(),
            "p95".into(),
        ]];
        let hit: Vec<_> = regions.iter().filter(|r| r.3).collect();
        rows.extend(
            hit.iter()
                .take(MAX_ROWS)
                .map(|(label, mean, p95, _)| vec![label.clone(), money(*mean), p95.clone()]),
        );
        if let Some(w) = world {
            rows.push(vec![
                "World".into(),
                money(w.mean),
                plus_minus(w.p95, &w.p95_mc, money),
            ]);
            // Indirect (downstream) losses, where sectors carry a multiplier: reported beside
            // the direct loss, never mixed into it.
            if let Some(t) = sums.metric(results, "world.total_value_lost")
                && t.mean > w.mean * (1.0 + 1e-9)
            {
                rows.push(vec![
                    "World incl. indirect losses".into(),
                    money(t.mean),
                    plus_minus(t.p95, &t.p95_mc, money),
                ]);
            }
        }
        out.push_str(&render(&rows));
        if hit.len() > MAX_ROWS {
            out.push_str(&format!(
                "  ... and {} with losses (see metrics.csv)\n",
                count(hit.len() - MAX_ROWS, "more region")
            ));
        }
        let unhurt = regions.len() - hit.len();
        if unhurt > 0 {
            out.push_str(&format!(
                "  {} lost nothing in any trial.\n",
                count(unhurt, "other region")
            ));
        }
    }
    if out.contains('\u{b1}') {
        out.push_str(
            "\n  \u{b1}: half the width of the 95% Monte Carlo interval (both bounds in metrics.csv).\n",
        );
    }
    out
}

/// `48.0% \u{b1}1.2%`: a statistic with half the width of its 95% Monte Carlo interval; the
/// statistic alone where too few trials define the interval (or it has no width).
fn plus_minus(value: f64, mc: &Interval, fmt: fn(f64) -> String) -> String {
    let half = (mc.high - mc.low) / 2.0;
    if half.is_finite() && half > 0.0 {
        format!("{} \u{b1}{}", fmt(value), fmt(half))
    } else {
        fmt(value)
    }
}

/// `1 sector`, `3 sectors`.
fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Descending order with undefined values last.
fn worst_first(a: f64, b: f64) -> Ordering {
    match (a.is_nan(), b.is_nan()) {
        (false, false) => b.total_cmp(&a),
        (a_nan, b_nan) => a_nan.cmp(&b_nan),
    }
}

/// Aligns rows into columns: the first left-aligned, the others right-aligned; the first row is
/// the header, underlined.
/// Cells are printed with control characters escaped (`format::terminal`); padding is done by
/// hand, so a cell of any length fits (format widths are limited to 65 535).
pub fn render(rows: &[Vec<String>]) -> String {
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| terminal(c).into_owned()).collect())
        .collect();
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |r: &[String]| {
        let mut s = String::from("  ");
        for (c, cell) in r.iter().enumerate() {
            let pad = " ".repeat(width[c].saturating_sub(cell.chars().count()));
            if c == 0 {
                s.push_str(cell);
                s.push_str(&pad);
            } else {
                s.push_str("  ");
                s.push_str(&pad);
                s.push_str(cell);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = String::new();
    if let Some((head, body)) = rows.split_first() {
        out.push_str(&line(head.as_slice()));
        let total = width.iter().sum::<usize>() + 2 * cols.saturating_sub(1);
        out.push_str(&format!("  {}\n", "-".repeat(total)));
        for r in body {
            out.push_str(&line(r));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_statistic_carries_half_its_interval_only_where_the_interval_is_defined() {
        let mc = Interval {
            se: 0.01,
            low: 0.46,
            high: 0.5,
        };
        assert_eq!(plus_minus(0.48, &mc, percent), "48.0% \u{b1}2.0%");
        assert_eq!(plus_minus(0.48, &Interval::UNDEFINED, percent), "48.0%");
        let flat = Interval::between(3.0, 3.0);
        assert_eq!(plus_minus(3e9, &flat, money), "$3 bn");
    }

    #[test]
    fn cells_of_any_length_and_hostile_text_render() {
        // Format widths stop at 65 535; padding by hand has no limit.
        let long = "x".repeat(70_000);
        let out = render(&[
            vec!["name".into(), "mean".into()],
            vec![long.clone(), "1%".into()],
            vec!["a\u{1b}[2J\r".into(), "2%".into()],
        ]);
        assert!(out.contains(&long));
        assert!(out.contains("a\\e[2J\\r"));
        assert!(!out.chars().any(|c| c.is_control() && c != '\n'));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[2].chars().count(), lines[3].chars().count());
    }
}
