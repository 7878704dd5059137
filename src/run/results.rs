//! Per-trial results of a run: flat arrays written by trial index, so shards concatenate.

use crate::stats::{self, Band, Summary};

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

    pub fn summary(&self, m: usize) -> Summary {
        stats::summarize(&self.metric_values(m))
    }

    /// Bands of series `s`, one per period.
    pub fn bands(&self, s: usize) -> Vec<Band> {
        (0..self.horizon)
            .map(|t| stats::band(&self.series_values(s, t)))
            .collect()
    }
}
