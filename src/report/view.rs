//! What a run's report page and charts read (`html`, `charts`): names and counts, each metric's
//! summary, each series' bands, and per-trial values where the run kept them. An exact run
//! (`RunResults`) has all of it; a streamed run (`Sketched`) has its summaries and bands from the
//! sketch (`stats::stream`) and no per-trial values, so the parts of the report that need them
//! (loss histograms, rank correlations, how often a stockpile ran dry) are left out and say so.

use crate::run::RunResults;
use crate::run::results::RunShape;
use crate::stats::stream::Accumulator;
use crate::stats::{Band, Summary};

use super::Summaries;

pub trait RunView: RunShape + Sync {
    /// Summary of metric `m` (`RunResults::summary`).
    fn summary(&self, m: usize) -> Summary;
    /// One band per period of series `s`.
    fn bands(&self, s: usize) -> Vec<Band>;
    /// Per-trial values of metric `m`, in trial order, if the run kept them.
    fn metric_values(&self, m: usize) -> Option<Vec<f64>>;
    /// Sampled parameter paths.
    fn param_paths(&self) -> &[String];
    /// Per-trial values of parameter `k`, if the run kept them.
    fn param_values(&self, k: usize) -> Option<Vec<f64>>;
    /// Whether quantiles and bands come from the streamed sketch (`docs/outputs.md`).
    fn sketched(&self) -> bool;

    fn series_index(&self, name: &str) -> Option<usize> {
        self.series_names().iter().position(|s| s == name)
    }
}

/// Recomputes each summary and band from the trials on every call: for callers that hold no
/// `Summaries` (tests, one-off reads). `run` passes `Exact` instead.
impl RunView for RunResults {
    fn summary(&self, m: usize) -> Summary {
        RunResults::summary(self, m)
    }
    fn bands(&self, s: usize) -> Vec<Band> {
        RunResults::bands(self, s)
    }
    fn metric_values(&self, m: usize) -> Option<Vec<f64>> {
        Some(RunResults::metric_values(self, m))
    }
    fn param_paths(&self) -> &[String] {
        &self.param_paths
    }
    fn param_values(&self, k: usize) -> Option<Vec<f64>> {
        Some(RunResults::param_values(self, k))
    }
    fn sketched(&self) -> bool {
        false
    }
}

/// An exact run with its statistics already computed (`Summaries::compute`, in parallel): the
/// report and charts read the summaries and bands from there instead of sorting every trial's
/// values again on one thread. The same values either way (`Summaries` uses the same code).
pub struct Exact<'a> {
    pub results: &'a RunResults,
    pub sums: &'a Summaries,
}

impl RunShape for Exact<'_> {
    fn seed(&self) -> u64 {
        self.results.seed
    }
    fn first_trial(&self) -> u64 {
        self.results.first_trial
    }
    fn trials(&self) -> usize {
        self.results.trials
    }
    fn horizon(&self) -> usize {
        self.results.horizon
    }
    fn metric_names(&self) -> &[String] {
        &self.results.metric_names
    }
    fn series_names(&self) -> &[String] {
        &self.results.series_names
    }
}

impl RunView for Exact<'_> {
    fn summary(&self, m: usize) -> Summary {
        self.sums.metrics[m]
    }
    fn bands(&self, s: usize) -> Vec<Band> {
        self.sums.bands[s].clone()
    }
    fn metric_values(&self, m: usize) -> Option<Vec<f64>> {
        Some(self.results.metric_values(m))
    }
    fn param_paths(&self) -> &[String] {
        &self.results.param_paths
    }
    fn param_values(&self, k: usize) -> Option<Vec<f64>> {
        Some(self.results.param_values(k))
    }
    fn sketched(&self) -> bool {
        false
    }
}

/// A streamed run (or merged summary shards) as the report sees it.
pub struct Sketched<'a> {
    pub acc: &'a Accumulator,
    pub sums: &'a Summaries,
}

impl RunShape for Sketched<'_> {
    fn seed(&self) -> u64 {
        self.acc.seed
    }
    fn first_trial(&self) -> u64 {
        self.acc.first_trial
    }
    fn trials(&self) -> usize {
        self.acc.trials as usize
    }
    fn horizon(&self) -> usize {
        self.acc.horizon
    }
    fn metric_names(&self) -> &[String] {
        &self.acc.metric_names
    }
    fn series_names(&self) -> &[String] {
        &self.acc.series_names
    }
}

impl RunView for Sketched<'_> {
    fn summary(&self, m: usize) -> Summary {
        self.sums.metrics[m]
    }
    fn bands(&self, s: usize) -> Vec<Band> {
        self.sums.bands[s].clone()
    }
    fn metric_values(&self, _: usize) -> Option<Vec<f64>> {
        None
    }
    fn param_paths(&self) -> &[String] {
        &self.acc.param_paths
    }
    fn param_values(&self, _: usize) -> Option<Vec<f64>> {
        None
    }
    fn sketched(&self) -> bool {
        true
    }
}
