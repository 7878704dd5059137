//! Runs of any size in bounded memory: trials run in blocks of `BLOCK` (each block by `run_model`,
//! on the same chunks and keyed streams, so a trial's values are those of an exact run), every
//! block is folded into the streaming statistics (`stats::stream::Accumulator`) and handed to a
//! sink (the CLI streams `trials.csv` from it), then dropped. Memory is one block plus the
//! statistics' state, whatever the trial count.

use super::{RunError, RunOptions, RunResults, run_model};
use crate::model::Model;
use crate::stats::stream::Accumulator;

/// Trials per block: large enough to keep every core busy (16 chunks per core on 8 cores), small
/// enough that a block of the largest shipped scenario takes tens of MiB.
pub const BLOCK: u64 = crate::scenario::limits::STREAM_BLOCK;

/// Runs `opts.trials` trials of `model` into streaming statistics, counting `thresholds`
/// (`(metric, value)`). `progress(done, total)` is called as chunks finish (returning `false`
/// cancels); `sink` gets every block of per-trial results in trial order (returning `false`
/// cancels: the caller keeps its own error).
pub fn stream(
    model: &Model,
    opts: &RunOptions,
    thresholds: &[(String, f64)],
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
    sink: &mut (dyn FnMut(&RunResults) -> bool + Send),
) -> Result<Accumulator, RunError> {
    stream_until(model, opts, thresholds, progress, sink, &mut |_| false)
}

/// `stream`, stopping early after the first block for which `until` (given each block after the
/// sink) returns `true` (`--precision`, `run::precision`); the statistics then hold the trials run.
pub fn stream_until(
    model: &Model,
    opts: &RunOptions,
    thresholds: &[(String, f64)],
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
    sink: &mut (dyn FnMut(&RunResults) -> bool + Send),
    until: &mut (dyn FnMut(&RunResults) -> bool + Send),
) -> Result<Accumulator, RunError> {
    let names = &model.names;
    let mut acc = Accumulator::new(
        opts.seed,
        opts.first_trial,
        model.horizon,
        (&names.metrics, &names.params, &names.series),
        thresholds,
    );
    let total = opts.trials;
    let mut work = || -> Result<(), RunError> {
        let mut done = 0u64;
        while done < total {
            let len = BLOCK.min(total - done);
            let block_opts = RunOptions {
                trials: len,
                seed: opts.seed,
                first_trial: opts.first_trial + done,
                threads: None,
            };
            let before = done;
            let block = run_model(model, &block_opts, &|d, _| progress(before + d, total))?;
            acc.fold(&block).map_err(RunError::Resources)?;
            if !sink(&block) {
                return Err(RunError::Cancelled);
            }
            done += len;
            if until(&block) {
                break;
            }
        }
        Ok(())
    };
    match opts.threads {
        Some(t) => rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build()
            .map_err(|e| RunError::Resources(format!("could not start {t} worker threads: {e}")))?
            .install(work)?,
        None => work()?,
    }
    Ok(acc)
}
