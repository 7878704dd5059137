//! `summary.json`: every statistic of every scalar metric, with the run's identity. Key order is
//! fixed by the struct declarations below; non-finite numbers are written as `null`.

use serde::{Deserialize, Serialize};

use crate::run::results::RunShape;
use crate::scenario::Meta;

use super::summaries::Summaries;

/// Version of the `summary.json` layout; bumped when a key changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 3;

#[derive(Serialize)]
struct SummaryFile<'a> {
    schema_version: u32,
    name: &'a str,
    file: String,
    seed: u64,
    trials: usize,
    horizon: usize,
    period: &'static str,
    start: Option<String>,
    period_labels: Vec<String>,
    metrics: Vec<MetricEntry<'a>>,
}

#[derive(Serialize)]
struct MetricEntry<'a> {
    name: &'a str,
    mean: Option<f64>,
    std: Option<f64>,
    se: Option<f64>,
    min: Option<f64>,
    p1: Option<f64>,
    p5: Option<f64>,
    p10: Option<f64>,
    p25: Option<f64>,
    p50: Option<f64>,
    p75: Option<f64>,
    p90: Option<f64>,
    p95: Option<f64>,
    p99: Option<f64>,
    max: Option<f64>,
    cvar95: Option<f64>,
    p50_se: Option<f64>,
    p50_low: Option<f64>,
    p50_high: Option<f64>,
    p95_se: Option<f64>,
    p95_low: Option<f64>,
    p95_high: Option<f64>,
    cvar95_se: Option<f64>,
    cvar95_low: Option<f64>,
    cvar95_high: Option<f64>,
}

fn finite(x: f64) -> Option<f64> {
    // -0.0 prints as "-0.0"; a loss of minus nothing is nothing.
    x.is_finite().then_some(if x == 0.0 { 0.0 } else { x })
}

/// The text of `summary.json` (pretty-printed, ending in a newline).
pub fn summary_json(meta: &Meta, results: &impl RunShape, sums: &Summaries) -> String {
    let metrics = results
        .metric_names()
        .iter()
        .zip(&sums.metrics)
        .map(|(name, s)| MetricEntry {
            name,
            mean: finite(s.mean),
            std: finite(s.std),
            se: finite(s.se),
            min: finite(s.min),
            p1: finite(s.p1),
            p5: finite(s.p5),
            p10: finite(s.p10),
            p25: finite(s.p25),
            p50: finite(s.p50),
            p75: finite(s.p75),
            p90: finite(s.p90),
            p95: finite(s.p95),
            p99: finite(s.p99),
            max: finite(s.max),
            cvar95: finite(s.cvar95),
            p50_se: finite(s.p50_mc.se),
            p50_low: finite(s.p50_mc.low),
            p50_high: finite(s.p50_mc.high),
            p95_se: finite(s.p95_mc.se),
            p95_low: finite(s.p95_mc.low),
            p95_high: finite(s.p95_mc.high),
            cvar95_se: finite(s.cvar95_mc.se),
            cvar95_low: finite(s.cvar95_mc.low),
            cvar95_high: finite(s.cvar95_mc.high),
        })
        .collect();
    let file = SummaryFile {
        schema_version: SCHEMA_VERSION,
        name: &meta.name,
        file: meta.file.to_string_lossy().into_owned(),
        seed: results.seed(),
        trials: results.trials(),
        horizon: results.horizon(),
        period: meta.period.name(),
        start: meta.start.map(|s| format!("{:04}-{:02}", s.year, s.month)),
        period_labels: (0..results.horizon())
            .map(|t| meta.period_label(t))
            .collect(),
        metrics,
    };
    let mut text = serde_json::to_string_pretty(&file)
        .expect("structs of strings and numbers always serialize");
    text.push('\n');
    text
}

/// Provenance of a result directory, written as `run.json`: what to run to get the same bytes.
/// Deliberately holds no timestamp, host, output path or thread count, so that results compare
/// byte for byte across machines and `--threads`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunInfo {
    pub chokepoint_version: String,
    /// The scenario file as given on the command line; copied to `scenario.toml`.
    pub scenario_file: String,
    /// The world file it names, if any; copied to `world.toml`.
    pub world_file: Option<String>,
    pub seed: u64,
    /// Trials in this directory.
    pub trials: u64,
    /// Global index of the first trial (non-zero only for a shard).
    pub first_trial: u64,
    /// Trials of the whole run this directory belongs to (equal to `trials` unless a shard).
    pub total_trials: u64,
    /// A command that reproduces these results (output options left out).
    pub command: Vec<String>,
    /// Files in the directory, in the order written.
    pub files: Vec<String>,
    /// How a `--precision` run stopped (absent otherwise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precision: Option<crate::run::precision::Record>,
    /// `lhs` or `sobol` for a run on a sampling design (`--design`; absent for plain Monte Carlo).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub design: Option<String>,
}

/// The text of `run.json`.
pub fn run_json(info: &RunInfo) -> String {
    let mut text = serde_json::to_string_pretty(info)
        .expect("structs of strings and numbers always serialize");
    text.push('\n');
    text
}
