//! Step 2: capacity (base after outages plus expansions and price-driven entry online) and
//! utilisation, hence planned output `u_p(t) K_p(t)`.

use super::Workspace;
use crate::model::Model;

/// Share of a project's capacity online in period `t`: nothing before its lead time, then a
/// linear ramp reaching full capacity `ramp` periods after first output (at once if `ramp <= 1`).
pub fn ramp_share(t: usize, lead_time: f64, ramp: f64) -> f64 {
    let t = t as f64;
    if t < lead_time {
        0.0
    } else if ramp <= 1.0 {
        1.0
    } else {
        ((t - lead_time + 1.0) / ramp).min(1.0)
    }
}

pub fn update(m: &Model, ws: &mut Workspace, t: usize) {
    let nr = m.n_regions;
    let ppy = m.periods_per_year;
    for p in 0..m.producers.len() {
        ws.capacity[p] = ws.cap0[p] * ws.outage[p];
    }
    for e in &m.expansions {
        let v = &ws.vals;
        if ws.baseline {
            break;
        }
        if v[e.succeeds as usize] < 0.5 {
            continue;
        }
        let share = ramp_share(t, v[e.lead_time as usize], v[e.ramp as usize]);
        // Expansions add new plant: an outage of the existing plant does not touch it.
        ws.capacity[e.producer] += share * v[e.capacity as usize] / ppy;
    }
    if !ws.baseline {
        super::entry::add_capacity(m, ws, t);
    }
    // Per commodity: did any region go unserved last period (most did not: no producer of
    // theirs can then be short, whatever its access).
    let nc = m.n_commodities;
    if t > 0 {
        ws.unmet_any.fill(false);
        for (x, &u) in ws.unmet_prev.iter().enumerate() {
            ws.unmet_any[x % nc] |= u;
        }
    }
    for (p, pr) in m.producers.iter().enumerate() {
        if t > 0 {
            let v = &ws.vals;
            let base = v[pr.utilization as usize];
            let top = v[pr.max_utilization as usize].max(base);
            let step = v[pr.ramp as usize].max(0.0);
            // Short where the producer can currently ship and buyers went unserved last period.
            let short = ws.unmet_any[pr.commodity]
                && (0..nr)
                    .any(|r| ws.alpha[p * nr + r] > 0.0 && ws.unmet_prev[m.rc(r, pr.commodity)]);
            let u = ws.util[p];
            ws.util[p] = if short {
                (u + step).min(top)
            } else if u > base {
                (u - step).max(base)
            } else {
                (u + step).min(base)
            };
        }
        ws.planned[p] = ws.util[p] * ws.capacity[p];
    }
}

#[cfg(test)]
mod tests {
    use super::ramp_share;

    #[test]
    fn projects_ramp_linearly_after_their_lead_time() {
        assert_eq!(ramp_share(3, 4.0, 4.0), 0.0);
        assert_eq!(ramp_share(4, 4.0, 4.0), 0.25);
        assert_eq!(ramp_share(7, 4.0, 4.0), 1.0);
        assert_eq!(ramp_share(9, 4.0, 4.0), 1.0);
        assert_eq!(ramp_share(4, 4.0, 0.0), 1.0);
    }
}
