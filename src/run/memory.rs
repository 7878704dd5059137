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
