//! Memory a run's result arrays need, checked before anything is allocated.

/// Bytes of the per-trial arrays of `RunResults` for `trials` trials.
pub fn result_bytes(
    trials: u64,
    metrics: usize,
    params: usize,
    series: usize,
    horizon: usize,
) -> u128 {
    let t = u128::from(trials);
    t * ((metrics + params) as u128 * 8 + (series * horizon) as u128 * 4)
}

/// Largest result set a run will allocate (the machines this runs on have 24 GiB).
pub const MAX_RESULT_BYTES: u128 = 12 * (1 << 30);

/// State of one streamed column (`stats::stream::Column`) allowed for in estimates: the exact
/// sums' partials and a sketch spanning about 20 binary orders of magnitude (256 buckets each).
/// Measured columns of the shipped scenarios hold far less (`docs/performance.md`).
pub const COLUMN_BYTES: u128 = 40 * 1024;

/// Bytes a streamed run needs whatever its trial count: one block of per-trial arrays
/// (`run::stream::BLOCK` trials) plus the state of every metric and series-period column.
pub fn stream_bytes(metrics: usize, params: usize, series: usize, horizon: usize) -> u128 {
    let block = result_bytes(super::stream::BLOCK, metrics, params, series, horizon);
    block + (metrics + series * horizon) as u128 * COLUMN_BYTES
}
