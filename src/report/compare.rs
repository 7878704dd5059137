//! Exporters of a paired comparison: `comparison.json`, `comparison.csv`, `sensitivity.csv` and the
//! terminal table. Pure functions returning bytes, so they are snapshot-tested.

use std::cmp::Ordering;
use std::path::PathBuf;

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::stats::paired::{Comparison, Difference, MetricComparison};
use crate::stats::rank::Sensitivity;
use crate::stats::{SUMMARY_COLUMNS, Summary};

use super::format::{float, metric_label, money, percent, subject_label, terminal};
use super::table::render;
use crate::scenario::Scenario;

/// Bumped when a key of `comparison.json` or a column of `comparison.csv` changes: 2 added the
/// `label` column of display names and the Monte Carlo intervals of each side's median, p95 and
/// CVaR95 (docs/schema.md).
pub const SCHEMA_VERSION: u32 = 2;

/// One side of a comparison, as loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct SideInfo {
    pub name: String,
    /// The scenario file as given on the command line.
    pub file: PathBuf,
}

/// What both runs shared.
#[derive(Debug, Clone, PartialEq)]
pub struct CompareInfo {
    pub base: SideInfo,
    pub policy: SideInfo,
    pub seed: u64,
    pub trials: usize,
    pub horizon: usize,
    /// `week`, `month` or `quarter`.
    pub period: String,
}

/// Summary statistics in `SUMMARY_COLUMNS` order, without `n` (the comparison states it once).
struct SummaryJson<'a>(&'a Summary);

impl Serialize for SummaryJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(SUMMARY_COLUMNS.len() - 1))?;
        for (k, v) in SUMMARY_COLUMNS.iter().zip(self.0.values()) {
            if *k != "n" {
                map.serialize_entry(k, &finite(v))?;
            }
        }
        map.end()
    }
}

/// The difference columns, in output order.
const DIFF_COLUMNS: [&str; 9] = [
    "mean",
    "se",
    "ci95_low",
    "ci95_high",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
];

fn diff_values(d: &Difference) -> [f64; 9] {
    [
        d.mean, d.se, d.ci_low, d.ci_high, d.p5, d.p25, d.p50, d.p75, d.p95,
    ]
}

struct DiffJson<'a>(&'a Difference);

impl Serialize for DiffJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(DIFF_COLUMNS.len()))?;
        for (k, v) in DIFF_COLUMNS.iter().zip(diff_values(self.0)) {
            map.serialize_entry(k, &finite(v))?;
        }
        map.end()
    }
}

/// Non-finite statistics (undefined for too few trials) are `null` in JSON.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

#[derive(Serialize)]
struct SideJson<'a> {
    name: &'a str,
    file: String,
}

#[derive(Serialize)]
struct MetricJson<'a> {
    name: &'a str,
    better: &'static str,
    base: SummaryJson<'a>,
    policy: SummaryJson<'a>,
    difference: DiffJson<'a>,
    p_policy_better: Option<f64>,
    p_tie: Option<f64>,
    p_policy_worse: Option<f64>,
}

#[derive(Serialize)]
struct ComparisonJson<'a> {
    schema_version: u32,
    base: SideJson<'a>,
    policy: SideJson<'a>,
    seed: u64,
    trials: usize,
    horizon: usize,
    period: &'a str,
    difference: &'static str,
    only_in_base: &'a [String],
    only_in_policy: &'a [String],
    metrics: Vec<MetricJson<'a>>,
}

fn side(s: &SideInfo) -> SideJson<'_> {
    SideJson {
        name: &s.name,
        file: s.file.display().to_string(),
    }
}

/// `comparison.json`: both runs' identity, then per metric each side's summary and the paired
/// difference `policy - base`. Keys always appear in this order.
pub fn comparison_json(info: &CompareInfo, cmp: &Comparison) -> Vec<u8> {
    let doc = ComparisonJson {
        schema_version: SCHEMA_VERSION,
        base: side(&info.base),
        policy: side(&info.policy),
        seed: info.seed,
        trials: info.trials,
        horizon: info.horizon,
        period: &info.period,
        difference: "policy - base",
        only_in_base: &cmp.only_base,
        only_in_policy: &cmp.only_policy,
        metrics: cmp
            .metrics
            .iter()
            .map(|m| {
                let p = &m.paired;
                MetricJson {
                    name: &m.name,
                    better: p.better.name(),
                    base: SummaryJson(&p.base),
                    policy: SummaryJson(&p.policy),
                    difference: DiffJson(&p.diff),
                    p_policy_better: finite(p.diff.p_better),
                    p_tie: finite(p.diff.p_tie),
                    p_policy_worse: finite(p.diff.p_worse),
                }
            })
            .collect(),
    };
    // Serializing plain structs, strings and options into memory cannot fail.
    let mut bytes = serde_json::to_vec_pretty(&doc).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// Header of `comparison.csv`.
pub fn comparison_csv_header() -> Vec<String> {
    let mut h = vec![
        "metric".to_string(),
        "label".to_string(),
        "better".to_string(),
    ];
    for prefix in ["base", "policy"] {
        h.extend(
            SUMMARY_COLUMNS
                .iter()
                .filter(|c| **c != "n")
                .map(|c| format!("{prefix}_{c}")),
        );
    }
    h.extend(DIFF_COLUMNS.iter().map(|c| format!("diff_{c}")));
    h.extend(
        ["p_policy_better", "p_tie", "p_policy_worse", "n"]
            .iter()
            .map(|c| c.to_string()),
    );
    h
}

/// `comparison.csv`: one row per metric, in the order of `comparison.json`, labelled from the
/// metric names alone.
pub fn comparison_csv(cmp: &Comparison) -> Vec<u8> {
    comparison_csv_named(cmp, None)
}

/// `comparison.csv` with its `label` column named from the base scenario, as `compare` writes it.
pub fn comparison_csv_named(cmp: &Comparison, base: Option<&Scenario>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(comparison_csv_header());
    for m in &cmp.metrics {
        let p = &m.paired;
        let mut row = vec![
            m.name.clone(),
            metric_label(&m.name, base),
            p.better.name().to_string(),
        ];
        for s in [&p.base, &p.policy] {
            row.extend(
                s.values()[..SUMMARY_COLUMNS.len() - 1]
                    .iter()
                    .map(|&v| float(v)),
            );
        }
        row.extend(diff_values(&p.diff).iter().map(|&v| float(v)));
        row.extend([p.diff.p_better, p.diff.p_tie, p.diff.p_worse].map(float));
        row.push(p.diff.n.to_string());
        let _ = w.write_record(&row);
    }
    w.into_inner().unwrap_or_default()
}

/// `sensitivity.csv`: `side,metric,parameter,spearman`; `base` rows, then `policy`, then
/// `difference` (correlation with the per-trial `policy - base`). Within a side and metric the
/// strongest correlations first (the order `rank::sensitivities` returns).
pub fn sensitivity_csv(
    base: &[Sensitivity],
    policy: &[Sensitivity],
    difference: &[Sensitivity],
) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(["side", "metric", "parameter", "spearman"]);
    for (name, rows) in [
        ("base", base),
        ("policy", policy),
        ("difference", difference),
    ] {
        for r in rows {
            let _ = w.write_record([name, &r.metric, &r.param, &float(r.rho)]);
        }
    }
    w.into_inner().unwrap_or_default()
}

/// How a metric's values read in the table. A value that rounds to zero reads as zero, not `-$0`.
fn readable(name: &str, v: f64) -> String {
    let s = if name.ends_with(".value_lost") {
        money(v)
    } else {
        percent(v)
    };
    match s.strip_prefix('-') {
        Some(rest) if !rest.chars().any(|c| ('1'..='9').contains(&c)) => rest.to_string(),
        _ => s,
    }
}

/// The difference with its interval: `-$1.2 bn (-$1.3 bn to -$1.1 bn)`.
fn diff_cell(name: &str, d: &Difference) -> String {
    if d.ci_low.is_finite() {
        format!(
            "{} ({} to {})",
            readable(name, d.mean),
            readable(name, d.ci_low),
            readable(name, d.ci_high)
        )
    } else {
        readable(name, d.mean)
    }
}

/// A metric that was exactly zero in every trial on both sides carries no information.
fn all_zero(m: &MetricComparison) -> bool {
    let p = &m.paired;
    [p.base.min, p.base.max, p.policy.min, p.policy.max]
        .iter()
        .all(|&v| v == 0.0)
}

/// Largest base mean first; ties by name so the order is fixed.
fn worst_first(a: &&MetricComparison, b: &&MetricComparison) -> Ordering {
    b.paired
        .base
        .mean
        .total_cmp(&a.paired.base.mean)
        .then_with(|| a.name.cmp(&b.name))
}

/// The key rows of a comparison, as the table and the HTML page show them.
pub struct Sections<'a> {
    /// `(title, rows)`: value lost (world, then regions and sectors worst first by the base mean)
    /// and sector output loss (worst first). Sections without rows are left out.
    pub sections: Vec<(&'static str, Vec<&'a MetricComparison>)>,
    /// Key metrics left out because they were zero in every trial on both sides.
    pub omitted: usize,
}

pub const VALUE_LOST: &str = "Value lost";
pub const OUTPUT_LOSS: &str = "Sector output loss (mean over the horizon)";

/// Picks the key rows of `cmp`. Metrics with no loss on either side in any trial are left out and
/// counted; every metric is in `comparison.csv`.
pub fn sections(cmp: &Comparison) -> Sections<'_> {
    let pick = |f: &dyn Fn(&str) -> bool| {
        let mut v: Vec<&MetricComparison> = cmp.metrics.iter().filter(|m| f(&m.name)).collect();
        v.sort_by(worst_first);
        v
    };
    let world = pick(&|n| n == "world.value_lost");
    let regions = pick(&|n| n.starts_with("region.") && n.ends_with(".value_lost"));
    let sectors_value = pick(&|n| n.starts_with("sector.") && n.ends_with(".value_lost"));
    let sectors_loss = pick(&|n| n.starts_with("sector.") && n.ends_with(".mean_loss"));
    let all: [(&'static str, Vec<&MetricComparison>); 2] = [
        (
            VALUE_LOST,
            world
                .into_iter()
                .chain(regions)
                .chain(sectors_value)
                .collect(),
        ),
        (OUTPUT_LOSS, sectors_loss),
    ];
    let mut omitted = 0;
    let mut sections = Vec::new();
    for (title, metrics) in all {
        let (shown, zero): (Vec<&MetricComparison>, Vec<&MetricComparison>) =
            metrics.into_iter().partition(|m| !all_zero(m));
        omitted += zero.len();
        if !shown.is_empty() {
            sections.push((title, shown));
        }
    }
    Sections { sections, omitted }
}

/// A row's label: the metric name without its kind (`sector.US.ev`).
pub fn row_label(name: &str) -> &str {
    name.trim_end_matches(".value_lost")
        .trim_end_matches(".mean_loss")
}

/// The cells after the label: base mean, policy mean, difference with interval, P(better),
/// P(worse).
pub fn row_cells(m: &MetricComparison) -> [String; 5] {
    let p = &m.paired;
    [
        readable(&m.name, p.base.mean),
        readable(&m.name, p.policy.mean),
        diff_cell(&m.name, &p.diff),
        percent(p.diff.p_better),
        percent(p.diff.p_worse),
    ]
}

/// Column headers after the section title.
pub const ROW_HEADERS: [&str; 5] = [
    "base mean",
    "policy mean",
    "difference (95% CI)",
    "P(policy better)",
    "P(worse)",
];

/// Names of one-side metrics the terminal table lists before "and N more".
const SHOWN: usize = 6;

/// The table printed after a comparison (see `sections` for what it shows), rows labelled from
/// metric names alone.
pub fn compare_table(info: &CompareInfo, cmp: &Comparison) -> String {
    compare_table_named(info, cmp, None)
}

/// The table with rows named from the base scenario, as the page names them (`EU Automotive`).
pub fn compare_table_named(
    info: &CompareInfo,
    cmp: &Comparison,
    base: Option<&Scenario>,
) -> String {
    let mut out = format!(
        "{} (base) vs {} (policy): {}, seed {}, common random numbers\n\
         difference = policy - base; negative means the policy removed loss; P(policy better) and\n\
         P(worse) are shares of trials, the rest are ties\n",
        super::format::terminal(&info.base.name),
        super::format::terminal(&info.policy.name),
        super::format::trials(info.trials as u64),
        info.seed
    );
    let picked = sections(cmp);
    for (title, shown) in &picked.sections {
        let mut rows = vec![
            std::iter::once(title.to_string())
                .chain(ROW_HEADERS.iter().map(|h| h.to_string()))
                .collect::<Vec<_>>(),
        ];
        rows.extend(shown.iter().map(|m| {
            std::iter::once(terminal(&subject_label(row_label(&m.name), base)).into_owned())
                .chain(row_cells(m))
                .collect()
        }));
        out.push('\n');
        out.push_str(&render(&rows));
    }
    if picked.sections.is_empty() {
        out.push_str("\nNo value lost and no sector output loss on either side in any trial.\n");
    }
    if picked.omitted > 0 {
        out.push_str(&format!(
            "\n{} metric(s) with no loss on either side are not shown; comparison.csv has every metric.\n",
            picked.omitted
        ));
    }
    for (which, names) in [("base", &cmp.only_base), ("policy", &cmp.only_policy)] {
        if !names.is_empty() {
            out.push_str(&format!(
                "Only in the {which} run, not compared: {}{}.\n",
                names
                    .iter()
                    .take(SHOWN)
                    .map(|n| terminal(&metric_label(n, base)).into_owned())
                    .collect::<Vec<_>>()
                    .join("; "),
                if names.len() > SHOWN {
                    format!(" and {} more (comparison.json)", names.len() - SHOWN)
                } else {
                    String::new()
                }
            ));
        }
    }
    out
}

/// Provenance of a comparison directory (`run.json`, the file every result directory holds).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompareRunInfo {
    pub chokepoint_version: String,
    pub base_file: String,
    pub base_world_file: Option<String>,
    pub policy_file: String,
    pub policy_world_file: Option<String>,
    pub seed: u64,
    pub trials: u64,
    /// A command that reproduces the comparison (output options left out).
    pub command: Vec<String>,
    /// Files in the directory, in the order written.
    pub files: Vec<String>,
}

/// The text of a comparison's `run.json`.
pub fn compare_run_json(info: &CompareRunInfo) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(info).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

#[cfg(test)]
mod tests {
    use super::readable;

    #[test]
    fn values_that_round_to_zero_have_no_sign() {
        assert_eq!(readable("world.value_lost", -1e-5), "$0");
        assert_eq!(readable("world.value_lost", -2.5e9), "-$2.5 bn");
        assert_eq!(readable("sector.US.ev.mean_loss", -0.123), "-12.3%");
        assert_eq!(readable("sector.US.ev.mean_loss", 0.0), "0%");
    }
}
