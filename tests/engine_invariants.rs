//! Invariants on generated and hand-built worlds: mass balance every period, more-is-better on
//! worlds without supply response, and the mechanisms where a lever can backfire.

use chokepoint::engine::trial_trace;
use chokepoint::model::Model;
use chokepoint::sample::Dist;
use chokepoint::scenario::Scenario;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::engine_closed_forms::{metric, run_n, series};
use crate::engine_world::{World, c};

/// A random world: 2-4 regions, 1-3 commodities in a recipe chain, producers with supply
/// response, sectors with priorities, non-essential inputs and substitution, inventories,
/// restrictions with leakage and relief, an outage, a surge, and every kind of policy.
pub fn generated_world(seed: u64) -> Scenario {
    let mut g = Xoshiro256PlusPlus::seed_from_u64(seed);
    let mut w = World::new(g.random_range(6..=18));
    let nr = g.random_range(2..=4);
    let nc = g.random_range(1..=3);
    let regions: Vec<usize> = (0..nr).map(|i| w.region(&format!("R{i}"))).collect();
    let comms: Vec<usize> = (0..nc).map(|i| w.commodity(&format!("c{i}"))).collect();
    let mut producers = vec![];
    for (ci, &cm) in comms.iter().enumerate() {
        let k = g.random_range(1..=nr);
        for &r in regions.iter().take(k) {
            let util = g.random_range(0.5..1.0);
            let p = w.producer(cm, r, g.random_range(50.0..500.0), util);
            if g.random_bool(0.5) {
                w.responsive(p, (util + 0.2).min(1.0), g.random_range(0.0..0.1));
            }
            if ci > 0 && g.random_bool(0.7) {
                w.recipe(p, comms[g.random_range(0..ci)], g.random_range(0.3..2.0));
            }
            producers.push(p);
        }
    }
    let mut sectors = vec![];
    for &r in &regions {
        for k in 0..g.random_range(0..=2) {
            let a = comms[g.random_range(0..nc)];
            let b = comms[g.random_range(0..nc)];
            let mut dem = vec![(a, g.random_range(10.0..300.0))];
            if b != a {
                dem.push((b, g.random_range(10.0..300.0)));
            }
            let s = w.sector(
                &format!("s{k}"),
                r,
                g.random_range(1e8..1e10),
                g.random_range(0..3),
                &dem,
            );
            if dem.len() > 1 && g.random_bool(0.3) {
                w.non_essential(s, 1, g.random_range(0.0..1.0));
            }
            if g.random_bool(0.4) {
                w.substitution(s, 0, 0.5, g.random_range(0.0f64..4.0).round(), 0.1);
            }
            sectors.push(s);
        }
    }
    for &r in &regions {
        for &cm in &comms {
            if g.random_bool(0.3) {
                w.inventory(
                    r,
                    cm,
                    g.random_range(0.0..3.0),
                    g.random_range(0.0..3.0),
                    0.3,
                );
            }
        }
    }
    let h = w.sc.meta.horizon as f64;
    for k in 0..g.random_range(1..=2) {
        let ex = regions[g.random_range(0..nr)];
        let cm = comms[g.random_range(0..nc)];
        let targets: Vec<usize> = regions.iter().copied().filter(|&r| r != ex).collect();
        let tg = if g.random_bool(0.5) {
            None
        } else {
            Some(&targets[..1])
        };
        let b = w.ban(
            &format!("ban{k}"),
            ex,
            &[cm],
            tg,
            Dist::UniformInt {
                lo: 0,
                hi: (h / 2.0) as i64,
            },
            Dist::Triangular {
                min: 1.0,
                mode: 3.0,
                max: h,
            },
            Dist::Pert {
                min: 0.3,
                mode: 0.8,
                max: 1.0,
            },
        );
        w.leakage(b, Dist::Uniform { lo: 0.0, hi: 0.2 });
        if g.random_bool(0.5) {
            w.relief(b, Dist::Uniform { lo: 1.0, hi: 6.0 });
        }
        if g.random_bool(0.5) {
            w.probability(b, c(0.6));
        }
    }
    let p0 = producers[g.random_range(0..producers.len())];
    w.outage("outage", p0, 1.0, 3.0, 0.5);
    if !sectors.is_empty() {
        w.surge("surge", &[sectors[0]], 2.0, 4.0, 1.3);
        let s = sectors[sectors.len() - 1];
        let r = w.sc.sectors[s].region;
        let cm = w.sc.sectors[s].inputs[0].commodity;
        w.stockpile("reserve", r, cm, 2.0, 0.9, 0.5, &[]);
        w.recycling("recycle", r, cm, 0.1, 1.0, 3.0);
        // A state reserve buying a year of a region's demand in four periods.
        let r0 = w.sc.sectors[0].region;
        let c0 = w.sc.sectors[0].inputs[0].commodity;
        let year: f64 =
            w.sc.sectors
                .iter()
                .filter(|x| x.region == r0)
                .flat_map(|x| &x.inputs)
                .filter(|i| i.commodity == c0)
                .map(|i| i.demand.dist.mean())
                .sum();
        w.reserve("state-reserve", r0, c0, 1.0, 4.0, year);
    }
    let p1 = producers[g.random_range(0..producers.len())];
    w.expansion("expand", p1, 200.0, 2.0, 3.0, Dist::Const(0.7));
    w.build()
}

pub fn check_balances(sc: &Scenario, trial: u64) -> Result<(), TestCaseError> {
    let m = Model::compile(sc);
    let tr = trial_trace(&m, 5, trial);
    let nr = m.n_regions;
    let nc = m.n_commodities;
    for b in &tr.cells {
        let scale = 1.0 + b.demand + b.delivered + b.inventory + b.recycled;
        let supply = b.arrivals + b.recycled + b.inventory_draw + b.stockpile_release;
        let used = b.delivered + b.refilled + b.reserved;
        prop_assert!(
            (supply - used).abs() <= 1e-9 * scale,
            "cell {b:?}: supply {supply} vs used {used}"
        );
        prop_assert!(
            b.arrivals <= b.demand + 1e-9 * scale,
            "arrivals above demand: {b:?}"
        );
        prop_assert!(b.inventory_draw <= b.inventory + 1e-9 * scale);
        prop_assert!(b.unmet >= 0.0 && b.arrivals >= 0.0);
        // Next period's opening inventory is this one's plus refills and returns less draws.
        if b.t + 1 < m.horizon {
            let next = &tr.cells[(b.t + 1) * nr * nc + b.region * nc + b.commodity];
            let expect = b.inventory - b.inventory_draw + b.refilled + b.returned;
            prop_assert!((next.inventory - expect).abs() <= 1e-9 * scale);
        }
    }
    for cb in &tr.commodities {
        let scale = 1.0 + cb.available;
        prop_assert!((cb.produced - cb.shipped).abs() <= 1e-9 * scale, "{cb:?}");
        prop_assert!(cb.produced <= cb.available + 1e-9 * scale, "{cb:?}");
        prop_assert!(cb.max_access_excess <= 1e-9 * scale, "{cb:?}");
        let arrived: f64 = tr
            .cells
            .iter()
            .filter(|b| b.t == cb.t && b.commodity == cb.commodity)
            .map(|b| b.arrivals)
            .sum();
        prop_assert!(
            (arrived - cb.shipped).abs() <= 1e-9 * scale,
            "{cb:?} vs {arrived}"
        );
    }
    for &y in &tr.output {
        prop_assert!((0.0..=1.0).contains(&y));
    }
    for v in tr.metrics.iter() {
        prop_assert!(v.is_finite());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn mass_balances_every_period(world in any::<u64>(), trial in 0u64..1000) {
        check_balances(&generated_world(world), trial)?;
    }
}

/// One importer, two sectors, two raw commodities, no supply response and no substitution:
/// the world where more of a lever can only help.
struct Levers {
    stockpile: f64,
    capacity: f64,
    leakage: (f64, f64),
    recycling: f64,
    severity: (f64, f64),
    duration: (f64, f64),
}

const BASE: Levers = Levers {
    stockpile: 1.0,
    capacity: 100.0,
    leakage: (0.0, 0.2),
    recycling: 0.05,
    severity: (0.5, 0.8),
    duration: (2.0, 8.0),
};

fn lever_world(l: &Levers) -> Scenario {
    let mut w = World::new(16);
    let ex = w.region("EX");
    let ot = w.region("OT");
    let im = w.region("IM");
    let x = w.commodity("x");
    let y = w.commodity("y");
    w.producer(x, ex, 1000.0, 0.9);
    let po = w.producer(x, ot, 200.0, 0.9);
    w.producer(y, ex, 500.0, 0.9);
    w.producer(y, ot, 100.0, 0.9);
    w.sector("defense", im, 1e9, 0, &[(x, 100.0)]);
    w.sector("ev", im, 4e9, 1, &[(x, 600.0), (y, 300.0)]);
    w.inventory(im, x, 0.5, 0.5, 0.2);
    let b = w.ban(
        "ban",
        ex,
        &[x],
        None,
        Dist::UniformInt { lo: 0, hi: 4 },
        Dist::Uniform {
            lo: l.duration.0,
            hi: l.duration.1,
        },
        Dist::Uniform {
            lo: l.severity.0,
            hi: l.severity.1,
        },
    );
    w.leakage(
        b,
        Dist::Uniform {
            lo: l.leakage.0,
            hi: l.leakage.1,
        },
    );
    w.stockpile("reserve", im, x, l.stockpile, 0.95, 0.5, &[]);
    w.expansion("expand", po, l.capacity, 3.0, 2.0, Dist::Const(0.8));
    w.recycling("recycle", im, x, l.recycling, 2.0, 4.0);
    w.build()
}

fn assert_no_worse(better: &Scenario, base: &Scenario, what: &str) {
    let (a, b) = (run_n(better, 150, 11), run_n(base, 150, 11));
    let mut strictly = false;
    for name in a.metric_names.iter().filter(|n| n.ends_with(".mean_loss")) {
        for (t, (x, y)) in metric(&a, name).iter().zip(metric(&b, name)).enumerate() {
            assert!(*x <= y + 1e-9, "{what}: {name} trial {t}: {x} > {y}");
            strictly |= *x < y - 1e-9;
        }
    }
    assert!(
        strictly,
        "{what}: the lever changed nothing; the test world is too easy"
    );
}

#[test]
fn more_of_a_lever_never_increases_loss() {
    let base = lever_world(&BASE);
    let cases = [
        (
            "stockpile",
            Levers {
                stockpile: 3.0,
                ..BASE
            },
        ),
        (
            "capacity",
            Levers {
                capacity: 400.0,
                ..BASE
            },
        ),
        (
            "leakage",
            Levers {
                leakage: (0.2, 0.4),
                ..BASE
            },
        ),
        (
            "recycling",
            Levers {
                recycling: 0.3,
                ..BASE
            },
        ),
    ];
    for (what, l) in cases {
        assert_no_worse(&lever_world(&l), &base, what);
    }
    let harsher = [
        (
            "severity",
            Levers {
                severity: (0.7, 1.0),
                ..BASE
            },
        ),
        (
            "duration",
            Levers {
                duration: (4.0, 10.0),
                ..BASE
            },
        ),
    ];
    for (what, l) in harsher {
        assert_no_worse(&base, &lever_world(&l), what);
    }
}

/// Leakage through a ban on A lets A compete again for EX's scarce output, so bystander B,
/// which diversion had served in full, now shares the shortage: fair, not monotone for B.
#[test]
fn leakage_shares_the_shortage_with_a_bystander() {
    let build = |leak: f64| {
        let mut w = World::new(4);
        let ex = w.region("EX");
        let ot = w.region("OT");
        let a = w.region("A");
        let b = w.region("B");
        let x = w.commodity("x");
        w.producer(x, ex, 60.0 * 12.0, 1.0);
        w.producer(x, ot, 10.0 * 12.0, 1.0);
        w.sector("ind", a, 1e9, 1, &[(x, 600.0)]);
        w.sector("ind", b, 1e9, 1, &[(x, 600.0)]);
        let k = w.ban("ban", ex, &[x], Some(&[a]), c(0.0), c(4.0), c(1.0));
        w.leakage(k, c(leak));
        w.build()
    };
    let (tight, leaky) = (run_n(&build(0.0), 1, 1), run_n(&build(0.5), 1, 1));
    // No leakage: A gets OT's 10 of 50, B all 50 from EX. Half leakage: EX may send A up to 30,
    // so both reach the common fill 70/100.
    assert!((series(&tight, "output.A.ind", 0)[0] - 0.2).abs() < 1e-6);
    assert!((series(&tight, "output.B.ind", 0)[0] - 1.0).abs() < 1e-6);
    assert!((series(&leaky, "output.A.ind", 0)[0] - 0.7).abs() < 1e-6);
    assert!((series(&leaky, "output.B.ind", 0)[0] - 0.7).abs() < 1e-6);
}

/// A stockpile hides the shortage from producers, so they ramp up later: once it runs dry the
/// region is shorter than it would have been without it.
#[test]
fn a_stockpile_delays_the_producers_ramp_up() {
    let build = |reserve: f64| {
        let mut w = World::new(12);
        let ex = w.region("EX");
        let im = w.region("IM");
        let x = w.commodity("x");
        w.producer(x, ex, 1200.0, 1.0);
        let p = w.producer(x, im, 600.0, 0.5);
        w.responsive(p, 1.0, 0.1);
        let s = w.sector("ind", im, 1e9, 1, &[(x, 1200.0)]);
        w.ban("ban", ex, &[x], None, c(0.0), c(12.0), c(1.0));
        w.stockpile("reserve", im, x, reserve, 1.0, 1.0, &[s]);
        w.build()
    };
    let (without, with) = (run_n(&build(0.0), 1, 1), run_n(&build(2.0), 1, 1));
    let (a, b) = (
        series(&without, "output.IM.ind", 0),
        series(&with, "output.IM.ind", 0),
    );
    // Without: home output 25 of 100 at t0, then +5 each period as utilisation climbs. With:
    // the reserve (200, released at most 100 a period) tops up the 25 for two full periods and
    // 50 of the third; only then is demand unmet, so the climb starts three periods late.
    assert!(
        (a[0] - 0.25).abs() < 1e-6 && (a[3] - 0.40).abs() < 1e-6,
        "{a:?}"
    );
    assert_eq!((b[0], b[1]), (1.0, 1.0));
    assert!(
        (b[2] - 0.75).abs() < 1e-6 && (b[3] - 0.30).abs() < 1e-6,
        "{b:?}"
    );
    for t in 3..12 {
        assert!(b[t] <= a[t], "t{t}: {b:?} vs {a:?}");
    }
    assert!(b[3] < a[3] && b[6] < a[6]);
}
