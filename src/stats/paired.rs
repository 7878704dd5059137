//! Paired differences of two runs over the same trials (same seed, same trial indices). With common
//! random numbers trial `i` of both runs saw the same shocks, so the per-trial difference isolates
//! what the policy changed and its spread is far smaller than that of either side.
//!
//! The difference is always `policy - base`: for a loss-type metric a negative difference means the
//! policy removed loss.

use super::{Summary, quantile_sorted, sorted, summarize};
use crate::run::RunResults;
use crate::run::results::lower_is_worse;

/// Which direction of a metric is better. Almost every metric is a loss (lower is better); a few
/// count periods until something bad happens (higher is better).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    Lower,
    Higher,
}

impl Better {
    /// The direction of a metric named by the engine's convention (`docs/outputs.md`): the first
    /// period of disruption and the period a stockpile ran dry are better when later; every other
    /// metric (losses, unmet demand, peak prices, periods disrupted) is better when lower.
    pub fn of_metric(name: &str) -> Better {
        if lower_is_worse(name) {
            Better::Higher
        } else {
            Better::Lower
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Better::Lower => "lower",
            Better::Higher => "higher",
        }
    }
}

/// Relative tolerance under which two per-trial values count as a tie: differences this small are
/// floating-point noise from summing in another order, not an effect of the policy.
pub const TIE_TOLERANCE: f64 = 1e-9;

/// Statistics of the per-trial difference `policy - base`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Difference {
    /// Mean difference (equals `policy.mean - base.mean` up to rounding).
    pub mean: f64,
    /// Standard error of the mean difference: sample std of the differences / sqrt(n). NaN for
    /// fewer than two trials.
    pub se: f64,
    /// 95% interval of the mean difference, normal approximation: `mean -/+ 1.96 se`.
    pub ci_low: f64,
    pub ci_high: f64,
    /// Type-7 quantiles of the per-trial differences.
    pub p5: f64,
    pub p25: f64,
    pub p50: f64,
    pub p75: f64,
    pub p95: f64,
    /// Share of trials where the policy side is strictly better (beyond `TIE_TOLERANCE`).
    pub p_better: f64,
    /// Share of trials where both sides are equal within `TIE_TOLERANCE`.
    pub p_tie: f64,
    /// Share of trials where the policy side is worse; `p_better + p_tie + p_worse = 1`.
    pub p_worse: f64,
    /// Trials compared.
    pub n: usize,
}

/// One metric compared: each side's own distribution beside the paired difference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    pub better: Better,
    pub base: Summary,
    pub policy: Summary,
    pub diff: Difference,
}

/// z for a two-sided 95% normal interval.
const Z95: f64 = 1.959_963_984_540_054;

/// Compares per-trial values of the same metric on the same trials. `base[i]` and `policy[i]` must
/// come from the same trial; the slices must have the same length.
pub fn paired(base: &[f64], policy: &[f64], better: Better) -> Result<Paired, LengthMismatch> {
    if base.len() != policy.len() {
        return Err(LengthMismatch {
            base: base.len(),
            policy: policy.len(),
        });
    }
    Ok(Paired {
        better,
        base: summarize(base),
        policy: summarize(policy),
        diff: difference(base, policy, better),
    })
}

/// The two sides hold different numbers of trials, so they cannot be paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LengthMismatch {
    pub base: usize,
    pub policy: usize,
}

impl std::fmt::Display for LengthMismatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "cannot pair {} base trials with {} policy trials: run both sides with the same trial count",
            self.base, self.policy
        )
    }
}

impl std::error::Error for LengthMismatch {}

fn difference(base: &[f64], policy: &[f64], better: Better) -> Difference {
    let n = base.len();
    let d: Vec<f64> = policy.iter().zip(base).map(|(p, b)| p - b).collect();
    let (mut wins, mut ties) = (0usize, 0usize);
    for (&b, &p) in base.iter().zip(policy) {
        if (p - b).abs() <= TIE_TOLERANCE * b.abs().max(p.abs()) {
            ties += 1;
        } else if (better == Better::Lower) == (p < b) {
            wins += 1;
        }
    }
    let share = |k: usize| {
        if n == 0 {
            f64::NAN
        } else {
            k as f64 / n as f64
        }
    };
    let mean = if n == 0 {
        f64::NAN
    } else {
        d.iter().sum::<f64>() / n as f64
    };
    let se = if n < 2 {
        f64::NAN
    } else {
        let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1) as f64;
        (var / n as f64).sqrt()
    };
    let s = sorted(&d);
    let q = |p| quantile_sorted(&s, p);
    Difference {
        mean,
        se,
        ci_low: mean - Z95 * se,
        ci_high: mean + Z95 * se,
        p5: q(0.05),
        p25: q(0.25),
        p50: q(0.5),
        p75: q(0.75),
        p95: q(0.95),
        p_better: share(wins),
        p_tie: share(ties),
        p_worse: share(n - wins - ties),
        n,
    }
}

/// One metric present in both runs, compared trial by trial.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricComparison {
    pub name: String,
    pub paired: Paired,
}

/// Two runs compared metric by metric.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    /// Metrics both runs report, in the base run's order.
    pub metrics: Vec<MetricComparison>,
    /// Metrics only the base run reports (for example a sector the policy scenario drops).
    pub only_base: Vec<String>,
    /// Metrics only the policy run reports (for example a stockpile the policy adds).
    pub only_policy: Vec<String>,
}

/// Compares every metric the two runs share. Both must hold the same trials (same seed, same trial
/// count, same first trial) for the pairing to mean anything; the caller runs them that way.
pub fn compare_runs(base: &RunResults, policy: &RunResults) -> Result<Comparison, LengthMismatch> {
    if base.trials != policy.trials {
        return Err(LengthMismatch {
            base: base.trials,
            policy: policy.trials,
        });
    }
    let mut metrics = Vec::new();
    let mut only_base = Vec::new();
    for (m, name) in base.metric_names.iter().enumerate() {
        match policy.metric_index(name) {
            Some(k) => {
                let mut p = paired(
                    &base.metric_values(m),
                    &policy.metric_values(k),
                    Better::of_metric(name),
                )?;
                // Each side's own summary exactly as its run reports it (CVaR in the metric's
                // orientation), so the numbers match summary.json of a plain run.
                p.base = base.summary(m);
                p.policy = policy.summary(k);
                metrics.push(MetricComparison {
                    name: name.clone(),
                    paired: p,
                });
            }
            None => only_base.push(name.clone()),
        }
    }
    let only_policy = policy
        .metric_names
        .iter()
        .filter(|n| base.metric_index(n).is_none())
        .cloned()
        .collect();
    Ok(Comparison {
        metrics,
        only_base,
        only_policy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_small_sample() {
        // Differences policy - base: -1, -2, 0, -3, 1 -> mean -1, sample var 2.5.
        let base = [5.0, 4.0, 3.0, 6.0, 1.0];
        let policy = [4.0, 2.0, 3.0, 3.0, 2.0];
        let p = paired(&base, &policy, Better::Lower).unwrap();
        let d = p.diff;
        assert_eq!(d.n, 5);
        assert!((d.mean + 1.0).abs() < 1e-15);
        let se = (2.5f64 / 5.0).sqrt();
        assert!((d.se - se).abs() < 1e-15);
        assert!((d.ci_low - (-1.0 - Z95 * se)).abs() < 1e-12);
        assert!((d.ci_high - (-1.0 + Z95 * se)).abs() < 1e-12);
        // Sorted differences -3, -2, -1, 0, 1: type-7 quantiles on 4 gaps.
        assert!((d.p5 - (-3.0 + 0.2)).abs() < 1e-12);
        assert_eq!(d.p25, -2.0);
        assert_eq!(d.p50, -1.0);
        assert_eq!(d.p75, 0.0);
        assert!((d.p95 - 0.8).abs() < 1e-12);
        assert_eq!(d.p_better, 0.6);
        assert_eq!(d.p_tie, 0.2);
        assert_eq!(d.p_worse, 0.2);
        assert_eq!(p.base, summarize(&base));
        assert_eq!(p.policy, summarize(&policy));
        assert!((d.mean - (p.policy.mean - p.base.mean)).abs() < 1e-12);
    }

    #[test]
    fn higher_is_better_flips_the_win_count() {
        let base = [5.0, 4.0, 3.0, 6.0, 1.0];
        let policy = [4.0, 2.0, 3.0, 3.0, 2.0];
        let d = paired(&base, &policy, Better::Higher).unwrap().diff;
        assert_eq!(d.p_better, 0.2);
        assert_eq!(d.p_tie, 0.2);
        assert_eq!(d.p_worse, 0.6);
    }

    #[test]
    fn identical_sides_are_all_ties_with_zero_difference() {
        let v = [0.1, 0.7, 0.0, 3.5];
        let d = paired(&v, &v, Better::Lower).unwrap().diff;
        assert_eq!((d.mean, d.se, d.ci_low, d.ci_high), (0.0, 0.0, 0.0, 0.0));
        assert_eq!((d.p5, d.p50, d.p95), (0.0, 0.0, 0.0));
        assert_eq!((d.p_better, d.p_tie, d.p_worse), (0.0, 1.0, 0.0));
    }

    #[test]
    fn rounding_noise_is_a_tie_but_a_real_change_is_not() {
        let base = [1e9, 0.0];
        let policy = [1e9 + 1e-3, 1e-300];
        let d = paired(&base, &policy, Better::Lower).unwrap().diff;
        // 1e-3 on 1e9 is below the relative tolerance; 1e-300 vs exactly 0 is a real change.
        assert_eq!(d.p_tie, 0.5);
        assert_eq!(d.p_worse, 0.5);
    }

    #[test]
    fn constant_shift_has_zero_spread() {
        let base = [2.0, 4.0, 8.0];
        let policy = [1.5, 3.5, 7.5];
        let d = paired(&base, &policy, Better::Lower).unwrap().diff;
        assert_eq!(d.mean, -0.5);
        assert_eq!(d.se, 0.0);
        assert_eq!((d.ci_low, d.ci_high), (-0.5, -0.5));
        assert_eq!(d.p_better, 1.0);
    }

    #[test]
    fn one_trial_has_no_standard_error() {
        let d = paired(&[3.0], &[1.0], Better::Lower).unwrap().diff;
        assert_eq!(d.mean, -2.0);
        assert!(d.se.is_nan() && d.ci_low.is_nan() && d.ci_high.is_nan());
        assert_eq!(d.p50, -2.0);
    }

    #[test]
    fn empty_and_mismatched_inputs() {
        let d = paired(&[], &[], Better::Lower).unwrap().diff;
        assert_eq!(d.n, 0);
        assert!(d.mean.is_nan() && d.p_better.is_nan());
        let e = paired(&[1.0, 2.0], &[1.0], Better::Lower).unwrap_err();
        assert_eq!(e, LengthMismatch { base: 2, policy: 1 });
        assert!(e.to_string().contains("same trial count"));
    }

    #[test]
    fn direction_of_metrics_by_name() {
        assert_eq!(Better::of_metric("world.value_lost"), Better::Lower);
        assert_eq!(
            Better::of_metric("sector.US.ev.first_disrupted"),
            Better::Higher
        );
        assert_eq!(
            Better::of_metric("stockpile.US.gallium.empty_at"),
            Better::Higher
        );
        assert_eq!(Better::of_metric("price.US.gallium.peak"), Better::Lower);
    }

    fn run(names: &[&str], columns: &[Vec<f64>]) -> RunResults {
        let trials = columns[0].len();
        let metrics = (0..trials)
            .flat_map(|i| columns.iter().map(move |c| c[i]))
            .collect();
        RunResults {
            seed: 3,
            first_trial: 0,
            trials,
            horizon: 1,
            metric_names: names.iter().map(|n| n.to_string()).collect(),
            metrics,
            param_paths: vec![],
            params: vec![],
            series_names: vec![],
            series: vec![],
        }
    }

    #[test]
    fn runs_pair_by_metric_name_whatever_the_column_order() {
        let base = run(
            &[
                "world.value_lost",
                "sector.US.ev.first_disrupted",
                "unmet.US.x",
            ],
            &[vec![3.0, 5.0], vec![2.0, 4.0], vec![0.1, 0.2]],
        );
        let policy = run(
            &[
                "sector.US.ev.first_disrupted",
                "world.value_lost",
                "stockpile.US.x.empty_at",
            ],
            &[vec![6.0, 4.0], vec![1.0, 5.0], vec![9.0, 9.0]],
        );
        let c = compare_runs(&base, &policy).unwrap();
        let names: Vec<&str> = c.metrics.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["world.value_lost", "sector.US.ev.first_disrupted"]);
        assert_eq!(c.only_base, ["unmet.US.x"]);
        assert_eq!(c.only_policy, ["stockpile.US.x.empty_at"]);
        let world = &c.metrics[0].paired;
        assert_eq!(world.diff.mean, -1.0);
        assert_eq!((world.diff.p_better, world.diff.p_tie), (0.5, 0.5));
        let first = &c.metrics[1].paired;
        assert_eq!(first.better, Better::Higher);
        assert_eq!((first.diff.p_better, first.diff.p_tie), (0.5, 0.5));
        let short = run(&["world.value_lost"], &[vec![1.0]]);
        assert_eq!(
            compare_runs(&base, &short).unwrap_err(),
            LengthMismatch { base: 2, policy: 1 }
        );
    }
}
