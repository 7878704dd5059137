//! Shocks: what happens (export restrictions, production outages, demand surges, reserve
//! purchases), resolved against the world.

use std::collections::HashMap;

use super::diagnostic::Diags;
use super::kinds::{
    LICENSING_KEYS, SHOCK_COMMON, SHOCK_KINDS, check_kind_keys, duplicate_id, kind, shock_keys,
};
use super::merge::Doc;
use super::meta::{parse_year_month, period_of};
use super::numbers::{self, DURATION, NON_NEGATIVE, PERIODS, POSITIVE, SHARE};
use super::reader::Fields;
use super::suggest::did_you_mean;
use super::tree::{Node, Val};
use super::types::*;
use super::world::World;
use crate::sample::Dist;
use crate::sample::dist::num;

/// How calendar labels ("2023-07") become period numbers in this scenario.
struct Calendar<'m> {
    meta: &'m Meta,
    /// `[scenario]` has a `start` key (when it could not be read, a label reports nothing more).
    start_given: bool,
}

const LABEL_ALLOWED: &str =
    "a period number, a distribution of periods, or a calendar label \"YYYY-MM\"";

pub fn shocks(doc: &Doc, w: &World, meta: &Meta, d: &mut Diags) -> Vec<Shock> {
    let (horizon, period) = (meta.horizon, meta.period);
    let cal = Calendar {
        meta,
        start_given: doc
            .scenario
            .as_ref()
            .is_some_and(|n| matches!(&n.val, Val::Table(t) if t.get("start").is_some())),
    };
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
        let start = period_param(&f, "start", &p("start"), &cal, Some(0.0), d);
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
            "export_restriction" => export_restriction(&f, &base, w, &start, &cal, d),
            "production_outage" => production_outage(&f, &base, w, d),
            "reserve_purchase" => reserve_purchase(&f, &base, w, d),
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

/// A shock's period field that also takes a calendar label: `start` and `announced`.
fn period_param(
    f: &Fields,
    k: &str,
    path: &str,
    cal: &Calendar,
    default: Option<f64>,
    d: &mut Diags,
) -> Param {
    let key = f.key(k);
    let t = match f.get(k).map(|n| (n, &n.val)) {
        Some((n, Val::Str(text))) => label_period(n, text, &key, cal, d),
        Some((n, Val::Datetime(date))) => {
            // A bare TOML date: ask for the string form, as `[scenario] start` does.
            let month = date.get(..7).filter(|m| parse_year_month(m).is_some());
            d.error(&n.loc, &key, "write the calendar label as a string")
                .allowed(LABEL_ALLOWED)
                .hint(format!(
                    "put the month in quotes and drop the day: {k} = \"{}\"",
                    month.unwrap_or("YYYY-MM")
                ));
            None
        }
        _ => return f.param(k, path, &PERIODS, default, d),
    };
    Param::fixed(path, t.map_or(f64::NAN, |t| t as f64))
}

/// The period a calendar label falls in; reports a malformed label, a label without a
/// scenario `start`, and a label before the horizon's first period.
fn label_period(n: &Node, text: &str, key: &str, cal: &Calendar, d: &mut Diags) -> Option<i64> {
    let Some(label) = parse_year_month(text) else {
        d.error(
            &n.loc,
            key,
            format!("\"{text}\" is not a calendar label or a period"),
        )
        .allowed(LABEL_ALLOWED)
        .hint("write the month as \"YYYY-MM\", e.g. \"2025-04\", or give the period number");
        return None;
    };
    let Some(start) = cal.meta.start else {
        // A `start` that was given but could not be read is reported already.
        if !cal.start_given {
            d.error(&n.loc, key, "a calendar label needs `start` in [scenario]")
                .allowed("a period number, or a label \"YYYY-MM\" once [scenario] has `start`")
                .hint("add `start = \"YYYY-MM\"` (the month of period 0) to [scenario], or write the period number");
        }
        return None;
    };
    let t = period_of(start, label, cal.meta.period);
    if t < 0 {
        let first = format!("{}-{:02}", start.year, start.month);
        d.error(
            &n.loc,
            key,
            format!(
                "\"{text}\" falls in period {t}, before the first period {first} of the horizon"
            ),
        )
        .allowed(format!("a label from {first} on (the scenario's `start`)"))
        .hint("move the label into the horizon, or move `start` in [scenario] earlier");
        return None;
    }
    Some(t)
}

/// Rounded bounds of a time's draws (NaN for a placeholder of a reported error).
fn round_support(p: &Param) -> (f64, f64) {
    let (lo, hi) = p.dist.support();
    (lo.round(), hi.round())
}

/// The v2 `announced` key: at most `start`, in every trial.
fn announced(
    f: &Fields,
    base: &str,
    start: &Param,
    cal: &Calendar,
    d: &mut Diags,
) -> Option<Param> {
    let n = f.get("announced")?;
    let announced = period_param(f, "announced", &format!("{base}.announced"), cal, None, d);
    let (a_lo, a_hi) = round_support(&announced);
    let (s_lo, s_hi) = round_support(start);
    if a_hi > s_lo {
        let msg = if a_lo == a_hi && s_lo == s_hi {
            format!(
                "announced at period {}, after the start at period {}",
                num(a_hi),
                num(s_lo)
            )
        } else {
            format!(
                "may be announced as late as period {} but start as early as period {}",
                num(a_hi),
                num(s_lo)
            )
        };
        d.error(&n.loc, &f.key("announced"), msg)
            .allowed("an announcement at or before `start`, in every trial")
            .hint("move `announced` earlier or `start` later, so the latest announcement comes no later than the earliest start");
    }
    Some(announced)
}

/// The v2 `licensing = { review, approval_rate, ceiling }` table.
fn licensing(f: &Fields, base: &str, d: &mut Diags) -> Option<Licensing> {
    let lf = f.subtable("licensing", &LICENSING_KEYS, "a licensing table", d)?;
    let p = |k: &str| format!("{base}.licensing.{k}");
    Some(Licensing {
        review: lf.param("review", &p("review"), &PERIODS, None, d),
        approval_rate: lf.param("approval_rate", &p("approval_rate"), &SHARE, None, d),
        ceiling: lf.param("ceiling", &p("ceiling"), &SHARE, Some(1.0), d),
    })
}

/// The v2 `severity_path = [share, ...]`: blocked share by period from `start`.
fn severity_path(
    f: &Fields,
    base: &str,
    start: &Param,
    horizon: usize,
    d: &mut Diags,
) -> Option<Vec<Param>> {
    let n = f.get("severity_path")?;
    let key = f.key("severity_path");
    let Val::Array(items) = &n.val else {
        d.error(
            &n.loc,
            &key,
            format!("expected a list of shares, found {}", n.val.type_name()),
        )
        .allowed("a list of shares between 0 and 1 (numbers or distributions), one per period from `start`")
        .hint("e.g. severity_path = [0.5, 0.75, { uniform = [0.3, 0.5] }, 0.1]");
        return None;
    };
    if items.is_empty() {
        d.error(&n.loc, &key, "an empty severity path")
            .allowed("one or more shares between 0 and 1, one per period from `start`")
            .hint("list the blocked share of each period, or remove `severity_path` and use `severity`");
        return None;
    }
    let path: Vec<Param> = items
        .iter()
        .enumerate()
        .map(|(k, item)| {
            let dist = numbers::dist(item, &format!("{key}.{k}"), &SHARE, d)
                .unwrap_or(Dist::Const(f64::NAN));
            Param::new(format!("{base}.severity_path.{k}"), dist)
        })
        .collect();
    // Entry k applies in period start + k; with the earliest start, those past the horizon never do.
    let first = round_support(start).0;
    if first >= 0.0 && first < horizon as f64 {
        let used = horizon - first as usize;
        if items.len() > used {
            d.warn(
                &items[used].loc,
                &format!("{key}.{used}"),
                format!(
                    "{} of {} entries never apply: the path starts in period {} of a {horizon}-period horizon",
                    items.len() - used,
                    items.len(),
                    num(first)
                ),
            )
            .allowed(format!("at most {used} entries"))
            .hint("drop the entries past the horizon, or lengthen `horizon`");
        }
    }
    Some(path)
}

/// `key` and `other` are alternatives: giving both is an error at `key`.
fn exclusive(f: &Fields, key: &str, other: &str, what: &str, d: &mut Diags) {
    if let (Some(e), Some(_)) = (f.table.entry(key), f.get(other)) {
        d.error(
            &e.key_loc,
            &f.key(key),
            format!("`{key}` and `{other}` are both given"),
        )
        .allowed(format!("one of `{key}` or `{other}`"))
        .hint(format!("`{key}` replaces {what}; remove one of the two"));
    }
}

fn export_restriction(
    f: &Fields,
    base: &str,
    w: &World,
    start: &Param,
    cal: &Calendar,
    d: &mut Diags,
) -> Option<ShockKind> {
    let p = |k: &str| format!("{base}.{k}");
    let severity = f.param("severity", &p("severity"), &SHARE, Some(1.0), d);
    let leakage = f.param("leakage", &p("leakage"), &SHARE, Some(0.0), d);
    let relief_half_life = f.opt_param("relief_half_life", &p("relief_half_life"), &POSITIVE, d);
    let announced = announced(f, base, start, cal, d);
    let precautionary_cover = f.opt_param(
        "precautionary_cover",
        &p("precautionary_cover"),
        &NON_NEGATIVE,
        d,
    );
    let licensing = licensing(f, base, d);
    exclusive(
        f,
        "licensing",
        "relief_half_life",
        "the smooth relief term",
        d,
    );
    let severity_path = severity_path(f, base, start, cal.meta.horizon, d);
    exclusive(f, "severity_path", "severity", "the constant `severity`", d);
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
        announced,
        precautionary_cover,
        licensing,
        severity_path,
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

fn reserve_purchase(f: &Fields, base: &str, w: &World, d: &mut Diags) -> Option<ShockKind> {
    let quantity = f.param(
        "quantity",
        &format!("{base}.quantity"),
        &NON_NEGATIVE,
        None,
        d,
    );
    let r = f.req_string("region", d);
    let c = f.req_string("commodity", d);
    let region = r.and_then(|r| w.ids.region(&r, &f.key("region"), d));
    let commodity = c.and_then(|c| w.ids.commodity(&c, &f.key("commodity"), d));
    Some(ShockKind::ReservePurchase {
        region: region?,
        commodity: commodity?,
        quantity,
    })
}
