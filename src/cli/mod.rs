//! Command line: clap, progress bars, diagnostics rendering, exit codes. Thin.
//!
//! Exit codes: 0 success (scenario valid, run written); 1 invalid scenario; 2 bad command line;
//! 3 the run could not write its results (output exists without `--force`, IO error, a full
//! disk, standard output that cannot be written); 130 interrupted (Ctrl-C, SIGTERM, SIGHUP);
//! 141 standard output was closed before everything was printed (a pipe into `head`).

pub mod backtest;
pub mod check;
pub mod compare;
pub mod discover;
pub mod explain;
pub mod interrupt;
pub mod merge;
pub mod outdir;
pub mod portfolio;
pub mod run;
pub mod sensitivity;
pub mod sweep;
pub mod term;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub const EXIT_OK: i32 = 0;
pub const EXIT_INVALID: i32 = 1;
pub const EXIT_USAGE: i32 = 2;
pub const EXIT_OUTPUT: i32 = 3;
pub const EXIT_INTERRUPTED: i32 = 130;
/// Standard output was closed by its reader (128 + SIGPIPE, what a shell reports for a process
/// killed by a closed pipe); results a command writes to files are complete.
pub const EXIT_PIPE: i32 = 141;

#[derive(Debug, Parser)]
#[command(
    name = "chokepoint",
    version,
    about = "Monte Carlo simulator of export-control disruptions in critical-mineral supply chains"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate scenario and world files; print every problem and warning.
    Check {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the resolved world and scenario in words, for checking by eye.
    Explain { file: PathBuf },
    /// Run a scenario's Monte Carlo trials and write results.
    Run(RunArgs),
    /// Run a base and a policy scenario on the same seed and compare them trial by trial.
    Compare(CompareArgs),
    /// Rank policy packages and their levers by loss avoided per dollar: one base run, every
    /// package, each lever alone and each package without one lever, on common random numbers.
    Portfolio(portfolio::PortfolioArgs),
    /// Run a scenario at every point of a grid of parameter values on common random numbers and
    /// draw the risk curve (median, p95, CVaR95 of a metric against the swept value).
    Sweep(sweep::SweepArgs),
    /// Score the model against the observed record of 2010-2025 export-control episodes.
    Backtest(backtest::BacktestArgs),
    /// Combine the shard directories of `run --shard` into one result, identical to an unsharded
    /// run.
    Merge(MergeArgs),
    /// Global sensitivity of one metric to every uncertain parameter: Sobol' indices or Morris
    /// elementary effects, with bootstrap intervals and a tornado chart.
    Sensitivity(sensitivity::SensitivityArgs),
    /// Scenario discovery: the parameter ranges where a run's bad trials concentrate (PRIM), in
    /// words. Reads the trials.csv of `run --trials-csv`.
    Discover(discover::DiscoverArgs),
}

#[derive(Debug, clap::Args)]
pub struct MergeArgs {
    /// Shard directories written by `chokepoint run --shard I/N`, every shard of one run.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output directory (default: results/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Also write trials.csv (every sampled parameter and metric, per trial).
    #[arg(long)]
    pub trials_csv: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Report the probability that METRIC is worse than VALUE (repeatable), for example
    /// `--threshold world.value_lost=1e11`; written to exceedance.csv and printed.
    #[arg(long = "threshold", value_name = "METRIC=VALUE")]
    pub thresholds: Vec<crate::report::exceedance::Threshold>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    pub scenario: PathBuf,
    /// Number of trials (default: the scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: results/<scenario file stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Also write trials.csv (every sampled parameter and metric, per trial).
    #[arg(long)]
    pub trials_csv: bool,
    /// Also write trials.parquet (trials.csv's table, typed; exact unsharded runs only).
    #[arg(long)]
    pub trials_parquet: bool,
    /// Do not draw charts (faster batch runs).
    #[arg(long)]
    pub no_charts: bool,
    /// Report the probability that METRIC is worse than VALUE (repeatable), for example
    /// `--threshold world.value_lost=1e11`; written to exceedance.csv and printed.
    #[arg(long = "threshold", value_name = "METRIC=VALUE")]
    pub thresholds: Vec<crate::report::exceedance::Threshold>,
    /// Override one parameter for this run (repeatable), by the path `explain` and trials.csv
    /// show, for example `--set policy.eu-pilot-magnets.initial=3`. The value is checked against
    /// the field's allowed range like a value in the file.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<crate::scenario::set::SetArg>,
    /// Run only slice I of N of the trials (1-based) and write it for `chokepoint merge` (for
    /// splitting a large run across machines). `auto` reads a Slurm array's
    /// SLURM_ARRAY_TASK_ID/COUNT/MIN; `auto/N` reads a Kubernetes Indexed Job's
    /// JOB_COMPLETION_INDEX (0-based) for N shards.
    #[arg(long, value_name = "I/N|auto|auto/N")]
    pub shard: Option<run::Shard>,
    /// Stop once the 95% interval of METRIC's mean is within REL of the mean (repeatable; every
    /// target must be met), checked every 1024 trials; --trials is the upper bound. For example
    /// `--precision world.value_lost=0.01` (1%). Not with --shard.
    #[arg(long = "precision", value_name = "METRIC=REL")]
    pub precision: Vec<crate::run::precision::Target>,
    /// How the uncertain parameters are sampled: `mc` plain Monte Carlo (default), `lhs` Latin
    /// hypercube over the run's trials, `sobol` a scrambled Sobol' sequence. Results stay the same
    /// for any --threads and any sharding.
    #[arg(long, value_enum, default_value_t = crate::run::DesignKind::Mc)]
    pub design: crate::run::DesignKind,
    #[command(flatten)]
    pub scale: ScaleArgs,
}

/// How a run keeps its statistics (`docs/outputs.md`, "Exact and streamed statistics").
#[derive(Debug, Clone, Default, PartialEq, clap::Args)]
pub struct ScaleArgs {
    /// Keep every trial and compute exact statistics (the default while the estimated
    /// per-trial arrays fit in 4 GiB).
    #[arg(long, conflicts_with = "streaming")]
    pub exact: bool,
    /// Compute statistics on the fly, in memory that does not grow with the trial count (the
    /// default above 4 GiB of estimated per-trial arrays).
    #[arg(long)]
    pub streaming: bool,
    /// Memory the run may use for its results, in GiB (default 12).
    #[arg(long, value_name = "GIB")]
    pub memory: Option<f64>,
}

#[derive(Debug, Clone, clap::Args)]
pub struct CompareArgs {
    /// The scenario without the policy (for example scenarios/escalation-2026.toml).
    pub base: PathBuf,
    /// The same scenario with the policy (for example scenarios/g7-derisking-2026.toml).
    pub policy: PathBuf,
    /// Number of trials on each side (default: the base scenario's `trials`).
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed for both sides (default: the base scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Output directory (default: results/compare-<base stem>-vs-<policy stem>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Do not draw charts.
    #[arg(long)]
    pub no_charts: bool,
    /// Override one parameter on both sides (repeatable), e.g.
    /// `--set shock.esc-ree-package.severity=0.9`; a path may belong to one side only.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub set: Vec<crate::scenario::set::SetArg>,
    /// Sampling design of both sides (`mc`, `lhs`, `sobol`, as for `run`): the same design
    /// numbers on both, so a parameter both scenarios share keeps its values (common random
    /// numbers).
    #[arg(long, value_enum, default_value_t = crate::run::DesignKind::Mc)]
    pub design: crate::run::DesignKind,
}

/// Most trials `--trials` accepts (a total across shards; one run or shard must also fit in
/// memory, which the run checks).
pub const MAX_CLI_TRIALS: u64 = 1_000_000_000_000;

/// Hard ceiling of `--threads`, whatever the machine.
pub const MAX_THREADS_CAP: usize = 256;

/// Most worker threads `--threads` accepts on this machine: four per core (at least 16), at most
/// `MAX_THREADS_CAP`. More threads than that only add overhead: results never depend on it.
pub fn max_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    cores.saturating_mul(4).clamp(16, MAX_THREADS_CAP)
}

/// Rejects a trial or thread count given on the command line that is zero or above its maximum
/// (exit 2).
pub(crate) fn check_counts(
    trials: u64,
    threads: Option<usize>,
    err: &mut dyn std::io::Write,
) -> Result<(), i32> {
    if trials == 0 {
        let _ = writeln!(err, "error: --trials must be at least 1");
        return Err(EXIT_USAGE);
    }
    if trials > MAX_CLI_TRIALS {
        let _ = writeln!(
            err,
            "error: --trials {trials} is above the maximum of {MAX_CLI_TRIALS}; \
             split a larger study into several runs with different seeds"
        );
        return Err(EXIT_USAGE);
    }
    if threads == Some(0) {
        let _ = writeln!(
            err,
            "error: --threads must be at least 1 (omit it to use all cores)"
        );
        return Err(EXIT_USAGE);
    }
    let max = max_threads();
    if let Some(n) = threads.filter(|&n| n > max) {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        let _ = writeln!(
            err,
            "error: --threads {n} is above the maximum of {max} on this machine \
             ({cores} cores; four threads per core, at least 16, at most {MAX_THREADS_CAP}); \
             omit it to use all cores (results do not depend on it)"
        );
        return Err(EXIT_USAGE);
    }
    Ok(())
}

/// The load options of a `run` or `compare` given `--set` arguments: one value each (several
/// values are a sweep), each path once.
pub(crate) fn one_value_each(
    set: &[crate::scenario::set::SetArg],
    command: &str,
    shard: bool,
) -> Result<crate::scenario::LoadOptions, String> {
    if shard && !set.is_empty() {
        return Err(
            "--set cannot be combined with --shard: `merge` checks shards against the scenario \
             files, which do not hold the override; write the value into a copy of the file"
                .into(),
        );
    }
    let mut out = crate::scenario::LoadOptions::default();
    for s in set {
        if s.values.len() != 1 {
            return Err(format!(
                "--set {s}: `{command}` takes one value per parameter; for several, run \
                 `chokepoint sweep SCENARIO --set {s}`"
            ));
        }
        if out.set.iter().any(|v| v.path == s.path) {
            return Err(format!(
                "--set {}: the path is set twice; set it once",
                s.path
            ));
        }
        out.set.push(s.one(s.values[0]));
    }
    Ok(out)
}

/// `command` with the `--set` arguments that produced it, for run.json.
pub(crate) fn with_set(
    mut command: Vec<String>,
    set: &[crate::scenario::set::SetArg],
) -> Vec<String> {
    for s in set {
        command.push("--set".into());
        command.push(s.to_string());
    }
    command
}

impl Command {
    /// The command's `--threads`, if it takes one and it was given.
    fn threads(&self) -> Option<usize> {
        match self {
            Command::Run(a) => a.threads,
            Command::Compare(a) => a.threads,
            Command::Portfolio(a) => a.threads,
            Command::Sweep(a) => a.threads,
            Command::Sensitivity(a) => a.threads,
            Command::Backtest(a) => a.threads.and_then(|t| usize::try_from(t).ok()),
            Command::Check { .. }
            | Command::Explain { .. }
            | Command::Merge(_)
            | Command::Discover(_) => None,
        }
    }
}

/// Parses arguments and runs the command; returns the process exit code.
pub fn main() -> i32 {
    main_from(std::env::args_os())
}

/// `main` on the given arguments (the first is the program name), for tests that need the
/// process to themselves (the global thread pool is set once per process).
pub fn main_from<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
        }
    };
    // `--threads` bounds the whole command, not only its trial loop: the statistics, rank
    // correlations and charts that follow run on rayon's global pool, which would otherwise
    // start one thread per core (a cluster job given one core would oversubscribe it). A
    // count the command will reject is left to its own check and message.
    let threads = cli.command.threads();
    if let Some(n) = threads.filter(|&n| n >= 1 && n <= max_threads())
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
    {
        eprintln!("error: could not start {n} worker threads: {e}");
        return EXIT_USAGE;
    }
    match cli.command {
        Command::Check { files } => check::run(&files),
        Command::Explain { file } => explain::run(&file),
        Command::Run(args) => run::execute(&args),
        Command::Compare(args) => compare::execute(&args),
        Command::Portfolio(args) => portfolio::execute(&args),
        Command::Sweep(args) => sweep::execute(&args),
        Command::Merge(args) => merge::execute(&args),
        Command::Backtest(args) => backtest::execute(&args),
        Command::Sensitivity(args) => sensitivity::execute(&args),
        Command::Discover(args) => discover::execute(&args),
    }
}
