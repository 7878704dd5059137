//! Probability distributions a scenario parameter may take, with sampling, moments, support and a
//! plain-words description. Parameters are checked by the scenario validator before a `Dist` is
//! built, so the constructors here assume valid input (see `check` for the rules).

use rand::RngExt;
use rand_distr::Distribution;

/// z-score of the 90th percentile of the standard normal.
const Z90: f64 = 1.281_551_565_544_600_4;

/// A distribution over one numeric parameter. Bounds are inclusive.
#[derive(Debug, Clone, PartialEq)]
pub enum Dist {
    Const(f64),
    Uniform {
        lo: f64,
        hi: f64,
    },
    UniformInt {
        lo: i64,
        hi: i64,
    },
    Triangular {
        min: f64,
        mode: f64,
        max: f64,
    },
    Pert {
        min: f64,
        mode: f64,
        max: f64,
    },
    /// Normal, truncated to `[min, max]` when given (sampled by inverse CDF, so one uniform per draw).
    Normal {
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    },
    /// Parameterised by the median and the 90th percentile, as analysts state ranges.
    LogNormal {
        median: f64,
        p90: f64,
    },
    Beta {
        alpha: f64,
        beta: f64,
    },
    /// Discrete values with weights; `weights` are normalised to sum to one.
    Choice {
        values: Vec<f64>,
        weights: Vec<f64>,
    },
}

impl Dist {
    /// True when every draw gives the same value.
    pub fn is_const(&self) -> bool {
        match self {
            Dist::Const(_) => true,
            Dist::Uniform { lo, hi } => lo == hi,
            Dist::UniformInt { lo, hi } => lo == hi,
            Dist::Triangular { min, max, .. } | Dist::Pert { min, max, .. } => min == max,
            Dist::Normal { sd, .. } => *sd == 0.0,
            Dist::LogNormal { median, p90 } => median == p90,
            Dist::Beta { .. } => false,
            Dist::Choice { values, .. } => values.windows(2).all(|w| w[0] == w[1]),
        }
    }

    /// Draws one value. Uses exactly one call into `rng` for every kind except `Beta`, `Pert`
    /// (gamma-based, variable) so that streams stay short; never allocates.
    pub fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Dist::Const(v) => *v,
            Dist::Uniform { lo, hi } => {
                if lo == hi {
                    *lo
                } else {
                    lo + (hi - lo) * rng.random::<f64>()
                }
            }
            Dist::UniformInt { lo, hi } => rng.random_range(*lo..=*hi) as f64,
            Dist::Triangular { min, mode, max } => {
                if min == max {
                    return *min;
                }
                // Inverse CDF: exact and one uniform per draw.
                let u: f64 = rng.random();
                let (a, c, b) = (*min, *mode, *max);
                let fc = (c - a) / (b - a);
                if u < fc {
                    a + (u * (b - a) * (c - a)).sqrt()
                } else {
                    b - ((1.0 - u) * (b - a) * (b - c)).sqrt()
                }
            }
            Dist::Pert { min, mode, max } => {
                if min == max {
                    return *min;
                }
                let (a, b) = pert_shape(*min, *mode, *max);
                let x = rand_distr::Beta::new(a, b)
                    .expect("pert shape is positive")
                    .sample(rng);
                min + x * (max - min)
            }
            Dist::Normal { mean, sd, min, max } => {
                if *sd == 0.0 {
                    return *mean;
                }
                let lo = min.map_or(0.0, |m| phi((m - mean) / sd));
                let hi = max.map_or(1.0, |m| phi((m - mean) / sd));
                let u: f64 = rng.random();
                let p = (lo + u * (hi - lo)).clamp(1e-300, 1.0 - 1e-16);
                let x = mean + sd * inverse_phi(p);
                x.clamp(
                    min.unwrap_or(f64::NEG_INFINITY),
                    max.unwrap_or(f64::INFINITY),
                )
            }
            Dist::LogNormal { median, p90 } => {
                let (mu, sigma) = lognormal_shape(*median, *p90);
                let u: f64 = rng.random();
                let p = u.clamp(1e-300, 1.0 - 1e-16);
                (mu + sigma * inverse_phi(p)).exp()
            }
            Dist::Beta { alpha, beta } => rand_distr::Beta::new(*alpha, *beta)
                .expect("beta shape is positive")
                .sample(rng),
            Dist::Choice { values, weights } => {
                let u: f64 = rng.random();
                let mut acc = 0.0;
                for (v, w) in values.iter().zip(weights) {
                    acc += w;
                    if u < acc {
                        return *v;
                    }
                }
                *values.last().expect("choice has at least one value")
            }
        }
    }

    /// The mean of the distribution (of the truncated distribution for a truncated normal).
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Const(v) => *v,
            Dist::Uniform { lo, hi } => (lo + hi) / 2.0,
            Dist::UniformInt { lo, hi } => (*lo as f64 + *hi as f64) / 2.0,
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert { min, mode, max } => (min + 4.0 * mode + max) / 6.0,
            Dist::Normal { mean, sd, min, max } => {
                if *sd == 0.0 {
                    return *mean;
                }
                let a = min.map_or(f64::NEG_INFINITY, |m| (m - mean) / sd);
                let b = max.map_or(f64::INFINITY, |m| (m - mean) / sd);
                let z = phi(b) - phi(a);
                mean + sd * (pdf(a) - pdf(b)) / z
            }
            Dist::LogNormal { median, p90 } => {
                let (mu, sigma) = lognormal_shape(*median, *p90);
                (mu + sigma * sigma / 2.0).exp()
            }
            Dist::Beta { alpha, beta } => alpha / (alpha + beta),
            Dist::Choice { values, weights } => {
                values.iter().zip(weights).map(|(v, w)| v * w).sum()
            }
        }
    }

    /// Smallest and largest value a draw can take (infinite for unbounded tails).
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Const(v) => (*v, *v),
            Dist::Uniform { lo, hi } => (*lo, *hi),
            Dist::UniformInt { lo, hi } => (*lo as f64, *hi as f64),
            Dist::Triangular { min, max, .. } | Dist::Pert { min, max, .. } => (*min, *max),
            Dist::Normal { mean, sd, min, max } => {
                if *sd == 0.0 {
                    (*mean, *mean)
                } else {
                    (
                        min.unwrap_or(f64::NEG_INFINITY),
                        max.unwrap_or(f64::INFINITY),
                    )
                }
            }
            Dist::LogNormal { median, p90 } => {
                if median == p90 {
                    (*median, *median)
                } else {
                    (0.0, f64::INFINITY)
                }
            }
            Dist::Beta { .. } => (0.0, 1.0),
            Dist::Choice { values, .. } => (
                values.iter().copied().fold(f64::INFINITY, f64::min),
                values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            ),
        }
    }

    /// The distribution's name as written in scenario files.
    pub fn kind(&self) -> &'static str {
        match self {
            Dist::Const(_) => "fixed",
            Dist::Uniform { .. } => "uniform",
            Dist::UniformInt { .. } => "uniform_int",
            Dist::Triangular { .. } => "triangular",
            Dist::Pert { .. } => "pert",
            Dist::Normal { .. } => "normal",
            Dist::LogNormal { .. } => "lognormal",
            Dist::Beta { .. } => "beta",
            Dist::Choice { .. } => "choice",
        }
    }

    /// A short description in words, e.g. `triangular 3/6/18 months, mean 9`.
    /// `unit` is appended to the parameters when not empty.
    pub fn describe(&self, unit: &str) -> String {
        let u = if unit.is_empty() {
            String::new()
        } else {
            format!(" {unit}")
        };
        let body = match self {
            Dist::Const(v) => return format!("{}{u}", num(*v)),
            Dist::Uniform { lo, hi } => format!("uniform {}-{}{u}", num(*lo), num(*hi)),
            Dist::UniformInt { lo, hi } => format!("whole numbers {}-{}{u}", lo, hi),
            Dist::Triangular { min, mode, max } => {
                format!("triangular {}/{}/{}{u}", num(*min), num(*mode), num(*max))
            }
            Dist::Pert { min, mode, max } => {
                format!("pert {}/{}/{}{u}", num(*min), num(*mode), num(*max))
            }
            Dist::Normal { mean, sd, min, max } => {
                let mut s = format!("normal mean {} sd {}{u}", num(*mean), num(*sd));
                match (min, max) {
                    (Some(a), Some(b)) => {
                        s.push_str(&format!(", truncated to {}-{}", num(*a), num(*b)))
                    }
                    (Some(a), None) => s.push_str(&format!(", at least {}", num(*a))),
                    (None, Some(b)) => s.push_str(&format!(", at most {}", num(*b))),
                    (None, None) => {}
                }
                s
            }
            Dist::LogNormal { median, p90 } => {
                format!(
                    "lognormal median {}, 90th percentile {}{u}",
                    num(*median),
                    num(*p90)
                )
            }
            Dist::Beta { alpha, beta } => format!("beta({}, {})", num(*alpha), num(*beta)),
            Dist::Choice { values, weights } => {
                let parts: Vec<String> = values
                    .iter()
                    .zip(weights)
                    .map(|(v, w)| format!("{} ({:.0}%)", num(*v), w * 100.0))
                    .collect();
                format!("one of {}{u}", parts.join(", "))
            }
        };
        format!("{body}, mean {}", num(self.mean()))
    }
}

/// Formats a number without trailing zeros, keeping at most 3 decimals.
pub fn num(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e7 || v.abs() < 1e-3) {
        return format!("{v:.3e}");
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// Beta shape parameters of a PERT distribution (the classic lambda = 4).
pub fn pert_shape(min: f64, mode: f64, max: f64) -> (f64, f64) {
    let r = max - min;
    (1.0 + 4.0 * (mode - min) / r, 1.0 + 4.0 * (max - mode) / r)
}

/// `(mu, sigma)` of the underlying normal of a lognormal given its median and 90th percentile.
pub fn lognormal_shape(median: f64, p90: f64) -> (f64, f64) {
    let mu = median.ln();
    (mu, (p90.ln() - mu) / Z90)
}

fn pdf(z: f64) -> f64 {
    if z.is_infinite() {
        return 0.0;
    }
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

/// Standard normal CDF.
pub fn phi(z: f64) -> f64 {
    use statrs::function::erf::erfc;
    0.5 * erfc(-z / std::f64::consts::SQRT_2)
}

/// Standard normal quantile.
pub fn inverse_phi(p: f64) -> f64 {
    use statrs::function::erf::erfc_inv;
    -std::f64::consts::SQRT_2 * erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_xoshiro::Xoshiro256PlusPlus;

    fn sample_mean(d: &Dist, n: usize) -> f64 {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        (0..n).map(|_| d.sample(&mut rng)).sum::<f64>() / n as f64
    }

    #[test]
    fn sample_means_match_closed_forms() {
        let cases = [
            Dist::Uniform { lo: 6.0, hi: 18.0 },
            Dist::UniformInt { lo: 1, hi: 12 },
            Dist::Triangular {
                min: 3.0,
                mode: 6.0,
                max: 18.0,
            },
            Dist::Pert {
                min: 0.6,
                mode: 0.85,
                max: 0.98,
            },
            Dist::Normal {
                mean: 10.0,
                sd: 2.0,
                min: Some(9.0),
                max: None,
            },
            Dist::LogNormal {
                median: 12.0,
                p90: 30.0,
            },
            Dist::Beta {
                alpha: 2.0,
                beta: 5.0,
            },
            Dist::Choice {
                values: vec![6.0, 12.0, 24.0],
                weights: vec![0.5, 0.3, 0.2],
            },
        ];
        for d in cases {
            let m = sample_mean(&d, 200_000);
            let rel = (m - d.mean()).abs() / d.mean().abs();
            assert!(rel < 0.01, "{d:?}: sample mean {m} vs {}", d.mean());
        }
    }

    #[test]
    fn draws_stay_in_support() {
        let d = Dist::Normal {
            mean: 0.5,
            sd: 1.0,
            min: Some(0.0),
            max: Some(1.0),
        };
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        for _ in 0..10_000 {
            let x = d.sample(&mut rng);
            assert!((0.0..=1.0).contains(&x));
        }
    }

    #[test]
    fn describe_reads_like_the_brief() {
        let d = Dist::Triangular {
            min: 3.0,
            mode: 6.0,
            max: 18.0,
        };
        assert_eq!(d.describe("months"), "triangular 3/6/18 months, mean 9");
        assert_eq!(Dist::Const(0.5).describe(""), "0.5");
    }

    #[test]
    fn lognormal_quantiles() {
        let (mu, sigma) = lognormal_shape(12.0, 30.0);
        assert!((mu.exp() - 12.0).abs() < 1e-9);
        assert!(((mu + sigma * Z90).exp() - 30.0).abs() < 1e-9);
        assert!((inverse_phi(0.9) - Z90).abs() < 1e-9);
        assert!((phi(Z90) - 0.9).abs() < 1e-9);
    }
}
