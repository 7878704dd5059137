//! Step 9: the price index. Each region is compared with the unrestricted market of the same
//! period (fill `F0 = min(1, sum A / sum D)`, sold share `S0 = min(1, sum D / sum A)`):
//! `index = clamp((F0 / F_r)^(1/e) (S_r / S0)^(1/e), 1/max, max)`, with `F_r` the fill ratio from
//! trade and `S_r` the sold share of the region's producers (factor 1 where it has none).

use super::Workspace;
use crate::model::Model;

/// The index from the fill factor `f0 / fill`, the sold factor `s / s0`, elasticity and cap.
pub fn index_value(
    f0: f64,
    fill: f64,
    sold_factor: f64,
    elasticity: f64,
    max_multiple: f64,
) -> f64 {
    let ff = if f0 <= 0.0 { 1.0 } else { f0 / fill };
    if ff == 1.0 && sold_factor == 1.0 {
        return 1.0;
    }
    let l = (ff.ln() + sold_factor.ln()) / elasticity;
    let top = max_multiple.max(1.0);
    let v = if l.is_nan() { 1.0 } else { l.exp() };
    v.clamp(1.0 / top, top)
}

pub fn index(m: &Model, ws: &mut Workspace, c: usize) {
    let e = ws.vals[m.elasticity[c] as usize];
    let top = ws.vals[m.max_multiple[c] as usize];
    for r in 0..m.n_regions {
        let x = m.rc(r, c);
        let v = index_value(ws.f0[c], ws.fill[x], ws.sold_factor[x], e, top);
        ws.price[x] = v;
        if v > ws.price_peak[x] {
            ws.price_peak[x] = v;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::index_value;

    #[test]
    fn index_follows_the_formula_and_the_caps() {
        assert_eq!(index_value(1.0, 1.0, 1.0, 0.2, 20.0), 1.0);
        assert!((index_value(1.0, 0.5, 1.0, 0.5, 20.0) - 4.0).abs() < 1e-12);
        assert!((index_value(1.0, 1.0, 0.5, 0.5, 20.0) - 0.25).abs() < 1e-12);
        assert_eq!(index_value(1.0, 0.0, 1.0, 0.5, 20.0), 20.0);
        assert_eq!(index_value(1.0, 1.0, 0.0, 0.5, 20.0), 0.05);
        // No supply anywhere: nothing to compare against.
        assert_eq!(index_value(0.0, 0.0, 1.0, 0.5, 20.0), 1.0);
    }
}
