//! One rule at a time, on the two-region world: each mechanism's output path by hand.

use chokepoint::scenario::Scenario;

use crate::engine_closed_forms::{metric, run_n, series};
use crate::engine_world::{World, c};

/// EX makes `x` (capacity `cap` per year at full use) for IM's one sector (1200 a year = 100 a
/// month). `extra` adds the mechanism under test.
fn two_regions(horizon: usize, cap: f64, extra: impl FnOnce(&mut World, usize, usize)) -> Scenario {
    let mut w = World::new(horizon);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    w.producer(x, ex, cap, 1.0);
    w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
    extra(&mut w, ex, im);
    w.build()
}

fn output(sc: &Scenario) -> Vec<f64> {
    series(&run_n(sc, 1, 1), "output.IM.ind", 0)
}

fn close(a: &[f64], b: &[f64]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6)
}

#[test]
fn relief_reopens_the_flow_by_half_lives() {
    let sc = two_regions(6, 1200.0, |w, ex, _| {
        let b = w.ban("ban", ex, &[0], None, c(0.0), c(6.0), c(1.0));
        w.relief(b, c(2.0));
    });
    let want: Vec<f64> = (0..6).map(|t| 1.0 - (-(t as f64) / 2.0).exp2()).collect();
    let got = output(&sc);
    assert!(close(&got, &want), "{got:?} vs {want:?}");
}

#[test]
fn leakage_lets_a_share_through() {
    let sc = two_regions(4, 1200.0, |w, ex, _| {
        let b = w.ban("ban", ex, &[0], None, c(1.0), c(2.0), c(0.8));
        w.leakage(b, c(0.25));
    });
    // Blocked share 0.8 x (1 - 0.25) = 0.6.
    assert!(close(&output(&sc), &[1.0, 0.4, 0.4, 1.0]));
}

#[test]
fn an_outage_halves_supply_while_it_lasts() {
    let sc = two_regions(6, 1200.0, |w, _, _| w.outage("fire", 0, 2.0, 3.0, 0.5));
    assert!(close(&output(&sc), &[1.0, 1.0, 0.5, 0.5, 0.5, 1.0]));
}

#[test]
fn a_surge_beyond_supply_dilutes_every_buyer() {
    let sc = two_regions(4, 1200.0, |w, _, _| w.surge("rush", &[0], 1.0, 2.0, 1.5));
    let got = output(&sc);
    assert!(close(&got, &[1.0, 1.0 / 1.5, 1.0 / 1.5, 1.0]), "{got:?}");
}

#[test]
fn inventory_covers_then_refills_at_its_rate() {
    // Two periods of cover; a full ban for three; then supply to spare refills 50 a period.
    let sc = two_regions(10, 2400.0, |w, ex, im| {
        w.inventory(im, 0, 2.0, 2.0, 0.5);
        w.ban("ban", ex, &[0], None, c(0.0), c(3.0), c(1.0));
    });
    let m = chokepoint::model::Model::compile(&sc);
    let tr = chokepoint::engine::trial_trace(&m, 1, 0);
    let y: Vec<f64> = tr.output.clone();
    assert_eq!(y, vec![1.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0]);
    // IM's inventory of x at the start of each period (cell region 1, commodity 0).
    let inv: Vec<f64> = tr
        .cells
        .iter()
        .filter(|b| b.region == 1 && b.commodity == 0)
        .map(|b| b.inventory)
        .collect();
    let want = [
        200.0, 100.0, 0.0, 0.0, 50.0, 100.0, 150.0, 200.0, 200.0, 200.0,
    ];
    assert!(close(&inv, &want), "{inv:?}");
}

#[test]
fn substitution_starts_after_its_lag_and_builds_at_its_rate() {
    let sc = two_regions(14, 1200.0, |w, ex, _| {
        w.substitution(0, 0, 0.5, 2.0, 0.25);
        w.ban("ban", ex, &[0], None, c(0.0), c(12.0), c(1.0));
    });
    let mut want = vec![0.0, 0.0, 0.25];
    want.extend([0.5; 9]);
    want.extend([1.0; 2]);
    let got = output(&sc);
    assert!(close(&got, &want), "{got:?}");
}

#[test]
fn a_non_essential_input_costs_its_weight_times_its_shortfall() {
    let mut w = World::new(3);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    let z = w.commodity("z");
    w.producer(x, im, 1200.0, 1.0);
    w.producer(z, ex, 1200.0, 1.0);
    let s = w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0), (z, 1200.0)]);
    w.non_essential(s, 1, 0.4);
    w.ban("ban", ex, &[z], None, c(1.0), c(1.0), c(1.0));
    let r = run_n(&w.build(), 1, 1);
    assert!(close(&series(&r, "output.IM.ind", 0), &[1.0, 0.6, 1.0]));
    // The x it could not use went back to inventory, so nothing of x is unmet.
    assert_eq!(metric(&r, "unmet.IM.x")[0], 0.0);
    assert!((metric(&r, "unmet.IM.z")[0] - 1.0 / 3.0).abs() < 1e-12);
}

#[test]
fn recycling_meets_its_share_after_lead_time_and_ramp() {
    let sc = two_regions(6, 1200.0, |w, ex, im| {
        w.recycling("loop", im, 0, 0.3, 1.0, 2.0);
        w.ban("ban", ex, &[0], None, c(0.0), c(6.0), c(1.0));
    });
    assert!(close(&output(&sc), &[0.0, 0.15, 0.3, 0.3, 0.3, 0.3]));
}

#[test]
fn a_capacity_project_comes_online_after_its_lead_time() {
    // IM builds its own plant: 600 a year, online at t2, full at t3.
    let mut w = World::new(5);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    w.producer(x, ex, 1200.0, 1.0);
    let p = w.producer(x, im, 0.0, 1.0);
    w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
    w.expansion("plant", p, 600.0, 2.0, 2.0, c(1.0));
    w.ban("ban", ex, &[x], None, c(0.0), c(5.0), c(1.0));
    let got = output(&w.build());
    assert!(close(&got, &[0.0, 0.0, 0.25, 0.5, 0.5]), "{got:?}");
}

#[test]
fn a_project_that_fails_adds_nothing() {
    let build = |success: f64| {
        let mut w = World::new(4);
        let ex = w.region("EX");
        let im = w.region("IM");
        let x = w.commodity("x");
        w.producer(x, ex, 1200.0, 1.0);
        let p = w.producer(x, im, 0.0, 1.0);
        w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
        w.expansion("plant", p, 600.0, 0.0, 0.0, c(success));
        w.ban("ban", ex, &[x], None, c(0.0), c(4.0), c(1.0));
        w.build()
    };
    let r = run_n(&build(0.5), 400, 3);
    let k = r
        .param_paths
        .iter()
        .position(|p| p == "policy.plant.succeeds")
        .expect("succeeds is reported when uncertain");
    let ok = r.param_values(k);
    let loss = metric(&r, "sector.IM.ind.mean_loss");
    for (s, l) in ok.iter().zip(&loss) {
        assert_eq!(*l, if *s == 1.0 { 0.5 } else { 1.0 });
    }
    let share = ok.iter().sum::<f64>() / ok.len() as f64;
    assert!((share - 0.5).abs() < 0.1, "{share}");
}
