//! Price-driven entry (MODEL.md v2 sections 4.2 and 4.10). While a commodity's outside price
//! index (the reference-demand-weighted mean over regions that do not restrict it) is at or
//! above its `threshold`, producers outside the restricting regions commit `growth` x the
//! baseline world market per year of new capacity, until `max` x market is committed. Capacity
//! committed at the end of period `t` produces from period `t + max(lead_time, 1)`, shared among
//! those producers in proportion to their base capacity. Only in trials where entry succeeds;
//! never in the baseline pass.

use super::Workspace;
use crate::model::Model;

/// Per-trial state: the world market and each producer's share of its commodity's entry.
pub fn start(m: &Model, ws: &mut Workspace) {
    ws.entry_commit.fill(0.0);
    ws.entry_total.fill(0.0);
    ws.entry_online.fill(0.0);
    ws.entry_share.fill(0.0);
    for (c, e) in m.entry.iter().enumerate() {
        let Some(e) = e else { continue };
        ws.market[c] = (0..m.n_regions).map(|r| ws.dref[m.rc(r, c)]).sum();
        let total: f64 = e.producers.iter().map(|&p| ws.cap0[p]).sum();
        let n = e.producers.len() as f64;
        for &p in &e.producers {
            ws.entry_share[p] = if total > 0.0 {
                ws.cap0[p] / total
            } else {
                1.0 / n
            };
        }
    }
}

/// Adds the entry capacity online in period `t` to its producers (called by `capacity`).
pub fn add_capacity(m: &Model, ws: &mut Workspace, t: usize) {
    let h = m.horizon;
    for (c, e) in m.entry.iter().enumerate() {
        let Some(e) = e else { continue };
        let lead = ws.vals[e.lead_time as usize].max(1.0) as usize;
        if t >= lead {
            ws.entry_online[c] += ws.entry_commit[c * h + t - lead];
        }
        if ws.entry_online[c] > 0.0 {
            for &p in &e.producers {
                ws.capacity[p] += ws.entry_online[c] * ws.entry_share[p];
            }
        }
    }
}

/// The commodity's outside price signal this period (1 where no region counts).
pub fn signal(m: &Model, ws: &Workspace, c: usize) -> f64 {
    let (mut w, mut s) = (0.0, 0.0);
    for r in 0..m.n_regions {
        let x = m.rc(r, c);
        if m.outside[x] && ws.dref[x] > 0.0 {
            w += ws.dref[x];
            s += ws.dref[x] * ws.price[x];
        }
    }
    if w > 0.0 { s / w } else { 1.0 }
}

/// End of period `t`: commitments from this period's prices.
pub fn update(m: &Model, ws: &mut Workspace, t: usize) {
    let h = m.horizon;
    let ppy = m.periods_per_year;
    for (c, e) in m.entry.iter().enumerate() {
        let Some(e) = e else { continue };
        let v = &ws.vals;
        if v[e.succeeds as usize] < 0.5 || e.producers.is_empty() {
            continue;
        }
        if signal(m, ws, c) < v[e.threshold as usize] {
            continue;
        }
        let room = (v[e.max as usize] * ws.market[c] - ws.entry_total[c]).max(0.0);
        let commit = (v[e.growth as usize] * ws.market[c] / ppy).min(room);
        ws.entry_commit[c * h + t] = commit;
        ws.entry_total[c] += commit;
    }
}
