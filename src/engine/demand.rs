//! Step 3: each region's demand for each commodity: sectors' demand (times surge, less what they
//! substitute away, less what a price response gives up), producers' input needs for their planned
//! output less the inputs they still hold from earlier periods, and an inventory refill
//! request. Recycling meets a share of the sectors' and producers' demand first, then any stock
//! above the buyers' own level (`surplus`); the rest, plus state reserves' orders and the refill
//! request, is the region's market demand.

use super::Workspace;
use super::capacity::ramp_share;
use super::inventory::TRANCHES;
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
                let (p, e) = (price[cells[i]], vals[e as usize]);
                // Below 1 with a positive elasticity the power is at least 1, so the cap gives
                // exactly 1: no call needed.
                if p == 1.0 || (p < 1.0 && e > 0.0) {
                    1.0
                } else {
                    p.powf(-e).min(1.0)
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
        // A raised target can lapse and leave stock above the buyers' level.
        ws.surplus_on |= ws.prec_target[x] > 0.0;
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
    if ws.surplus_on {
        surplus(m, ws);
    }
    for (
        (((((((&sect, &prod), &share), recycled), need_sum), &refill), &reserve), (surplus, draw)),
        demand,
    ) in ws
        .sect_need
        .iter()
        .zip(&ws.prod_need)
        .zip(&ws.recycle_share)
        .zip(ws.recycled.iter_mut())
        .zip(ws.need_sum.iter_mut())
        .zip(&ws.refill_req)
        .zip(&ws.reserve_need)
        .zip(ws.surplus.iter_mut().zip(ws.inv_draw.iter_mut()))
        .zip(ws.demand.iter_mut())
    {
        let buyers = sect + prod;
        let rec = share.min(1.0) * buyers;
        *recycled = rec;
        *need_sum += buyers;
        // Stock above the buyers' own level is used before anything is ordered: it joins the
        // cell's supply (`distribution`) as a draw on the stock.
        let used = surplus.min((buyers - rec).max(0.0));
        *surplus = used;
        *draw = used;
        *demand = (buyers - rec - used).max(0.0) + reserve + refill;
    }
    if !ws.surplus_on {
        return;
    }
    // A group of firms uses its surplus in the same proportion as its cell.
    let groups = ws.tr_draw.chunks_exact_mut(TRANCHES);
    let dispersed = m.inventories.iter().filter(|i| i.dispersion.is_some());
    for (k, (mi, e)) in dispersed.zip(groups).enumerate() {
        let x = mi.rc;
        let all: f64 = e.iter().sum();
        if ws.tranche_of[x] == k && all > ws.surplus[x] {
            let f = ws.surplus[x] / all;
            for ej in e {
                *ej *= f;
            }
        }
    }
}

/// Each cell's stock above the level its buyers hold by choice, the larger of their opening
/// stock and their (precautionary) target: stock that sectors returned unused (step 8) or that a
/// lapsed precautionary target left behind. Buyers use it before they order, so a sector that
/// another input holds back does not keep buying the inputs it cannot use while they pile up.
/// A cell held by groups of firms sums its groups' surpluses, written as the groups' draws
/// (`tr_draw`, zero since the last close).
fn surplus(m: &Model, ws: &mut Workspace) {
    for ((((s, &inv), &open), &target), &prec) in ws
        .surplus
        .iter_mut()
        .zip(&ws.inv)
        .zip(&ws.inv_open)
        .zip(&ws.inv_target)
        .zip(&ws.prec_target)
    {
        *s = (inv - open.max(target + prec)).max(0.0);
    }
    let groups = ws
        .tr_stock
        .chunks_exact(TRANCHES)
        .zip(ws.tr_open.chunks_exact(TRANCHES))
        .zip(ws.tr_w.chunks_exact(TRANCHES))
        .zip(ws.tr_draw.chunks_exact_mut(TRANCHES));
    let dispersed = m.inventories.iter().filter(|i| i.dispersion.is_some());
    for (k, (mi, (((stock, open), w), e))) in dispersed.zip(groups).enumerate() {
        let x = mi.rc;
        // Numbered as in `inventory::close_period`.
        if ws.tranche_of[x] != k {
            continue;
        }
        let target = ws.inv_target[x] + ws.prec_target[x];
        let mut all = 0.0;
        for j in 0..TRANCHES {
            e[j] = (stock[j] - open[j].max(target * w[j])).max(0.0);
            all += e[j];
        }
        ws.surplus[x] = all;
    }
}
