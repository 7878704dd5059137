//! `trials.bin`: a shard's per-trial arrays, so `chokepoint merge` can rebuild the full run. Layout
//! (all integers and floats little-endian):
//!
//! ```text
//! b"CHOKESHD"            8-byte magic
//! u32 format version     (2)
//! u64 header length      L
//! u64 header checksum    FNV-1a 64 of the L header bytes
//! L bytes of JSON        ShardHeader (versions, scenario digest, sizes, payload length and checksum)
//! f64 x trials x metrics       metrics, trial-major
//! f64 x trials x params        sampled parameters, trial-major
//! f32 x trials x series x horizon
//! ```
//!
//! Values are stored bit for bit, so a merged run equals the unsharded one exactly. `decode`
//! refuses a file whose sizes, checksums or values do not hold up, before allocating anything the
//! file's length does not vouch for.

use serde::{Deserialize, Serialize};

use crate::run::RunResults;
use crate::stats::stream::Accumulator;

const MAGIC: &[u8; 8] = b"CHOKESHD";
/// The `trials.bin` format version this chokepoint writes and reads.
pub const VERSION: u32 = 2;
/// Bytes before the JSON header: magic, version, header length, header checksum.
const PREFIX: usize = 8 + 4 + 8 + 8;

/// What a shard holds, apart from the numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShardHeader {
    /// The chokepoint release that ran the shard (`CARGO_PKG_VERSION`).
    pub chokepoint_version: String,
    /// `engine::ENGINE_VERSION` of that release.
    pub engine_version: u32,
    /// `scenario_digest` of the scenario and world files copied into the shard directory.
    pub scenario_digest: u64,
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
    /// Bytes of numbers after the header.
    pub payload_len: u64,
    /// FNV-1a 64 of those bytes.
    pub payload_checksum: u64,
}

/// FNV-1a, 64 bits: the checksum of `trials.bin` and the scenario digest. Not cryptographic: it
/// catches damage and mix-ups, not a forger.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    fnv1a64_more(0xcbf2_9ce4_8422_2325, bytes)
}

fn fnv1a64_more(mut h: u64, bytes: &[u8]) -> u64 {
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// The digest of a run's input files as copied into its result directory: FNV-1a 64 over the
/// scenario's length and bytes, then (if there is one) the world's length and bytes.
pub fn scenario_digest(scenario: &[u8], world: Option<&[u8]>) -> u64 {
    let mut h = fnv1a64((scenario.len() as u64).to_le_bytes().as_slice());
    h = fnv1a64_more(h, scenario);
    if let Some(w) = world {
        h = fnv1a64_more(h, &(w.len() as u64).to_le_bytes());
        h = fnv1a64_more(h, w);
    }
    h
}

/// The bytes of `trials.bin` for `results`, a part of a run of `total_trials` trials whose input
/// files have digest `digest` (`scenario_digest`).
pub fn encode(results: &RunResults, total_trials: u64, digest: u64) -> Vec<u8> {
    let mut payload = Vec::with_capacity(
        8 * (results.metrics.len() + results.params.len()) + 4 * results.series.len(),
    );
    for v in results.metrics.iter().chain(&results.params) {
        payload.extend_from_slice(&v.to_le_bytes());
    }
    for v in &results.series {
        payload.extend_from_slice(&v.to_le_bytes());
    }
    let header = ShardHeader {
        chokepoint_version: env!("CARGO_PKG_VERSION").into(),
        engine_version: crate::engine::ENGINE_VERSION,
        scenario_digest: digest,
        seed: results.seed,
        first_trial: results.first_trial,
        trials: results.trials as u64,
        total_trials,
        horizon: results.horizon,
        metric_names: results.metric_names.clone(),
        param_paths: results.param_paths.clone(),
        series_names: results.series_names.clone(),
        payload_len: 0,
        payload_checksum: 0,
    };
    seal(&header, &payload)
}

/// Splits `trials.bin` into its JSON header and payload, checking the magic, the format version
/// and the header checksum (not the payload). Errors are lowercase fragments.
pub fn split(bytes: &[u8]) -> Result<(&[u8], &[u8]), String> {
    split_with(bytes, MAGIC, VERSION)
}

fn split_with<'a>(
    bytes: &'a [u8],
    magic: &[u8; 8],
    want: u32,
) -> Result<(&'a [u8], &'a [u8]), String> {
    let head = &bytes[..bytes.len().min(8)];
    if !magic.starts_with(head) || bytes.is_empty() {
        return Err("not a chokepoint shard file".into());
    }
    if bytes.len() < 12 {
        return Err("file is truncated".into());
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != want {
        return Err(format!(
            "shard format version {version}, this chokepoint reads version {want}: merge with \
             the chokepoint release that ran the shards"
        ));
    }
    if bytes.len() < PREFIX {
        return Err("file is truncated".into());
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let sum = u64::from_le_bytes(bytes[20..28].try_into().expect("8 bytes"));
    let rest = &bytes[PREFIX..];
    let len = match usize::try_from(len) {
        Ok(l) if l <= rest.len() => l,
        _ => {
            return Err(format!(
                "file is truncated or damaged: the header claims {len} bytes, {} remain",
                rest.len()
            ));
        }
    };
    let (json, payload) = rest.split_at(len);
    if fnv1a64(json) != sum {
        return Err("the header is damaged (its checksum does not match)".into());
    }
    Ok((json, payload))
}

/// Reassembles `trials.bin` from a header and a payload, with fresh sizes and checksums (tests
/// use it to forge consistent files).
pub fn seal(header: &ShardHeader, payload: &[u8]) -> Vec<u8> {
    let header = ShardHeader {
        payload_len: payload.len() as u64,
        payload_checksum: fnv1a64(payload),
        ..header.clone()
    };
    let json =
        serde_json::to_vec(&header).expect("structs of strings and numbers always serialize");
    seal_json(MAGIC, VERSION, &json, payload)
}

/// Magic, version, header length and checksum, the JSON header, the payload.
fn seal_json(magic: &[u8; 8], version: u32, json: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(PREFIX + json.len() + payload.len());
    out.extend_from_slice(magic);
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(json).to_le_bytes());
    out.extend_from_slice(json);
    out.extend_from_slice(payload);
    out
}

/// The payload size `header` implies, `None` if it overflows.
fn expected_len(h: &ShardHeader) -> Option<(usize, usize, usize)> {
    let trials = usize::try_from(h.trials).ok()?;
    let nm = trials.checked_mul(h.metric_names.len())?;
    let np = trials.checked_mul(h.param_paths.len())?;
    let ns = trials.checked_mul(h.series_names.len().checked_mul(h.horizon)?)?;
    let total = nm
        .checked_add(np)?
        .checked_mul(8)?
        .checked_add(ns.checked_mul(4)?)?;
    Some((nm, np, total))
}

/// Reads `trials.bin` back. Errors are lowercase fragments naming what is wrong; the caller names
/// the file.
pub fn decode(bytes: &[u8]) -> Result<(ShardHeader, RunResults), String> {
    let (json, payload) = split(bytes)?;
    let header: ShardHeader =
        serde_json::from_slice(json).map_err(|e| format!("bad shard header: {e}"))?;
    let (nm, np, expected) = expected_len(&header).ok_or_else(|| {
        format!(
            "the header's sizes overflow ({} trials x {} metrics, {} parameters, {} series x {} \
             periods)",
            header.trials,
            header.metric_names.len(),
            header.param_paths.len(),
            header.series_names.len(),
            header.horizon
        )
    })?;
    if header.payload_len != expected as u64 {
        return Err(format!(
            "the header claims {} bytes of trial data, but {} trials of its sizes take {expected}",
            header.payload_len, header.trials
        ));
    }
    if payload.len() != expected {
        return Err(format!(
            "expected {expected} bytes of trial data after the header, found {}: the file is \
             truncated or damaged",
            payload.len()
        ));
    }
    if fnv1a64(payload) != header.payload_checksum {
        return Err("the trial data is damaged (its checksum does not match)".into());
    }
    let (m, rest) = payload.split_at(8 * nm);
    let (p, s) = rest.split_at(8 * np);
    let f64s = |b: &[u8]| -> Vec<f64> {
        b.chunks_exact(8)
            .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
            .collect()
    };
    let metrics = f64s(m);
    let params = f64s(p);
    let series: Vec<f32> = s
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect();
    let at = |i: usize, per_trial: usize| {
        let trial = header.first_trial.saturating_add((i / per_trial) as u64);
        (trial, i % per_trial)
    };
    let refuse = |what: String, trial: u64, v: String| {
        format!("{what} of trial {trial} is {v}; a shard holds only finite values")
    };
    let (wm, wp) = (header.metric_names.len(), header.param_paths.len());
    if let Some(i) = metrics.iter().position(|v| !v.is_finite()) {
        let (trial, j) = at(i, wm);
        let what = format!("metric `{}`", header.metric_names[j]);
        return Err(refuse(what, trial, metrics[i].to_string()));
    }
    if let Some(i) = params.iter().position(|v| !v.is_finite()) {
        let (trial, j) = at(i, wp);
        let what = format!("parameter `{}`", header.param_paths[j]);
        return Err(refuse(what, trial, params[i].to_string()));
    }
    if let Some(i) = series.iter().position(|v| !v.is_finite()) {
        let h = header.horizon;
        let (trial, j) = at(i, header.series_names.len() * h);
        let what = format!(
            "series `{}` at period {}",
            header.series_names[j / h],
            j % h
        );
        return Err(refuse(what, trial, series[i].to_string()));
    }
    let results = RunResults {
        seed: header.seed,
        first_trial: header.first_trial,
        trials: header.trials as usize,
        horizon: header.horizon,
        metric_names: header.metric_names.clone(),
        metrics,
        param_paths: header.param_paths.clone(),
        params,
        series_names: header.series_names.clone(),
        series,
    };
    Ok((header, results))
}

/// Why two shards' headers cannot belong to one run, as a fragment such as `seed 1 and 2`;
/// `None` if they can.
pub fn mismatch(a: &ShardHeader, b: &ShardHeader) -> Option<String> {
    let differ = |what: &str, x: &dyn std::fmt::Display, y: &dyn std::fmt::Display| {
        Some(format!("{what} {x} and {y}"))
    };
    if a.chokepoint_version != b.chokepoint_version {
        return differ(
            "chokepoint versions",
            &a.chokepoint_version,
            &b.chokepoint_version,
        );
    }
    if a.engine_version != b.engine_version {
        return differ("engine versions", &a.engine_version, &b.engine_version);
    }
    if a.scenario_digest != b.scenario_digest {
        return Some(format!(
            "scenario digests {:016x} and {:016x} (different scenario or world files)",
            a.scenario_digest, b.scenario_digest
        ));
    }
    if a.seed != b.seed {
        return differ("seeds", &a.seed, &b.seed);
    }
    if a.total_trials != b.total_trials {
        return differ("total trial counts", &a.total_trials, &b.total_trials);
    }
    if a.horizon != b.horizon {
        return differ("horizons", &a.horizon, &b.horizon);
    }
    let names = |what: &str, x: &[String], y: &[String]| {
        (x != y).then(|| format!("{what}: {}", first_difference(x, y)))
    };
    names("metric names", &a.metric_names, &b.metric_names)
        .or_else(|| names("parameter paths", &a.param_paths, &b.param_paths))
        .or_else(|| names("series names", &a.series_names, &b.series_names))
}

/// The first place two name lists differ, in words.
pub fn first_difference(x: &[String], y: &[String]) -> String {
    let i = x.iter().zip(y).take_while(|(a, b)| a == b).count();
    match (x.get(i), y.get(i)) {
        (Some(a), Some(b)) => format!("`{a}` and `{b}` at position {}", i + 1),
        (Some(a), None) => format!(
            "`{a}` is in one list only ({} and {} names)",
            x.len(),
            y.len()
        ),
        (None, Some(b)) => format!(
            "`{b}` is in one list only ({} and {} names)",
            x.len(),
            y.len()
        ),
        (None, None) => "none".into(),
    }
}

/// Concatenates shards into one run. They must come from one run (`mismatch`) and, sorted by
/// first trial, cover trials `0..total_trials` exactly once.
pub fn concat(mut parts: Vec<(ShardHeader, RunResults)>) -> Result<RunResults, String> {
    parts.sort_by_key(|(h, _)| h.first_trial);
    let Some((first, _)) = parts.first() else {
        return Err("no shards given".into());
    };
    let first = first.clone();
    let mut next = 0u64;
    for (h, _) in &parts {
        if let Some(why) = mismatch(&first, h) {
            return Err(format!(
                "shards come from different runs (the shards of trials from {} and from {}: {why})",
                first.first_trial, h.first_trial
            ));
        }
        if h.first_trial != next {
            return Err(if h.first_trial < next {
                format!("trials from {} are given twice", h.first_trial)
            } else {
                format!("trials {next}..{} are missing", h.first_trial)
            });
        }
        next = h
            .first_trial
            .checked_add(h.trials)
            .filter(|&n| n <= first.total_trials)
            .ok_or_else(|| {
                format!(
                    "the shard of trials from {} claims {} trials, past the run's {}",
                    h.first_trial, h.trials, first.total_trials
                )
            })?;
    }
    if next != first.total_trials {
        return Err(format!("trials {next}..{} are missing", first.total_trials));
    }
    // Same names and horizon, then plain concatenation: the runner's own merge.
    crate::run::try_merge(parts.into_iter().map(|(_, r)| r).collect())
}

/// The file of a streamed shard: its statistics, not its trials.
pub const SUMMARIES_FILE: &str = "summaries.bin";
const SUMMARIES_MAGIC: &[u8; 8] = b"CHOKESUM";
/// The `summaries.bin` format version this chokepoint writes and reads.
pub const SUMMARIES_VERSION: u32 = 1;

/// The header of `summaries.bin`: the shard header (the payload is the statistics' columns,
/// `stats::stream::Accumulator::encode`) and the thresholds counted, as `(metric, f64 bits)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SummaryHeader {
    #[serde(flatten)]
    pub shard: ShardHeader,
    pub thresholds: Vec<(String, u64)>,
}

impl SummaryHeader {
    /// Thresholds as `(metric, value)`.
    pub fn thresholds(&self) -> Vec<(String, f64)> {
        self.thresholds
            .iter()
            .map(|(m, b)| (m.clone(), f64::from_bits(*b)))
            .collect()
    }

    /// An empty accumulator with this shard's identity, ready for `Accumulator::decode_into`.
    pub fn accumulator(&self) -> Accumulator {
        let h = &self.shard;
        Accumulator::new(
            h.seed,
            h.first_trial,
            h.horizon,
            (&h.metric_names, &h.param_paths, &h.series_names),
            &self.thresholds(),
        )
    }
}

/// The bytes of `summaries.bin` for a streamed shard of a run of `total_trials` trials.
pub fn encode_summaries(acc: &Accumulator, total_trials: u64, digest: u64) -> Vec<u8> {
    let payload = acc.encode();
    let header = SummaryHeader {
        shard: ShardHeader {
            chokepoint_version: env!("CARGO_PKG_VERSION").into(),
            engine_version: crate::engine::ENGINE_VERSION,
            scenario_digest: digest,
            seed: acc.seed,
            first_trial: acc.first_trial,
            trials: acc.trials,
            total_trials,
            horizon: acc.horizon,
            metric_names: acc.metric_names.clone(),
            param_paths: acc.param_paths.clone(),
            series_names: acc.series_names.clone(),
            payload_len: payload.len() as u64,
            payload_checksum: fnv1a64(&payload),
        },
        thresholds: acc
            .thresholds
            .iter()
            .map(|(_, t)| (t.metric.clone(), t.value.to_bits()))
            .collect(),
    };
    let json =
        serde_json::to_vec(&header).expect("structs of strings and numbers always serialize");
    seal_json(SUMMARIES_MAGIC, SUMMARIES_VERSION, &json, &payload)
}

/// Reads the header of `summaries.bin` and checks the payload's length and checksum; returns the
/// header and the payload. Errors are lowercase fragments.
pub fn summaries_header(bytes: &[u8]) -> Result<(SummaryHeader, &[u8]), String> {
    let (json, payload) = split_with(bytes, SUMMARIES_MAGIC, SUMMARIES_VERSION)?;
    let header: SummaryHeader =
        serde_json::from_slice(json).map_err(|e| format!("bad shard header: {e}"))?;
    if header.shard.payload_len != payload.len() as u64 {
        return Err(format!(
            "expected {} bytes of statistics after the header, found {}: the file is truncated \
             or damaged",
            header.shard.payload_len,
            payload.len()
        ));
    }
    if fnv1a64(payload) != header.shard.payload_checksum {
        return Err("the statistics are damaged (their checksum does not match)".into());
    }
    let known = &header.shard.metric_names;
    if let Some((m, _)) = header.thresholds.iter().find(|(m, _)| !known.contains(m)) {
        return Err(format!(
            "the header counts a threshold of unknown metric `{m}`"
        ));
    }
    Ok((header, payload))
}

/// Reads `summaries.bin` into an accumulator (header, checksum, every column checked).
pub fn decode_summaries(bytes: &[u8]) -> Result<(SummaryHeader, Accumulator), String> {
    let (header, payload) = summaries_header(bytes)?;
    let mut acc = header.accumulator();
    acc.decode_into(payload, header.shard.trials)?;
    Ok((header, acc))
}
