//! Monte Carlo standard errors and 95% intervals of the headline statistics beyond the mean: the
//! median, the p95 and the CVaR95. Both estimators are standard and need no resampling, so they
//! are deterministic and the same whether computed from every trial or from the merged sketch.
//!
//! - Quantiles: the distribution-free order-statistic interval (David & Nagaraja, *Order
//!   Statistics*, 3rd ed., section 7.1). With `B ~ Binomial(n, p)` the number of trials below the
//!   true quantile, `[X_(l), X_(u)]` covers it with probability `P(l <= B <= u - 1)`; `l` is the
//!   largest rank with `P(B <= l - 1) <= 2.5%` and `u` the smallest with `P(B >= u) <= 2.5%`, so
//!   the coverage is at least 95% for any continuous distribution. The standard error is the
//!   interval's width over `2 z` (`z = 1.96`): the Siddiqui-Bloch-Gastwirth estimate of
//!   `sqrt(p (1 - p) / n) / f(q)`, the asymptotic standard error, with the density estimated over
//!   exactly these ranks.
//! - CVaR: the asymptotic variance of the tail-mean estimator (Manistre & Hancock 2005, North
//!   American Actuarial Journal 9(2); Trindade et al. 2007, Journal of Banking & Finance 31(11)),
//!   `Var = (Var(X | X beyond q) + a (CVaR - q)^2) / (n (1 - a))` at level `a = 0.95`, estimated by
//!   the sample variance of the tail trials and their threshold `q`; the interval is
//!   `CVaR +- z se`.

/// The two-sided 97.5% normal quantile (more digits than 1.96, so the interval is exactly 95%).
pub const Z95: f64 = 1.959_963_984_540_054;

/// Tail probability on each side of a 95% interval.
const HALF_ALPHA: f64 = 0.025;

/// Standard error and 95% interval of one statistic; NaN where the trials are too few to define
/// it (a quantile interval needs ranks inside `1..=n`, a CVaR standard error two tail trials).
#[derive(Debug, Clone, Copy)]
pub struct Interval {
    pub se: f64,
    pub low: f64,
    pub high: f64,
}

/// Equal when bit for bit the same, so an undefined (NaN) bound equals an undefined one and two
/// summaries of the same trials compare equal however few the trials.
impl PartialEq for Interval {
    fn eq(&self, other: &Self) -> bool {
        [self.se, self.low, self.high]
            .iter()
            .zip([other.se, other.low, other.high])
            .all(|(a, b)| a.to_bits() == b.to_bits())
    }
}

impl Interval {
    pub const UNDEFINED: Interval = Interval {
        se: f64::NAN,
        low: f64::NAN,
        high: f64::NAN,
    };

    /// The interval between two order statistics (NaN for a missing one), its standard error
    /// backed out of its width.
    pub fn between(low: f64, high: f64) -> Interval {
        Interval {
            se: (high - low) / (2.0 * Z95),
            low,
            high,
        }
    }

    /// `value +- z se`.
    pub fn normal(value: f64, se: f64) -> Interval {
        Interval {
            se,
            low: value - Z95 * se,
            high: value + Z95 * se,
        }
    }

    /// Widened by `margin` on each side (a sketch's rounding error).
    pub fn widened(self, margin: f64) -> Interval {
        Interval {
            low: self.low - margin,
            high: self.high + margin,
            ..self
        }
    }
}

/// 0-based ranks `(l - 1, u - 1)` of the order statistics bounding the distribution-free 95%
/// interval of quantile `p` among `n` trials; `None` on a side where even the extreme trial is
/// not far enough out (too few trials). The binomial probabilities are built by ratios from the
/// mode outwards, in plain arithmetic (no logarithms), so the ranks are the same on every machine.
pub fn quantile_ranks(n: usize, p: f64) -> (Option<usize>, Option<usize>) {
    if n == 0 || !(0.0..=1.0).contains(&p) {
        return (None, None);
    }
    if p == 0.0 || p == 1.0 {
        return (None, None);
    }
    let (nf, odds) = (n as f64, p / (1.0 - p));
    let mode = (((n + 1) as f64 * p).floor() as usize).min(n);
    // Relative probabilities from the mode (1) outwards, until a term is negligible beside the
    // mass already gathered (the rest of a binomial tail is smaller than its first term over
    // the tail ratio, and the ratio is below one there).
    const NEGLIGIBLE: f64 = 1e-20;
    let mut right = vec![1.0];
    let mut k = mode;
    while k < n {
        let next = right[right.len() - 1] * (nf - k as f64) / (k + 1) as f64 * odds;
        if next < NEGLIGIBLE {
            break;
        }
        right.push(next);
        k += 1;
    }
    let mut left = Vec::new();
    let (mut k, mut last) = (mode, 1.0);
    while k > 0 {
        last = last * k as f64 / (nf - k as f64 + 1.0) / odds;
        if last < NEGLIGIBLE {
            break;
        }
        left.push(last);
        k -= 1;
    }
    // pmf over `first..=first + len - 1`, ascending.
    let first = mode - left.len();
    let pmf: Vec<f64> = left.iter().rev().chain(&right).copied().collect();
    let total: f64 = pmf.iter().sum();
    // l: the largest with P(B <= l - 1) <= 2.5%; u: the smallest with P(B <= u - 1) >= 97.5%.
    let (mut low, mut high) = (None, None);
    let mut cdf = 0.0;
    for (i, &m) in pmf.iter().enumerate() {
        cdf += m;
        let b = first + i; // P(B <= b) = cdf / total
        if cdf / total <= HALF_ALPHA {
            // l - 1 = b is allowed, so l = b + 1 (1-based) is a candidate: 0-based rank b.
            low = Some(b);
        }
        if high.is_none() && cdf / total >= 1.0 - HALF_ALPHA {
            // u - 1 = b: 0-based rank u - 1 = b.
            high = Some(b);
        }
    }
    // Below the gathered mass, P(B <= first - 1) is negligible: rank first - 1 is allowed.
    if low.is_none() && first > 0 {
        low = Some(first - 1);
    }
    // l >= 1 and u <= n: 0-based ranks inside 0..n.
    (low.filter(|&l| l < n), high.filter(|&u| u < n))
}

/// The 95% interval of quantile `p` of ascending-sorted `sorted`.
pub fn quantile_interval_sorted(sorted: &[f64], p: f64) -> Interval {
    let (l, u) = quantile_ranks(sorted.len(), p);
    let at = |r: Option<usize>| r.map_or(f64::NAN, |r| sorted[r]);
    Interval::between(at(l), at(u))
}

/// The CVaR standard error and interval at level `level` from the tail: its `k` trials, their
/// mean `cvar` and sum of squared deviations from it, and the threshold `q` (the least extreme
/// tail trial), among `n` trials.
pub fn cvar_interval(cvar: f64, q: f64, k: usize, squares: f64, n: usize, level: f64) -> Interval {
    if k < 2 {
        return Interval::UNDEFINED;
    }
    let tail_var = squares / (k - 1) as f64;
    let gap = cvar - q;
    let var = (tail_var + level * gap * gap) / (n as f64 * (1.0 - level));
    Interval::normal(cvar, var.max(0.0).sqrt())
}

/// CVaR95 and its interval from ascending-sorted `sorted`: the largest trials' mean, or the
/// smallest's if `lower`.
pub fn cvar95_sorted(sorted: &[f64], lower: bool) -> (f64, Interval) {
    let n = sorted.len();
    if n == 0 {
        return (f64::NAN, Interval::UNDEFINED);
    }
    let k = super::tail_count(n, 0.95);
    let (tail, cvar, q) = if lower {
        let t = &sorted[..k];
        (t, super::cvar_lower_sorted(sorted, 0.95), t[k - 1])
    } else {
        let t = &sorted[n - k..];
        (t, super::cvar_upper_sorted(sorted, 0.95), t[0])
    };
    let squares = tail.iter().map(|x| (x - cvar) * (x - cvar)).sum();
    (cvar, cvar_interval(cvar, q, k, squares, n, 0.95))
}

/// The interval of quantile `p` among `n` streamed trials, `order_stat` reading the value at a
/// 0-based rank from the sketch. Each bound is widened outwards by the sketch's relative error
/// `rel` (a sketched value is the true one rounded toward zero) and kept inside `[min, max]`.
pub fn quantile_interval_sketched(
    n: u64,
    p: f64,
    (min, max): (f64, f64),
    rel: f64,
    order_stat: impl Fn(u64) -> f64,
) -> Interval {
    let (l, u) = quantile_ranks(n as usize, p);
    let low = l.map_or(f64::NAN, |r| {
        let v = order_stat(r as u64);
        (v - v.abs() * rel).clamp(min, max)
    });
    let high = u.map_or(f64::NAN, |r| {
        let v = order_stat(r as u64);
        (v + v.abs() * rel).clamp(min, max)
    });
    Interval::between(low, high)
}

/// The CVaR95 interval of `n` streamed trials from the sketch's ascending buckets
/// `(value, count)` (values clamped to `[min, max]`): the tail is read as the same buckets the
/// CVaR `cvar` was averaged over, and the interval is widened by the sketch's relative error.
pub fn cvar95_sketched(
    buckets: &[(f64, u64)],
    n: u64,
    cvar: f64,
    (min, max): (f64, f64),
    lower: bool,
    rel: f64,
) -> Interval {
    if n == 0 {
        return Interval::UNDEFINED;
    }
    let k = super::tail_count(n as usize, 0.95) as u64;
    let (mut left, mut squares, mut q) = (k, 0.0, cvar);
    let worst_first: Box<dyn Iterator<Item = &(f64, u64)>> = if lower {
        Box::new(buckets.iter())
    } else {
        Box::new(buckets.iter().rev())
    };
    for &(v, c) in worst_first {
        let take = c.min(left);
        let v = v.clamp(min, max);
        squares += take as f64 * (v - cvar) * (v - cvar);
        q = v;
        left -= take;
        if left == 0 {
            break;
        }
    }
    cvar_interval(cvar, q, k as usize, squares, n as usize, 0.95).widened(cvar.abs() * rel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngExt;

    /// Exponential(1) samples by inversion, from a fixed stream.
    fn exponential(seed: u64, n: usize) -> Vec<f64> {
        let mut rng = crate::sample::stream::stream(seed, 0, 0x5e);
        (0..n).map(|_| -(1.0 - rng.random::<f64>()).ln()).collect()
    }

    /// P(l <= B <= u - 1) for B ~ Binomial(n, p), summed directly (small n).
    fn coverage(n: usize, p: f64, l: usize, u: usize) -> f64 {
        let mut c = vec![1.0f64; n + 1];
        for k in 1..=n {
            c[k] = c[k - 1] * (n - k + 1) as f64 / k as f64;
        }
        (l..u)
            .map(|b| c[b] * p.powi(b as i32) * (1.0 - p).powi((n - b) as i32))
            .sum()
    }

    #[test]
    fn ranks_are_the_tightest_with_each_tail_at_most_two_and_a_half_percent() {
        // n = 100, median: the textbook interval is X_(40) to X_(61) (1-based).
        assert_eq!(quantile_ranks(100, 0.5), (Some(39), Some(60)));
        for (n, p) in [(100, 0.5), (200, 0.95), (73, 0.95), (1000, 0.95), (37, 0.3)] {
            let (l, u) = quantile_ranks(n, p);
            let (l1, u1) = (l.unwrap() + 1, u.unwrap() + 1);
            // Each side excludes at most 2.5%, and one rank further in would exclude more.
            let below = 1.0 - coverage(n, p, l1, n + 1);
            let above = 1.0 - coverage(n, p, 0, u1);
            assert!(below <= 0.025 + 1e-12 && above <= 0.025 + 1e-12, "{n} {p}");
            assert!(1.0 - coverage(n, p, l1 + 1, n + 1) > 0.025, "{n} {p}");
            assert!(1.0 - coverage(n, p, 0, u1 - 1) > 0.025, "{n} {p}");
        }
        // 71 trials cannot bound a p95 from above: P(all 71 below q95) = 0.95^71 = 2.6%; 72 can.
        assert_eq!(quantile_ranks(71, 0.95).1, None);
        assert_eq!(quantile_ranks(72, 0.95).1, Some(71));
        assert_eq!(quantile_ranks(0, 0.5), (None, None));
    }

    #[test]
    fn standard_errors_match_the_closed_forms_of_the_exponential() {
        // Exponential(1): se(q_p) = sqrt(p (1 - p) / n) / f(q_p), f(q_p) = 1 - p;
        // CVaR95: tail var 1, CVaR - q = 1, so se = sqrt((1 + 0.95) / (0.05 n)) = sqrt(39 / n).
        let n = 200_000;
        let s = crate::stats::sorted(&exponential(7, n));
        let nf = n as f64;
        let want50 = (0.25 / nf).sqrt() / 0.5;
        let want95 = (0.95 * 0.05 / nf).sqrt() / 0.05;
        let got50 = quantile_interval_sorted(&s, 0.5).se;
        let got95 = quantile_interval_sorted(&s, 0.95).se;
        let (_, c) = cvar95_sorted(&s, false);
        let want_c = (39.0 / nf).sqrt();
        for (got, want) in [(got50, want50), (got95, want95), (c.se, want_c)] {
            assert!((got / want - 1.0).abs() < 0.05, "{got} vs {want}");
        }
        // Uniform(0, 1) on an evenly spread grid: tail var 0.05^2 / 12, CVaR - q = 0.025.
        let u: Vec<f64> = (0..n).map(|i| (i as f64 + 0.5) / nf).collect();
        let (cv, c) = cvar95_sorted(&u, false);
        let want = ((0.0025 / 12.0 + 0.95 * 0.025 * 0.025) / (0.05 * nf)).sqrt();
        assert!((cv - 0.975).abs() < 1e-6);
        assert!((c.se / want - 1.0).abs() < 0.01, "{} vs {want}", c.se);
        // The lower tail is the mirror image.
        let neg: Vec<f64> = u.iter().rev().map(|x| -x).collect();
        let (lv, l) = cvar95_sorted(&neg, true);
        assert!((lv + cv).abs() < 1e-12 && (l.se - c.se).abs() < 1e-12);
    }

    #[test]
    fn intervals_cover_the_true_values_in_about_95_percent_of_replications() {
        // 400 replications of 2 000 exponential trials; the true p95 is ln 20, the true median
        // ln 2, the true CVaR95 ln 20 + 1. A 95% interval covers in 93-97% of them (the binomial
        // spread of 400 replications at 95% is 1.1 points).
        let (reps, n) = (400, 2000);
        let (mut c50, mut c95, mut cc) = (0, 0, 0);
        let (q50, q95) = (2f64.ln(), 20f64.ln());
        for r in 0..reps {
            let s = crate::stats::sorted(&exponential(1000 + r, n));
            let i50 = quantile_interval_sorted(&s, 0.5);
            let i95 = quantile_interval_sorted(&s, 0.95);
            let (_, ic) = cvar95_sorted(&s, false);
            c50 += usize::from(i50.low <= q50 && q50 <= i50.high);
            c95 += usize::from(i95.low <= q95 && q95 <= i95.high);
            cc += usize::from(ic.low <= q95 + 1.0 && q95 + 1.0 <= ic.high);
        }
        for (name, c) in [("median", c50), ("p95", c95), ("cvar95", cc)] {
            let share = c as f64 / reps as f64;
            assert!((0.93..=0.97).contains(&share), "{name}: {share}");
        }
    }
}
