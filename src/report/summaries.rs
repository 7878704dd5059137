//! Every statistic the exporters print, computed once per run: one summary per scalar metric and
//! one band per series and period. Work is spread over rayon but each statistic is computed from
//! the values in trial order by the same code as `RunResults::summary`/`bands`, so the output does
//! not depend on the thread count.

use rayon::prelude::*;

use crate::run::RunResults;
use crate::run::results::RunShape;
use crate::stats::stream::Accumulator;
use crate::stats::{self, Band, Summary};

/// Statistics of a run, indexed like `RunResults::metric_names` and `series_names`.
#[derive(Debug, Clone, PartialEq)]
pub struct Summaries {
    /// One per metric.
    pub metrics: Vec<Summary>,
    /// One per series, each with one band per period.
    pub bands: Vec<Vec<Band>>,
}

impl Summaries {
    pub fn compute(results: &RunResults) -> Self {
        let metrics = (0..results.metric_names.len())
            .into_par_iter()
            .map(|m| results.summary(m))
            .collect();
        let bands = (0..results.series_names.len())
            .into_par_iter()
            .map(|s| series_bands(results, s))
            .collect();
        Summaries { metrics, bands }
    }

    /// The statistics of a streamed run (or merged summary shards): sketched quantiles, exact
    /// moments (see `stats::stream`).
    pub fn from_stream(acc: &Accumulator) -> Self {
        let (metrics, bands) = acc.finish();
        Summaries { metrics, bands }
    }

    /// The summary of metric `name`, if the run has it.
    pub fn metric(&self, results: &impl RunShape, name: &str) -> Option<&Summary> {
        results.metric_index(name).map(|m| &self.metrics[m])
    }
}

/// Bands of series `s`: one pass over the trials gathers each period's values (a trial's block
/// of `horizon` values is contiguous), then each period is sorted once.
fn series_bands(results: &RunResults, s: usize) -> Vec<Band> {
    let h = results.horizon;
    let width = results.series_names.len() * h;
    let mut per_period: Vec<Vec<f64>> = vec![Vec::with_capacity(results.trials); h];
    for i in 0..results.trials {
        let block = &results.series[i * width + s * h..i * width + (s + 1) * h];
        for (col, &v) in per_period.iter_mut().zip(block) {
            col.push(f64::from(v));
        }
    }
    per_period.iter().map(|v| stats::band(v)).collect()
}
