//! `chokepoint portfolio BASE PACKAGE...`: one base run shared by every package; each package run
//! whole, each of its levers alone and the package without each lever, all on the base's seed and
//! trial indices (common random numbers); then the ranked table, `portfolio.json`/`.csv`, the
//! frontier chart and `portfolio.html`, written atomically.
//!
//! The variants are built in memory (`scenario::load_with` keeping some policies), never as files.
//! Only the chosen metric's per-trial values of each run are kept, so memory does not grow with
//! the number of variants.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;

use super::outdir::{MARKER, OutputError, Staging};
use super::{EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};
use crate::report::charts::{Draw, frontier};
use crate::report::compare_html::InlineChart;
use crate::report::portfolio::{
    Portfolio, PortfolioInfo, portfolio_csv, portfolio_json, portfolio_table, rank,
};
use crate::report::portfolio_html::portfolio_html;
use crate::run::costs::{policy_costs, uncosted};
use crate::run::{RunError, RunOptions};
use crate::scenario::{self, LoadOptions, Scenario, levers};
use crate::stats::paired::Better;
use crate::stats::portfolio::{FrontierPoint, LeverRuns, PackageRuns, mark_frontier, package};

/// Runs one scenario (the production runner is `crate::run::run`; tests pass a stand-in).
pub type Runner<'a> = super::run::Runner<'a>;

#[derive(Debug, Clone, clap::Args)]
pub struct PortfolioArgs {
    /// The scenario without any package (for example scenarios/escalation-2026.toml).
    pub base: PathBuf,
    /// One or more packages: the base's shocks plus policies (for example
    /// scenarios/g7-derisking-2026.toml). Policies sharing a `lever` are one lever.
    #[arg(required = true)]
    pub packages: Vec<PathBuf>,
    /// The loss metric every effect is measured on.
    #[arg(long, default_value = "world.value_lost")]
    pub metric: String,
    /// Number of trials of every run (default: the base scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed of every run (default: the base scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: results/portfolio-<base stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Do not draw the frontier chart (and write no HTML page).
    #[arg(long)]
    pub no_charts: bool,
}

/// The page, written beside the chart unless `--no-charts`.
pub const HTML: &str = "portfolio.html";

/// Default output directory: `results/portfolio-<base stem>/`.
pub fn default_out(base: &Path) -> PathBuf {
    let stem = super::outdir::stem(base, "scenario");
    Path::new("results").join(format!("portfolio-{stem}"))
}

/// `chokepoint portfolio`: the production entry point.
pub fn execute(args: &PortfolioArgs) -> i32 {
    let color = super::check::use_color(std::io::stderr().is_terminal());
    let mut diags = std::io::stderr();
    let mut err = super::term::stderr();
    let mut out = super::term::stdout();
    let mut code = EXIT_OK;
    let base = load(&args.base, color, &mut diags, &mut err);
    let mut packages = Vec::new();
    for p in &args.packages {
        match load(p, color, &mut diags, &mut err) {
            Ok(s) => packages.push(s),
            Err(c) => code = code.max(c),
        }
    }
    let base = match base {
        Ok(b) if code == EXIT_OK => b,
        Ok(_) => return code,
        Err(c) => return c.max(code),
    };
    portfolio_loaded(
        &base,
        &packages,
        args,
        &crate::run::run,
        super::interrupt::stop_flag(),
        &mut out,
        &mut err,
    )
}

/// One scenario as `compare` loads a side, without overrides.
fn load(
    path: &Path,
    color: bool,
    diags: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<Scenario, i32> {
    let opts = scenario::LoadOptions::default();
    super::compare::load(path, &opts, color, diags, err).map(|(s, _)| s)
}

/// A package's variant: which policies it keeps and how it is labelled.
struct Variant {
    label: String,
    keep: Vec<String>,
}

/// Every variant of one package, in run order: the whole, then per lever alone and without.
/// With a single lever, alone is the whole and only the package without it is added.
fn variants(pkg: &Scenario) -> (Vec<scenario::Lever>, Vec<Variant>) {
    let lv = levers(&pkg.policies);
    let all: Vec<String> = pkg.policies.iter().map(|p| p.id.clone()).collect();
    let mut v = vec![Variant {
        label: "whole".into(),
        keep: all.clone(),
    }];
    for l in &lv {
        if lv.len() > 1 {
            v.push(Variant {
                label: format!("{} alone", l.name),
                keep: l.policies.clone(),
            });
        }
        v.push(Variant {
            label: format!("without {}", l.name),
            keep: all
                .iter()
                .filter(|id| !l.policies.contains(id))
                .cloned()
                .collect(),
        });
    }
    (lv, v)
}

/// Everything after loading. Messages go to `err`, the table to `out`.
pub fn portfolio_loaded(
    base: &Scenario,
    packages: &[Scenario],
    args: &PortfolioArgs,
    runner: Runner<'_>,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    for p in packages {
        if let Some(why) = super::compare::incomparable(base, p) {
            let _ = writeln!(err, "error: cannot pair the package with the base: {why}");
            return EXIT_USAGE;
        }
        if p.policies.is_empty() {
            let _ = writeln!(
                err,
                "error: {} has no [[policy]]: a package needs at least one lever",
                p.meta.file.display()
            );
            return EXIT_USAGE;
        }
    }
    if Better::of_metric(&args.metric) != Better::Lower {
        let _ = writeln!(
            err,
            "error: --metric {}: a timing metric (later is better) cannot be a loss avoided; \
             choose a loss such as world.value_lost or region.US.value_lost",
            args.metric
        );
        return EXIT_USAGE;
    }
    let trials = args.trials.unwrap_or(base.meta.trials);
    let seed = args.seed.unwrap_or(base.meta.seed);
    if let Err(code) = super::check_counts(trials, args.threads, err) {
        return code;
    }
    let target = args.out.clone().unwrap_or_else(|| default_out(&args.base));
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    // Build every variant first, so a variant that does not validate stops before any run.
    let mut plans = Vec::new();
    for (k, pkg) in packages.iter().enumerate() {
        let (lv, vs) = variants(pkg);
        let mut scenarios = Vec::new();
        for v in &vs {
            if v.label == "whole" {
                scenarios.push(pkg.clone());
                continue;
            }
            let opts = LoadOptions {
                keep_policies: Some(v.keep.clone()),
                ..LoadOptions::default()
            };
            match scenario::load_with(&args.packages[k], &opts) {
                Ok(l) => scenarios.push(l.scenario),
                Err(e) => {
                    let _ = write!(err, "{}", e.render(false));
                    let _ = writeln!(
                        err,
                        "error: {} ({}) is invalid once its other levers are dropped",
                        args.packages[k].display(),
                        v.label
                    );
                    return EXIT_INVALID;
                }
            }
        }
        plans.push((lv, vs, scenarios));
    }
    let total_runs = 1 + plans.iter().map(|p| p.2.len()).sum::<usize>();
    let opts = RunOptions {
        trials,
        seed,
        first_trial: 0,
        threads: args.threads,
    };
    let mut done = 0usize;
    let mut run = |label: String, s: &Scenario| -> Result<Vec<f64>, i32> {
        done += 1;
        let bar_label = format!("{done}/{total_runs} {label}");
        match super::compare::run_side(&bar_label, s, &opts, runner, stop) {
            Ok(r) => match r.metric_index(&args.metric) {
                Some(m) => Ok(r.metric_values(m)),
                None => {
                    let names: Vec<&str> = r.metric_names.iter().map(String::as_str).collect();
                    let _ = writeln!(
                        err,
                        "error: --metric {}: {} reports no such metric; {}",
                        args.metric,
                        s.meta.file.display(),
                        scenario::did_you_mean_path(&args.metric, &names)
                            .replace("`chokepoint explain FILE` lists every parameter; trials.csv has a column for each uncertain one", "docs/outputs.md lists the metrics")
                    );
                    Err(EXIT_USAGE)
                }
            },
            Err(RunError::Cancelled) => {
                let _ = writeln!(err, "interrupted: no results written");
                Err(EXIT_INTERRUPTED)
            }
            Err(RunError::Resources(m)) => {
                let _ = writeln!(err, "error: {label}: {m}; run fewer --trials");
                Err(EXIT_USAGE)
            }
        }
    };
    let base_vals = match run("base".into(), base) {
        Ok(v) => v,
        Err(c) => return c,
    };
    let n = base_vals.len();
    let sorted = crate::stats::sorted(&base_vals);
    let base_mean = base_vals.iter().sum::<f64>() / n as f64;
    let (base_cvar, base_cvar_mc) = crate::stats::mcse::cvar95_sorted(&sorted, false);
    let mut results = Vec::new();
    let mut frontier = vec![FrontierPoint {
        label: "base (no package)".into(),
        kind: "base",
        cost: 0.0,
        loss_cvar95: base_cvar,
        loss_mean: base_mean,
        efficient: false,
    }];
    for (k, (lv, vs, scenarios)) in plans.iter().enumerate() {
        let name = packages[k].meta.name.clone();
        // Chart labels: the package's file stem, dropped when there is one package.
        let stem = super::outdir::stem(&args.packages[k], "package");
        let tag = |what: &str| {
            if packages.len() == 1 {
                what.to_string()
            } else {
                format!("{stem}: {what}")
            }
        };
        let mut vals = Vec::new();
        let mut costs = Vec::new();
        for (v, s) in vs.iter().zip(scenarios) {
            match run(
                format!(
                    "{}: {}",
                    super::outdir::stem(&args.packages[k], "package"),
                    v.label
                ),
                s,
            ) {
                Ok(x) => vals.push(x),
                Err(c) => return c,
            }
            costs.push(policy_costs(s, seed, 0, n));
        }
        // Index of each lever's alone and without runs in `vals`.
        let single = lv.len() == 1;
        let idx = |l: usize| -> (usize, usize) {
            if single {
                (0, 1)
            } else {
                (1 + 2 * l, 2 + 2 * l)
            }
        };
        let lever_costs: Vec<Vec<f64>> = lv
            .iter()
            .enumerate()
            .map(|(l, _)| {
                let (a, _) = idx(l);
                costs[a].clone()
            })
            .collect();
        let runs = PackageRuns {
            name: name.clone(),
            file: args.packages[k].to_string_lossy().into_owned(),
            whole: &vals[0],
            whole_cost: &costs[0],
            levers: lv
                .iter()
                .enumerate()
                .map(|(l, lever)| {
                    let (a, w) = idx(l);
                    LeverRuns {
                        name: lever.name.clone(),
                        policies: lever.policies.clone(),
                        alone: &vals[a],
                        without: &vals[w],
                        cost: &lever_costs[l],
                    }
                })
                .collect(),
            uncosted: uncosted(&packages[k]),
        };
        let r = package(&base_vals, &runs);
        frontier.push(point(&stem, "package", &r.whole));
        for (l, lever) in r.levers.iter().enumerate() {
            if !single {
                frontier.push(point(
                    &tag(&format!("{} alone", lever.name)),
                    "lever alone",
                    &lever.alone,
                ));
            }
            let (_, w) = idx(l);
            let wc = costs[w].iter().sum::<f64>() / n as f64;
            let ws = crate::stats::sorted(&vals[w]);
            frontier.push(FrontierPoint {
                label: tag(&format!("without {}", lever.name)),
                kind: "package without a lever",
                cost: wc,
                loss_cvar95: crate::stats::cvar_upper_sorted(&ws, 0.95),
                loss_mean: vals[w].iter().sum::<f64>() / n as f64,
                efficient: false,
            });
        }
        results.push(r);
    }
    rank(&mut results);
    mark_frontier(&mut frontier);
    let portfolio = Portfolio {
        info: PortfolioInfo {
            base_name: base.meta.name.clone(),
            base_file: args.base.to_string_lossy().into_owned(),
            metric: args.metric.clone(),
            seed,
            trials: n,
            horizon: base.meta.horizon,
            period: base.meta.period.name().to_string(),
            base_mean,
            base_cvar95: base_cvar,
            base_cvar95_mc: base_cvar_mc,
        },
        packages: results,
        frontier,
    };
    let staged = stage(&target, args, &portfolio, trials, seed);
    if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
        let _ = writeln!(err, "interrupted: no results written");
        return EXIT_INTERRUPTED;
    }
    match staged.and_then(Staging::commit) {
        Ok(()) => {
            let code = super::term::print(out, &portfolio_table(&portfolio), err)
                .err()
                .unwrap_or(EXIT_OK);
            let _ = writeln!(err, "portfolio written to {}", target.display());
            code
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_OUTPUT
        }
    }
}

fn point(label: &str, kind: &'static str, e: &crate::stats::portfolio::Effect) -> FrontierPoint {
    FrontierPoint {
        label: label.to_string(),
        kind,
        cost: e.cost,
        loss_cvar95: e.loss_cvar95,
        loss_mean: e.loss_mean,
        efficient: false,
    }
}

/// Provenance of a portfolio directory (`run.json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
struct PortfolioRunInfo {
    chokepoint_version: String,
    base_file: String,
    package_files: Vec<String>,
    metric: String,
    seed: u64,
    trials: u64,
    /// A command that reproduces the portfolio (output options left out).
    command: Vec<String>,
    files: Vec<String>,
}

fn stage(
    target: &Path,
    args: &PortfolioArgs,
    p: &Portfolio,
    trials: u64,
    seed: u64,
) -> Result<Staging, OutputError> {
    let staging = Staging::new(target, args.force)?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: &[u8]| {
        files.push(name.to_string());
        staging.write(name, bytes)
    };
    put("portfolio.json", &portfolio_json(p))?;
    put("portfolio.csv", &portfolio_csv(p))?;
    if !args.no_charts {
        let mut inline = Vec::new();
        if let Some(fig) = frontier::figure(&p.info.metric, &p.frontier) {
            let failed = |message: String| OutputError::Io {
                path: target.join("charts").join(frontier::FILE_STEM),
                error: std::io::Error::other(format!(
                    "could not draw the frontier chart: {message}; rerun with --no-charts"
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
            put(&format!("charts/{}.png", frontier::FILE_STEM), &png)?;
            put(
                &format!("charts/{}.svg", frontier::FILE_STEM),
                svg.as_bytes(),
            )?;
            inline.push(InlineChart {
                title: fig.title.clone(),
                caption: fig.caption.clone(),
                svg,
            });
        }
        put(HTML, portfolio_html(p, &inline).as_bytes())?;
    }
    let mut command: Vec<String> = vec![
        "chokepoint".into(),
        "portfolio".into(),
        args.base.to_string_lossy().into_owned(),
    ];
    command.extend(
        args.packages
            .iter()
            .map(|p| p.to_string_lossy().into_owned()),
    );
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
    let info = PortfolioRunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        base_file: args.base.to_string_lossy().into_owned(),
        package_files: args
            .packages
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
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
