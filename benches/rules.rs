//! Criterion benches per rule (issue 12, item 4): each rule of one period of `engine::period`
//! timed alone, on the state a trial leaves halfway through the scenario pass (the scenario cut
//! to half its horizon, so the restrictions of the middle months are in force). The workspace is
//! restored from that snapshot before every iteration (outside the timing), so the rules that
//! change state (inventories, capacity, prices) always start from the same state. Allocation is
//! split into the commodities some restriction touches this period (the network solver) and the
//! others (the one-market fast path).
//!
//! ```text
//! cargo bench --bench rules                        # the flagship and the 32 x 32 generated world
//! cargo bench --bench rules -- g7 --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use chokepoint::engine::{
    TrialOut, Workspace, allocation, capacity, demand, distribution, inventory, output, prices,
    production, run_trial, shocks,
};
use chokepoint::model::Model;
use chokepoint::scenario::Scenario;
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

#[allow(dead_code)]
mod common;

/// The model cut to half the scenario's horizon and the workspace after one trial of it: the
/// state at the end of the middle period.
fn midway(mut sc: Scenario) -> (Model, Workspace, usize) {
    sc.meta.horizon = (sc.meta.horizon / 2).max(1);
    let m = Model::compile(&sc);
    let mut ws = Workspace::new(&m);
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    run_trial(
        &m,
        &mut ws,
        1,
        0,
        TrialOut {
            metrics: &mut metrics,
            params: &mut params,
            series: &mut series,
        },
    );
    let t = m.horizon - 1;
    (m, ws, t)
}

fn bench(c: &mut Criterion) {
    for (name, sc) in [
        ("g7_derisking_2026", common::flagship()),
        ("generated_32x32", common::sized_world(32, 32)),
    ] {
        let (m, ws0, t) = midway(sc);
        let restricted: Vec<usize> = m
            .topo_order
            .iter()
            .copied()
            .filter(|&c| ws0.restricted[c])
            .collect();
        let open: Vec<usize> = m
            .topo_order
            .iter()
            .copied()
            .filter(|&c| !ws0.restricted[c])
            .collect();
        let mut g = c.benchmark_group(format!("rules/{name}"));
        g.sample_size(20);
        // One rule over everything it covers in a period, from the snapshot each iteration.
        let mut rule = |id: &str, f: &dyn Fn(&mut Workspace)| {
            g.bench_function(id, |b| {
                b.iter_batched_ref(|| ws0.clone(), |ws| f(black_box(ws)), BatchSize::LargeInput)
            });
        };
        rule("shocks", &|ws| shocks::apply(&m, ws, t));
        rule("capacity", &|ws| capacity::update(&m, ws, t));
        rule("demand", &|ws| demand::compute(&m, ws, t));
        rule("production_available", &|ws| {
            for &c in &m.topo_order {
                production::available(&m, ws, c);
            }
        });
        rule(
            &format!("allocation_restricted_{}", restricted.len()),
            &|ws| {
                for &c in &restricted {
                    allocation::allocate(&m, ws, c, t);
                }
            },
        );
        rule(&format!("allocation_open_{}", open.len()), &|ws| {
            for &c in &open {
                allocation::allocate(&m, ws, c, t);
            }
        });
        rule("distribution", &|ws| {
            for &c in &m.topo_order {
                distribution::distribute(&m, ws, c);
            }
        });
        rule("production_consume_inputs", &|ws| {
            for &c in &m.topo_order {
                production::consume_inputs(&m, ws, c);
            }
        });
        rule("prices", &|ws| {
            for &c in &m.topo_order {
                prices::index(&m, ws, c, t);
            }
        });
        rule("sector_output", &|ws| output::sector_output(&m, ws));
        rule("inventory_close", &|ws| inventory::close_period(&m, ws, t));
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
