//! Morris elementary effects from a Morris design (`Design::Morris`): per parameter the mean
//! effect `mu`, the mean absolute effect `mu*` (importance) and the standard deviation `sigma`
//! (non-linearity or interactions), with a percentile bootstrap interval of `mu*` over
//! trajectories. An effect is `(f(after) - f(before)) / (x_after - x_before)` with `x` the grid
//! position in [0, 1] of the step that moved the parameter (Morris 1991; `mu*` of Campolongo et
//! al. 2007), so a change of the metric per full-range move of the parameter.
//!
//! An uncertain event is a binary factor: the design switches it on or off at every move
//! (`morris_event_on`), and its two levels are the two ends of its range, so a move is a
//! full-range move and its effect is the plain difference `f(on) - f(off)` (divided by a change
//! of 1 in its 0/1 value, with the sign of that change: positive `mu` means the metric is higher
//! when the event happens, as for more of a continuous parameter). Dividing by the grid step
//! instead would inflate it by 3/2 for no change of meaning.

use rand::RngExt;
use rayon::prelude::*;

use super::sobol::Estimate;
use crate::sample::design::{
    MORRIS_LEVELS, morris_event_on, morris_moved, morris_start, morris_step,
};
use crate::sample::stream::{splitmix, stream};

const TAG_BOOT: u64 = 0x6d6f_7272_6973_6273;

/// Elementary-effect statistics of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisIndex {
    pub mu: f64,
    pub mu_star: Estimate,
    pub sigma: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct MorrisResult {
    pub trajectories: usize,
    /// Mean of the metric over the trajectories' starting points (independent trials, but on
    /// the grid, with every event on in half of them: not the scenario's mean).
    pub mean: f64,
    pub mean_se: f64,
    pub indices: Vec<MorrisIndex>,
}

/// The elementary effects of every parameter, `effects[traj * k + i]`; `events[i]`: parameter
/// `i` is an uncertain event (`k = events.len()`).
pub fn elementary_effects(values: &[f64], events: &[bool], seed: u64) -> Vec<f64> {
    let k = events.len();
    let g = k + 1;
    let trajectories = values.len() / g;
    let mut out = vec![0.0; trajectories * k];
    for t in 0..trajectories {
        let f = &values[t * g..(t + 1) * g];
        for i in 0..k {
            let s = morris_step(seed, t as u64, i, k) as usize;
            let l0 = morris_start(seed, t as u64, i);
            let dx = if events[i] {
                // The change of the event's 0/1 value.
                if morris_event_on(morris_moved(l0)) {
                    1.0
                } else {
                    -1.0
                }
            } else {
                (f64::from(morris_moved(l0)) - f64::from(l0)) / f64::from(MORRIS_LEVELS - 1)
            };
            out[t * k + i] = (f[s] - f[s - 1]) / dx;
        }
    }
    out
}

fn mu_star(effects: &[f64], k: usize, i: usize, trajs: &mut dyn Iterator<Item = usize>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for t in trajs {
        sum += effects[t * k + i].abs();
        n += 1;
    }
    sum / n as f64
}

/// Morris statistics of a metric from its values on a Morris design over `events.len()`
/// parameters drawn with `design_seed` (`events[i]`: parameter `i` is an uncertain event); the
/// bootstrap of `mu*` uses `resamples` replicates keyed by `boot_seed`.
pub fn morris_indices(
    values: &[f64],
    events: &[bool],
    design_seed: u64,
    resamples: usize,
    boot_seed: u64,
) -> MorrisResult {
    let k = events.len();
    let g = k + 1;
    let r = values.len() / g;
    let ee = elementary_effects(values, events, design_seed);
    let starts: Vec<f64> = (0..r).map(|t| values[t * g]).collect();
    let mean = starts.iter().sum::<f64>() / r.max(1) as f64;
    let mean_se = if r > 1 {
        (starts.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (r - 1) as f64 / r as f64).sqrt()
    } else {
        f64::NAN
    };
    let reps: Vec<Vec<f64>> = (0..resamples)
        .into_par_iter()
        .map(|b| {
            let mut rng = stream(boot_seed ^ TAG_BOOT, b as u64, splitmix(TAG_BOOT));
            let pick: Vec<usize> = (0..r).map(|_| rng.random_range(0..r)).collect();
            (0..k)
                .map(|i| mu_star(&ee, k, i, &mut pick.iter().copied()))
                .collect()
        })
        .collect();
    let indices = (0..k)
        .map(|i| {
            let e: Vec<f64> = (0..r).map(|t| ee[t * k + i]).collect();
            let mu = e.iter().sum::<f64>() / r as f64;
            let sigma = if r > 1 {
                (e.iter().map(|v| (v - mu).powi(2)).sum::<f64>() / (r - 1) as f64).sqrt()
            } else {
                f64::NAN
            };
            let ms = mu_star(&ee, k, i, &mut (0..r));
            let rep: Vec<f64> = reps.iter().map(|x| x[i]).collect();
            MorrisIndex {
                mu,
                mu_star: Estimate::from_replicates(ms, &rep),
                sigma,
            }
        })
        .collect();
    MorrisResult {
        trajectories: r,
        mean,
        mean_se,
        indices,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample::Design;

    /// Grid position in [0, 1] of a Morris design's uniform number.
    fn x(u: f64) -> f64 {
        (u * f64::from(MORRIS_LEVELS) - 0.5) / f64::from(MORRIS_LEVELS - 1)
    }

    fn run(k: usize, r: u64, f: impl Fn(&[f64]) -> f64) -> Vec<f64> {
        let d = Design::Morris { k };
        (0..r * d.group())
            .map(|t| {
                let p: Vec<f64> = (0..k).map(|i| x(d.uniform(4, t, i, 0))).collect();
                f(&p)
            })
            .collect()
    }

    #[test]
    fn a_linear_function_has_its_coefficients_as_effects() {
        let c = [3.0, -2.0, 0.5, 0.0];
        let v = run(4, 30, |p| p.iter().zip(c).map(|(x, c)| c * x).sum());
        let m = morris_indices(&v, &[false; 4], 4, 100, 1);
        assert_eq!(m.trajectories, 30);
        for (i, want) in c.into_iter().enumerate() {
            let ix = m.indices[i];
            assert!((ix.mu - want).abs() < 1e-9, "mu[{i}] = {}", ix.mu);
            assert!((ix.mu_star.value - want.abs()).abs() < 1e-9);
            assert!(ix.sigma < 1e-9);
        }
        // The input with no effect is inside the noise band, the others are not.
        assert!(m.indices[3].mu_star.within_noise());
        assert!(!m.indices[2].mu_star.within_noise());
    }

    /// Events with probability 0.1 and 0.9 next to a continuous input: each event's effect is
    /// its on/off difference with the sign of "happens", whatever its probability.
    #[test]
    fn an_event_has_its_on_off_difference_as_effect() {
        let (k, r) = (3, 40u64);
        let d = Design::Morris { k };
        let v: Vec<f64> = (0..r * d.group())
            .map(|t| {
                let on = |i: usize, p: f64| {
                    f64::from(u8::from(d.occurs(d.uniform(4, t, i, 0), p, false)))
                };
                2.0 * x(d.uniform(4, t, 0, 0)) + 7.0 * on(1, 0.1) - 3.0 * on(2, 0.9)
            })
            .collect();
        let m = morris_indices(&v, &[false, true, true], 4, 100, 1);
        for (i, want) in [(0, 2.0), (1, 7.0), (2, -3.0)] {
            let ix = m.indices[i];
            assert!((ix.mu - want).abs() < 1e-9, "mu[{i}] = {}", ix.mu);
            assert!((ix.mu_star.value - f64::abs(want)).abs() < 1e-9);
            assert!(ix.sigma < 1e-9 && !ix.mu_star.within_noise());
        }
    }

    #[test]
    fn interactions_show_as_spread_and_ishigami_ranks_its_inputs() {
        // f = x0 x1: each effect is the other input, so sigma > 0; x2 does nothing.
        let v = run(3, 200, |p| p[0] * p[1]);
        let m = morris_indices(&v, &[false; 3], 4, 100, 1);
        assert!(m.indices[0].sigma > 0.1 && m.indices[1].sigma > 0.1);
        assert_eq!(m.indices[2].mu_star.value, 0.0);
        // Ishigami on [-pi, pi]: x3 acts only through its interaction with x1 (mu near 0,
        // sigma large); x1 and x2 matter most.
        let pi = std::f64::consts::PI;
        let v = run(3, 400, |p| {
            let x: Vec<f64> = p.iter().map(|u| -pi + 2.0 * pi * u).collect();
            x[0].sin() + 7.0 * x[1].sin().powi(2) + 0.1 * x[2].powi(4) * x[0].sin()
        });
        let m = morris_indices(&v, &[false; 3], 4, 100, 1);
        let ix = &m.indices;
        assert!(ix[2].sigma > ix[2].mu.abs(), "{:?}", ix[2]);
        assert!(ix[0].mu_star.value > 0.0 && ix[1].mu_star.value > 0.0);
        assert!(
            ix[0].mu_star.low <= ix[0].mu_star.value && ix[0].mu_star.value <= ix[0].mu_star.high
        );
    }
}
