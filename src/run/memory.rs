//! Memory a run's result arrays need, checked before anything is allocated. The streamed
//! layout's estimate is `scenario::limits::stream_bytes`.

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

#[cfg(test)]
mod tests {
    use crate::scenario::limits::{COLUMN_BYTES, STREAM_BLOCK};
    use crate::stats::sketch::{COARSE_BITS, WINDOW};

    #[test]
    fn the_streamed_estimate_covers_the_sketch_bound_and_the_block() {
        // Two signs, each its fine window and 40 binary orders of coarse buckets, 4 bytes a
        // bucket, plus two exact sums of a few partials.
        let sketch = 2 * (u64::from(WINDOW) + 40 * (1 << COARSE_BITS)) * 4;
        assert!(sketch + 2 * 8 * 16 <= COLUMN_BYTES, "{sketch}");
        assert_eq!(STREAM_BLOCK, super::super::stream::BLOCK);
    }
}
