//! Many trials: fixed-size chunks on rayon, shards, progress callbacks, per-trial result arrays.

pub mod results;

pub use results::RunResults;

use crate::scenario::Scenario;

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
    // Replaced by the parallel runner (engine work in progress).
    let _ = (scenario, opts, progress);
    Err(RunError::Resources("the engine is not built yet".into()))
}
