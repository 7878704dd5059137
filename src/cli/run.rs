//! `chokepoint run`: load, run with a progress bar, write the result directory atomically, print
//! the summary table. With `--shard I/N` (or `auto`, from a scheduler's environment) it runs only
//! the I-th of N slices of the trials and writes them for `chokepoint merge`: per-trial arrays for
//! an exact run, streamed statistics (`summaries.bin`) for a streamed one (`choose_stats`).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::outdir::{MARKER, OutputError, Staging};
use super::term;
use super::{EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, RunArgs};
use crate::model::{Model, names::OutputNames};
use crate::report::exceedance::{self, Threshold};
use crate::report::json::{RunInfo, run_json, summary_json};
use crate::report::view::{Exact, RunView, Sketched};
use crate::report::{Summaries, charts, csv, html, parquet, shard, table};
use crate::run::{RunError, RunOptions, RunResults};
use crate::scenario::{self, Meta, Scenario};
use crate::stats::stream::Accumulator;

/// The simulation entry point, `run::run` in production; tests pass their own.
pub type Runner<'a> = &'a dyn Fn(
    &Scenario,
    &RunOptions,
    &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError>;

/// `--shard I/N`: the I-th (1-based) of N contiguous slices of the trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Shard::from_spec(s, &|k| std::env::var(k).ok())
    }
}

impl Shard {
    /// Parses `I/N`, or resolves `auto` (a Slurm job array: `SLURM_ARRAY_TASK_ID`,
    /// `SLURM_ARRAY_TASK_COUNT`, `SLURM_ARRAY_TASK_MIN`) and `auto/N` (a Kubernetes Indexed Job:
    /// the 0-based `JOB_COMPLETION_INDEX`, N shards) from the environment `env`.
    pub fn from_spec(s: &str, env: &dyn Fn(&str) -> Option<String>) -> Result<Self, String> {
        let bad = || {
            format!(
                "expected I/N with 1 <= I <= N (such as 2/8), `auto` (a Slurm array) or `auto/N` \
                 (a Kubernetes Indexed Job), not `{s}`"
            )
        };
        let var = |k: &str| -> Result<Option<u64>, String> {
            match env(k) {
                None => Ok(None),
                Some(v) => v
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| format!("--shard {s}: {k} is `{v}`, not a whole number")),
            }
        };
        let check = |index: u64, count: u64, from: &str| {
            if index == 0 || index > count {
                Err(format!(
                    "--shard {s}: {from} gives shard {index} of {count}, outside 1..={count}"
                ))
            } else {
                Ok(Shard { index, count })
            }
        };
        if s.trim() == "auto" {
            let (Some(id), Some(count)) =
                (var("SLURM_ARRAY_TASK_ID")?, var("SLURM_ARRAY_TASK_COUNT")?)
            else {
                return Err(
                    "--shard auto reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT, \
                            set by `sbatch --array`, and they are not both set; on Kubernetes \
                            use --shard auto/N (JOB_COMPLETION_INDEX), elsewhere --shard I/N"
                        .into(),
                );
            };
            let min = var("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
            let Some(offset) = id.checked_sub(min) else {
                return Err(format!(
                    "--shard auto: SLURM_ARRAY_TASK_ID {id} is below SLURM_ARRAY_TASK_MIN {min}"
                ));
            };
            return check(offset + 1, count, "the Slurm array (ID - MIN + 1 of COUNT)");
        }
        if let Some(n) = s.trim().strip_prefix("auto/") {
            let count: u64 = n.trim().parse().map_err(|_| bad())?;
            let Some(index) = var("JOB_COMPLETION_INDEX")? else {
                return Err(format!(
                    "--shard {s} reads JOB_COMPLETION_INDEX, set by a Kubernetes Indexed Job, \
                     and it is not set; use --shard I/N elsewhere"
                ));
            };
            return check(index + 1, count, "JOB_COMPLETION_INDEX (0-based) + 1");
        }
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// `(first trial, number of trials)` of this slice of `total` trials. Slices differ in size by
    /// at most one and together cover every trial once.
    pub fn range(self, total: u64) -> (u64, u64) {
        let at = |k: u64| (u128::from(k) * u128::from(total) / u128::from(self.count)) as u64;
        let first = at(self.index - 1);
        (first, at(self.index) - first)
    }
}

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

/// Default output directory: `results/<scenario file stem>/`, or
/// `results/<stem>-shard-<I>-of-<N>/` for a shard.
pub fn default_out(scenario_file: &Path, shard: Option<Shard>) -> PathBuf {
    let stem = super::outdir::stem(scenario_file, "run");
    let name = match shard {
        Some(s) => format!("{stem}-shard-{}-of-{}", s.index, s.count),
        None => stem,
    };
    Path::new("results").join(name)
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
    let total = args.trials.unwrap_or(meta.trials);
    let seed = args.seed.unwrap_or(meta.seed);
    if let Err(code) = super::check_counts(total, args.threads, err) {
        return code;
    }
    let (first_trial, trials) = args.shard.map_or((0, total), |s| s.range(total));
    if trials == 0 {
        let _ = writeln!(
            err,
            "error: shard {} of {} holds no trials: use at most {total} shards",
            args.shard.map_or(0, |s| s.index),
            args.shard.map_or(0, |s| s.count)
        );
        return EXIT_USAGE;
    }
    let mut rule = None;
    if !args.precision.is_empty() {
        if args.shard.is_some() {
            let _ = writeln!(
                err,
                "error: --precision cannot be used with --shard: the stop depends on every trial \
                 run so far, which one shard does not see, so shards would stop at different \
                 points and not add up to one run; run without --shard (the stop rule bounds \
                 the trials instead), or shard a fixed --trials"
            );
            return EXIT_USAGE;
        }
        let names = OutputNames::build(scenario, &Model::compile(scenario));
        match crate::run::precision::Rule::new(&args.precision, &names.metrics) {
            Ok(r) => rule = Some(r),
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return EXIT_USAGE;
            }
        }
    }
    if !args.thresholds.is_empty() {
        // Name problems before spending time on the run.
        let names = OutputNames::build(scenario, &Model::compile(scenario));
        if let Err(e) = exceedance::check_names(&args.thresholds, &names.metrics) {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario, args.shard));
    // Refuse before spending time on the run; checked again when moving results into place.
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }

    let opts = RunOptions {
        trials,
        seed,
        first_trial,
        threads: args.threads,
    };
    let mut model = Model::compile(scenario);
    if let Err(m) = args.design.apply(&mut model, total) {
        let _ = writeln!(err, "error: {m}");
        return EXIT_USAGE;
    }
    let stats = match choose_stats(scenario, &model, total, trials, &args.scale) {
        Ok(s) => s,
        Err(m) => {
            let _ = writeln!(err, "error: {m}");
            return EXIT_USAGE;
        }
    };
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{human_pos}/{human_len} trials {wide_bar} {per_sec}, {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    let stopped = || stop.is_some_and(|s| s.load(Ordering::SeqCst));
    // Chunks finish on several threads, so reports can arrive out of order: show the furthest.
    let furthest = AtomicU64::new(0);
    let progress = |done: u64, _total: u64| {
        bar.set_position(furthest.fetch_max(done, Ordering::Relaxed).max(done));
        !stopped()
    };
    let mut info = RunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: meta.file.to_string_lossy().into_owned(),
        world_file: meta
            .world_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        seed,
        trials,
        first_trial,
        total_trials: total,
        command: super::with_set(
            reproduce(
                &args.scenario,
                total,
                seed,
                args.shard,
                args.trials_csv,
                args.no_charts,
                &args.thresholds,
            ),
            &args.set,
        ),
        files: Vec::new(),
        precision: None,
        design: None,
    };
    if args.design != crate::run::DesignKind::Mc {
        info.design = Some(args.design.name().into());
        info.command.push("--design".into());
        info.command.push(args.design.name().into());
    }
    for t in &args.precision {
        info.command.push("--precision".into());
        info.command.push(format!("{}={}", t.metric, t.rel));
    }
    let outputs = Outputs {
        target: &target,
        force: args.force,
        stop,
    };
    if args.trials_parquet {
        if let Some(why) = parquet_refused(stats, args.shard.is_some()) {
            let _ = writeln!(err, "error: --trials-parquet {why}");
            return EXIT_USAGE;
        }
        info.command.push("--trials-parquet".into());
    }
    let started = Instant::now();
    if stats == Stats::Streaming {
        if args.scale.streaming {
            info.command.push("--streaming".into());
        }
        let streamed = outputs.stream_run(&model, &opts, args, &progress, rule.as_mut(), err);
        bar.finish_and_clear();
        let (staging, acc, csv) = match streamed {
            Ok(x) => x,
            Err(code) => return code,
        };
        if let Some(r) = &rule {
            stopped_by(&mut info, r.record(total), err);
        }
        let timing = Timing::since(started, acc.trials);
        return match args.shard {
            Some(_) => outputs.write_summary_shard(staging, inputs, info, &acc, csv, timing, err),
            None => {
                let what = Streamed {
                    scenario,
                    acc: &acc,
                    trials_csv: csv,
                    charts: !args.no_charts,
                    timing,
                };
                outputs.write_streamed(staging, inputs, info, &what, out, err)
            }
        };
    }
    let results = match rule.as_mut() {
        None => runner(scenario, &opts, &progress),
        Some(r) => run_blocks(scenario, &opts, runner, &progress, r),
    };
    bar.finish_and_clear();
    let results = match results {
        Ok(r) => r,
        Err(RunError::Cancelled) => return interrupted(err),
        Err(RunError::Resources(m)) => {
            // The runner's message says what to change (fewer trials, shards).
            let _ = writeln!(err, "error: {m}");
            return EXIT_USAGE;
        }
    };
    if let Some(r) = &rule {
        stopped_by(&mut info, r.record(total), err);
    }
    Timing::since(started, results.trials as u64).report(err);
    match args.shard {
        Some(_) => outputs.write_shard(inputs, info, &results, err),
        None => {
            let what = Full {
                scenario,
                results: &results,
                trials_csv: args.trials_csv,
                trials_parquet: args.trials_parquet,
                charts: !args.no_charts,
                thresholds: &args.thresholds,
            };
            outputs.write_full(inputs, info, &what, out, err)
        }
    }
}

/// An exact `--precision` run: blocks of `precision::BLOCK` trials, each by `runner`, folded
/// into the stop rule in trial order, until the rule is met or `opts.trials` have run; the blocks
/// are concatenated into the results of the trials run (those of an unstopped run's prefix).
fn run_blocks(
    scenario: &Scenario,
    opts: &RunOptions,
    runner: Runner<'_>,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
    rule: &mut crate::run::precision::Rule,
) -> Result<RunResults, RunError> {
    let mut blocks = Vec::new();
    let mut done = 0u64;
    while done < opts.trials {
        let len = crate::run::precision::BLOCK.min(opts.trials - done);
        let block_opts = RunOptions {
            trials: len,
            first_trial: opts.first_trial + done,
            ..opts.clone()
        };
        let before = done;
        let block = runner(scenario, &block_opts, &|d, _| {
            progress(before + d, opts.trials)
        })?;
        rule.observe(&block);
        blocks.push(block);
        done += len;
        if rule.met() {
            break;
        }
    }
    crate::run::try_merge(blocks).map_err(RunError::Resources)
}

/// Records how a `--precision` run stopped in `run.json` (the trials it ran) and says it.
fn stopped_by(info: &mut RunInfo, record: crate::run::precision::Record, err: &mut dyn Write) {
    info.trials = record.trials_run;
    info.total_trials = record.trials_run;
    let _ = write!(err, "{}", record.lines());
    info.precision = Some(record);
}

/// Why `--trials-parquet` cannot be honoured, if it cannot: the file is written from a complete
/// run's results, which a streamed run or a shard never holds (`docs/outputs.md`).
fn parquet_refused(stats: Stats, shard: bool) -> Option<&'static str> {
    if shard {
        Some(
            "needs an unsharded run (merge writes trials.csv only); drop --shard or --trials-parquet",
        )
    } else if stats == Stats::Streaming {
        Some("needs exact statistics, and this run streams them; use --trials-csv, or fewer trials")
    } else {
        None
    }
}

/// Whether a run keeps every trial (exact statistics) or streams them into bounded-memory
/// statistics (`docs/outputs.md`, "Exact and streamed statistics").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stats {
    Exact,
    Streaming,
}

/// Largest per-trial result estimate (`scenario::limits::memory_estimate` of the whole run) for
/// which a run keeps every trial unless told otherwise: every shipped scenario at its own
/// `trials` stays exact (the flagship's 10 000 trials are estimated at 1.4 GiB and peak at about
/// 430 MiB; the estimate is deliberately generous).
pub const EXACT_AUTO_BYTES: u64 = 4 << 30;

fn gib(bytes: u128) -> String {
    format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64)
}

/// Chooses exact or streamed statistics for a run of `total` trials of which this process runs
/// `trials`, and checks the choice fits in the memory limit (`--memory`, default 12 GiB). The
/// choice depends on the whole run, not the shard, so every shard of a run makes the same one.
pub fn choose_stats(
    scenario: &Scenario,
    model: &Model,
    total: u64,
    trials: u64,
    scale: &super::ScaleArgs,
) -> Result<Stats, String> {
    let limit = match scale.memory {
        None => u128::from(scenario::limits::MEMORY_LIMIT),
        Some(g) if g.is_finite() && g > 0.0 && g <= 1e6 => (g * (1u64 << 30) as f64) as u128,
        Some(g) => {
            return Err(format!(
                "--memory {g} is not a size in GiB: give a positive number such as 4 or 0.5"
            ));
        }
    };
    let exact_need = |n: u64| u128::from(scenario::limits::memory_estimate(scenario, n));
    let stream_need = scenario::limits::stream_bytes(
        model.n_metrics(),
        model.n_params(),
        model.n_series(),
        model.horizon,
    );
    let stream_fits = || {
        if stream_need <= limit {
            Ok(Stats::Streaming)
        } else {
            Err(format!(
                "streamed statistics of this scenario need about {} whatever the trial count, \
                 above the limit of {} (--memory): raise --memory or shorten the horizon",
                gib(stream_need),
                gib(limit)
            ))
        }
    };
    if scale.exact {
        return if exact_need(trials) <= limit {
            Ok(Stats::Exact)
        } else {
            Err(format!(
                "--exact: {trials} trials need about {} for per-trial results, above the limit \
                 of {} (--memory): drop --exact to compute statistics on the fly in bounded \
                 memory, or split the run into shards (--shard)",
                gib(exact_need(trials)),
                gib(limit)
            ))
        };
    }
    if scale.streaming || exact_need(total) > limit.min(u128::from(EXACT_AUTO_BYTES)) {
        return stream_fits();
    }
    Ok(Stats::Exact)
}

/// Wall time and rate of a run, written to `timing.json`: the one output file that differs from
/// run to run (determinism tests leave it out; `docs/outputs.md`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Timing {
    pub wall_seconds: f64,
    pub trials: u64,
    pub trials_per_second: f64,
}

impl Timing {
    pub fn since(start: Instant, trials: u64) -> Timing {
        let wall = start.elapsed().as_secs_f64();
        Timing {
            wall_seconds: wall,
            trials,
            trials_per_second: if wall > 0.0 {
                trials as f64 / wall
            } else {
                0.0
            },
        }
    }

    /// One line on stderr: trials, wall time, rate.
    pub fn report(&self, err: &mut dyn Write) {
        let _ = writeln!(
            err,
            "{} trials in {:.1} s ({:.0} trials/s)",
            self.trials, self.wall_seconds, self.trials_per_second
        );
    }

    fn json(&self) -> String {
        let mut t = serde_json::to_string_pretty(self).expect("numbers always serialize");
        t.push('\n');
        t
    }
}

/// A streamed run's statistics and what else to write.
pub struct Streamed<'a> {
    pub scenario: &'a Scenario,
    pub acc: &'a Accumulator,
    /// `trials.csv` was streamed into the staging directory.
    pub trials_csv: bool,
    /// Draw the charts (`report.html` is written either way).
    pub charts: bool,
    pub timing: Timing,
}

/// Where and how a command puts its result directory.
pub struct Outputs<'a> {
    pub target: &'a Path,
    pub force: bool,
    /// Set by Ctrl-C; checked before the staged directory is moved into place.
    pub stop: Option<&'a AtomicBool>,
}

/// A complete run's results and what to write of them.
pub struct Full<'a> {
    pub scenario: &'a Scenario,
    pub results: &'a RunResults,
    pub trials_csv: bool,
    /// Write `trials.parquet` (`report::parquet`).
    pub trials_parquet: bool,
    /// Draw the charts (`report.html` is written either way).
    pub charts: bool,
    /// `--threshold` exceedances to write (`exceedance.csv`) and print.
    pub thresholds: &'a [Threshold],
}

/// Files being written into a staging directory, listed for `run.json` in the order written.
struct Stager<'a> {
    staging: &'a Staging,
    info: RunInfo,
}

impl Stager<'_> {
    fn put(&mut self, name: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.record(name.to_string());
        self.staging.write(name, bytes)
    }

    /// Lists a file written by other means (charts).
    fn record(&mut self, name: String) {
        self.info.files.push(name);
    }
}

impl Outputs<'_> {
    /// Writes every result file of a complete run, moves it into place and prints the summary
    /// table. Returns the exit code.
    pub fn write_full(
        &self,
        inputs: &Inputs,
        info: RunInfo,
        what: &Full<'_>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> i32 {
        let (meta, results) = (&what.scenario.meta, what.results);
        let sums = Summaries::compute(results);
        let exceeded = exceedance::exceedances(results, what.thresholds);
        let staged = self.stage(inputs, info, |st| {
            st.put(
                "summary.json",
                summary_json(meta, results, &sums).as_bytes(),
            )?;
            st.put(
                "metrics.csv",
                &csv::metrics_csv(what.scenario, results, &sums),
            )?;
            st.put(
                "series.csv",
                &csv::series_csv(what.scenario, results, &sums),
            )?;
            if !exceeded.is_empty() {
                st.put("exceedance.csv", &exceedance::exceedance_csv(&exceeded))?;
            }
            if what.trials_csv {
                st.record("trials.csv".into());
                st.staging
                    .write_with("trials.csv", |w| csv::write_trials_csv(results, w))?;
            }
            if what.trials_parquet {
                let bytes =
                    parquet::trials_parquet(meta, results).map_err(|e| OutputError::Io {
                        path: self.target.join("trials.parquet"),
                        error: std::io::Error::other(e),
                    })?;
                st.put("trials.parquet", &bytes)?;
            }
            let view = Exact {
                results,
                sums: &sums,
            };
            self.charts_and_report(st, what.scenario, &view, what.charts)
        });
        let code = self.commit(staged, err);
        if code != EXIT_OK {
            return code;
        }
        let mut text = table::summary_table(what.scenario, results, &sums);
        if !exceeded.is_empty() {
            text.push_str("\n  Thresholds (share of trials worse than the threshold)\n");
            text.push_str(&exceedance::exceedance_lines(&exceeded));
        }
        // The results are in place; a closed or full stdout only loses the printed summary.
        let code = term::print(out, &text, err).err().unwrap_or(EXIT_OK);
        let _ = writeln!(err, "results written to {}", self.target.display());
        code
    }

    /// Draws the charts (if `charts`) and writes `report.html`, of an exact or a streamed run.
    fn charts_and_report(
        &self,
        st: &mut Stager<'_>,
        scenario: &Scenario,
        results: &dyn RunView,
        charts: bool,
    ) -> Result<(), OutputError> {
        let drawn = if charts {
            let dir = st.staging.path().to_path_buf();
            let drawn = charts::draw_all(&dir, scenario, results).map_err(|e| {
                // Name the result directory the user asked for, not the staging directory.
                let msg = e.to_string();
                OutputError::Charts(msg.replace(
                    &dir.display().to_string(),
                    &self.target.display().to_string(),
                ))
            })?;
            for c in &drawn {
                st.record(format!("charts/{}.svg", c.file_stem));
                st.record(format!("charts/{}.png", c.file_stem));
            }
            drawn
        } else {
            Vec::new()
        };
        st.put(
            "report.html",
            html::render(scenario, results, &drawn).as_bytes(),
        )
    }

    /// Writes a shard's per-trial arrays (`trials.bin`) and moves them into place.
    pub fn write_shard(
        &self,
        inputs: &Inputs,
        info: RunInfo,
        results: &RunResults,
        err: &mut dyn Write,
    ) -> i32 {
        let total = info.total_trials;
        // The digest of the input copies written next to `trials.bin`, which merge recomputes.
        let digest = shard::scenario_digest(&inputs.scenario, inputs.world.as_deref());
        let staged = self.stage(inputs, info, |st| {
            st.put("trials.bin", &shard::encode(results, total, digest))
        });
        let code = self.commit(staged, err);
        if code == EXIT_OK {
            let _ = writeln!(
                err,
                "shard written to {} (trials {}..{}); combine shards with `chokepoint merge`",
                self.target.display(),
                results.first_trial,
                results.first_trial + results.trials as u64
            );
        }
        code
    }

    /// A staging directory holding `body`'s files, then the input copies, then `run.json`.
    fn stage(
        &self,
        inputs: &Inputs,
        info: RunInfo,
        body: impl FnOnce(&mut Stager<'_>) -> Result<(), OutputError>,
    ) -> Result<Staging, OutputError> {
        let staging = Staging::new(self.target, self.force)?;
        Self::fill(staging, inputs, info, body)
    }

    /// Fills an existing staging directory: `body`'s files, the input copies, `run.json`.
    fn fill(
        staging: Staging,
        inputs: &Inputs,
        info: RunInfo,
        body: impl FnOnce(&mut Stager<'_>) -> Result<(), OutputError>,
    ) -> Result<Staging, OutputError> {
        let mut st = Stager {
            staging: &staging,
            info,
        };
        body(&mut st)?;
        st.put("scenario.toml", &inputs.scenario)?;
        if let Some(world) = &inputs.world {
            st.put("world.toml", world)?;
        }
        let mut info = st.info;
        info.files.push(MARKER.into());
        staging.write(MARKER, run_json(&info).as_bytes())?;
        Ok(staging)
    }

    /// Runs a streamed run: creates the staging directory first, so `trials.csv` (if asked for)
    /// streams into it block by block. Returns the staging directory, the statistics and whether
    /// `trials.csv` was written, or the exit code of a failure (already reported).
    pub fn stream_run(
        &self,
        model: &Model,
        opts: &RunOptions,
        args: &RunArgs,
        progress: &(dyn Fn(u64, u64) -> bool + Sync),
        mut rule: Option<&mut crate::run::precision::Rule>,
        err: &mut dyn Write,
    ) -> Result<(Staging, Accumulator, bool), i32> {
        let err = std::cell::RefCell::new(err);
        let fail = |e: &dyn std::fmt::Display, code: i32| {
            let _ = writeln!(err.borrow_mut(), "error: {e}");
            code
        };
        let staging = Staging::new(self.target, self.force).map_err(|e| fail(&e, EXIT_OUTPUT))?;
        let thresholds: Vec<(String, f64)> = args
            .thresholds
            .iter()
            .map(|t| (t.metric.clone(), t.value))
            .collect();
        let shown = self.target.join("trials.csv");
        let io = |error: std::io::Error| OutputError::Io {
            path: shown.clone(),
            error,
        };
        let mut csv_out = None;
        if args.trials_csv {
            let f = std::fs::File::create(staging.path().join("trials.csv"))
                .map_err(|e| fail(&io(e), EXIT_OUTPUT))?;
            let w = csv::TrialsCsv::new(
                &model.names.params,
                &model.names.metrics,
                std::io::BufWriter::new(f),
            )
            .map_err(|e| fail(&io(e), EXIT_OUTPUT))?;
            csv_out = Some(w);
        }
        let mut csv_err = None;
        let mut sink = |b: &RunResults| match csv_out.as_mut().map(|w| w.rows(b)) {
            Some(Err(e)) => {
                csv_err = Some(e);
                false
            }
            _ => true,
        };
        let mut until = |b: &RunResults| {
            rule.as_mut().is_some_and(|r| {
                r.observe(b);
                r.met()
            })
        };
        let acc = crate::run::stream::stream_until(
            model,
            opts,
            &thresholds,
            progress,
            &mut sink,
            &mut until,
        );
        if let Some(e) = csv_err {
            return Err(fail(&io(e), EXIT_OUTPUT));
        }
        let acc = match acc {
            Ok(a) => a,
            Err(RunError::Cancelled) => return Err(interrupted(*err.borrow_mut())),
            Err(RunError::Resources(m)) => return Err(fail(&m, EXIT_USAGE)),
        };
        let wrote_csv = csv_out.is_some();
        if let Some(w) = csv_out {
            w.finish().map_err(|e| fail(&io(e), EXIT_OUTPUT))?;
        }
        Ok((staging, acc, wrote_csv))
    }

    /// Writes a streamed run's files into `staging` (`trials.csv` already there if asked for),
    /// the charts and `report.html` drawn from the streamed summaries and bands, moves it into
    /// place and prints the summary table.
    pub fn write_streamed(
        &self,
        staging: Staging,
        inputs: &Inputs,
        info: RunInfo,
        what: &Streamed<'_>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> i32 {
        let (meta, acc) = (&what.scenario.meta, what.acc);
        let sums = Summaries::from_stream(acc);
        let exceeded: Vec<exceedance::Exceedance> = acc
            .thresholds
            .iter()
            .map(|(_, t)| {
                exceedance::Exceedance::new(
                    &t.metric,
                    t.value,
                    t.beyond as usize,
                    acc.trials as usize,
                )
            })
            .collect();
        let staged = Self::fill(staging, inputs, info, |st| {
            st.put("summary.json", summary_json(meta, acc, &sums).as_bytes())?;
            st.put("metrics.csv", &csv::metrics_csv(what.scenario, acc, &sums))?;
            st.put("series.csv", &csv::series_csv(what.scenario, acc, &sums))?;
            if !exceeded.is_empty() {
                st.put("exceedance.csv", &exceedance::exceedance_csv(&exceeded))?;
            }
            if what.trials_csv {
                st.record("trials.csv".into());
            }
            let view = Sketched { acc, sums: &sums };
            self.charts_and_report(st, what.scenario, &view, what.charts)?;
            st.put("timing.json", what.timing.json().as_bytes())
        });
        let code = self.commit(staged, err);
        if code != EXIT_OK {
            return code;
        }
        let mut text = table::summary_table(what.scenario, acc, &sums);
        if !exceeded.is_empty() {
            text.push_str("\n  Thresholds (share of trials worse than the threshold)\n");
            text.push_str(&exceedance::exceedance_lines(&exceeded));
        }
        let code = term::print(out, &text, err).err().unwrap_or(EXIT_OK);
        what.timing.report(err);
        let _ = writeln!(
            err,
            "results written to {} (streamed statistics: quantiles within {:.2}%, see \
             docs/outputs.md)",
            self.target.display(),
            crate::stats::sketch::REL_ERROR * 100.0
        );
        code
    }

    /// Writes a streamed shard: its statistics (`summaries.bin`), `trials.csv` if streamed.
    #[allow(clippy::too_many_arguments)]
    pub fn write_summary_shard(
        &self,
        staging: Staging,
        inputs: &Inputs,
        info: RunInfo,
        acc: &Accumulator,
        trials_csv: bool,
        timing: Timing,
        err: &mut dyn Write,
    ) -> i32 {
        let total = info.total_trials;
        let digest = shard::scenario_digest(&inputs.scenario, inputs.world.as_deref());
        let staged = Self::fill(staging, inputs, info, |st| {
            st.put(
                shard::SUMMARIES_FILE,
                &shard::encode_summaries(acc, total, digest),
            )?;
            if trials_csv {
                st.record("trials.csv".into());
            }
            st.put("timing.json", timing.json().as_bytes())
        });
        let code = self.commit(staged, err);
        if code == EXIT_OK {
            timing.report(err);
            let _ = writeln!(
                err,
                "shard written to {} (trials {}..{}, streamed statistics); combine shards with \
                 `chokepoint merge`",
                self.target.display(),
                acc.first_trial,
                acc.first_trial + acc.trials
            );
        }
        code
    }

    fn commit(&self, staged: Result<Staging, OutputError>, err: &mut dyn Write) -> i32 {
        let staging = match staged {
            Ok(s) => s,
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                return EXIT_OUTPUT;
            }
        };
        if self.stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
            // Dropping `staging` removes it; nothing reaches the target.
            return interrupted(err);
        }
        match staging.commit() {
            Ok(()) => EXIT_OK,
            Err(e) => {
                let _ = writeln!(err, "error: {e}");
                EXIT_OUTPUT
            }
        }
    }
}

fn interrupted(err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "interrupted: no results written");
    EXIT_INTERRUPTED
}

/// The command line that reproduces a run: resolved trials and seed, the shard, options that
/// change the files written; not `--threads` (results do not depend on it) nor output placement.
pub fn reproduce(
    scenario: &Path,
    trials: u64,
    seed: u64,
    shard: Option<Shard>,
    trials_csv: bool,
    no_charts: bool,
    thresholds: &[Threshold],
) -> Vec<String> {
    let mut c: Vec<String> = vec![
        "chokepoint".into(),
        "run".into(),
        scenario.to_string_lossy().into_owned(),
        "--trials".into(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    if let Some(s) = shard {
        c.push("--shard".into());
        c.push(format!("{}/{}", s.index, s.count));
    }
    if trials_csv {
        c.push("--trials-csv".into());
    }
    if no_charts {
        c.push("--no-charts".into());
    }
    for t in thresholds {
        c.push("--threshold".into());
        c.push(format!("{}={}", t.metric, t.value));
    }
    c
}

/// `chokepoint run`: load the scenario (diagnostics and exit 1 if invalid), run, write, print.
pub fn execute(args: &RunArgs) -> i32 {
    let color = super::check::use_color(std::io::stderr().is_terminal());
    let mut err = term::stderr();
    if let Err(why) = scenario::readable(&args.scenario) {
        let _ = writeln!(err, "error: {why}");
        return EXIT_USAGE;
    }
    let opts = match super::one_value_each(&args.set, "run", args.shard.is_some()) {
        Ok(o) => o,
        Err(m) => {
            let _ = writeln!(err, "error: {m}");
            return EXIT_USAGE;
        }
    };
    let loaded = match scenario::load_with(&args.scenario, &opts) {
        Ok(l) => l,
        Err(e) => {
            // Diagnostics escape their own text and may carry colour codes: write them as is.
            let _ = write!(std::io::stderr(), "{}", e.render(color));
            let _ = writeln!(
                err,
                "error: {} is invalid; fix the problems above (`chokepoint check` lists them too)",
                args.scenario.display()
            );
            return EXIT_INVALID;
        }
    };
    let _ = write!(
        std::io::stderr(),
        "{}",
        scenario::render_all(&loaded.warnings, color)
    );
    let inputs = match Inputs::read(&loaded.scenario.meta) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let total = args.trials.unwrap_or(loaded.scenario.meta.trials);
    let design = args.design;
    let runner = move |s: &Scenario, o: &RunOptions, p: &(dyn Fn(u64, u64) -> bool + Sync)| {
        crate::run::run_design(s, o, p, design, total)
    };
    run_loaded(
        &loaded.scenario,
        &inputs,
        args,
        &runner,
        super::interrupt::stop_flag(),
        // Unlocked handles: the progress bar writes to stderr from worker threads, so holding
        // the stderr lock here for the whole run would deadlock on a terminal.
        &mut term::stdout(),
        &mut err,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_every_trial_once() {
        for total in [1u64, 7, 100, 20_001] {
            for count in 1..=total.min(9) {
                let mut next = 0;
                for index in 1..=count {
                    let (first, n) = Shard { index, count }.range(total);
                    assert_eq!(first, next);
                    assert!(n >= total / count && n <= total / count + 1);
                    next = first + n;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn shard_syntax() {
        assert_eq!("2/8".parse(), Ok(Shard { index: 2, count: 8 }));
        assert!("0/8".parse::<Shard>().is_err());
        assert!("9/8".parse::<Shard>().is_err());
        assert!("2-8".parse::<Shard>().unwrap_err().contains("I/N"));
    }
}
