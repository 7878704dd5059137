//! Scenario -> compiled flat network (indices, topological order, no strings in hot data).
//!
//! `Model::compile` runs once per run. Everything the trial loop needs is an index or a parameter
//! index (`Px`) into the trial's drawn values; names live only in `names` for the result arrays.

pub mod names;
pub mod params;

use std::ops::Range;

pub use names::OutputNames;
pub use params::{Draw, ParamSpec, ParamTable, Px};

use crate::scenario::{PolicyKind, RestrictionBasis, Scenario, ShockKind};

/// Output share below which a sector counts as disrupted.
pub const DISRUPTED_BELOW: f64 = 0.95;

/// Tier of inventory refill requests: served after every buyer.
pub const REFILL_TIER: u32 = u32::MAX;
/// State reserves buy after every consumer and before inventories refill.
pub const RESERVE_TIER: u32 = u32::MAX - 1;

#[derive(Debug, Clone, PartialEq)]
pub struct MProducer {
    pub commodity: usize,
    pub region: usize,
    pub capacity: Px,
    pub utilization: Px,
    pub max_utilization: Px,
    pub ramp: Px,
    /// Finished-goods stock in periods of baseline output.
    pub stock: Px,
    /// Range into `Model::recipe`.
    pub inputs: Range<usize>,
}

/// One recipe line: `coef` units of `commodity` per unit of the producer's output.
#[derive(Debug, Clone, PartialEq)]
pub struct RecipeItem {
    pub producer: usize,
    pub commodity: usize,
    pub coef: Px,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MExpansion {
    pub producer: usize,
    pub capacity: Px,
    pub lead_time: Px,
    pub ramp: Px,
    pub succeeds: Px,
}

/// Price-driven entry of new capacity for one commodity (MODEL.md v2 section 4.2).
#[derive(Debug, Clone, PartialEq)]
pub struct MEntry {
    pub threshold: Px,
    pub lead_time: Px,
    pub growth: Px,
    pub max: Px,
    pub succeeds: Px,
    /// Producers that receive entry capacity: those outside every region that restricts the
    /// commodity's exports in this scenario.
    pub producers: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MSector {
    pub region: usize,
    pub value_added: Px,
    /// Downstream value lost per dollar of direct loss (`None` = 0).
    pub indirect: Option<Px>,
    pub tier: u32,
    /// Range into `Model::sector_inputs`.
    pub inputs: Range<usize>,
}

/// A substitution option (world table or policy): max share, lag periods, rate per period.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MSubst {
    pub max: Px,
    pub lag: Px,
    pub rate: Px,
    /// From a `substitution` policy (left out of the baseline pass).
    pub policy: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MSectorInput {
    pub sector: usize,
    pub commodity: usize,
    pub demand: Px,
    pub essential: bool,
    pub weight: Px,
    /// Demand falls as `index^-e` (`None` = no price response).
    pub price_elasticity: Option<Px>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MInventory {
    pub rc: usize,
    pub cover: Px,
    pub target: Px,
    pub refill_rate: Px,
    /// Spread of cover across the cell's firms (coefficient of variation); `None`: pooled.
    pub dispersion: Option<Px>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MStockpile {
    pub rc: usize,
    pub initial: Px,
    pub release_below: Px,
    pub max_release: Px,
    /// Per sector of the model: may draw on this stockpile.
    pub eligible: Vec<bool>,
    /// Index into `Model::stockpile_groups` (stockpiles of the same region and commodity).
    pub group: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MRecycling {
    pub rc: usize,
    pub share: Px,
    pub lead_time: Px,
    pub ramp: Px,
}

#[derive(Debug, Clone, PartialEq)]
pub enum MShockKind {
    Restriction {
        /// Producers hit: those in the exporter region making a listed commodity.
        producers: Vec<usize>,
        commodities: Vec<usize>,
        /// Per region: a target of the restriction (never the exporter).
        targets: Vec<bool>,
        severity: Px,
        leakage: Px,
        relief_half_life: Option<Px>,
        /// What the access share caps (`LinkBasis`).
        basis: LinkBasis,
        /// Blocked share by period from the start, replacing `severity` (empty = `severity`).
        severity_path: Vec<Px>,
        /// Review periods, approval rate per period, ceiling.
        licensing: Option<[Px; 3]>,
        /// Announcement period (`None` = at start) and precautionary cover in periods.
        announced: Option<Px>,
        precautionary_cover: Option<Px>,
    },
    Outage {
        producer: usize,
        severity: Px,
    },
    Surge {
        sectors: Vec<usize>,
        factor: Px,
    },
    /// A state reserve buying `quantity` units in cell `rc` over the shock's window.
    Reserve {
        rc: usize,
        quantity: Px,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct MShock {
    pub occurs: Px,
    pub start: Px,
    pub duration: Px,
    pub kind: MShockKind,
}

/// What an access share `alpha` caps on one link (a larger code wins where several apply).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
#[repr(u8)]
pub enum LinkBasis {
    /// `x <= alpha A_p` (v1 reading).
    #[default]
    Output = 0,
    /// `x <= alpha x0`, x0 the pro-rata flow towards consumption (refill requests excluded).
    Flow = 1,
    /// `x <= alpha x0`, x0 towards all orders including refill requests: licences serve the
    /// orders that waited, so imports can run above normal while stocks refill.
    Orders = 2,
}

/// A buyer of one commodity in one region, served in tier order by the distribution step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Buyer {
    /// Index into `Model::sector_inputs`.
    Sector(usize),
    /// Index into `Model::recipe`.
    Producer(usize),
    /// A state reserve's purchase order: index into `Model::shocks` (`MShockKind::Reserve`).
    Reserve(usize),
    /// The region's inventory refill request.
    Refill,
}

/// A trade flow reported as a series: `producer`'s shipments to `importer`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlowSeries {
    pub producer: usize,
    pub importer: usize,
}

/// The compiled scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    pub horizon: usize,
    pub periods_per_year: f64,
    pub n_regions: usize,
    pub n_commodities: usize,
    pub params: ParamTable,
    /// Per commodity: max price multiple, the two sides of the v2 price index, partial
    /// adjustment, entry.
    pub max_multiple: Vec<Px>,
    pub avail_elasticity: Vec<Px>,
    pub supply_elasticity: Vec<Px>,
    pub price_adjustment: Vec<Px>,
    pub entry: Vec<Option<MEntry>>,
    /// Per region x commodity cell: the region counts in the commodity's outside price signal
    /// (it is not a restricting exporter of it).
    pub outside: Vec<bool>,
    pub producers: Vec<MProducer>,
    pub recipe: Vec<RecipeItem>,
    /// Producers of each commodity, flattened; `producers_of[c]` ranges into it.
    pub producer_list: Vec<usize>,
    pub producers_of: Vec<Range<usize>>,
    /// Largest number of producers of one commodity (sizes the allocation solver).
    pub max_producers_per_commodity: usize,
    pub expansions: Vec<MExpansion>,
    pub sectors: Vec<MSector>,
    pub sector_inputs: Vec<MSectorInput>,
    /// Substitution options per sector input (world option and policies; the best of each field
    /// applies).
    pub substitutions: Vec<(usize, MSubst)>,
    pub inventories: Vec<MInventory>,
    pub stockpiles: Vec<MStockpile>,
    /// Distinct (region x commodity) cells holding stockpiles, in policy order.
    pub stockpile_groups: Vec<usize>,
    /// Indices into `shocks` of the state reserve purchases (one `reserve.<id>.bought` each).
    pub reserves: Vec<usize>,
    pub recycling: Vec<MRecycling>,
    pub shocks: Vec<MShock>,
    /// Buyers of each region-commodity cell (`rc = region * n_commodities + commodity`), sorted by
    /// tier (stable, so scenario order within a tier); `buyers_of[rc]` ranges into `buyers`.
    pub buyers: Vec<(Buyer, u32)>,
    pub buyers_of: Vec<Range<usize>>,
    /// Commodities with inputs before outputs.
    pub topo_order: Vec<usize>,
    /// Cells with demand (a sector or producer in the region uses the commodity).
    pub demand_cells: Vec<usize>,
    /// Cells with demand or production: the price series and price peaks.
    pub price_cells: Vec<usize>,
    pub flows: Vec<FlowSeries>,
    pub names: OutputNames,
}

impl Model {
    pub fn rc(&self, region: usize, commodity: usize) -> usize {
        region * self.n_commodities + commodity
    }

    /// Compiles a validated scenario. Never fails: validation has already checked every index.
    pub fn compile(sc: &Scenario) -> Model {
        let nr = sc.regions.len();
        let nc = sc.commodities.len();
        let rc = |r: usize, c: usize| r * nc + c;
        let mut pt = ParamTable::default();

        let mut max_multiple = Vec::with_capacity(nc);
        let mut avail_elasticity = Vec::with_capacity(nc);
        let mut supply_elasticity = Vec::with_capacity(nc);
        let mut price_adjustment = Vec::with_capacity(nc);
        let mut entry_params = Vec::with_capacity(nc);
        for c in &sc.commodities {
            pt.add(&c.price, false);
            // Both sides of the index default to `elasticity` (same path): one parameter, drawn
            // and reported once.
            let e = pt.add(&c.elasticity, false);
            let mut side = |p: &crate::scenario::Param| {
                if p.path == c.elasticity.path {
                    e
                } else {
                    pt.add(p, false)
                }
            };
            avail_elasticity.push(side(&c.availability_elasticity));
            supply_elasticity.push(side(&c.supply_elasticity));
            max_multiple.push(pt.add(&c.max_price_multiple, false));
            price_adjustment.push(pt.add(&c.price_adjustment, false));
            entry_params.push(c.entry.as_ref().map(|e| {
                let success = pt.add(&e.success, false);
                (
                    pt.add(&e.threshold, false),
                    pt.add(&e.lead_time, true),
                    pt.add(&e.growth, false),
                    pt.add(&e.max, false),
                    pt.bernoulli(format!("commodity.{}.entry.succeeds", c.id), success),
                )
            }));
        }

        let mut producers = Vec::with_capacity(sc.producers.len());
        let mut recipe = Vec::new();
        for (pi, p) in sc.producers.iter().enumerate() {
            let capacity = pt.add(&p.capacity, false);
            let utilization = pt.add(&p.utilization, false);
            let max_utilization = pt.add(&p.max_utilization, false);
            let ramp = pt.add(&p.ramp, false);
            let stock = pt.add(&p.stock, false);
            let start = recipe.len();
            for (c, coef) in &p.inputs {
                recipe.push(RecipeItem {
                    producer: pi,
                    commodity: *c,
                    coef: pt.add(coef, false),
                });
            }
            producers.push(MProducer {
                commodity: p.commodity,
                region: p.region,
                capacity,
                utilization,
                max_utilization,
                ramp,
                stock,
                inputs: start..recipe.len(),
            });
        }
        let mut producer_list = Vec::with_capacity(producers.len());
        let mut producers_of = Vec::with_capacity(nc);
        let mut max_ppc = 0;
        for c in 0..nc {
            let s = producer_list.len();
            producer_list.extend((0..producers.len()).filter(|&p| producers[p].commodity == c));
            max_ppc = max_ppc.max(producer_list.len() - s);
            producers_of.push(s..producer_list.len());
        }

        // Sector priorities after `priority` policies.
        let mut tiers: Vec<u32> = sc.sectors.iter().map(|s| s.priority).collect();
        for pol in &sc.policies {
            if let PolicyKind::Priority { sector, priority } = &pol.kind {
                tiers[*sector] = *priority;
            }
        }

        let mut sectors = Vec::with_capacity(sc.sectors.len());
        let mut sector_inputs = Vec::new();
        let mut substitutions = Vec::new();
        for (si, s) in sc.sectors.iter().enumerate() {
            let value_added = pt.add(&s.value_added, false);
            let start = sector_inputs.len();
            for inp in &s.inputs {
                let demand = pt.add(&inp.demand, false);
                let weight = pt.add(&inp.weight, false);
                let price_elasticity = inp.price_elasticity.as_ref().map(|e| pt.add(e, false));
                if let Some(sub) = &inp.substitution {
                    let opt = MSubst {
                        max: pt.add(&sub.max, false),
                        lag: pt.add(&sub.lag, true),
                        rate: pt.add(&sub.rate, false),
                        policy: false,
                    };
                    substitutions.push((sector_inputs.len(), opt));
                }
                sector_inputs.push(MSectorInput {
                    sector: si,
                    commodity: inp.commodity,
                    demand,
                    essential: inp.essential,
                    weight,
                    price_elasticity,
                });
            }
            let indirect = s.indirect_multiplier.as_ref().map(|x| pt.add(x, false));
            sectors.push(MSector {
                region: s.region,
                value_added,
                indirect,
                tier: tiers[si],
                inputs: start..sector_inputs.len(),
            });
        }

        let mut inventories = Vec::with_capacity(sc.inventories.len());
        for inv in &sc.inventories {
            inventories.push(MInventory {
                rc: rc(inv.region, inv.commodity),
                cover: pt.add(&inv.cover, false),
                target: pt.add(&inv.target, false),
                refill_rate: pt.add(&inv.refill_rate, false),
                dispersion: inv.dispersion.as_ref().map(|x| pt.add(x, false)),
            });
        }

        let mut shocks = Vec::with_capacity(sc.shocks.len());
        for sh in &sc.shocks {
            let start = pt.add(&sh.start, true);
            let duration = pt.add(&sh.duration, true);
            let prob = pt.add(&sh.probability, false);
            let kind = match &sh.kind {
                ShockKind::ExportRestriction {
                    exporter,
                    commodities,
                    targets,
                    severity,
                    leakage,
                    relief_half_life,
                    basis,
                    announced,
                    precautionary_cover,
                    licensing,
                    severity_path,
                    ..
                } => {
                    let severity = pt.add(severity, false);
                    let leakage = pt.add(leakage, false);
                    let relief_half_life = relief_half_life.as_ref().map(|h| pt.add(h, false));
                    let severity_path = severity_path
                        .iter()
                        .flatten()
                        .map(|p| pt.add(p, false))
                        .collect();
                    let lic = licensing.as_ref().map(|l| {
                        [
                            pt.add(&l.review, true),
                            pt.add(&l.approval_rate, false),
                            pt.add(&l.ceiling, false),
                        ]
                    });
                    let announced = announced.as_ref().map(|a| pt.add(a, true));
                    let precautionary_cover =
                        precautionary_cover.as_ref().map(|c| pt.add(c, false));
                    let basis = match (basis, lic.is_some()) {
                        (RestrictionBasis::Output, _) => LinkBasis::Output,
                        (RestrictionBasis::Flow, false) => LinkBasis::Flow,
                        (RestrictionBasis::Flow, true) => LinkBasis::Orders,
                    };
                    let mut tmask = vec![false; nr];
                    for &t in targets {
                        if t != *exporter {
                            tmask[t] = true;
                        }
                    }
                    let hit = (0..producers.len())
                        .filter(|&p| {
                            producers[p].region == *exporter
                                && commodities.contains(&producers[p].commodity)
                        })
                        .collect();
                    MShockKind::Restriction {
                        producers: hit,
                        commodities: commodities.clone(),
                        targets: tmask,
                        severity,
                        leakage,
                        relief_half_life,
                        basis,
                        severity_path,
                        licensing: lic,
                        announced,
                        precautionary_cover,
                    }
                }
                ShockKind::ProductionOutage {
                    producer, severity, ..
                } => MShockKind::Outage {
                    producer: *producer,
                    severity: pt.add(severity, false),
                },
                ShockKind::DemandSurge {
                    sectors: hit,
                    factor,
                    ..
                } => MShockKind::Surge {
                    sectors: hit.clone(),
                    factor: pt.add(factor, false),
                },
                ShockKind::ReservePurchase {
                    region,
                    commodity,
                    quantity,
                } => MShockKind::Reserve {
                    rc: rc(*region, *commodity),
                    quantity: pt.add(quantity, false),
                },
            };
            let occurs = pt.bernoulli(format!("shock.{}.occurs", sh.id), prob);
            shocks.push(MShock {
                occurs,
                start,
                duration,
                kind,
            });
        }

        let mut expansions = Vec::new();
        let mut stockpiles: Vec<MStockpile> = Vec::new();
        let mut stockpile_groups: Vec<usize> = Vec::new();
        let mut recycling = Vec::new();
        for pol in &sc.policies {
            match &pol.kind {
                PolicyKind::Stockpile {
                    region,
                    commodity,
                    initial,
                    release_below,
                    max_release,
                    eligible,
                } => {
                    let cell = rc(*region, *commodity);
                    let group = match stockpile_groups.iter().position(|&g| g == cell) {
                        Some(g) => g,
                        None => {
                            stockpile_groups.push(cell);
                            stockpile_groups.len() - 1
                        }
                    };
                    let mut el = vec![false; sc.sectors.len()];
                    if eligible.is_empty() {
                        for (si, s) in sc.sectors.iter().enumerate() {
                            el[si] = s.region == *region;
                        }
                    } else {
                        for &s in eligible {
                            el[s] = true;
                        }
                    }
                    stockpiles.push(MStockpile {
                        rc: cell,
                        initial: pt.add(initial, false),
                        release_below: pt.add(release_below, false),
                        max_release: pt.add(max_release, false),
                        eligible: el,
                        group,
                    });
                }
                PolicyKind::CapacityExpansion {
                    producer,
                    capacity,
                    lead_time,
                    ramp,
                    success,
                    ..
                } => {
                    // The policy's own recipe was merged into the producer by validation when
                    // the producer is new; an existing producer keeps its recipe.
                    let capacity = pt.add(capacity, false);
                    let lead_time = pt.add(lead_time, true);
                    let ramp = pt.add(ramp, true);
                    let success = pt.add(success, false);
                    let succeeds = pt.bernoulli(format!("policy.{}.succeeds", pol.id), success);
                    expansions.push(MExpansion {
                        producer: *producer,
                        capacity,
                        lead_time,
                        ramp,
                        succeeds,
                    });
                }
                PolicyKind::Recycling {
                    region,
                    commodity,
                    share,
                    lead_time,
                    ramp,
                } => recycling.push(MRecycling {
                    rc: rc(*region, *commodity),
                    share: pt.add(share, false),
                    lead_time: pt.add(lead_time, true),
                    ramp: pt.add(ramp, true),
                }),
                PolicyKind::Substitution {
                    sector,
                    commodity,
                    max,
                    lag,
                    rate,
                } => {
                    let opt = MSubst {
                        max: pt.add(max, false),
                        lag: pt.add(lag, true),
                        rate: pt.add(rate, false),
                        policy: true,
                    };
                    // Validation guarantees the sector uses the commodity; if not, the option
                    // has nothing to act on.
                    if let Some(ix) = sectors[*sector]
                        .inputs
                        .clone()
                        .find(|&i| sector_inputs[i].commodity == *commodity)
                    {
                        substitutions.push((ix, opt));
                    }
                }
                PolicyKind::Priority { .. } => {}
            }
        }

        // A producer's input needs sit in the tier of its output's best-priority final user,
        // found downstream through recipes (reverse topological order).
        let mut best_tier = vec![REFILL_TIER - 1; nc];
        for &c in sc.topo_order.iter().rev() {
            let mut t = best_tier[c];
            for s in &sector_inputs {
                if s.commodity == c {
                    t = t.min(sectors[s.sector].tier);
                }
            }
            best_tier[c] = t;
            for it in &recipe {
                if producers[it.producer].commodity == c {
                    let ic = it.commodity;
                    best_tier[ic] = best_tier[ic].min(t);
                }
            }
        }

        let mut buyers = Vec::new();
        let mut buyers_of = Vec::with_capacity(nr * nc);
        let mut has_demand = vec![false; nr * nc];
        let mut has_prod = vec![false; nr * nc];
        for p in &producers {
            has_prod[rc(p.region, p.commodity)] = true;
        }
        let mut has_inv = vec![false; nr * nc];
        for inv in &inventories {
            has_inv[inv.rc] = true;
        }
        for r in 0..nr {
            for c in 0..nc {
                let s = buyers.len();
                for (i, si) in sector_inputs.iter().enumerate() {
                    if si.commodity == c && sectors[si.sector].region == r {
                        buyers.push((Buyer::Sector(i), sectors[si.sector].tier));
                    }
                }
                for (i, it) in recipe.iter().enumerate() {
                    let p = &producers[it.producer];
                    if it.commodity == c && p.region == r {
                        buyers.push((Buyer::Producer(i), best_tier[p.commodity]));
                    }
                }
                for (k, sh) in shocks.iter().enumerate() {
                    if matches!(sh.kind, MShockKind::Reserve { rc: x, .. } if x == rc(r, c)) {
                        buyers.push((Buyer::Reserve(k), RESERVE_TIER));
                    }
                }
                has_demand[rc(r, c)] = buyers.len() > s;
                if has_inv[rc(r, c)] {
                    buyers.push((Buyer::Refill, REFILL_TIER));
                }
                buyers[s..].sort_by_key(|b| b.1);
                buyers_of.push(s..buyers.len());
            }
        }

        let demand_cells: Vec<usize> = (0..nr * nc).filter(|&x| has_demand[x]).collect();
        let price_cells: Vec<usize> = (0..nr * nc)
            .filter(|&x| has_demand[x] || has_prod[x])
            .collect();

        // Flows: each restricting exporter x its restricted commodities it produces x every
        // other region with demand, first appearance first. Entry goes to producers outside
        // every region that restricts the commodity; those regions also stay out of the
        // commodity's outside price signal.
        let mut flows: Vec<FlowSeries> = Vec::new();
        let mut outside = vec![true; nr * nc];
        for sh in &sc.shocks {
            if let ShockKind::ExportRestriction {
                exporter,
                commodities,
                ..
            } = &sh.kind
            {
                for &c in commodities {
                    outside[rc(*exporter, c)] = false;
                    let Some(p) = producer_list[producers_of[c].clone()]
                        .iter()
                        .copied()
                        .find(|&p| producers[p].region == *exporter)
                    else {
                        continue;
                    };
                    for r in 0..nr {
                        let f = FlowSeries {
                            producer: p,
                            importer: r,
                        };
                        if r != *exporter && has_demand[rc(r, c)] && !flows.contains(&f) {
                            flows.push(f);
                        }
                    }
                }
            }
        }

        let entry = entry_params
            .into_iter()
            .enumerate()
            .map(|(c, e)| {
                e.map(|(threshold, lead_time, growth, max, succeeds)| MEntry {
                    threshold,
                    lead_time,
                    growth,
                    max,
                    succeeds,
                    producers: producer_list[producers_of[c].clone()]
                        .iter()
                        .copied()
                        .filter(|&p| outside[rc(producers[p].region, c)])
                        .collect(),
                })
            })
            .collect();

        let mut m = Model {
            horizon: sc.meta.horizon,
            periods_per_year: sc.meta.period.per_year(),
            n_regions: nr,
            n_commodities: nc,
            params: pt,
            max_multiple,
            avail_elasticity,
            supply_elasticity,
            price_adjustment,
            entry,
            outside,
            producers,
            recipe,
            producer_list,
            producers_of,
            max_producers_per_commodity: max_ppc,
            expansions,
            sectors,
            sector_inputs,
            substitutions,
            inventories,
            stockpiles,
            stockpile_groups,
            reserves: shocks
                .iter()
                .enumerate()
                .filter(|(_, sh)| matches!(sh.kind, MShockKind::Reserve { .. }))
                .map(|(k, _)| k)
                .collect(),
            recycling,
            shocks,
            buyers,
            buyers_of,
            topo_order: sc.topo_order.clone(),
            demand_cells,
            price_cells,
            flows,
            names: OutputNames::default(),
        };
        m.names = OutputNames::build(sc, &m);
        m
    }

    pub fn n_metrics(&self) -> usize {
        self.names.metrics.len()
    }
    pub fn n_series(&self) -> usize {
        self.names.series.len()
    }
    pub fn n_params(&self) -> usize {
        self.params.reported.len()
    }
}
