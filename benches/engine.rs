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
//! trial-period-producer.

use std::hint::black_box;
use std::path::PathBuf;

use chokepoint::engine::{TrialOut, Workspace, run_trial};
use chokepoint::model::Model;
use chokepoint::run::{RunOptions, run_model};
use chokepoint::sample::Dist;
use chokepoint::scenario::*;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn fixed(path: String, v: f64) -> Param {
    Param::fixed(path, v)
}

fn realistic_world() -> Scenario {
    let nr = 12;
    let regions: Vec<Region> = (0..nr)
        .map(|i| Region {
            id: format!("R{i}"),
            name: format!("Region {i}"),
            source: None,
        })
        .collect();
    // 5 raw materials, 5 refined (one raw input), 5 components (a refined and a raw input).
    let commodities: Vec<Commodity> = (0..15)
        .map(|i| {
            let id = format!("c{i}");
            Commodity {
                price: fixed(format!("commodity.{id}.price"), 1000.0),
                elasticity: fixed(format!("commodity.{id}.elasticity"), 0.2),
                max_price_multiple: fixed(format!("commodity.{id}.max_price_multiple"), 20.0),
                // v2 price keys at their defaults: both sides use the demand elasticity.
                availability_elasticity: fixed(format!("commodity.{id}.elasticity"), 0.2),
                supply_elasticity: fixed(format!("commodity.{id}.elasticity"), 0.2),
                price_adjustment: fixed(format!("commodity.{id}.price_adjustment"), 1.0),
                entry: None,
                name: id.clone(),
                unit: "t".into(),
                id,
                source: None,
            }
        })
        .collect();
    let mut producers = Vec::new();
    for c in 0..15usize {
        // Region 0 dominates every stage; three others hold the rest.
        for k in 0..4usize {
            let r = if k == 0 {
                0
            } else {
                1 + (c * 3 + k) % (nr - 1)
            };
            let b = format!("producer.c{c}.R{r}");
            let mut inputs = Vec::new();
            if c >= 5 {
                inputs.push((c - 5, fixed(format!("{b}.inputs.c{}", c - 5), 1.2)));
            }
            if c >= 10 {
                inputs.push((c % 5, fixed(format!("{b}.inputs.c{}", c % 5), 0.3)));
            }
            let cap = if k == 0 { 7000.0 } else { 1500.0 };
            producers.push(Producer {
                commodity: c,
                region: r,
                capacity: fixed(format!("{b}.capacity"), cap),
                utilization: fixed(format!("{b}.utilization"), 0.8),
                max_utilization: fixed(format!("{b}.max_utilization"), 0.95),
                ramp: fixed(format!("{b}.ramp"), 0.02),
                stock: Param::fixed("stock", 0.0),
                inputs,
                source: None,
            });
        }
    }
    let mut sectors = Vec::new();
    for r in 0..nr {
        for k in 0..4usize {
            let id = ["defense", "ev", "semis", "wind"][k].to_string();
            let b = format!("sector.R{r}.{id}");
            let inputs = (0..3)
                .map(|j| {
                    let c = if j == 2 {
                        5 + (r + k) % 5
                    } else {
                        10 + (r + k + j) % 5
                    };
                    SectorInput {
                        commodity: c,
                        demand: fixed(format!("{b}.demand.c{c}"), 120.0),
                        essential: j < 2,
                        weight: fixed(format!("{b}.weights.c{c}"), 0.5),
                        substitution: (k == 1).then(|| Substitution {
                            max: fixed(format!("{b}.substitution.c{c}.max"), 0.3),
                            lag: fixed(format!("{b}.substitution.c{c}.lag"), 3.0),
                            rate: fixed(format!("{b}.substitution.c{c}.rate"), 0.05),
                        }),
                        price_elasticity: None,
                    }
                })
                .collect::<Vec<_>>();
            // Two inputs may coincide; keep the first.
            let mut seen = Vec::new();
            let inputs = inputs
                .into_iter()
                .filter(|i| {
                    let new = !seen.contains(&i.commodity);
                    seen.push(i.commodity);
                    new
                })
                .collect();
            sectors.push(Sector {
                value_added: fixed(format!("{b}.value_added"), 5e9),
                region: r,
                name: id.clone(),
                id,
                priority: k as u32,
                inputs,
                indirect_multiplier: None,
                source: None,
            });
        }
    }
    let inventories = (1..nr)
        .flat_map(|r| {
            (10..15).map(move |c| {
                let b = format!("inventory.R{r}.c{c}");
                Inventory {
                    region: r,
                    commodity: c,
                    cover: fixed(format!("{b}.cover"), 2.0),
                    target: fixed(format!("{b}.target"), 2.0),
                    refill_rate: fixed(format!("{b}.refill_rate"), 0.25),
                    source: None,
                }
            })
        })
        .collect();
    let p = |id: &str, f: &str, d: Dist| Param::new(format!("shock.{id}.{f}"), d);
    let shocks = vec![
        Shock {
            id: "ban".into(),
            start: p("ban", "start", Dist::UniformInt { lo: 0, hi: 6 }),
            duration: p(
                "ban",
                "duration",
                Dist::Triangular {
                    min: 3.0,
                    mode: 6.0,
                    max: 18.0,
                },
            ),
            probability: p("ban", "probability", Dist::Const(0.9)),
            kind: ShockKind::ExportRestriction {
                exporter: 0,
                commodities: vec![5, 6, 7, 10, 11, 12],
                targets: (1..nr).collect(),
                targets_all: true,
                // v1's default, pinned so that `generated` is the v1 workload; `generated_v2`
                // uses the v2 default (flow).
                basis: RestrictionBasis::Output,
                announced: None,
                precautionary_cover: None,
                licensing: None,
                severity_path: None,
                severity: p(
                    "ban",
                    "severity",
                    Dist::Pert {
                        min: 0.6,
                        mode: 0.85,
                        max: 0.98,
                    },
                ),
                leakage: p("ban", "leakage", Dist::Uniform { lo: 0.0, hi: 0.1 }),
                relief_half_life: Some(p(
                    "ban",
                    "relief_half_life",
                    Dist::Uniform { lo: 1.0, hi: 4.0 },
                )),
            },
            source: None,
        },
        Shock {
            id: "outage".into(),
            start: p("outage", "start", Dist::UniformInt { lo: 0, hi: 12 }),
            duration: p("outage", "duration", Dist::UniformInt { lo: 1, hi: 6 }),
            probability: p("outage", "probability", Dist::Const(0.3)),
            kind: ShockKind::ProductionOutage {
                region: producers[1].region,
                commodity: 0,
                producer: 1,
                severity: p("outage", "severity", Dist::Const(0.5)),
            },
            source: None,
        },
        Shock {
            id: "rearm".into(),
            start: p("rearm", "start", Dist::Const(0.0)),
            duration: p("rearm", "duration", Dist::Const(24.0)),
            probability: p("rearm", "probability", Dist::Const(1.0)),
            kind: ShockKind::DemandSurge {
                sector_id: "defense".into(),
                region: None,
                sectors: (0..nr).map(|r| r * 4).collect(),
                factor: p("rearm", "factor", Dist::Uniform { lo: 1.1, hi: 1.5 }),
            },
            source: None,
        },
    ];
    let q = |id: &str, f: &str, d: Dist| Param::new(format!("policy.{id}.{f}"), d);
    let policies = vec![
        Policy {
            id: "reserve".into(),
            kind: PolicyKind::Stockpile {
                region: 1,
                commodity: 10,
                initial: q("reserve", "initial", Dist::Const(3.0)),
                release_below: q("reserve", "release_below", Dist::Const(0.9)),
                max_release: q("reserve", "max_release", Dist::Const(0.5)),
                eligible: vec![4],
            },
            source: None,
            cost: None,
            lever: None,
        },
        Policy {
            id: "plant".into(),
            kind: PolicyKind::CapacityExpansion {
                commodity: 5,
                region: producers[21].region,
                producer: 21,
                capacity: q("plant", "capacity", Dist::Const(2000.0)),
                lead_time: q(
                    "plant",
                    "lead_time",
                    Dist::Triangular {
                        min: 6.0,
                        mode: 12.0,
                        max: 24.0,
                    },
                ),
                ramp: q("plant", "ramp", Dist::Const(6.0)),
                success: q("plant", "success", Dist::Const(0.7)),
                inputs: vec![],
            },
            source: None,
            cost: None,
            lever: None,
        },
        Policy {
            id: "recycle".into(),
            kind: PolicyKind::Recycling {
                region: 2,
                commodity: 11,
                share: q("recycle", "share", Dist::Uniform { lo: 0.05, hi: 0.15 }),
                lead_time: q("recycle", "lead_time", Dist::Const(6.0)),
                ramp: q("recycle", "ramp", Dist::Const(12.0)),
            },
            source: None,
            cost: None,
            lever: None,
        },
    ];
    Scenario {
        meta: Meta {
            name: "bench".into(),
            description: String::new(),
            file: PathBuf::from("bench.toml"),
            world_file: None,
            world_name: None,
            world_year: None,
            horizon: 24,
            period: Period::Month,
            start: None,
            seed: 1,
            trials: 1000,
            source: None,
        },
        regions,
        commodities,
        producers,
        sectors,
        inventories,
        shocks,
        policies,
        topo_order: (0..15).collect(),
    }
}

/// The generated world with the v2 rules on: the restriction is announced three periods early
/// (precautionary stocking in the targets), licensed instead of relieved and follows a severity
/// path; the restricted commodities have price-driven entry; the non-essential input of every
/// sector responds to its price; every sector has an indirect multiplier.
fn realistic_world_v2() -> Scenario {
    let mut sc = realistic_world();
    let restricted = [5usize, 6, 7, 10, 11, 12];
    for &c in &restricted {
        let b = format!("commodity.c{c}.entry");
        sc.commodities[c].entry = Some(Entry {
            threshold: fixed(format!("{b}.threshold"), 1.5),
            lead_time: fixed(format!("{b}.lead_time"), 6.0),
            growth: fixed(format!("{b}.growth"), 0.1),
            max: fixed(format!("{b}.max"), 0.3),
            success: fixed(format!("{b}.success"), 0.8),
        });
        sc.commodities[c].price_adjustment = fixed(format!("commodity.c{c}.price_adjustment"), 0.5);
    }
    for s in &mut sc.sectors {
        let b = format!("sector.R{}.{}", s.region, s.id);
        for i in s.inputs.iter_mut().filter(|i| !i.essential) {
            i.price_elasticity = Some(fixed(format!("{b}.price_elasticity.c{}", i.commodity), 0.1));
        }
        s.indirect_multiplier = Some(fixed(format!("{b}.indirect_multiplier"), 0.5));
    }
    let p = |f: &str, d: Dist| Param::new(format!("shock.ban.{f}"), d);
    sc.shocks[0].start = p("start", Dist::UniformInt { lo: 3, hi: 9 });
    let ShockKind::ExportRestriction {
        announced,
        precautionary_cover,
        licensing,
        severity_path,
        relief_half_life,
        basis,
        ..
    } = &mut sc.shocks[0].kind
    else {
        unreachable!("the first generated shock is the restriction")
    };
    *announced = Some(p("announced", Dist::Const(2.0)));
    *precautionary_cover = Some(p("precautionary_cover", Dist::Uniform { lo: 0.5, hi: 2.0 }));
    *licensing = Some(Licensing {
        review: p("licensing.review", Dist::Const(2.0)),
        approval_rate: p(
            "licensing.approval_rate",
            Dist::Uniform { lo: 0.05, hi: 0.2 },
        ),
        ceiling: p("licensing.ceiling", Dist::Const(0.6)),
    });
    *severity_path = Some(
        [0.5, 0.8, 0.95]
            .iter()
            .enumerate()
            .map(|(k, &v)| p(&format!("severity_path.{k}"), Dist::Const(v)))
            .collect(),
    );
    *relief_half_life = None;
    *basis = RestrictionBasis::Flow;
    sc
}

fn shipped() -> Scenario {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("g7-derisking-2026.toml");
    match chokepoint::scenario::load(&path) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{} does not load:\n{}", path.display(), e.render(false)),
    }
}

fn bench(c: &mut Criterion) {
    for (name, sc) in [
        ("g7_derisking_2026", shipped()),
        ("generated", realistic_world()),
        ("generated_v2", realistic_world_v2()),
    ] {
        bench_one(c, name, &sc);
    }
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
