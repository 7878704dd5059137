//! `exceedance.csv`: the probability that a metric is worse than a threshold the user names
//! (`--threshold world.value_lost=1e11`), from the per-trial values (MODEL.md section 6).

use std::fmt::Write as _;
use std::str::FromStr;

use crate::run::RunResults;
use crate::run::results::lower_is_worse;
use crate::sample::dist::num;

use super::format::float;

/// One `METRIC=VALUE` threshold from the command line.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub metric: String,
    pub value: f64,
}

impl FromStr for Threshold {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let Some((metric, value)) = s.split_once('=') else {
            return Err(format!(
                "\"{s}\" is not METRIC=VALUE (for example world.value_lost=1e11)"
            ));
        };
        let metric = metric.trim();
        if metric.is_empty() {
            return Err("the metric name is missing before '='".into());
        }
        let value: f64 = value
            .trim()
            .parse()
            .map_err(|_| format!("\"{}\" is not a number", value.trim()))?;
        if !value.is_finite() {
            return Err("the threshold must be a finite number".into());
        }
        Ok(Threshold {
            metric: metric.to_string(),
            value,
        })
    }
}

/// Checks that every threshold names a metric of the run; the error lists each unknown name
/// with a did-you-mean.
pub fn check_names(thresholds: &[Threshold], metric_names: &[String]) -> Result<(), String> {
    let mut problems: Vec<String> = crate::run::results::check_metric_names(
        "--threshold",
        thresholds.iter().map(|t| t.metric.as_str()),
        metric_names,
    )
    .err()
    .into_iter()
    .collect();
    // The same threshold twice would write the same row twice: refuse it like a repeated `--set`.
    for (i, t) in thresholds.iter().enumerate() {
        let first = thresholds
            .iter()
            .position(|u| u.metric == t.metric && u.value.to_bits() == t.value.to_bits());
        let later = thresholds[i + 1..]
            .iter()
            .any(|u| u.metric == t.metric && u.value.to_bits() == t.value.to_bits());
        if first == Some(i) && later {
            problems.push(format!(
                "--threshold {}={} is given more than once; give it once",
                t.metric,
                crate::report::format::num(t.value)
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// How often one metric is beyond its threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Exceedance {
    pub metric: String,
    pub threshold: f64,
    /// `">"` for losses, shortages and prices; `"<"` for the timing metrics, where earlier is worse.
    pub direction: &'static str,
    pub trials_beyond: usize,
    pub trials: usize,
    pub probability: f64,
    /// Binomial standard error of `probability`.
    pub se: f64,
}

/// Exceedance of every threshold (names must have been checked with `check_names`).
pub fn exceedances(results: &RunResults, thresholds: &[Threshold]) -> Vec<Exceedance> {
    thresholds
        .iter()
        .filter_map(|t| {
            let m = results.metric_index(&t.metric)?;
            let lower = lower_is_worse(&t.metric);
            let values = results.metric_values(m);
            let beyond = values
                .iter()
                .filter(|&&v| if lower { v < t.value } else { v > t.value })
                .count();
            Some(Exceedance::new(&t.metric, t.value, beyond, values.len()))
        })
        .collect()
}

impl Exceedance {
    /// The exceedance of `threshold` by `beyond` of `trials` trials (counted exactly, from the
    /// per-trial values or on the fly by a streamed run).
    pub fn new(metric: &str, threshold: f64, beyond: usize, trials: usize) -> Exceedance {
        let p = if trials == 0 {
            f64::NAN
        } else {
            beyond as f64 / trials as f64
        };
        Exceedance {
            metric: metric.to_string(),
            threshold,
            direction: if lower_is_worse(metric) { "<" } else { ">" },
            trials_beyond: beyond,
            trials,
            probability: p,
            se: (p * (1.0 - p) / trials.max(1) as f64).sqrt(),
        }
    }
}

/// The text of `exceedance.csv`: `metric,direction,threshold,trials_beyond,trials,probability,se`.
pub fn exceedance_csv(rows: &[Exceedance]) -> Vec<u8> {
    let mut s = String::from("metric,direction,threshold,trials_beyond,trials,probability,se\n");
    for r in rows {
        let _ = writeln!(
            s,
            "{},{},{},{},{},{},{}",
            r.metric,
            r.direction,
            float(r.threshold),
            r.trials_beyond,
            r.trials,
            float(r.probability),
            float(r.se)
        );
    }
    s.into_bytes()
}

/// Lines for the terminal, e.g. `P(world.value_lost > 1.000e11) = 23.4% (468 of 2000 trials)`.
pub fn exceedance_lines(rows: &[Exceedance]) -> String {
    let mut s = String::new();
    for r in rows {
        let _ = writeln!(
            s,
            "  P({} {} {}) = {:.1}% ({} of {} trials)",
            r.metric,
            r.direction,
            num(r.threshold),
            r.probability * 100.0,
            r.trials_beyond,
            r.trials
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results() -> RunResults {
        RunResults {
            seed: 0,
            first_trial: 0,
            trials: 4,
            horizon: 12,
            metric_names: vec![
                "world.value_lost".into(),
                "sector.US.ev.first_disrupted".into(),
            ],
            metrics: vec![0.0, 12.0, 5.0, 3.0, 10.0, 0.0, 20.0, 12.0],
            param_paths: vec![],
            params: vec![],
            series_names: vec![],
            series: vec![],
        }
    }

    #[test]
    fn parses_metric_equals_value() {
        let t: Threshold = "world.value_lost=1e11".parse().unwrap();
        assert_eq!(t.metric, "world.value_lost");
        assert_eq!(t.value, 1e11);
        assert!(
            "world.value_lost"
                .parse::<Threshold>()
                .unwrap_err()
                .contains("METRIC=VALUE")
        );
        assert!(
            "x=abc"
                .parse::<Threshold>()
                .unwrap_err()
                .contains("not a number")
        );
        assert!("=3".parse::<Threshold>().is_err());
        assert!("x=inf".parse::<Threshold>().is_err());
    }

    #[test]
    fn counts_trials_strictly_beyond_in_the_metric_s_own_direction() {
        let r = results();
        let t = [
            Threshold {
                metric: "world.value_lost".into(),
                value: 5.0,
            },
            Threshold {
                metric: "sector.US.ev.first_disrupted".into(),
                value: 4.0,
            },
        ];
        let e = exceedances(&r, &t);
        // Losses 0, 5, 10, 20: only 10 and 20 exceed 5 (strictly).
        assert_eq!(
            (e[0].trials_beyond, e[0].probability, e[0].direction),
            (2, 0.5, ">")
        );
        assert_eq!(e[0].se, (0.25f64 / 4.0).sqrt());
        // First disruption at 12, 3, 0, 12: earlier than period 4 in two trials.
        assert_eq!((e[1].trials_beyond, e[1].direction), (2, "<"));
        let csv = String::from_utf8(exceedance_csv(&e)).unwrap();
        assert_eq!(
            csv.lines().nth(1).unwrap(),
            "world.value_lost,>,5.0,2,4,0.5,0.25"
        );
        assert!(exceedance_lines(&e).contains("P(world.value_lost > 5) = 50.0% (2 of 4 trials)"));
    }

    #[test]
    fn unknown_metrics_get_a_did_you_mean() {
        let r = results();
        let t = [Threshold {
            metric: "world.valu_lost".into(),
            value: 1.0,
        }];
        let e = check_names(&t, &r.metric_names).unwrap_err();
        assert!(e.contains("\"world.valu_lost\""), "{e}");
        assert!(e.contains("did you mean \"world.value_lost\""), "{e}");
        assert!(check_names(&[], &r.metric_names).is_ok());
    }

    #[test]
    fn a_repeated_threshold_or_unknown_name_is_one_problem_said_once() {
        let r = results();
        let t = |m: &str, v: f64| Threshold {
            metric: m.into(),
            value: v,
        };
        let asked = [
            t("world.value_lost", 1e9),
            t("world.value_lost", 2e9),
            t("world.value_lost", 1e9),
            t("world.value_lost", 1e9),
            t("world.valu_lost", 1.0),
            t("world.valu_lost", 2.0),
        ];
        let e = check_names(&asked, &r.metric_names).unwrap_err();
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 2, "{e}");
        assert!(lines[0].contains("\"world.valu_lost\""), "{e}");
        assert_eq!(
            lines[1],
            "--threshold world.value_lost=1000000000 is given more than once; give it once"
        );
        // Two levels of one metric are two questions, not a repeat.
        assert!(check_names(&asked[..2], &r.metric_names).is_ok());
    }
}
