//! Closed forms on small worlds: results derived by hand from MODEL.md.

use chokepoint::run::{RunOptions, RunResults, run};
use chokepoint::sample::Dist;
use chokepoint::scenario::Scenario;

use crate::engine_world::{World, c, one_importer_one_exporter};

pub fn run_n(sc: &Scenario, trials: u64, seed: u64) -> RunResults {
    let opts = RunOptions {
        trials,
        seed,
        first_trial: 0,
        threads: Some(1),
    };
    run(sc, &opts, &|_, _| true).expect("run succeeds")
}

pub fn metric(r: &RunResults, name: &str) -> Vec<f64> {
    let m = r
        .metric_index(name)
        .unwrap_or_else(|| panic!("no metric {name} in {:?}", r.metric_names));
    r.metric_values(m)
}

pub fn series(r: &RunResults, name: &str, trial: usize) -> Vec<f64> {
    let s = r
        .series_index(name)
        .unwrap_or_else(|| panic!("no series {name} in {:?}", r.series_names));
    let w = r.series_names.len() * r.horizon;
    r.series[trial * w + s * r.horizon..trial * w + (s + 1) * r.horizon]
        .iter()
        .map(|&v| f64::from(v))
        .collect()
}

#[test]
fn full_ban_of_uniform_duration_loses_six_and_a_half_of_twenty_four() {
    let sc = one_importer_one_exporter(24, Dist::UniformInt { lo: 1, hi: 12 });
    let r = run_n(&sc, 20_000, 7);
    let loss = metric(&r, "sector.IM.ind.mean_loss");
    let n = loss.len() as f64;
    let mean = loss.iter().sum::<f64>() / n;
    let var = loss.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    let se = (var / n).sqrt();
    let expect = 6.5 / 24.0;
    assert!(
        (mean - expect).abs() < 4.0 * se,
        "mean loss {mean} vs {expect} (se {se})"
    );
    // Each trial: loss is exactly duration/24, and the drawn duration is reported.
    let d = r.param_values(
        r.param_paths
            .iter()
            .position(|p| p == "shock.ban.duration")
            .unwrap(),
    );
    for (l, d) in loss.iter().zip(&d) {
        assert!((l - d / 24.0).abs() < 1e-12);
    }
    let first = metric(&r, "sector.IM.ind.first_disrupted");
    assert!(first.iter().all(|&f| f == 0.0));
    let periods = metric(&r, "sector.IM.ind.periods_disrupted");
    assert_eq!(periods, d);
}

/// Three regions, a two-stage chain and inventories, with no shock (a ban that never happens).
fn calm_world() -> Scenario {
    let mut w = World::new(12);
    let cn = w.region("CN");
    let us = w.region("US");
    let eu = w.region("EU");
    let ore = w.commodity("ore");
    let mag = w.commodity("magnet");
    w.producer(ore, cn, 1500.0, 0.9);
    w.producer(ore, eu, 300.0, 0.8);
    let pm = w.producer(mag, cn, 800.0, 0.8);
    w.recipe(pm, ore, 1.5);
    let pu = w.producer(mag, us, 200.0, 0.7);
    w.recipe(pu, ore, 1.5);
    w.sector("ev", us, 5e9, 1, &[(mag, 300.0)]);
    w.sector("defense", us, 1e9, 0, &[(mag, 50.0), (ore, 20.0)]);
    w.sector("wind", eu, 2e9, 2, &[(mag, 200.0)]);
    w.inventory(us, mag, 2.0, 2.0, 0.25);
    w.inventory(eu, ore, 1.0, 1.0, 0.5);
    let b = w.ban("never", cn, &[mag, ore], None, c(0.0), c(12.0), c(1.0));
    w.probability(b, c(0.0));
    w.build()
}

#[test]
fn no_shock_means_no_loss_reference_prices_and_steady_flows() {
    let sc = calm_world();
    let r = run_n(&sc, 5, 3);
    for (i, name) in r.metric_names.iter().enumerate() {
        let v = r.metric_values(i);
        if name.ends_with("_loss") || name.ends_with("value_lost") || name.starts_with("unmet.") {
            assert!(v.iter().all(|&x| x == 0.0), "{name}: {v:?}");
        }
        if name.starts_with("price.") && name.ends_with(".peak") {
            assert!(v.iter().all(|&x| x == 1.0), "{name}: {v:?}");
        }
        if name.ends_with(".at_cap") {
            assert!(v.iter().all(|&x| x == 0.0), "{name}: {v:?}");
        }
        if name.ends_with("periods_disrupted") {
            assert!(v.iter().all(|&x| x == 0.0), "{name}");
        }
        if name.ends_with("first_disrupted") {
            assert!(v.iter().all(|&x| x == 12.0), "{name}");
        }
    }
    for name in &r.series_names {
        let s = series(&r, name, 0);
        if name.starts_with("price.") {
            assert!(s.iter().all(|&x| x == 1.0), "{name}: {s:?}");
        }
        if name.starts_with("output.") {
            assert!(s.iter().all(|&x| x == 1.0), "{name}: {s:?}");
        }
        if name.starts_with("flow.") {
            assert!(s.iter().all(|&x| x == s[0] && x > 0.0), "{name}: {s:?}");
        }
    }
    // Baseline flow of magnets CN -> EU: CN sells pro rata. Supply 800*0.8/12 + 200*0.7/12,
    // all demand served (US 350/12 less US production share, EU 200/12).
    let a_cn = 800.0 * 0.8 / 12.0;
    let a_us = 200.0 * 0.7 / 12.0;
    let d_total = (300.0 + 50.0 + 200.0) / 12.0;
    let expect = a_cn / (a_cn + a_us) * 200.0 / 12.0;
    let got = series(&r, "flow.CN.EU.magnet", 0)[0];
    assert!((got - expect).abs() < 1e-4 * expect, "{got} vs {expect}");
    assert!(d_total < a_cn + a_us);
    assert!(r.param_paths.contains(&"shock.never.occurs".to_string()));
}

#[test]
fn stockpile_covers_exactly_k_periods() {
    let mut w = World::new(24);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    w.producer(x, ex, 1200.0, 1.0);
    let s = w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
    w.ban("ban", ex, &[x], None, c(0.0), c(12.0), c(1.0));
    w.stockpile("reserve", im, x, 3.0, 1.0, 1.0, &[s]);
    let r = run_n(&w.build(), 3, 1);
    let out = series(&r, "output.IM.ind", 0);
    let mut expect = vec![1.0; 24];
    for e in expect.iter_mut().take(12).skip(3) {
        *e = 0.0;
    }
    assert_eq!(out, expect);
    assert_eq!(metric(&r, "stockpile.IM.x.empty_at")[0], 2.0);
    assert_eq!(metric(&r, "sector.IM.ind.first_disrupted")[0], 3.0);
    assert_eq!(metric(&r, "sector.IM.ind.periods_disrupted")[0], 9.0);
    assert!((metric(&r, "sector.IM.ind.mean_loss")[0] - 9.0 / 24.0).abs() < 1e-12);
    assert!((metric(&r, "sector.IM.ind.value_lost")[0] - 1.2e9 / 12.0 * 9.0).abs() < 1e-3);
    assert!((metric(&r, "world.value_lost")[0] - 1.2e9 / 12.0 * 9.0).abs() < 1e-3);
}

/// EX and OT produce `x`; A and B import it. A ban from EX on A only.
fn diversion_world(ex_cap: f64, ot_cap: f64) -> Scenario {
    let mut w = World::new(12);
    let ex = w.region("EX");
    let ot = w.region("OT");
    let a = w.region("A");
    let b = w.region("B");
    let x = w.commodity("x");
    w.producer(x, ex, ex_cap * 12.0, 1.0);
    w.producer(x, ot, ot_cap * 12.0, 1.0);
    w.sector("ind", a, 1e9, 1, &[(x, 50.0 * 12.0)]);
    w.sector("ind", b, 1e9, 1, &[(x, 50.0 * 12.0)]);
    w.ban("ban", ex, &[x], Some(&[a]), c(2.0), c(6.0), c(1.0));
    w.build()
}

#[test]
fn a_ban_that_trade_diversion_absorbs_fully() {
    // 60 + 60 per period for 100 of demand: OT can serve all of A's 50.
    let r = run_n(&diversion_world(60.0, 60.0), 2, 1);
    for s in ["sector.A.ind.mean_loss", "sector.B.ind.mean_loss"] {
        assert!(metric(&r, s)[0].abs() < 1e-9, "{s}");
    }
    let flow = series(&r, "flow.EX.A.x", 0);
    assert!(flow[2..8].iter().all(|&f| f.abs() < 1e-6), "{flow:?}");
    // Before and after the ban EX sells pro rata: 50 of 120 of supply, 100 of demand.
    assert!((flow[0] - 25.0).abs() < 1e-4, "{flow:?}");
    assert!((flow[8] - 25.0).abs() < 1e-4, "{flow:?}");
}

#[test]
fn a_ban_that_diversion_cannot_absorb_leaves_the_exact_shortfall() {
    // EX 90, OT 10: A can get only OT's 10 of its 50 (fill 0.2); B is served by EX.
    let r = run_n(&diversion_world(90.0, 10.0), 2, 1);
    let out = series(&r, "output.A.ind", 0);
    for (t, y) in out.iter().enumerate() {
        let expect = if (2..8).contains(&t) { 0.2 } else { 1.0 };
        assert!((y - expect).abs() < 1e-6, "t{t}: {y}");
    }
    assert!((metric(&r, "sector.A.ind.mean_loss")[0] - 0.8 * 6.0 / 12.0).abs() < 1e-6);
    assert!(metric(&r, "sector.B.ind.mean_loss")[0].abs() < 1e-9);
    // Unmet share: 40 of 50 in 6 of 12 periods.
    assert!((metric(&r, "unmet.A.x")[0] - 0.4).abs() < 1e-6);
}

#[test]
fn restriction_splits_prices_inside_and_outside() {
    let mut w = World::new(4);
    let ex = w.region("EX");
    let im = w.region("IM");
    let ot = w.region("OT");
    let x = w.commodity("x");
    w.set_elasticity(x, 0.5, 20.0);
    w.producer(x, ex, 100.0 * 12.0, 1.0);
    w.producer(x, ot, 30.0 * 12.0, 1.0);
    w.sector("home", ex, 1e9, 1, &[(x, 20.0 * 12.0)]);
    w.sector("ind", im, 1e9, 1, &[(x, 80.0 * 12.0)]);
    w.ban("ban", ex, &[x], Some(&[im]), c(1.0), c(2.0), c(1.0));
    let r = run_n(&w.build(), 1, 1);
    // Unrestricted market: F0 = 1, S0 = 100/130. During the ban IM gets OT's 30 of 80, EX's
    // producers sell 20 of 100, OT's sell all 30. The sellers' side only lowers prices
    // (stranded output): EX's index dips, OT's (sold share above baseline, no buyers of its own)
    // stays at 1.
    let s0: f64 = 100.0 / 130.0;
    let ex_index = (0.2 / s0).powi(2);
    let im_index = (1.0 / 0.375f64).powi(2);
    let ot_index = 1.0;
    let pe = series(&r, "price.EX.x", 0);
    let pi = series(&r, "price.IM.x", 0);
    let po = series(&r, "price.OT.x", 0);
    for t in [1, 2] {
        assert!((pe[t] - ex_index).abs() < 1e-5, "EX {pe:?} vs {ex_index}");
        assert!((pi[t] - im_index).abs() < 1e-5, "IM {pi:?} vs {im_index}");
        assert!((po[t] - ot_index).abs() < 1e-5, "OT {po:?} vs {ot_index}");
    }
    assert!(pe[1] < 1.0 && pi[1] > 1.0);
    for t in [0, 3] {
        assert_eq!((pe[t], pi[t], po[t]), (1.0, 1.0, 1.0));
    }
    assert!((metric(&r, "price.IM.x.peak")[0] - im_index).abs() < 1e-9);
    assert!((metric(&r, "price.EX.x.peak")[0] - 1.0).abs() < 1e-12);
    assert!((metric(&r, "sector.IM.ind.mean_loss")[0] - 0.625 * 2.0 / 4.0).abs() < 1e-9);
}

#[test]
fn priority_tiers_serve_defense_first() {
    let mut w = World::new(6);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    w.producer(x, ex, 1200.0, 1.0);
    w.producer(x, im, 60.0 * 12.0, 1.0);
    let d = w.sector("defense", im, 1e9, 2, &[(x, 40.0 * 12.0)]);
    w.sector("ev", im, 1e9, 1, &[(x, 80.0 * 12.0)]);
    w.priority("defense-first", d, 0);
    w.ban("ban", ex, &[x], None, c(0.0), c(6.0), c(1.0));
    let r = run_n(&w.build(), 1, 1);
    // 60 at home: defense takes its 40, ev the remaining 20 of 80.
    assert!(metric(&r, "sector.IM.defense.mean_loss")[0].abs() < 1e-9);
    assert!((metric(&r, "sector.IM.ev.mean_loss")[0] - 0.75).abs() < 1e-9);
}

/// The diversion world (solver path every ban period), for the allocation counter.
pub fn diversion_world_for_alloc() -> Scenario {
    diversion_world(90.0, 10.0)
}

/// The same world read from TOML: the parser's parameter paths line up with the builder's, so
/// the two give bit-identical results (common random numbers between files and code).
#[test]
fn the_closed_form_world_from_toml_matches_the_builder() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/engine/closed-form.toml");
    let sc = match chokepoint::scenario::load(&path) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{}", e.render(false)),
    };
    let built = one_importer_one_exporter(24, Dist::UniformInt { lo: 1, hi: 12 });
    let (a, b) = (run_n(&sc, 2000, 7), run_n(&built, 2000, 7));
    assert_eq!(a.param_paths, b.param_paths);
    assert_eq!(a.metric_names, b.metric_names);
    assert_eq!(a.series_names, b.series_names);
    assert_eq!(a.metrics, b.metrics);
    let loss = metric(&a, "sector.IM.ind.mean_loss");
    let mean = loss.iter().sum::<f64>() / loss.len() as f64;
    // Standard error of the mean is about 0.0032 at 2000 trials.
    assert!((mean - 6.5 / 24.0).abs() < 0.013, "{mean}");
}
