//! Back-testing (MODEL.md v2 §4.12): every episode of the observed record run on its scenario,
//! every observation scored on sign, timing, magnitude and band. `docs/validation.md` holds the
//! scorecard and what each check means.

pub mod record;
pub mod score;

use std::collections::HashMap;

pub use record::{Episode, Observation, Quantity, Record, Sample};
pub use score::Score;

use crate::run::{self, RunOptions, RunResults};
use crate::scenario::{self, Scenario};

/// One row of the scorecard.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub observation: Observation,
    pub sample: Sample,
    /// The model's side, or why it could not be computed.
    pub score: Result<Score, String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scorecard {
    pub trials: u64,
    pub rows: Vec<Row>,
}

impl Scorecard {
    /// (right in sign, timing and magnitude; scored) for one sample.
    pub fn tally(&self, sample: Sample) -> (usize, usize) {
        let rows = self.rows.iter().filter(|r| r.sample == sample);
        let scored: Vec<&Score> = rows.filter_map(|r| r.score.as_ref().ok()).collect();
        (scored.iter().filter(|s| s.right()).count(), scored.len())
    }
}

/// Runs every episode of `rec` with `trials` trials (its scenario's seed) and scores every
/// observation. A scenario that does not load or run is an error naming it.
pub fn run(rec: &Record, trials: u64, threads: Option<usize>) -> Result<Scorecard, String> {
    let mut runs: HashMap<&str, (Scenario, RunResults, Sample)> = HashMap::new();
    for e in &rec.episodes {
        let sc = scenario::load(&e.scenario)
            .map_err(|err| {
                format!(
                    "episode \"{}\": {} does not load:\n{}",
                    e.id,
                    e.scenario.display(),
                    err.render(false)
                )
            })?
            .scenario;
        let opts = RunOptions {
            trials,
            seed: sc.meta.seed,
            first_trial: 0,
            threads,
        };
        let res = run::run(&sc, &opts, &|_, _| true)
            .map_err(|err| format!("episode \"{}\": {err}", e.id))?;
        runs.insert(e.id.as_str(), (sc, res, e.sample));
    }
    let rows = rec
        .observations
        .iter()
        .map(|o| {
            let (sc, res, sample) = &runs[o.episode.as_str()];
            Row {
                observation: o.clone(),
                sample: *sample,
                score: score::score(o, sc, res),
            }
        })
        .collect();
    Ok(Scorecard { trials, rows })
}
