//! Step 1: shocks active this period. Export restrictions set the access shares `alpha` (and,
//! from their announcement on, buyers' precautionary stock targets), production outages scale
//! capacity, demand surges scale sector demand, state reserves place purchase orders. The
//! baseline pass applies none of them.

use super::Workspace;
use crate::model::{LinkBasis, MShockKind, Model};

/// Whether a shock drawn to start at `start` for `duration` periods is active in period `t`.
pub fn active(start: f64, duration: f64, t: usize) -> bool {
    let t = t as f64;
    start <= t && t < start + duration
}

/// The v1 blocked fraction of a restriction `k` periods after its start:
/// `severity * (1 - leakage) * 2^(-k / half_life)` (no relief term for a hard ban).
pub fn blocked(severity: f64, leakage: f64, half_life: Option<f64>, k: f64) -> f64 {
    let b = (severity * (1.0 - leakage)).clamp(0.0, 1.0);
    match half_life {
        Some(h) if h > 0.0 => b * (-k / h).exp2(),
        _ => b,
    }
}

/// Share of the blocked flow that licences have unblocked `k` periods after the start: none
/// during the `review` window, then `rate` more per period up to `ceiling`.
pub fn approved(review: f64, rate: f64, ceiling: f64, k: f64) -> f64 {
    if k < review {
        0.0
    } else {
        (rate.max(0.0) * (k - review + 1.0)).min(ceiling.clamp(0.0, 1.0))
    }
}

pub fn apply(m: &Model, ws: &mut Workspace, t: usize) {
    let nr = m.n_regions;
    ws.restricted.fill(false);
    ws.outage.fill(1.0);
    ws.surge.fill(1.0);
    ws.prec_target.fill(0.0);
    ws.prec_cap.fill(0.0);
    ws.reserve_need.fill(0.0);
    ws.reserve_req.fill(0.0);
    for sh in &m.shocks {
        if let MShockKind::Restriction { producers, .. } = &sh.kind {
            for &p in producers {
                ws.alpha[p * nr..(p + 1) * nr].fill(1.0);
                ws.link_basis[p * nr..(p + 1) * nr].fill(LinkBasis::Output);
            }
        }
    }
    if ws.baseline {
        return;
    }
    for (s, sh) in m.shocks.iter().enumerate() {
        let v = &ws.vals;
        let start = v[sh.start as usize];
        let duration = v[sh.duration as usize];
        if v[sh.occurs as usize] < 0.5 {
            continue;
        }
        if let MShockKind::Restriction {
            targets,
            commodities,
            announced,
            precautionary_cover: Some(cover),
            ..
        } = &sh.kind
        {
            precaution(
                m,
                ws,
                t,
                start,
                duration,
                *announced,
                *cover,
                targets,
                commodities,
            );
        }
        let v = &ws.vals;
        if !active(start, duration, t) {
            continue;
        }
        let k = t as f64 - start;
        match &sh.kind {
            MShockKind::Restriction {
                producers,
                targets,
                severity,
                leakage,
                relief_half_life,
                basis,
                severity_path,
                licensing,
                ..
            } => {
                let sev = if severity_path.is_empty() {
                    v[*severity as usize]
                } else {
                    let i = (k as usize).min(severity_path.len() - 1);
                    v[severity_path[i] as usize]
                };
                let mut b = blocked(
                    sev,
                    v[*leakage as usize],
                    relief_half_life.map(|h| v[h as usize]),
                    k,
                );
                if let Some([review, rate, ceiling]) = licensing {
                    b *= 1.0
                        - approved(
                            v[*review as usize],
                            v[*rate as usize],
                            v[*ceiling as usize],
                            k,
                        );
                }
                if b <= 0.0 {
                    continue;
                }
                // Several restrictions on one flow combine as 1 - prod(1 - b_k).
                let keep = 1.0 - b;
                for &p in producers {
                    let row = p * nr..(p + 1) * nr;
                    let links = ws.alpha[row.clone()]
                        .iter_mut()
                        .zip(&mut ws.link_basis[row])
                        .zip(targets);
                    for ((alpha, lb), &hit) in links {
                        if hit {
                            *alpha *= keep;
                            *lb = (*lb).max(*basis);
                        }
                    }
                    ws.restricted[m.producers[p].commodity] = true;
                }
            }
            MShockKind::Outage { producer, severity } => {
                ws.outage[*producer] *= (1.0 - v[*severity as usize]).clamp(0.0, 1.0);
            }
            MShockKind::Surge { sectors, factor } => {
                let f = v[*factor as usize].max(0.0);
                for &i in sectors {
                    ws.surge[i] *= f;
                }
            }
            MShockKind::Reserve { rc, quantity } => {
                let q = reserve_order(v[*quantity as usize], duration, k, ws.reserve_bought[s]);
                ws.reserve_req[s] = q;
                ws.reserve_need[*rc] += q;
            }
        }
    }
}

/// A state reserve's order `k` periods into its window: what it is behind an even schedule that
/// buys `quantity` over `duration` periods (so an order it could not fill waits for the next
/// period), never more than is left to buy.
pub fn reserve_order(quantity: f64, duration: f64, k: f64, bought: f64) -> f64 {
    let due = quantity.max(0.0) * ((k + 1.0) / duration.max(1.0)).min(1.0);
    (due - bought).max(0.0)
}

/// From the last month before the deadline (or the announcement, if later) until the restriction
/// ends, buyers in its targets want `cover` more periods of reference demand of each restricted
/// commodity than they held when their precaution began (or than their target, if higher),
/// ordered so that the extra cover is in by the start (`cover / lead` per period, at least over
/// one period). Buyers buy late: the 2023 notices of four and six weeks both brought their rush
/// in the month before the deadline (docs/model.md section 1).
#[allow(clippy::too_many_arguments)]
fn precaution(
    m: &Model,
    ws: &mut Workspace,
    t: usize,
    start: f64,
    duration: f64,
    announced: Option<u32>,
    cover: u32,
    targets: &[bool],
    commodities: &[usize],
) {
    let v = &ws.vals;
    let month = (m.periods_per_year / 12.0).round().max(1.0);
    let from = announced
        .map_or(start, |a| v[a as usize].min(start))
        .max(start - month);
    let tf = t as f64;
    if tf < from || tf >= start + duration {
        return;
    }
    let cover = v[cover as usize].max(0.0);
    let lead = (start - from).max(1.0);
    for (r, &hit) in targets.iter().enumerate() {
        if !hit {
            continue;
        }
        for &c in commodities {
            let x = m.rc(r, c);
            let d = ws.dref[x];
            if ws.prec_base[x].is_nan() {
                ws.prec_base[x] = ws.inv[x].max(ws.inv_target[x]);
            }
            let extra = ws.prec_base[x] + cover * d - ws.inv_target[x];
            ws.prec_target[x] = ws.prec_target[x].max(extra);
            ws.prec_cap[x] = ws.prec_cap[x].max(cover * d / lead);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relief_halves_the_block_every_half_life() {
        assert!((blocked(0.8, 0.25, None, 5.0) - 0.6).abs() < 1e-15);
        assert!((blocked(0.8, 0.25, Some(2.0), 0.0) - 0.6).abs() < 1e-15);
        assert_eq!(blocked(1.0, 0.0, None, 3.0), 1.0);
        assert!((blocked(0.8, 0.25, Some(2.0), 2.0) - 0.3).abs() < 1e-15);
        assert!((blocked(0.8, 0.25, Some(2.0), 4.0) - 0.15).abs() < 1e-15);
    }

    #[test]
    fn licences_wait_for_the_review_then_rise_to_the_ceiling() {
        assert_eq!(approved(2.0, 0.25, 0.8, 0.0), 0.0);
        assert_eq!(approved(2.0, 0.25, 0.8, 1.0), 0.0);
        assert_eq!(approved(2.0, 0.25, 0.8, 2.0), 0.25);
        assert_eq!(approved(2.0, 0.25, 0.8, 3.0), 0.5);
        assert_eq!(approved(2.0, 0.25, 0.8, 4.0), 0.75);
        assert_eq!(approved(2.0, 0.25, 0.8, 5.0), 0.8);
        assert_eq!(approved(0.0, 0.25, 0.8, 40.0), 0.8);
    }

    #[test]
    fn a_reserve_buys_evenly_and_carries_what_it_missed() {
        assert_eq!(reserve_order(120.0, 4.0, 0.0, 0.0), 30.0);
        // Got only 10 of the first 30: the 20 missed wait for the next period.
        assert_eq!(reserve_order(120.0, 4.0, 1.0, 10.0), 50.0);
        assert_eq!(reserve_order(120.0, 4.0, 3.0, 120.0), 0.0);
        assert_eq!(reserve_order(120.0, 1.0, 0.0, 0.0), 120.0);
    }

    #[test]
    fn active_window_is_half_open() {
        assert!(!active(2.0, 3.0, 1));
        assert!(active(2.0, 3.0, 2) && active(2.0, 3.0, 4));
        assert!(!active(2.0, 3.0, 5));
        assert!(!active(2.0, 0.0, 2));
    }
}
