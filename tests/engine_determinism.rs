//! Same scenario, seed and trial count: bit-identical results for any thread count and sharding;
//! common random numbers across scenarios that share a parameter path.

use chokepoint::run::{RunOptions, RunResults, merge, run, try_merge};
use chokepoint::sample::Dist;

use crate::engine_closed_forms::metric;
use crate::engine_invariants::generated_world;
use crate::engine_world::{World, c, one_importer_one_exporter};

fn go(sc: &chokepoint::scenario::Scenario, trials: u64, first: u64, threads: usize) -> RunResults {
    let opts = RunOptions {
        trials,
        seed: 42,
        first_trial: first,
        threads: Some(threads),
    };
    run(sc, &opts, &|_, _| true).expect("run")
}

fn bits(r: &RunResults) -> (Vec<u64>, Vec<u64>, Vec<u32>) {
    (
        r.metrics.iter().map(|v| v.to_bits()).collect(),
        r.params.iter().map(|v| v.to_bits()).collect(),
        r.series.iter().map(|v| v.to_bits()).collect(),
    )
}

#[test]
fn results_do_not_depend_on_threads_or_shards() {
    for seed in [3u64, 8] {
        let sc = generated_world(seed);
        let one = go(&sc, 300, 0, 1);
        assert!(one.metrics.iter().all(|v| v.is_finite()));
        for threads in [2, 8] {
            let other = go(&sc, 300, 0, threads);
            assert_eq!(bits(&one), bits(&other), "world {seed}, {threads} threads");
            assert_eq!(one, other);
        }
        let shards = vec![
            go(&sc, 100, 0, 2),
            go(&sc, 150, 100, 1),
            go(&sc, 50, 250, 8),
        ];
        let merged = merge(shards);
        assert_eq!(bits(&one), bits(&merged), "world {seed}, sharded");
        assert_eq!(one, merged);
    }
}

#[test]
fn merge_refuses_shards_that_do_not_fit() {
    let sc = one_importer_one_exporter(6, Dist::UniformInt { lo: 1, hi: 3 });
    let gap = try_merge(vec![go(&sc, 10, 0, 1), go(&sc, 10, 20, 1)]);
    assert!(gap.unwrap_err().contains("expected trial 10"));
    let other = one_importer_one_exporter(7, Dist::UniformInt { lo: 1, hi: 3 });
    let mixed = try_merge(vec![go(&sc, 10, 0, 1), go(&other, 10, 10, 1)]);
    assert!(mixed.unwrap_err().contains("different run"));
    assert!(try_merge(vec![]).is_err());
}

#[test]
fn progress_is_reported_and_can_cancel() {
    let sc = one_importer_one_exporter(6, Dist::UniformInt { lo: 1, hi: 3 });
    let opts = RunOptions {
        trials: 640,
        seed: 1,
        first_trial: 0,
        threads: Some(2),
    };
    let last = std::sync::atomic::AtomicU64::new(0);
    run(&sc, &opts, &|done, total| {
        assert_eq!(total, 640);
        last.fetch_max(done, std::sync::atomic::Ordering::Relaxed);
        true
    })
    .expect("run");
    assert_eq!(last.into_inner(), 640);
    let err = run(&sc, &opts, &|_, _| false).unwrap_err();
    assert_eq!(err, chokepoint::run::RunError::Cancelled);
}

#[test]
fn a_run_too_big_for_memory_is_refused() {
    let sc = one_importer_one_exporter(24, Dist::UniformInt { lo: 1, hi: 12 });
    let opts = RunOptions {
        trials: 1 << 40,
        seed: 1,
        first_trial: 0,
        threads: Some(1),
    };
    match run(&sc, &opts, &|_, _| true) {
        Err(chokepoint::run::RunError::Resources(m)) => assert!(m.contains("fewer trials"), "{m}"),
        other => panic!("expected a resources error, got {other:?}"),
    }
}

#[test]
fn scenarios_sharing_a_shock_see_the_same_draws() {
    let a = one_importer_one_exporter(24, Dist::UniformInt { lo: 1, hi: 12 });
    let build = |extra_shock: bool, reserve: bool| {
        let mut w = World::new(24);
        let ex = w.region("EX");
        let im = w.region("IM");
        let x = w.commodity("x");
        w.producer(x, ex, 1200.0, 1.0);
        let s = w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
        if extra_shock {
            let first = w.ban(
                "first",
                ex,
                &[x],
                None,
                Dist::UniformInt { lo: 0, hi: 5 },
                Dist::UniformInt { lo: 1, hi: 4 },
                c(0.5),
            );
            w.probability(first, c(0.5));
        }
        w.ban(
            "ban",
            ex,
            &[x],
            None,
            c(0.0),
            Dist::UniformInt { lo: 1, hi: 12 },
            c(1.0),
        );
        if reserve {
            w.stockpile("reserve", im, x, 2.0, 1.0, 1.0, &[s]);
        }
        w.build()
    };
    let ra = go(&a, 200, 0, 2);
    let rb = go(&build(false, true), 200, 0, 2);
    let rc = go(&build(true, false), 200, 0, 2);
    let k = |r: &RunResults| {
        r.param_paths
            .iter()
            .position(|p| p == "shock.ban.duration")
            .unwrap()
    };
    let da = ra.param_values(k(&ra));
    assert_eq!(da, rb.param_values(k(&rb)));
    assert_eq!(da, rc.param_values(k(&rc)));
    assert!(da.iter().any(|&d| d != da[0]));
    assert!(rc.param_paths.contains(&"shock.first.occurs".to_string()));
    // Paired: a two-period reserve saves exactly min(2, duration) periods in every trial.
    let (la, lb) = (
        metric(&ra, "sector.IM.ind.mean_loss"),
        metric(&rb, "sector.IM.ind.mean_loss"),
    );
    for ((x, y), d) in la.iter().zip(&lb).zip(&da) {
        assert!((x - y - d.min(2.0) / 24.0).abs() < 1e-12, "{x} {y} {d}");
    }
}
