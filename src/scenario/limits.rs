//! Limits a run must respect: horizon and trials ranges (checked where they are read) and memory
//! estimates of both layouts, exact (every trial's result arrays) and streamed (one block of
//! trials plus per-column statistics, `run::stream`), refused above `MEMORY_LIMIT`.

use std::collections::HashSet;

use super::types::{PolicyKind, Scenario, ShockKind};

/// Largest estimated memory a run may use.
pub const MEMORY_LIMIT: u64 = 12 * 1024 * 1024 * 1024;

/// Counts of a run's per-trial arrays, from the scenario (what `Model::compile` will produce).
struct Shape {
    metrics: u64,
    params: u64,
    series: u64,
    horizon: u64,
}

impl Shape {
    /// Bytes of one trial's result arrays.
    fn arrays(&self) -> u64 {
        8 * self.metrics + 8 * self.params + 4 * self.series * self.horizon
    }
}

/// Bytes one trial needs in the result arrays (see `memory_estimate`).
pub fn bytes_per_trial(s: &Scenario) -> u64 {
    let arrays = shape(s).arrays();
    // Twice for the statistics pass, plus 0.3 times for sorting copies and allocator overhead
    // (a run of horizon 1040 peaked 11% above the arrays times two).
    arrays * 2 + arrays * 3 / 10
}

fn shape(s: &Scenario) -> Shape {
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
    let mut n_reserves = 0;
    for sh in &s.shocks {
        if let ShockKind::ReservePurchase {
            region, commodity, ..
        } = &sh.kind
        {
            demand_pairs.insert((*region, *commodity));
            n_reserves += 1;
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
    // unmet per demand cell; price peak and cap share per price cell; stockpiles; reserves.
    let n_metrics = 6 * n_sectors
        + 2 * (n_regions + 1)
        + demand_pairs.len() as u64
        + 2 * cells.len() as u64
        + n_stockpiles
        + n_reserves;
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
    Shape {
        metrics: n_metrics,
        params: (uncertain_param_count(s) + events) as u64,
        series: n_series,
        horizon: s.meta.horizon as u64,
    }
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

/// Trials a streamed run holds at once (`run::stream::BLOCK`).
pub const STREAM_BLOCK: u64 = 1024;

/// State of one streamed column (`stats::stream::Column`) allowed for in estimates: per sign the
/// sketch's fine window (2 049 buckets of 4 bytes) and coarse buckets for 40 binary orders of
/// magnitude below it (32 each), plus the exact sums' partials; `run::memory` tests that this
/// covers the sketch's bound. Columns of the shipped scenarios hold far less
/// (`docs/performance.md`).
pub const COLUMN_BYTES: u64 = 32 * 1024;

/// Bytes a streamed run needs whatever its trial count: one block of per-trial arrays plus the
/// state of every metric and series-period column.
pub fn stream_bytes(metrics: usize, params: usize, series: usize, horizon: usize) -> u128 {
    let block = u128::from(STREAM_BLOCK)
        * ((metrics + params) as u128 * 8 + (series * horizon) as u128 * 4);
    block + (metrics + series * horizon) as u128 * u128::from(COLUMN_BYTES)
}

/// `stream_bytes` of this scenario, from its counts.
pub fn stream_estimate(s: &Scenario) -> u128 {
    let sh = shape(s);
    let n = |x: u64| x as usize;
    stream_bytes(n(sh.metrics), n(sh.params), n(sh.series), n(sh.horizon))
}

/// A message when a scenario's own `trials` cannot run in either layout, else `None`: a run
/// whose exact estimate is above `MEMORY_LIMIT` streams its statistics (`cli::run::choose_stats`
/// does so above 4 GiB), so only a scenario too large to stream is refused, whatever `trials`.
pub fn check_load(s: &Scenario, trials: u64) -> Option<String> {
    check_memory(s, trials)?;
    let need = stream_estimate(s);
    (need > u128::from(MEMORY_LIMIT)).then(|| {
        format!(
            "{trials} trials need about {:.1} GiB kept one by one, and streamed statistics of \
             this scenario need about {:.1} GiB whatever the trial count; both are above the {} \
             GiB limit",
            memory_estimate(s, trials) as f64 / (1u64 << 30) as f64,
            need as f64 / (1u64 << 30) as f64,
            MEMORY_LIMIT >> 30,
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
