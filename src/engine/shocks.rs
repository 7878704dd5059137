//! Step 1: shocks active this period. Export restrictions set the access shares `alpha`,
//! production outages scale capacity, demand surges scale sector demand.

use super::Workspace;
use crate::model::{MShockKind, Model};

/// Whether a shock drawn to start at `start` for `duration` periods is active in period `t`.
pub fn active(start: f64, duration: f64, t: usize) -> bool {
    let t = t as f64;
    start <= t && t < start + duration
}

/// The blocked fraction of a restriction `k` periods after its start:
/// `severity * (1 - leakage) * 2^(-k / half_life)` (no relief term for a hard ban).
pub fn blocked(severity: f64, leakage: f64, half_life: Option<f64>, k: f64) -> f64 {
    let b = (severity * (1.0 - leakage)).clamp(0.0, 1.0);
    match half_life {
        Some(h) if h > 0.0 => b * (-k / h).exp2(),
        _ => b,
    }
}

pub fn apply(m: &Model, ws: &mut Workspace, t: usize) {
    let nr = m.n_regions;
    ws.restricted.fill(false);
    ws.outage.fill(1.0);
    ws.surge.fill(1.0);
    for sh in &m.shocks {
        if let MShockKind::Restriction { producers, .. } = &sh.kind {
            for &p in producers {
                ws.alpha[p * nr..(p + 1) * nr].fill(1.0);
                ws.flow_basis[p * nr..(p + 1) * nr].fill(false);
            }
        }
    }
    for sh in &m.shocks {
        let v = &ws.vals;
        let start = v[sh.start as usize];
        if v[sh.occurs as usize] < 0.5 || !active(start, v[sh.duration as usize], t) {
            continue;
        }
        match &sh.kind {
            MShockKind::Restriction {
                producers,
                targets,
                severity,
                leakage,
                relief_half_life,
                flow_basis,
                ..
            } => {
                let b = blocked(
                    v[*severity as usize],
                    v[*leakage as usize],
                    relief_half_life.map(|h| v[h as usize]),
                    t as f64 - start,
                );
                if b <= 0.0 {
                    continue;
                }
                // Several restrictions on one flow combine as 1 - prod(1 - b_k).
                for &p in producers {
                    for (r, &hit) in targets.iter().enumerate() {
                        if hit {
                            ws.alpha[p * nr + r] *= 1.0 - b;
                            ws.flow_basis[p * nr + r] |= *flow_basis;
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
                for &s in sectors {
                    ws.surge[s] *= f;
                }
            }
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
    fn active_window_is_half_open() {
        assert!(!active(2.0, 3.0, 1));
        assert!(active(2.0, 3.0, 2) && active(2.0, 3.0, 4));
        assert!(!active(2.0, 3.0, 5));
        assert!(!active(2.0, 0.0, 2));
    }
}
