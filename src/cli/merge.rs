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
use crate::model::Model;
use crate::report::exceedance;
use crate::report::json::RunInfo;
use crate::report::shard::{self, ShardHeader};
use crate::run::{RunResults, memory};
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

/// Reads shard directories and checks they form one complete run of this chokepoint: versions,
/// scenario digest (recomputed from each directory's input copies), seed, sizes and names agree,
/// and the trial ranges cover the run exactly once. Errors name the directory and what is wrong.
pub fn read_shards(dirs: &[PathBuf]) -> Result<ShardSet, String> {
    let mut parts = Vec::new();
    let mut first: Option<(RunInfo, Inputs, ShardHeader, &Path)> = None;
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
        let bin = dir.join("trials.bin");
        let (header, results) =
            shard::decode(&read("trials.bin")?).map_err(|e| format!("{}: {e}", bin.display()))?;
        let world = dir.join("world.toml");
        let inputs = Inputs {
            scenario: read("scenario.toml")?,
            world: world.exists().then(|| read("world.toml")).transpose()?,
        };
        let digest = shard::scenario_digest(&inputs.scenario, inputs.world.as_deref());
        if digest != header.scenario_digest {
            return Err(format!(
                "{}: its scenario digest {:016x} does not match the scenario and world copies in \
                 {} (digest {digest:016x}): the shard directory was altered",
                bin.display(),
                header.scenario_digest,
                dir.display()
            ));
        }
        if info.seed != header.seed
            || info.first_trial != header.first_trial
            || info.trials != header.trials
            || info.total_trials != header.total_trials
        {
            return Err(format!(
                "{} and {} disagree on the seed or the trials of the shard",
                dir.join(MARKER).display(),
                bin.display()
            ));
        }
        match &first {
            None => first = Some((info, inputs, header.clone(), dir)),
            Some((i0, in0, h0, d0)) => {
                if in0 != &inputs || i0.scenario_file != info.scenario_file {
                    return Err(format!(
                        "{} and {} were run from different scenario or world files",
                        d0.display(),
                        dir.display()
                    ));
                }
                if let Some(why) = shard::mismatch(h0, &header) {
                    return Err(format!(
                        "{} and {} come from different runs: {why}",
                        d0.display(),
                        dir.display()
                    ));
                }
            }
        }
        parts.push((header, results));
    }
    let (info, inputs, h0, d0) = first.ok_or("no shard directories given")?;
    let (ours, engine) = (env!("CARGO_PKG_VERSION"), crate::engine::ENGINE_VERSION);
    if h0.chokepoint_version != ours || h0.engine_version != engine {
        return Err(format!(
            "{} was run by chokepoint {} (engine {}), this is chokepoint {ours} (engine {engine}): \
             merge with the release that ran the shards",
            d0.display(),
            h0.chokepoint_version,
            h0.engine_version
        ));
    }
    let bytes = memory::result_bytes(
        h0.total_trials,
        h0.metric_names.len(),
        h0.param_paths.len(),
        h0.series_names.len(),
        h0.horizon,
    );
    if bytes > memory::MAX_RESULT_BYTES {
        return Err(format!(
            "the merged run of {} trials needs {:.1} GiB for per-trial results (limit {} GiB)",
            h0.total_trials,
            bytes as f64 / (1u64 << 30) as f64,
            memory::MAX_RESULT_BYTES >> 30
        ));
    }
    let results = shard::concat(parts)?;
    Ok(ShardSet {
        info,
        inputs,
        results,
    })
}

/// Checks that `model`, compiled from the scenario the shards ran, produces the horizon, metric
/// names, parameter paths and series names the shards hold, so headers edited consistently in
/// every shard are still refused.
pub fn check_model(model: &Model, set: &ShardSet) -> Result<(), String> {
    let (r, file) = (&set.results, &set.info.scenario_file);
    if model.horizon != r.horizon {
        return Err(format!(
            "the shards hold {} periods, but {file} runs {}: the shard files were altered",
            r.horizon, model.horizon
        ));
    }
    let lists = [
        ("metric names", &model.names.metrics, &r.metric_names),
        ("parameter paths", &model.names.params, &r.param_paths),
        ("series names", &model.names.series, &r.series_names),
    ];
    for (what, want, got) in lists {
        if want != got {
            return Err(format!(
                "the shards' {what} are not those of {file} ({}): the shard files were altered",
                shard::first_difference(want, got)
            ));
        }
    }
    Ok(())
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
    if current == set.inputs {
        // (A changed file is reported by `merge_loaded`.)
        if let Err(e) = check_model(&Model::compile(&loaded.scenario), &set) {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    }
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
