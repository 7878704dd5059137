//! `chokepoint run`: load, run with a progress bar, write the result directory atomically, print
//! the summary table.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::outdir::{OutputError, Staging};
use super::{EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, RunArgs};
use crate::report::json::{RunInfo, run_json, summary_json};
use crate::report::{Summaries, csv, table};
use crate::run::{RunError, RunOptions, RunResults};
use crate::scenario::{Meta, Scenario};

/// The simulation entry point, `run::run` in production; tests pass their own.
pub type Runner<'a> = &'a dyn Fn(
    &Scenario,
    &RunOptions,
    &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError>;

/// The input files as read for the run, copied into the result directory for provenance.
#[derive(Debug, Clone, PartialEq)]
pub struct Inputs {
    pub scenario: Vec<u8>,
    pub world: Option<Vec<u8>>,
}

impl Inputs {
    /// Reads the scenario file and its world file (as resolved by the loader).
    pub fn read(meta: &Meta) -> Result<Self, OutputError> {
        let read = |p: &Path| {
            std::fs::read(p).map_err(|error| OutputError::Io {
                path: p.to_path_buf(),
                error,
            })
        };
        Ok(Inputs {
            scenario: read(&meta.file)?,
            world: meta.world_file.as_deref().map(read).transpose()?,
        })
    }
}

/// Default output directory: `results/<scenario file stem>/`.
pub fn default_out(scenario_file: &Path) -> PathBuf {
    let stem = scenario_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "run".into());
    Path::new("results").join(stem)
}

/// Everything after loading: checks the output, runs, writes, prints. Returns the exit code.
/// Messages go to `err`, the summary table to `out`.
pub fn run_loaded(
    scenario: &Scenario,
    inputs: &Inputs,
    args: &RunArgs,
    runner: Runner<'_>,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let meta = &scenario.meta;
    let trials = args.trials.unwrap_or(meta.trials);
    let seed = args.seed.unwrap_or(meta.seed);
    if trials == 0 {
        let _ = writeln!(err, "error: --trials must be at least 1");
        return EXIT_USAGE;
    }
    if args.threads == Some(0) {
        let _ = writeln!(
            err,
            "error: --threads must be at least 1 (omit it to use all cores)"
        );
        return EXIT_USAGE;
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario));
    // Refuse before spending time on the run; checked again when moving results into place.
    if let Err(e) = super::outdir::check_target(&target, args.force) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }

    let opts = RunOptions {
        trials,
        seed,
        first_trial: 0,
        threads: args.threads,
    };
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {human_pos}/{human_len} trials  {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    let stopped = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    let progress = |done: u64, _total: u64| {
        bar.set_position(done);
        !stopped()
    };
    let results = runner(scenario, &opts, &progress);
    bar.finish_and_clear();
    let results = match results {
        Ok(r) => r,
        Err(RunError::Cancelled) => return interrupted(err),
        Err(RunError::Resources(m)) => {
            let _ = writeln!(err, "error: {m}; run fewer --trials or fewer --threads");
            return EXIT_USAGE;
        }
    };

    let sums = Summaries::compute(&results);
    let info = RunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: meta.file.to_string_lossy().into_owned(),
        world_file: meta
            .world_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        seed,
        trials,
        first_trial: 0,
        total_trials: trials,
        command: reproduce(args, trials, seed),
        files: Vec::new(),
    };
    let write = || -> Result<Staging, OutputError> {
        let staging = Staging::new(&target, args.force)?;
        let mut info = info.clone();
        let mut put = |name: &str, bytes: &[u8]| {
            info.files.push(name.to_string());
            staging.write(name, bytes)
        };
        put(
            "summary.json",
            summary_json(meta, &results, &sums).as_bytes(),
        )?;
        put("metrics.csv", &csv::metrics_csv(&results, &sums))?;
        put("series.csv", &csv::series_csv(meta, &results, &sums))?;
        if args.trials_csv {
            put("trials.csv", &csv::trials_csv(&results))?;
        }
        put("scenario.toml", &inputs.scenario)?;
        if let Some(world) = &inputs.world {
            put("world.toml", world)?;
        }
        info.files.push(super::outdir::MARKER.into());
        staging.write(super::outdir::MARKER, run_json(&info).as_bytes())?;
        Ok(staging)
    };
    let staging = match write() {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_OUTPUT;
        }
    };
    if stopped() {
        // Dropping `staging` removes it; nothing reaches the target.
        return interrupted(err);
    }
    if let Err(e) = staging.commit() {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let _ = out.write_all(table::summary_table(scenario, &results, &sums).as_bytes());
    let _ = writeln!(err, "results written to {}", target.display());
    EXIT_OK
}

fn interrupted(err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "interrupted: no results written");
    EXIT_INTERRUPTED
}

/// The command line that reproduces a run: resolved trials and seed, options that change the
/// files written; not `--threads` (results do not depend on it) nor output placement.
fn reproduce(args: &RunArgs, trials: u64, seed: u64) -> Vec<String> {
    let mut c: Vec<String> = vec![
        "chokepoint".into(),
        "run".into(),
        args.scenario.to_string_lossy().into_owned(),
        "--trials".into(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    if args.trials_csv {
        c.push("--trials-csv".into());
    }
    if args.no_charts {
        c.push("--no-charts".into());
    }
    c
}
