//! Result files of a large run: statistics (one sort per metric and per series-period), then
//! `metrics.csv`, `series.csv` and `summary.json`. Sized like a realistic world (see
//! `benches/engine.rs`): 5000 trials, 500 metrics, 400 series x 24 months. Reports elements
//! (trial values summarised) per second.

use std::hint::black_box;
use std::path::PathBuf;

use chokepoint::report::json::summary_json;
use chokepoint::report::{Summaries, csv};
use chokepoint::run::RunResults;
use chokepoint::scenario::{Meta, Period, YearMonth};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

const TRIALS: usize = 5000;
const METRICS: usize = 500;
const SERIES: usize = 400;
const HORIZON: usize = 24;

/// Deterministic pseudo-random values (a 64-bit LCG), so sorting does real work.
fn results() -> RunResults {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 11) as f64 / (1u64 << 53) as f64
    };
    RunResults {
        seed: 1,
        first_trial: 0,
        trials: TRIALS,
        horizon: HORIZON,
        metric_names: (0..METRICS).map(|m| format!("metric.{m}")).collect(),
        metrics: (0..TRIALS * METRICS).map(|_| next()).collect(),
        param_paths: vec![],
        params: vec![],
        series_names: (0..SERIES).map(|s| format!("output.R.s{s}")).collect(),
        series: (0..TRIALS * SERIES * HORIZON)
            .map(|_| next() as f32)
            .collect(),
    }
}

fn meta() -> Meta {
    Meta {
        name: "bench".into(),
        description: String::new(),
        file: PathBuf::from("bench.toml"),
        world_file: None,
        world_name: None,
        world_year: None,
        horizon: HORIZON,
        period: Period::Month,
        start: Some(YearMonth {
            year: 2025,
            month: 4,
        }),
        seed: 1,
        trials: TRIALS as u64,
        source: None,
    }
}

fn bench(c: &mut Criterion) {
    let r = results();
    let m = meta();
    // The scenario's names label the CSV rows (the synthetic metric names fall back to themselves).
    let sc = chokepoint::scenario::Scenario {
        meta: m.clone(),
        regions: vec![],
        commodities: vec![],
        producers: vec![],
        sectors: vec![],
        inventories: vec![],
        shocks: vec![],
        policies: vec![],
        topo_order: vec![],
    };
    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.throughput(Throughput::Elements(
        (TRIALS * (METRICS + SERIES * HORIZON)) as u64,
    ));
    g.bench_function("summaries", |b| {
        b.iter(|| black_box(Summaries::compute(&r)))
    });
    let sums = Summaries::compute(&r);
    g.throughput(Throughput::Elements((METRICS + SERIES * HORIZON) as u64));
    g.bench_function("files", |b| {
        b.iter(|| {
            black_box(csv::metrics_csv(&sc, &r, &sums));
            black_box(csv::series_csv(&sc, &r, &sums));
            black_box(summary_json(&m, &r, &sums));
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
