//! Step 9 (v2): the price index of each region and commodity, referenced to the trial's own
//! baseline market (the no-shock, no-policy pass), so any scarcity moves it.
//!
//! - Buyers' side: availability `z = (stock + arrivals + recycled + stockpile release) /
//!   (consumption need + stock target)`, the stock-to-use ratio buyers see. The factor is
//!   `(z / z_base)^(-1 / availability_elasticity)`; 1 where the region has no consumption need.
//!   Stocks damp the first jump, and the price climbs as they run down.
//! - Sellers' side: the region's producers' sold share `sigma = sold / available`; the factor is
//!   `min(1, (sigma / sigma_base)^(1 / supply_elasticity))`; 1 where the region has no producer
//!   with output. Stranded output lowers the exporter's home price. The side only lowers prices
//!   (MODEL.md §4.9: producers that cannot sell their planned output): a sold share above the
//!   baseline is not scarcity, which the buyers' side measures, and letting it raise prices made
//!   a region's own new plant (selling more of a stock fixed in baseline months) lift its price.
//! - Target `P* = clamp(buyers x sellers, 1/max, max)`; the index moves towards it by
//!   `price_adjustment` of the gap per period on a log scale. Periods where the cap binds are
//!   counted (`price.<r>.<c>.at_cap`).
//!
//! With no shock and no policy every quantity equals its baseline bit for bit, so every index is
//! exactly 1.

use super::Workspace;
use crate::model::Model;

/// Log of one side's factor: `ln(ratio / base) * sign / elasticity`, 0 where undefined or equal.
fn side(ratio: f64, base: f64, elasticity: f64, sign: f64) -> f64 {
    if !(ratio.is_finite() && base.is_finite()) || base <= 0.0 || ratio == base {
        return 0.0;
    }
    let l = sign * (ratio.ln() - base.ln()) / elasticity;
    if l.is_nan() { 0.0 } else { l }
}

/// The log target index and whether the cap binds: buyers' and sellers' factors, capped.
pub fn target(
    z: f64,
    z_base: f64,
    sold: f64,
    sold_base: f64,
    avail_elasticity: f64,
    supply_elasticity: f64,
    max_multiple: f64,
) -> (f64, bool) {
    let top = max_multiple.max(1.0).ln();
    target_log_cap(
        [z, z_base],
        [sold, sold_base],
        [avail_elasticity, supply_elasticity],
        top,
    )
}

/// `target` with the cap given as its log, `top = ln(max(max_multiple, 1))` (one log per
/// commodity and period rather than per cell).
fn target_log_cap(
    [z, z_base]: [f64; 2],
    [sold, sold_base]: [f64; 2],
    [avail_elasticity, supply_elasticity]: [f64; 2],
    top: f64,
) -> (f64, bool) {
    // Each side is capped first, so a side that saturates (nothing available, nothing sold)
    // cannot meet an infinite other side as inf - inf.
    let cap = |x: f64| x.clamp(-2.0 * top, 2.0 * top);
    let l = cap(side(z, z_base, avail_elasticity, -1.0))
        + cap(side(sold, sold_base, supply_elasticity, 1.0).min(0.0));
    if l > top {
        (top, true)
    } else if l < -top {
        (-top, true)
    } else {
        (l, false)
    }
}

/// Partial adjustment on a log scale: `ln P' = ln P + lambda (ln P* - ln P)`.
pub fn adjust(prev: f64, log_target: f64, lambda: f64) -> f64 {
    let lp = prev.ln();
    (lp + lambda * (log_target - lp)).exp()
}

pub fn index(m: &Model, ws: &mut Workspace, c: usize, t: usize) {
    let cells = ws.price.len();
    for r in 0..m.n_regions {
        let x = m.rc(r, c);
        // A state reserve's order is demand the market must meet like consumption.
        let need = ws.sect_need[x] + ws.prod_need[x] + ws.reserve_need[x];
        ws.z[x] = if need > 0.0 {
            let have = ws.inv[x] + ws.arrivals[x] + ws.recycled[x] + ws.stock_release[x];
            have / (need + ws.inv_target[x] + ws.prec_target[x])
        } else {
            f64::NAN
        };
    }
    if ws.baseline {
        for r in 0..m.n_regions {
            let x = m.rc(r, c);
            ws.base_z[t * cells + x] = ws.z[x];
            ws.base_sold[t * cells + x] = ws.sold_share[x];
        }
        return;
    }
    let v = &ws.vals;
    let (ea, es) = (
        v[m.avail_elasticity[c] as usize],
        v[m.supply_elasticity[c] as usize],
    );
    let (top, lambda) = (
        v[m.max_multiple[c] as usize].max(1.0).ln(),
        v[m.price_adjustment[c] as usize],
    );
    for r in 0..m.n_regions {
        let x = m.rc(r, c);
        let b = t * cells + x;
        let (lt, capped) = target_log_cap(
            [ws.z[x], ws.base_z[b]],
            [ws.sold_share[x], ws.base_sold[b]],
            [ea, es],
            top,
        );
        let p = if lt == 0.0 && ws.price[x] == 1.0 {
            1.0
        } else {
            adjust(ws.price[x], lt, lambda)
        };
        ws.price[x] = p;
        ws.at_cap[x] += u32::from(capped);
        if p > ws.price_peak[x] {
            ws.price_peak[x] = p;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_follows_both_sides_and_the_caps() {
        // Baseline: exactly 1 (log 0), also where a side is undefined.
        assert_eq!(target(2.0, 2.0, 0.9, 0.9, 0.5, 1.0, 20.0), (0.0, false));
        assert_eq!(
            target(f64::NAN, f64::NAN, 0.9, 0.9, 0.5, 1.0, 20.0),
            (0.0, false)
        );
        // Availability halved with elasticity 0.5: 4x.
        let (l, c) = target(1.0, 2.0, f64::NAN, f64::NAN, 0.5, 1.0, 20.0);
        assert!((l.exp() - 4.0).abs() < 1e-12 && !c);
        // Sold share halved with supply elasticity 1: 0.5x.
        let (l, _) = target(f64::NAN, f64::NAN, 0.45, 0.9, 0.5, 1.0, 20.0);
        assert!((l.exp() - 0.5).abs() < 1e-12);
        // Nothing available: the cap binds.
        let (l, c) = target(0.0, 2.0, f64::NAN, f64::NAN, 0.5, 1.0, 20.0);
        assert!((l.exp() - 20.0).abs() < 1e-9 && c);
        let (l, c) = target(f64::NAN, f64::NAN, 0.0, 0.9, 0.5, 1.0, 20.0);
        assert!((l.exp() - 0.05).abs() < 1e-12 && c);
        // Both sides saturated at once (nothing available and nothing sold): finite.
        let (l, _) = target(0.0, 2.0, 0.0, 0.9, 0.5, 1.0, 20.0);
        assert!(l.is_finite());
    }

    #[test]
    fn partial_adjustment_closes_a_share_of_the_log_gap() {
        assert_eq!(adjust(1.0, 0.0, 0.3), 1.0);
        assert!((adjust(1.0, 4f64.ln(), 0.5) - 2.0).abs() < 1e-12);
        assert!((adjust(2.0, 4f64.ln(), 1.0) - 4.0).abs() < 1e-12);
    }
}
