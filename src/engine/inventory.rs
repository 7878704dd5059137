//! Inventories and strategic stockpiles. Commercial inventory covers any buyer's shortfall (not
//! refill requests) by tier, after the stock above its opening level that the buyers use before
//! ordering (`demand::compute`, drawn as part of the cell's supply); then each stockpile of the cell releases, while the region's fill
//! ratio from trade is below its trigger, at most `max_release` x reference demand per period, to
//! its eligible sectors by tier. Stockpiles are not refilled within the horizon. Inventory changes
//! (draws, refills, unused inputs returned) take effect at the end of the period.
//!
//! An inventory with a `dispersion` is held by `TRANCHES` groups of firms of equal demand whose
//! covers sit at the quantiles of a lognormal with the cell's mean cover: each group covers only
//! its own share of the shortfall, so the thinnest stocks run dry first and a partial stop can
//! appear while the cell as a whole still holds stock (docs/model.md section 6).

use super::Workspace;
use super::distribution::{consumes, fill_by_tier};
use crate::model::{Buyer, Model};

/// Groups of firms an inventory with a `dispersion` is split into (quintiles of demand).
pub const TRANCHES: usize = 5;

/// Standard normal quantiles at the quintiles' midpoints (0.1, 0.3, 0.5, 0.7, 0.9).
const Z: [f64; TRANCHES] = [
    -1.281_551_565_544_6,
    -0.524_400_512_708_0,
    0.0,
    0.524_400_512_708_0,
    1.281_551_565_544_6,
];

/// Each group's cover relative to the cell's mean cover, for a coefficient of variation `cv`
/// across firms: lognormal quantiles `exp(sigma z_j)`, `sigma^2 = ln(1 + cv^2)`, scaled so their
/// mean is exactly 1 (the cell holds what it would hold pooled).
pub fn cover_multiples(cv: f64) -> [f64; TRANCHES] {
    let sigma = (1.0 + cv.max(0.0).powi(2)).ln().sqrt();
    let mut q = Z.map(|z| (sigma * z).exp());
    let mean = q.iter().sum::<f64>() / TRANCHES as f64;
    for x in &mut q {
        *x /= mean;
    }
    q
}

/// Opening stocks of a trial.
pub fn start(m: &Model, ws: &mut Workspace) {
    ws.inv.fill(0.0);
    ws.inv_open.fill(0.0);
    ws.inv_target.fill(0.0);
    ws.refill_cap.fill(0.0);
    for inv in &m.inventories {
        let v = &ws.vals;
        let d = ws.dref[inv.rc];
        ws.inv[inv.rc] = v[inv.cover as usize].max(0.0) * d;
        ws.inv_open[inv.rc] = ws.inv[inv.rc];
        ws.inv_target[inv.rc] = v[inv.target as usize].max(0.0) * d;
        ws.refill_cap[inv.rc] = v[inv.refill_rate as usize].max(0.0) * d;
        if let Some(px) = inv.dispersion {
            let k = ws.tranche_of[inv.rc];
            let q = cover_multiples(v[px as usize]);
            for (j, qj) in q.iter().enumerate() {
                // A group's share of the cell's stock (and of its target).
                ws.tr_w[k * TRANCHES + j] = qj / TRANCHES as f64;
                ws.tr_stock[k * TRANCHES + j] = ws.inv[inv.rc] * qj / TRANCHES as f64;
            }
            let g = k * TRANCHES..(k + 1) * TRANCHES;
            ws.tr_open[g.clone()].copy_from_slice(&ws.tr_stock[g]);
        }
    }
    ws.tr_draw.fill(0.0);
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
    let k = ws.tranche_of[x];
    // The stock above the buyers' level was already drawn into the cell's supply
    // (`demand::compute`); what is left of the stock covers the shortfalls.
    let draw_cap = if k == usize::MAX {
        (ws.inv[x] - ws.inv_draw[x]).max(0.0)
    } else {
        // Each group of firms covers its own equal share of the shortfall from its own stock.
        let short: f64 = buyers
            .iter()
            .zip(req.iter().zip(got.iter()))
            .filter(|((b, _), _)| consumes(*b))
            .map(|(_, (&r, &g))| (r - g).max(0.0))
            .sum();
        let each = short / TRANCHES as f64;
        let g = k * TRANCHES..(k + 1) * TRANCHES;
        let tr = &mut ws.tr_draw[g.clone()];
        let mut cap = 0.0;
        for (dj, &sj) in tr.iter_mut().zip(&ws.tr_stock[g]) {
            let d = (sj - *dj).max(0.0).min(each);
            *dj += d;
            cap += d;
        }
        cap
    };
    ws.inv_draw[x] += fill_by_tier(buyers, req, got, draw_cap, consumes);
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
    // Straight-line passes over every cell (the compiler vectorises them). A cell held in groups
    // gets the pooled value here and its groups' total below: the pooled formula reads nothing
    // the groups' close does, so the result is the same as choosing per cell.
    for (((inv, &draw), &refilled), &returned) in ws
        .inv
        .iter_mut()
        .zip(&ws.inv_draw)
        .zip(&ws.refilled)
        .zip(&ws.returned)
    {
        *inv = (*inv - draw + refilled + returned).max(0.0);
    }
    let Workspace {
        inv,
        tranche_of,
        tr_w,
        tr_stock,
        tr_draw,
        inv_target,
        prec_target,
        returned,
        refilled,
        ..
    } = &mut *ws;
    let groups = tr_w
        .chunks_exact(TRANCHES)
        .zip(tr_stock.chunks_exact_mut(TRANCHES))
        .zip(tr_draw.chunks_exact_mut(TRANCHES));
    let dispersed = m.inventories.iter().filter(|i| i.dispersion.is_some());
    for (k, (mi, ((w, stock), draw))) in dispersed.zip(groups).enumerate() {
        let x = mi.rc;
        // `Workspace::new` numbers the dispersed inventories in this order; a cell listed twice
        // keeps its last number, as the per-cell lookup did.
        if tranche_of[x] == k {
            let target = inv_target[x] + prec_target[x];
            inv[x] = close_tranches(w, stock, draw, target, returned[x], refilled[x]);
        }
    }
    for (((prev, &unmet), &sect), &prod) in ws
        .unmet_prev
        .iter_mut()
        .zip(&ws.unmet)
        .zip(&ws.sect_need)
        .zip(&ws.prod_need)
    {
        *prev = unmet > 1e-9 * (sect + prod);
    }
    for (sum, &unmet) in ws.unmet_sum.iter_mut().zip(&ws.unmet) {
        *sum += unmet;
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

/// End of period for an inventory held in groups: each group takes its own draw, an equal share
/// of the returned inputs, and the refill in proportion to how far it sits below its own share
/// of the target (in proportion to its share when none is below). Returns the cell's stock.
fn close_tranches(
    w: &[f64],
    stock: &mut [f64],
    draw: &mut [f64],
    target: f64,
    returned: f64,
    refilled: f64,
) -> f64 {
    // Fixed-size views: no bounds checks in the loops below.
    let w: &[f64; TRANCHES] = w.try_into().expect("TRANCHES groups");
    let stock: &mut [f64; TRANCHES] = stock.try_into().expect("TRANCHES groups");
    let draw: &mut [f64; TRANCHES] = draw.try_into().expect("TRANCHES groups");
    let mut gap = 0.0;
    for j in 0..TRANCHES {
        gap += (target * w[j] - stock[j]).max(0.0);
    }
    let back = returned / TRANCHES as f64;
    let mut total = 0.0;
    for j in 0..TRANCHES {
        let share = if gap > 0.0 {
            (target * w[j] - stock[j]).max(0.0) / gap
        } else {
            w[j]
        };
        let s = (stock[j] - draw[j] + refilled * share + back).max(0.0);
        stock[j] = s;
        // A draw belongs to its period: a cell no shortfall reached next period draws nothing.
        draw[j] = 0.0;
        total += s;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_multiples_keep_the_mean_and_spread_with_the_variation() {
        assert_eq!(cover_multiples(0.0), [1.0; TRANCHES]);
        for cv in [0.3, 1.0, 2.0] {
            let q = cover_multiples(cv);
            let mean = q.iter().sum::<f64>() / TRANCHES as f64;
            assert!((mean - 1.0).abs() < 1e-12);
            assert!(q.windows(2).all(|w| w[0] < w[1]));
            // The middle group sits at the median, below the mean for a right-skewed spread.
            assert!(q[2] < 1.0);
        }
        assert!(cover_multiples(1.0)[0] < cover_multiples(0.3)[0]);
    }
}
