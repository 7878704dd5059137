//! `chokepoint sensitivity SCENARIO --method sobol|morris --metric M`: run the scenario on a
//! sensitivity design (`study::sensitivity`), write the study directory atomically
//! (`sensitivity.csv`, `sensitivity.json`, the tornado chart, copies of the inputs, `run.json`)
//! and print the ranked table.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::outdir::{MARKER, OutputError, Staging};
use super::run::Inputs;
use super::{EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};
use crate::report::charts::tornado;
use crate::report::sensitivity::{
    StudyRunInfo, sensitivity_csv, sensitivity_json, sensitivity_table, study_run_json,
};
use crate::run::RunError;
use crate::scenario::{self, Scenario};
use crate::study::sensitivity::{
    Base, Grouping, Method, SensitivityOptions, StudyError, plan, run_sensitivity,
};

#[derive(Debug, Clone, clap::Args)]
pub struct SensitivityArgs {
    pub scenario: PathBuf,
    /// `sobol`: first- and total-order variance shares (Saltelli design, k + 2 trials per base
    /// sample); `morris`: elementary effects (k + 1 trials per trajectory), for screening.
    #[arg(long, value_enum, default_value = "sobol")]
    pub method: Method,
    /// The metric to explain, as named in metrics.csv.
    #[arg(long, default_value = "world.value_lost")]
    pub metric: String,
    /// Model runs to spend (default: the scenario's `trials`), rounded down to whole base samples
    /// or trajectories.
    #[arg(long)]
    pub trials: Option<u64>,
    /// Random seed (default: the scenario's `seed`).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Base sample of the Sobol' method: a scrambled Sobol' sequence, independent draws, or
    /// `auto` (the Sobol' sequence when the parameters fit its 4096 dimensions, two each).
    #[arg(long, value_enum, default_value = "auto")]
    pub base: Base,
    /// Sobol' indices per `parameter`, or per `entity` (every parameter of one shock, policy,
    /// sector, producer, inventory or commodity together: one index per lever or risk).
    #[arg(long, value_enum, default_value = "parameter")]
    pub group: Grouping,
    /// Output directory (default: results/sensitivity-<scenario file stem>-<method>/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Replace an existing output directory.
    #[arg(long)]
    pub force: bool,
    /// Do not draw the tornado chart.
    #[arg(long)]
    pub no_charts: bool,
}

/// Default output directory: `results/sensitivity-<stem>-<method>/`.
pub fn default_out(scenario: &Path, method: Method) -> PathBuf {
    let stem = super::outdir::stem(scenario, "scenario");
    Path::new("results").join(format!("sensitivity-{stem}-{}", method.name()))
}

/// `chokepoint sensitivity`: the production entry point.
pub fn execute(args: &SensitivityArgs) -> i32 {
    let color = super::check::use_color(std::io::stderr().is_terminal());
    let mut diags = std::io::stderr();
    let mut err = super::term::stderr();
    let mut out = super::term::stdout();
    if let Err(why) = scenario::readable(&args.scenario) {
        let _ = writeln!(err, "error: {why}");
        return EXIT_USAGE;
    }
    let scenario = match scenario::load(&args.scenario) {
        Ok(l) => {
            let _ = write!(diags, "{}", scenario::render_all(&l.warnings, color));
            l.scenario
        }
        Err(e) => {
            let _ = write!(diags, "{}", e.render(color));
            let _ = writeln!(
                err,
                "error: {} is invalid; fix the problems above (`chokepoint check` lists them too)",
                args.scenario.display()
            );
            return EXIT_INVALID;
        }
    };
    let stop = super::interrupt::stop_flag();
    sensitivity_loaded(&scenario, args, stop, &mut out, &mut err)
}

/// Everything after loading: checks, runs, writes, prints. Returns the exit code.
pub fn sensitivity_loaded(
    scenario: &Scenario,
    args: &SensitivityArgs,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    let trials = args.trials.unwrap_or(scenario.meta.trials);
    let seed = args.seed.unwrap_or(scenario.meta.seed);
    if let Err(code) = super::check_counts(trials, args.threads, err) {
        return code;
    }
    let opts = SensitivityOptions {
        method: args.method,
        metric: args.metric.clone(),
        trials,
        seed,
        threads: args.threads,
        base: args.base,
        group: args.group,
    };
    // Name problems (metric, trial budget) before anything is written or run.
    if let Err(e) = plan(scenario, &opts) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_USAGE;
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.scenario, args.method));
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }
    let inputs = match Inputs::read(&scenario.meta) {
        Ok(i) => i,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let bar = ProgressBar::with_draw_target(Some(trials), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{bar:40} {human_pos}/{human_len} trials  {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    let furthest = AtomicU64::new(0);
    let progress = |done: u64, total: u64| {
        bar.set_length(total);
        bar.set_position(furthest.fetch_max(done, Ordering::Relaxed).max(done));
        !stop.is_some_and(|s| s.load(Ordering::SeqCst))
    };
    let study = run_sensitivity(scenario, &opts, &progress);
    bar.finish_and_clear();
    let study = match study {
        Ok(s) => s,
        Err(StudyError::Run(RunError::Cancelled)) => return interrupted(err),
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let name = &scenario.meta.name;
    let mut info = StudyRunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        scenario_file: args.scenario.to_string_lossy().into_owned(),
        world_file: scenario
            .meta
            .world_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        seed,
        trials: study.trials,
        command: reproduce(args, study.trials, seed),
        files: Vec::new(),
    };
    let figure = (!args.no_charts).then(|| tornado::plan(&study)).flatten();
    let staged = (|| -> Result<Staging, OutputError> {
        let staging = Staging::new(&target, args.force)?;
        let mut put = |file: &str, bytes: &[u8]| {
            info.files.push(file.to_string());
            staging.write(file, bytes)
        };
        put("sensitivity.csv", &sensitivity_csv(&study))?;
        put("sensitivity.json", &sensitivity_json(name, &study))?;
        put("scenario.toml", &inputs.scenario)?;
        if let Some(w) = &inputs.world {
            put("world.toml", w)?;
        }
        if let Some(fig) = &figure {
            let files = tornado::draw(staging.path(), fig)?;
            info.files.extend(files);
        }
        info.files.push(MARKER.into());
        staging.write(MARKER, &study_run_json(&info))?;
        Ok(staging)
    })();
    if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
        return interrupted(err);
    }
    match staged.and_then(Staging::commit) {
        Ok(()) => {
            let code = super::term::print(out, &sensitivity_table(name, &study), err)
                .err()
                .unwrap_or(EXIT_OK);
            let _ = writeln!(err, "sensitivity study written to {}", target.display());
            code
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_OUTPUT
        }
    }
}

fn interrupted(err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "interrupted: no results written");
    EXIT_INTERRUPTED
}

/// The command line that reproduces a study (not `--threads` nor output placement).
pub fn reproduce(args: &SensitivityArgs, trials: u64, seed: u64) -> Vec<String> {
    let mut c: Vec<String> = vec![
        "chokepoint".into(),
        "sensitivity".into(),
        args.scenario.to_string_lossy().into_owned(),
        "--method".into(),
        args.method.name().into(),
        "--metric".into(),
        args.metric.clone(),
        "--trials".into(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    if args.method == Method::Sobol && args.base != Base::Auto {
        let base = if args.base == Base::Random {
            "random"
        } else {
            "sobol"
        };
        c.extend(["--base".into(), base.into()]);
    }
    if args.group == Grouping::Entity {
        c.extend(["--group".into(), "entity".into()]);
    }
    if args.no_charts {
        c.push("--no-charts".into());
    }
    c
}
