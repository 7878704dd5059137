//! `run --precision METRIC=REL`: stop a run once the mean of every named metric is known to a
//! relative precision. Trials run in blocks of `BLOCK`; after each block the rule folds the
//! block's values of each named metric, in trial order, into a running mean and variance and
//! checks the relative half-width of the 95% interval of the mean, `1.96 se / |mean| <= REL`.
//! The blocks and the fold order depend only on trial indices, so the same trials run and the run
//! stops at the same trial on any thread count, with exact or streamed statistics.
//!
//! A mean of exactly 0 has no relative precision: the target is never met while it lasts (the
//! run goes on, to `--trials` at most). A metric constant over the trials so far (se 0, mean not
//! 0) meets any target.

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::RunResults;

/// Trials per block: the stop is checked at multiples of this (from the run's first trial),
/// whatever `--threads`. Equal to the streamed run's block.
pub const BLOCK: u64 = super::stream::BLOCK;

/// z of a two-sided 95% normal interval.
pub const Z95: f64 = 1.96;

/// One `METRIC=REL` target from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub metric: String,
    /// Largest allowed relative half-width of the mean's 95% interval (0.01 = 1%).
    pub rel: f64,
}

impl FromStr for Target {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((metric, rel)) = s.split_once('=') else {
            return Err(format!(
                "\"{s}\" is not METRIC=REL (for example world.value_lost=0.01 for 1%)"
            ));
        };
        let metric = metric.trim();
        if metric.is_empty() {
            return Err("the metric name is missing before '='".into());
        }
        let rel: f64 = rel
            .trim()
            .parse()
            .map_err(|_| format!("\"{}\" is not a number", rel.trim()))?;
        if !(rel.is_finite() && rel > 0.0) {
            return Err(format!(
                "REL must be a positive relative half-width such as 0.01 (1%), not {rel}"
            ));
        }
        Ok(Target {
            metric: metric.to_string(),
            rel,
        })
    }
}

/// Checks that every target names a metric of the run; the error lists each unknown name with a
/// did-you-mean.
pub fn check_names(targets: &[Target], metric_names: &[String]) -> Result<(), String> {
    super::results::check_metric_names(
        "--precision",
        targets.iter().map(|t| t.metric.as_str()),
        metric_names,
    )
}

/// Running mean and variance (Welford) of one metric.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
struct Moments {
    n: u64,
    mean: f64,
    m2: f64,
}

impl Moments {
    fn push(&mut self, x: f64) {
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / self.n as f64;
        self.m2 += d * (x - self.mean);
    }

    /// Relative half-width `1.96 se / |mean|`; infinite for a mean of 0 or fewer than 2 trials.
    fn rel_half_width(&self) -> f64 {
        if self.n < 2 || self.mean == 0.0 || !self.mean.is_finite() {
            return f64::INFINITY;
        }
        let var = self.m2 / (self.n - 1) as f64;
        let se = (var / self.n as f64).sqrt();
        Z95 * se / self.mean.abs()
    }
}

/// The stop rule: the targets, their metrics' columns and running moments.
#[derive(Debug, Clone)]
pub struct Rule {
    targets: Vec<(Target, usize)>,
    moments: Vec<Moments>,
}

impl Rule {
    /// A rule over `targets` (names checked with `check_names`; unknown names are an error).
    pub fn new(targets: &[Target], metric_names: &[String]) -> Result<Rule, String> {
        check_names(targets, metric_names)?;
        let targets: Vec<(Target, usize)> = targets
            .iter()
            .map(|t| {
                let i = metric_names
                    .iter()
                    .position(|m| *m == t.metric)
                    .expect("checked above");
                (t.clone(), i)
            })
            .collect();
        let moments = vec![Moments::default(); targets.len()];
        Ok(Rule { targets, moments })
    }

    /// Folds one block of trials (in trial order).
    pub fn observe(&mut self, block: &RunResults) {
        let wm = block.metric_names.len();
        for ((_, col), m) in self.targets.iter().zip(&mut self.moments) {
            for t in 0..block.trials {
                m.push(block.metrics[t * wm + col]);
            }
        }
    }

    /// Every target's relative half-width is within its REL.
    pub fn met(&self) -> bool {
        self.targets
            .iter()
            .zip(&self.moments)
            .all(|((t, _), m)| m.rel_half_width() <= t.rel)
    }

    /// What the rule saw, for `run.json` and the terminal; `max_trials` is `--trials`.
    pub fn record(&self, max_trials: u64) -> Record {
        let trials = self.moments.first().map_or(0, |m| m.n);
        let reached = self.met();
        Record {
            block: BLOCK,
            max_trials,
            trials_run: trials,
            stopped: if reached {
                "precision reached".into()
            } else {
                "trial limit reached before the precision".into()
            },
            targets: self
                .targets
                .iter()
                .zip(&self.moments)
                .map(|((t, _), m)| {
                    let h = m.rel_half_width();
                    TargetRecord {
                        metric: t.metric.clone(),
                        rel: t.rel,
                        mean: m.mean,
                        rel_half_width: h.is_finite().then_some(h),
                        reached: h <= t.rel,
                    }
                })
                .collect(),
        }
    }
}

/// How a `--precision` run ended, written to `run.json` as `precision`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Trials per block: the stop is checked at multiples of it.
    pub block: u64,
    /// The upper bound, `--trials`.
    pub max_trials: u64,
    pub trials_run: u64,
    /// `precision reached` or `trial limit reached before the precision`.
    pub stopped: String,
    pub targets: Vec<TargetRecord>,
}

/// One target at the end of the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TargetRecord {
    pub metric: String,
    pub rel: f64,
    pub mean: f64,
    /// `1.96 se / |mean|`; `null` when the mean is 0.
    pub rel_half_width: Option<f64>,
    pub reached: bool,
}

impl Record {
    /// Lines for the terminal: why the run stopped and each target's precision.
    pub fn lines(&self) -> String {
        let mut s = if self.stopped == "precision reached" {
            format!(
                "precision reached after {} of at most {} trials (checked every {} trials):\n",
                self.trials_run, self.max_trials, self.block
            )
        } else {
            format!(
                "precision not reached within --trials {}: ran every trial; at the end:\n",
                self.max_trials
            )
        };
        for t in &self.targets {
            let got = t
                .rel_half_width
                .map_or("undefined (mean 0)".to_string(), |h| format!("{h:.5}"));
            s.push_str(&format!(
                "  {}: mean {:.6e}, relative half-width 1.96 se/|mean| {} (target {}){}\n",
                t.metric,
                t.mean,
                got,
                t.rel,
                if t.reached { "" } else { ", not reached" }
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(values: &[f64]) -> RunResults {
        RunResults {
            seed: 1,
            first_trial: 0,
            trials: values.len(),
            horizon: 1,
            metric_names: vec!["a".into()],
            metrics: values.to_vec(),
            param_paths: vec![],
            params: vec![],
            series_names: vec![],
            series: vec![],
        }
    }

    #[test]
    fn half_width_matches_the_closed_form() {
        // Values 0 and 2 alternating: mean 1, sample variance n/(n-1), se = sqrt(1/(n-1)).
        let n = 1000;
        let v: Vec<f64> = (0..n).map(|i| if i % 2 == 0 { 0.0 } else { 2.0 }).collect();
        let names = vec!["a".to_string()];
        let mut r = Rule::new(&["a=0.1".parse().unwrap()], &names).unwrap();
        r.observe(&block(&v));
        let want = 1.96 * (1.0 / (n as f64 - 1.0)).sqrt();
        let got = r.record(n).targets[0].rel_half_width.unwrap();
        assert!((got - want).abs() < 1e-12, "{got} vs {want}");
        assert!(r.met());
        let mut tight = Rule::new(&["a=0.01".parse().unwrap()], &names).unwrap();
        tight.observe(&block(&v));
        assert!(!tight.met());
    }

    #[test]
    fn a_mean_of_zero_never_meets_the_target_and_a_constant_always_does() {
        let names = vec!["a".to_string()];
        let mut r = Rule::new(&["a=0.5".parse().unwrap()], &names).unwrap();
        r.observe(&block(&[0.0; 50]));
        assert!(!r.met());
        assert_eq!(r.record(50).targets[0].rel_half_width, None);
        let mut c = Rule::new(&["a=1e-9".parse().unwrap()], &names).unwrap();
        c.observe(&block(&[3.0; 50]));
        assert!(c.met());
    }

    #[test]
    fn bad_targets_are_refused_with_what_is_allowed() {
        assert!("a".parse::<Target>().unwrap_err().contains("METRIC=REL"));
        assert!("a=0".parse::<Target>().unwrap_err().contains("positive"));
        assert!(
            "a=x"
                .parse::<Target>()
                .unwrap_err()
                .contains("not a number")
        );
        let e = check_names(
            &["world.value_lots=0.1".parse().unwrap()],
            &["world.value_lost".into()],
        )
        .unwrap_err();
        assert!(e.contains("did you mean \"world.value_lost\""), "{e}");
    }
}
