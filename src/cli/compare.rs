//! `chokepoint compare BASE POLICY`: load both scenarios, check they can be paired, run both on the
//! same seed and trial count (common random numbers), write the comparison directory atomically and
//! print the comparison table.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::outdir::{MARKER, OutputError, Staging};
use super::run::Inputs;
use super::{CompareArgs, EXIT_INTERRUPTED, EXIT_INVALID, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE};
use crate::report::charts::compare as charts;
use crate::report::compare::{
    CompareInfo, CompareRunInfo, SideInfo, compare_run_json, compare_table_named,
    comparison_csv_named, comparison_json, sensitivity_csv,
};
use crate::report::compare_html::{InlineChart, PageContext, comparison_html_named};
use crate::run::{RunError, RunOptions, RunResults};
use crate::scenario::{self, Scenario};
use crate::stats::paired::compare_runs;
use crate::stats::rank::{difference_sensitivities, sensitivities};

pub use super::run::Runner;

/// The comparison's page, written beside the charts unless `--no-charts`.
pub const HTML: &str = "comparison.html";

/// Renders the page once the charts are drawn.
type Page<'a> = &'a dyn Fn(&[InlineChart]) -> Vec<u8>;

/// Default output directory: `results/compare-<base stem>-vs-<policy stem>/`.
pub fn default_out(base: &Path, policy: &Path) -> PathBuf {
    let stem = |p: &Path| super::outdir::stem(p, "scenario");
    Path::new("results").join(format!("compare-{}-vs-{}", stem(base), stem(policy)))
}

/// Why two valid scenarios cannot be compared trial by trial, or `None` when they can.
pub fn incomparable(base: &Scenario, policy: &Scenario) -> Option<String> {
    let (b, p) = (&base.meta, &policy.meta);
    if b.period != p.period {
        return Some(format!(
            "{} runs in {} and {} in {}: give both scenarios the same `period`",
            b.file.display(),
            b.period.plural(),
            p.file.display(),
            p.period.plural()
        ));
    }
    if b.horizon != p.horizon {
        return Some(format!(
            "{} runs {} {} and {} runs {}: give both scenarios the same `horizon`",
            b.file.display(),
            b.horizon,
            b.period.plural(),
            p.file.display(),
            p.horizon
        ));
    }
    None
}

/// Why two comparable scenarios may still be paired misleadingly: they start in different
/// calendar periods, so period `t` is a different date on each side. `None` when they agree.
pub fn start_mismatch(base: &Scenario, policy: &Scenario) -> Option<String> {
    let (b, p) = (&base.meta, &policy.meta);
    if b.start == p.start {
        return None;
    }
    let label = |m: &crate::scenario::Meta| {
        if m.start.is_some() {
            format!("starts in {}", m.period_label(0))
        } else {
            "sets no `start`".to_string()
        }
    };
    Some(format!(
        "{} {} and {} {}: the comparison pairs periods by number, so each period is a different \
         date on each side; give both scenarios the same `start`",
        b.file.display(),
        label(b),
        p.file.display(),
        label(p)
    ))
}

/// `chokepoint compare`: the production entry point.
pub fn execute(args: &CompareArgs) -> i32 {
    let color = super::check::use_color(std::io::stderr().is_terminal());
    // Diagnostics escape their own text and may carry colour codes: they go to stderr as is,
    // every other message through `term::stderr`. Unlocked handles: the progress bars write to
    // stderr from worker threads.
    let mut diags = std::io::stderr();
    let mut err = super::term::stderr();
    let mut out = super::term::stdout();
    let mut opts = match super::one_value_each(&args.set, "compare", false) {
        Ok(o) => o,
        Err(m) => {
            let _ = writeln!(err, "error: {m}");
            return EXIT_USAGE;
        }
    };
    // A `--set` path may belong to one side only (a policy's parameter): it must exist on one.
    opts.lenient_set = true;
    // Load both before giving up, so every problem in either file is shown at once.
    let base = load(&args.base, &opts, color, &mut diags, &mut err);
    let policy = load(&args.policy, &opts, color, &mut diags, &mut err);
    let (base, policy) = match (base, policy) {
        (Ok(b), Ok(p)) => (b, p),
        // 2 (a file cannot be read) outranks 1 (a scenario is invalid).
        (b, p) => return b.err().unwrap_or(EXIT_OK).max(p.err().unwrap_or(EXIT_OK)),
    };
    if let Some(code) = unknown_set(&opts, &base, &policy, &mut err) {
        return code;
    }
    let (base, policy) = (base.0, policy.0);
    let stop = super::interrupt::stop_flag();
    // One design numbering over both sides' uncertain parameters (common random numbers).
    let (design, total) = (args.design, args.trials.unwrap_or(base.meta.trials));
    let paths = crate::run::union_paths(
        &crate::model::Model::compile(&base),
        &crate::model::Model::compile(&policy),
    );
    let mut probe = crate::model::Model::compile(&base);
    if let Err(m) = design.apply_over(&mut probe, total, &paths) {
        let _ = writeln!(err, "error: {m}");
        return EXIT_USAGE;
    }
    let runner = move |s: &Scenario, o: &RunOptions, p: &(dyn Fn(u64, u64) -> bool + Sync)| {
        crate::run::run_design_over(s, o, p, design, total, &paths)
    };
    compare_loaded(&base, &policy, args, &runner, stop, &mut out, &mut err)
}

/// Loads one side, printing warnings or every problem; on failure the exit code: 2 when the file
/// cannot be read, 1 when the scenario is invalid. Also `portfolio`'s loader.
pub(crate) fn load(
    path: &Path,
    opts: &scenario::LoadOptions,
    color: bool,
    diags: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(Scenario, Vec<String>), i32> {
    if let Err(why) = scenario::readable(path) {
        let _ = writeln!(err, "error: {why}");
        return Err(EXIT_USAGE);
    }
    match scenario::load_with(path, opts) {
        Ok(l) => {
            let _ = write!(diags, "{}", scenario::render_all(&l.warnings, color));
            Ok((l.scenario, l.unset))
        }
        Err(e) => {
            let _ = write!(diags, "{}", e.render(color));
            let _ = writeln!(
                err,
                "error: {} is invalid; fix the problems above (`chokepoint check` lists them too)",
                path.display()
            );
            Err(EXIT_INVALID)
        }
    }
}

/// A `--set` path that neither side has: an error naming it, with the closest path of either.
fn unknown_set(
    opts: &scenario::LoadOptions,
    base: &(Scenario, Vec<String>),
    policy: &(Scenario, Vec<String>),
    err: &mut dyn Write,
) -> Option<i32> {
    let mut known = scenario::settable_paths(&base.0);
    known.extend(scenario::settable_paths(&policy.0));
    let known: Vec<&str> = known.iter().map(String::as_str).collect();
    let mut code = None;
    for s in &opts.set {
        if base.1.contains(&s.path) && policy.1.contains(&s.path) {
            let _ = writeln!(
                err,
                "error: --set {}: neither scenario has this parameter; {}",
                s.path,
                scenario::did_you_mean_path(&s.path, &known)
            );
            code = Some(EXIT_INVALID);
        }
    }
    code
}

/// Everything after loading: checks, runs both sides, writes, prints. Returns the exit code.
/// Messages go to `err`, the comparison table to `out`.
pub fn compare_loaded(
    base: &Scenario,
    policy: &Scenario,
    args: &CompareArgs,
    runner: Runner<'_>,
    stop: Option<&AtomicBool>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> i32 {
    if let Some(why) = incomparable(base, policy) {
        let _ = writeln!(err, "error: cannot compare: {why}");
        return EXIT_USAGE;
    }
    if let Some(why) = start_mismatch(base, policy) {
        let _ = writeln!(err, "warning: {why}");
    }
    let trials = args.trials.unwrap_or(base.meta.trials);
    let seed = args.seed.unwrap_or(base.meta.seed);
    if let Err(code) = super::check_counts(trials, args.threads, err) {
        return code;
    }
    if args.seed.is_none() && policy.meta.seed != seed {
        let _ = writeln!(
            err,
            "note: the scenarios name different seeds; both sides use the base seed {seed} (pass --seed to choose)"
        );
    }
    if args.trials.is_none() && policy.meta.trials != trials {
        let _ = writeln!(
            err,
            "note: the scenarios name different trial counts; both sides run the base count {trials} (pass --trials to choose)"
        );
    }
    let target = args
        .out
        .clone()
        .unwrap_or_else(|| default_out(&args.base, &args.policy));
    // Refuse before spending time on the runs; checked again when moving results into place.
    if let Err(e) = super::outdir::prepare(&target, args.force, err) {
        let _ = writeln!(err, "error: {e}");
        return EXIT_OUTPUT;
    }

    // Memory depends on the trials, not on the threads; a comparison cannot be sharded.
    for (label, scenario) in [("base", base), ("policy", policy)] {
        if let Some(m) = scenario::limits::check_memory(scenario, trials) {
            let _ = writeln!(err, "error: {label} side: {m}; run fewer --trials");
            return EXIT_USAGE;
        }
    }
    let opts = RunOptions {
        trials,
        seed,
        first_trial: 0,
        threads: args.threads,
    };
    let inputs = match (Inputs::read(&base.meta), Inputs::read(&policy.meta)) {
        (Ok(b), Ok(p)) => [b, p],
        (Err(e), _) | (_, Err(e)) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    let mut runs = Vec::with_capacity(2);
    for (label, scenario) in [("base", base), ("policy", policy)] {
        match run_side(label, scenario, &opts, runner, stop) {
            Ok(r) => runs.push(r),
            Err(RunError::Cancelled) => {
                return interrupted(err);
            }
            Err(RunError::Resources(m)) => {
                let _ = writeln!(err, "error: {label} side: {m}; run fewer --trials");
                return EXIT_USAGE;
            }
        }
    }
    let (base_r, policy_r) = (&runs[0], &runs[1]);
    let cmp = match compare_runs(base_r, policy_r) {
        Ok(c) => c,
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            return EXIT_USAGE;
        }
    };
    for (which, names) in [("base", &cmp.only_base), ("policy", &cmp.only_policy)] {
        if !names.is_empty() {
            let _ = writeln!(
                err,
                "warning: {} metric(s) only in the {which} scenario are not compared: {}",
                names.len(),
                first_few(names)
            );
        }
    }

    // Rank correlations are the heavy part after the runs; `cli::main` keeps them to --threads.
    let sens = [
        sensitivities(base_r),
        sensitivities(policy_r),
        difference_sensitivities(base_r, policy_r),
    ];
    let info = CompareInfo {
        base: SideInfo {
            name: base.meta.name.clone(),
            file: args.base.clone(),
        },
        policy: SideInfo {
            name: policy.meta.name.clone(),
            file: args.policy.clone(),
        },
        seed,
        trials: base_r.trials,
        horizon: base.meta.horizon,
        period: base.meta.period.name().to_string(),
    };
    let run_info = CompareRunInfo {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        base_file: args.base.to_string_lossy().into_owned(),
        base_world_file: base
            .meta
            .world_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        policy_file: args.policy.to_string_lossy().into_owned(),
        policy_world_file: policy
            .meta
            .world_file
            .as_ref()
            .map(|p| p.to_string_lossy().into_owned()),
        seed,
        trials,
        command: reproduce(args, trials, seed),
        files: Vec::new(),
    };
    let figures = if args.no_charts {
        Vec::new()
    } else {
        let mut f = charts::plan_named(Some(policy), base_r, policy_r, &sens[0], &sens[1]);
        f.extend(charts::series_figures(base, base_r, policy_r));
        f
    };
    let one_side = |r: &RunResults, names: &[String]| {
        names
            .iter()
            .filter_map(|n| r.metric_index(n).map(|m| (n.clone(), r.summary(m))))
            .collect::<Vec<_>>()
    };
    let ctx = PageContext {
        base,
        policy,
        difference: &sens[2],
        only_base: one_side(base_r, &cmp.only_base),
        only_policy: one_side(policy_r, &cmp.only_policy),
    };
    let page =
        |charts: &[InlineChart]| comparison_html_named(&info, &cmp, charts, &ctx).into_bytes();
    let html = (!args.no_charts).then_some(&page as Page<'_>);
    let run_info = CompareRunInfo {
        command: super::with_set(run_info.command, &args.set),
        ..run_info
    };
    let staged = stage(&target, args.force, run_info, &figures, html, |put| {
        put("comparison.json", comparison_json(&info, &cmp))?;
        put("comparison.csv", comparison_csv_named(&cmp, Some(base)))?;
        put(
            "sensitivity.csv",
            sensitivity_csv(&sens[0], &sens[1], &sens[2]),
        )?;
        for (side, input) in ["base", "policy"].iter().zip(inputs) {
            put(&format!("{side}-scenario.toml"), input.scenario)?;
            if let Some(world) = input.world {
                put(&format!("{side}-world.toml"), world)?;
            }
        }
        Ok(())
    });
    // Ctrl-C while writing: dropping the staging directory removes it; nothing reaches the target.
    if stop.is_some_and(|s| s.load(Ordering::SeqCst)) {
        return interrupted(err);
    }
    match staged.and_then(Staging::commit) {
        Ok(()) => {
            // The comparison is in place; a closed or full stdout only loses the printed table.
            let code = super::term::print(out, &compare_table_named(&info, &cmp, Some(base)), err)
                .err()
                .unwrap_or(EXIT_OK);
            let _ = writeln!(err, "comparison written to {}", target.display());
            code
        }
        Err(e) => {
            let _ = writeln!(err, "error: {e}");
            EXIT_OUTPUT
        }
    }
}

/// Up to eight names, then how many more (comparison.json lists them all).
fn first_few(names: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut s = names[..names.len().min(SHOWN)].join(", ");
    if names.len() > SHOWN {
        s.push_str(&format!(
            " and {} more (listed in comparison.json)",
            names.len() - SHOWN
        ));
    }
    s
}

fn interrupted(err: &mut dyn Write) -> i32 {
    let _ = writeln!(err, "interrupted: no results written");
    EXIT_INTERRUPTED
}

/// Runs one side with a progress bar (drawn only when stderr is a terminal); Ctrl-C (`stop`)
/// cancels it at the next progress report. Also the runner of each of `portfolio`'s variants and
/// `sweep`'s points.
pub(crate) fn run_side(
    label: &str,
    scenario: &Scenario,
    opts: &RunOptions,
    runner: Runner<'_>,
    stop: Option<&AtomicBool>,
) -> Result<RunResults, RunError> {
    let bar = ProgressBar::with_draw_target(Some(opts.trials), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template(
        "{prefix:>6} {bar:40} {human_pos}/{human_len} trials  {elapsed} elapsed, about {eta} left",
    ) {
        bar.set_style(style);
    }
    bar.set_prefix(label.to_string());
    // Chunks finish on several threads, so reports can arrive out of order: show the furthest.
    let furthest = AtomicU64::new(0);
    let progress = |done: u64, _total: u64| {
        bar.set_position(furthest.fetch_max(done, Ordering::Relaxed).max(done));
        !stop.is_some_and(|s| s.load(Ordering::SeqCst))
    };
    let r = runner(scenario, opts, &progress);
    bar.finish_and_clear();
    r
}

/// A staging directory holding `body`'s files, then `run.json` listing them.
fn stage(
    target: &Path,
    force: bool,
    mut info: CompareRunInfo,
    figures: &[charts::CompareFigure],
    html: Option<Page<'_>>,
    body: impl FnOnce(
        &mut dyn FnMut(&str, Vec<u8>) -> Result<(), OutputError>,
    ) -> Result<(), OutputError>,
) -> Result<Staging, OutputError> {
    let staging = Staging::new(target, force)?;
    let mut put = |name: &str, bytes: Vec<u8>| {
        info.files.push(name.to_string());
        staging.write(name, &bytes)
    };
    body(&mut put)?;
    let (drawn, inline) = charts::draw_all(staging.path(), figures)?;
    info.files.extend(drawn);
    if let Some(page) = html {
        info.files.push(HTML.into());
        staging.write(HTML, &page(&inline))?;
    }
    info.files.push(MARKER.into());
    staging.write(MARKER, &compare_run_json(&info))?;
    Ok(staging)
}

/// The command line that reproduces a comparison: resolved trials and seed and the options that
/// change the files written; not `--threads` (results do not depend on it) nor output placement.
pub fn reproduce(args: &CompareArgs, trials: u64, seed: u64) -> Vec<String> {
    let mut c: Vec<String> = vec![
        "chokepoint".into(),
        "compare".into(),
        args.base.to_string_lossy().into_owned(),
        args.policy.to_string_lossy().into_owned(),
        "--trials".into(),
        trials.to_string(),
        "--seed".into(),
        seed.to_string(),
    ];
    if args.no_charts {
        c.push("--no-charts".into());
    }
    if args.design != crate::run::DesignKind::Mc {
        c.push("--design".into());
        c.push(args.design.name().into());
    }
    c
}
