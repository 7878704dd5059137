//! The flagship pair, `escalation-2026` (no package) and `g7-derisking-2026` (the same escalation
//! with a G7 package): the comparison is only sharp if both files draw the same shocks in each
//! trial, which holds when they share shock ids and parameter paths.

use std::path::Path;

use chokepoint::run::{RunOptions, run};
use chokepoint::scenario;

#[test]
fn both_sides_draw_the_same_shocks_in_every_trial() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let load = |f: &str| {
        scenario::load(&root.join(f))
            .expect("shipped scenario is valid")
            .scenario
    };
    let (base, policy) = (load("escalation-2026.toml"), load("g7-derisking-2026.toml"));
    let opts = RunOptions {
        trials: 12,
        seed: 99,
        first_trial: 0,
        threads: Some(1),
    };
    let b = run(&base, &opts, &|_, _| true).unwrap();
    let p = run(&policy, &opts, &|_, _| true).unwrap();
    let shocks: Vec<usize> = (0..b.param_paths.len())
        .filter(|&k| b.param_paths[k].starts_with("shock."))
        .collect();
    assert!(!shocks.is_empty(), "{:?}", b.param_paths);
    for k in shocks {
        let path = &b.param_paths[k];
        let j = p
            .param_paths
            .iter()
            .position(|q| q == path)
            .unwrap_or_else(|| panic!("{path} is sampled in the base but not in the policy file"));
        assert_eq!(b.param_values(k), p.param_values(j), "{path}");
    }
}
