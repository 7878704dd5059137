//! `chokepoint merge DIR...`: rebuilds a run from its shards. The shards' per-trial arrays are
//! concatenated in trial order, so the merged directory is byte for byte the one an unsharded run
//! with the same seed and trial count writes.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::outdir::MARKER;
use super::run::{Full, Inputs, Outputs, default_out, reproduce};
use super::term;
use super::{EXIT_INVALID, EXIT_OUTPUT, EXIT_USAGE, MergeArgs};
use crate::report::json::RunInfo;
use crate::report::{exceedance, shard};
use crate::run::RunResults;
use crate::scenario::{self, Scenario};

/// The shards of one run, read and concatenated.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardSet {
    /// `run.json` of the first shard (seed, scenario file, total trials).
    pub info: RunInfo,
    /// The input copies every shard holds (identical across shards).
    pub inputs: Inputs,
    pub results: RunResults,
}

/// Reads shard directories and checks they form one complete run. Errors name the directory and
/// what is wrong.
pub fn read_shards(dirs: &[PathBuf]) -> Result<ShardSet, String> {
    let mut parts = Vec::new();
    let mut first: Option<(RunInfo, Inputs, &Path)> = None;
    for dir in dirs {
        let read = |name: &str| {
            fs::read(dir.join(name)).map_err(|e| {
                format!(
                    "cannot read {}: {e}; pass directories written by `chokepoint run --shard`",
                    dir.join(name).display()
                )
            })
        };
        let info: RunInfo = serde_json::from_slice(&read(MARKER)?)
            .map_err(|e| format!("{}: bad {MARKER}: {e}", dir.display()))?;
        let (header, results) = shard::decode(&read("trials.bin")?)
            .map_err(|e| format!("{}: trials.bin: {e}", dir.display()))?;
        let world = dir.join("world.toml");
        let inputs = Inputs {
            scenario: read("scenario.toml")?,
            world: world.exists().then(|| read("world.toml")).transpose()?,
        };
        match &first {
            None => first = Some((info, inputs, dir)),
            Some((i0, in0, d0)) => {
                if in0 != &inputs || i0.scenario_file != info.scenario_file {
                    return Err(format!(
                        "{} and {} were run from different scenario or world files",
                        d0.display(),
                        dir.display()
                    ));
                }
            }
        }
        parts.push((header, results));
    }
    let (info, inputs, _) = first.ok_or("no shard directories given")?;
    let results = shard::concat(parts)?;
    Ok(ShardSet {
        info,
        inputs,
        results,
    })
}

/// Writes the merged result. `scenario` is the scenario loaded from the shards' `scenario_file`
/// and `current` its files as they are now: they must be the files the shards ran.
pub fn merge_loaded(
    scenario: &Scenario,
    current: &Inputs,
    set: &ShardSet,
    args: &MergeArgs,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if current != &set.inputs {
        let _ = writeln!(
            err,
            "error: {} (or its world file) has changed since the shards were run; restore it or run the shards again",
            set.info.scenario_file
        );
        return EXIT_USAGE;
    }
    if let Err(e) = exceedance::check_names(&args.thresholds, &set.results.metric_names) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_USAGE;
    }
    let scenario_file = Path::new(&set.info.scenario_file);
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(scenario_file, None));
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let total = set.results.trials as u64;
    let info = RunInfo {
        trials: total,
        first_trial: 0,
        total_trials: total,
        command: reproduce(
            scenario_file,
            total,
            set.results.seed,
            None,
            args.trials_csv,
            args.no_charts,
            &args.thresholds,
        ),
        files: Vec::new(),
        ..set.info.clone()
    };
    let outputs = Outputs {
        target: &target,
        force: args.force,
        stop,
    };
    let what = Full {
        scenario,
        results: &set.results,
        trials_csv: args.trials_csv,
        charts: !args.no_charts,
        thresholds: &args.thresholds,
    };
    outputs.write_full(&set.inputs, info, &what, out, err)
}

/// `chokepoint merge`: read the shards, reload their scenario, write the merged result.
pub fn execute(args: &MergeArgs) -> i32 {
    let mut err = term::stderr();
    let set = match read_shards(&args.dirs) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let color = super::check::use_color(std::io::stderr().is_terminal());
    let file = Path::new(&set.info.scenario_file);
    if let Err(why) = scenario::readable(file) {
        let _ = writeln!(
            err,
            "error: {why}; it is the scenario the shards ran: run merge from the directory the shards were run from"
        );
        return EXIT_USAGE;
    }
    let loaded = match scenario::load(file) {
        Ok(l) => l,
        Err(e) => {
            // Diagnostics escape their own text and may carry colour codes: write them as is.
            let _ = write!(std::io::stderr(), "{}", e.render(color));
            let _ = writeln!(err, "error: {} is invalid", file.display());
            return EXIT_INVALID;
        }
    };
    let _ = write!(
        std::io::stderr(),
        "{}",
        scenario::render_all(&loaded.warnings, color)
    );
    let current = match Inputs::read(&loaded.scenario.meta) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    merge_loaded(
        &loaded.scenario,
        &current,
        &set,
        args,
        super::interrupt::stop_flag(),
        // Unlocked handles: the progress bar writes to stderr from worker threads, so holding
        // the stderr lock here for the whole run would deadlock on a terminal.
        &mut term::stdout(),
        &mut err,
    )
}
