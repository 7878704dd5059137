//! `metrics.csv`, `series.csv` and `trials.csv`: flat tables for researchers. Numbers are written
//! by `format::float` (shortest round-trip text, always with a decimal point or an exponent so
//! type-guessing readers see floats; empty cell for an undefined value).

use crate::run::RunResults;
use crate::run::results::RunShape;
use crate::scenario::Scenario;

use super::format::{float as num, float32 as num32, metric_label};
use super::summaries::Summaries;

/// Statistics columns of `metrics.csv`, after `metric` (`SUMMARY_COLUMNS` without the count `n`:
/// every metric has one value per trial).
pub const METRIC_STATS: &[&str] = match crate::stats::SUMMARY_COLUMNS.split_last() {
    Some((_, stats)) => stats,
    None => &[],
};

/// Columns of `series.csv`.
pub const SERIES_COLUMNS: [&str; 10] = [
    "metric",
    "label",
    "period",
    "period_label",
    "mean",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
];

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing CSV into memory cannot fail")
}

fn row<I, T>(w: &mut csv::Writer<Vec<u8>>, cells: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    w.write_record(cells)
        .expect("writing CSV into memory cannot fail");
}

/// One row per metric: its name, its display name (`format::metric_label`, as in the pages) and
/// its statistics.
pub fn metrics_csv(scenario: &Scenario, results: &impl RunShape, sums: &Summaries) -> Vec<u8> {
    let mut w = writer();
    row(
        &mut w,
        ["metric", "label"]
            .into_iter()
            .chain(METRIC_STATS.iter().copied()),
    );
    for (name, s) in results.metric_names().iter().zip(&sums.metrics) {
        let stats = s.values();
        row(
            &mut w,
            [name.clone(), metric_label(name, Some(scenario))]
                .into_iter()
                .chain(stats[..METRIC_STATS.len()].iter().map(|&x| num(x))),
        );
    }
    finish(w)
}

/// One row per series and period: the series' name and display name, the period's index and
/// calendar label, the mean and the 5/25/50/75/95% bands across trials.
pub fn series_csv(scenario: &Scenario, results: &impl RunShape, sums: &Summaries) -> Vec<u8> {
    let meta = &scenario.meta;
    let mut w = writer();
    row(&mut w, SERIES_COLUMNS);
    let labels: Vec<String> = (0..results.horizon())
        .map(|t| meta.period_label(t))
        .collect();
    for (name, bands) in results.series_names().iter().zip(&sums.bands) {
        let label = metric_label(name, Some(scenario));
        for (t, b) in bands.iter().enumerate() {
            row(
                &mut w,
                [
                    name.clone(),
                    label.clone(),
                    t.to_string(),
                    labels[t].clone(),
                    num32(b.mean),
                    num32(b.p5),
                    num32(b.p25),
                    num32(b.p50),
                    num32(b.p75),
                    num32(b.p95),
                ],
            );
        }
    }
    finish(w)
}

/// One row per trial: its global index, every sampled parameter (by path) and every metric.
pub fn trials_csv(results: &RunResults) -> Vec<u8> {
    let mut out = Vec::new();
    write_trials_csv(results, &mut out).expect("writing CSV into memory cannot fail");
    out
}

/// `trials_csv` streamed to `out`: the table can be far larger than the results it comes from, so
/// the run command writes it to its file row by row instead of building it in memory.
pub fn write_trials_csv(results: &RunResults, out: impl std::io::Write) -> std::io::Result<()> {
    let mut w = TrialsCsv::new(&results.param_paths, &results.metric_names, out)?;
    w.rows(results)?;
    w.finish()
}

/// `trials.csv` written block by block (a streamed run hands over its trials a block at a time):
/// the header once, then the rows of each block in the order given.
pub struct TrialsCsv<W: std::io::Write> {
    w: csv::Writer<W>,
}

impl<W: std::io::Write> TrialsCsv<W> {
    /// Writes the header row: `trial`, every parameter path, every metric name.
    pub fn new(param_paths: &[String], metric_names: &[String], out: W) -> std::io::Result<Self> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(out);
        w.write_record(
            std::iter::once("trial")
                .chain(param_paths.iter().map(String::as_str))
                .chain(metric_names.iter().map(String::as_str)),
        )?;
        Ok(TrialsCsv { w })
    }

    /// One row per trial of `results`.
    pub fn rows(&mut self, results: &RunResults) -> std::io::Result<()> {
        let np = results.param_paths.len();
        let nm = results.metric_names.len();
        for i in 0..results.trials {
            let params = &results.params[i * np..(i + 1) * np];
            let metrics = &results.metrics[i * nm..(i + 1) * nm];
            self.w.write_record(
                std::iter::once((results.first_trial + i as u64).to_string())
                    .chain(params.iter().chain(metrics).map(|&x| num(x))),
            )?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> std::io::Result<()> {
        self.w.flush()
    }
}
