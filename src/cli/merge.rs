//! `chokepoint merge DIR...`: rebuilds a run from its shards. Exact shards' per-trial arrays are
//! concatenated in trial order; streamed shards' statistics are merged one shard at a time. Either
//! way the merged directory is byte for byte the one an unsharded run with the same seed and trial
//! count writes. The scenario is reloaded from the copies in the shards, so merge runs anywhere.

use std::fs;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use super::outdir::MARKER;
use super::run::{Full, Inputs, Outputs, Streamed, Timing, default_out, reproduce};
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
        check_against_copies(dir, &bin, &info, &inputs, &header)?;
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
                let why = shard::mismatch(h0, &header)
                    .or_else(|| (i0.design != info.design).then(|| different_designs(i0, &info)));
                if let Some(why) = why {
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
    let mut command = reproduce(
        scenario_file,
        total,
        set.results.seed,
        None,
        args.trials_csv,
        args.no_charts,
        &args.thresholds,
    );
    if let Some(d) = &set.info.design {
        command.extend(["--design".into(), d.clone()]);
    }
    let info = RunInfo {
        trials: total,
        first_trial: 0,
        total_trials: total,
        command,
        files: Vec::new(),
        precision: None,
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
        trials_parquet: false,
        charts: !args.no_charts,
        thresholds: &args.thresholds,
    };
    outputs.write_full(&set.inputs, info, &what, out, err)
}

/// `chokepoint merge`: read the shards, reload their scenario from the copies they hold (so merge
/// works from any directory), write the merged result.
pub fn execute(args: &MergeArgs) -> i32 {
    let mut err = term::stderr();
    let color = super::check::use_color(std::io::stderr().is_terminal());
    if args
        .dirs
        .first()
        .is_some_and(|d| d.join(shard::SUMMARIES_FILE).is_file())
    {
        return merge_streamed(args, color, &mut term::stdout(), &mut err);
    }
    let set = match read_shards(&args.dirs) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let scenario = match load_copies(&set.info, &set.inputs, color, &mut err) {
        Ok(s) => s,
        Err(code) => return code,
    };
    if let Err(e) = check_model(&Model::compile(&scenario), &set) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_USAGE;
    }
    merge_loaded(
        &scenario,
        &set.inputs,
        &set,
        args,
        super::interrupt::stop_flag(),
        &mut term::stdout(),
        &mut err,
    )
}

/// Loads the scenario the shards ran from the copies they hold, under its original path (so the
/// merged files name it as the unsharded run does).
pub fn load_copies(
    info: &RunInfo,
    inputs: &Inputs,
    color: bool,
    err: &mut dyn Write,
) -> Result<Scenario, i32> {
    let text = |b: &[u8], what: &str, err: &mut dyn Write| {
        String::from_utf8(b.to_vec()).map_err(|_| {
            let _ = writeln!(err, "error: the shards' {what} copy is not UTF-8 text");
            EXIT_USAGE
        })
    };
    let scenario_text = text(&inputs.scenario, "scenario.toml", err)?;
    let world_text = match &inputs.world {
        Some(w) => Some(text(w, "world.toml", err)?),
        None => None,
    };
    let file = Path::new(&info.scenario_file);
    match scenario::load_with_world(&scenario_text, file, world_text.as_deref()) {
        Ok(l) => {
            let _ = write!(
                std::io::stderr(),
                "{}",
                scenario::render_all(&l.warnings, color)
            );
            Ok(l.scenario)
        }
        Err(e) => {
            // Diagnostics escape their own text and may carry colour codes: write them as is.
            let _ = write!(std::io::stderr(), "{}", e.render(color));
            let _ = writeln!(
                err,
                "error: the scenario copied into the shards ({}) is invalid",
                file.display()
            );
            Err(EXIT_INVALID)
        }
    }
}

/// One streamed shard, checked: its directory, header, run.json and input copies.
struct SummaryShard {
    dir: PathBuf,
    header: shard::SummaryHeader,
    info: RunInfo,
    inputs: Inputs,
}

fn read_summary_shard(dir: &Path) -> Result<SummaryShard, String> {
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
    let bin = dir.join(shard::SUMMARIES_FILE);
    let bytes = read(shard::SUMMARIES_FILE)?;
    let (header, _) =
        shard::summaries_header(&bytes).map_err(|e| format!("{}: {e}", bin.display()))?;
    let world = dir.join("world.toml");
    let inputs = Inputs {
        scenario: read("scenario.toml")?,
        world: world.exists().then(|| read("world.toml")).transpose()?,
    };
    check_against_copies(dir, &bin, &info, &inputs, &header.shard)?;
    Ok(SummaryShard {
        dir: dir.to_path_buf(),
        header,
        info,
        inputs,
    })
}

/// Merges streamed shards (`summaries.bin`): checks every header first (one run, same versions,
/// every trial once), then folds the shards' statistics one shard at a time, so memory does not
/// grow with the number of shards.
fn merge_streamed(args: &MergeArgs, color: bool, out: &mut dyn Write, err: &mut dyn Write) -> i32 {
    let started = std::time::Instant::now();
    let refuse = |err: &mut dyn Write, e: String| {
        let _ = writeln!(err, "error: {e}");
        EXIT_USAGE
    };
    let mut shards = Vec::new();
    for dir in &args.dirs {
        match read_summary_shard(dir) {
            Ok(s) => shards.push(s),
            Err(e) => return refuse(err, e),
        }
    }
    let first = &shards[0];
    for s in &shards[1..] {
        if s.inputs != first.inputs || s.info.scenario_file != first.info.scenario_file {
            return refuse(
                err,
                format!(
                    "{} and {} were run from different scenario or world files",
                    first.dir.display(),
                    s.dir.display()
                ),
            );
        }
        let why = shard::mismatch(&first.header.shard, &s.header.shard).or_else(|| {
            (s.header.thresholds != first.header.thresholds)
                .then(|| "different --threshold lists".to_string())
                .or_else(|| {
                    (s.info.design != first.info.design)
                        .then(|| different_designs(&first.info, &s.info))
                })
        });
        if let Some(why) = why {
            return refuse(
                err,
                format!(
                    "{} and {} come from different runs: {why}",
                    first.dir.display(),
                    s.dir.display()
                ),
            );
        }
    }
    let (ours, engine) = (env!("CARGO_PKG_VERSION"), crate::engine::ENGINE_VERSION);
    let h0 = &first.header.shard;
    if h0.chokepoint_version != ours || h0.engine_version != engine {
        return refuse(
            err,
            format!(
                "{} was run by chokepoint {} (engine {}), this is chokepoint {ours} (engine \
                 {engine}): merge with the release that ran the shards",
                first.dir.display(),
                h0.chokepoint_version,
                h0.engine_version
            ),
        );
    }
    shards.sort_by_key(|s| s.header.shard.first_trial);
    let mut next = 0u64;
    for s in &shards {
        let h = &s.header.shard;
        if h.first_trial != next {
            return refuse(
                err,
                if h.first_trial < next {
                    format!(
                        "trials from {} are given twice ({})",
                        h.first_trial,
                        s.dir.display()
                    )
                } else {
                    format!("trials {next}..{} are missing", h.first_trial)
                },
            );
        }
        next = match h.first_trial.checked_add(h.trials) {
            Some(n) if n <= h.total_trials => n,
            _ => {
                return refuse(
                    err,
                    format!(
                        "{}: the shard claims trials past the run's end",
                        s.dir.display()
                    ),
                );
            }
        };
    }
    let total = shards[0].header.shard.total_trials;
    if next != total {
        return refuse(err, format!("trials {next}..{total} are missing"));
    }
    let wanted: Vec<(String, u64)> = args
        .thresholds
        .iter()
        .map(|t| (t.metric.clone(), t.value.to_bits()))
        .collect();
    if !wanted.is_empty() && wanted != shards[0].header.thresholds {
        return refuse(
            err,
            "streamed shards keep no per-trial values, so merge can only report the thresholds \
             the shards counted: run the shards with the same --threshold options"
                .into(),
        );
    }
    // Fold one shard at a time, in trial order.
    let mut acc: Option<crate::stats::stream::Accumulator> = None;
    for s in &shards {
        let bin = s.dir.join(shard::SUMMARIES_FILE);
        let part = fs::read(&bin)
            .map_err(|e| format!("cannot read {}: {e}", bin.display()))
            .and_then(|b| {
                shard::decode_summaries(&b)
                    .map(|(_, a)| a)
                    .map_err(|e| format!("{}: {e}", bin.display()))
            });
        let part = match part {
            Ok(p) => p,
            Err(e) => return refuse(err, e),
        };
        match &mut acc {
            None => acc = Some(part),
            Some(a) => {
                if let Err(e) = a.merge(&part) {
                    return refuse(err, format!("{}: {e}", bin.display()));
                }
            }
        }
    }
    let acc = acc.expect("at least one shard");
    let (info0, inputs) = (shards[0].info.clone(), shards[0].inputs.clone());
    let scenario = match load_copies(&info0, &inputs, color, err) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let model = Model::compile(&scenario);
    if model.horizon != acc.horizon
        || model.names.metrics != acc.metric_names
        || model.names.params != acc.param_paths
        || model.names.series != acc.series_names
    {
        return refuse(
            err,
            format!(
                "the shards' names or horizon are not those of {}: the shard files were altered",
                info0.scenario_file
            ),
        );
    }
    let scenario_file = Path::new(&info0.scenario_file);
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(scenario_file, None));
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let mut command = reproduce(
        scenario_file,
        total,
        acc.seed,
        None,
        args.trials_csv,
        args.no_charts,
        &args.thresholds,
    );
    // In the order `run` writes them: the design, then `--streaming`.
    if let Some(d) = &info0.design {
        command.extend(["--design".into(), d.clone()]);
    }
    if info0.command.iter().any(|c| c == "--streaming") {
        command.push("--streaming".into());
    }
    let info = RunInfo {
        trials: total,
        first_trial: 0,
        total_trials: total,
        command,
        files: Vec::new(),
        precision: None,
        ..info0
    };
    let outputs = Outputs {
        target: &target,
        force: args.force,
        stop: super::interrupt::stop_flag(),
    };
    let staging = match super::outdir::Staging::new(&target, args.force) {
        Ok(s) => s,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_OUTPUT;
        }
    };
    if args.trials_csv {
        let dirs: Vec<&Path> = shards.iter().map(|s| s.dir.as_path()).collect();
        if let Err(e) = concat_trials_csv(&dirs, &staging.path().join("trials.csv")) {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    }
    let what = Streamed {
        scenario: &scenario,
        acc: &acc,
        trials_csv: args.trials_csv,
        charts: !args.no_charts,
        timing: Timing::since(started, total),
    };
    outputs.write_streamed(staging, &inputs, info, &what, out, err)
}

/// Concatenates the shards' `trials.csv` (in trial order) into `to`: the first header, then every
/// shard's rows, streamed.
fn concat_trials_csv(dirs: &[&Path], to: &Path) -> Result<(), String> {
    use std::io::BufRead;
    let out = fs::File::create(to).map_err(|e| format!("cannot write {}: {e}", to.display()))?;
    let mut w = std::io::BufWriter::new(out);
    let mut header: Option<Vec<u8>> = None;
    for d in dirs {
        let p = d.join("trials.csv");
        let f = fs::File::open(&p).map_err(|e| {
            format!(
                "cannot read {}: {e}; --trials-csv needs shards run with --trials-csv",
                p.display()
            )
        })?;
        let mut r = std::io::BufReader::new(f);
        let mut first = Vec::new();
        r.read_until(b'\n', &mut first)
            .map_err(|e| format!("cannot read {}: {e}", p.display()))?;
        match &header {
            None => {
                w.write_all(&first)
                    .map_err(|e| format!("cannot write {}: {e}", to.display()))?;
                header = Some(first);
            }
            Some(h) if *h != first => {
                return Err(format!(
                    "{}: its header differs from the first shard's",
                    p.display()
                ));
            }
            Some(_) => {}
        }
        std::io::copy(&mut r, &mut w).map_err(|e| format!("cannot copy {}: {e}", p.display()))?;
    }
    w.flush()
        .map_err(|e| format!("cannot write {}: {e}", to.display()))
}

/// Why two shards on different sampling designs (`--design`) cannot merge.
fn different_designs(a: &RunInfo, b: &RunInfo) -> String {
    let name = |i: &RunInfo| i.design.clone().unwrap_or_else(|| "mc".into());
    format!(
        "different sampling designs (--design {} and --design {})",
        name(a),
        name(b)
    )
}

/// A shard's header against the copies beside it: the scenario digest and the seed and trial
/// range `run.json` records (both kinds of shard, `trials.bin` and `summaries.bin`).
fn check_against_copies(
    dir: &Path,
    bin: &Path,
    info: &RunInfo,
    inputs: &Inputs,
    h: &shard::ShardHeader,
) -> Result<(), String> {
    let digest = shard::scenario_digest(&inputs.scenario, inputs.world.as_deref());
    if digest != h.scenario_digest {
        return Err(format!(
            "{}: its scenario digest {:016x} does not match the scenario and world copies in {} \
             (digest {digest:016x}): the shard directory was altered",
            bin.display(),
            h.scenario_digest,
            dir.display()
        ));
    }
    if info.seed != h.seed
        || info.first_trial != h.first_trial
        || info.trials != h.trials
        || info.total_trials != h.total_trials
    {
        return Err(format!(
            "{} and {} disagree on the seed or the trials of the shard",
            dir.join(MARKER).display(),
            bin.display()
        ));
    }
    Ok(())
}
