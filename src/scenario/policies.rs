//! Policies: what is done about shocks (stockpiles, capacity expansions, recycling,
//! substitution, priorities), resolved against the world.

use std::collections::HashMap;

use super::diagnostic::Diags;
use super::kinds::{POLICY_COMMON, POLICY_KINDS, check_kind_keys, duplicate_id, kind, policy_keys};
use super::merge::Doc;
use super::numbers::{MONEY, NON_NEGATIVE, PERIODS, SHARE};
use super::reader::Fields;
use super::suggest::did_you_mean;
use super::types::*;
use super::world::{DEFAULT_MAX_UTILIZATION, MAX_PRIORITY, World, recipe};
use crate::sample::dist::num;

/// Policies; capacity expansions without a producer append one to `producers`, and `priority`
/// policies update `sectors`.
pub fn policies(doc: &Doc, w: &mut World, horizon: usize, d: &mut Diags) -> Vec<Policy> {
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for (i, node) in doc.policies.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("policy[{i}]"), d) else {
            continue;
        };
        let id = f.id("id", d);
        if let Some(id) = &id {
            f.path = format!("policy \"{}\"", id.text);
        }
        let dup = id
            .as_ref()
            .is_some_and(|id| duplicate_id(&mut seen, id, "policy", &f.key("id"), d));
        let Some(kind) = kind(&f, &POLICY_KINDS, d) else {
            continue;
        };
        check_kind_keys(
            &f,
            &POLICY_COMMON,
            kind,
            &POLICY_KINDS,
            policy_keys,
            "policy",
            d,
        );
        let id_text = id.as_ref().map_or("?", |x| x.text.as_str()).to_string();
        let base = format!("policy.{id_text}");
        let kind = match kind {
            "stockpile" => stockpile(&f, &base, w, d),
            "capacity_expansion" => capacity_expansion(&f, &base, &id_text, w, horizon, d),
            "recycling" => recycling(&f, &base, w, d),
            "substitution" => substitution(&f, &base, w, d),
            _ => priority(&f, w, d),
        };
        let cost = cost(&f, &base, d);
        let lever = f.id_opt("lever", d);
        let (Some(id), Some(kind)) = (id, kind) else {
            continue;
        };
        if dup {
            continue;
        }
        out.push(Policy {
            id: id.text,
            kind,
            source: f.string("source", d).map(|s| s.text),
            cost,
            lever: lever.map(|l| l.text),
        });
    }
    out
}

/// `cost` (present-value dollars, a number or a distribution) and its `cost_source`; a cost
/// without a source, or a source without a cost, is a warning.
fn cost(f: &Fields, base: &str, d: &mut Diags) -> Option<Cost> {
    let source = f.string("cost_source", d);
    let value = f.opt_param("cost", &format!("{base}.cost"), &MONEY, d);
    // No warning on top of an error in either key: it would only echo it.
    let written = |v: &Param| v.dist.mean().is_finite();
    match (&value, &source) {
        (Some(v), None) if written(v) && f.get("cost_source").is_none() => {
            if let Some(n) = f.get("cost") {
                d.warn(&n.loc, &f.key("cost"), "a cost without `cost_source`")
                    .hint(
                        "add `cost_source = \"...\"`: where the figure comes from and what it \
                         covers (or \"assumption: ...\")",
                    );
            }
        }
        (None, Some(s)) => {
            d.warn(
                &s.loc,
                &f.key("cost_source"),
                "`cost_source` without a `cost`",
            )
            .hint("add `cost = ...` (present-value dollars) or remove `cost_source`");
        }
        _ => {}
    }
    Some(Cost {
        value: value?,
        source: source.map(|s| s.text),
    })
}

fn region_commodity(f: &Fields, w: &World, d: &mut Diags) -> Option<(RegionIx, CommodityIx)> {
    let r = f.req_string("region", d);
    let c = f.req_string("commodity", d);
    let ri = r.and_then(|r| w.ids.region(&r, &f.key("region"), d));
    let ci = c.and_then(|c| w.ids.commodity(&c, &f.key("commodity"), d));
    Some((ri?, ci?))
}

fn stockpile(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<PolicyKind> {
    let initial = f.param(
        "initial",
        &format!("{base}.initial"),
        &NON_NEGATIVE,
        None,
        d,
    );
    let release_below = f.param(
        "release_below",
        &format!("{base}.release_below"),
        &SHARE,
        None,
        d,
    );
    let max_release = f.param(
        "max_release",
        &format!("{base}.max_release"),
        &SHARE,
        None,
        d,
    );
    let (region, commodity) = region_commodity(f, w, d)?;
    let eligible = match f.string_list("eligible", d) {
        Some(list) => {
            let mut out = Vec::new();
            for s in &list {
                out.push(w.ids.sector(s, region, &f.key("eligible"), d)?);
            }
            out
        }
        None => (0..w.sectors.len())
            .filter(|s| w.sectors[*s].region == region)
            .collect(),
    };
    if let (Some(n), false) = (f.get("eligible"), d.has_errors()) {
        for &s in &eligible {
            if !w.sectors[s].inputs.iter().any(|i| i.commodity == commodity) {
                d.warn(
                    &n.loc,
                    &f.key("eligible"),
                    format!(
                        "sector \"{}\" does not use \"{}\": the stockpile cannot help it",
                        w.sectors[s].id, w.ids.commodities[commodity]
                    ),
                )
                .hint("list only sectors whose demand includes the stockpiled commodity");
            }
        }
    }
    Some(PolicyKind::Stockpile {
        region,
        commodity,
        initial,
        release_below,
        max_release,
        eligible,
    })
}

fn capacity_expansion(
    f: &Fields,
    base: &str,
    id: &str,
    w: &mut World,
    horizon: usize,
    d: &mut Diags,
) -> Option<PolicyKind> {
    let capacity = f.param(
        "capacity",
        &format!("{base}.capacity"),
        &NON_NEGATIVE,
        None,
        d,
    );
    let lead_time = f.param(
        "lead_time",
        &format!("{base}.lead_time"),
        &PERIODS,
        Some(0.0),
        d,
    );
    let ramp = f.param("ramp", &format!("{base}.ramp"), &PERIODS, Some(0.0), d);
    let success = f.param("success", &format!("{base}.success"), &SHARE, Some(1.0), d);
    if let Some(n) = f.get("lead_time") {
        let first = lead_time.dist.support().0.round();
        if first >= horizon as f64 {
            d.warn(
                &n.loc,
                &f.key("lead_time"),
                format!(
                    "comes online at period {} or later, after the horizon",
                    num(first)
                ),
            )
            .hint("the new capacity never produces in this run; lengthen `horizon` to see it");
        }
    }
    let (mut inputs, locs) = recipe(f, base, &w.ids, d);
    let r = f.req_string("region", d);
    let c = f.req_string("commodity", d);
    let region = r.and_then(|r| w.ids.region(&r, &f.key("region"), d));
    let commodity = c.and_then(|c| w.ids.commodity(&c, &f.key("commodity"), d));
    let (region, commodity) = (region?, commodity?);
    let existing = w
        .producers
        .iter()
        .position(|p| p.commodity == commodity && p.region == region);
    let producer = match existing {
        Some(p) => {
            // Without its own recipe, the expansion uses the existing plant's.
            if f.get("inputs").is_none() {
                inputs = w.producers[p].inputs.clone();
            }
            p
        }
        None => {
            // A new producer with zero base capacity; the expansion's capacity runs at full
            // utilisation once built (a plant built for a shortage runs flat out), so there is
            // no ramp in utilisation. Its recipe is the policy's own (same parameter paths, so
            // the same draws).
            let pbase = format!(
                "producer.{}.{}",
                w.ids.commodities[commodity], w.ids.regions[region]
            );
            w.producers.push(Producer {
                commodity,
                region,
                capacity: Param::fixed(format!("{pbase}.capacity"), 0.0),
                utilization: Param::fixed(format!("{pbase}.utilization"), DEFAULT_MAX_UTILIZATION),
                max_utilization: Param::fixed(
                    format!("{pbase}.max_utilization"),
                    DEFAULT_MAX_UTILIZATION,
                ),
                ramp: Param::fixed(format!("{pbase}.ramp"), 0.0),
                stock: Param::fixed(format!("{pbase}.stock"), 0.0),
                inputs: inputs.clone(),
                source: Some(format!("added by policy \"{id}\"")),
            });
            w.locs.producer.push(f.loc.clone());
            w.locs.producer_inputs.push(locs);
            w.producers.len() - 1
        }
    };
    Some(PolicyKind::CapacityExpansion {
        commodity,
        region,
        producer,
        capacity,
        lead_time,
        ramp,
        success,
        inputs,
    })
}

fn recycling(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<PolicyKind> {
    let share = f.param("share", &format!("{base}.share"), &SHARE, None, d);
    let lead_time = f.param(
        "lead_time",
        &format!("{base}.lead_time"),
        &PERIODS,
        Some(0.0),
        d,
    );
    let ramp = f.param("ramp", &format!("{base}.ramp"), &PERIODS, Some(0.0), d);
    let (region, commodity) = region_commodity(f, w, d)?;
    Some(PolicyKind::Recycling {
        region,
        commodity,
        share,
        lead_time,
        ramp,
    })
}

fn sector_in_region(f: &Fields, w: &World, d: &mut Diags) -> Option<SectorIx> {
    let r = f.req_string("region", d);
    let s = f.req_string("sector", d);
    let r = r.and_then(|r| w.ids.region(&r, &f.key("region"), d))?;
    w.ids.sector(&s?, r, &f.key("sector"), d)
}

fn substitution(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<PolicyKind> {
    let max = f.param("max", &format!("{base}.max"), &SHARE, None, d);
    let lag = f.param("lag", &format!("{base}.lag"), &PERIODS, None, d);
    let rate = f.param("rate", &format!("{base}.rate"), &SHARE, None, d);
    let sector = sector_in_region(f, w, d);
    let c = f.req_string("commodity", d)?;
    let commodity = w.ids.commodity(&c, &f.key("commodity"), d)?;
    let sector = sector?;
    if !w.sectors[sector]
        .inputs
        .iter()
        .any(|i| i.commodity == commodity)
    {
        let known: Vec<&str> = w.sectors[sector]
            .inputs
            .iter()
            .map(|i| w.ids.commodities[i.commodity].as_str())
            .collect();
        d.error(
            &c.loc,
            &f.key("commodity"),
            format!(
                "sector \"{}\" does not use \"{}\"",
                w.sectors[sector].id, c.text
            ),
        )
        .allowed(format!(
            "a commodity in the sector's demand: {}",
            super::suggest::list(&known)
        ))
        .hint(did_you_mean(&c.text, &known));
        return None;
    }
    Some(PolicyKind::Substitution {
        sector,
        commodity,
        max,
        lag,
        rate,
    })
}

fn priority(f: &Fields, w: &mut World, d: &mut Diags) -> Option<PolicyKind> {
    let p = f.int("priority", 0, MAX_PRIORITY, None, d);
    let sector = sector_in_region(f, w, d)?;
    let p = p? as u32;
    w.sectors[sector].priority = p;
    Some(PolicyKind::Priority {
        sector,
        priority: p,
    })
}
