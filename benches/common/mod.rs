//! Generated worlds shared by the benches (`engine`, `trials`).

use std::path::PathBuf;

use chokepoint::sample::Dist;
use chokepoint::scenario::*;

pub fn fixed(path: String, v: f64) -> Param {
    Param::fixed(path, v)
}

/// The shipped flagship, `scenarios/g7-derisking-2026.toml`.
pub fn flagship() -> Scenario {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join("g7-derisking-2026.toml");
    match chokepoint::scenario::load(&path) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{} does not load:\n{}", path.display(), e.render(false)),
    }
}

/// The generated world of the `generated` bench: 12 regions, 15 commodities.
pub fn realistic_world() -> Scenario {
    sized_world(12, 15)
}

/// A generated world of `nr` regions (at least 3) and `nc` commodities (at least 3) in three
/// stages of `k = nc / 3` (raw materials; refined, one raw input; components, a refined and a raw
/// input), four producers per commodity (region 0 dominates), four sectors per region, inventories
/// of components outside region 0; a restriction by region 0 on up to three refined and three
/// component commodities, an outage, a surge, a stockpile, a capacity project and recycling.
/// `sized_world(12, 15)` is the `generated` bench world.
pub fn sized_world(nr: usize, nc: usize) -> Scenario {
    assert!(
        nr >= 3 && nc >= 3,
        "sized_world needs 3 regions and 3 commodities"
    );
    let k3 = nc / 3;
    let regions: Vec<Region> = (0..nr)
        .map(|i| Region {
            id: format!("R{i}"),
            name: format!("Region {i}"),
            source: None,
        })
        .collect();
    // k3 raw materials, k3 refined (one raw input), the rest components (a refined and a raw
    // input); 5, 5 and 5 in the 12 x 15 world.
    let commodities: Vec<Commodity> = (0..nc)
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
    for c in 0..nc {
        // Region 0 dominates every stage; three others hold the rest.
        for k in 0..4usize {
            let r = if k == 0 {
                0
            } else {
                1 + (c * 3 + k) % (nr - 1)
            };
            let b = format!("producer.c{c}.R{r}");
            let mut inputs = Vec::new();
            if c >= k3 {
                let i = if c >= 2 * k3 { k3 + c % k3 } else { c - k3 };
                inputs.push((i, fixed(format!("{b}.inputs.c{i}"), 1.2)));
            }
            if c >= 2 * k3 {
                inputs.push((c % k3, fixed(format!("{b}.inputs.c{}", c % k3), 0.3)));
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
                        k3 + (r + k) % k3
                    } else {
                        2 * k3 + (r + k + j) % (nc - 2 * k3)
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
            (2 * k3..nc).map(move |c| {
                let b = format!("inventory.R{r}.c{c}");
                Inventory {
                    region: r,
                    commodity: c,
                    cover: fixed(format!("{b}.cover"), 2.0),
                    target: fixed(format!("{b}.target"), 2.0),
                    refill_rate: fixed(format!("{b}.refill_rate"), 0.25),
                    dispersion: None,
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
                commodities: (k3..k3 + k3.min(3))
                    .chain(2 * k3..2 * k3 + (nc - 2 * k3).min(3))
                    .collect(),
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
                commodity: 2 * k3,
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
                commodity: k3,
                region: producers[4 * k3 + 1].region,
                producer: 4 * k3 + 1,
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
                commodity: 2 * k3 + 1 % (nc - 2 * k3),
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
        topo_order: (0..nc).collect(),
    }
}

/// The generated world with the v2 rules on: the restriction is announced three periods early
/// (precautionary stocking in the targets), licensed instead of relieved and follows a severity
/// path; the restricted commodities have price-driven entry; the non-essential input of every
/// sector responds to its price; every sector has an indirect multiplier.
pub fn realistic_world_v2() -> Scenario {
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
