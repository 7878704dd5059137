//! Limits a run must respect: horizon and trials ranges (checked where they are read) and a
//! memory estimate of the per-trial result arrays, refused above `MEMORY_LIMIT`.

use std::collections::HashSet;

use super::types::{PolicyKind, Scenario, ShockKind};

/// Largest estimated memory a run may use.
pub const MEMORY_LIMIT: u64 = 12 * 1024 * 1024 * 1024;

/// Bytes one trial needs in the result arrays (see `memory_estimate`).
pub fn bytes_per_trial(s: &Scenario) -> u64 {
    let n_regions = s.regions.len() as u64;
    let n_sectors = s.sectors.len() as u64;
    let mut demand_pairs = HashSet::new();
    for sec in &s.sectors {
        for i in &sec.inputs {
            demand_pairs.insert((sec.region, i.commodity));
        }
    }
    for p in &s.producers {
        for (c, _) in &p.inputs {
            demand_pairs.insert((p.region, *c));
        }
    }
    let n_stockpiles = s
        .policies
        .iter()
        .filter(|p| matches!(p.kind, PolicyKind::Stockpile { .. }))
        .count() as u64;
    let mut cells = demand_pairs.clone();
    for p in &s.producers {
        cells.insert((p.region, p.commodity));
    }
    // Per sector 5 metrics plus total value lost; regions and the world twice (direct, total);
    // unmet per demand cell; price peak and cap share per price cell; stockpiles.
    let n_metrics = 6 * n_sectors
        + 2 * (n_regions + 1)
        + demand_pairs.len() as u64
        + 2 * cells.len() as u64
        + n_stockpiles;
    // Reported flows: one per restricting exporter, restricted commodity it produces and other
    // region with demand for it, however many shocks name the pair (as `Model` builds them).
    let mut flow_set = std::collections::BTreeSet::new();
    for sh in &s.shocks {
        if let ShockKind::ExportRestriction {
            exporter,
            commodities,
            ..
        } = &sh.kind
        {
            for &c in commodities {
                if !s
                    .producers
                    .iter()
                    .any(|p| p.commodity == c && p.region == *exporter)
                {
                    continue;
                }
                for r in (0..s.regions.len()).filter(|&r| r != *exporter) {
                    if demand_pairs.contains(&(r, c)) {
                        flow_set.insert((*exporter, c, r));
                    }
                }
            }
        }
    }
    let flows = flow_set.len() as u64;
    // Flows twice: the scenario's and the baseline pass's (`baseline_flow.*`).
    let n_series = n_sectors + cells.len() as u64 + 2 * flows;
    // Every occurs/succeeds event (shocks, projects, entry) may be reported too.
    let events = s.shocks.len()
        + s.policies.len()
        + s.commodities.iter().filter(|c| c.entry.is_some()).count();
    let n_params = (uncertain_param_count(s) + events) as u64;
    let horizon = s.meta.horizon as u64;
    let arrays = 8 * n_metrics + 8 * n_params + 4 * n_series * horizon;
    // Twice for the statistics pass, plus 15% for sorting copies and allocator overhead (a run
    // of horizon 1040 peaked 11% above the arrays times two).
    arrays * 2 + arrays * 3 / 10
}

/// Estimated bytes of the result arrays of a run of `trials` trials (times 2.3: the statistics
/// pass and its temporaries).
pub fn memory_estimate(s: &Scenario, trials: u64) -> u64 {
    trials.saturating_mul(bytes_per_trial(s))
}

/// How many trials fit under `MEMORY_LIMIT`.
pub fn max_trials(s: &Scenario) -> u64 {
    MEMORY_LIMIT / bytes_per_trial(s).max(1)
}

/// A message when `trials` would not fit, else `None`.
pub fn check_memory(s: &Scenario, trials: u64) -> Option<String> {
    let need = memory_estimate(s, trials);
    (need > MEMORY_LIMIT).then(|| {
        format!(
            "{trials} trials need about {:.1} GiB of result memory, above the {} GiB limit; \
             at most {} trials fit",
            need as f64 / (1u64 << 30) as f64,
            MEMORY_LIMIT >> 30,
            max_trials(s)
        )
    })
}

/// Distinct paths of the parameters that are not constant.
pub fn uncertain_param_count(s: &Scenario) -> usize {
    let mut paths = HashSet::new();
    for p in super::params::all(s) {
        if !p.dist.is_const() {
            paths.insert(p.path.as_str());
        }
    }
    paths.len()
}
