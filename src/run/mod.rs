//! Many trials: fixed-size chunks on rayon, shards, progress callbacks, per-trial result arrays.
//!
//! Trials are cut into chunks of `CHUNK` by trial index; each chunk writes into its own slices of
//! the preallocated result arrays, and every trial draws from streams keyed by its global index.
//! Results are therefore bit-identical for any thread count, and a shard (`first_trial`) is a
//! plain slice of the whole run. `stream` runs blocks of trials into streaming statistics, for runs
//! of any size in bounded memory.

pub mod costs;
pub mod memory;
pub mod precision;
pub mod results;
pub mod stream;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use rayon::prelude::*;

pub use results::RunResults;

use crate::engine::{self, TrialOut, Workspace};
use crate::model::Model;
use crate::scenario::Scenario;

/// Trials per chunk: the unit of work stealing and of progress reports.
pub const CHUNK: usize = 64;

/// How many trials to run and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunOptions {
    /// Number of trials to run.
    pub trials: u64,
    pub seed: u64,
    /// Global index of the first trial (non-zero for a shard); trial `first_trial + i` draws from
    /// the streams of that global index, so shards concatenate into the unsharded result.
    pub first_trial: u64,
    /// Worker threads; `None` = all cores. Never changes results.
    pub threads: Option<usize>,
}

/// `run --design` / `compare --design`: how the uncertain parameters of the trials are chosen.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum DesignKind {
    /// Plain Monte Carlo: every parameter from its own keyed stream (the default).
    #[default]
    Mc,
    /// Latin hypercube over the run's trials (`--trials`, the whole run for a shard).
    Lhs,
    /// Owen-scrambled Sobol' sequence (at most `sample::design::MAX_SOBOL_DIMS` uncertain
    /// parameters).
    Sobol,
}

impl DesignKind {
    /// The name given on the command line (`mc`, `lhs`, `sobol`).
    pub fn name(self) -> &'static str {
        match self {
            DesignKind::Mc => "mc",
            DesignKind::Lhs => "lhs",
            DesignKind::Sobol => "sobol",
        }
    }

    /// Puts the design into `model` for a run of `total` trials (every shard of a run passes the
    /// same total, so the design and each trial's values are those of the unsharded run).
    /// Plain Monte Carlo leaves the model as compiled.
    pub fn apply(self, model: &mut Model, total: u64) -> Result<(), String> {
        self.apply_over(model, total, &[])
    }

    /// `apply` with the design's dimensions numbered over `paths` (the uncertain parameter paths
    /// of both sides of a comparison, `uncertain_paths`), so that a parameter path takes the same
    /// values in every model given the same `paths`; empty: the model's own order.
    pub fn apply_over(self, model: &mut Model, total: u64, paths: &[String]) -> Result<(), String> {
        use crate::sample::design::{Design, MAX_SOBOL_DIMS, SobolSeq};
        if !paths.is_empty() {
            let own = uncertain_paths(model);
            model.params.design_dims = own
                .iter()
                .map(|p| {
                    paths
                        .iter()
                        .position(|q| q == p)
                        .ok_or_else(|| format!("design dimensions do not list parameter {p}"))
                })
                .collect::<Result<_, _>>()?;
        }
        let design = match self {
            DesignKind::Mc => return Ok(()),
            DesignKind::Lhs => Design::Lhs { n: total },
            DesignKind::Sobol => {
                let k = if paths.is_empty() {
                    model.params.reported.len()
                } else {
                    paths.len()
                };
                if total > 1 << 32 {
                    return Err(format!(
                        "--design sobol supports at most 2^32 trials, not {total}"
                    ));
                }
                Design::Sobol(std::sync::Arc::new(SobolSeq::new(k).map_err(|_| {
                    format!(
                        "--design sobol: this scenario has {k} uncertain parameters, more than \
                         the {MAX_SOBOL_DIMS} dimensions of the embedded Sobol' table; use \
                         --design lhs or mc"
                    )
                })?))
            }
        };
        model.params.design = Some(std::sync::Arc::new(design));
        Ok(())
    }
}

/// The paths of `model`'s uncertain (reported) parameters, in its design order.
pub fn uncertain_paths(model: &Model) -> Vec<String> {
    model
        .params
        .reported
        .iter()
        .map(|&px| model.params.specs[px as usize].path.clone())
        .collect()
}

/// The design dimensions of a comparison: `a`'s uncertain parameter paths, then those of `b`
/// that `a` lacks.
pub fn union_paths(a: &Model, b: &Model) -> Vec<String> {
    let mut paths = uncertain_paths(a);
    for p in uncertain_paths(b) {
        if !paths.contains(&p) {
            paths.push(p);
        }
    }
    paths
}

/// `run` with a sampling design over a run of `total` trials.
pub fn run_design(
    scenario: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
    design: DesignKind,
    total: u64,
) -> Result<RunResults, RunError> {
    run_design_over(scenario, opts, progress, design, total, &[])
}

/// `run_design` with the design's dimensions numbered over `paths` (`DesignKind::apply_over`).
pub fn run_design_over(
    scenario: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
    design: DesignKind,
    total: u64,
    paths: &[String],
) -> Result<RunResults, RunError> {
    if design == DesignKind::Mc {
        return run(scenario, opts, progress);
    }
    if let Some(m) = crate::scenario::limits::check_memory(scenario, opts.trials) {
        return Err(RunError::Resources(format!(
            "{m}: run fewer trials (--trials) or split the run into shards"
        )));
    }
    let mut model = Model::compile(scenario);
    design
        .apply_over(&mut model, total, paths)
        .map_err(RunError::Resources)?;
    run_model(&model, opts, progress)
}

/// Why a run stopped without results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunError {
    /// The progress callback asked to stop (Ctrl-C).
    Cancelled,
    /// The run would not fit in memory or could not start its thread pool.
    Resources(String),
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RunError::Cancelled => write!(f, "run cancelled"),
            RunError::Resources(m) => write!(f, "{m}"),
        }
    }
}

impl std::error::Error for RunError {}

/// Runs `opts.trials` trials of `scenario`. `progress(done, total)` is called after each chunk,
/// from worker threads; returning `false` cancels the run.
pub fn run(
    scenario: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    if let Some(m) = crate::scenario::limits::check_memory(scenario, opts.trials) {
        return Err(RunError::Resources(format!(
            "{m}: run fewer trials (--trials) or split the run into shards"
        )));
    }
    let model = Model::compile(scenario);
    run_model(&model, opts, progress)
}

/// One chunk of trials and the slices its results go to.
struct Chunk<'a> {
    first: usize,
    len: usize,
    metrics: &'a mut [f64],
    params: &'a mut [f64],
    series: &'a mut [f32],
}

/// Runs an already compiled model (benchmarks and tests reuse one model for many runs).
pub fn run_model(
    model: &Model,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    let (wm, wp) = (model.n_metrics(), model.n_params());
    let ws_len = model.n_series() * model.horizon;
    let bytes = memory::result_bytes(opts.trials, wm, wp, model.n_series(), model.horizon);
    if bytes > memory::MAX_RESULT_BYTES {
        return Err(RunError::Resources(format!(
            "{} trials need {:.1} GiB for per-trial results (limit {} GiB): run fewer trials \
             (--trials) or split the run into shards",
            opts.trials,
            bytes as f64 / (1u64 << 30) as f64,
            memory::MAX_RESULT_BYTES >> 30
        )));
    }
    let n = opts.trials as usize;
    let mut metrics = alloc::<f64>(n * wm)?;
    let mut params = alloc::<f64>(n * wp)?;
    let mut series = alloc::<f32>(n * ws_len)?;

    let mut chunks = Vec::with_capacity(n.div_ceil(CHUNK));
    {
        let (mut m, mut p, mut s) = (&mut metrics[..], &mut params[..], &mut series[..]);
        let mut first = 0;
        while first < n {
            let len = CHUNK.min(n - first);
            let (a, m2) = std::mem::take(&mut m).split_at_mut(len * wm);
            let (b, p2) = std::mem::take(&mut p).split_at_mut(len * wp);
            let (c, s2) = std::mem::take(&mut s).split_at_mut(len * ws_len);
            chunks.push(Chunk {
                first,
                len,
                metrics: a,
                params: b,
                series: c,
            });
            (m, p, s) = (m2, p2, s2);
            first += len;
        }
    }

    let done = AtomicU64::new(0);
    let cancelled = AtomicBool::new(false);
    let total = opts.trials;
    let work = || {
        chunks.into_par_iter().for_each_init(
            || Workspace::new(model),
            |ws, ch| {
                if cancelled.load(Ordering::Relaxed) {
                    return;
                }
                for i in 0..ch.len {
                    let trial = opts.first_trial + (ch.first + i) as u64;
                    engine::run_trial(
                        model,
                        ws,
                        opts.seed,
                        trial,
                        TrialOut {
                            metrics: &mut ch.metrics[i * wm..(i + 1) * wm],
                            params: &mut ch.params[i * wp..(i + 1) * wp],
                            series: &mut ch.series[i * ws_len..(i + 1) * ws_len],
                        },
                    );
                }
                let d = done.fetch_add(ch.len as u64, Ordering::Relaxed) + ch.len as u64;
                if !progress(d, total) {
                    cancelled.store(true, Ordering::Relaxed);
                }
            },
        )
    };
    match opts.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| RunError::Resources(format!("could not start {t} worker threads: {e}")))?
            .install(work),
        None => work(),
    }
    if cancelled.load(Ordering::Relaxed) {
        return Err(RunError::Cancelled);
    }
    Ok(RunResults {
        seed: opts.seed,
        first_trial: opts.first_trial,
        trials: n,
        horizon: model.horizon,
        metric_names: model.names.metrics.clone(),
        metrics,
        param_paths: model.names.params.clone(),
        params,
        series_names: model.names.series.clone(),
        series,
    })
}

fn alloc<T: Clone + Default>(len: usize) -> Result<Vec<T>, RunError> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| {
        RunError::Resources(format!(
            "could not allocate {len} result values: run fewer trials (--trials) or use shards"
        ))
    })?;
    v.resize(len, T::default());
    Ok(v)
}

/// Concatenates shards of one run, in order. Panics if they do not fit together (different
/// seeds, names or horizons, or gaps between trial ranges); use `try_merge` for shards read from
/// files.
pub fn merge(shards: Vec<RunResults>) -> RunResults {
    match try_merge(shards) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    }
}

/// Concatenates shards of one run, checking that they belong together and are contiguous.
pub fn try_merge(shards: Vec<RunResults>) -> Result<RunResults, String> {
    for s in &shards {
        let per_trial = |w: usize| s.trials.checked_mul(w);
        if per_trial(s.metric_names.len()) != Some(s.metrics.len())
            || per_trial(s.param_paths.len()) != Some(s.params.len())
            || s.series_names
                .len()
                .checked_mul(s.horizon)
                .and_then(per_trial)
                != Some(s.series.len())
        {
            return Err(format!(
                "shard starting at trial {} holds arrays whose lengths do not match its {} trials",
                s.first_trial, s.trials
            ));
        }
    }
    let mut it = shards.into_iter();
    let Some(mut acc) = it.next() else {
        return Err("no shards to merge".into());
    };
    for s in it {
        if s.seed != acc.seed
            || s.horizon != acc.horizon
            || s.metric_names != acc.metric_names
            || s.param_paths != acc.param_paths
            || s.series_names != acc.series_names
        {
            return Err(format!(
                "shard starting at trial {} comes from a different run (seed, horizon or \
                 scenario differ)",
                s.first_trial
            ));
        }
        let next = acc.first_trial.checked_add(acc.trials as u64);
        if Some(s.first_trial) != next {
            return Err(format!(
                "shard starting at trial {} does not follow the previous one (expected trial \
                 {}): merge shards in order, with no gaps",
                s.first_trial,
                next.map_or("past the last".into(), |n| n.to_string())
            ));
        }
        acc.trials += s.trials;
        acc.metrics.extend_from_slice(&s.metrics);
        acc.params.extend_from_slice(&s.params);
        acc.series.extend_from_slice(&s.series);
    }
    Ok(acc)
}
