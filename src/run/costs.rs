//! Per-trial policy costs. A policy's `cost` is not a model parameter (it never changes a trial);
//! it is drawn here from the same keyed streams as every parameter, (seed, global trial, path
//! `policy.<id>.cost`), so a policy held by several packages costs the same in the same trial and
//! the draw does not depend on threads or on which other policies a variant keeps.

use crate::sample::{path_key, stream};
use crate::scenario::Scenario;

/// The summed cost of every costed policy of `scenario`, for trials `first_trial ..
/// first_trial + trials`. A policy without `cost` counts 0 (`uncosted` lists them).
pub fn policy_costs(scenario: &Scenario, seed: u64, first_trial: u64, trials: usize) -> Vec<f64> {
    let costs: Vec<_> = scenario
        .policies
        .iter()
        .filter_map(|p| p.cost.as_ref())
        .map(|c| (path_key(&c.value.path), &c.value.dist))
        .collect();
    (0..trials as u64)
        .map(|i| {
            costs
                .iter()
                .map(|(key, dist)| dist.sample(&mut stream(seed, first_trial + i, *key)))
                .sum()
        })
        .collect()
}

/// Ids of the policies of `scenario` that carry no `cost`.
pub fn uncosted(scenario: &Scenario) -> Vec<String> {
    scenario
        .policies
        .iter()
        .filter(|p| p.cost.is_none())
        .map(|p| p.id.clone())
        .collect()
}
