//! Scenario discovery by PRIM, the Patient Rule Induction Method (Friedman and Fisher 1999, as
//! used for scenario discovery by Bryant and Lempert 2010): find a box of parameter ranges inside
//! which bad trials are much denser than overall.
//!
//! Peeling: repeatedly remove the `alpha` share of the box's trials from one side of one parameter
//! (all trials at the edge value when ties make the share larger, as for 0/1 events), choosing the
//! peel with the largest gain in the share of bad trials per trial removed, until the box holds
//! less than `min_mass` of the trials. The peeling is fitted on the even trials; on the odd trials
//! (a holdout) the densest box of the trajectory whose coverage is at least `min_coverage` is
//! chosen, and restrictions whose removal costs less than `prune` (or one standard error) of
//! density are dropped, so the box names only the parameters that matter rather than noise.

/// Tuning of the peeling.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimOptions {
    pub alpha: f64,
    pub min_mass: f64,
    pub min_coverage: f64,
    pub prune: f64,
}

impl Default for PrimOptions {
    fn default() -> Self {
        PrimOptions {
            alpha: 0.05,
            min_mass: 0.05,
            min_coverage: 0.5,
            prune: 0.01,
        }
    }
}

/// One restricted parameter of a box: `low <= x <= high` (an infinite bound is no bound).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub dim: usize,
    pub low: f64,
    pub high: f64,
}

/// A box and how well it describes the bad trials.
#[derive(Debug, Clone, PartialEq)]
pub struct PrimBox {
    /// Restricted parameters, by dimension.
    pub limits: Vec<Limit>,
    /// Trials in the box, and bad trials among them.
    pub trials: usize,
    pub bad: usize,
    /// Share of all bad trials that fall in the box.
    pub coverage: f64,
    /// Share of the box's trials that are bad.
    pub density: f64,
    /// Share of all trials in the box.
    pub mass: f64,
    /// Binomial standard errors of coverage and density (in-sample: the box was fitted to the
    /// same trials, so they understate the uncertainty of a new sample).
    pub coverage_se: f64,
    pub density_se: f64,
    /// Whether the box was fitted on the even trials and chosen on the odd ones; then the
    /// holdout figures are measured on the odd (out-of-sample for the peeling) trials only.
    pub holdout: bool,
    pub holdout_density: f64,
    pub holdout_coverage: f64,
}

/// One box of the peeling trajectory, measured on the holdout trials.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Step {
    pub coverage: f64,
    pub density: f64,
    pub mass: f64,
    pub restricted: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Discovery {
    pub trials: usize,
    pub bad: usize,
    /// Share of bad trials overall (the density of the unrestricted box).
    pub base_density: f64,
    pub trajectory: Vec<Step>,
    /// `None` when no trial is bad (or every one is).
    pub found: Option<PrimBox>,
}

type Bounds = Vec<(f64, f64)>;

fn inside(cols: &[Vec<f64>], b: &Bounds, i: usize) -> bool {
    cols.iter()
        .zip(b)
        .all(|(c, &(lo, hi))| c[i] >= lo && c[i] <= hi)
}

fn count(
    cols: &[Vec<f64>],
    bad: &[bool],
    b: &Bounds,
    of: &dyn Fn(usize) -> bool,
) -> (usize, usize) {
    let (mut n, mut k) = (0, 0);
    for (i, &is_bad) in bad.iter().enumerate() {
        if of(i) && inside(cols, b, i) {
            n += 1;
            k += usize::from(is_bad);
        }
    }
    (n, k)
}

fn make_box(bounds: &Bounds, n: usize, k: usize, total: usize, total_bad: usize) -> PrimBox {
    let coverage = k as f64 / total_bad as f64;
    let density = if n > 0 { k as f64 / n as f64 } else { 0.0 };
    PrimBox {
        limits: bounds
            .iter()
            .enumerate()
            .filter(|(_, (lo, hi))| lo.is_finite() || hi.is_finite())
            .map(|(dim, &(low, high))| Limit { dim, low, high })
            .collect(),
        trials: n,
        bad: k,
        coverage,
        density,
        mass: n as f64 / total as f64,
        coverage_se: (coverage * (1.0 - coverage) / total_bad as f64).sqrt(),
        density_se: if n > 0 {
            (density * (1.0 - density) / n as f64).sqrt()
        } else {
            f64::NAN
        },
        holdout: false,
        holdout_density: density,
        holdout_coverage: coverage,
    }
}

/// PRIM over parameter columns `cols` (each one value per trial) and the bad trials `bad`.
pub fn prim(cols: &[Vec<f64>], bad: &[bool], opts: &PrimOptions) -> Discovery {
    let total = bad.len();
    let total_bad = bad.iter().filter(|&&b| b).count();
    let base_density = if total > 0 {
        total_bad as f64 / total as f64
    } else {
        0.0
    };
    let mut d = Discovery {
        trials: total,
        bad: total_bad,
        base_density,
        trajectory: Vec::new(),
        found: None,
    };
    if total_bad == 0 || total_bad == total {
        return d;
    }
    let unbounded = (f64::NEG_INFINITY, f64::INFINITY);
    let mut bounds: Bounds = vec![unbounded; cols.len()];
    // Even trials fit the peeling, odd trials choose and prune the box (a holdout against boxes
    // that fit noise); tiny runs use every trial for both.
    let split = total >= 40
        && (0..total).any(|i| i.is_multiple_of(2) && bad[i])
        && (0..total).any(|i| i % 2 == 1 && bad[i]);
    let fit = move |i: usize| !split || i.is_multiple_of(2);
    let check = move |i: usize| !split || i % 2 == 1;
    let (check_n, check_bad) = count(cols, bad, &bounds, &check);
    let mut members: Vec<usize> = (0..total).filter(|&i| fit(i)).collect();
    let mut history: Vec<Bounds> = vec![bounds.clone()];
    let step = |b: &Bounds| {
        let (n, k) = count(cols, bad, b, &check);
        Step {
            coverage: k as f64 / check_bad as f64,
            density: if n > 0 { k as f64 / n as f64 } else { 0.0 },
            mass: n as f64 / check_n as f64,
            restricted: b
                .iter()
                .filter(|(lo, hi)| lo.is_finite() || hi.is_finite())
                .count(),
        }
    };
    d.trajectory.push(step(&bounds));
    let min_n = (opts.min_mass * members.len() as f64).ceil() as usize;
    while members.len() > min_n {
        let now = members.iter().filter(|&&i| bad[i]).count() as f64 / members.len() as f64;
        // (gain per trial removed, trials left, dim, is low side, new bound)
        let mut best: Option<(f64, usize, usize, bool, f64)> = None;
        for (dim, col) in cols.iter().enumerate() {
            let mut v: Vec<f64> = members.iter().map(|&i| col[i]).collect();
            v.sort_by(f64::total_cmp);
            let (lo, hi) = (v[0], v[v.len() - 1]);
            if lo == hi {
                continue;
            }
            let m = v.len();
            let q = ((opts.alpha * m as f64).floor() as usize).clamp(1, m - 1);
            for low_side in [true, false] {
                // Trials kept: strictly above the cut on the low side, strictly below on the
                // high side; ties at the edge go together.
                let cut = if low_side { v[q - 1] } else { v[m - q] };
                let keep = |x: f64| if low_side { x > cut } else { x < cut };
                let (mut n, mut k) = (0usize, 0usize);
                let (mut new_lo, mut new_hi) = (f64::INFINITY, f64::NEG_INFINITY);
                for &i in &members {
                    if keep(col[i]) {
                        n += 1;
                        k += usize::from(bad[i]);
                        new_lo = new_lo.min(col[i]);
                        new_hi = new_hi.max(col[i]);
                    }
                }
                if n == 0 {
                    continue;
                }
                let dens = k as f64 / n as f64;
                // Gain in density per trial removed (Friedman and Fisher): a peel that ties
                // make larger than `alpha` (a 0/1 event) must earn its size.
                let gain = (dens - now) / (m - n) as f64;
                let bound = if low_side { new_lo } else { new_hi };
                let better = match best {
                    None => true,
                    Some((bg, bn, ..)) => gain > bg || (gain == bg && n > bn),
                };
                if better {
                    best = Some((gain, n, dim, low_side, bound));
                }
            }
        }
        let Some((_, _, dim, low_side, bound)) = best else {
            break;
        };
        if low_side {
            bounds[dim].0 = bound;
        } else {
            bounds[dim].1 = bound;
        }
        members.retain(|&i| cols[dim][i] >= bounds[dim].0 && cols[dim][i] <= bounds[dim].1);
        d.trajectory.push(step(&bounds));
        history.push(bounds.clone());
    }
    // The densest box with enough coverage (the first box always qualifies).
    let mut pick = 0;
    for (i, s) in d.trajectory.iter().enumerate() {
        if s.coverage >= opts.min_coverage && s.density > d.trajectory[pick].density {
            pick = i;
        }
    }
    let mut chosen = history[pick].clone();
    let (mut n, mut k) = count(cols, bad, &chosen, &check);
    // Drop restrictions that do not earn their place on the holdout (removing them costs less
    // than `prune` or one standard error of density), weakest first.
    loop {
        let density = k as f64 / n as f64;
        let tol = opts
            .prune
            .max((density * (1.0 - density) / n as f64).sqrt());
        let mut drop: Option<(f64, usize, usize, usize)> = None;
        for dim in 0..chosen.len() {
            if chosen[dim] == unbounded {
                continue;
            }
            let mut trial = chosen.clone();
            trial[dim] = unbounded;
            let (tn, tk) = count(cols, bad, &trial, &check);
            let td = tk as f64 / tn as f64;
            if density - td < tol && drop.is_none_or(|(bd, ..)| td > bd) {
                drop = Some((td, dim, tn, tk));
            }
        }
        match drop {
            Some((_, dim, tn, tk)) => {
                chosen[dim] = unbounded;
                (n, k) = (tn, tk);
            }
            None => break,
        }
    }
    let (an, ak) = count(cols, bad, &chosen, &|_| true);
    let mut b = make_box(&chosen, an, ak, total, total_bad);
    (b.holdout_density, b.holdout_coverage) = (k as f64 / n as f64, k as f64 / check_bad as f64);
    b.holdout = split;
    d.found = Some(b);
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::stream;
    use rand::RngExt;

    /// Three uniform inputs; trials are bad inside x0 > 0.7 and x1 < 0.4, plus 2% noise anywhere.
    fn planted(n: usize) -> (Vec<Vec<f64>>, Vec<bool>) {
        let mut cols: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(n)).collect();
        let mut bad = Vec::with_capacity(n);
        for t in 0..n {
            let mut rng = stream(1, t as u64, 7);
            let x: Vec<f64> = (0..3).map(|_| rng.random::<f64>()).collect();
            // A 0/1 event that plays no part.
            let e = f64::from(u8::from(rng.random::<f64>() < 0.5));
            let noise = rng.random::<f64>() < 0.02;
            bad.push((x[0] > 0.7 && x[1] < 0.4) || noise);
            for (c, v) in cols.iter_mut().zip([x[0], x[1], x[2], e]) {
                c.push(v);
            }
        }
        (cols, bad)
    }

    #[test]
    fn finds_a_planted_box_and_only_its_parameters() {
        let (cols, bad) = planted(5000);
        let d = prim(&cols, &bad, &PrimOptions::default());
        let b = d.found.expect("a box");
        let dims: Vec<usize> = b.limits.iter().map(|l| l.dim).collect();
        assert_eq!(dims, [0, 1], "{b:?}");
        let (x0, x1) = (b.limits[0], b.limits[1]);
        assert!(
            (x0.low - 0.7).abs() < 0.05 && x0.high.is_infinite(),
            "{x0:?}"
        );
        assert!(
            (x1.high - 0.4).abs() < 0.05 && x1.low.is_infinite(),
            "{x1:?}"
        );
        assert!(b.density > 0.85 && b.coverage > 0.75, "{b:?}");
        assert!(d.base_density < 0.2);
        assert!(
            b.holdout && b.holdout_density > 0.8 && b.holdout_coverage > 0.7,
            "{b:?}"
        );
        // Coverage and density are the shares they claim to be.
        assert_eq!(b.coverage, b.bad as f64 / d.bad as f64);
        assert_eq!(b.density, b.bad as f64 / b.trials as f64);
        // The trajectory starts at the whole space and ends near the minimum mass.
        assert_eq!(d.trajectory[0].mass, 1.0);
        assert!(d.trajectory.last().unwrap().mass <= 0.06);
    }

    #[test]
    fn peels_a_yes_no_event_by_its_value() {
        // Bad only when the event happens and x0 is high.
        let (cols, _) = planted(4000);
        let bad: Vec<bool> = (0..4000)
            .map(|i| cols[3][i] == 1.0 && cols[0][i] > 0.5)
            .collect();
        let b = prim(&cols, &bad, &PrimOptions::default()).found.unwrap();
        let ev = b
            .limits
            .iter()
            .find(|l| l.dim == 3)
            .expect("the event is restricted");
        assert_eq!(ev.low, 1.0);
        assert!(ev.high >= 1.0);
        assert_eq!(b.density, 1.0);
    }

    #[test]
    fn many_idle_parameters_do_not_enter_the_box() {
        // 60 parameters, bad trials (about 8%) only where x0 > 0.8 and x1 > 0.6.
        let n = 4000;
        let cols: Vec<Vec<f64>> = (0..60)
            .map(|d| {
                (0..n)
                    .map(|t| stream(2, t as u64, 100 + d).random::<f64>())
                    .collect()
            })
            .collect();
        let bad: Vec<bool> = (0..n)
            .map(|t| cols[0][t] > 0.8 && cols[1][t] > 0.6)
            .collect();
        let b = prim(&cols, &bad, &PrimOptions::default()).found.unwrap();
        let dims: Vec<usize> = b.limits.iter().map(|l| l.dim).collect();
        assert_eq!(dims, [0, 1], "{b:?}");
        assert!(b.holdout_density > 0.85, "{b:?}");
    }

    #[test]
    fn nothing_to_find_without_bad_trials() {
        let (cols, _) = planted(100);
        let d = prim(&cols, &[false; 100], &PrimOptions::default());
        assert!(d.found.is_none());
        assert_eq!(d.bad, 0);
    }
}
