//! Step 3: each region's demand for each commodity: sectors' demand (times surge, less what they
//! substitute away, less what a price response gives up), producers' input needs for their planned
//! output less the inputs they still hold from earlier periods, and an inventory refill
//! request. Recycling meets a share of the sectors' and producers' demand first; the rest, plus
//! state reserves' orders and the refill request, is the region's market demand.

use super::Workspace;
use super::capacity::ramp_share;
use crate::model::Model;

pub fn compute(m: &Model, ws: &mut Workspace, t: usize) {
    // `refilled`, `delivered` and `unmet` need no reset: distribution writes them in every cell
    // that has buyers (a refill request), and the other cells keep the workspace's zeros.
    for a in [
        &mut ws.sect_need,
        &mut ws.prod_need,
        &mut ws.recycle_share,
        &mut ws.inv_draw,
        &mut ws.stock_release,
        &mut ws.returned,
    ] {
        a.fill(0.0);
    }
    let Workspace {
        price,
        vals,
        si_cell,
        base_demand,
        gross,
        price_mult,
        net: nets,
        sub,
        surge,
        sect_need,
        need_prod,
        prod_need,
        planned,
        held_in,
        dist_plan,
        req,
        ..
    } = &mut *ws;
    let n = m.sector_inputs.len();
    let (cells, base, sub) = (&si_cell[..n], &base_demand[..n], &sub[..n]);
    let (gross, price_mult, nets) = (&mut gross[..n], &mut price_mult[..n], &mut nets[..n]);
    let slots = &dist_plan.slot_of_input[..n];
    for (i, si) in m.sector_inputs.iter().enumerate() {
        let g = base[i] * surge[si.sector];
        gross[i] = g;
        // Price response (v2): last period's index of the sector's region.
        let mult = match si.price_elasticity {
            Some(e) => {
                let p = price[cells[i]];
                if p == 1.0 {
                    1.0
                } else {
                    p.powf(-vals[e as usize]).min(1.0)
                }
            }
            None => 1.0,
        };
        price_mult[i] = mult;
        let net = g * (1.0 - sub[i]) * mult;
        nets[i] = net;
        req[slots[i] as usize] = net;
        sect_need[cells[i]] += net;
    }
    for (((it, need_out), &slot), &held) in m
        .recipe
        .iter()
        .zip(need_prod.iter_mut())
        .zip(&dist_plan.slot_of_line)
        .zip(held_in.iter())
    {
        let pr = &m.producers[it.producer];
        // Inputs left over from last period are used first: a producer orders only the rest.
        let need = (vals[it.coef as usize] * planned[it.producer] - held).max(0.0);
        *need_out = need;
        req[slot as usize] = need;
        prod_need[m.rc(pr.region, it.commodity)] += need;
    }
    let vals = &ws.vals;
    for rec in &m.recycling {
        if ws.baseline {
            break;
        }
        let s = vals[rec.share as usize]
            * ramp_share(t, vals[rec.lead_time as usize], vals[rec.ramp as usize]);
        ws.recycle_share[rec.rc] += s.max(0.0);
    }
    // Refill requests first, so one pass over the cells can finish them (the requests read only
    // stocks and targets).
    for inv in &m.inventories {
        let x = inv.rc;
        // Precautionary cover (v2) raises the target and may order faster.
        let target = ws.inv_target[x] + ws.prec_target[x];
        let cap = ws.refill_cap[x].max(ws.prec_cap[x]);
        let q = if ws.inv[x] < target {
            (target - ws.inv[x]).min(cap)
        } else {
            0.0
        };
        ws.refill_req[x] = q;
        // The distribution step's request slot (every inventory's cell has one).
        ws.req[ws.dist_plan.slot_of_refill[x] as usize] = q;
    }
    // State reserves' orders (`shocks::apply`) into their distribution slots.
    for (&s, &slot) in m.reserves.iter().zip(&ws.dist_plan.slot_of_reserve) {
        ws.req[slot as usize] = ws.reserve_req[s];
    }
    for (((((((&sect, &prod), &share), recycled), need_sum), &refill), &reserve), demand) in ws
        .sect_need
        .iter()
        .zip(&ws.prod_need)
        .zip(&ws.recycle_share)
        .zip(ws.recycled.iter_mut())
        .zip(ws.need_sum.iter_mut())
        .zip(&ws.refill_req)
        .zip(&ws.reserve_need)
        .zip(ws.demand.iter_mut())
    {
        let buyers = sect + prod;
        let rec = share.min(1.0) * buyers;
        *recycled = rec;
        *need_sum += buyers;
        *demand = (buyers - rec).max(0.0) + reserve + refill;
    }
}
