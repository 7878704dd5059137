//! A small builder of validated scenarios in code, for engine tests. Parameter paths follow the
//! convention of `scenario::types`, so common random numbers line up as in real files.

use std::path::PathBuf;

use chokepoint::sample::Dist;
use chokepoint::scenario::*;

pub fn c(v: f64) -> Dist {
    Dist::Const(v)
}

pub struct World {
    pub sc: Scenario,
}

impl World {
    pub fn new(horizon: usize) -> World {
        World {
            sc: Scenario {
                meta: Meta {
                    name: "test".into(),
                    description: String::new(),
                    file: PathBuf::from("test.toml"),
                    world_file: None,
                    world_name: None,
                    world_year: None,
                    horizon,
                    period: Period::Month,
                    start: None,
                    seed: 1,
                    trials: 100,
                    source: None,
                },
                regions: vec![],
                commodities: vec![],
                producers: vec![],
                sectors: vec![],
                inventories: vec![],
                shocks: vec![],
                policies: vec![],
                topo_order: vec![],
            },
        }
    }

    pub fn region(&mut self, id: &str) -> usize {
        self.sc.regions.push(Region {
            id: id.into(),
            name: id.into(),
            source: None,
        });
        self.sc.regions.len() - 1
    }

    pub fn commodity(&mut self, id: &str) -> usize {
        let p = |f: &str, v: f64| Param::fixed(format!("commodity.{id}.{f}"), v);
        self.sc.commodities.push(Commodity {
            id: id.into(),
            name: id.into(),
            unit: "t".into(),
            price: p("price", 100.0),
            elasticity: p("elasticity", 0.5),
            max_price_multiple: p("max_price_multiple", 20.0),
            availability_elasticity: Param::fixed("a", 0.5),
            supply_elasticity: Param::fixed("s", 0.5),
            price_adjustment: Param::fixed("adj", 1.0),
            entry: None,
            source: None,
        });
        self.sc.commodities.len() - 1
    }

    pub fn set_elasticity(&mut self, c: usize, e: f64, max_multiple: f64) {
        self.sc.commodities[c].elasticity.dist = Dist::Const(e);
        self.sc.commodities[c].max_price_multiple.dist = Dist::Const(max_multiple);
    }

    fn ppath(&self, c: usize, r: usize) -> String {
        format!(
            "producer.{}.{}",
            self.sc.commodities[c].id, self.sc.regions[r].id
        )
    }

    /// A producer with fixed utilisation (no supply response: max = baseline, ramp 0).
    pub fn producer(&mut self, c: usize, r: usize, capacity: f64, util: f64) -> usize {
        let b = self.ppath(c, r);
        self.sc.producers.push(Producer {
            commodity: c,
            region: r,
            capacity: Param::fixed(format!("{b}.capacity"), capacity),
            utilization: Param::fixed(format!("{b}.utilization"), util),
            max_utilization: Param::fixed(format!("{b}.max_utilization"), util),
            ramp: Param::fixed(format!("{b}.ramp"), 0.0),
            stock: Param::fixed("stock", 0.0),
            inputs: vec![],
            source: None,
        });
        self.sc.producers.len() - 1
    }

    pub fn responsive(&mut self, p: usize, max_util: f64, ramp: f64) {
        self.sc.producers[p].max_utilization.dist = Dist::Const(max_util);
        self.sc.producers[p].ramp.dist = Dist::Const(ramp);
    }

    pub fn recipe(&mut self, p: usize, input: usize, coef: f64) {
        let b = self.ppath(self.sc.producers[p].commodity, self.sc.producers[p].region);
        let path = format!("{b}.inputs.{}", self.sc.commodities[input].id);
        self.sc.producers[p]
            .inputs
            .push((input, Param::fixed(path, coef)));
    }

    pub fn sector(
        &mut self,
        id: &str,
        r: usize,
        value_added: f64,
        priority: u32,
        demand: &[(usize, f64)],
    ) -> usize {
        let b = format!("sector.{}.{id}", self.sc.regions[r].id);
        let inputs = demand
            .iter()
            .map(|&(c, d)| {
                let cid = &self.sc.commodities[c].id;
                SectorInput {
                    commodity: c,
                    demand: Param::fixed(format!("{b}.demand.{cid}"), d),
                    essential: true,
                    weight: Param::fixed(format!("{b}.weights.{cid}"), 1.0),
                    substitution: None,
                    price_elasticity: None,
                }
            })
            .collect();
        self.sc.sectors.push(Sector {
            id: id.into(),
            region: r,
            name: id.into(),
            value_added: Param::fixed(format!("{b}.value_added"), value_added),
            priority,
            inputs,
            indirect_multiplier: None,
            source: None,
        });
        self.sc.sectors.len() - 1
    }

    pub fn non_essential(&mut self, s: usize, input: usize, weight: f64) {
        let inp = &mut self.sc.sectors[s].inputs[input];
        inp.essential = false;
        inp.weight.dist = Dist::Const(weight);
    }

    pub fn substitution(&mut self, s: usize, input: usize, max: f64, lag: f64, rate: f64) {
        let sec = &self.sc.sectors[s];
        let b = format!(
            "sector.{}.{}.substitution.{}",
            self.sc.regions[sec.region].id,
            sec.id,
            self.sc.commodities[sec.inputs[input].commodity].id
        );
        self.sc.sectors[s].inputs[input].substitution = Some(Substitution {
            max: Param::fixed(format!("{b}.max"), max),
            lag: Param::fixed(format!("{b}.lag"), lag),
            rate: Param::fixed(format!("{b}.rate"), rate),
        });
    }

    pub fn inventory(&mut self, r: usize, c: usize, cover: f64, target: f64, refill: f64) {
        let b = format!(
            "inventory.{}.{}",
            self.sc.regions[r].id, self.sc.commodities[c].id
        );
        self.sc.inventories.push(Inventory {
            region: r,
            commodity: c,
            cover: Param::fixed(format!("{b}.cover"), cover),
            target: Param::fixed(format!("{b}.target"), target),
            refill_rate: Param::fixed(format!("{b}.refill_rate"), refill),
            dispersion: None,
            source: None,
        });
    }

    /// A hard export ban (severity given, no leakage, no relief, certain) on `commodities`
    /// towards `targets` (`None` = all other regions).
    #[allow(clippy::too_many_arguments)]
    pub fn ban(
        &mut self,
        id: &str,
        exporter: usize,
        commodities: &[usize],
        targets: Option<&[usize]>,
        start: Dist,
        duration: Dist,
        severity: Dist,
    ) -> usize {
        let p = |f: &str, d: Dist| Param::new(format!("shock.{id}.{f}"), d);
        let all: Vec<usize> = (0..self.sc.regions.len())
            .filter(|&r| r != exporter)
            .collect();
        self.sc.shocks.push(Shock {
            id: id.into(),
            start: p("start", start),
            duration: p("duration", duration),
            probability: p("probability", c(1.0)),
            kind: ShockKind::ExportRestriction {
                exporter,
                commodities: commodities.to_vec(),
                targets: targets.map_or(all, |t| t.to_vec()),
                targets_all: targets.is_none(),
                severity: p("severity", severity),
                leakage: p("leakage", c(0.0)),
                relief_half_life: None,
                // The v1 reading the closed forms were written for (both agree for full bans).
                basis: RestrictionBasis::Output,
                announced: None,
                precautionary_cover: None,
                licensing: None,
                severity_path: None,
            },
            source: None,
        });
        self.sc.shocks.len() - 1
    }

    pub fn leakage(&mut self, shock: usize, d: Dist) {
        if let ShockKind::ExportRestriction { leakage, .. } = &mut self.sc.shocks[shock].kind {
            leakage.dist = d;
        }
    }

    pub fn relief(&mut self, shock: usize, half_life: Dist) {
        let id = self.sc.shocks[shock].id.clone();
        if let ShockKind::ExportRestriction {
            relief_half_life, ..
        } = &mut self.sc.shocks[shock].kind
        {
            *relief_half_life = Some(Param::new(
                format!("shock.{id}.relief_half_life"),
                half_life,
            ));
        }
    }

    pub fn probability(&mut self, shock: usize, p: Dist) {
        self.sc.shocks[shock].probability.dist = p;
    }

    pub fn outage(&mut self, id: &str, producer: usize, start: f64, duration: f64, severity: f64) {
        let p = |f: &str, v: f64| Param::fixed(format!("shock.{id}.{f}"), v);
        let pr = &self.sc.producers[producer];
        self.sc.shocks.push(Shock {
            id: id.into(),
            start: p("start", start),
            duration: p("duration", duration),
            probability: p("probability", 1.0),
            kind: ShockKind::ProductionOutage {
                region: pr.region,
                commodity: pr.commodity,
                producer,
                severity: p("severity", severity),
            },
            source: None,
        });
    }

    pub fn surge(&mut self, id: &str, sectors: &[usize], start: f64, duration: f64, factor: f64) {
        let p = |f: &str, v: f64| Param::fixed(format!("shock.{id}.{f}"), v);
        let sector_id = self.sc.sectors[sectors[0]].id.clone();
        self.sc.shocks.push(Shock {
            id: id.into(),
            start: p("start", start),
            duration: p("duration", duration),
            probability: p("probability", 1.0),
            kind: ShockKind::DemandSurge {
                sector_id,
                region: None,
                sectors: sectors.to_vec(),
                factor: p("factor", factor),
            },
            source: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn reserve(
        &mut self,
        id: &str,
        region: usize,
        commodity: usize,
        start: f64,
        duration: f64,
        quantity: f64,
    ) {
        let p = |f: &str, v: f64| Param::fixed(format!("shock.{id}.{f}"), v);
        self.sc.shocks.push(Shock {
            id: id.into(),
            start: p("start", start),
            duration: p("duration", duration),
            probability: p("probability", 1.0),
            kind: ShockKind::ReservePurchase {
                region,
                commodity,
                quantity: p("quantity", quantity),
            },
            source: None,
        });
    }

    fn policy(&mut self, id: &str, kind: PolicyKind) {
        self.sc.policies.push(Policy {
            id: id.into(),
            kind,
            source: None,
            cost: None,
            lever: None,
        });
    }

    #[allow(clippy::too_many_arguments)]
    pub fn stockpile(
        &mut self,
        id: &str,
        r: usize,
        c: usize,
        initial: f64,
        release_below: f64,
        max_release: f64,
        eligible: &[usize],
    ) {
        let p = |f: &str, v: f64| Param::fixed(format!("policy.{id}.{f}"), v);
        self.policy(
            id,
            PolicyKind::Stockpile {
                region: r,
                commodity: c,
                initial: p("initial", initial),
                release_below: p("release_below", release_below),
                max_release: p("max_release", max_release),
                eligible: eligible.to_vec(),
            },
        );
    }

    /// Capacity expansion of an existing producer.
    pub fn expansion(
        &mut self,
        id: &str,
        producer: usize,
        capacity: f64,
        lead_time: f64,
        ramp: f64,
        success: Dist,
    ) {
        let p = |f: &str, d: Dist| Param::new(format!("policy.{id}.{f}"), d);
        let pr = &self.sc.producers[producer];
        let (commodity, region) = (pr.commodity, pr.region);
        self.policy(
            id,
            PolicyKind::CapacityExpansion {
                commodity,
                region,
                producer,
                capacity: p("capacity", c(capacity)),
                lead_time: p("lead_time", c(lead_time)),
                ramp: p("ramp", c(ramp)),
                success: p("success", success),
                inputs: vec![],
            },
        );
    }

    pub fn recycling(&mut self, id: &str, r: usize, cm: usize, share: f64, lead: f64, ramp: f64) {
        let p = |f: &str, v: f64| Param::fixed(format!("policy.{id}.{f}"), v);
        self.policy(
            id,
            PolicyKind::Recycling {
                region: r,
                commodity: cm,
                share: p("share", share),
                lead_time: p("lead_time", lead),
                ramp: p("ramp", ramp),
            },
        );
    }

    pub fn priority(&mut self, id: &str, sector: usize, priority: u32) {
        self.policy(id, PolicyKind::Priority { sector, priority });
    }

    /// Finishes the scenario: topological order of commodities (inputs first).
    pub fn build(mut self) -> Scenario {
        let nc = self.sc.commodities.len();
        let mut indeg = vec![0usize; nc];
        let mut edges = vec![];
        for p in &self.sc.producers {
            for (i, _) in &p.inputs {
                edges.push((*i, p.commodity));
                indeg[p.commodity] += 1;
            }
        }
        let mut order = vec![];
        let mut ready: Vec<usize> = (0..nc).filter(|&c| indeg[c] == 0).collect();
        while let Some(c) = ready.pop() {
            order.push(c);
            for &(a, b) in &edges {
                if a == c {
                    indeg[b] -= 1;
                    if indeg[b] == 0 {
                        ready.push(b);
                    }
                }
            }
        }
        assert_eq!(order.len(), nc, "test world has a recipe cycle");
        self.sc.topo_order = order;
        self.sc
    }
}

/// The two-region world of MODEL.md section 7: EX produces `x`, IM's one sector needs it.
pub fn one_importer_one_exporter(horizon: usize, duration: Dist) -> Scenario {
    let mut w = World::new(horizon);
    let ex = w.region("EX");
    let im = w.region("IM");
    let x = w.commodity("x");
    w.producer(x, ex, 1200.0, 1.0);
    w.sector("ind", im, 1.2e9, 1, &[(x, 1200.0)]);
    w.ban("ban", ex, &[x], None, c(0.0), duration, c(1.0));
    w.build()
}
