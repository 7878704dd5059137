//! Per-trial results of a run: flat arrays written by trial index, so shards concatenate.

use crate::stats::{self, Band, Summary};

/// Whether smaller values of a metric are the bad ones: the timing metrics, where an earlier
/// disruption or an earlier empty stockpile is worse. Every other metric is a loss, a shortage or
/// a price, where larger is worse.
pub fn lower_is_worse(metric: &str) -> bool {
    metric.ends_with(".first_disrupted") || metric.ends_with(".empty_at")
}

/// What the exporters need to know of a run besides its statistics: its identity and names.
/// Implemented by `RunResults` (every trial kept) and by `stats::stream::Accumulator` (statistics
/// on the fly), so `summary.json`, `metrics.csv`, `series.csv` and the terminal table are written
/// by the same code either way.
pub trait RunShape {
    fn seed(&self) -> u64;
    /// Global index of the first trial (0 unless a shard).
    fn first_trial(&self) -> u64;
    fn trials(&self) -> usize;
    fn horizon(&self) -> usize;
    fn metric_names(&self) -> &[String];
    fn series_names(&self) -> &[String];
    fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_names().iter().position(|m| m == name)
    }
}

impl RunShape for RunResults {
    fn seed(&self) -> u64 {
        self.seed
    }
    fn first_trial(&self) -> u64 {
        self.first_trial
    }
    fn trials(&self) -> usize {
        self.trials
    }
    fn horizon(&self) -> usize {
        self.horizon
    }
    fn metric_names(&self) -> &[String] {
        &self.metric_names
    }
    fn series_names(&self) -> &[String] {
        &self.series_names
    }
}

/// Checks that every metric a command-line flag names (`--threshold`, `--precision`) is a metric
/// of the run; the error lists each unknown name with a did-you-mean.
pub fn check_metric_names<'a>(
    flag: &str,
    asked: impl IntoIterator<Item = &'a str>,
    metric_names: &[String],
) -> Result<(), String> {
    let known: Vec<&str> = metric_names.iter().map(String::as_str).collect();
    let mut unknown_names: Vec<&str> = Vec::new();
    for m in asked {
        // A name given twice is one problem, said once.
        if !known.contains(&m) && !unknown_names.contains(&m) {
            unknown_names.push(m);
        }
    }
    let unknown: Vec<String> = unknown_names
        .into_iter()
        .map(|m| {
            format!(
                "{flag} names no metric of this run: \"{m}\"; {}",
                crate::scenario::suggest::did_you_mean(m, &known)
            )
        })
        .collect();
    if unknown.is_empty() {
        Ok(())
    } else {
        Err(unknown.join("\n"))
    }
}

/// Everything a run produced, trial by trial. All arrays are trial-major: trial `i`'s block starts
/// at `i * width`. Trial `i` here is global trial `first_trial + i`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunResults {
    pub seed: u64,
    /// Global index of the first trial held (0 unless this is a shard).
    pub first_trial: u64,
    /// Number of trials held.
    pub trials: usize,
    pub horizon: usize,
    /// Scalar metric names (`sector.US.ev.mean_loss`, ...); see `docs/outputs.md`.
    pub metric_names: Vec<String>,
    /// `trials x metric_names.len()`.
    pub metrics: Vec<f64>,
    /// Sampled parameter paths, in scenario order.
    pub param_paths: Vec<String>,
    /// `trials x param_paths.len()`.
    pub params: Vec<f64>,
    /// Time-series names (`output.US.ev`, `price.US.gallium`, `flow.CN.US.gallium`).
    pub series_names: Vec<String>,
    /// `trials x series_names.len() x horizon`.
    pub series: Vec<f32>,
}

impl RunResults {
    /// Results without series from named per-trial columns (for fixtures and tools that build
    /// results by hand): `params` and `metrics` are `(name, values by trial)`.
    pub fn from_columns(
        seed: u64,
        horizon: usize,
        params: &[(&str, Vec<f64>)],
        metrics: &[(&str, Vec<f64>)],
    ) -> RunResults {
        let trials = metrics
            .first()
            .or(params.first())
            .map_or(0, |(_, v)| v.len());
        let mut p = Vec::with_capacity(trials * params.len());
        let mut m = Vec::with_capacity(trials * metrics.len());
        for i in 0..trials {
            p.extend(params.iter().map(|(_, v)| v[i]));
            m.extend(metrics.iter().map(|(_, v)| v[i]));
        }
        RunResults {
            seed,
            first_trial: 0,
            trials,
            horizon,
            metric_names: metrics.iter().map(|(n, _)| n.to_string()).collect(),
            metrics: m,
            param_paths: params.iter().map(|(n, _)| n.to_string()).collect(),
            params: p,
            series_names: vec![],
            series: vec![],
        }
    }

    pub fn metric_index(&self, name: &str) -> Option<usize> {
        self.metric_names.iter().position(|m| m == name)
    }

    pub fn series_index(&self, name: &str) -> Option<usize> {
        self.series_names.iter().position(|m| m == name)
    }

    /// Per-trial values of metric `m`, in trial order.
    pub fn metric_values(&self, m: usize) -> Vec<f64> {
        let w = self.metric_names.len();
        (0..self.trials).map(|i| self.metrics[i * w + m]).collect()
    }

    /// Per-trial values of sampled parameter `k`, in trial order.
    pub fn param_values(&self, k: usize) -> Vec<f64> {
        let w = self.param_paths.len();
        (0..self.trials).map(|i| self.params[i * w + k]).collect()
    }

    /// Per-trial values of series `s` at period `t`, in trial order.
    pub fn series_values(&self, s: usize, t: usize) -> Vec<f64> {
        let w = self.series_names.len() * self.horizon;
        (0..self.trials)
            .map(|i| f64::from(self.series[i * w + s * self.horizon + t]))
            .collect()
    }

    /// Summary of metric `m`; its `cvar95` averages the worst 5% of trials in the metric's own
    /// orientation (see `lower_is_worse`).
    pub fn summary(&self, m: usize) -> Summary {
        stats::summarize_oriented(
            &self.metric_values(m),
            lower_is_worse(&self.metric_names[m]),
        )
    }

    /// Bands of series `s`, one per period.
    pub fn bands(&self, s: usize) -> Vec<Band> {
        (0..self.horizon)
            .map(|t| stats::band(&self.series_values(s, t)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_metrics_average_their_earliest_trials_as_the_worst() {
        let r = RunResults {
            seed: 0,
            first_trial: 0,
            trials: 20,
            horizon: 24,
            metric_names: vec![
                "sector.US.ev.first_disrupted".into(),
                "world.value_lost".into(),
            ],
            metrics: (0..20).flat_map(|i| [f64::from(i), f64::from(i)]).collect(),
            param_paths: vec![],
            params: vec![],
            series_names: vec![],
            series: vec![],
        };
        // ceil(0.05 * 20) = 1 worst trial: the earliest disruption, the largest loss.
        assert_eq!(r.summary(0).cvar95, 0.0);
        assert_eq!(r.summary(1).cvar95, 19.0);
    }
}
