//! `chokepoint run`: load, run with a progress bar, write the result directory atomically, print
//! the summary table. With `--shard I/N` it runs only the I-th of N slices of the trials and writes
//! their per-trial arrays for `chokepoint merge`.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::outdir::{MARKER, OutputError, Staging};
use super::term;
use super::{EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, RunArgs};
use crate::model::{Model, names::OutputNames};
use crate::report::exceedance::{self, Threshold};
use crate::report::json::{RunInfo, run_json, summary_json};
use crate::report::{Summaries, charts, csv, html, shard, table};
use crate::run::{RunError, RunOptions, RunResults};
use crate::scenario::{self, Meta, Scenario};

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
        let bad = || format!("expected I/N with 1 <= I <= N, such as 2/8, not `{s}`");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = i.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
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
    let stem = scenario_file
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "run".into());
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
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{human_pos}/{human_len} trials {wide_bar} {elapsed} elapsed, about {eta} left",
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
    let results = runner(scenario, &opts, &progress);
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

    let info = RunInfo {
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
    };
    let outputs = Outputs {
        target: &target,
        force: args.force,
        stop,
    };
    match args.shard {
        Some(_) => outputs.write_shard(inputs, info, &results, err),
        None => {
            let what = Full {
                scenario,
                results: &results,
                trials_csv: args.trials_csv,
                charts: !args.no_charts,
                thresholds: &args.thresholds,
            };
            outputs.write_full(inputs, info, &what, out, err)
        }
    }
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
            st.put("metrics.csv", &csv::metrics_csv(results, &sums))?;
            st.put("series.csv", &csv::series_csv(meta, results, &sums))?;
            if !exceeded.is_empty() {
                st.put("exceedance.csv", &exceedance::exceedance_csv(&exceeded))?;
            }
            if what.trials_csv {
                st.record("trials.csv".into());
                st.staging
                    .write_with("trials.csv", |w| csv::write_trials_csv(results, w))?;
            }
            let drawn = if what.charts {
                let dir = st.staging.path().to_path_buf();
                let drawn = charts::draw_all(&dir, what.scenario, results).map_err(|e| {
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
                html::render(what.scenario, results, &drawn).as_bytes(),
            )
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
    run_loaded(
        &loaded.scenario,
        &inputs,
        args,
        &crate::run::run,
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
