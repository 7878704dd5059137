//! Step 3: each region's demand for each commodity: sectors' demand (times surge, less what they
//! substitute away, less what a price response gives up), producers' input needs for their planned output, and an inventory refill
//! request. Recycling meets a share of the sectors' and producers' demand first; the rest, plus
//! state reserves' orders and the refill request, is the region's market demand.

use super::Workspace;
use super::capacity::ramp_share;
use crate::model::Model;

pub fn compute(m: &Model, ws: &mut Workspace, t: usize) {
    for a in [
        &mut ws.sect_need,
        &mut ws.prod_need,
        &mut ws.recycle_share,
        &mut ws.inv_draw,
        &mut ws.stock_release,
        &mut ws.refilled,
        &mut ws.reserved,
        &mut ws.returned,
        &mut ws.delivered,
        &mut ws.unmet,
    ] {
        a.fill(0.0);
    }
    for (i, si) in m.sector_inputs.iter().enumerate() {
        let g = ws.base_demand[i] * ws.surge[si.sector];
        ws.gross[i] = g;
        // Price response (v2): last period's index of the sector's region.
        let mult = match si.price_elasticity {
            Some(e) => {
                let p = ws.price[ws.si_cell[i]];
                if p == 1.0 {
                    1.0
                } else {
                    p.powf(-ws.vals[e as usize]).min(1.0)
                }
            }
            None => 1.0,
        };
        ws.price_mult[i] = mult;
        ws.net[i] = g * (1.0 - ws.sub[i]) * mult;
        ws.sect_need[ws.si_cell[i]] += ws.net[i];
    }
    for (k, it) in m.recipe.iter().enumerate() {
        let pr = &m.producers[it.producer];
        let need = ws.vals[it.coef as usize] * ws.planned[it.producer];
        ws.need_prod[k] = need;
        ws.prod_need[m.rc(pr.region, it.commodity)] += need;
    }
    for rec in &m.recycling {
        let v = &ws.vals;
        if ws.baseline {
            break;
        }
        let s =
            v[rec.share as usize] * ramp_share(t, v[rec.lead_time as usize], v[rec.ramp as usize]);
        ws.recycle_share[rec.rc] += s.max(0.0);
    }
    for x in 0..ws.demand.len() {
        let buyers = ws.sect_need[x] + ws.prod_need[x];
        ws.recycled[x] = ws.recycle_share[x].min(1.0) * buyers;
        ws.need_sum[x] += buyers;
    }
    for inv in &m.inventories {
        let x = inv.rc;
        // Precautionary cover (v2) raises the target and may order faster.
        let target = ws.inv_target[x] + ws.prec_target[x];
        let cap = ws.refill_cap[x].max(ws.prec_cap[x]);
        ws.refill_req[x] = if ws.inv[x] < target {
            (target - ws.inv[x]).min(cap)
        } else {
            0.0
        };
    }
    for x in 0..ws.demand.len() {
        let buyers = ws.sect_need[x] + ws.prod_need[x];
        ws.demand[x] = (buyers - ws.recycled[x]).max(0.0) + ws.reserve_need[x] + ws.refill_req[x];
    }
}
