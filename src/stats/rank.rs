//! Spearman rank correlation of sampled parameters with metrics: which uncertain inputs drive the
//! outcome (tornado charts). Rank correlation, not Pearson, because the model is monotone but far
//! from linear in most inputs (a ban's duration drives loss only once inventories are gone).

use rayon::prelude::*;

use crate::run::RunResults;

/// 1-based ranks of `values`; tied values share the average of the ranks they span, so the result
/// does not depend on the order in which ties are visited.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    // (value, index) pairs are all distinct, so an unstable sort is exact; integer keys make the
    // comparisons cheap (`stats::total_key`).
    let mut keyed: Vec<(u64, usize)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (super::total_key(v), i))
        .collect();
    keyed.sort_unstable();
    let order: Vec<usize> = keyed.into_iter().map(|(_, i)| i).collect();
    let mut r = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i + 1;
        while j < order.len() && values[order[j]] == values[order[i]] {
            j += 1;
        }
        // Positions i..j (0-based) hold ranks i+1..=j; their average is (i + 1 + j) / 2.
        let avg = (i + 1 + j) as f64 / 2.0;
        for &k in &order[i..j] {
            r[k] = avg;
        }
        i = j;
    }
    r
}

/// Pearson correlation of two equally long columns; `None` when either is constant (no variation
/// to correlate with) or there are fewer than two values.
fn pearson(x: &[f64], y: &[f64]) -> Option<f64> {
    let n = x.len();
    if n < 2 || y.len() != n {
        return None;
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Spearman's rho: the Pearson correlation of the average ranks. `None` when either column is
/// constant (a parameter that did not vary, or a metric that was the same in every trial), since
/// no correlation is defined there; callers leave such pairs out.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() {
        return None;
    }
    pearson(&ranks(x), &ranks(y))
}

/// One sensitivity: how strongly the rank of `param` moves with the rank of `metric`.
#[derive(Debug, Clone, PartialEq)]
pub struct Sensitivity {
    pub param: String,
    pub metric: String,
    pub rho: f64,
}

/// Whether a metric is a key metric for sensitivity: value lost by the world, each region and each
/// sector, and each sector's mean output loss.
pub fn is_key_metric(name: &str) -> bool {
    name == "world.value_lost"
        || (name.starts_with("region.") && name.ends_with(".value_lost"))
        || (name.starts_with("sector.")
            && (name.ends_with(".value_lost") || name.ends_with(".mean_loss")))
}

/// Spearman correlation of every sampled parameter with every key metric of `results`. Metrics come
/// in the run's order; within a metric the strongest correlations (by |rho|) first, ties by
/// parameter path. Pairs where the parameter or the metric is constant over the trials are left
/// out, so a metric that never varied has no rows.
pub fn sensitivities(results: &RunResults) -> Vec<Sensitivity> {
    let metrics: Vec<usize> = (0..results.metric_names.len())
        .filter(|&m| is_key_metric(&results.metric_names[m]))
        .collect();
    correlate(
        results,
        metrics
            .par_iter()
            .map(|&m| (m, results.metric_values(m)))
            .collect(),
        &results.metric_names,
    )
}

/// Spearman correlation of the policy run's sampled parameters with the per-trial difference
/// `policy - base` of every key metric both runs report: which uncertainties decide how much the
/// policy saves. Shared parameters hold the same value on both sides (common random numbers), so
/// the policy run's parameters describe both. Ordered and filtered as `sensitivities`. Empty when
/// the runs hold different numbers of trials.
pub fn difference_sensitivities(base: &RunResults, policy: &RunResults) -> Vec<Sensitivity> {
    if base.trials != policy.trials {
        return Vec::new();
    }
    let pairs: Vec<(usize, usize)> = (0..policy.metric_names.len())
        .filter(|&m| is_key_metric(&policy.metric_names[m]))
        .filter_map(|m| base.metric_index(&policy.metric_names[m]).map(|b| (m, b)))
        .collect();
    let diffs = pairs
        .par_iter()
        .map(|&(m, b)| {
            let d = policy
                .metric_values(m)
                .iter()
                .zip(base.metric_values(b))
                .map(|(p, b)| p - b)
                .collect();
            (m, d)
        })
        .collect();
    correlate(policy, diffs, &policy.metric_names)
}

/// Rank correlations of `results`' parameters with metric columns `(name index, values)`.
fn correlate(
    results: &RunResults,
    columns: Vec<(usize, Vec<f64>)>,
    names: &[String],
) -> Vec<Sensitivity> {
    let param_ranks: Vec<Vec<f64>> = (0..results.param_paths.len())
        .into_par_iter()
        .map(|k| ranks(&results.param_values(k)))
        .collect();
    let per_metric: Vec<Vec<Sensitivity>> = columns
        .par_iter()
        .map(|(m, values)| {
            let y = ranks(values);
            let mut rows: Vec<Sensitivity> = param_ranks
                .iter()
                .enumerate()
                .filter_map(|(k, x)| {
                    pearson(x, &y).map(|rho| Sensitivity {
                        param: results.param_paths[k].clone(),
                        metric: names[*m].clone(),
                        rho,
                    })
                })
                .collect();
            rows.sort_by(|a, b| {
                b.rho
                    .abs()
                    .total_cmp(&a.rho.abs())
                    .then_with(|| a.param.cmp(&b.param))
            });
            rows
        })
        .collect();
    per_metric.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 30.0]), vec![1.0, 2.0, 3.0]);
        assert_eq!(ranks(&[3.0, 1.0, 3.0, 2.0]), vec![3.5, 1.0, 3.5, 2.0]);
        assert_eq!(ranks(&[5.0, 5.0, 5.0]), vec![2.0, 2.0, 2.0]);
        assert!(ranks(&[]).is_empty());
    }

    #[test]
    fn monotone_relations_are_plus_or_minus_one() {
        let x: Vec<f64> = (1..=20).map(f64::from).collect();
        let up: Vec<f64> = x.iter().map(|v| v.powi(3) + 2.0).collect();
        let down: Vec<f64> = x.iter().map(|v| (-v).exp()).collect();
        assert_eq!(spearman(&x, &up), Some(1.0));
        assert_eq!(spearman(&x, &down), Some(-1.0));
    }

    #[test]
    fn known_small_example_without_ties() {
        // Ranks x: 1..5, y: 2 1 4 3 5 -> d^2 = 1+1+1+1+0 = 4, rho = 1 - 6*4/(5*24) = 0.8.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [20.0, 10.0, 40.0, 30.0, 50.0];
        assert!((spearman(&x, &y).unwrap() - 0.8).abs() < 1e-12);
    }

    #[test]
    fn known_small_example_with_ties() {
        // x ranks 1.5 1.5 3 4; y ranks 1 2 3.5 3.5. Pearson of the ranks, by hand:
        // means 2.5; dx = -1 -1 .5 1.5, dy = -1.5 -.5 1 1;
        // sxy = 1.5+.5+.5+1.5 = 4, sxx = 1+1+.25+2.25 = 4.5, syy = 2.25+.25+1+1 = 4.5 -> 4/4.5.
        let x = [1.0, 1.0, 2.0, 3.0];
        let y = [0.0, 1.0, 2.0, 2.0];
        assert!((spearman(&x, &y).unwrap() - 4.0 / 4.5).abs() < 1e-12);
    }

    #[test]
    fn constant_columns_have_no_correlation() {
        assert_eq!(spearman(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None);
        assert_eq!(spearman(&[1.0, 2.0, 3.0], &[0.0, 0.0, 0.0]), None);
        assert_eq!(spearman(&[1.0], &[2.0]), None);
        assert_eq!(spearman(&[1.0, 2.0], &[2.0]), None);
    }

    #[test]
    fn key_metrics() {
        for m in [
            "world.value_lost",
            "region.US.value_lost",
            "sector.US.ev.value_lost",
            "sector.US.ev.mean_loss",
        ] {
            assert!(is_key_metric(m), "{m}");
        }
        for m in [
            "sector.US.ev.peak_loss",
            "price.US.gallium.peak",
            "unmet.US.gallium",
        ] {
            assert!(!is_key_metric(m), "{m}");
        }
    }

    fn results(params: &[(&str, Vec<f64>)], metrics: &[(&str, Vec<f64>)]) -> RunResults {
        RunResults::from_columns(1, 1, params, metrics)
    }

    #[test]
    fn sensitivities_order_by_strength_and_skip_constants() {
        let r = results(
            &[
                ("shock.a.duration", vec![1.0, 2.0, 3.0, 4.0]),
                ("shock.a.severity", vec![0.5, 0.5, 0.5, 0.5]),
                ("policy.s.release", vec![4.0, 3.0, 1.0, 2.0]),
            ],
            &[
                ("world.value_lost", vec![10.0, 20.0, 30.0, 40.0]),
                ("price.US.x.peak", vec![1.0, 2.0, 3.0, 4.0]),
                ("region.US.value_lost", vec![0.0, 0.0, 0.0, 0.0]),
            ],
        );
        let s = sensitivities(&r);
        assert_eq!(s.len(), 2, "{s:?}");
        assert_eq!(s[0].param, "shock.a.duration");
        assert_eq!(s[0].metric, "world.value_lost");
        assert_eq!(s[0].rho, 1.0);
        assert_eq!(s[1].param, "policy.s.release");
        // ranks 4 3 1 2 vs 1 2 3 4: d^2 = 9+1+4+4 = 18, rho = 1 - 6*18/(4*15) = -0.8.
        assert!((s[1].rho + 0.8).abs() < 1e-12);
    }

    #[test]
    fn difference_sensitivity_finds_what_decides_the_saving() {
        // A reserve covering 3 periods saves min(duration, 3); its size is constant (no rows).
        let d = vec![1.0, 5.0, 2.0, 8.0, 3.0, 6.0];
        let base = results(
            &[("shock.a.duration", d.clone())],
            &[("world.value_lost", d.clone()), ("unmet.M.x", d.clone())],
        );
        let policy = results(
            &[
                ("shock.a.duration", d.clone()),
                ("policy.r.initial", vec![3.0; 6]),
            ],
            &[(
                "world.value_lost",
                d.iter().map(|v| (v - 3.0f64).max(0.0)).collect(),
            )],
        );
        let s = difference_sensitivities(&base, &policy);
        assert_eq!(s.len(), 1, "{s:?}");
        assert_eq!(
            (s[0].param.as_str(), s[0].metric.as_str()),
            ("shock.a.duration", "world.value_lost")
        );
        // difference = -min(d, 3) = -1 -3 -2 -3 -3 -3, average ranks 6 2.5 5 2.5 2.5 2.5; ranks of
        // d 1 4 2 6 3 5. By hand: sxy = -12.5, sxx = 17.5, syy = 12.5, rho = -sqrt(5/7). A longer
        // ban never saves less.
        assert!(
            (s[0].rho + (5.0f64 / 7.0).sqrt()).abs() < 1e-12,
            "{}",
            s[0].rho
        );
        let short = results(
            &[("shock.a.duration", vec![1.0])],
            &[("world.value_lost", vec![1.0])],
        );
        assert!(difference_sensitivities(&short, &policy).is_empty());
    }
}
