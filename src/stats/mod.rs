//! Statistics over per-trial values: exact quantiles, CVaR, per-period bands. Pure functions over
//! slices, so shards merge by concatenating their per-trial arrays and summarising again. The
//! streaming path (`stream.rs`, with `exact.rs` and `sketch.rs`) computes the same statistics on
//! the fly in bounded memory, for runs too large to keep every trial.

pub mod exact;
pub mod mcse;
pub mod morris;
pub mod paired;
pub mod portfolio;
pub mod prim;
pub mod rank;
pub mod sketch;
pub mod sobol;
pub mod stream;

pub use mcse::Interval;

/// The statistics reported for every scalar metric, in output column order: the Monte Carlo
/// errors of the median, p95 and CVaR95 (`mcse.rs`) follow the original columns, so that readers
/// of the earlier layout find every column where it was.
pub const SUMMARY_COLUMNS: [&str; 25] = [
    "mean",
    "std",
    "se",
    "min",
    "p1",
    "p5",
    "p10",
    "p25",
    "p50",
    "p75",
    "p90",
    "p95",
    "p99",
    "max",
    "cvar95",
    "p50_se",
    "p50_low",
    "p50_high",
    "p95_se",
    "p95_low",
    "p95_high",
    "cvar95_se",
    "cvar95_low",
    "cvar95_high",
    "n",
];

/// Summary of one scalar metric over trials. Quantiles use linear interpolation between order
/// statistics (Hyndman-Fan type 7, the default of R and numpy). `cvar95` is the mean of the worst
/// 5% of trials, the worst being the largest values: the mean of the largest `ceil(0.05 n)` values.
/// (`RunResults::summary` takes the smallest instead for the timing metrics, where earlier is
/// worse.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    pub mean: f64,
    pub std: f64,
    pub se: f64,
    pub min: f64,
    pub p1: f64,
    pub p5: f64,
    pub p10: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p90: f64,
    pub p95: f64,
    pub p99: f64,
    pub max: f64,
    pub cvar95: f64,
    /// Standard errors and 95% intervals of `p50`, `p95` and `cvar95` (`mcse.rs`).
    pub p50_mc: Interval,
    pub p95_mc: Interval,
    pub cvar95_mc: Interval,
    pub n: usize,
}

impl Summary {
    /// Values in `SUMMARY_COLUMNS` order (`n` as f64).
    pub fn values(&self) -> [f64; 25] {
        [
            self.mean,
            self.std,
            self.se,
            self.min,
            self.p1,
            self.p5,
            self.p10,
            self.p25,
            self.p50,
            self.p75,
            self.p90,
            self.p95,
            self.p99,
            self.max,
            self.cvar95,
            self.p50_mc.se,
            self.p50_mc.low,
            self.p50_mc.high,
            self.p95_mc.se,
            self.p95_mc.low,
            self.p95_mc.high,
            self.cvar95_mc.se,
            self.cvar95_mc.low,
            self.cvar95_mc.high,
            self.n as f64,
        ]
    }
}

/// Quantile `p` in [0, 1] of ascending-sorted `sorted` (type 7). NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], p: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let h = (n - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Sorts a copy of `values` ascending (NaN last; trials never produce NaN, validation ensures it).
pub fn sorted(values: &[f64]) -> Vec<f64> {
    let mut keys: Vec<u64> = values.iter().map(|&x| total_key(x)).collect();
    // Values equal under `total_cmp` are the same bits, so an unstable sort of the keys gives
    // exactly the stable sort's result; integer keys spare `total_cmp`'s two bit transforms per
    // comparison (sorting was a sixth of a whole run's instructions).
    keys.sort_unstable();
    keys.into_iter().map(from_total_key).collect()
}

/// An integer that orders like `f64::total_cmp`: the sign bit flipped for positive values, every
/// bit for negative ones.
pub fn total_key(x: f64) -> u64 {
    let b = x.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// The inverse of `total_key`.
pub fn from_total_key(k: u64) -> f64 {
    f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
}

/// Exact summary of per-trial values, the largest being the worst (CVaR side). Sums are taken in
/// trial order so the result is independent of how trials were computed.
pub fn summarize(values: &[f64]) -> Summary {
    summarize_oriented(values, false)
}

/// `summarize`, with the CVaR taken over the smallest values if `lower` (timing metrics).
pub fn summarize_oriented(values: &[f64], lower: bool) -> Summary {
    let n = values.len();
    if n == 0 {
        let nan = f64::NAN;
        return Summary {
            mean: nan,
            std: nan,
            se: nan,
            min: nan,
            p1: nan,
            p5: nan,
            p10: nan,
            p25: nan,
            p50: nan,
            p75: nan,
            p90: nan,
            p95: nan,
            p99: nan,
            max: nan,
            cvar95: nan,
            p50_mc: Interval::UNDEFINED,
            p95_mc: Interval::UNDEFINED,
            cvar95_mc: Interval::UNDEFINED,
            n: 0,
        };
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let var = if n > 1 {
        values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let std = var.sqrt();
    let s = sorted(values);
    let q = |p| quantile_sorted(&s, p);
    let (cvar95, cvar95_mc) = mcse::cvar95_sorted(&s, lower);
    Summary {
        mean,
        std,
        se: std / (n as f64).sqrt(),
        min: s[0],
        p1: q(0.01),
        p5: q(0.05),
        p10: q(0.10),
        p25: q(0.25),
        p50: q(0.50),
        p75: q(0.75),
        p90: q(0.90),
        p95: q(0.95),
        p99: q(0.99),
        max: s[n - 1],
        cvar95,
        p50_mc: mcse::quantile_interval_sorted(&s, 0.50),
        p95_mc: mcse::quantile_interval_sorted(&s, 0.95),
        cvar95_mc,
        n,
    }
}

/// Number of trials in the worst `1 - level` tail: `ceil((1 - level) n)`, at least one. The
/// tolerance keeps `1 - 0.95` (0.050000000000000044 in binary) from adding a trial when `0.05 n`
/// is whole, as it is for the usual trial counts.
pub(crate) fn tail_count(n: usize, level: f64) -> usize {
    (((1.0 - level) * n as f64 - 1e-9).ceil() as usize).clamp(1, n)
}

/// Mean of the largest `ceil((1 - level) n)` values of ascending-sorted `sorted`.
pub fn cvar_upper_sorted(sorted: &[f64], level: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = tail_count(n, level);
    sorted[n - k..].iter().sum::<f64>() / k as f64
}

/// Mean of the smallest `ceil((1 - level) n)` values of ascending-sorted `sorted`: the CVaR of a
/// metric whose small values are the bad ones.
pub fn cvar_lower_sorted(sorted: &[f64], level: f64) -> f64 {
    let n = sorted.len();
    if n == 0 {
        return f64::NAN;
    }
    let k = tail_count(n, level);
    sorted[..k].iter().sum::<f64>() / k as f64
}

/// Per-period bands of a time series across trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    pub mean: f64,
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
}

/// The band of one period's values across trials.
pub fn band(values: &[f64]) -> Band {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let s = sorted(values);
    let q = |p| quantile_sorted(&s, p);
    Band {
        mean,
        p5: q(0.05),
        p25: q(0.25),
        p50: q(0.5),
        p75: q(0.75),
        p95: q(0.95),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_sort_exactly_like_total_cmp() {
        let specials = [
            f64::NAN,
            -f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0,
            -0.0,
            5e-324,
            -5e-324,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            1.0,
            -1.0,
            f64::MAX,
            f64::MIN,
        ];
        let mut x: u64 = 0x243F_6A88_85A3_08D3;
        let mut v: Vec<f64> = specials.to_vec();
        for i in 0..5000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            // Raw bit patterns (every exponent, both signs) and many ties.
            v.push(if i % 3 == 0 {
                f64::from_bits(x)
            } else {
                ((x >> 60) as f64) - 7.0
            });
        }
        for &y in &v {
            assert_eq!(from_total_key(total_key(y)).to_bits(), y.to_bits());
        }
        let mut want = v.clone();
        want.sort_by(f64::total_cmp);
        let got = sorted(&v);
        assert!(
            want.iter()
                .zip(&got)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }

    #[test]
    fn quantiles_of_one_to_hundred_one() {
        let v: Vec<f64> = (0..=100).map(f64::from).collect();
        let s = summarize(&v);
        assert_eq!(s.p5, 5.0);
        assert_eq!(s.p50, 50.0);
        assert_eq!(s.p99, 99.0);
        assert_eq!(s.min, 0.0);
        assert_eq!(s.max, 100.0);
        // ceil(0.05 * 101) = 6 worst values: 95..=100, mean 97.5
        assert_eq!(s.cvar95, 97.5);
        assert_eq!(cvar_lower_sorted(&sorted(&v), 0.95), 2.5);
        // 5% of 20 000 is exactly 1 000 trials.
        let v: Vec<f64> = (0..20_000).map(f64::from).collect();
        assert_eq!(
            summarize(&v).cvar95,
            (19_000..20_000).map(f64::from).sum::<f64>() / 1000.0
        );
        assert!((s.mean - 50.0).abs() < 1e-12);
    }

    #[test]
    fn interpolates_between_order_statistics() {
        assert_eq!(quantile_sorted(&[1.0, 2.0], 0.5), 1.5);
        assert_eq!(quantile_sorted(&[3.0], 0.9), 3.0);
    }
}
