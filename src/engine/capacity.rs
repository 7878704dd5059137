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
    for ((cap, &cap0), &outage) in ws.capacity.iter_mut().zip(&ws.cap0).zip(&ws.outage) {
        *cap = cap0 * outage;
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
    let Workspace {
        vals,
        unmet_prev,
        unmet_any,
        alpha,
        util,
        capacity,
        planned,
        ..
    } = &mut *ws;
    if t > 0 {
        unmet_any.fill(false);
        for row in unmet_prev.chunks_exact(nc) {
            for (any, &u) in unmet_any.iter_mut().zip(row) {
                *any |= u;
            }
        }
    }
    for (p, pr) in m.producers.iter().enumerate() {
        if t > 0 {
            let base = vals[pr.utilization as usize];
            let top = vals[pr.max_utilization as usize].max(base);
            let step = vals[pr.ramp as usize].max(0.0);
            // Short where the producer can currently ship and buyers went unserved last period.
            let short = unmet_any[pr.commodity]
                && alpha[p * nr..(p + 1) * nr]
                    .iter()
                    .zip(unmet_prev.chunks_exact(nc))
                    .any(|(&a, row)| a > 0.0 && row[pr.commodity]);
            let u = util[p];
            util[p] = if short {
                (u + step).min(top)
            } else if u > base {
                (u - step).max(base)
            } else {
                (u + step).min(base)
            };
        }
        planned[p] = util[p] * capacity[p];
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
