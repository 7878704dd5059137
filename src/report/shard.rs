//! `trials.bin`: a shard's per-trial arrays, so `chokepoint merge` can rebuild the full run. Layout
//! (all integers and floats little-endian):
//!
//! ```text
//! b"CHOKESHD"            8-byte magic
//! u32 format version     (1)
//! u64 header length      then that many bytes of JSON: ShardHeader
//! f64 x trials x metrics       metrics, trial-major
//! f64 x trials x params        sampled parameters, trial-major
//! f32 x trials x series x horizon
//! ```
//!
//! Values are stored bit for bit, so a merged run equals the unsharded one exactly.

use serde::{Deserialize, Serialize};

use crate::run::RunResults;

const MAGIC: &[u8; 8] = b"CHOKESHD";
const VERSION: u32 = 1;

/// What a shard holds, apart from the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardHeader {
    pub seed: u64,
    /// Global index of the shard's first trial.
    pub first_trial: u64,
    pub trials: u64,
    /// Trials of the whole run the shard belongs to.
    pub total_trials: u64,
    pub horizon: usize,
    pub metric_names: Vec<String>,
    pub param_paths: Vec<String>,
    pub series_names: Vec<String>,
}

/// The bytes of `trials.bin` for `results`, a part of a run of `total_trials` trials.
pub fn encode(results: &RunResults, total_trials: u64) -> Vec<u8> {
    let header = ShardHeader {
        seed: results.seed,
        first_trial: results.first_trial,
        trials: results.trials as u64,
        total_trials,
        horizon: results.horizon,
        metric_names: results.metric_names.clone(),
        param_paths: results.param_paths.clone(),
        series_names: results.series_names.clone(),
    };
    let json =
        serde_json::to_vec(&header).expect("structs of strings and numbers always serialize");
    let mut out = Vec::with_capacity(
        20 + json.len()
            + 8 * (results.metrics.len() + results.params.len())
            + 4 * results.series.len(),
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&json);
    for v in results.metrics.iter().chain(&results.params) {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for v in &results.series {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Reads `trials.bin` back. Errors are lowercase fragments naming what is wrong.
pub fn decode(bytes: &[u8]) -> Result<(ShardHeader, RunResults), String> {
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<&[u8], String> {
        if rest.len() < n {
            return Err("file is truncated".into());
        }
        let (a, b) = rest.split_at(n);
        rest = b;
        Ok(a)
    };
    if take(8)? != MAGIC {
        return Err("not a chokepoint shard file".into());
    }
    let version = u32::from_le_bytes(take(4)?.try_into().expect("4 bytes"));
    if version != VERSION {
        return Err(format!(
            "shard format version {version}, this chokepoint reads version {VERSION}"
        ));
    }
    let len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
    let len = usize::try_from(len).map_err(|_| "file is truncated".to_string())?;
    let header: ShardHeader =
        serde_json::from_slice(take(len)?).map_err(|e| format!("bad shard header: {e}"))?;
    let trials = usize::try_from(header.trials).map_err(|_| "too many trials".to_string())?;
    let count = |w: usize| {
        trials
            .checked_mul(w)
            .ok_or_else(|| "shard header sizes overflow".to_string())
    };
    let nm = count(header.metric_names.len())?;
    let np = count(header.param_paths.len())?;
    let ns = count(
        header
            .series_names
            .len()
            .checked_mul(header.horizon)
            .ok_or_else(|| "shard header sizes overflow".to_string())?,
    )?;
    let expected = nm
        .checked_add(np)
        .and_then(|v| v.checked_mul(8))
        .and_then(|v| ns.checked_mul(4).and_then(|s| v.checked_add(s)))
        .ok_or_else(|| "shard header sizes overflow".to_string())?;
    if rest.len() != expected {
        return Err(format!(
            "expected {expected} bytes of trial data after the header, found {}",
            rest.len()
        ));
    }
    let f64s = |b: &[u8]| -> Vec<f64> {
        b.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    };
    let (m, rest) = rest.split_at(8 * nm);
    let (p, s) = rest.split_at(8 * np);
    let results = RunResults {
        seed: header.seed,
        first_trial: header.first_trial,
        trials,
        horizon: header.horizon,
        metric_names: header.metric_names.clone(),
        metrics: f64s(m),
        param_paths: header.param_paths.clone(),
        params: f64s(p),
        series_names: header.series_names.clone(),
        series: s
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect(),
    };
    Ok((header, results))
}

/// Concatenates shards into one run. They must share seed, names and horizon and, sorted by first
/// trial, cover trials `0..total_trials` exactly once.
pub fn concat(mut parts: Vec<(ShardHeader, RunResults)>) -> Result<RunResults, String> {
    parts.sort_by_key(|(h, _)| h.first_trial);
    let Some((first, _)) = parts.first() else {
        return Err("no shards given".into());
    };
    let first = first.clone();
    let mut next = 0u64;
    for (h, _) in &parts {
        if h.seed != first.seed || h.total_trials != first.total_trials {
            return Err(format!(
                "shards come from different runs (seed {} of {} trials and seed {} of {} trials)",
                first.seed, first.total_trials, h.seed, h.total_trials
            ));
        }
        if h.first_trial != next {
            return Err(if h.first_trial < next {
                format!("trials from {} are given twice", h.first_trial)
            } else {
                format!("trials {next}..{} are missing", h.first_trial)
            });
        }
        next = h.first_trial + h.trials;
    }
    if next != first.total_trials {
        return Err(format!("trials {next}..{} are missing", first.total_trials));
    }
    // Same names and horizon, then plain concatenation: the runner's own merge.
    crate::run::try_merge(parts.into_iter().map(|(_, r)| r).collect())
}
