//! World tables: regions, commodities, producers, sectors, inventories (from the world file and
//! any the scenario adds or overrides).

use std::collections::HashMap;

use super::diagnostic::{Diags, Loc};
use super::lookup::Ids;
use super::merge::Doc;
use super::numbers::{ADJUSTMENT, AT_LEAST_ONE, NON_NEGATIVE, PERIODS, POSITIVE, SHARE};
use super::reader::{Fields, Name};
use super::types::*;

pub const REGION_KEYS: [&str; 3] = ["id", "name", "source"];
pub const COMMODITY_KEYS: [&str; 11] = [
    "id",
    "name",
    "unit",
    "price",
    "elasticity",
    "availability_elasticity",
    "supply_elasticity",
    "price_adjustment",
    "max_price_multiple",
    "entry",
    "source",
];
const ENTRY_KEYS: [&str; 5] = ["threshold", "lead_time", "growth", "max", "success"];
pub const PRODUCER_KEYS: [&str; 9] = [
    "commodity",
    "region",
    "capacity",
    "utilization",
    "max_utilization",
    "ramp",
    "stock",
    "inputs",
    "source",
];
pub const SECTOR_KEYS: [&str; 12] = [
    "id",
    "region",
    "name",
    "value_added",
    "priority",
    "demand",
    "essential",
    "weights",
    "substitution",
    "price_elasticity",
    "indirect_multiplier",
    "source",
];
pub const INVENTORY_KEYS: [&str; 7] = [
    "region",
    "commodity",
    "cover",
    "target",
    "refill_rate",
    "dispersion",
    "source",
];
const SUBSTITUTION_KEYS: [&str; 3] = ["max", "lag", "rate"];

/// Defaults (documented in docs/scenario-files.md).
pub const DEFAULT_UTILIZATION: f64 = 1.0;
pub const DEFAULT_MAX_UTILIZATION: f64 = 1.0;
pub const DEFAULT_RAMP: f64 = 0.0;
pub const DEFAULT_MAX_PRICE_MULTIPLE: f64 = 10.0;
pub const DEFAULT_PRIORITY: i64 = 2;
pub const MAX_PRIORITY: i64 = 1000;
pub const DEFAULT_REFILL_RATE: f64 = 0.25;
pub const DEFAULT_UNIT: &str = "t";

/// Where things were written, for later cross-checks and warnings.
#[derive(Debug, Default)]
pub struct WorldLocs {
    pub commodity: Vec<Loc>,
    pub producer: Vec<Loc>,
    /// Per producer, the location of each recipe input key.
    pub producer_inputs: Vec<Vec<Loc>>,
    /// Per sector, the location of each demand key.
    pub sector_demand: Vec<Vec<Loc>>,
    pub sector: Vec<Loc>,
    pub inventory: Vec<Loc>,
}

#[derive(Debug, Default)]
pub struct World {
    pub regions: Vec<Region>,
    pub commodities: Vec<Commodity>,
    pub producers: Vec<Producer>,
    pub sectors: Vec<Sector>,
    pub inventories: Vec<Inventory>,
    pub ids: Ids,
    pub locs: WorldLocs,
}

/// Reports a second definition of `key`; returns true when it is new.
fn first_time(
    seen: &mut HashMap<String, Loc>,
    key: String,
    loc: &Loc,
    what: &str,
    path: &str,
    d: &mut Diags,
) -> bool {
    if let Some(first) = seen.get(&key) {
        let at = d.describe(first);
        d.error(loc, path, format!("duplicate {what}"))
            .allowed(format!("each {what} once"))
            .hint(format!(
                "first defined at {at}; remove or rename one of them"
            ));
        return false;
    }
    seen.insert(key, loc.clone());
    true
}

fn source(f: &Fields, d: &mut Diags) -> Option<String> {
    f.string("source", d).map(|s| s.text)
}

pub fn read(doc: &Doc, d: &mut Diags) -> World {
    let mut w = World::default();
    regions(doc, &mut w, d);
    commodities(doc, &mut w, d);
    producers(doc, &mut w, d);
    sectors(doc, &mut w, d);
    inventories(doc, &mut w, d);
    w
}

fn regions(doc: &Doc, w: &mut World, d: &mut Diags) {
    let mut seen = HashMap::new();
    for (i, node) in doc.regions.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("region[{i}]"), d) else {
            continue;
        };
        let id = f.id("id", d);
        if let Some(id) = &id {
            f.path = format!("region \"{}\"", id.text);
        }
        f.check_keys(&REGION_KEYS, "a region", d);
        let name = f.string("name", d);
        let src = source(&f, d);
        let Some(id) = id else { continue };
        if !first_time(
            &mut seen,
            id.text.clone(),
            &id.loc,
            &format!("region \"{}\"", id.text),
            &f.path,
            d,
        ) {
            continue;
        }
        w.ids.regions.push(id.text.clone());
        w.regions.push(Region {
            name: name.map_or_else(|| id.text.clone(), |n| n.text),
            id: id.text,
            source: src,
        });
    }
}

fn commodities(doc: &Doc, w: &mut World, d: &mut Diags) {
    let mut seen = HashMap::new();
    for (i, node) in doc.commodities.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("commodity[{i}]"), d) else {
            continue;
        };
        let id = f.id("id", d);
        if let Some(id) = &id {
            f.path = format!("commodity \"{}\"", id.text);
        }
        f.check_keys(&COMMODITY_KEYS, "a commodity", d);
        let base = format!("commodity.{}", id.as_ref().map_or("?", |x| x.text.as_str()));
        let name = f.string("name", d);
        let unit = f.string("unit", d);
        let price = f.param("price", &format!("{base}.price"), &NON_NEGATIVE, None, d);
        let elasticity = f.param(
            "elasticity",
            &format!("{base}.elasticity"),
            &POSITIVE,
            None,
            d,
        );
        let max_price_multiple = f.param(
            "max_price_multiple",
            &format!("{base}.max_price_multiple"),
            &AT_LEAST_ONE,
            Some(DEFAULT_MAX_PRICE_MULTIPLE),
            d,
        );
        // v2 price keys default to the demand elasticity (the v1 index used it for both sides).
        let availability_elasticity = f
            .opt_param(
                "availability_elasticity",
                &format!("{base}.availability_elasticity"),
                &POSITIVE,
                d,
            )
            .unwrap_or_else(|| elasticity.clone());
        let supply_elasticity = f
            .opt_param(
                "supply_elasticity",
                &format!("{base}.supply_elasticity"),
                &POSITIVE,
                d,
            )
            .unwrap_or_else(|| elasticity.clone());
        let price_adjustment = f.param(
            "price_adjustment",
            &format!("{base}.price_adjustment"),
            &ADJUSTMENT,
            Some(1.0),
            d,
        );
        let entry = entry(&f, &base, d);
        let src = source(&f, d);
        let Some(id) = id else { continue };
        if !first_time(
            &mut seen,
            id.text.clone(),
            &id.loc,
            &format!("commodity \"{}\"", id.text),
            &f.path,
            d,
        ) {
            continue;
        }
        w.ids.commodities.push(id.text.clone());
        w.locs.commodity.push(id.loc.clone());
        w.commodities.push(Commodity {
            name: name.map_or_else(|| id.text.clone(), |n| n.text),
            id: id.text,
            unit: unit.map_or_else(|| DEFAULT_UNIT.to_string(), |u| u.text),
            price,
            elasticity,
            max_price_multiple,
            availability_elasticity,
            supply_elasticity,
            price_adjustment,
            entry,
            source: src,
        });
    }
}

/// A commodity's `entry = { threshold, lead_time, growth, max, success }` table.
fn entry(f: &Fields, base: &str, d: &mut Diags) -> Option<Entry> {
    let ef = f.subtable("entry", &ENTRY_KEYS, "an entry table", d)?;
    let p = |k: &str| format!("{base}.entry.{k}");
    Some(Entry {
        threshold: ef.param("threshold", &p("threshold"), &AT_LEAST_ONE, None, d),
        lead_time: ef.param("lead_time", &p("lead_time"), &PERIODS, None, d),
        growth: ef.param("growth", &p("growth"), &SHARE, None, d),
        max: ef.param("max", &p("max"), &NON_NEGATIVE, None, d),
        success: ef.param("success", &p("success"), &SHARE, Some(1.0), d),
    })
}

/// A recipe `{ input = units per unit of output }`: resolved inputs and their key locations.
pub fn recipe(
    f: &Fields,
    base: &str,
    ids: &Ids,
    d: &mut Diags,
) -> (Vec<(CommodityIx, Param)>, Vec<Loc>) {
    let mut inputs = Vec::new();
    let mut locs = Vec::new();
    for e in f.map("inputs", d) {
        let key = f.key(&format!("inputs.{}", e.key));
        let name = Name {
            text: e.key.clone(),
            loc: e.key_loc.clone(),
        };
        let c = ids.commodity(&name, &key, d);
        let path = format!("{base}.inputs.{}", e.key);
        let over = d.set_value(&path);
        let dist = super::numbers::dist(over.as_ref().unwrap_or(&e.node), &key, &NON_NEGATIVE, d);
        if let (Some(c), Some(dist)) = (c, dist) {
            inputs.push((c, Param::new(path, dist)));
            locs.push(e.key_loc.clone());
        }
    }
    (inputs, locs)
}

fn producers(doc: &Doc, w: &mut World, d: &mut Diags) {
    let mut seen = HashMap::new();
    for (i, node) in doc.producers.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("producer[{i}]"), d) else {
            continue;
        };
        let c = f.req_string("commodity", d);
        let r = f.req_string("region", d);
        if let (Some(c), Some(r)) = (&c, &r) {
            f.path = format!("producer \"{}/{}\"", c.text, r.text);
        }
        f.check_keys(&PRODUCER_KEYS, "a producer", d);
        let ci = c
            .as_ref()
            .and_then(|c| w.ids.commodity(c, &f.key("commodity"), d));
        let ri = r
            .as_ref()
            .and_then(|r| w.ids.region(r, &f.key("region"), d));
        let base = format!(
            "producer.{}.{}",
            c.as_ref().map_or("?", |x| x.text.as_str()),
            r.as_ref().map_or("?", |x| x.text.as_str())
        );
        let capacity = f.param(
            "capacity",
            &format!("{base}.capacity"),
            &NON_NEGATIVE,
            None,
            d,
        );
        let utilization = f.param(
            "utilization",
            &format!("{base}.utilization"),
            &SHARE,
            Some(DEFAULT_UTILIZATION),
            d,
        );
        let max_utilization = f.param(
            "max_utilization",
            &format!("{base}.max_utilization"),
            &SHARE,
            Some(DEFAULT_MAX_UTILIZATION),
            d,
        );
        if max_utilization.dist.mean() < utilization.dist.mean() {
            let loc = f
                .get("max_utilization")
                .or(f.get("utilization"))
                .map_or(&f.loc, |n| &n.loc);
            d.error(
                loc,
                &f.key("max_utilization"),
                format!(
                    "max_utilization (mean {}) is below utilization (mean {})",
                    crate::sample::dist::num(max_utilization.dist.mean()),
                    crate::sample::dist::num(utilization.dist.mean())
                ),
            )
            .allowed("max_utilization >= utilization (compared on means)")
            .hint("max_utilization is the ceiling utilisation can ramp up to");
        }
        let ramp = f.param(
            "ramp",
            &format!("{base}.ramp"),
            &SHARE,
            Some(DEFAULT_RAMP),
            d,
        );
        let stock = f.param(
            "stock",
            &format!("{base}.stock"),
            &NON_NEGATIVE,
            Some(0.0),
            d,
        );
        let (inputs, input_locs) = recipe(&f, &base, &w.ids, d);
        let src = source(&f, d);
        let (Some(ci), Some(ri)) = (ci, ri) else {
            continue;
        };
        let key = format!("{ci}/{ri}");
        if !first_time(
            &mut seen,
            key,
            &f.loc,
            "producer (same commodity and region)",
            &f.path,
            d,
        ) {
            continue;
        }
        w.locs.producer.push(f.loc.clone());
        w.locs.producer_inputs.push(input_locs);
        w.producers.push(Producer {
            commodity: ci,
            region: ri,
            capacity,
            utilization,
            max_utilization,
            ramp,
            stock,
            inputs,
            source: src,
        });
    }
}

fn sectors(doc: &Doc, w: &mut World, d: &mut Diags) {
    let mut seen = HashMap::new();
    for (i, node) in doc.sectors.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("sector[{i}]"), d) else {
            continue;
        };
        let id = f.id("id", d);
        let r = f.req_string("region", d);
        if let (Some(id), Some(r)) = (&id, &r) {
            f.path = format!("sector \"{}/{}\"", r.text, id.text);
        }
        f.check_keys(&SECTOR_KEYS, "a sector", d);
        let ri = r
            .as_ref()
            .and_then(|r| w.ids.region(r, &f.key("region"), d));
        let base = format!(
            "sector.{}.{}",
            r.as_ref().map_or("?", |x| x.text.as_str()),
            id.as_ref().map_or("?", |x| x.text.as_str())
        );
        let name = f.string("name", d);
        let value_added = f.param(
            "value_added",
            &format!("{base}.value_added"),
            &NON_NEGATIVE,
            None,
            d,
        );
        let priority = f
            .int("priority", 0, MAX_PRIORITY, Some(DEFAULT_PRIORITY), d)
            .unwrap_or(0) as u32;
        if f.get("demand").is_none() {
            f.req("demand", d);
        }
        let mut inputs: Vec<SectorInput> = Vec::new();
        let mut demand_ids: Vec<String> = Vec::new();
        let mut demand_locs = Vec::new();
        for e in f.map("demand", d) {
            let key = f.key(&format!("demand.{}", e.key));
            let name = Name {
                text: e.key.clone(),
                loc: e.key_loc.clone(),
            };
            let c = w.ids.commodity(&name, &key, d);
            let path = format!("{base}.demand.{}", e.key);
            let over = d.set_value(&path);
            let dist =
                super::numbers::dist(over.as_ref().unwrap_or(&e.node), &key, &NON_NEGATIVE, d);
            if let (Some(c), Some(dist)) = (c, dist) {
                inputs.push(SectorInput {
                    commodity: c,
                    demand: Param::new(path, dist),
                    essential: true,
                    weight: Param::fixed(format!("{base}.weights.{}", e.key), 1.0),
                    substitution: None,
                    price_elasticity: None,
                });
                demand_ids.push(e.key.clone());
                demand_locs.push(e.key_loc.clone());
            }
        }
        let input_of = |name: &Name, what: &str, d: &mut Diags| -> Option<usize> {
            let pos = demand_ids.iter().position(|x| *x == name.text);
            if pos.is_none() {
                let known: Vec<&str> = demand_ids.iter().map(String::as_str).collect();
                d.error(
                    &name.loc,
                    &f.key(what),
                    format!("\"{}\" is not in this sector's demand", name.text),
                )
                .allowed(format!(
                    "a commodity listed in `demand`: {}",
                    super::suggest::list(&known)
                ))
                .hint(super::suggest::did_you_mean(&name.text, &known));
            }
            pos
        };
        if let Some(list) = f.string_list("essential", d) {
            for inp in inputs.iter_mut() {
                inp.essential = false;
            }
            for name in &list {
                if let Some(j) = input_of(name, "essential", d) {
                    inputs[j].essential = true;
                }
            }
        }
        for e in f.map("weights", d) {
            let name = Name {
                text: e.key.clone(),
                loc: e.key_loc.clone(),
            };
            let key = f.key(&format!("weights.{}", e.key));
            let dist = super::numbers::dist(&e.node, &key, &NON_NEGATIVE, d);
            if let (Some(j), Some(dist)) = (input_of(&name, "weights", d), dist) {
                if inputs[j].essential {
                    d.warn(
                        &e.key_loc,
                        &key,
                        format!("weight on essential input \"{}\" is ignored", e.key),
                    )
                    .hint("weights apply only to inputs left out of `essential`");
                }
                inputs[j].weight = Param::new(format!("{base}.weights.{}", e.key), dist);
            }
        }
        for e in f.map("substitution", d) {
            let name = Name {
                text: e.key.clone(),
                loc: e.key_loc.clone(),
            };
            let key = f.key(&format!("substitution.{}", e.key));
            let sbase = format!("{base}.substitution.{}", e.key);
            let Some(mut sf) = Fields::of(&e.node, &key, d) else {
                continue;
            };
            sf.path = key.clone();
            sf.check_keys(&SUBSTITUTION_KEYS, "a substitution", d);
            let sub = Substitution {
                max: sf.param("max", &format!("{sbase}.max"), &SHARE, None, d),
                lag: sf.param("lag", &format!("{sbase}.lag"), &PERIODS, None, d),
                rate: sf.param("rate", &format!("{sbase}.rate"), &SHARE, None, d),
            };
            if let Some(j) = input_of(&name, "substitution", d) {
                inputs[j].substitution = Some(sub);
            }
        }
        for e in f.map("price_elasticity", d) {
            let name = Name {
                text: e.key.clone(),
                loc: e.key_loc.clone(),
            };
            let key = f.key(&format!("price_elasticity.{}", e.key));
            let dist = super::numbers::dist(&e.node, &key, &NON_NEGATIVE, d);
            if let (Some(j), Some(dist)) = (input_of(&name, "price_elasticity", d), dist) {
                inputs[j].price_elasticity = Some(Param::new(
                    format!("{base}.price_elasticity.{}", e.key),
                    dist,
                ));
            }
        }
        let indirect_multiplier = f.opt_param(
            "indirect_multiplier",
            &format!("{base}.indirect_multiplier"),
            &NON_NEGATIVE,
            d,
        );
        let src = source(&f, d);
        let (Some(id), Some(ri)) = (id, ri) else {
            continue;
        };
        let key = format!("{}/{ri}", id.text);
        if !first_time(
            &mut seen,
            key,
            &id.loc,
            "sector (same id and region)",
            &f.path,
            d,
        ) {
            continue;
        }
        w.ids.sectors.push((id.text.clone(), ri));
        w.locs.sector.push(id.loc.clone());
        w.locs.sector_demand.push(demand_locs);
        w.sectors.push(Sector {
            name: name.map_or_else(|| id.text.clone(), |n| n.text),
            id: id.text,
            region: ri,
            value_added,
            priority,
            inputs,
            indirect_multiplier,
            source: src,
        });
    }
}

fn inventories(doc: &Doc, w: &mut World, d: &mut Diags) {
    let mut seen = HashMap::new();
    for (i, node) in doc.inventories.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("inventory[{i}]"), d) else {
            continue;
        };
        let r = f.req_string("region", d);
        let c = f.req_string("commodity", d);
        if let (Some(c), Some(r)) = (&c, &r) {
            f.path = format!("inventory \"{}/{}\"", r.text, c.text);
        }
        f.check_keys(&INVENTORY_KEYS, "an inventory", d);
        let ri = r
            .as_ref()
            .and_then(|r| w.ids.region(r, &f.key("region"), d));
        let ci = c
            .as_ref()
            .and_then(|c| w.ids.commodity(c, &f.key("commodity"), d));
        let base = format!(
            "inventory.{}.{}",
            r.as_ref().map_or("?", |x| x.text.as_str()),
            c.as_ref().map_or("?", |x| x.text.as_str())
        );
        let cover = f.param("cover", &format!("{base}.cover"), &NON_NEGATIVE, None, d);
        // Absent target: refill towards the cover (its mean when the cover is uncertain, so the
        // target is not an independent draw).
        let target = f.param(
            "target",
            &format!("{base}.target"),
            &NON_NEGATIVE,
            Some(cover.dist.mean()),
            d,
        );
        let refill_rate = f.param(
            "refill_rate",
            &format!("{base}.refill_rate"),
            &SHARE,
            Some(DEFAULT_REFILL_RATE),
            d,
        );
        let dispersion = f.opt_param(
            "dispersion",
            &format!("{base}.dispersion"),
            &NON_NEGATIVE,
            d,
        );
        let src = source(&f, d);
        let (Some(ri), Some(ci)) = (ri, ci) else {
            continue;
        };
        if !first_time(
            &mut seen,
            format!("{ri}/{ci}"),
            &f.loc,
            "inventory (same region and commodity)",
            &f.path,
            d,
        ) {
            continue;
        }
        w.locs.inventory.push(f.loc.clone());
        w.inventories.push(Inventory {
            region: ri,
            commodity: ci,
            cover,
            target,
            refill_rate,
            dispersion,
            source: src,
        });
    }
}
