//! Packages and levers on common random numbers: how much loss each avoids against the base, in
//! the mean and in the bad case (CVaR95), per dollar of cost, and whether levers interact.
//!
//! Every variant (a package, a lever alone, a package without one lever) ran on the same seed
//! and trial indices as the base, so trial `i` of every run saw the same shocks and every effect
//! is a paired, per-trial difference. Loss avoided is `base - variant` of a loss metric (lower is
//! better). Intervals: the mean's is the normal 95% interval of the paired differences
//! (`paired.rs`); the CVaR95 and per-dollar intervals are percentile intervals of a paired
//! bootstrap (trials resampled jointly for every side) with a fixed seed, so they are
//! deterministic.

use super::paired::{Better, paired};
use super::{cvar_upper_sorted, quantile_sorted, sorted};
use crate::sample::stream;
use rand::RngExt;

/// Bootstrap resamples of the CVaR95 and per-dollar intervals.
pub const RESAMPLES: usize = 400;
/// Seed of the bootstrap streams (fixed: the intervals are part of the byte-identical output).
const BOOT_SEED: u64 = 0x706f_7274_666f_6c69;
/// An interaction is flagged when the 95% interval of (effect alone - effect in the package)
/// excludes zero and its mean is at least this share of the larger of the two effects.
pub const INTERACTION_SHARE: f64 = 0.05;

/// An interaction smaller than this share of the base's mean loss is never flagged: a gap of
/// $4 m in a $350 bn problem is not worth a reader's attention, whatever its share of a lever
/// that does almost nothing.
pub const MATERIAL_SHARE: f64 = 1e-3;

/// A value with its 95% interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

/// What one variant does against its reference, trial by trial.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Effect {
    /// Mean loss avoided (reference - variant) and its 95% interval.
    pub mean: Estimate,
    /// CVaR95 of the reference minus CVaR95 of the variant: the bad-case loss avoided.
    pub cvar95: Estimate,
    /// Share of trials where the variant loses strictly less / strictly more.
    pub p_better: f64,
    pub p_worse: f64,
    /// Mean cost of what the variant adds (present-value dollars), and its 5th-95th percentile.
    pub cost: f64,
    pub cost_p5: f64,
    pub cost_p95: f64,
    /// Mean loss avoided per dollar of mean cost; NaN when the cost is 0.
    pub per_dollar: Estimate,
    /// The variant's own mean and CVaR95 of the metric (for the frontier), with the CVaR's Monte
    /// Carlo standard error and 95% interval (`mcse.rs`).
    pub loss_mean: f64,
    pub loss_cvar95: f64,
    pub loss_cvar95_mc: super::Interval,
}

/// Effect of `variant` against `reference` (same trials), with `cost[i]` the cost in trial `i`.
pub fn effect(reference: &[f64], variant: &[f64], cost: &[f64]) -> Effect {
    let n = reference.len();
    assert!(
        variant.len() == n && cost.len() == n,
        "paired slices of one length"
    );
    let p = paired(reference, variant, Better::Lower).expect("same length");
    let (rs, vs) = (sorted(reference), sorted(variant));
    let cvar = cvar_upper_sorted(&rs, 0.95) - cvar_upper_sorted(&vs, 0.95);
    let cost_mean = mean(cost);
    let cs = sorted(cost);
    let per = |avoided: f64, c: f64| if c > 0.0 { avoided / c } else { f64::NAN };
    let avoided_mean = -p.diff.mean;
    // Paired bootstrap of the CVaR difference and of the ratio.
    let (mut boot_cvar, mut boot_ratio) = (Vec::with_capacity(RESAMPLES), Vec::new());
    if n > 1 {
        let (mut r, mut v) = (vec![0.0; n], vec![0.0; n]);
        for b in 0..RESAMPLES {
            let mut rng = stream(BOOT_SEED, b as u64, n as u64);
            let (mut sum_a, mut sum_c) = (0.0, 0.0);
            for k in 0..n {
                let i = rng.random_range(0..n);
                r[k] = reference[i];
                v[k] = variant[i];
                sum_a += reference[i] - variant[i];
                sum_c += cost[i];
            }
            r.sort_by(f64::total_cmp);
            v.sort_by(f64::total_cmp);
            boot_cvar.push(cvar_upper_sorted(&r, 0.95) - cvar_upper_sorted(&v, 0.95));
            if sum_c > 0.0 {
                boot_ratio.push(sum_a / sum_c);
            }
        }
    }
    let interval = |value: f64, boot: &mut Vec<f64>| {
        if boot.len() < RESAMPLES {
            return Estimate {
                value,
                low: f64::NAN,
                high: f64::NAN,
            };
        }
        boot.sort_by(f64::total_cmp);
        Estimate {
            value,
            low: quantile_sorted(boot, 0.025),
            high: quantile_sorted(boot, 0.975),
        }
    };
    // Every trial a tie (within `TIE_TOLERANCE`): the variant changed nothing, and what is left
    // of the difference is rounding from summing in another order.
    if p.diff.p_better == 0.0 && p.diff.p_worse == 0.0 {
        let zero = Estimate {
            value: 0.0,
            low: 0.0,
            high: 0.0,
        };
        return Effect {
            mean: zero,
            cvar95: zero,
            p_better: 0.0,
            p_worse: 0.0,
            cost: cost_mean,
            cost_p5: quantile_sorted(&cs, 0.05),
            cost_p95: quantile_sorted(&cs, 0.95),
            per_dollar: if cost_mean > 0.0 {
                zero
            } else {
                interval(f64::NAN, &mut Vec::new())
            },
            loss_mean: p.policy.mean,
            loss_cvar95: p.policy.cvar95,
            loss_cvar95_mc: p.policy.cvar95_mc,
        };
    }
    Effect {
        mean: Estimate {
            value: avoided_mean,
            low: -p.diff.ci_high,
            high: -p.diff.ci_low,
        },
        cvar95: interval(cvar, &mut boot_cvar),
        p_better: p.diff.p_better,
        p_worse: p.diff.p_worse,
        cost: cost_mean,
        cost_p5: quantile_sorted(&cs, 0.05),
        cost_p95: quantile_sorted(&cs, 0.95),
        per_dollar: interval(per(avoided_mean, cost_mean), &mut boot_ratio),
        loss_mean: p.policy.mean,
        loss_cvar95: p.policy.cvar95,
        loss_cvar95_mc: p.policy.cvar95_mc,
    }
}

fn mean(x: &[f64]) -> f64 {
    if x.is_empty() {
        f64::NAN
    } else {
        x.iter().sum::<f64>() / x.len() as f64
    }
}

/// How the effect of some levers together differs from the sum of their effects apart.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interaction {
    /// Mean of (sum of the effects apart - the effect together), per trial, with its 95% interval:
    /// positive = overlap (together they avoid less than the sum), negative = synergy.
    pub gap: Estimate,
    /// The gap is clear (interval excludes 0) and material (at least `INTERACTION_SHARE` of the
    /// larger side).
    pub flagged: bool,
}

impl Interaction {
    /// "overlap", "synergy" or "none".
    pub fn word(&self) -> &'static str {
        match (self.flagged, self.gap.value > 0.0) {
            (false, _) => "none",
            (true, true) => "overlap",
            (true, false) => "synergy",
        }
    }
}

/// Interaction of per-trial effects: `apart[i]` the sum of the separate effects in trial `i`,
/// `together[i]` the joint effect. A gap of at most `floor` is never flagged.
pub fn interaction(apart: &[f64], together: &[f64], floor: f64) -> Interaction {
    let n = apart.len();
    let gap: Vec<f64> = apart.iter().zip(together).map(|(a, t)| a - t).collect();
    let m = mean(&gap);
    let se = if n < 2 {
        f64::NAN
    } else {
        (gap.iter().map(|g| (g - m) * (g - m)).sum::<f64>() / (n - 1) as f64 / n as f64).sqrt()
    };
    const Z95: f64 = 1.959_963_984_540_054;
    let (low, high) = (m - Z95 * se, m + Z95 * se);
    let scale = mean(apart).abs().max(mean(together).abs());
    let flagged = (low > 0.0 || high < 0.0)
        && m.abs() >= INTERACTION_SHARE * scale
        && m.abs() > floor
        && scale > 0.0;
    Interaction {
        gap: Estimate {
            value: m,
            low,
            high,
        },
        flagged,
    }
}

/// One lever of a package.
#[derive(Debug, Clone, PartialEq)]
pub struct LeverResult {
    pub name: String,
    /// Ids of the policies the lever switches.
    pub policies: Vec<String>,
    /// The lever alone against the base (cost: the lever's).
    pub alone: Effect,
    /// What the lever adds to the rest of the package: package without it minus the package
    /// (cost: the lever's).
    pub in_package: Effect,
    /// Alone minus in the package.
    pub interaction: Interaction,
}

/// One package: the whole against the base, each lever, and the sum of the levers alone
/// against the whole.
#[derive(Debug, Clone, PartialEq)]
pub struct PackageResult {
    pub name: String,
    pub file: String,
    pub whole: Effect,
    pub levers: Vec<LeverResult>,
    /// Sum of the levers alone minus the whole package.
    pub interaction: Interaction,
    /// Policies without a `cost` (counted as 0).
    pub uncosted: Vec<String>,
}

/// Per-trial metric values and costs of one package's runs.
pub struct PackageRuns<'a> {
    pub name: String,
    pub file: String,
    pub whole: &'a [f64],
    pub whole_cost: &'a [f64],
    /// Per lever: name, policies, values alone, values without it, the lever's cost.
    pub levers: Vec<LeverRuns<'a>>,
    pub uncosted: Vec<String>,
}

pub struct LeverRuns<'a> {
    pub name: String,
    pub policies: Vec<String>,
    pub alone: &'a [f64],
    pub without: &'a [f64],
    pub cost: &'a [f64],
}

/// Every effect of one package against `base`.
pub fn package(base: &[f64], runs: &PackageRuns<'_>) -> PackageResult {
    let whole = effect(base, runs.whole, runs.whole_cost);
    let n = base.len();
    // Gaps below `MATERIAL_SHARE` of the base's mean loss are too small to matter (and include
    // rounding).
    let floor = MATERIAL_SHARE * mean(&base.iter().map(|b| b.abs()).collect::<Vec<_>>());
    let mut sum_alone = vec![0.0; n];
    let whole_avoided: Vec<f64> = base.iter().zip(runs.whole).map(|(b, w)| b - w).collect();
    let levers = runs
        .levers
        .iter()
        .map(|l| {
            let alone_avoided: Vec<f64> = base.iter().zip(l.alone).map(|(b, a)| b - a).collect();
            let marginal: Vec<f64> = l
                .without
                .iter()
                .zip(runs.whole)
                .map(|(o, w)| o - w)
                .collect();
            for (s, a) in sum_alone.iter_mut().zip(&alone_avoided) {
                *s += a;
            }
            LeverResult {
                name: l.name.clone(),
                policies: l.policies.clone(),
                alone: effect(base, l.alone, l.cost),
                in_package: effect(l.without, runs.whole, l.cost),
                interaction: interaction(&alone_avoided, &marginal, floor),
            }
        })
        .collect();
    PackageResult {
        name: runs.name.clone(),
        file: runs.file.clone(),
        whole,
        levers,
        interaction: interaction(&sum_alone, &whole_avoided, floor),
        uncosted: runs.uncosted.clone(),
    }
}

/// A point of the efficient-frontier chart: mean cost against the bad-case loss.
#[derive(Debug, Clone, PartialEq)]
pub struct FrontierPoint {
    pub label: String,
    /// "base", "package", "lever alone" or "package without a lever".
    pub kind: &'static str,
    pub cost: f64,
    pub loss_cvar95: f64,
    pub loss_mean: f64,
    /// No other point costs less (or the same) and has a lower (or equal, and strictly better in
    /// one) bad-case loss.
    pub efficient: bool,
}

/// Marks the points no other point dominates (cheaper or equal and no worse in CVaR95, better in
/// one); ties keep both.
pub fn mark_frontier(points: &mut [FrontierPoint]) {
    let all: Vec<(f64, f64)> = points.iter().map(|p| (p.cost, p.loss_cvar95)).collect();
    for p in points.iter_mut() {
        p.efficient = !all
            .iter()
            .any(|&(c, l)| c <= p.cost && l <= p.loss_cvar95 && (c < p.cost || l < p.loss_cvar95));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effect_of_a_constant_saving_is_exact() {
        let base: Vec<f64> = (0..100).map(|i| 10.0 + f64::from(i)).collect();
        let variant: Vec<f64> = base.iter().map(|b| b - 4.0).collect();
        let cost = vec![2.0; 100];
        let e = effect(&base, &variant, &cost);
        assert!((e.mean.value - 4.0).abs() < 1e-12);
        assert!((e.mean.low - 4.0).abs() < 1e-9 && (e.mean.high - 4.0).abs() < 1e-9);
        assert!((e.cvar95.value - 4.0).abs() < 1e-12);
        assert!((e.cvar95.low - 4.0).abs() < 1e-9, "{:?}", e.cvar95);
        assert!((e.per_dollar.value - 2.0).abs() < 1e-12);
        assert!((e.per_dollar.low - 2.0).abs() < 1e-9);
        assert_eq!(e.p_better, 1.0);
        assert_eq!(e.cost, 2.0);
    }

    #[test]
    fn a_variant_that_ties_every_trial_avoids_exactly_nothing() {
        let base = [3.0, 4.0, 5.0];
        let e = effect(&base, &[3.0 + 1e-12, 4.0, 5.0 - 1e-12], &[1.0; 3]);
        assert_eq!(
            (e.mean.value, e.cvar95.value, e.per_dollar.value),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn zero_cost_has_no_per_dollar_figure() {
        let e = effect(&[3.0, 4.0], &[1.0, 1.0], &[0.0, 0.0]);
        assert!(e.per_dollar.value.is_nan() && e.per_dollar.low.is_nan());
    }

    #[test]
    fn interaction_flags_only_a_clear_material_gap() {
        let apart = vec![2.0; 50];
        assert!(!interaction(&apart, &apart, 0.0).flagged);
        // Below the rounding floor nothing is flagged.
        assert!(!interaction(&apart, &[1.0; 50], 1.5).flagged);
        let together = vec![1.0; 50];
        let i = interaction(&apart, &together, 0.0);
        assert!(i.flagged && i.word() == "overlap", "{i:?}");
        let more = vec![3.0; 50];
        assert_eq!(interaction(&apart, &more, 0.0).word(), "synergy");
        // A 1% gap is clear but not material.
        let close = vec![1.98; 50];
        assert!(!interaction(&apart, &close, 0.0).flagged);
    }

    #[test]
    fn frontier_keeps_undominated_points() {
        let pt = |c: f64, l: f64| FrontierPoint {
            label: String::new(),
            kind: "package",
            cost: c,
            loss_cvar95: l,
            loss_mean: l,
            efficient: false,
        };
        let mut p = vec![pt(0.0, 10.0), pt(1.0, 8.0), pt(2.0, 9.0), pt(3.0, 5.0)];
        mark_frontier(&mut p);
        let e: Vec<bool> = p.iter().map(|p| p.efficient).collect();
        assert_eq!(e, vec![true, true, false, true]);
    }
}
