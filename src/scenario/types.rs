//! The validated scenario: the only form the rest of the crate sees. Every reference is resolved to
//! an index, every distribution is checked, the commodity graph is acyclic. Built by
//! `scenario::load` (parse, merge world and scenario, validate); never deserialized directly.
//!
//! Parameter paths (the keys of random streams, of `trials.csv` columns and of sensitivity output)
//! follow one convention, stable across scenarios so that common random numbers line up:
//!
//! | entity | path |
//! |---|---|
//! | commodity | `commodity.<id>.<field>` (price, elasticity, max_price_multiple) |
//! | producer | `producer.<commodity>.<region>.<field>`; recipe: `producer.<commodity>.<region>.inputs.<input>` |
//! | sector | `sector.<region>.<id>.<field>`; demand: `sector.<region>.<id>.demand.<commodity>`; weights: `...weights.<commodity>`; substitution: `...substitution.<commodity>.<max/lag/rate>` |
//! | inventory | `inventory.<region>.<commodity>.<field>` |
//! | shock | `shock.<id>.<field>` (start, duration, severity, leakage, relief_half_life, probability, factor, announced, precautionary_cover); licensing: `shock.<id>.licensing.<review/approval_rate/ceiling>`; severity path: `shock.<id>.severity_path.<k>` |
//! | policy | `policy.<id>.<field>`; recipe: `policy.<id>.inputs.<input>` |

use std::path::PathBuf;

use crate::sample::Dist;

/// One numeric parameter: its stable path and its distribution (`Dist::Const` for a plain number).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub path: String,
    pub dist: Dist,
}

impl Param {
    pub fn fixed(path: impl Into<String>, v: f64) -> Self {
        Param {
            path: path.into(),
            dist: Dist::Const(v),
        }
    }
    pub fn new(path: impl Into<String>, dist: Dist) -> Self {
        Param {
            path: path.into(),
            dist,
        }
    }
}

/// Index into `Scenario::regions`.
pub type RegionIx = usize;
/// Index into `Scenario::commodities`.
pub type CommodityIx = usize;
/// Index into `Scenario::sectors`.
pub type SectorIx = usize;
/// Index into `Scenario::producers`.
pub type ProducerIx = usize;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Week,
    Month,
    Quarter,
}

impl Period {
    pub fn per_year(self) -> f64 {
        match self {
            Period::Week => 52.0,
            Period::Month => 12.0,
            Period::Quarter => 4.0,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Period::Week => "week",
            Period::Month => "month",
            Period::Quarter => "quarter",
        }
    }
    pub fn plural(self) -> &'static str {
        match self {
            Period::Week => "weeks",
            Period::Month => "months",
            Period::Quarter => "quarters",
        }
    }
}

/// Calendar label of period 0 (`start = "2025-04"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct YearMonth {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub name: String,
    pub description: String,
    /// The scenario file as given on the command line.
    pub file: PathBuf,
    /// The world file, resolved relative to the scenario file, if any.
    pub world_file: Option<PathBuf>,
    pub world_name: Option<String>,
    pub world_year: Option<i32>,
    pub horizon: usize,
    pub period: Period,
    pub start: Option<YearMonth>,
    pub seed: u64,
    pub trials: u64,
    /// Scenario-level `source`, if any.
    pub source: Option<String>,
}

impl Meta {
    /// Label of period `t`: "2025-04" style when `start` is set (weeks as "2025-04 w2", quarters
    /// as "2025-Q2"), else "t3".
    pub fn period_label(&self, t: usize) -> String {
        let Some(s) = self.start else {
            return format!("t{t}");
        };
        match self.period {
            Period::Month => {
                let m0 = s.year as i64 * 12 + (s.month as i64 - 1) + t as i64;
                format!("{}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)
            }
            Period::Quarter => {
                let q0 = s.year as i64 * 4 + (s.month as i64 - 1) / 3 + t as i64;
                format!("{}-Q{}", q0.div_euclid(4), q0.rem_euclid(4) + 1)
            }
            Period::Week => {
                // 52 weeks a year; label by the month the week falls in and the week index.
                let days = (t as f64 * 7.0) as i64;
                let m0 = s.year as i64 * 12 + (s.month as i64 - 1) + days / 30;
                format!("{}-{:02} w{}", m0.div_euclid(12), m0.rem_euclid(12) + 1, t)
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub id: String,
    pub name: String,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Commodity {
    pub id: String,
    pub name: String,
    pub unit: String,
    /// Reference price, $ per unit.
    pub price: Param,
    /// Short-run demand elasticity (positive magnitude) used by the price index.
    pub elasticity: Param,
    pub max_price_multiple: Param,
    /// v2 buyers' side: elasticity of availability (stock-to-use) with respect to price; the
    /// buyers' factor is `(z / z_base)^(-1 / availability_elasticity)`. World key
    /// `availability_elasticity`; defaults to `elasticity` (path `commodity.<id>.elasticity`).
    pub availability_elasticity: Param,
    /// v2 sellers' side: supply elasticity of stranded output; the sellers' factor is
    /// `(sold share / baseline sold share)^(1 / supply_elasticity)`. World key
    /// `supply_elasticity`; defaults to `elasticity`.
    pub supply_elasticity: Param,
    /// v2 partial adjustment: share of the gap to the target index closed per period (log
    /// scale), in (0, 1]. World key `price_adjustment`; default 1 (prices jump to target).
    pub price_adjustment: Param,
    /// v2 entry (MODEL.md section 4.2/4.10): capacity outside the restricting regions that comes
    /// online when the price stays high. World key `entry`; `None` = no price-driven entry.
    pub entry: Option<Entry>,
    pub source: Option<String>,
}

/// Price-driven entry of new capacity for one commodity (`entry = { ... }` on a commodity).
/// Paths `commodity.<id>.entry.<field>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// Price index above which producers commit new capacity (> 1).
    pub threshold: Param,
    /// Periods from commitment to output (rounded to whole periods).
    pub lead_time: Param,
    /// Capacity committed per year while the index is above the threshold, as a share of the
    /// baseline world market (reference demand summed over regions).
    pub growth: Param,
    /// Most entry capacity ever added, as a share of the baseline world market.
    pub max: Param,
    /// Probability that entry happens at all in a trial.
    pub success: Param,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Producer {
    pub commodity: CommodityIx,
    pub region: RegionIx,
    /// Units per year.
    pub capacity: Param,
    pub utilization: Param,
    pub max_utilization: Param,
    /// Utilisation gained per period while the market is short.
    pub ramp: Param,
    /// Finished goods held by the producer and its traders, in periods of its baseline output:
    /// the stock at the start and the level it refills to from unsold output (world key `stock`,
    /// default 0). It can be shipped on top of the period's output, so an announcement rush can
    /// exceed spare capacity.
    pub stock: Param,
    /// Units of input per unit of output.
    pub inputs: Vec<(CommodityIx, Param)>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Substitution {
    /// Largest share of the input's demand that can be substituted away.
    pub max: Param,
    /// Consecutive short periods before substitution starts (rounded to whole periods).
    pub lag: Param,
    /// Share of demand substituted per period once started.
    pub rate: Param,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SectorInput {
    pub commodity: CommodityIx,
    /// Units per year.
    pub demand: Param,
    /// Essential inputs bound output Leontief-style; others by `weight x shortfall`.
    pub essential: bool,
    /// Only meaningful when `!essential` (default 1).
    pub weight: Param,
    pub substitution: Option<Substitution>,
    /// v2 price response: demand for this input falls as `index^(-price_elasticity)` (last
    /// period's price index of the sector's region). Sector key `price_elasticity = { c = e }`;
    /// path `sector.<region>.<id>.price_elasticity.<commodity>`. `None` = no response.
    pub price_elasticity: Option<Param>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sector {
    pub id: String,
    pub region: RegionIx,
    pub name: String,
    /// $ per year at risk.
    pub value_added: Param,
    /// Lower is served first. After `priority` policies are applied.
    pub priority: u32,
    pub inputs: Vec<SectorInput>,
    /// v2 indirect losses: downstream value lost per dollar of this sector's own lost value
    /// (sector key `indirect_multiplier`, path `sector.<region>.<id>.indirect_multiplier`).
    /// `None` = 0.
    pub indirect_multiplier: Option<Param>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inventory {
    pub region: RegionIx,
    pub commodity: CommodityIx,
    /// Periods of regional demand held at the start.
    pub cover: Param,
    /// Periods of demand it refills towards.
    pub target: Param,
    /// At most this share of a period's demand refilled per period.
    pub refill_rate: Param,
    /// Coefficient of variation of cover across the firms of the cell (`None`: one pooled stock).
    pub dispersion: Option<Param>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Shock {
    pub id: String,
    /// Period the shock starts (drawn, rounded to whole periods).
    pub start: Param,
    /// Periods it lasts (drawn, rounded to whole periods).
    pub duration: Param,
    /// Probability the shock happens at all in a trial.
    pub probability: Param,
    pub kind: ShockKind,
    pub source: Option<String>,
}

// Built once per scenario and never in a trial's loop: the size of the v2 restriction variant
// costs nothing worth boxing it for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum ShockKind {
    ExportRestriction {
        exporter: RegionIx,
        commodities: Vec<CommodityIx>,
        /// Resolved target regions (`"all"` = every region but the exporter).
        targets: Vec<RegionIx>,
        targets_all: bool,
        severity: Param,
        leakage: Param,
        /// `None` for a hard ban (no relief).
        relief_half_life: Option<Param>,
        /// What the blocked fraction is a fraction of (scenario key `basis`).
        basis: RestrictionBasis,
        /// v2: period of the announcement (key `announced`, a calendar label or a period
        /// number, at most `start`; rounded). `None` = announced when it starts.
        announced: Option<Param>,
        /// v2: extra periods of reference demand that buyers in the targets stock from the
        /// announcement on, while the restriction is active (key `precautionary_cover`).
        precautionary_cover: Option<Param>,
        /// v2: a licensing regime (key `licensing`); replaces the relief term.
        licensing: Option<Licensing>,
        /// v2: blocked share by period from `start` (key `severity_path`; the last entry holds
        /// to the end); replaces `severity`. Paths `shock.<id>.severity_path.<k>`.
        severity_path: Option<Vec<Param>>,
    },
    ProductionOutage {
        region: RegionIx,
        commodity: CommodityIx,
        /// The producer hit (its (commodity, region) must exist).
        producer: ProducerIx,
        severity: Param,
    },
    DemandSurge {
        /// The sector id as written (`"defense"`).
        sector_id: String,
        /// `None` = the sector in every region.
        region: Option<RegionIx>,
        /// Resolved sectors hit.
        sectors: Vec<SectorIx>,
        factor: Param,
    },
    /// A government buying `quantity` units of a commodity for its strategic reserve over
    /// `duration` periods from `start` (the reserve is held: never released in the run). Path
    /// `shock.<id>.quantity`.
    ReservePurchase {
        region: RegionIx,
        commodity: CommodityIx,
        quantity: Param,
    },
}

/// A licensing regime: `review` periods with no licence, then `approval_rate` of the blocked
/// flow unblocked per period up to `ceiling` (the share ever approved). Paths
/// `shock.<id>.licensing.<field>`.
#[derive(Debug, Clone, PartialEq)]
pub struct Licensing {
    /// Periods from `start` with no licence granted (rounded).
    pub review: Param,
    /// Share of the blocked flow unblocked per period after the review.
    pub approval_rate: Param,
    /// Most of the blocked flow ever approved (share in [0, 1]).
    pub ceiling: Param,
}

/// What an export restriction's access share `alpha = 1 - b` caps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestrictionBasis {
    /// The v1 reading of MODEL.md section 5: `x[p][r] <= alpha * A_p`, a share of the producer's
    /// whole available output. For a dominant exporter with a large home market this binds only
    /// when `alpha * A_p` falls below the target's demand.
    Output,
    /// `x[p][r] <= alpha * x0[p][r]`, a share of the flow the producer would have shipped to the
    /// region in the unrestricted market of the same period (`x0 = S0 * A_p * D_r / sum D`, the
    /// pro-rata allocation). Severity then reads as "share of exports withheld", the unit in which
    /// trade data report licensing regimes. The default from v2 on (MODEL.md v2 section 4.5).
    #[default]
    Flow,
}

impl RestrictionBasis {
    pub fn name(self) -> &'static str {
        match self {
            RestrictionBasis::Output => "output",
            RestrictionBasis::Flow => "flow",
        }
    }
}

impl ShockKind {
    pub fn name(&self) -> &'static str {
        match self {
            ShockKind::ExportRestriction { .. } => "export_restriction",
            ShockKind::ProductionOutage { .. } => "production_outage",
            ShockKind::DemandSurge { .. } => "demand_surge",
            ShockKind::ReservePurchase { .. } => "reserve_purchase",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub kind: PolicyKind,
    pub source: Option<String>,
    /// What the policy costs (`cost`), if stated. Not a model parameter: it never changes a
    /// trial, and `chokepoint portfolio` draws it on its own keyed stream (path
    /// `policy.<id>.cost`), so every package sees the same cost draw in the same trial.
    pub cost: Option<Cost>,
    /// The lever the policy belongs to (`lever`): `chokepoint portfolio` runs each lever alone
    /// and each package without it. `None` = the policy is a lever of its own, named by its id.
    pub lever: Option<String>,
}

impl Policy {
    /// The lever name: `lever`, or the id when the policy has none.
    pub fn lever_name(&self) -> &str {
        self.lever.as_deref().unwrap_or(&self.id)
    }
}

/// A lever of a package: a name and the ids of the policies it switches on and off together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lever {
    pub name: String,
    pub policies: Vec<String>,
}

/// The levers of `policies`, in the order each first appears: policies sharing a `lever` form
/// one, a policy without `lever` is one of its own.
pub fn levers(policies: &[Policy]) -> Vec<Lever> {
    let mut out: Vec<Lever> = Vec::new();
    for p in policies {
        let name = p.lever_name();
        match out.iter_mut().find(|l| l.name == name) {
            Some(l) => l.policies.push(p.id.clone()),
            None => out.push(Lever {
                name: name.to_string(),
                policies: vec![p.id.clone()],
            }),
        }
    }
    out
}

/// A policy's cost: present-value US dollars over the horizon, a number or a distribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Cost {
    /// Path `policy.<id>.cost`.
    pub value: Param,
    /// `cost_source`: where the figure comes from and what it covers.
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyKind {
    Stockpile {
        region: RegionIx,
        commodity: CommodityIx,
        /// Periods of regional demand held at the start.
        initial: Param,
        /// Release while the region's fill ratio is below this.
        release_below: Param,
        /// Share of a period's regional demand released per period at most.
        max_release: Param,
        /// Sectors that may draw on it (default: every sector of the region).
        eligible: Vec<SectorIx>,
    },
    CapacityExpansion {
        commodity: CommodityIx,
        region: RegionIx,
        /// The producer it adds to. When the world has no producer of `commodity` in `region`,
        /// validation appends one with zero base capacity (its recipe from this policy's `inputs`
        /// and its other fields from documented defaults) and points here.
        producer: ProducerIx,
        /// Units per year added at full ramp.
        capacity: Param,
        lead_time: Param,
        /// Periods from first output to full capacity.
        ramp: Param,
        /// Probability the project delivers at all.
        success: Param,
        inputs: Vec<(CommodityIx, Param)>,
    },
    Recycling {
        region: RegionIx,
        commodity: CommodityIx,
        /// Share of regional demand met by secondary supply at full ramp.
        share: Param,
        lead_time: Param,
        ramp: Param,
    },
    Substitution {
        sector: SectorIx,
        commodity: CommodityIx,
        max: Param,
        lag: Param,
        rate: Param,
    },
    Priority {
        sector: SectorIx,
        priority: u32,
    },
}

impl PolicyKind {
    pub fn name(&self) -> &'static str {
        match self {
            PolicyKind::Stockpile { .. } => "stockpile",
            PolicyKind::CapacityExpansion { .. } => "capacity_expansion",
            PolicyKind::Recycling { .. } => "recycling",
            PolicyKind::Substitution { .. } => "substitution",
            PolicyKind::Priority { .. } => "priority",
        }
    }
}

/// A validated scenario. Invariants: ids are unique per key, every index is in range, every
/// distribution's support lies inside its field's allowed range, the producer recipe graph over
/// commodities is acyclic and `topo_order` lists every commodity with inputs before outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    pub meta: Meta,
    pub regions: Vec<Region>,
    pub commodities: Vec<Commodity>,
    pub producers: Vec<Producer>,
    pub sectors: Vec<Sector>,
    pub inventories: Vec<Inventory>,
    pub shocks: Vec<Shock>,
    pub policies: Vec<Policy>,
    pub topo_order: Vec<CommodityIx>,
}

impl Scenario {
    pub fn region_ix(&self, id: &str) -> Option<RegionIx> {
        self.regions.iter().position(|r| r.id == id)
    }
    pub fn commodity_ix(&self, id: &str) -> Option<CommodityIx> {
        self.commodities.iter().position(|c| c.id == id)
    }
    pub fn sector_ix(&self, region: &str, id: &str) -> Option<SectorIx> {
        let r = self.region_ix(region)?;
        self.sectors
            .iter()
            .position(|s| s.region == r && s.id == id)
    }
    pub fn producer_ix(&self, commodity: &str, region: &str) -> Option<ProducerIx> {
        let c = self.commodity_ix(commodity)?;
        let r = self.region_ix(region)?;
        self.producers
            .iter()
            .position(|p| p.commodity == c && p.region == r)
    }
}
