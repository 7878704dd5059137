//! `chokepoint sweep SCENARIO --set PATH=VALUES...`: the scenario run at every point of a grid of
//! parameter values (a list `a,b,c` or a range `a..b:n` per path; several `--set` make a grid),
//! every point on the same seed and trial indices (common random numbers); a risk-curve chart,
//! `sweep.csv`/`.json` and a table, written atomically.
//!
//! Every value is checked first (each path and value once, all problems reported together), so
//! no point runs before the whole grid is known to be valid. Only the chosen metric's per-trial
//! values of each point are kept.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::outdir::{MARKER, OutputError, Staging};
use super::{EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};
use crate::report::charts::{Draw, risk_curve};
use crate::report::compare_html::InlineChart;
use crate::report::sweep::{Sweep, SweepPoint, sweep_csv, sweep_json, sweep_table};
use crate::report::sweep_html::sweep_html;

/// The sweep's page, written unless `--no-charts`.
pub const HTML: &str = "sweep.html";
use crate::run::{RunError, RunOptions};
use crate::scenario::set::{SetArg, SetValue};
use crate::scenario::{self, LoadOptions, Scenario};

/// Most points of a grid (the product of every `--set`'s value count).
pub const MAX_POINTS: usize = 1000;

#[derive(Debug, Clone, clap::Args)]
pub struct SweepArgs {
    pub scenario: PathBuf,
    /// A parameter and its values (repeatable; several make a grid): `PATH=a,b,c` or
    /// `PATH=a..b:n` (n points from a to b), with paths as `explain` and trials.csv show them,
    /// for example `--set policy.eu-pilot-magnets.initial=0.5..6:12`.
    #[arg(long = "set", value_name = "PATH=VALUES", required = true)]
    pub set: Vec<SetArg>,
    /// The metric of the risk curve.
    #[arg(long, default_value = "world.value_lost")]
    pub metric: String,
    /// Number of trials per point (default: the scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed of every point (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: results/sweep-<scenario stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Do not draw the risk curve.
    #[arg(long)]
    pub no_charts: bool,
}

/// Default output directory: `results/sweep-<stem>/`.
pub fn default_out(scenario: &Path) -> PathBuf {
    let stem = super::outdir::stem(scenario, "scenario");
    Path::new("results").join(format!("sweep-{stem}"))
}

/// Every point of the grid, the last `--set` varying fastest.
pub fn grid(set: &[SetArg]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = vec![Vec::new()];
    for s in set {
        out = out
            .into_iter()
            .flat_map(|p| {
                s.values.iter().map(move |&v| {
                    let mut q = p.clone();
                    q.push(v);
                    q
                })
            })
            .collect();
    }
    out
}

/// `chokepoint sweep`: the production entry point.
pub fn execute(args: &SweepArgs) -> i32 {
    let color = super::check::use_color(std::io::stderr().is_terminal());
    let mut err = super::term::stderr();
    sweep(
        args,
        color,
        &crate::run::run,
        super::interrupt::stop_flag(),
        &mut super::term::stdout(),
        &mut err,
    )
}

fn sweep(
    args: &SweepArgs,
    color: bool,
    runner: super::run::Runner<'_>,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Err(why) = scenario::readable(&args.scenario) {
        let _ = writeln!(err, "error: {why}");
        return EXIT_USAGE;
    }
    for (i, s) in args.set.iter().enumerate() {
        if args.set[..i].iter().any(|t| t.path == s.path) {
            let _ = writeln!(
                err,
                "error: --set {}: the path is set twice; set it once",
                s.path
            );
            return EXIT_USAGE;
        }
    }
    let points = args.set.iter().map(|s| s.values.len()).product::<usize>();
    if points > MAX_POINTS {
        let _ = writeln!(
            err,
            "error: the grid has {points} points, more than the {MAX_POINTS} a sweep runs; use fewer values"
        );
        return EXIT_USAGE;
    }
    // The scenario as written, then every path and value once: all problems at once.
    let plain = match scenario::load(&args.scenario) {
        Ok(l) => {
            let _ = write!(
                std::io::stderr(),
                "{}",
                scenario::render_all(&l.warnings, color)
            );
            l.scenario
        }
        Err(e) => return invalid(&args.scenario, &e, color, err),
    };
    let mut seen = Vec::new();
    let mut bad = false;
    for s in &args.set {
        for &v in &s.values {
            let opts = LoadOptions {
                set: vec![s.one(v)],
                ..LoadOptions::default()
            };
            if let Err(e) = scenario::load_with(&args.scenario, &opts) {
                for d in e.errors() {
                    let text = d.render(color);
                    if !seen.contains(&text) {
                        let _ = write!(std::io::stderr(), "{text}\n\n");
                        seen.push(text);
                    }
                }
                bad = true;
            }
        }
    }
    if bad {
        let _ = writeln!(
            err,
            "error: the sweep's --set values are invalid for {}; fix the problems above",
            args.scenario.display()
        );
        return EXIT_INVALID;
    }
    let trials = args.trials.unwrap_or(plain.meta.trials);
    let seed = args.seed.unwrap_or(plain.meta.seed);
    if let Err(code) = super::check_counts(trials, args.threads, err) {
        return code;
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let opts = RunOptions {
        trials,
        seed,
        first_trial: 0,
        threads: args.threads,
    };
    let grid = grid(&args.set);
    let mut results = Vec::with_capacity(grid.len());
    for (k, values) in grid.iter().enumerate() {
        let set: Vec<SetValue> = args
            .set
            .iter()
            .zip(values)
            .map(|(s, &v)| s.one(v))
            .collect();
        let label = set
            .iter()
            .map(|s| format!("{}={}", s.path, scenario::num_text(s.value)))
            .collect::<Vec<_>>()
            .join(" ");
        let s = match scenario::load_with(
            &args.scenario,
            &LoadOptions {
                set,
                ..LoadOptions::default()
            },
        ) {
            Ok(l) => l.scenario,
            Err(e) => return invalid(&args.scenario, &e, color, err),
        };
        match super::compare::run_side(
            &format!("{}/{} {label}", k + 1, grid.len()),
            &s,
            &opts,
            runner,
            stop,
        ) {
            Ok(r) => match r.metric_index(&args.metric) {
                Some(m) => results.push(SweepPoint {
                    values: values.clone(),
                    summary: r.summary(m),
                }),
                None => {
                    let names: Vec<&str> = r.metric_names.iter().map(String::as_str).collect();
                    let hint = match crate::scenario::suggest::closest(
                        &args.metric,
                        names.iter().copied(),
                    ) {
                        Some(c) => format!("did you mean `{c}`?"),
                        None => "docs/outputs.md lists the metrics".into(),
                    };
                    let _ = writeln!(
                        err,
                        "error: --metric {}: the scenario reports no such metric; {hint}",
                        args.metric
                    );
                    return EXIT_USAGE;
                }
            },
            Err(RunError::Cancelled) => {
                let _ = writeln!(err, "interrupted: no results written");
                return EXIT_INTERRUPTED;
            }
            Err(RunError::Resources(m)) => {
                let _ = writeln!(err, "error: {m}; run fewer --trials");
                return EXIT_USAGE;
            }
        }
    }
    let sweep = Sweep {
        scenario: plain.meta.name.clone(),
        file: args.scenario.to_string_lossy().into_owned(),
        metric: args.metric.clone(),
        seed,
        trials: trials as usize,
        paths: args.set.iter().map(|s| s.path.clone()).collect(),
        labels: args
            .set
            .iter()
            .map(|s| crate::report::format::param_words(&plain, &s.path))
            .collect(),
        metric_label: crate::report::format::metric_label(&args.metric, Some(&plain)),
        points: results,
    };
    let staged = stage(&target, args, &sweep, &plain, trials, seed);
    if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
        let _ = writeln!(err, "interrupted: no results written");
        return EXIT_INTERRUPTED;
    }
    match staged.and_then(Staging::commit) {
        Ok(()) => {
            let code = super::term::print(out, &sweep_table(&sweep), err)
                .err()
                .unwrap_or(EXIT_OK);
            let _ = writeln!(err, "sweep written to {}", target.display());
            code
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_OUTPUT
        }
    }
}

fn invalid(path: &Path, e: &scenario::LoadError, color: bool, err: &mut dyn Write) -> i32 {
    let _ = write!(std::io::stderr(), "{}", e.render(color));
    let _ = writeln!(
        err,
        "error: {} is invalid; fix the problems above (`chokepoint check` lists them too)",
        path.display()
    );
    EXIT_INVALID
}

#[derive(Serialize)]
struct SweepRunInfo {
    chokepoint_version: String,
    scenario_file: String,
    metric: String,
    seed: u64,
    trials: u64,
    command: Vec<String>,
    files: Vec<String>,
}

fn stage(
    target: &Path,
    args: &SweepArgs,
    s: &Sweep,
    scenario: &Scenario,
    trials: u64,
    seed: u64,
) -> Result<Staging, OutputError> {
    let staging = Staging::new(target, args.force)?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| {
        files.push(name.to_string());
        staging.write(name, bytes)
    };
    put("sweep.json", &sweep_json(s))?;
    put("sweep.csv", &sweep_csv(s))?;
    let mut chart = None;
    if !args.no_charts
        && let Some(fig) = risk_curve::figure(s)
    {
        let failed = |message: String| OutputError::Io {
            path: target.join("charts").join(risk_curve::FILE_STEM),
            error: std::io::Error::other(format!(
                "could not draw the risk curve: {message}; rerun with --no-charts"
            )),
        };
        let svg = fig.svg().map_err(failed)?;
        let png = fig.png().map_err(failed)?;
        std::fs::create_dir_all(staging.path().join("charts")).map_err(|error| {
            OutputError::Io {
                path: target.join("charts"),
                error,
            }
        })?;
        put(&format!("charts/{}.png", risk_curve::FILE_STEM), &png)?;
        put(
            &format!("charts/{}.svg", risk_curve::FILE_STEM),
            svg.as_bytes(),
        )?;
        chart = Some(InlineChart {
            title: fig.title.clone(),
            caption: fig.caption.clone(),
            svg,
        });
    }
    if !args.no_charts {
        put(
            HTML,
            sweep_html(s, Some(scenario), chart.as_ref()).as_bytes(),
        )?;
    }
    let mut command: Vec<String> = vec![
        "chokepoint".into(),
        "sweep".into(),
        args.scenario.to_string_lossy().into_owned(),
    ];
    for a in &args.set {
        command.push("--set".into());
        command.push(a.to_string());
    }
    command.extend([
        "--metric".into(),
        args.metric.clone(),
        "--trials".into(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
    ]);
    if args.no_charts {
        command.push("--no-charts".into());
    }
    files.push(MARKER.into());
    let info = SweepRunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: args.scenario.to_string_lossy().into_owned(),
        metric: args.metric.clone(),
        seed,
        trials,
        command,
        files,
    };
    let mut bytes = serde_json::to_vec_pretty(&info).unwrap_or_default();
    bytes.push(b'\n');
    staging.write(MARKER, &bytes)?;
    Ok(staging)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_grid_varies_the_last_path_fastest() {
        let a: SetArg = "a=1,2".parse().unwrap();
        let b: SetArg = "b=10,20,30".parse().unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        assert_eq!(g[0], vec![1.0, 10.0]);
        assert_eq!(g[1], vec![1.0, 20.0]);
        assert_eq!(g[5], vec![2.0, 30.0]);
    }
}
