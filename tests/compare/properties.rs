//! Properties of the paired statistics and rank correlations on random inputs.

use chokepoint::stats::paired::{Better, paired};
use chokepoint::stats::rank::{ranks, spearman};
use proptest::prelude::*;

/// Per-trial values on a coarse grid so ties occur, as they do for losses that are often 0.
fn values(n: std::ops::Range<usize>) -> impl Strategy<Value = Vec<f64>> {
    prop::collection::vec((0u32..20).prop_map(|k| f64::from(k) * 0.25), n)
}

fn pairs() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (2usize..60).prop_flat_map(|n| (values(n..n + 1), values(n..n + 1)))
}

proptest! {
    #[test]
    fn shares_sum_to_one_and_mean_difference_is_difference_of_means((b, p) in pairs()) {
        let r = paired(&b, &p, Better::Lower).unwrap();
        let d = r.diff;
        prop_assert!((d.p_better + d.p_tie + d.p_worse - 1.0).abs() < 1e-12);
        prop_assert!((d.mean - (r.policy.mean - r.base.mean)).abs() < 1e-9);
        prop_assert!(d.ci_low <= d.mean && d.mean <= d.ci_high);
        prop_assert!(d.p5 <= d.p25 && d.p25 <= d.p50 && d.p50 <= d.p75 && d.p75 <= d.p95);
    }

    #[test]
    fn swapping_sides_mirrors_the_result((b, p) in pairs()) {
        let fwd = paired(&b, &p, Better::Lower).unwrap().diff;
        let back = paired(&p, &b, Better::Lower).unwrap().diff;
        prop_assert!((fwd.mean + back.mean).abs() < 1e-12);
        prop_assert_eq!(fwd.p_better, back.p_worse);
        prop_assert_eq!(fwd.p_tie, back.p_tie);
        prop_assert!((fwd.se - back.se).abs() < 1e-12);
        prop_assert!((fwd.p50 + back.p50).abs() < 1e-12);
        // The direction only relabels better and worse.
        let higher = paired(&b, &p, Better::Higher).unwrap().diff;
        prop_assert_eq!(fwd.p_better, higher.p_worse);
    }

    #[test]
    fn a_policy_never_worse_has_no_worse_trials((b, cut) in pairs()) {
        let p: Vec<f64> = b.iter().zip(&cut).map(|(x, c)| (x - c).max(0.0)).collect();
        let d = paired(&b, &p, Better::Lower).unwrap().diff;
        prop_assert_eq!(d.p_worse, 0.0);
        prop_assert!(d.mean <= 0.0 && d.p95 <= 0.0);
    }

    #[test]
    fn ranks_sum_like_one_to_n(v in values(0..60)) {
        let n = v.len() as f64;
        let r = ranks(&v);
        prop_assert!((r.iter().sum::<f64>() - n * (n + 1.0) / 2.0).abs() < 1e-9);
    }

    #[test]
    fn spearman_is_bounded_symmetric_and_rank_invariant((x, y) in pairs()) {
        match spearman(&x, &y) {
            None => {
                let constant = |v: &[f64]| v.iter().all(|a| *a == v[0]);
                prop_assert!(constant(&x) || constant(&y));
            }
            Some(rho) => {
                prop_assert!((-1.0..=1.0).contains(&rho));
                prop_assert_eq!(spearman(&y, &x), Some(rho));
                // A strictly increasing transform keeps every rank.
                let t: Vec<f64> = x.iter().map(|a| (a * 3.0).exp() - 7.0).collect();
                prop_assert!((spearman(&t, &y).unwrap() - rho).abs() < 1e-12);
                // A decreasing one flips the sign.
                let neg: Vec<f64> = x.iter().map(|a| -a).collect();
                prop_assert!((spearman(&neg, &y).unwrap() + rho).abs() < 1e-12);
                prop_assert!((spearman(&x, &x).unwrap() - 1.0).abs() < 1e-12);
            }
        }
    }
}
