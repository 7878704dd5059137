//! The engine on the shipped scenario library: balanced books every period on real worlds, no
//! allocation per trial, and a quiet baseline.

use std::path::{Path, PathBuf};

use chokepoint::model::Model;
use chokepoint::scenario::{self, Scenario};

use crate::engine_closed_forms::run_n;
use crate::engine_invariants::check_balances;

pub fn library() -> Vec<(PathBuf, Scenario)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut files = vec![];
    for d in [dir.clone(), dir.join("validation")] {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            // record.toml is the observed record of the back-test, not a scenario.
            if p.extension().is_some_and(|x| x == "toml")
                && p.file_name().is_some_and(|f| f != "record.toml")
            {
                files.push(p);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|p| match scenario::load(&p) {
            Ok(l) => (p, l.scenario),
            Err(e) => panic!("{} does not load:\n{}", p.display(), e.render(false)),
        })
        .collect()
}

#[test]
fn every_shipped_scenario_balances_its_books() {
    let lib = library();
    assert!(lib.len() >= 5, "scenario library not found");
    for (path, sc) in &lib {
        for trial in [0, 1, 17] {
            if let Err(e) = check_balances(sc, trial) {
                panic!("{} trial {trial}: {e}", path.display());
            }
        }
    }
}

#[test]
fn shipped_scenarios_allocate_nothing_per_trial() {
    for (path, sc) in library() {
        let m = Model::compile(&sc);
        assert_eq!(
            crate::engine_alloc::allocations_in_trials(&m),
            0,
            "{}",
            path.display()
        );
    }
}

#[test]
fn the_baseline_loses_nothing_at_reference_prices() {
    let (_, sc) = library()
        .into_iter()
        .find(|(p, _)| p.file_name().is_some_and(|f| f == "baseline.toml"))
        .expect("scenarios/baseline.toml");
    let r = run_n(&sc, 20, sc.meta.seed);
    for (i, name) in r.metric_names.iter().enumerate() {
        let v = r.metric_values(i);
        if name.ends_with(".mean_loss") || name.ends_with("value_lost") {
            assert!(v.iter().all(|&x| x == 0.0), "{name}: {v:?}");
        }
        if name.starts_with("price.") && name.ends_with(".peak") {
            assert!(v.iter().all(|&x| x == 1.0), "{name}: {v:?}");
        }
        if name.ends_with(".at_cap") {
            assert!(v.iter().all(|&x| x == 0.0), "{name}: {v:?}");
        }
    }
}

/// MODEL.md v2 section 4.9: the cap is a safety net. In every shipped scenario the median price
/// index of every region and commodity stays strictly inside its caps in every period.
#[test]
fn no_shipped_median_price_sits_at_its_cap() {
    for (path, sc) in library() {
        let r = run_n(&sc, 100, sc.meta.seed);
        let caps: Vec<f64> = sc
            .commodities
            .iter()
            .map(|c| c.max_price_multiple.dist.support().0)
            .collect();
        for (s, name) in r.series_names.iter().enumerate() {
            let Some(cell) = name.strip_prefix("price.") else {
                continue;
            };
            let c = cell.split_once('.').map_or("", |x| x.1);
            let cap = caps[sc.commodity_ix(c).expect("a commodity")];
            for (t, b) in r.bands(s).iter().enumerate() {
                assert!(
                    b.p50 < cap * (1.0 - 1e-6) && b.p50 > (1.0 + 1e-6) / cap,
                    "{}: median of {name} in period {t} is {} (cap {cap})",
                    path.display(),
                    b.p50
                );
            }
        }
    }
}
