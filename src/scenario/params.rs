//! Every parameter of a validated scenario, in a stable order (world, then shocks, then
//! policies), for counting and listing sampled values.

use super::types::{Param, PolicyKind, Scenario, ShockKind};

pub fn all(s: &Scenario) -> Vec<&Param> {
    let mut out: Vec<&Param> = Vec::new();
    for c in &s.commodities {
        out.extend([&c.price, &c.elasticity, &c.max_price_multiple]);
        out.extend([
            &c.availability_elasticity,
            &c.supply_elasticity,
            &c.price_adjustment,
        ]);
        if let Some(e) = &c.entry {
            out.extend([&e.threshold, &e.lead_time, &e.growth, &e.max, &e.success]);
        }
    }
    for p in &s.producers {
        out.extend([
            &p.capacity,
            &p.utilization,
            &p.max_utilization,
            &p.ramp,
            &p.stock,
        ]);
        out.extend(p.inputs.iter().map(|(_, q)| q));
    }
    for sec in &s.sectors {
        out.push(&sec.value_added);
        out.extend(&sec.indirect_multiplier);
        for i in &sec.inputs {
            out.extend([&i.demand, &i.weight]);
            out.extend(&i.price_elasticity);
            if let Some(sub) = &i.substitution {
                out.extend([&sub.max, &sub.lag, &sub.rate]);
            }
        }
    }
    for inv in &s.inventories {
        out.extend([&inv.cover, &inv.target, &inv.refill_rate]);
        out.extend(&inv.dispersion);
    }
    for sh in &s.shocks {
        out.extend([&sh.start, &sh.duration, &sh.probability]);
        match &sh.kind {
            ShockKind::ExportRestriction {
                severity,
                leakage,
                relief_half_life,
                announced,
                precautionary_cover,
                licensing,
                severity_path,
                ..
            } => {
                out.extend([severity, leakage]);
                out.extend(relief_half_life);
                out.extend(announced);
                out.extend(precautionary_cover);
                if let Some(l) = licensing {
                    out.extend([&l.review, &l.approval_rate, &l.ceiling]);
                }
                out.extend(severity_path.iter().flatten());
            }
            ShockKind::ProductionOutage { severity, .. } => out.push(severity),
            ShockKind::DemandSurge { factor, .. } => out.push(factor),
            ShockKind::ReservePurchase { quantity, .. } => out.push(quantity),
        }
    }
    for p in &s.policies {
        match &p.kind {
            PolicyKind::Stockpile {
                initial,
                release_below,
                max_release,
                ..
            } => out.extend([initial, release_below, max_release]),
            PolicyKind::CapacityExpansion {
                capacity,
                lead_time,
                ramp,
                success,
                inputs,
                ..
            } => {
                out.extend([capacity, lead_time, ramp, success]);
                out.extend(inputs.iter().map(|(_, q)| q));
            }
            PolicyKind::Recycling {
                share,
                lead_time,
                ramp,
                ..
            } => out.extend([share, lead_time, ramp]),
            PolicyKind::Substitution { max, lag, rate, .. } => out.extend([max, lag, rate]),
            PolicyKind::Priority { .. } => {}
        }
    }
    out
}
