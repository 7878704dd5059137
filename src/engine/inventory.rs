//! Inventories and strategic stockpiles. Commercial inventory covers any buyer's shortfall (not
//! refill requests) by tier; then each stockpile of the cell releases, while the region's fill
//! ratio from trade is below its trigger, at most `max_release` x reference demand per period, to
//! its eligible sectors by tier. Stockpiles are not refilled within the horizon. Inventory changes
//! (draws, refills, unused inputs returned) take effect at the end of the period.

use super::Workspace;
use super::distribution::fill_by_tier;
use crate::model::{Buyer, Model};

/// Opening stocks of a trial.
pub fn start(m: &Model, ws: &mut Workspace) {
    ws.inv.fill(0.0);
    ws.inv_target.fill(0.0);
    ws.refill_cap.fill(0.0);
    for inv in &m.inventories {
        let v = &ws.vals;
        let d = ws.dref[inv.rc];
        ws.inv[inv.rc] = v[inv.cover as usize].max(0.0) * d;
        ws.inv_target[inv.rc] = v[inv.target as usize].max(0.0) * d;
        ws.refill_cap[inv.rc] = v[inv.refill_rate as usize].max(0.0) * d;
    }
    ws.group_initial.fill(0.0);
    for (k, sp) in m.stockpiles.iter().enumerate() {
        // Strategic stockpiles are policies: the baseline pass has none.
        let s = if ws.baseline {
            0.0
        } else {
            ws.vals[sp.initial as usize].max(0.0) * ws.dref[sp.rc]
        };
        ws.stock[k] = s;
        ws.group_initial[sp.group] += s;
    }
    ws.empty_at.fill(m.horizon);
}

/// Covers shortfalls of cell `x` from inventory, then stockpiles (`ws.got` holds the buyers'
/// deliveries so far).
pub fn cover_shortfalls(m: &Model, ws: &mut Workspace, x: usize) {
    let range = m.buyers_of[x].clone();
    let buyers = &m.buyers[range.clone()];
    let req = &ws.req[range.clone()];
    let got = &mut ws.got[range.clone()];
    ws.inv_draw[x] = fill_by_tier(buyers, req, got, ws.inv[x].max(0.0), |b| {
        !matches!(b, Buyer::Refill)
    });
    if !ws.has_stockpile[x] {
        return;
    }
    for (k, sp) in m.stockpiles.iter().enumerate() {
        if sp.rc != x || ws.stock[k] <= 0.0 {
            continue;
        }
        if ws.fill[x] >= ws.vals[sp.release_below as usize] {
            continue;
        }
        let cap = ws.stock[k].min(ws.vals[sp.max_release as usize].max(0.0) * ws.dref[x]);
        let rel = fill_by_tier(buyers, req, got, cap, |b| match b {
            Buyer::Sector(i) => sp.eligible[m.sector_inputs[i].sector],
            _ => false,
        });
        ws.stock[k] -= rel;
        ws.stock_release[x] += rel;
    }
}

/// End of period: inventories take draws, refills and returned inputs; stockpiles that ran dry
/// record the period; unmet demand is remembered for next period's utilisation.
pub fn close_period(m: &Model, ws: &mut Workspace, t: usize) {
    for x in 0..ws.inv.len() {
        ws.inv[x] = (ws.inv[x] - ws.inv_draw[x] + ws.refilled[x] + ws.returned[x]).max(0.0);
        ws.unmet_prev[x] = ws.unmet[x] > 1e-9 * (ws.sect_need[x] + ws.prod_need[x]);
        ws.unmet_sum[x] += ws.unmet[x];
    }
    for g in 0..m.stockpile_groups.len() {
        if ws.empty_at[g] < m.horizon {
            continue;
        }
        let mut left = 0.0;
        for (k, sp) in m.stockpiles.iter().enumerate() {
            if sp.group == g {
                left += ws.stock[k];
            }
        }
        if left <= 1e-9 * ws.group_initial[g] {
            ws.empty_at[g] = t;
        }
    }
}
