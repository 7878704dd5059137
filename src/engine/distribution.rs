//! Step 6: distribution inside a region. Arrivals plus recycled supply go to the region's buyers
//! tier by tier (sector priority; producers' input needs in the tier of their output's
//! best-priority final user; state reserves' orders, then refill requests last), pro rata within
//! a tier. Shortfalls are then
//! covered from commercial inventory and strategic stockpiles (`inventory`).

use super::{Workspace, inventory};
use crate::model::{Buyer, Model};

/// Hands `supply` to the shortfalls (`req - got`) of the buyers accepted by `eligible`, tier by
/// tier, pro rata within a tier. Returns the amount handed out.
pub fn fill_by_tier(
    buyers: &[(Buyer, u32)],
    req: &[f64],
    got: &mut [f64],
    mut supply: f64,
    eligible: impl Fn(Buyer) -> bool,
) -> f64 {
    let mut used = 0.0;
    let mut i = 0;
    while i < buyers.len() && supply > 0.0 {
        let tier = buyers[i].1;
        let mut j = i;
        while j < buyers.len() && buyers[j].1 == tier {
            j += 1;
        }
        let give = fill_tier(&buyers[i..j], &req[i..j], &mut got[i..j], supply, &eligible);
        supply -= give;
        used += give;
        i = j;
    }
    used
}

/// Sectors and producers consume; reserve orders and refill requests only add to stocks, so
/// commercial inventory and stockpiles never cover them.
pub fn consumes(b: Buyer) -> bool {
    matches!(b, Buyer::Sector(_) | Buyer::Producer(_))
}

/// One tier of `fill_by_tier`: hands `supply` to the eligible shortfalls pro rata and returns
/// what it handed out (nothing when no one is short).
#[inline(always)]
fn fill_tier(
    buyers: &[(Buyer, u32)],
    req: &[f64],
    got: &mut [f64],
    supply: f64,
    eligible: impl Fn(Buyer) -> bool,
) -> f64 {
    let n = buyers.len();
    let (req, got) = (&req[..n], &mut got[..n]);
    let mut short = 0.0;
    for k in 0..n {
        if eligible(buyers[k].0) {
            short += (req[k] - got[k]).max(0.0);
        }
    }
    if short > 0.0 {
        let give = short.min(supply);
        let ratio = give / short;
        for k in 0..n {
            if eligible(buyers[k].0) {
                got[k] += ratio * (req[k] - got[k]).max(0.0);
            }
        }
        give
    } else {
        0.0
    }
}

/// Where one cell's buyers and tiers sit, precomputed from the model (`Plan`).
#[derive(Debug, Clone, Copy)]
struct CellPlan {
    /// The cell, its buyer slots (`Model::buyers`) and its tiers (into `Plan::tier_end`).
    x: u32,
    slots: [u32; 2],
    tiers: [u32; 2],
}

/// The distribution step's layout, built once from the model: the cells with buyers of each
/// commodity, in region order, and where each cell's tiers end, so the trial loop neither scans
/// cells without buyers nor compares tiers.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// Per commodity: a range into `cells`.
    of: Vec<[u32; 2]>,
    cells: Vec<CellPlan>,
    /// Slot (relative to its cell's first) after the last buyer of each tier.
    tier_end: Vec<u32>,
    /// The buyer slot (`Model::buyers`) of each sector input, of each recipe line, and of each
    /// cell's refill request (`u32::MAX`: none): `demand` writes the requests there as it
    /// computes them, so distribution reads them without matching on the kind of buyer.
    pub(super) slot_of_input: Vec<u32>,
    pub(super) slot_of_line: Vec<u32>,
    pub(super) slot_of_refill: Vec<u32>,
    /// The buyer slot of each state reserve purchase (`Model::reserves` order).
    pub(super) slot_of_reserve: Vec<u32>,
}

impl Plan {
    pub fn new(m: &Model) -> Plan {
        let idx = |v: usize| u32::try_from(v).expect("model sizes fit in u32");
        let mut plan = Plan {
            slot_of_input: vec![u32::MAX; m.sector_inputs.len()],
            slot_of_line: vec![u32::MAX; m.recipe.len()],
            slot_of_refill: vec![u32::MAX; m.n_regions * m.n_commodities],
            slot_of_reserve: vec![u32::MAX; m.reserves.len()],
            ..Plan::default()
        };
        // Every sector input and recipe line is a buyer of exactly one cell, and every cell
        // with an inventory has one refill request (`Model::compile`).
        for (slot, (b, _)) in m.buyers.iter().enumerate() {
            let (map, i) = match *b {
                Buyer::Sector(i) => (&mut plan.slot_of_input, i),
                Buyer::Producer(i) => (&mut plan.slot_of_line, i),
                Buyer::Reserve(s) => {
                    let k = m.reserves.iter().position(|&r| r == s);
                    (
                        &mut plan.slot_of_reserve,
                        k.expect("a reserve buyer is a reserve shock"),
                    )
                }
                Buyer::Refill => continue,
            };
            map[i] = idx(slot);
        }
        for (x, range) in m.buyers_of.iter().enumerate() {
            for slot in range.clone() {
                if m.buyers[slot].0 == Buyer::Refill {
                    plan.slot_of_refill[x] = idx(slot);
                }
            }
        }
        assert!(
            plan.slot_of_input
                .iter()
                .chain(&plan.slot_of_line)
                .chain(&plan.slot_of_reserve)
                .all(|&s| s != u32::MAX),
            "every sector input, recipe line and reserve purchase is a buyer"
        );
        assert!(
            m.inventories
                .iter()
                .all(|i| plan.slot_of_refill[i.rc] != u32::MAX),
            "every inventory's cell has a refill request"
        );
        for c in 0..m.n_commodities {
            let first = plan.cells.len();
            for r in 0..m.n_regions {
                let x = m.rc(r, c);
                let range = m.buyers_of[x].clone();
                // A cell without buyers has nothing to distribute (its totals stay at zero).
                if range.is_empty() {
                    continue;
                }
                let t0 = plan.tier_end.len();
                let buyers = &m.buyers[range.clone()];
                for (k, (_, tier)) in buyers.iter().enumerate() {
                    if buyers.get(k + 1).is_none_or(|next| next.1 != *tier) {
                        plan.tier_end.push(idx(k + 1));
                    }
                }
                plan.cells.push(CellPlan {
                    x: idx(x),
                    slots: [idx(range.start), idx(range.end)],
                    tiers: [idx(t0), idx(plan.tier_end.len())],
                });
            }
            plan.of.push([idx(first), idx(plan.cells.len())]);
        }
        plan
    }
}

fn span<T>(v: &[T], [a, b]: [u32; 2]) -> &[T] {
    &v[a as usize..b as usize]
}

/// Distributes commodity `c` in every region that has buyers of it.
pub fn distribute(m: &Model, ws: &mut Workspace, c: usize) {
    let [a, b] = ws.dist_plan.of[c];
    for ci in a as usize..b as usize {
        distribute_cell(m, ws, ci);
    }
}

/// Trade and recycled supply to the buyers of one cell by tier, then inventories and stockpiles
/// for the shortfalls, then the cell's totals.
fn distribute_cell(m: &Model, ws: &mut Workspace, ci: usize) {
    let cp = ws.dist_plan.cells[ci];
    let x = cp.x as usize;
    let range = cp.slots[0] as usize..cp.slots[1] as usize;
    let n = range.len();
    {
        let Workspace {
            dist_plan: plan,
            req,
            got,
            arrivals,
            recycled,
            surplus,
            ..
        } = &mut *ws;
        // The requests are in place (`demand::compute` writes them), and so is the stock the
        // buyers use before ordering (`surplus`).
        let req = &req[range.clone()][..n];
        let got = &mut got[range.clone()][..n];
        fill_cell(
            req,
            got,
            arrivals[x] + recycled[x] + surplus[x],
            span(&plan.tier_end, cp.tiers),
        );
    }
    // Inventory and stockpiles only cover consumers' shortfalls: with none left (unmet demand is
    // positive exactly when one is short) they would hand out nothing
    // and draw nothing. Otherwise the totals are taken again after them.
    if totals(m, ws, x, range.clone()) > 0.0 {
        inventory::cover_shortfalls(m, ws, x);
        totals(m, ws, x, range.clone());
    }
    if !m.reserves.is_empty() {
        settle_reserves(m, ws, x, range);
    }
}

/// What each state reserve buying in cell `x` received this period joins what it has bought.
fn settle_reserves(m: &Model, ws: &mut Workspace, x: usize, range: std::ops::Range<usize>) {
    let mut here = 0.0;
    for slot in range {
        if let Buyer::Reserve(s) = m.buyers[slot].0 {
            let g = ws.got[slot];
            ws.reserve_bought[s] += g;
            here += g;
        }
    }
    ws.reserved[x] = here;
}

/// Hands cell `x`'s deliveries to its buyers and sums its deliveries and unmet demand in buyer
/// order over the consumers (neither reserve orders nor the refill request). Returns the unmet
/// demand.
#[inline(always)]
fn totals(m: &Model, ws: &mut Workspace, x: usize, range: std::ops::Range<usize>) -> f64 {
    let n = range.len();
    let buyers = &m.buyers[range.clone()][..n];
    let Workspace {
        req,
        got,
        got_sector,
        got_prod,
        refilled,
        delivered,
        unmet,
        ..
    } = &mut *ws;
    let (req, got) = (&req[range.clone()][..n], &got[range][..n]);
    let (mut d, mut u) = (0.0, 0.0);
    for k in 0..n {
        let g = got[k];
        match buyers[k].0 {
            Buyer::Sector(i) => got_sector[i] = g,
            Buyer::Producer(i) => got_prod[i] = g,
            Buyer::Reserve(_) => continue,
            Buyer::Refill => {
                refilled[x] = g;
                continue;
            }
        }
        d += g;
        u += (req[k] - g).max(0.0);
    }
    delivered[x] = d;
    unmet[x] = u;
    u
}

/// `fill_by_tier` of `supply` to every buyer of one cell on its precomputed tiers, from
/// deliveries of zero: the same operations with `got = 0` written out, and zero where supply
/// did not reach, so the cell needs no separate zeroing (a call to `memset` per cell).
///
/// A tier is served in full whenever the requests up to and including it, summed in slot order,
/// do not exceed `supply` (the cell may then hand out an ulp more than `supply`): subtracting
/// each tier's share from the supply (`left`) can round the rest an ulp below the last tier's
/// requests, and that ulp-sized shortfall was drawn from inventory every period of a steady
/// state, so the baseline's state never repeated bit for bit (`baseline_repeats` in
/// `engine/mod.rs`). Otherwise a tier gets what is `left`, pro rata, as in `fill_by_tier`.
fn fill_cell(req: &[f64], got: &mut [f64], supply: f64, tier_end: &[u32]) {
    let n = req.len();
    let got = &mut got[..n];
    let mut left = supply;
    let mut cum = 0.0;
    let mut lo = 0;
    for &end in tier_end {
        let hi = end as usize;
        let (rq, gt) = (&req[lo..hi], &mut got[lo..hi]);
        let mut short = 0.0;
        for &r in rq {
            let s = (r - 0.0).max(0.0);
            short += s;
            cum += s;
        }
        if cum <= supply {
            // Ratio 1: `0 + 1 * s` is `0 + s`.
            for (g, &r) in gt.iter_mut().zip(rq) {
                *g = 0.0 + (r - 0.0).max(0.0);
            }
            left -= short;
        } else if left > 0.0 {
            // Served while supply is left (`left > 0`, false for NaN as well).
            if short > 0.0 {
                let give = short.min(left);
                let ratio = give / short;
                for (g, &r) in gt.iter_mut().zip(rq) {
                    *g = 0.0 + ratio * (r - 0.0).max(0.0);
                }
                left -= give;
            } else {
                zero(gt);
            }
        } else {
            break;
        }
        lo = hi;
    }
    zero(&mut got[lo..]);
}

/// Zeroes a cell's few deliveries without a call to `memset`.
fn zero(got: &mut [f64]) {
    match got {
        [] => {}
        [g] => *g = 0.0,
        _ => got.fill(0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiers_are_served_in_order_and_pro_rata_within() {
        let buyers = [
            (Buyer::Sector(0), 0),
            (Buyer::Sector(1), 1),
            (Buyer::Producer(0), 1),
            (Buyer::Refill, u32::MAX),
        ];
        let req = [10.0, 20.0, 40.0, 5.0];
        let mut got = [0.0; 4];
        let used = fill_by_tier(&buyers, &req, &mut got, 40.0, |_| true);
        assert_eq!(used, 40.0);
        assert_eq!(got, [10.0, 10.0, 20.0, 0.0]);
        // A second source tops up only the eligible shortfalls.
        let used = fill_by_tier(&buyers, &req, &mut got, 100.0, |b| {
            !matches!(b, Buyer::Refill)
        });
        assert_eq!(used, 30.0);
        assert_eq!(got, [10.0, 20.0, 40.0, 0.0]);
    }
}
