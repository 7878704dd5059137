//! Step 5: trade allocation of one commodity between regions.
//!
//! Flows `x[p][r]` with `sum_r x <= A_p`, `x <= alpha[p][r] A_p`, `sum_p x <= D_r`: among the flows
//! that deliver the most, regional fill ratios are max-min fair (trade diversion undoes a targeted
//! ban exactly as far as unrestricted supply allows); among those, producers' sold shares are
//! max-min fair (pro rata when nothing restricts them). Consumption is served first: the fair
//! fill runs on demand without inventory refill requests, then refill orders (restocking and
//! precautionary buying) share what producers and links have left, so stock-building abroad never
//! takes supply from a buyer's current use. With no restriction on the commodity this period
//! consumption gets `min(1, sum A / sum C)` everywhere and no solver runs.
//!
//! A restriction with `basis = "flow"` (the default) caps `x[p][r] <= alpha * x0[p][r]` instead,
//! with `x0` the pro-rata flow towards consumption in the same period of the trial's baseline
//! (no-shock, no-policy) pass, `S0c * A_p * C_r / sum C`, where `C_r` is the region's demand
//! without inventory refill requests and `S0c = min(1, sum C / sum A)`: a quota is a share of what
//! would have been shipped, so restocking does not loosen it and new supply elsewhere does not
//! shrink it (see docs/model.md). Under a licensing regime the
//! base is every order including refill requests, `S0 * A_p * D_r / sum D`: licences serve the
//! orders that waited.

use super::Workspace;
use crate::model::{LinkBasis, Model};

/// Commodity `c`'s column of a per-cell array (`x = r * n_commodities + c`), region by region.
fn column(v: &[f64], c: usize, nc: usize) -> impl Iterator<Item = &f64> {
    v.chunks_exact(nc).map(move |row| &row[c])
}

fn column_mut(v: &mut [f64], c: usize, nc: usize) -> impl Iterator<Item = &mut f64> {
    v.chunks_exact_mut(nc).map(move |row| &mut row[c])
}

pub fn allocate(m: &Model, ws: &mut Workspace, c: usize, t: usize) {
    let nr = m.n_regions;
    let nc = m.n_commodities;
    let prods = &m.producer_list[m.producers_of[c].clone()];
    let sum_a: f64 = prods.iter().map(|&p| ws.avail[p]).sum();
    let mut sum_d = 0.0;
    for &d in column(&ws.demand, c, nc) {
        sum_d += d;
    }
    // Producers' sold share of the whole market, the base of orders-basis caps.
    let s0 = if sum_a > 0.0 {
        (sum_d / sum_a).min(1.0)
    } else {
        1.0
    };
    if ws.baseline {
        baseline_flows(m, ws, c, t, sum_a);
    }
    let one_market = !ws.restricted[c] || sum_a <= 0.0 || sum_d <= 0.0;
    // Both passes record flows: the baseline pass's are the flow charts' level without controls.
    // Every producer's row is written below when one market has supply; otherwise start at 0.
    if !(one_market && sum_a > 0.0) {
        for &p in prods {
            ws.flow[p * nr..(p + 1) * nr].fill(0.0);
            ws.sold[p] = 0.0;
        }
    }
    // Disjoint borrows held locally: their addresses stay in registers across the stores.
    let Workspace {
        avail,
        made,
        sold,
        flow,
        alpha,
        link_basis,
        demand,
        refill_req,
        arrivals,
        fill,
        base_x0,
        col,
        alloc_net: net,
        ..
    } = &mut *ws;
    if one_market {
        // One market: consumption is filled at one ratio, then refill orders share what is
        // left; producers sell output pro rata, then stocks pro rata for the rest.
        let mut sum_r = 0.0;
        for &q in column(refill_req, c, nc) {
            sum_r += q;
        }
        let sum_c = sum_d - sum_r;
        let fc = if sum_c > 0.0 {
            (sum_a / sum_c).min(1.0)
        } else {
            1.0
        };
        let left = (sum_a - fc * sum_c).max(0.0);
        let fr = if sum_r > 0.0 {
            (left / sum_r).min(1.0)
        } else {
            1.0
        };
        // This commodity's column of arrivals, kept contiguous for the flows below.
        let col = &mut col[..nr];
        for ((((arr, &demand), &refill), arrival), fill) in col
            .iter_mut()
            .zip(column(demand, c, nc))
            .zip(column(refill_req, c, nc))
            .zip(column_mut(arrivals, c, nc))
            .zip(column_mut(fill, c, nc))
        {
            let a = fc * (demand - refill) + fr * refill;
            *arr = a;
            *arrival = a;
            *fill = if demand > 0.0 { a / demand } else { 1.0 };
        }
        if sum_a > 0.0 {
            // Producers sell this period's output pro rata first; finished-goods stocks are
            // drawn, pro rata, only for what output cannot cover.
            let total: f64 = col.iter().sum();
            let sum_made: f64 = prods.iter().map(|&p| made[p]).sum();
            let sum_fg = sum_a - sum_made;
            let from_made = if sum_made > 0.0 {
                (total / sum_made).min(1.0)
            } else {
                0.0
            };
            let rest = (total - from_made * sum_made).max(0.0);
            let from_fg = if sum_fg > 0.0 {
                (rest / sum_fg).min(1.0)
            } else {
                0.0
            };
            for &p in prods {
                let s = from_made * made[p] + from_fg * (avail[p] - made[p]);
                sold[p] = s;
                let share = if total > 0.0 { s / total } else { 0.0 };
                for (f, &a) in flow[p * nr..(p + 1) * nr].iter_mut().zip(col.iter()) {
                    *f = share * a;
                }
            }
        }
        sold_shares(m, ws, c);
        return;
    }

    // The most producer `p` may ship to region `r` this period (the same in both stages).
    let np = m.producers.len();
    let link_cap = |p: usize, r: usize| {
        let k = p * nr + r;
        match link_basis[k] {
            LinkBasis::Output => alpha[k] * avail[p],
            LinkBasis::Flow => alpha[k] * base_x0[(t * np + p) * nr + r],
            LinkBasis::Orders => alpha[k] * avail[p] * s0 * demand[m.rc(r, c)] / sum_d,
        }
    };

    // The network: producers with output x regions with demand (`network.rs` pools the
    // producers no cap binds and runs both stages).
    let mut k = 0;
    for &p in prods {
        if avail[p] > 0.0 {
            net.avail[k] = avail[p];
            k += 1;
        }
    }
    let mut n = 0;
    for (&d, &q) in column(demand, c, nc).zip(column(refill_req, c, nc)) {
        if d > 0.0 {
            // Consumption first; refill orders then share what producers and links have left.
            net.cons[n] = (d - q).max(0.0);
            net.refill[n] = q;
            n += 1;
        }
    }
    let mut q = 0;
    for &p in prods {
        if avail[p] <= 0.0 {
            continue;
        }
        let mut j = 0;
        for (r, &d) in column(demand, c, nc).enumerate() {
            if d > 0.0 {
                net.cap[q * n + j] = link_cap(p, r);
                j += 1;
            }
        }
        q += 1;
    }
    net.solve(k, n, true);
    let mut q = 0;
    for &p in prods {
        if avail[p] <= 0.0 {
            continue;
        }
        let mut j = 0;
        for (&d, f) in column(demand, c, nc).zip(flow[p * nr..(p + 1) * nr].iter_mut()) {
            if d > 0.0 {
                *f = net.flow[q * n + j];
                j += 1;
            }
        }
        sold[p] = net.sold[q];
        q += 1;
    }
    // Each region receives its stage-1 total (the flows split it among producers; summing them
    // back would add rounding, e.g. a shortfall of 1e-17 where every tonne is covered).
    let mut j = 0;
    for ((&d, arrival), fill) in column(demand, c, nc)
        .zip(column_mut(arrivals, c, nc))
        .zip(column_mut(fill, c, nc))
    {
        *arrival = 0.0;
        *fill = 1.0;
        if d > 0.0 {
            let got = net.arrivals[j];
            *arrival = got;
            *fill = (got / d).min(1.0);
            j += 1;
        }
    }
    sold_shares(m, ws, c);
}

/// Baseline pass: the pro-rata flow of each producer towards each region's consumption (demand
/// without refill requests), `S0c A_p C_r / sum C` with `S0c = min(1, sum C / sum A)`.
fn baseline_flows(m: &Model, ws: &mut Workspace, c: usize, t: usize, sum_a: f64) {
    let prods = &m.producer_list[m.producers_of[c].clone()];
    if !prods.iter().any(|&p| ws.needs_x0[p]) {
        // Nothing to write (and `col` is only scratch).
        return;
    }
    let nr = m.n_regions;
    let nc = m.n_commodities;
    let np = m.producers.len();
    let col = &mut ws.col[..nr];
    let mut sum_c = 0.0;
    for ((cr, &d), &q) in
        col.iter_mut()
            .zip(column(&ws.demand, c, nc))
            .zip(column(&ws.refill_req, c, nc))
    {
        *cr = (d - q).max(0.0);
        sum_c += *cr;
    }
    let s0c = if sum_a > 0.0 {
        (sum_c / sum_a).min(1.0)
    } else {
        0.0
    };
    for &p in prods {
        if !ws.needs_x0[p] {
            // Never read: only flow-basis links of restricted producers use `base_x0`.
            continue;
        }
        let row = &mut ws.base_x0[(t * np + p) * nr..(t * np + p + 1) * nr];
        if sum_c > 0.0 {
            let sa = s0c * ws.avail[p];
            for (x0, &cr) in row.iter_mut().zip(col.iter()) {
                *x0 = sa * cr / sum_c;
            }
        } else {
            row.fill(0.0);
        }
    }
}

/// Sold share `sum sold / sum available` of each region's producers of `c` (NaN where the region
/// has no producer with output): the sellers' side of the price index.
fn sold_shares(m: &Model, ws: &mut Workspace, c: usize) {
    let nr = m.n_regions;
    let (a, s) = ws.reg_sums.split_at_mut(nr);
    let s = &mut s[..nr];
    a.fill(0.0);
    s.fill(0.0);
    // Each region's sums run over its producers in list order, as a per-region loop would.
    for &p in &m.producer_list[m.producers_of[c].clone()] {
        let r = m.producers[p].region;
        a[r] += ws.avail[p];
        s[r] += ws.sold[p];
    }
    for ((share, &a), &s) in column_mut(&mut ws.sold_share, c, m.n_commodities)
        .zip(a.iter())
        .zip(s.iter())
    {
        *share = if a > 0.0 { s / a } else { f64::NAN };
    }
}
