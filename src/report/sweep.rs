//! `sweep.json`, `sweep.csv` and the terminal table of `chokepoint sweep`: per point of the grid
//! the swept values and the distribution of the chosen metric (mean with its 95% interval,
//! median, p95, CVaR95), every point on the same seed and trial indices.

use serde::Serialize;

use super::format::{float, money, num};
use super::table::render;
use crate::stats::Summary;

/// Version of the `sweep.json` and `sweep.csv` layout: 2 added the display names (`labels` and
/// each point's `label` in the JSON, the `label` column of the CSV; docs/schema.md).
pub const SCHEMA_VERSION: u32 = 2;

/// z for a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// One point of the grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SweepPoint {
    /// One value per swept path, in `Sweep::paths` order.
    pub values: Vec<f64>,
    pub summary: Summary,
}

/// A finished sweep.
#[derive(Debug, Clone, PartialEq)]
pub struct Sweep {
    pub scenario: String,
    pub file: String,
    pub metric: String,
    /// The metric in words (`format::metric_label`): `EU, all sectors, value lost`.
    pub metric_label: String,
    pub seed: u64,
    pub trials: usize,
    pub paths: Vec<String>,
    /// Each path in words (`format::param_words`), as the page and the `label` column name it.
    pub labels: Vec<String>,
    /// Grid points, the last path varying fastest.
    pub points: Vec<SweepPoint>,
}

fn fin(x: f64) -> Option<f64> {
    x.is_finite().then_some(if x == 0.0 { 0.0 } else { x })
}

#[derive(Serialize)]
struct PointJson<'a> {
    set: Vec<(&'a str, f64)>,
    label: String,
    mean: Option<f64>,
    mean_low: Option<f64>,
    mean_high: Option<f64>,
    p5: Option<f64>,
    p50: Option<f64>,
    p95: Option<f64>,
    cvar95: Option<f64>,
    p50_low: Option<f64>,
    p50_high: Option<f64>,
    p95_low: Option<f64>,
    p95_high: Option<f64>,
    cvar95_low: Option<f64>,
    cvar95_high: Option<f64>,
}

#[derive(Serialize)]
struct SweepJson<'a> {
    schema_version: u32,
    scenario: &'a str,
    file: &'a str,
    metric: &'a str,
    metric_label: &'a str,
    seed: u64,
    trials: usize,
    paths: &'a [String],
    labels: &'a [String],
    points: Vec<PointJson<'a>>,
}

/// `sweep.json`, pretty-printed, ending in a newline.
pub fn sweep_json(s: &Sweep) -> Vec<u8> {
    let doc = SweepJson {
        schema_version: SCHEMA_VERSION,
        scenario: &s.scenario,
        file: &s.file,
        metric: &s.metric,
        metric_label: &s.metric_label,
        seed: s.seed,
        trials: s.trials,
        paths: &s.paths,
        labels: &s.labels,
        points: s
            .points
            .iter()
            .map(|p| {
                let m = &p.summary;
                PointJson {
                    set: s
                        .paths
                        .iter()
                        .map(String::as_str)
                        .zip(p.values.iter().copied())
                        .collect(),
                    label: point_label(s, p),
                    mean: fin(m.mean),
                    mean_low: fin(m.mean - Z95 * m.se),
                    mean_high: fin(m.mean + Z95 * m.se),
                    p5: fin(m.p5),
                    p50: fin(m.p50),
                    p95: fin(m.p95),
                    cvar95: fin(m.cvar95),
                    p50_low: fin(m.p50_mc.low),
                    p50_high: fin(m.p50_mc.high),
                    p95_low: fin(m.p95_mc.low),
                    p95_high: fin(m.p95_mc.high),
                    cvar95_low: fin(m.cvar95_mc.low),
                    cvar95_high: fin(m.cvar95_mc.high),
                }
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// A point in words: `initial stock of policy eu-pilot-magnets = 2` (paths joined by `; `).
pub fn point_label(s: &Sweep, p: &SweepPoint) -> String {
    s.paths
        .iter()
        .enumerate()
        .zip(&p.values)
        .map(|((i, path), &v)| {
            let name = s.labels.get(i).unwrap_or(path);
            format!("{name} = {}", crate::scenario::num_text(v))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// A CSV cell, quoted when it holds a comma, quote or line break.
fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `sweep.csv`: one row per point; the swept paths first, then the point in words (`label`),
/// then the metric's statistics, then the Monte Carlo 95% intervals of the median, p95 and CVaR95
/// (stats/mcse.rs; empty where too few trials define them).
pub fn sweep_csv(s: &Sweep) -> Vec<u8> {
    let mut out = s
        .paths
        .iter()
        .map(|p| field(p))
        .collect::<Vec<_>>()
        .join(",");
    out.push_str(
        ",label,mean,mean_low,mean_high,p5,p50,p95,cvar95,\
         p50_low,p50_high,p95_low,p95_high,cvar95_low,cvar95_high\n",
    );
    for p in &s.points {
        let m = &p.summary;
        let mut cells: Vec<String> = p.values.iter().map(|&v| float(v)).collect();
        cells.push(field(&point_label(s, p)));
        cells.extend(
            [
                m.mean,
                m.mean - Z95 * m.se,
                m.mean + Z95 * m.se,
                m.p5,
                m.p50,
                m.p95,
                m.cvar95,
                m.p50_mc.low,
                m.p50_mc.high,
                m.p95_mc.low,
                m.p95_mc.high,
                m.cvar95_mc.low,
                m.cvar95_mc.high,
            ]
            .map(float),
        );
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out.into_bytes()
}

/// Whether the metric is in dollars (value lost), for the terminal's number format.
fn is_money(metric: &str) -> bool {
    metric.contains("value_lost")
}

/// Each path's values at every point in short form for people (`2.333` for 7/3; files keep the
/// exact value): `shown[path][point]`.
pub fn shown_values(s: &Sweep) -> Vec<Vec<String>> {
    (0..s.paths.len())
        .map(|i| {
            let col: Vec<f64> = s.points.iter().map(|p| p.values[i]).collect();
            super::format::short_values(&col)
        })
        .collect()
}

/// The terminal table.
pub fn sweep_table(s: &Sweep) -> String {
    let f = |x: f64| {
        if is_money(&s.metric) {
            money(x)
        } else {
            let t = num(x);
            if t.is_empty() { "-".into() } else { t }
        }
    };
    let mut out = format!(
        "{}: {} per point, seed {}, common random numbers; metric {}\n",
        super::format::terminal(&s.scenario),
        super::format::trials(s.trials as u64),
        s.seed,
        super::format::terminal(&s.metric_label)
    );
    let mut head: Vec<String> = s
        .labels
        .iter()
        .map(|l| super::format::terminal(l).into_owned())
        .collect();
    head.extend(["mean [95%]", "median", "p95", "CVaR95"].map(String::from));
    let mut rows = vec![head];
    let shown = shown_values(s);
    for (k, p) in s.points.iter().enumerate() {
        let m = &p.summary;
        let mut r: Vec<String> = shown.iter().map(|col| col[k].clone()).collect();
        r.push(format!(
            "{} [{}, {}]",
            f(m.mean),
            f(m.mean - Z95 * m.se),
            f(m.mean + Z95 * m.se)
        ));
        // p95 and CVaR95 with the half-width of their Monte Carlo 95% interval, as `run` shows them.
        let pm = |x: f64, iv: &crate::stats::mcse::Interval| {
            let h = (iv.high - iv.low) / 2.0;
            if h.is_finite() {
                format!("{} ± {}", f(x), f(h))
            } else {
                f(x)
            }
        };
        r.extend([f(m.p50), pm(m.p95, &m.p95_mc), pm(m.cvar95, &m.cvar95_mc)]);
        rows.push(r);
    }
    out.push('\n');
    out.push_str(&render(&rows));
    out
}
