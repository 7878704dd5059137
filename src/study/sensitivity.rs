//! Global sensitivity of one metric to every uncertain parameter of a scenario: the scenario runs
//! on a Saltelli design (Sobol' indices) or on Morris trajectories (elementary effects), in batches
//! of trials so the per-trial arrays stay small, and the metric's values go to the estimators of
//! `stats::sobol` or `stats::morris`.
//!
//! Every trial's parameters come from the design, indexed by global trial, so the result is the
//! same on any thread count; only the chosen metric is kept from each batch.

use std::sync::Arc;

use crate::model::Model;
use crate::model::params::Factor;
use crate::run::{RunError, RunOptions, memory, run_model};
use crate::sample::Design;
use crate::scenario::Scenario;
use crate::stats::morris::{MorrisIndex, MorrisResult, morris_indices};
use crate::stats::sobol::Estimate;
use crate::stats::sobol::{RESAMPLES, SobolResult, sobol_indices};

/// Which indices to estimate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Method {
    /// Variance-based first- and total-order indices (Saltelli design).
    Sobol,
    /// Morris elementary effects (screening; far fewer trials per parameter).
    Morris,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Sobol => "sobol",
            Method::Morris => "morris",
        }
    }
}

/// The base sample of a Saltelli design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Base {
    /// `sobol` when the parameters fit the embedded direction numbers (two dimensions each),
    /// `random` otherwise, so a study runs on a scenario of any size.
    Auto,
    /// Owen-scrambled Sobol' sequence (faster convergence; at most 2,048 parameters: its 4,096
    /// dimensions, two per parameter).
    Sobol,
    /// Independent uniforms from keyed streams (any number of parameters).
    Random,
}

impl Base {
    /// The base a request resolves to for `params` uncertain parameters: `Sobol` or `Random`.
    pub fn resolve(self, params: usize) -> Base {
        match self {
            Base::Auto if 2 * params <= crate::sample::design::MAX_SOBOL_DIMS => Base::Sobol,
            Base::Auto => Base::Random,
            b => b,
        }
    }
}

/// What a Sobol' index is computed for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Grouping {
    /// Every uncertain parameter on its own.
    Parameter,
    /// The parameters of one entity together (a shock, a policy, a sector, a producer, an
    /// inventory, a commodity): one index per lever or risk, far fewer trials per base sample.
    Entity,
}

/// The entity a parameter belongs to, in words: `policy.eu-pilot-magnets.initial` ->
/// `policy eu-pilot-magnets`, `sector.US.ev.value_added` -> `sector US ev`.
pub fn entity(path: &str) -> String {
    let parts: Vec<&str> = path.split('.').collect();
    let n = match parts[0] {
        "producer" | "sector" | "inventory" => 3,
        _ => 2,
    }
    .min(parts.len());
    parts[..n].join(" ")
}

#[derive(Debug, Clone, PartialEq)]
pub struct SensitivityOptions {
    pub method: Method,
    pub metric: String,
    /// Model runs to spend; rounded down to whole design groups (`k + 2` for Sobol, `k + 1` for
    /// Morris trajectories), at least two groups.
    pub trials: u64,
    pub seed: u64,
    pub threads: Option<usize>,
    pub base: Base,
    pub group: Grouping,
}

/// One parameter's indices.
#[derive(Debug, Clone, PartialEq)]
pub enum Indices {
    Sobol(crate::stats::sobol::SobolIndex),
    Morris(crate::stats::morris::MorrisIndex),
}

/// What a study found.
#[derive(Debug, Clone, PartialEq)]
pub struct Study {
    pub method: Method,
    pub metric: String,
    pub seed: u64,
    /// Uncertain parameters, in design order (their paths as in `trials.csv`), or with
    /// `Grouping::Entity` the entities in words.
    pub params: Vec<String>,
    /// Parameters in each entry of `params` (all 1 without grouping).
    pub sizes: Vec<usize>,
    /// What each entry of `params` is (`Factor::Value` for an entity). Under Morris an event's
    /// mu* is its on/off difference, and an event's probability is not screened (its indices
    /// are NaN): the design switches the event itself.
    pub factors: Vec<Factor>,
    /// Design groups (Saltelli rows or Morris trajectories) and model runs.
    pub groups: u64,
    pub trials: u64,
    /// Short description of the design, e.g. "Saltelli, scrambled Sobol' base".
    pub design: String,
    pub mean: f64,
    pub mean_se: f64,
    /// The metric's variance (Sobol only).
    pub variance: Option<f64>,
    pub sobol: Option<SobolResult>,
    pub morris: Option<MorrisResult>,
}

impl Study {
    /// `(path, indices)` for every parameter, in design order.
    pub fn rows(&self) -> Vec<(&str, Indices)> {
        let idx: Vec<Indices> = match (&self.sobol, &self.morris) {
            (Some(s), _) => s.indices.iter().copied().map(Indices::Sobol).collect(),
            (_, Some(m)) => m.indices.iter().copied().map(Indices::Morris).collect(),
            _ => Vec::new(),
        };
        self.params.iter().map(String::as_str).zip(idx).collect()
    }

    /// The ranking value of parameter `i`: total order (Sobol) or mu* (Morris).
    pub fn importance(&self, i: usize) -> f64 {
        match (&self.sobol, &self.morris) {
            (Some(s), _) => s.indices[i].total.value,
            (_, Some(m)) => m.indices[i].mu_star.value,
            _ => f64::NAN,
        }
    }

    /// Parameter indices, most important first (NaN last, then design order).
    pub fn ranked(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.params.len()).collect();
        order.sort_by(|&a, &b| {
            let (x, y) = (self.importance(a), self.importance(b));
            match (x.is_nan(), y.is_nan()) {
                (true, true) => a.cmp(&b),
                (true, false) => std::cmp::Ordering::Greater,
                (false, true) => std::cmp::Ordering::Less,
                _ => y.total_cmp(&x).then(a.cmp(&b)),
            }
        });
        order
    }
}

/// Why a study could not run.
#[derive(Debug, Clone, PartialEq)]
pub enum StudyError {
    /// A bad request (unknown metric, nothing uncertain, too few trials): exit 2.
    Usage(String),
    Run(RunError),
}

impl std::fmt::Display for StudyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StudyError::Usage(m) => f.write_str(m),
            StudyError::Run(e) => write!(f, "{e}"),
        }
    }
}

/// Largest per-batch result arrays (the batch's trials times their metrics, parameters, series).
const BATCH_BYTES: u128 = 256 << 20;

/// What a request resolves to, checked before any run.
pub struct Plan {
    /// The compiled scenario with the design in place.
    pub model: Model,
    pub design: Design,
    /// Base samples or trajectories.
    pub groups: u64,
    /// The factors the indices are for (parameter paths or entities) and their sizes.
    pub names: Vec<String>,
    pub sizes: Vec<usize>,
    /// What each factor is (`Factor::Value` for an entity).
    pub factors: Vec<Factor>,
    /// The Saltelli base used (`Sobol` or `Random`, `Auto` resolved).
    pub base: Base,
}

/// The model, its design and the group count a request resolves to (checked before any run).
pub fn plan(scenario: &Scenario, opts: &SensitivityOptions) -> Result<Plan, StudyError> {
    let mut model = Model::compile(scenario);
    if !model.names.metrics.contains(&opts.metric) {
        let known: Vec<&str> = model.names.metrics.iter().map(String::as_str).collect();
        return Err(StudyError::Usage(format!(
            "--metric names no metric of this scenario: \"{}\"; {}",
            opts.metric,
            crate::scenario::suggest::did_you_mean(&opts.metric, &known)
        )));
    }
    let k = model.params.reported.len();
    if k == 0 {
        return Err(StudyError::Usage(
            "the scenario has no uncertain parameters: every value is fixed, so nothing can \
             explain the metric's spread"
                .into(),
        ));
    }
    let base = opts.base.resolve(k);
    let (mut names, mut sizes) = (model.names.params.clone(), vec![1; k]);
    let mut factors = model.params.factors();
    let design = match (opts.method, opts.group) {
        (Method::Sobol, Grouping::Parameter) => {
            Design::saltelli(k, base == Base::Sobol).map_err(StudyError::Usage)?
        }
        (Method::Sobol, Grouping::Entity) => {
            let (mut of, mut groups) = (Vec::with_capacity(k), Vec::<String>::new());
            for p in &model.names.params {
                let e = entity(p);
                let g = groups.iter().position(|x| *x == e).unwrap_or_else(|| {
                    groups.push(e);
                    groups.len() - 1
                });
                of.push(g);
            }
            sizes = (0..groups.len())
                .map(|g| of.iter().filter(|&&x| x == g).count())
                .collect();
            names = groups;
            factors = vec![Factor::Value; names.len()];
            Design::saltelli_grouped(of, base == Base::Sobol).map_err(StudyError::Usage)?
        }
        (Method::Morris, Grouping::Parameter) => Design::Morris { k },
        (Method::Morris, Grouping::Entity) => {
            return Err(StudyError::Usage(
                "--group entity works with --method sobol only (Morris screens parameters one \
                 by one)"
                    .into(),
            ));
        }
    };
    let k = names.len();
    let g = design.group();
    let groups = opts.trials / g;
    if groups < 2 {
        return Err(StudyError::Usage(format!(
            "--trials {} is too few: {} with {k} uncertain {} needs {g} trials per {}, \
             so at least {} trials (hundreds of {}s for useful intervals)",
            opts.trials,
            opts.method.name(),
            match opts.group {
                Grouping::Parameter => "parameters",
                Grouping::Entity => "entities",
            },
            group_word(opts.method),
            2 * g,
            group_word(opts.method)
        )));
    }
    model.params.design = Some(Arc::new(design.clone()));
    Ok(Plan {
        model,
        design,
        groups,
        names,
        sizes,
        factors,
        base,
    })
}

fn group_word(m: Method) -> &'static str {
    match m {
        Method::Sobol => "base sample",
        Method::Morris => "trajectory",
    }
}

/// Runs the study; `progress(done, total)` as for `run::run` (returning `false` cancels).
pub fn run_sensitivity(
    scenario: &Scenario,
    opts: &SensitivityOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<Study, StudyError> {
    let Plan {
        model,
        design,
        groups,
        names: params,
        sizes,
        factors,
        base,
    } = plan(scenario, opts)?;
    let g = design.group();
    let total = groups * g;
    let metric = model
        .names
        .metrics
        .iter()
        .position(|m| *m == opts.metric)
        .expect("checked by plan");
    let per_trial = memory::result_bytes(
        1,
        model.n_metrics(),
        model.n_params(),
        model.n_series(),
        model.horizon,
    )
    .max(1);
    // Whole groups per batch, at least one.
    let batch = ((BATCH_BYTES / per_trial) as u64 / g).max(1) * g;
    let mut values = Vec::with_capacity(total as usize);
    let mut first = 0;
    while first < total {
        let n = batch.min(total - first);
        let run_opts = RunOptions {
            trials: n,
            seed: opts.seed,
            first_trial: first,
            threads: opts.threads,
        };
        let done_before = first;
        let p = |d: u64, _t: u64| progress(done_before + d, total);
        let r = run_model(&model, &run_opts, &p).map_err(StudyError::Run)?;
        values.extend(r.metric_values(metric));
        first += n;
    }
    let k = params.len();
    let mut study = Study {
        method: opts.method,
        metric: opts.metric.clone(),
        seed: opts.seed,
        params,
        sizes,
        factors,
        groups,
        trials: total,
        design: String::new(),
        mean: f64::NAN,
        mean_se: f64::NAN,
        variance: None,
        sobol: None,
        morris: None,
    };
    match opts.method {
        Method::Sobol => {
            let s = within_threads(opts.threads, || {
                sobol_indices(&values, k, RESAMPLES, opts.seed)
            })?;
            study.design = format!(
                "Saltelli, {} base{}",
                match base {
                    Base::Sobol => "scrambled Sobol'",
                    Base::Random | Base::Auto => "random",
                },
                match opts.group {
                    Grouping::Entity => ", parameters grouped by entity",
                    Grouping::Parameter => "",
                }
            );
            (study.mean, study.mean_se, study.variance) = (s.mean, s.mean_se, Some(s.variance));
            study.sobol = Some(s);
        }
        Method::Morris => {
            let events: Vec<bool> = study.factors.iter().map(|f| *f == Factor::Event).collect();
            let mut m = within_threads(opts.threads, || {
                morris_indices(&values, &events, opts.seed, RESAMPLES, opts.seed)
            })?;
            // The design switches each event itself, so the probability behind it moves nothing:
            // its effects are exactly 0, which is no finding about the model. Not estimated.
            for (ix, f) in m.indices.iter_mut().zip(&study.factors) {
                if *f == Factor::Probability {
                    *ix = MorrisIndex {
                        mu: f64::NAN,
                        mu_star: Estimate {
                            value: f64::NAN,
                            se: f64::NAN,
                            low: f64::NAN,
                            high: f64::NAN,
                        },
                        sigma: f64::NAN,
                    };
                }
            }
            study.design = format!(
                "Morris, {} levels, step {}{}",
                crate::sample::design::MORRIS_LEVELS,
                "2/3",
                if events.contains(&true) {
                    ", events switched on and off"
                } else {
                    ""
                }
            );
            (study.mean, study.mean_se) = (m.mean, m.mean_se);
            study.morris = Some(m);
        }
    }
    Ok(study)
}

/// Runs `f` on a pool of `threads` workers, or on the global pool when `None`.
fn within_threads<T: Send>(
    threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, StudyError> {
    match threads {
        None => Ok(f()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build()
            .map(|pool| pool.install(f))
            .map_err(|e| {
                StudyError::Run(RunError::Resources(format!(
                    "could not start {n} worker threads: {e}"
                )))
            }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_automatic_base_is_sobol_while_the_parameters_fit_its_dimensions() {
        let fit = crate::sample::design::MAX_SOBOL_DIMS / 2;
        assert_eq!(Base::Auto.resolve(fit), Base::Sobol);
        assert_eq!(Base::Auto.resolve(fit + 1), Base::Random);
        assert_eq!(Base::Sobol.resolve(fit + 1), Base::Sobol);
        assert_eq!(Base::Random.resolve(1), Base::Random);
    }
}
