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
        let mut short = 0.0;
        while j < buyers.len() && buyers[j].1 == tier {
            if eligible(buyers[j].0) {
                short += (req[j] - got[j]).max(0.0);
            }
            j += 1;
        }
        if short > 0.0 {
            let give = short.min(supply);
            let ratio = give / short;
            for k in i..j {
                if eligible(buyers[k].0) {
                    got[k] += ratio * (req[k] - got[k]).max(0.0);
                }
            }
            supply -= give;
            used += give;
        }
        i = j;
    }
    used
}

/// Sectors and producers consume; reserve orders and refill requests only add to stocks, so
/// commercial inventory and stockpiles never cover them.
pub fn consumes(b: Buyer) -> bool {
    matches!(b, Buyer::Sector(_) | Buyer::Producer(_))
}

pub fn distribute(m: &Model, ws: &mut Workspace, x: usize) {
    let range = m.buyers_of[x].clone();
    if range.is_empty() {
        return;
    }
    let buyers = &m.buyers[range.clone()];
    let req = &mut ws.req[range.clone()];
    let got = &mut ws.got[range.clone()];
    for (b, (buyer, _)) in buyers.iter().enumerate() {
        req[b] = match *buyer {
            Buyer::Sector(i) => ws.net[i],
            Buyer::Producer(k) => ws.need_prod[k],
            Buyer::Reserve(s) => ws.reserve_req[s],
            Buyer::Refill => ws.refill_req[x],
        };
        got[b] = 0.0;
    }
    let supply = ws.arrivals[x] + ws.recycled[x];
    fill_by_tier(buyers, req, got, supply, |_| true);

    // Inventory and stockpiles only cover consumers' shortfalls:
    // with none left they would hand out nothing (and draw nothing).
    let short = buyers
        .iter()
        .zip(req.iter().zip(got.iter()))
        .any(|((b, _), (&r, &g))| consumes(*b) && r - g > 0.0);
    if short {
        inventory::cover_shortfalls(m, ws, x);
    }

    let buyers = &m.buyers[range.clone()];
    let (mut delivered, mut unmet) = (0.0, 0.0);
    for (b, (buyer, _)) in buyers.iter().enumerate() {
        let g = ws.got[range.start + b];
        match *buyer {
            Buyer::Sector(i) => ws.got_sector[i] = g,
            Buyer::Producer(k) => ws.got_prod[k] = g,
            Buyer::Reserve(s) => {
                ws.reserve_bought[s] += g;
                ws.reserved[x] += g;
                continue;
            }
            Buyer::Refill => {
                ws.refilled[x] = g;
                continue;
            }
        }
        delivered += g;
        unmet += (ws.req[range.start + b] - g).max(0.0);
    }
    ws.delivered[x] = delivered;
    ws.unmet[x] = unmet;
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
