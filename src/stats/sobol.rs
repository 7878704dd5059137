//! Variance-based (Sobol') sensitivity indices from a Saltelli design: first order by the
//! estimator of Saltelli et al. (2010), total order by Jansen's (1999), with percentile bootstrap
//! intervals over the design's rows. The bootstrap draws from keyed streams, so the intervals are
//! the same on every machine and thread count.
//!
//! Input: one metric's values in trial order of `Design::Saltelli` over `k` parameters, so row
//! `j` is trials `j (k + 2) .. (j + 1)(k + 2)`: f(A_j), f(B_j), f(AB_j^1), ..., f(AB_j^k).

use rand::RngExt;
use rayon::prelude::*;

use crate::sample::stream::{splitmix, stream};

/// Bootstrap resamples behind every interval.
pub const RESAMPLES: usize = 500;
const TAG_BOOT: u64 = 0x626f_6f74_7374_7270;

/// An estimate with its bootstrap standard error and 95% percentile interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub se: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// True when the 95% interval reaches zero: the estimate cannot be told from no effect at
    /// this sample size (drawn as noise).
    pub fn within_noise(&self) -> bool {
        !(self.low > 0.0 || self.high < 0.0)
    }

    /// From a point estimate and its bootstrap replicates.
    pub fn from_replicates(value: f64, reps: &[f64]) -> Estimate {
        let finite: Vec<f64> = reps.iter().copied().filter(|v| v.is_finite()).collect();
        if !value.is_finite() || finite.len() < 2 {
            return Estimate {
                value,
                se: f64::NAN,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        let s = super::sorted(&finite);
        let n = s.len() as f64;
        let mean = s.iter().sum::<f64>() / n;
        let var = s.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        Estimate {
            value,
            se: var.sqrt(),
            low: super::quantile_sorted(&s, 0.025),
            high: super::quantile_sorted(&s, 0.975),
        }
    }
}

/// First- and total-order indices of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SobolIndex {
    pub first: Estimate,
    pub total: Estimate,
}

/// Sobol' indices of every parameter for one metric.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolResult {
    /// Rows of the design (base samples).
    pub rows: usize,
    /// Mean and variance of the metric over the A and B rows (`2 rows` independent trials).
    pub mean: f64,
    pub variance: f64,
    /// Monte Carlo standard error of `mean`.
    pub mean_se: f64,
    /// One per parameter, in design order. Every value is NaN when the metric does not vary.
    pub indices: Vec<SobolIndex>,
}

/// Point estimates over the rows `rows` (indices into the design's rows, repeats allowed).
/// Returns `(first, total)` per parameter; NaN when the variance is zero.
fn estimate(values: &[f64], k: usize, rows: &mut dyn Iterator<Item = usize>) -> Vec<(f64, f64)> {
    let g = k + 2;
    let mut n = 0usize;
    let (mut sum, mut sum2) = (0.0, 0.0);
    let mut first = vec![0.0; k];
    let mut total = vec![0.0; k];
    for j in rows {
        let r = &values[j * g..(j + 1) * g];
        let (a, b) = (r[0], r[1]);
        sum += a + b;
        sum2 += a * a + b * b;
        for i in 0..k {
            let ab = r[2 + i];
            first[i] += b * (ab - a);
            total[i] += (a - ab) * (a - ab);
        }
        n += 1;
    }
    let m = 2.0 * n as f64;
    let var = (sum2 - sum * sum / m) / (m - 1.0);
    first
        .iter()
        .zip(&total)
        .map(|(f, t)| {
            if var > 0.0 && var.is_finite() {
                (f / n as f64 / var, t / n as f64 / (2.0 * var))
            } else {
                (f64::NAN, f64::NAN)
            }
        })
        .collect()
}

/// Sobol' indices of a metric from its values on a Saltelli design over `k` parameters, with
/// `resamples` bootstrap replicates keyed by `seed`. Values are centred first (the estimators do
/// not change in expectation, their noise shrinks for metrics far from zero).
pub fn sobol_indices(values: &[f64], k: usize, resamples: usize, seed: u64) -> SobolResult {
    let g = k + 2;
    let rows = values.len() / g;
    let ab: Vec<f64> = (0..rows)
        .flat_map(|j| [values[j * g], values[j * g + 1]])
        .collect();
    let mean = ab.iter().sum::<f64>() / ab.len().max(1) as f64;
    let centred: Vec<f64> = values[..rows * g].iter().map(|v| v - mean).collect();
    let variance = if ab.len() > 1 {
        ab.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (ab.len() - 1) as f64
    } else {
        f64::NAN
    };
    let mean_se = (variance / ab.len() as f64).sqrt();
    let point = estimate(&centred, k, &mut (0..rows));
    let reps: Vec<Vec<(f64, f64)>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(seed ^ TAG_BOOT, b as u64, splitmix(TAG_BOOT));
            let mut it = (0..rows).map(|_| rng.random_range(0..rows));
            estimate(&centred, k, &mut it)
        })
        .collect();
    let indices = (0..k)
        .map(|i| {
            let f: Vec<f64> = reps.iter().map(|r| r[i].0).collect();
            let t: Vec<f64> = reps.iter().map(|r| r[i].1).collect();
            SobolIndex {
                first: Estimate::from_replicates(point[i].0, &f),
                total: Estimate::from_replicates(point[i].1, &t),
            }
        })
        .collect();
    SobolResult {
        rows,
        mean,
        variance,
        mean_se,
        indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::Design;

    /// The Ishigami function with a = 7, b = 0.1 on inputs uniform on [-pi, pi].
    fn ishigami(u: [f64; 3]) -> f64 {
        let x = u.map(|u| -std::f64::consts::PI + 2.0 * std::f64::consts::PI * u);
        x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
    }

    /// Known indices (Saltelli et al. 2008): S1 = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437.
    const S1: [f64; 3] = [0.3139, 0.4424, 0.0];
    const ST: [f64; 3] = [0.5576, 0.4424, 0.2437];

    fn run(design: &Design, rows: u64) -> Vec<f64> {
        (0..rows * design.group())
            .map(|t| ishigami([0, 1, 2].map(|d| design.uniform(11, t, d, 0))))
            .collect()
    }

    #[test]
    fn ishigami_indices_match_the_known_values_within_their_intervals() {
        for (sobol, rows, tol) in [(true, 1 << 13, 0.02), (false, 1 << 13, 0.04)] {
            let d = Design::saltelli(3, sobol).unwrap();
            let r = sobol_indices(&run(&d, rows), 3, RESAMPLES, 5);
            assert_eq!(r.rows, rows as usize);
            for i in 0..3 {
                for (est, want, what) in [
                    (r.indices[i].first, S1[i], "S1"),
                    (r.indices[i].total, ST[i], "ST"),
                ] {
                    assert!(
                        (est.value - want).abs() < tol,
                        "sobol base {sobol}: {what}[{i}] = {} not {want}",
                        est.value
                    );
                    assert!(
                        est.low <= want && want <= est.high,
                        "sobol base {sobol}: {what}[{i}] interval {}..{} misses {want}",
                        est.low,
                        est.high
                    );
                }
            }
            // x3 alone does nothing: its first-order index is noise, its total order is not.
            assert!(r.indices[2].first.within_noise());
            assert!(!r.indices[2].total.within_noise());
            assert!(!r.indices[0].first.within_noise());
            // The Ishigami variance is a^2/8 + b pi^4/5 + b^2 pi^8/18 + 1/2 = 13.845.
            assert!((r.variance - 13.845).abs() < 0.5, "variance {}", r.variance);
            assert!((r.mean - 3.5).abs() < 4.0 * r.mean_se.max(0.01));
        }
    }

    #[test]
    fn grouping_x1_with_x3_gives_the_closed_form_group_index() {
        // Ishigami partial variances: V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V13 =
        // b^2 pi^8 8/225, nothing else. The group {x1, x3} explains V1 + V13 on its own and x2
        // interacts with neither, so its first and total indices are both 1 - V2 / V; x2's
        // group is V2 / V either way.
        let (a, b, pi) = (7.0f64, 0.1f64, std::f64::consts::PI);
        let v1 = 0.5 * (1.0 + b * pi.powi(4) / 5.0).powi(2);
        let (v2, v13) = (a * a / 8.0, b * b * pi.powi(8) * 8.0 / 225.0);
        let v = v1 + v2 + v13;
        let want = [(v1 + v13) / v, v2 / v];
        for sobol in [true, false] {
            let d = Design::saltelli_grouped(vec![0, 1, 0], sobol).unwrap();
            let r = sobol_indices(&run(&d, 1 << 13), 2, RESAMPLES, 5);
            for (g, want) in want.into_iter().enumerate() {
                for est in [r.indices[g].first, r.indices[g].total] {
                    assert!((est.value - want).abs() < 0.03, "{g}: {est:?} vs {want}");
                    assert!(
                        est.low <= want && want <= est.high,
                        "{g}: {est:?} vs {want}"
                    );
                }
            }
        }
    }

    #[test]
    fn intervals_shrink_with_more_rows_and_repeat_exactly() {
        let d = Design::saltelli(3, false).unwrap();
        let small = sobol_indices(&run(&d, 256), 3, 200, 1);
        let large = sobol_indices(&run(&d, 4096), 3, 200, 1);
        for i in 0..3 {
            assert!(large.indices[i].total.se < small.indices[i].total.se);
        }
        assert_eq!(small, sobol_indices(&run(&d, 256), 3, 200, 1));
    }

    #[test]
    fn a_constant_metric_has_no_indices() {
        let r = sobol_indices(&[5.0; 50], 3, 50, 1);
        assert_eq!(r.rows, 10);
        assert!(r.indices.iter().all(|i| i.first.value.is_nan()));
        assert_eq!(r.variance, 0.0);
    }

    #[test]
    fn an_additive_function_has_equal_first_and_total_orders() {
        // f = 2 u0 + u1: S1 = ST = 0.8, 0.2.
        let d = Design::saltelli(2, true).unwrap();
        let v: Vec<f64> = (0..4096 * d.group())
            .map(|t| 2.0 * d.uniform(3, t, 0, 0) + d.uniform(3, t, 1, 0))
            .collect();
        let r = sobol_indices(&v, 2, 200, 2);
        for (i, want) in [0.8, 0.2].into_iter().enumerate() {
            assert!((r.indices[i].first.value - want).abs() < 0.01);
            assert!((r.indices[i].total.value - want).abs() < 0.01);
        }
    }
}
