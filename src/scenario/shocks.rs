//! Shocks: what happens (export restrictions, production outages, demand surges), resolved
//! against the world.

use std::collections::HashMap;

use super::diagnostic::Diags;
use super::kinds::{SHOCK_COMMON, SHOCK_KINDS, check_kind_keys, duplicate_id, kind, shock_keys};
use super::merge::Doc;
use super::numbers::{DURATION, NON_NEGATIVE, PERIODS, POSITIVE, SHARE};
use super::reader::Fields;
use super::suggest::did_you_mean;
use super::types::*;
use super::world::World;
use crate::sample::dist::num;

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
    let basis = match f.string("basis", d) {
        None => RestrictionBasis::Flow,
        Some(b) => match b.text.as_str() {
            "output" => RestrictionBasis::Output,
            "flow" => RestrictionBasis::Flow,
            other => {
                d.error(&b.loc, &f.key("basis"), format!("unknown basis \"{other}\""))
                    .allowed("\"output\" (a share of the exporter's whole output) or \"flow\" (a share of its unrestricted flow to each target)")
                    .hint(did_you_mean(other, &["output", "flow"]));
                RestrictionBasis::Output
            }
        },
    };
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
                        if let (Some(e), false) = (exporter, d.has_errors())
                            && !w
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
        basis,
        announced: None,
        precautionary_cover: None,
        licensing: None,
        severity_path: None,
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
