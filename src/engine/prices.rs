//! Step 9 (v2): the price index of each region and commodity, referenced to the trial's own
//! baseline market (the no-shock, no-policy pass), so any scarcity moves it.
//!
//! - Buyers' side: availability `z = (stock + arrivals + recycled + stockpile release) /
//!   (consumption need + state reserve orders + stock target)`, the stock-to-use ratio buyers see.
//!   The factor is `(z / z_base)^(-1 / availability_elasticity)`; 1 where the region has no
//!   consumption need.
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
    side_with(ratio, base, elasticity, sign, f64::ln, f64::ln)
}

/// `side` with the two logarithms taken by `ln_ratio` and `ln_base` (which `index` memoises),
/// called only where the side is defined and the ratio differs from its base.
#[inline(always)]
fn side_with(
    ratio: f64,
    base: f64,
    elasticity: f64,
    sign: f64,
    ln_ratio: impl FnOnce(f64) -> f64,
    ln_base: impl FnOnce(f64) -> f64,
) -> f64 {
    if !defined(ratio, base) {
        return 0.0;
    }
    let l = sign * (ln_ratio(ratio) - ln_base(base)) / elasticity;
    if l.is_nan() { 0.0 } else { l }
}

/// Whether a side is defined: both finite, the base positive, and the two different; that is,
/// `!(!(ratio.is_finite() && base.is_finite()) || base <= 0.0 || ratio == base)`, on the bits.
/// (LLVM turns the float tests into integer tests of the bits anyway, about 30 instructions for
/// the pair, evaluated without short-circuit; these are 6.) `0 < base < inf` is a bit pattern in
/// `1..=f64::MAX.to_bits()`; a finite ratio does not have every exponent bit set; and two finite
/// values of which one is nonzero compare equal exactly when their bits are equal.
#[inline(always)]
fn defined(ratio: f64, base: f64) -> bool {
    const EXP: u64 = 0x7ff0_0000_0000_0000;
    let (r, b) = (ratio.to_bits(), base.to_bits());
    b.wrapping_sub(1) < f64::MAX.to_bits() && r & EXP != EXP && r != b
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
    let (ea, es) = (avail_elasticity, supply_elasticity);
    capped(
        side(z, z_base, ea, -1.0),
        side(sold, sold_base, es, 1.0),
        top,
    )
}

/// The log target from the buyers' side `lz` and the sellers' side `ls` (before it is limited
/// to lowering prices), with the cap given as its log, `top = ln(max(max_multiple, 1))`.
#[inline(always)]
fn capped(lz: f64, ls: f64, top: f64) -> (f64, bool) {
    // Each side is capped first, so a side that saturates (nothing available, nothing sold)
    // cannot meet an infinite other side as inf - inf.
    let cap = |x: f64| x.clamp(-2.0 * top, 2.0 * top);
    let l = cap(lz) + cap(ls.min(0.0));
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

/// Memos of the logarithms `index` takes, per cell (and per commodity for the cap), each slot
/// keyed by the bits of its argument. `ln` is a pure function, so a hit returns exactly the bits
/// the call would. The baseline's availability and sold share stop changing once its pass
/// repeats (`engine::repeat_baseline` copies its last period), so their logs are taken about once
/// per cell and trial; the scenario's own availability and sold share repeat less often (from a
/// few percent of the calls on the flagship to most of them on rare-earths-2025). A miss costs
/// one comparison and one store more than the call. (Memos of the price's own `ln` and `exp`
/// hit under 1% of the time on the shipped scenarios and were dropped.)
#[derive(Debug, Clone)]
pub struct Memo {
    ln_z: Vec<Slot>,
    ln_z_base: Vec<Slot>,
    ln_sold: Vec<Slot>,
    ln_sold_base: Vec<Slot>,
    /// Per commodity: `ln(max(max_multiple, 1))`.
    ln_top: Vec<Slot>,
}

/// An argument's bits and the function's value at it.
type Slot = (u64, f64);

impl Memo {
    pub fn new(m: &Model) -> Memo {
        let cells = m.n_regions * m.n_commodities;
        // Every slot starts as a true entry (at 1, computed by the same call at run time), so a
        // slot never holds anything but `(x, ln x)`, whatever arguments come.
        let one = std::hint::black_box(1.0f64);
        let ln = vec![(one.to_bits(), one.ln()); cells];
        Memo {
            ln_z: ln.clone(),
            ln_z_base: ln.clone(),
            ln_sold: ln.clone(),
            ln_sold_base: ln,
            ln_top: vec![(one.to_bits(), one.ln()); m.n_commodities],
        }
    }
}

/// `ln(x)` through the memo slot `slot`.
#[inline(always)]
fn ln_memo(slot: &mut Slot, x: f64) -> f64 {
    let bits = x.to_bits();
    if slot.0 != bits {
        *slot = (bits, x.ln());
    }
    slot.1
}

pub fn index(m: &Model, ws: &mut Workspace, c: usize, t: usize) {
    let nc = m.n_commodities;
    let Workspace {
        sect_need,
        prod_need,
        reserve_need,
        inv,
        arrivals,
        recycled,
        stock_release,
        inv_target,
        prec_target,
        z,
        sold_share,
        base_z,
        base_sold,
        price,
        at_cap,
        price_peak,
        price_memo,
        vals,
        baseline,
        ..
    } = ws;
    // Every slice cut to the cells, so that `x < cells` is all the loops' bounds checks need.
    let cells = price.len();
    let (sect_need, prod_need, reserve_need) = (
        &sect_need[..cells],
        &prod_need[..cells],
        &reserve_need[..cells],
    );
    let (inv, arrivals, recycled, stock_release) = (
        &inv[..cells],
        &arrivals[..cells],
        &recycled[..cells],
        &stock_release[..cells],
    );
    let (inv_target, prec_target) = (&inv_target[..cells], &prec_target[..cells]);
    let (z, sold_share) = (&mut z[..cells], &sold_share[..cells]);
    let base_z = &mut base_z[t * cells..][..cells];
    let base_sold = &mut base_sold[t * cells..][..cells];
    // The cells of commodity `c`, one per region: `x = r * nc + c`.
    let mut x = c;
    while x < cells {
        // A state reserve's order is demand the market must meet like consumption.
        let need = sect_need[x] + prod_need[x] + reserve_need[x];
        z[x] = if need > 0.0 {
            let have = inv[x] + arrivals[x] + recycled[x] + stock_release[x];
            have / (need + inv_target[x] + prec_target[x])
        } else {
            f64::NAN
        };
        x += nc;
    }
    if *baseline {
        let mut x = c;
        while x < cells {
            base_z[x] = z[x];
            base_sold[x] = sold_share[x];
            x += nc;
        }
        return;
    }
    let v = &vals[..];
    let (ea, es) = (
        v[m.avail_elasticity[c] as usize],
        v[m.supply_elasticity[c] as usize],
    );
    let memo_top = &mut price_memo.ln_top[c];
    let (top, lambda) = (
        ln_memo(memo_top, v[m.max_multiple[c] as usize].max(1.0)),
        v[m.price_adjustment[c] as usize],
    );
    let (price, at_cap, price_peak) = (
        &mut price[..cells],
        &mut at_cap[..cells],
        &mut price_peak[..cells],
    );
    let Memo {
        ln_z,
        ln_z_base,
        ln_sold,
        ln_sold_base,
        ..
    } = price_memo;
    let (ln_z, ln_z_base) = (&mut ln_z[..cells], &mut ln_z_base[..cells]);
    let (ln_sold, ln_sold_base) = (&mut ln_sold[..cells], &mut ln_sold_base[..cells]);
    let mut x = c;
    while x < cells {
        let lz = side_with(
            z[x],
            base_z[x],
            ea,
            -1.0,
            |a| ln_memo(&mut ln_z[x], a),
            |b| ln_memo(&mut ln_z_base[x], b),
        );
        let ls = side_with(
            sold_share[x],
            base_sold[x],
            es,
            1.0,
            |a| ln_memo(&mut ln_sold[x], a),
            |b| ln_memo(&mut ln_sold_base[x], b),
        );
        let (lt, capped) = capped(lz, ls, top);
        let prev = price[x];
        let p = if lt == 0.0 && prev == 1.0 {
            1.0
        } else {
            adjust(prev, lt, lambda)
        };
        price[x] = p;
        at_cap[x] += u32::from(capped);
        if p > price_peak[x] {
            price_peak[x] = p;
        }
        x += nc;
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
    fn a_memo_slot_returns_the_bits_of_the_call() {
        let one = 1.0f64;
        let mut slot = (one.to_bits(), one.ln());
        for x in [
            1.0,
            2.0,
            2.0,
            0.5,
            1.0 + f64::EPSILON,
            1.0,
            1e-300,
            1e-300,
            0.0,
            -0.0,
            3.0,
        ] {
            assert_eq!(ln_memo(&mut slot, x).to_bits(), x.ln().to_bits(), "{x:e}");
        }
    }

    #[test]
    fn defined_is_the_float_test() {
        let tiny = f64::from_bits(1);
        let vals = [
            0.0,
            -0.0,
            tiny,
            -tiny,
            f64::MIN_POSITIVE,
            0.5,
            1.0,
            1.0 + f64::EPSILON,
            -1.0,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for &r in &vals {
            for &b in &vals {
                let float = !(!(r.is_finite() && b.is_finite()) || b <= 0.0 || r == b);
                assert_eq!(defined(r, b), float, "ratio {r:e}, base {b:e}");
            }
        }
    }

    #[test]
    fn partial_adjustment_closes_a_share_of_the_log_gap() {
        assert_eq!(adjust(1.0, 0.0, 0.3), 1.0);
        assert!((adjust(1.0, 4f64.ln(), 0.5) - 2.0).abs() < 1e-12);
        assert!((adjust(2.0, 4f64.ln(), 1.0) - 4.0).abs() < 1e-12);
    }
}
