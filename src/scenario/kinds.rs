//! Tables tagged by `kind` (shocks and policies): the kind names, the keys each kind takes, and
//! ids that must be unique.

use std::collections::HashMap;

use super::diagnostic::{Diags, Loc};
use super::reader::{Fields, Name};
use super::suggest::did_you_mean;

pub const SHOCK_KINDS: [&str; 4] = [
    "export_restriction",
    "production_outage",
    "demand_surge",
    "reserve_purchase",
];
pub const POLICY_KINDS: [&str; 5] = [
    "stockpile",
    "capacity_expansion",
    "recycling",
    "substitution",
    "priority",
];

pub const SHOCK_COMMON: [&str; 6] = ["id", "kind", "start", "duration", "probability", "source"];
/// Keys of an export restriction's `licensing = { ... }` table.
pub const LICENSING_KEYS: [&str; 3] = ["review", "approval_rate", "ceiling"];
pub const POLICY_COMMON: [&str; 6] = ["id", "kind", "source", "cost", "cost_source", "lever"];

pub fn shock_keys(kind: &str) -> &'static [&'static str] {
    match kind {
        "export_restriction" => &[
            "exporter",
            "commodities",
            "targets",
            "severity",
            "leakage",
            "relief_half_life",
            "basis",
            "announced",
            "precautionary_cover",
            "licensing",
            "severity_path",
        ],
        "production_outage" => &["region", "commodity", "severity"],
        "demand_surge" => &["sector", "region", "factor"],
        "reserve_purchase" => &["region", "commodity", "quantity"],
        _ => &[],
    }
}

pub fn policy_keys(kind: &str) -> &'static [&'static str] {
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
pub fn check_kind_keys(
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
pub fn kind<'k>(f: &Fields, kinds: &[&'k str], d: &mut Diags) -> Option<&'k str> {
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

pub fn duplicate_id(
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
