//! `chokepoint explain FILE`: the resolved world and scenario in words, for checking by eye.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::path::Path;

use super::term;
use super::{EXIT_INVALID, EXIT_OK, EXIT_USAGE};
use crate::sample::dist::num;
use crate::scenario::{self, Param, PolicyKind, RestrictionBasis, Scenario, ShockKind, limits};

/// Prints the explanation to stdout; warnings and problems go to stderr. A closed stdout ends
/// quietly with `EXIT_PIPE`.
pub fn run(file: &Path) -> i32 {
    let mut err = term::stderr();
    if let Err(why) = scenario::readable(file) {
        let _ = writeln!(err, "error: {why}");
        return EXIT_USAGE;
    }
    let color = super::check::use_color(std::io::stderr().is_terminal());
    match scenario::load(file) {
        Ok(l) => {
            // Diagnostics escape their own text and may carry colour codes: write them as is.
            let _ = write!(
                std::io::stderr(),
                "{}",
                scenario::render_all(&l.warnings, color)
            );
            let stdout = std::io::stdout();
            let mut out = term::Escaped(stdout.lock());
            match term::print(&mut out, &explain(&l.scenario), &mut err) {
                Ok(()) => EXIT_OK,
                Err(code) => code,
            }
        }
        Err(e) => {
            let _ = write!(std::io::stderr(), "{}", e.render(color));
            let _ = writeln!(err, "{}: invalid, nothing to explain", file.display());
            EXIT_INVALID
        }
    }
}

/// A byte count in KiB/MiB/GiB.
fn bytes(b: u64) -> String {
    let b = b as f64;
    if b >= (1u64 << 30) as f64 {
        format!("{:.1} GiB", b / (1u64 << 30) as f64)
    } else if b >= (1u64 << 20) as f64 {
        format!("{:.1} MiB", b / (1u64 << 20) as f64)
    } else {
        format!("{:.1} KiB", b / 1024.0)
    }
}

/// Dollars per year: "$40 bn/year" for a fixed value, the distribution in words otherwise.
fn money(p: &Param) -> String {
    let crate::sample::Dist::Const(v) = p.dist else {
        return p.dist.describe("$/year");
    };
    let (x, suffix) = if v.abs() >= 1e9 {
        (v / 1e9, " bn")
    } else if v.abs() >= 1e6 {
        (v / 1e6, " m")
    } else {
        (v, "")
    };
    format!("${}{suffix}/year", num(x))
}

/// A distribution in words with an optional unit.
fn d(p: &Param, unit: &str) -> String {
    p.dist.describe(unit)
}

/// The scenario in words.
pub fn explain(s: &Scenario) -> String {
    let mut o = String::new();
    let m = &s.meta;
    let per = m.period.name();
    let periods = m.period.plural();
    let _ = writeln!(o, "Scenario: {}", m.name);
    if !m.description.is_empty() {
        let _ = writeln!(o, "  {}", m.description);
    }
    if let Some(w) = &m.world_file {
        let mut about = Vec::new();
        if let Some(n) = &m.world_name {
            about.push(n.clone());
        }
        if let Some(y) = m.world_year {
            about.push(y.to_string());
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        };
        let _ = writeln!(o, "  world: {}{about}", w.display());
    }
    let start = m.start.map_or(String::new(), |s| {
        format!(" from {}-{:02}", s.year, s.month)
    });
    let _ = writeln!(
        o,
        "  horizon: {} {periods}{start}; seed {}; {} trials",
        m.horizon, m.seed, m.trials
    );
    if let Some(src) = &m.source {
        let _ = writeln!(o, "  source: {src}");
    }
    let _ = writeln!(
        o,
        "  result memory: about {} for {} trials kept one by one (exact statistics up to about \
         {} trials; larger runs stream their statistics in bounded memory, docs/outputs.md)",
        bytes(limits::memory_estimate(s, m.trials)),
        m.trials,
        super::run::EXACT_AUTO_BYTES / limits::bytes_per_trial(s).max(1),
    );

    let _ = writeln!(o, "\nRegions ({})", s.regions.len());
    for r in &s.regions {
        let _ = writeln!(o, "  {:<6} {}", r.id, r.name);
    }

    let _ = writeln!(
        o,
        "\nCommodities ({}), inputs before outputs",
        s.commodities.len()
    );
    for &c in &s.topo_order {
        let com = &s.commodities[c];
        let unit = &com.unit;
        let _ = writeln!(o, "  {} ({}), unit {unit}", com.id, com.name);
        let _ = writeln!(
            o,
            "    price {} $/{unit}; demand elasticity {}; price capped at {}x",
            d(&com.price, ""),
            d(&com.elasticity, ""),
            d(&com.max_price_multiple, "")
        );
        let producers: Vec<_> = s.producers.iter().filter(|p| p.commodity == c).collect();
        let total: f64 = producers.iter().map(|p| p.capacity.dist.mean()).sum();
        if producers.is_empty() {
            let _ = writeln!(o, "    producers: none");
        } else {
            let _ = writeln!(
                o,
                "    producers (world capacity {} {unit}/year on average):",
                num(total)
            );
        }
        for p in producers {
            let share = if total > 0.0 {
                p.capacity.dist.mean() / total * 100.0
            } else {
                0.0
            };
            let _ = writeln!(
                o,
                "      {:<6} {:>5.1}%  capacity {}; utilization {} (max {}, ramp {} per {per})",
                s.regions[p.region].id,
                share,
                d(&p.capacity, &format!("{unit}/year")),
                d(&p.utilization, ""),
                d(&p.max_utilization, ""),
                d(&p.ramp, "")
            );
            if !p.inputs.is_empty() {
                let inputs: Vec<String> = p
                    .inputs
                    .iter()
                    .map(|(i, q)| {
                        format!(
                            "{} {} per {unit}",
                            d(q, &s.commodities[*i].unit),
                            s.commodities[*i].id
                        )
                    })
                    .collect();
                let _ = writeln!(o, "             recipe: {}", inputs.join("; "));
            }
            if let Some(src) = &p.source {
                let _ = writeln!(o, "             source: {src}");
            }
        }
        if let Some(src) = &com.source {
            let _ = writeln!(o, "    source: {src}");
        }
    }

    let _ = writeln!(
        o,
        "\nSectors ({}), lower priority is served first",
        s.sectors.len()
    );
    for sec in &s.sectors {
        let _ = writeln!(
            o,
            "  {}/{} ({}): value added {}; priority {}",
            s.regions[sec.region].id,
            sec.id,
            sec.name,
            money(&sec.value_added),
            sec.priority
        );
        for i in &sec.inputs {
            let com = &s.commodities[i.commodity];
            let role = if i.essential {
                "essential".to_string()
            } else {
                format!("non-essential, weight {}", d(&i.weight, ""))
            };
            let _ = writeln!(
                o,
                "    {}: {} /year, {role}",
                com.id,
                d(&i.demand, &com.unit)
            );
            if let Some(sub) = &i.substitution {
                let _ = writeln!(
                    o,
                    "      substitutes up to {} after {} at {} per {per}",
                    d(&sub.max, ""),
                    d(&sub.lag, periods),
                    d(&sub.rate, "")
                );
            }
        }
    }

    let _ = writeln!(o, "\nInventories ({})", s.inventories.len());
    for inv in &s.inventories {
        let _ = writeln!(
            o,
            "  {} {}: cover {}; target {}; refill at most {} of demand per {per}",
            s.regions[inv.region].id,
            s.commodities[inv.commodity].id,
            d(&inv.cover, periods),
            d(&inv.target, periods),
            d(&inv.refill_rate, "")
        );
    }

    let _ = writeln!(o, "\nShocks ({})", s.shocks.len());
    for sh in &s.shocks {
        let what = match &sh.kind {
            ShockKind::ExportRestriction {
                exporter,
                commodities,
                targets,
                targets_all,
                ..
            } => {
                let cs: Vec<&str> = commodities
                    .iter()
                    .map(|c| s.commodities[*c].id.as_str())
                    .collect();
                let ts: Vec<&str> = targets.iter().map(|r| s.regions[*r].id.as_str()).collect();
                let to = if *targets_all {
                    "every other region"
                } else {
                    ""
                };
                format!(
                    "export restriction by {} on {} to {to}{}{}",
                    s.regions[*exporter].id,
                    cs.join(", "),
                    if *targets_all { " (" } else { "" },
                    if *targets_all {
                        format!("{})", ts.join(", "))
                    } else {
                        ts.join(", ")
                    }
                )
            }
            ShockKind::ProductionOutage {
                region, commodity, ..
            } => format!(
                "production outage of {} in {}",
                s.commodities[*commodity].id, s.regions[*region].id
            ),
            ShockKind::ReservePurchase {
                region, commodity, ..
            } => format!(
                "reserve purchase of {} in {}",
                s.commodities[*commodity].id, s.regions[*region].id
            ),
            ShockKind::DemandSurge {
                sector_id,
                region,
                sectors,
                ..
            } => {
                let rs: Vec<&str> = sectors
                    .iter()
                    .map(|x| s.regions[s.sectors[*x].region].id.as_str())
                    .collect();
                match region {
                    Some(r) => format!("demand surge for {sector_id} in {}", s.regions[*r].id),
                    None => format!(
                        "demand surge for {sector_id} in every region that has it ({})",
                        rs.join(", ")
                    ),
                }
            }
        };
        let _ = writeln!(o, "  {}: {what}", sh.id);
        let _ = writeln!(o, "    probability: {}", d(&sh.probability, ""));
        let _ = writeln!(o, "    start (period index): {}", d(&sh.start, ""));
        let _ = writeln!(o, "    duration: {}", d(&sh.duration, periods));
        match &sh.kind {
            ShockKind::ExportRestriction {
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
                let of = match basis {
                    RestrictionBasis::Output => "share of the exporter's whole output",
                    RestrictionBasis::Flow => "share of each unrestricted export flow",
                };
                match severity_path {
                    Some(path) => {
                        let _ = writeln!(o, "    blocked share by period from the start ({of}):");
                        for (k, p) in path.iter().enumerate() {
                            let _ = writeln!(o, "      {k}: {}", d(p, ""));
                        }
                    }
                    None => {
                        let _ = writeln!(o, "    severity ({of}): {}", d(severity, ""));
                    }
                }
                let _ = writeln!(o, "    leakage: {}", d(leakage, ""));
                if let Some(a) = announced {
                    let _ = writeln!(o, "    announced (period index): {}", d(a, ""));
                }
                if let Some(c) = precautionary_cover {
                    let _ = writeln!(o, "    precautionary cover buyers add: {}", d(c, periods));
                }
                match (licensing, relief_half_life) {
                    (Some(l), _) => {
                        let _ = writeln!(o, "    licensing: review {}", d(&l.review, periods));
                        let _ = writeln!(
                            o,
                            "      approvals per period (share of the blocked flow): {}",
                            d(&l.approval_rate, "")
                        );
                        let _ = writeln!(
                            o,
                            "      ceiling (most ever approved): {}",
                            d(&l.ceiling, "")
                        );
                    }
                    (None, Some(h)) => {
                        let _ = writeln!(o, "    relief half-life: {}", d(h, periods));
                    }
                    (None, None) => {
                        let _ = writeln!(o, "    hard ban (no relief)");
                    }
                }
            }
            ShockKind::ProductionOutage { severity, .. } => {
                let _ = writeln!(o, "    severity: {}", d(severity, ""));
            }
            ShockKind::DemandSurge { factor, .. } => {
                let _ = writeln!(o, "    demand factor: {}", d(factor, ""));
            }
            ShockKind::ReservePurchase {
                quantity,
                commodity,
                ..
            } => {
                let unit = &s.commodities[*commodity].unit;
                let _ = writeln!(o, "    quantity bought: {}", d(quantity, unit));
            }
        }
        if let Some(src) = &sh.source {
            let _ = writeln!(o, "    source: {src}");
        }
    }

    let _ = writeln!(o, "\nPolicies ({})", s.policies.len());
    for p in &s.policies {
        let line = match &p.kind {
            PolicyKind::Stockpile {
                region,
                commodity,
                initial,
                release_below,
                max_release,
                eligible,
            } => {
                let el: Vec<&str> = eligible.iter().map(|x| s.sectors[*x].id.as_str()).collect();
                format!(
                    "stockpile of {} in {}: holds {} of regional demand; releases while the fill ratio is below {}, at most {} of a {per}'s demand; for {}",
                    s.commodities[*commodity].id,
                    s.regions[*region].id,
                    d(initial, periods),
                    d(release_below, ""),
                    d(max_release, ""),
                    if el.is_empty() {
                        "no sector".to_string()
                    } else {
                        el.join(", ")
                    }
                )
            }
            PolicyKind::CapacityExpansion {
                commodity,
                region,
                capacity,
                lead_time,
                ramp,
                success,
                ..
            } => {
                let unit = &s.commodities[*commodity].unit;
                format!(
                    "capacity expansion of {} in {}: +{} after {}, ramping over {}; succeeds with probability {}",
                    s.commodities[*commodity].id,
                    s.regions[*region].id,
                    d(capacity, &format!("{unit}/year")),
                    d(lead_time, periods),
                    d(ramp, periods),
                    d(success, "")
                )
            }
            PolicyKind::Recycling {
                region,
                commodity,
                share,
                lead_time,
                ramp,
            } => format!(
                "recycling of {} in {}: {} of regional demand after {}, ramping over {}",
                s.commodities[*commodity].id,
                s.regions[*region].id,
                d(share, ""),
                d(lead_time, periods),
                d(ramp, periods)
            ),
            PolicyKind::Substitution {
                sector,
                commodity,
                max,
                lag,
                rate,
            } => format!(
                "substitution for {}/{} away from {}: up to {} after {} at {} per {per}",
                s.regions[s.sectors[*sector].region].id,
                s.sectors[*sector].id,
                s.commodities[*commodity].id,
                d(max, ""),
                d(lag, periods),
                d(rate, "")
            ),
            PolicyKind::Priority { sector, priority } => format!(
                "priority {} for {}/{}",
                priority, s.regions[s.sectors[*sector].region].id, s.sectors[*sector].id
            ),
        };
        let _ = writeln!(o, "  {}: {line}", p.id);
        if let Some(l) = &p.lever {
            let _ = writeln!(o, "    lever: {l}");
        }
        if let Some(c) = &p.cost {
            let _ = writeln!(o, "    cost ({}): {}", c.value.path, d(&c.value, "dollars"));
            if let Some(src) = &c.source {
                let _ = writeln!(o, "    cost source: {src}");
            }
        }
        if let Some(src) = &p.source {
            let _ = writeln!(o, "    source: {src}");
        }
    }
    o
}
