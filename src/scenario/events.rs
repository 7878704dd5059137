//! Shocks (what happens) and policies (what is done about it), resolved against the world.

use std::collections::HashMap;

use super::diagnostic::{Diags, Loc};
use super::merge::Doc;
use super::numbers::{DURATION, NON_NEGATIVE, PERIODS, POSITIVE, SHARE};
use super::reader::{Fields, Name};
use super::suggest::did_you_mean;
use super::types::*;
use super::world::{DEFAULT_MAX_UTILIZATION, MAX_PRIORITY, World, recipe};
use crate::sample::dist::num;

pub const SHOCK_KINDS: [&str; 3] = ["export_restriction", "production_outage", "demand_surge"];
pub const POLICY_KINDS: [&str; 5] = [
    "stockpile",
    "capacity_expansion",
    "recycling",
    "substitution",
    "priority",
];

const SHOCK_COMMON: [&str; 6] = ["id", "kind", "start", "duration", "probability", "source"];
const POLICY_COMMON: [&str; 3] = ["id", "kind", "source"];

fn shock_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "export_restriction" => &[
            "exporter",
            "commodities",
            "targets",
            "severity",
            "leakage",
            "relief_half_life",
        ],
        "production_outage" => &["region", "commodity", "severity"],
        "demand_surge" => &["sector", "region", "factor"],
        _ => &[],
    }
}

fn policy_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "stockpile" => &[
            "region",
            "commodity",
            "initial",
            "release_below",
            "max_release",
            "eligible",
        ],
        "capacity_expansion" => &[
            "commodity",
            "region",
            "capacity",
            "lead_time",
            "ramp",
            "success",
            "inputs",
        ],
        "recycling" => &["region", "commodity", "share", "lead_time", "ramp"],
        "substitution" => &["region", "sector", "commodity", "max", "lag", "rate"],
        "priority" => &["region", "sector", "priority"],
        _ => &[],
    }
}

/// Unknown keys for a shock or policy of `kind`, naming the kind a misplaced key belongs to.
fn check_kind_keys(
    f: &Fields,
    common: &[&str],
    kind: &str,
    kinds: &[&str],
    keys: fn(&str) -> &'static [&'static str],
    what: &str,
    d: &mut Diags,
) {
    let mut allowed: Vec<&str> = common.to_vec();
    allowed.extend_from_slice(keys(kind));
    for e in &f.table.entries {
        let k = e.key.as_str();
        if allowed.contains(&k) {
            continue;
        }
        let owners: Vec<&str> = kinds
            .iter()
            .copied()
            .filter(|x| keys(x).contains(&k))
            .collect();
        let diag = d.error(
            &e.key_loc,
            &f.key(k),
            format!("`{k}` does not apply to {} {kind} {what}", article(kind)),
        );
        diag.allowed(format!(
            "keys of {} {kind} {what}: {}",
            article(kind),
            allowed.join(", ")
        ));
        if owners.is_empty() {
            diag.hint(did_you_mean(k, &allowed));
        } else {
            diag.hint(format!("`{k}` belongs to {} {what}s", owners.join(" and ")));
        }
    }
}

fn article(word: &str) -> &'static str {
    if word.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// The `kind` string, checked against `kinds`.
fn kind<'k>(f: &Fields, kinds: &[&'k str], d: &mut Diags) -> Option<&'k str> {
    let k = f.req_string("kind", d)?;
    match kinds.iter().find(|x| **x == k.text) {
        Some(x) => Some(*x),
        None => {
            d.error(
                &k.loc,
                &f.key("kind"),
                format!("unknown kind \"{}\"", k.text),
            )
            .allowed(kinds.join(", "))
            .hint(did_you_mean(&k.text, kinds));
            None
        }
    }
}

fn duplicate_id(
    seen: &mut HashMap<String, Loc>,
    id: &Name,
    what: &str,
    key: &str,
    d: &mut Diags,
) -> bool {
    if let Some(first) = seen.get(&id.text) {
        let at = d.describe(first);
        d.error(&id.loc, key, format!("duplicate {what} id \"{}\"", id.text))
            .allowed(format!("each {what} id once"))
            .hint(format!("first defined at {at}; rename one of them"));
        return true;
    }
    seen.insert(id.text.clone(), id.loc.clone());
    false
}

pub fn shocks(doc: &Doc, w: &World, horizon: usize, period: Period, d: &mut Diags) -> Vec<Shock> {
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for (i, node) in doc.shocks.iter().enumerate() {
        let Some(mut f) = Fields::of(node, &format!("shock[{i}]"), d) else {
            continue;
        };
        let id = f.id("id", d);
        if let Some(id) = &id {
            f.path = format!("shock \"{}\"", id.text);
        }
        let dup = id
            .as_ref()
            .is_some_and(|id| duplicate_id(&mut seen, id, "shock", &f.key("id"), d));
        let Some(kind) = kind(&f, &SHOCK_KINDS, d) else {
            continue;
        };
        check_kind_keys(
            &f,
            &SHOCK_COMMON,
            kind,
            &SHOCK_KINDS,
            shock_keys,
            "shock",
            d,
        );
        let base = format!("shock.{}", id.as_ref().map_or("?", |x| x.text.as_str()));
        let p = |k: &str| format!("{base}.{k}");
        let start = f.param("start", &p("start"), &PERIODS, Some(0.0), d);
        let duration = f.param(
            "duration",
            &p("duration"),
            &DURATION,
            Some(horizon as f64),
            d,
        );
        let probability = f.param("probability", &p("probability"), &SHARE, Some(1.0), d);
        if let Some(n) = f.get("start") {
            let first = start.dist.support().0.round();
            if first >= horizon as f64 {
                d.warn(
                    &n.loc,
                    &f.key("start"),
                    format!(
                        "starts at period {} or later, after the horizon",
                        num(first)
                    ),
                )
                .allowed(format!(
                    "a start within the horizon of {horizon} {}",
                    period.plural()
                ))
                .hint("the shock never happens in this run; lengthen `horizon` or move `start`");
            }
        }
        if probability.dist.support().1 == 0.0 {
            let loc = f.get("probability").map_or(&f.loc, |n| &n.loc);
            d.warn(
                loc,
                &f.key("probability"),
                "probability 0: the shock never happens",
            )
            .hint("remove the shock or give it a positive probability");
        }
        let shock_kind = match kind {
            "export_restriction" => export_restriction(&f, &base, w, d),
            "production_outage" => production_outage(&f, &base, w, d),
            _ => demand_surge(&f, &base, w, d),
        };
        let (Some(id), Some(shock_kind)) = (id, shock_kind) else {
            continue;
        };
        if dup {
            continue;
        }
        out.push(Shock {
            id: id.text,
            start,
            duration,
            probability,
            kind: shock_kind,
            source: f.string("source", d).map(|s| s.text),
        });
    }
    out
}

fn export_restriction(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<ShockKind> {
    let p = |k: &str| format!("{base}.{k}");
    let severity = f.param("severity", &p("severity"), &SHARE, Some(1.0), d);
    let leakage = f.param("leakage", &p("leakage"), &SHARE, Some(0.0), d);
    let relief_half_life = f.opt_param("relief_half_life", &p("relief_half_life"), &POSITIVE, d);
    let exporter = f.req_string("exporter", d);
    let exporter = exporter.and_then(|e| w.ids.region(&e, &f.key("exporter"), d));
    let mut commodities = Vec::new();
    let mut ok = true;
    match f.string_list("commodities", d) {
        Some(list) if list.is_empty() => {
            let n = f.get("commodities").expect("read above");
            d.error(&n.loc, &f.key("commodities"), "no commodities listed")
                .allowed("one or more commodity ids");
            ok = false;
        }
        Some(list) => {
            for c in &list {
                match w.ids.commodity(c, &f.key("commodities"), d) {
                    Some(ci) => {
                        // Skipped while there are errors: a broken world makes this an echo.
                        if let (Some(e), false) = (exporter, d.has_errors()) {
                            if !w
                                .producers
                                .iter()
                                .any(|p| p.commodity == ci && p.region == e)
                            {
                                d.warn(&c.loc, &f.key("commodities"), format!(
                                    "{} has no producer of \"{}\": restricting it changes nothing",
                                    w.ids.regions[e], c.text
                                ))
                                .hint("add a producer for it in the exporter's region, or drop it from the list");
                            }
                        }
                        commodities.push(ci);
                    }
                    None => ok = false,
                }
            }
        }
        None => {
            if f.get("commodities").is_none() {
                f.req("commodities", d);
            }
            ok = false;
        }
    }
    let (targets, targets_all) = match f.get("targets") {
        None => (None, true),
        Some(n) => {
            match &n.val {
                super::tree::Val::Str(s) if s == "all" => (None, true),
                super::tree::Val::Str(s) if w.ids.regions.iter().all(|r| r != s) => {
                    d.error(
                        &n.loc,
                        &f.key("targets"),
                        format!("\"{s}\" is neither \"all\" nor a region"),
                    )
                    .allowed("\"all\" or a list of region ids, e.g. [\"US\", \"EU\"]")
                    .hint(did_you_mean(
                        s,
                        &w.ids
                            .regions
                            .iter()
                            .map(String::as_str)
                            .chain(["all"])
                            .collect::<Vec<_>>(),
                    ));
                    ok = false;
                    (None, false)
                }
                _ => {
                    let mut out = Vec::new();
                    for t in super::reader::string_list(n, &f.key("targets"), d).unwrap_or_default()
                    {
                        match w.ids.region(&t, &f.key("targets"), d) {
                            Some(r) if Some(r) == exporter => {
                                d.error(&t.loc, &f.key("targets"), format!("\"{}\" is the exporter itself", t.text))
                                .allowed("regions other than the exporter")
                                .hint("a restriction blocks exports; remove the exporter from `targets`");
                                ok = false;
                            }
                            Some(r) => out.push(r),
                            None => ok = false,
                        }
                    }
                    if out.is_empty() && ok {
                        d.warn(
                            &n.loc,
                            &f.key("targets"),
                            "no target regions: the restriction blocks nothing",
                        )
                        .hint("write targets = \"all\" or list the regions it applies to");
                    }
                    (Some(out), false)
                }
            }
        }
    };
    let exporter = exporter?;
    if !ok {
        return None;
    }
    let targets =
        targets.unwrap_or_else(|| (0..w.regions.len()).filter(|r| *r != exporter).collect());
    Some(ShockKind::ExportRestriction {
        exporter,
        commodities,
        targets,
        targets_all,
        severity,
        leakage,
        relief_half_life,
    })
}

fn production_outage(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<ShockKind> {
    let severity = f.param(
        "severity",
        &format!("{base}.severity"),
        &SHARE,
        Some(1.0),
        d,
    );
    let r = f.req_string("region", d);
    let c = f.req_string("commodity", d);
    let ri = r
        .as_ref()
        .and_then(|r| w.ids.region(r, &f.key("region"), d));
    let ci = c
        .as_ref()
        .and_then(|c| w.ids.commodity(c, &f.key("commodity"), d));
    let (ri, ci) = (ri?, ci?);
    let Some(producer) = w
        .producers
        .iter()
        .position(|p| p.commodity == ci && p.region == ri)
    else {
        let where_: Vec<&str> = w
            .producers
            .iter()
            .filter(|p| p.commodity == ci)
            .map(|p| w.ids.regions[p.region].as_str())
            .collect();
        let r = r.expect("resolved");
        d.error(
            &r.loc,
            &f.key("region"),
            format!(
                "no producer of \"{}\" in \"{}\" to shut down",
                w.ids.commodities[ci], r.text
            ),
        )
        .allowed("a region with a producer of this commodity")
        .hint(if where_.is_empty() {
            "nobody produces this commodity; add a [[producer]] first".to_string()
        } else {
            format!("it is produced in {}", super::suggest::list(&where_))
        });
        return None;
    };
    Some(ShockKind::ProductionOutage {
        region: ri,
        commodity: ci,
        producer,
        severity,
    })
}

fn demand_surge(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<ShockKind> {
    let factor = f.param("factor", &format!("{base}.factor"), &NON_NEGATIVE, None, d);
    let sector = f.req_string("sector", d)?;
    let region = match f.string("region", d) {
        Some(r) => Some(w.ids.region(&r, &f.key("region"), d)?),
        None => None,
    };
    let sectors: Vec<SectorIx> = match region {
        Some(r) => vec![w.ids.sector(&sector, r, &f.key("sector"), d)?],
        None => {
            let all: Vec<SectorIx> = (0..w.ids.sectors.len())
                .filter(|s| w.ids.sectors[*s].0 == sector.text)
                .collect();
            if all.is_empty() {
                let mut ids: Vec<&str> = w.ids.sectors.iter().map(|(s, _)| s.as_str()).collect();
                ids.dedup();
                d.error(
                    &sector.loc,
                    &f.key("sector"),
                    format!("no sector \"{}\" in any region", sector.text),
                )
                .allowed("a sector id defined in the world or scenario")
                .hint(did_you_mean(&sector.text, &ids));
                return None;
            }
            all
        }
    };
    Some(ShockKind::DemandSurge {
        sector_id: sector.text,
        region,
        sectors,
        factor,
    })
}

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
        });
    }
    out
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
