//! A small four-region scenario built in code, and synthetic run results shaped like the engine's
//! (same metric and series names), for testing charts and the HTML report without running trials.

use std::path::PathBuf;

use chokepoint::run::RunResults;
use chokepoint::sample::Dist;
use chokepoint::scenario::*;

fn region(id: &str, name: &str) -> Region {
    Region {
        id: id.into(),
        name: name.into(),
        source: Some(format!("{name} statistical office")),
    }
}

fn commodity(id: &str, name: &str, unit: &str, price: f64) -> Commodity {
    Commodity {
        id: id.into(),
        name: name.into(),
        unit: unit.into(),
        price: Param::fixed(format!("commodity.{id}.price"), price),
        elasticity: Param::fixed(format!("commodity.{id}.elasticity"), 0.2),
        max_price_multiple: Param::fixed(format!("commodity.{id}.max_price_multiple"), 10.0),
        availability_elasticity: Param::fixed(format!("commodity.{id}.elasticity"), 0.2),
        supply_elasticity: Param::fixed(format!("commodity.{id}.elasticity"), 0.2),
        price_adjustment: Param::fixed(format!("commodity.{id}.price_adjustment"), 1.0),
        entry: None,
        source: Some("USGS Mineral Commodity Summaries 2025".into()),
    }
}

fn sector(
    id: &str,
    region: RegionIx,
    rid: &str,
    name: &str,
    value: f64,
    inputs: &[(CommodityIx, f64)],
) -> Sector {
    Sector {
        id: id.into(),
        region,
        name: name.into(),
        value_added: Param::fixed(format!("sector.{rid}.{id}.value_added"), value),
        priority: 1,
        inputs: inputs
            .iter()
            .map(|&(c, d)| SectorInput {
                commodity: c,
                demand: Param::fixed(format!("sector.{rid}.{id}.demand.{c}"), d),
                essential: true,
                weight: Param::fixed(format!("sector.{rid}.{id}.weights.{c}"), 1.0),
                substitution: None,
                price_elasticity: None,
            })
            .collect(),
        indirect_multiplier: None,
        source: Some(format!("{name} industry survey")),
    }
}

/// Regions CN (exporter), US, EU, JP; gallium and NdFeB magnets; a CN export restriction on both
/// towards US, EU and JP; a US magnet stockpile.
pub fn scenario() -> Scenario {
    let regions = vec![
        region("CN", "China"),
        region("US", "United States"),
        region("EU", "European Union"),
        region("JP", "Japan"),
    ];
    let commodities = vec![
        commodity("gallium", "Gallium", "t", 600_000.0),
        commodity("ndfeb_magnet", "NdFeB magnets", "t", 60_000.0),
    ];
    let producers = vec![
        Producer {
            commodity: 0,
            region: 0,
            capacity: Param::fixed("producer.gallium.CN.capacity", 1000.0),
            utilization: Param::fixed("producer.gallium.CN.utilization", 0.8),
            max_utilization: Param::fixed("producer.gallium.CN.max_utilization", 1.0),
            ramp: Param::fixed("producer.gallium.CN.ramp", 0.02),
            stock: Param::fixed("stock", 0.0),
            inputs: vec![],
            source: Some("USGS".into()),
        },
        Producer {
            commodity: 1,
            region: 0,
            capacity: Param::fixed("producer.ndfeb_magnet.CN.capacity", 300_000.0),
            utilization: Param::fixed("producer.ndfeb_magnet.CN.utilization", 0.8),
            max_utilization: Param::fixed("producer.ndfeb_magnet.CN.max_utilization", 1.0),
            ramp: Param::fixed("producer.ndfeb_magnet.CN.ramp", 0.02),
            stock: Param::fixed("stock", 0.0),
            inputs: vec![],
            source: Some("Adamas Intelligence".into()),
        },
    ];
    let sectors = vec![
        sector("defense", 1, "US", "Defense", 20e9, &[(1, 800.0)]),
        sector(
            "semiconductors",
            1,
            "US",
            "Semiconductors",
            60e9,
            &[(0, 20.0)],
        ),
        sector("ev", 2, "EU", "Electric vehicles", 45e9, &[(1, 9000.0)]),
        sector("electronics", 3, "JP", "Electronics", 30e9, &[(0, 60.0)]),
        sector("ev", 0, "CN", "Electric vehicles", 90e9, &[(1, 60000.0)]),
    ];
    let shocks = vec![Shock {
        id: "cn-controls".into(),
        start: Param::fixed("shock.cn-controls.start", 0.0),
        duration: Param::new(
            "shock.cn-controls.duration",
            Dist::Triangular {
                min: 3.0,
                mode: 6.0,
                max: 18.0,
            },
        ),
        probability: Param::fixed("shock.cn-controls.probability", 0.8),
        kind: ShockKind::ExportRestriction {
            exporter: 0,
            commodities: vec![0, 1],
            targets: vec![1, 2, 3],
            targets_all: true,
            severity: Param::new(
                "shock.cn-controls.severity",
                Dist::Pert {
                    min: 0.6,
                    mode: 0.85,
                    max: 0.98,
                },
            ),
            leakage: Param::new(
                "shock.cn-controls.leakage",
                Dist::Uniform { lo: 0.0, hi: 0.1 },
            ),
            relief_half_life: Some(Param::new(
                "shock.cn-controls.relief_half_life",
                Dist::Uniform { lo: 1.0, hi: 4.0 },
            )),
            basis: Default::default(),
            announced: None,
            precautionary_cover: None,
            licensing: None,
            severity_path: None,
        },
        source: Some("MOFCOM Announcement No. 46 (2024)".into()),
    }];
    let policies = vec![Policy {
        id: "us-magnet-reserve".into(),
        kind: PolicyKind::Stockpile {
            region: 1,
            commodity: 1,
            initial: Param::fixed("policy.us-magnet-reserve.initial", 3.0),
            release_below: Param::fixed("policy.us-magnet-reserve.release_below", 0.9),
            max_release: Param::fixed("policy.us-magnet-reserve.max_release", 0.5),
            eligible: vec![0],
        },
        source: Some("DLA Strategic Materials annual materials plan".into()),
        cost: None,
        lever: None,
    }];
    Scenario {
        meta: Meta {
            name: "China gallium and magnet controls".into(),
            description: "Export licensing of gallium and NdFeB magnets towards US, EU and Japan."
                .into(),
            file: PathBuf::from("scenarios/cn-controls.toml"),
            world_file: Some(PathBuf::from("worlds/2025.toml")),
            world_name: Some("Critical minerals, 2025 baseline".into()),
            world_year: Some(2025),
            horizon: 24,
            period: Period::Month,
            start: Some(YearMonth {
                year: 2025,
                month: 4,
            }),
            seed: 7,
            trials: 400,
            source: Some("Reference data, section 3".into()),
        },
        regions,
        commodities,
        producers,
        sectors,
        inventories: vec![],
        shocks,
        policies,
        topo_order: vec![0, 1],
    }
}

/// The same scenario with markup and ampersands in every free-text field and id.
pub fn hostile_scenario() -> Scenario {
    let mut s = scenario();
    let evil = "<script>alert(1)</script> & \"q\"";
    s.meta.name = format!("Name {evil}");
    s.meta.description = format!("Description {evil}");
    s.meta.source = Some(format!("Scenario source {evil}"));
    s.regions[1].name = format!("Region {evil}");
    s.regions[1].source = Some(format!("Region source {evil}"));
    s.commodities[0].name = format!("Gallium {evil}");
    s.commodities[0].source = Some(format!("Commodity source {evil}"));
    s.sectors[1].name = format!("Chips {evil}");
    s.sectors[1].source = Some(format!("Sector source {evil}"));
    s.shocks[0].id = format!("shock-{evil}");
    s.shocks[0].source = Some(format!("Shock source {evil}"));
    s.policies[0].source = Some(format!("Policy source {evil}"));
    s
}

/// SplitMix64: a tiny deterministic generator for synthetic results.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Synthetic per-trial results named as the engine names them: a restriction of random length
/// and depth cuts flows from CN to the targets, raises their prices, lowers CN's and cuts the
/// output of sectors by a per-sector exposure.
pub fn results(scn: &Scenario, trials: usize, seed: u64) -> RunResults {
    results_with(scn, trials, seed, 0.8)
}

/// As `results`, with the restriction happening in a share `chance` of trials.
pub fn results_with(scn: &Scenario, trials: usize, seed: u64, chance: f64) -> RunResults {
    let h = scn.meta.horizon;
    let mut rng = Mix(seed);
    let mut metric_names = Vec::new();
    for s in &scn.sectors {
        let r = &scn.regions[s.region].id;
        for f in [
            "mean_loss",
            "peak_loss",
            "periods_disrupted",
            "first_disrupted",
            "value_lost",
        ] {
            metric_names.push(format!("sector.{r}.{}.{f}", s.id));
        }
    }
    for r in &scn.regions {
        metric_names.push(format!("region.{}.value_lost", r.id));
    }
    metric_names.push("world.value_lost".to_string());
    for r in &scn.regions {
        for c in &scn.commodities {
            metric_names.push(format!("price.{}.{}.peak", r.id, c.id));
        }
    }
    for r in &scn.regions {
        for c in &scn.commodities {
            metric_names.push(format!("unmet.{}.{}", r.id, c.id));
        }
    }
    let stockpiles: Vec<(RegionIx, CommodityIx)> = scn
        .policies
        .iter()
        .filter_map(|p| match p.kind {
            PolicyKind::Stockpile {
                region, commodity, ..
            } => Some((region, commodity)),
            _ => None,
        })
        .collect();
    for &(r, c) in &stockpiles {
        metric_names.push(format!(
            "stockpile.{}.{}.empty_at",
            scn.regions[r].id, scn.commodities[c].id
        ));
    }
    let mut series_names = Vec::new();
    for s in &scn.sectors {
        series_names.push(format!("output.{}.{}", scn.regions[s.region].id, s.id));
    }
    for r in &scn.regions {
        for c in &scn.commodities {
            series_names.push(format!("price.{}.{}", r.id, c.id));
        }
    }
    // Flows from each restricting exporter to every other region, per restricted commodity.
    let mut flows: Vec<(RegionIx, CommodityIx)> = Vec::new();
    let mut exporters: Vec<RegionIx> = Vec::new();
    for shock in &scn.shocks {
        if let ShockKind::ExportRestriction {
            exporter,
            commodities,
            ..
        } = &shock.kind
        {
            exporters.push(*exporter);
            for &c in commodities {
                for r in (0..scn.regions.len()).filter(|r| r != exporter) {
                    let name = format!(
                        "flow.{}.{}.{}",
                        scn.regions[*exporter].id, scn.regions[r].id, scn.commodities[c].id
                    );
                    if !series_names.contains(&name) {
                        series_names.push(name);
                        flows.push((r, c));
                    }
                }
            }
        }
    }
    // Sectors outside the exporter feel the restriction; the exporter's own barely.
    let exposure: Vec<f64> = scn
        .sectors
        .iter()
        .enumerate()
        .map(|(k, s)| {
            if exporters.contains(&s.region) {
                0.05
            } else {
                0.3 + 0.1 * ((k * 3) % 7) as f64
            }
        })
        .collect();
    let base_flow = |ri: usize, c: usize| (ri as f64 + 1.0) * 300.0 * (c as f64 + 1.0);
    let mut metrics = Vec::new();
    let mut series: Vec<f32> = Vec::new();
    let mut params = Vec::new();
    for _ in 0..trials {
        let happens = rng.next() < chance;
        let duration = (3.0 + 15.0 * rng.next() * rng.next()).round() as usize;
        let severity = 0.6 + 0.38 * rng.next();
        let half_life = 1.0 + 3.0 * rng.next();
        params.extend([duration as f64, severity, half_life]);
        let block = |t: usize| -> f64 {
            if happens && t < duration {
                severity * 0.5f64.powf(t as f64 / (half_life * 4.0))
            } else {
                0.0
            }
        };
        let mut trial_series: Vec<Vec<f64>> = Vec::new();
        let mut region_loss = vec![0.0; scn.regions.len()];
        for (k, s) in scn.sectors.iter().enumerate() {
            let jitter = 0.8 + 0.4 * rng.next();
            let out: Vec<f64> = (0..h)
                .map(|t| (1.0 - block(t) * exposure[k] * jitter).clamp(0.0, 1.0))
                .collect();
            let losses: Vec<f64> = out.iter().map(|y| 1.0 - y).collect();
            let mean = losses.iter().sum::<f64>() / h as f64;
            let peak = losses.iter().copied().fold(0.0, f64::max);
            let disrupted = out.iter().filter(|&&y| y < 0.95).count();
            let first = out
                .iter()
                .position(|&y| y < 0.95)
                .map_or(-1.0, |t| t as f64);
            let value = s.value_added.dist.mean();
            let lost = value / 12.0 * losses.iter().sum::<f64>();
            region_loss[s.region] += lost;
            metrics.extend([mean, peak, disrupted as f64, first, lost]);
            trial_series.push(out);
        }
        metrics.extend(region_loss.iter().copied());
        metrics.push(region_loss.iter().sum());
        let mut prices = Vec::new();
        for (ri, _) in scn.regions.iter().enumerate() {
            for _ in &scn.commodities {
                let p: Vec<f64> = (0..h)
                    .map(|t| {
                        let b = block(t);
                        if exporters.contains(&ri) {
                            1.0 / (1.0 + 2.0 * b)
                        } else {
                            1.0 + 6.0 * b * b
                        }
                    })
                    .collect();
                metrics.push(p.iter().copied().fold(0.0, f64::max));
                prices.push(p);
            }
        }
        trial_series.extend(prices);
        // Unmet share: the exporter is never short; others miss part of the blocked share.
        for ri in 0..scn.regions.len() {
            for _ in &scn.commodities {
                let unmet = if exporters.contains(&ri) {
                    0.0
                } else {
                    (0..h).map(|t| 0.4 * block(t)).sum::<f64>() / h as f64
                };
                metrics.push(unmet);
            }
        }
        // A stockpile runs dry three periods into a restriction that lasts longer than that.
        for _ in &stockpiles {
            let dry = happens && duration > 3;
            metrics.push(if dry { 3.0 } else { h as f64 });
        }
        for &(ri, c) in &flows {
            trial_series.push(
                (0..h)
                    .map(|t| base_flow(ri, c) * (1.0 - block(t)))
                    .collect(),
            );
        }
        for s in trial_series {
            series.extend(s.into_iter().map(|v| v as f32));
        }
    }
    RunResults {
        seed,
        first_trial: 0,
        trials,
        horizon: h,
        metric_names,
        metrics,
        param_paths: vec![
            "shock.cn-controls.duration".into(),
            "shock.cn-controls.severity".into(),
            "shock.cn-controls.relief_half_life".into(),
        ],
        params,
        series_names,
        series,
    }
}
