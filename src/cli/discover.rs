//! `chokepoint discover RESULT --metric M --worse-than V`: read a run's `trials.csv` (written by
//! `run --trials-csv`), mark the trials where the metric is worse than V, find the PRIM box of
//! parameter ranges where they concentrate (`stats::prim`) and say it in words. With `--out` the
//! box and the peeling trajectory are also written to a directory (atomically).

use std::io::Write;
use std::path::{Path, PathBuf};

use super::outdir::{MARKER, OutputError, Staging};
use super::{EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};
use crate::report::discover::{
    DiscoverRunInfo, Question, discover_run_json, discovery_json, discovery_text, peeling_csv,
};
use crate::run::results::lower_is_worse;
use crate::scenario::suggest::did_you_mean;
use crate::stats::prim::{PrimOptions, prim};

#[derive(Debug, Clone, clap::Args)]
pub struct DiscoverArgs {
    /// A result directory of `chokepoint run --trials-csv` (or `merge --trials-csv`).
    pub result: PathBuf,
    /// The metric whose bad trials to explain, as named in metrics.csv.
    #[arg(long)]
    pub metric: String,
    /// The level beyond which a trial is bad: above it for losses, shortages and prices, below it
    /// for the timing metrics (`first_disrupted`, `empty_at`).
    #[arg(long, allow_hyphen_values = true)]
    pub worse_than: f64,
    /// Smallest share of the bad trials the box must hold (0-1).
    #[arg(long, default_value_t = 0.5)]
    pub min_coverage: f64,
    /// Also write discovery.json and peeling.csv to this directory.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing --out directory.
    #[arg(long)]
    pub force: bool,
}

/// The per-trial table of a run: parameter columns and the chosen metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Trials {
    pub params: Vec<String>,
    pub columns: Vec<Vec<f64>>,
    pub metric: Vec<f64>,
}

/// What `summary.json` says about the run.
struct RunSummary {
    name: String,
    period: String,
    metrics: Vec<String>,
}

fn read_summary(dir: &Path) -> Result<RunSummary, String> {
    let path = dir.join("summary.json");
    let bytes = std::fs::read(&path).map_err(|e| {
        format!(
            "{} is not a chokepoint run directory (cannot read summary.json: {}): pass the \
             output directory of `chokepoint run --trials-csv`",
            dir.display(),
            super::term::reason(&e)
        )
    })?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{}: not valid JSON ({e})", path.display()))?;
    let metrics = v["metrics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m["name"].as_str().map(String::from))
                .collect::<Vec<_>>()
        })
        .filter(|m| !m.is_empty())
        .ok_or_else(|| format!("{}: no `metrics` list with names", path.display()))?;
    Ok(RunSummary {
        name: v["name"].as_str().unwrap_or("the run").to_string(),
        period: v["period"].as_str().unwrap_or("period").to_string(),
        metrics,
    })
}

/// Reads `trials.csv`: every column that is not a metric is a parameter. All problems at once
/// (the first 10 shown).
pub fn read_trials(dir: &Path, metrics: &[String], metric: &str) -> Result<Trials, String> {
    let path = dir.join("trials.csv");
    if !path.is_file() {
        return Err(format!(
            "{} has no trials.csv: rerun with `chokepoint run SCENARIO --trials-csv` (or \
             `chokepoint merge ... --trials-csv`), which writes every trial's parameters and \
             metrics",
            dir.display()
        ));
    }
    let mut rd = csv::ReaderBuilder::new()
        .from_path(&path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let header: Vec<String> = rd
        .headers()
        .map_err(|e| format!("{}: {e}", path.display()))?
        .iter()
        .map(String::from)
        .collect();
    let Some(m_col) = header.iter().position(|h| h == metric) else {
        return Err(format!("{} has no column `{metric}`", path.display()));
    };
    let p_cols: Vec<usize> = (1..header.len())
        .filter(|&i| !metrics.contains(&header[i]))
        .collect();
    let mut t = Trials {
        params: p_cols.iter().map(|&i| header[i].clone()).collect(),
        columns: vec![Vec::new(); p_cols.len()],
        metric: Vec::new(),
    };
    let mut problems = Vec::new();
    for (row, rec) in rd.records().enumerate() {
        let line = row + 2;
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let parse = |i: usize, problems: &mut Vec<String>| -> f64 {
            let cell = rec.get(i).unwrap_or("");
            if cell.is_empty() && i == m_col {
                // An undefined metric in this trial: never counted as bad.
                return f64::NAN;
            }
            cell.parse::<f64>().unwrap_or_else(|_| {
                problems.push(format!(
                    "line {line}, column `{}`: `{}` is not a number",
                    header[i],
                    crate::report::format::terminal(cell)
                ));
                f64::NAN
            })
        };
        for (c, &i) in p_cols.iter().enumerate() {
            let v = parse(i, &mut problems);
            t.columns[c].push(v);
        }
        let v = parse(m_col, &mut problems);
        t.metric.push(v);
    }
    if !problems.is_empty() {
        let n = problems.len();
        problems.truncate(10);
        let more = if n > 10 {
            format!("\n... and {} more", n - 10)
        } else {
            String::new()
        };
        return Err(format!(
            "{} is damaged:\n{}{more}",
            path.display(),
            problems.join("\n")
        ));
    }
    if t.metric.is_empty() {
        return Err(format!("{} holds no trials", path.display()));
    }
    Ok(t)
}

/// `chokepoint discover`: the production entry point.
pub fn execute(args: &DiscoverArgs) -> i32 {
    let mut err = super::term::stderr();
    let mut out = super::term::stdout();
    discover(args, &mut out, &mut err)
}

pub fn discover(args: &DiscoverArgs, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    if !args.worse_than.is_finite() {
        let _ = writeln!(err, "error: --worse-than must be a finite number");
        return EXIT_USAGE;
    }
    if !(args.min_coverage > 0.0 && args.min_coverage <= 1.0) {
        let _ = writeln!(
            err,
            "error: --min-coverage must be above 0 and at most 1, not {}",
            args.min_coverage
        );
        return EXIT_USAGE;
    }
    let summary = match read_summary(&args.result) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    if !summary.metrics.contains(&args.metric) {
        let known: Vec<&str> = summary.metrics.iter().map(String::as_str).collect();
        let _ = writeln!(
            err,
            "error: --metric names no metric of this run: \"{}\"; {}",
            args.metric,
            did_you_mean(&args.metric, &known)
        );
        return EXIT_USAGE;
    }
    if let Some(target) = &args.out
        && let Err(e) = super::outdir::prepare(target, args.force, err)
    {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let trials = match read_trials(&args.result, &summary.metrics, &args.metric) {
        Ok(t) => t,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let lower = lower_is_worse(&args.metric);
    let bad: Vec<bool> = trials
        .metric
        .iter()
        .map(|&v| {
            if lower {
                v < args.worse_than
            } else {
                v > args.worse_than
            }
        })
        .collect();
    let opts = PrimOptions {
        min_coverage: args.min_coverage,
        ..PrimOptions::default()
    };
    let found = prim(&trials.columns, &bad, &opts);
    let q = Question {
        metric: args.metric.clone(),
        worse_than: args.worse_than,
        lower_is_worse: lower,
        scenario: summary.name.clone(),
        periods: format!("{}s", summary.period),
    };
    if let Some(target) = &args.out {
        let mut info = DiscoverRunInfo {
            chokepoint_version: env!("CARGO_PKG_VERSION").into(),
            result: args.result.to_string_lossy().into_owned(),
            trials: trials.metric.len() as u64,
            command: reproduce(args),
            files: Vec::new(),
        };
        let staged = (|| -> Result<Staging, OutputError> {
            let staging = Staging::new(target, args.force)?;
            for (name, bytes) in [
                ("discovery.json", discovery_json(&q, &trials.params, &found)),
                ("peeling.csv", peeling_csv(&found)),
            ] {
                info.files.push(name.into());
                staging.write(name, &bytes)?;
            }
            info.files.push(MARKER.into());
            staging.write(MARKER, &discover_run_json(&info))?;
            Ok(staging)
        })();
        if let Err(e) = staged.and_then(Staging::commit) {
            let _ = writeln!(err, "error: {e}");
            return EXIT_OUTPUT;
        }
        let _ = writeln!(err, "discovery written to {}", target.display());
    }
    super::term::print(out, &discovery_text(&q, &trials.params, &found), err)
        .err()
        .unwrap_or(EXIT_OK)
}

/// The command line that reproduces a discovery (output placement left out).
pub fn reproduce(args: &DiscoverArgs) -> Vec<String> {
    vec![
        "chokepoint".into(),
        "discover".into(),
        args.result.to_string_lossy().into_owned(),
        "--metric".into(),
        args.metric.clone(),
        "--worse-than".into(),
        args.worse_than.to_string(),
        "--min-coverage".into(),
        args.min_coverage.to_string(),
    ]
}
