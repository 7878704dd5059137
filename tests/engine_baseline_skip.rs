//! The baseline pass stops computing once its state repeats bit for bit (`Workspace::
//! baseline_skip`): results must be identical to computing every baseline period, on the shipped
//! library and on generated worlds, and the shortcut must actually be taken.

use chokepoint::engine::{TrialOut, Workspace, run_trial};
use chokepoint::model::Model;
use chokepoint::scenario::Scenario;

use crate::engine_invariants::generated_world;
use crate::engine_library::library;

/// Every metric, parameter and series value of `trials` trials (as bits), and the baseline
/// periods copied rather than computed. One workspace for all trials, as a run's thread uses.
fn run_bits(sc: &Scenario, trials: u64, skip: bool) -> (Vec<u64>, usize) {
    let m = Model::compile(sc);
    let mut ws = Workspace::new(&m);
    ws.baseline_skip = skip;
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    let (mut bits, mut skipped) = (vec![], 0);
    for trial in 0..trials {
        run_trial(
            &m,
            &mut ws,
            7,
            trial,
            TrialOut {
                metrics: &mut metrics,
                params: &mut params,
                series: &mut series,
            },
        );
        skipped += ws.baseline_skipped;
        bits.extend(metrics.iter().chain(&params).map(|v| v.to_bits()));
        bits.extend(series.iter().map(|v| u64::from(v.to_bits())));
    }
    (bits, skipped)
}

/// Runs `sc` with and without the shortcut; returns the baseline periods it skipped.
fn same_with_and_without(name: &str, sc: &Scenario, trials: u64) -> usize {
    let (full, none) = run_bits(sc, trials, false);
    assert_eq!(none, 0, "{name}: nothing skipped when the shortcut is off");
    let (fast, skipped) = run_bits(sc, trials, true);
    assert_eq!(full.len(), fast.len());
    if let Some(i) = full.iter().zip(&fast).position(|(a, b)| a != b) {
        panic!(
            "{name}: value {i} of the trials' results differs with the baseline shortcut \
             ({:#x} without, {:#x} with)",
            full[i], fast[i]
        );
    }
    skipped
}

#[test]
fn the_baseline_shortcut_changes_no_result_of_the_library() {
    let lib = library();
    assert!(lib.len() >= 5, "scenario library not found");
    for (path, sc) in &lib {
        let name = path.display().to_string();
        let skipped = same_with_and_without(&name, sc, 24);
        // The flagship's baseline settles within a few periods: most of it is copied.
        if path.ends_with("g7-derisking-2026.toml") {
            let total = 24 * Model::compile(sc).horizon;
            assert!(
                skipped * 2 > total,
                "{name}: only {skipped} of {total} baseline periods skipped"
            );
        }
    }
}

#[test]
fn the_baseline_shortcut_changes_no_result_of_generated_worlds() {
    let mut skipped = 0;
    for seed in 0..24u64 {
        skipped += same_with_and_without(&format!("world {seed}"), &generated_world(seed), 16);
    }
    assert!(
        skipped > 0,
        "the shortcut never triggered on generated worlds"
    );
}
