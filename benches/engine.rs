//! Engine throughput on the shipped `scenarios/g7-derisking-2026.toml` (the 2025 world: 13
//! regions, 18 commodities, 54 producers, 42 sectors; 36 months of escalation met by a de-risking
//! package; the world's v2 keys: price-driven entry, price-responsive demand, indirect
//! multipliers) and on a generated world (12 regions, 15 commodities in three stages, 60
//! producers, 48 sectors, 24 months, a multi-commodity restriction with relief, an outage, a
//! surge, a stockpile, a capacity project, recycling and sector substitution). `generated` keeps
//! the v2 keys at their defaults and the restriction on v1's default basis (output), so it is the
//! v1 workload under the v2 engine; `generated_v2` is the same world on the flow basis with the
//! v2 rules the shipped scenarios do not exercise switched on (an announcement with precautionary
//! stocking, licensing instead of relief, a severity path, entry on the restricted commodities,
//! price-responsive demand, indirect multipliers). Every trial includes the v2 baseline pass.
//! Reports trials per second; `docs/performance.md` turns the time per trial into ns per
//! trial-period-producer. `engine/scaling` times one trial of generated worlds of 4 x 4 to 32 x 32
//! regions x commodities (`common::sized_world`), for the growth of cost with network size.

use std::hint::black_box;

use chokepoint::engine::{TrialOut, Workspace, run_trial};
use chokepoint::model::Model;
use chokepoint::run::{RunOptions, run_model};
use chokepoint::scenario::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

mod common;
use common::{flagship, realistic_world, realistic_world_v2, sized_world};

fn bench(c: &mut Criterion) {
    for (name, sc) in [
        ("g7_derisking_2026", flagship()),
        ("generated", realistic_world()),
        ("generated_v2", realistic_world_v2()),
    ] {
        bench_one(c, name, &sc);
    }
    // Growth with network size: n regions x n commodities, one trial.
    let mut g = c.benchmark_group("engine/scaling");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    for n in [4usize, 8, 16, 32] {
        let m = Model::compile(&sized_world(n, n));
        let mut ws = Workspace::new(&m);
        let mut metrics = vec![0.0; m.n_metrics()];
        let mut params = vec![0.0; m.n_params()];
        let mut series = vec![0.0f32; m.n_series() * m.horizon];
        let mut trial = 0u64;
        g.bench_function(format!("{n}x{n}_one_trial"), |b| {
            b.iter(|| {
                trial += 1;
                run_trial(
                    &m,
                    &mut ws,
                    1,
                    trial,
                    TrialOut {
                        metrics: &mut metrics,
                        params: &mut params,
                        series: &mut series,
                    },
                );
                black_box(metrics[0])
            })
        });
    }
    g.finish();
}

fn bench_one(c: &mut Criterion, name: &str, sc: &Scenario) {
    let m = Model::compile(sc);
    let mut ws = Workspace::new(&m);
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    let mut g = c.benchmark_group(format!("engine/{name}"));
    g.throughput(Throughput::Elements(1));
    let mut trial = 0u64;
    g.bench_function("one_trial", |b| {
        b.iter(|| {
            trial += 1;
            run_trial(
                &m,
                &mut ws,
                1,
                trial,
                TrialOut {
                    metrics: &mut metrics,
                    params: &mut params,
                    series: &mut series,
                },
            );
            black_box(metrics[0])
        })
    });
    g.throughput(Throughput::Elements(256));
    g.sample_size(10);
    g.bench_function("run_256_trials_2_threads", |b| {
        let opts = RunOptions {
            trials: 256,
            seed: 1,
            first_trial: 0,
            threads: Some(2),
        };
        b.iter(|| black_box(run_model(&m, &opts, &|_, _| true).expect("run")))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
