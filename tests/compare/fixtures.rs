//! Synthetic paired runs: a base and a policy run over the same eight trials, built by hand so the
//! exporters' output can be checked line by line.

use chokepoint::report::compare::{CompareInfo, SideInfo};
use chokepoint::run::RunResults;

/// Trial-major results from named columns.
pub fn results(params: &[(&str, Vec<f64>)], metrics: &[(&str, Vec<f64>)]) -> RunResults {
    RunResults::from_columns(11, 24, params, metrics)
}

/// A ban of 1..=8 months on an importer's chip sector; the policy side has a three-month reserve
/// that covers the first three months of every ban (so the saving is min(duration, 3) months).
pub fn pair() -> (RunResults, RunResults) {
    let duration: Vec<f64> = vec![3.0, 1.0, 8.0, 5.0, 2.0, 7.0, 4.0, 6.0];
    let severity: Vec<f64> = vec![0.9, 0.8, 0.7, 1.0, 0.95, 0.6, 0.85, 0.75];
    let month = 1e9 / 12.0;
    let base_loss: Vec<f64> = duration.iter().map(|d| d / 24.0).collect();
    let policy_loss: Vec<f64> = duration
        .iter()
        .map(|d| (d - 3.0f64).max(0.0) / 24.0)
        .collect();
    let value = |l: &Vec<f64>| l.iter().map(|x| x * 24.0 * month).collect::<Vec<f64>>();
    let first: Vec<f64> = vec![0.0; 8];
    let first_policy: Vec<f64> = duration
        .iter()
        .map(|&d| if d > 3.0 { 3.0 } else { 24.0 })
        .collect();
    let zeros = vec![0.0; 8];
    let base = results(
        &[
            ("shock.ban.duration", duration.clone()),
            ("shock.ban.severity", severity.clone()),
        ],
        &[
            ("sector.M.chips.mean_loss", base_loss.clone()),
            ("sector.M.chips.first_disrupted", first),
            ("sector.M.chips.value_lost", value(&base_loss)),
            ("sector.M.toys.mean_loss", zeros.clone()),
            ("sector.M.toys.value_lost", zeros.clone()),
            ("region.M.value_lost", value(&base_loss)),
            ("world.value_lost", value(&base_loss)),
            ("unmet.M.gallium", base_loss.clone()),
        ],
    );
    let policy = results(
        &[
            ("shock.ban.duration", duration),
            ("shock.ban.severity", severity),
            ("policy.reserve.initial", vec![3.0; 8]),
        ],
        &[
            ("sector.M.chips.mean_loss", policy_loss.clone()),
            ("sector.M.chips.first_disrupted", first_policy),
            ("sector.M.chips.value_lost", value(&policy_loss)),
            ("sector.M.toys.mean_loss", zeros.clone()),
            ("sector.M.toys.value_lost", zeros),
            ("region.M.value_lost", value(&policy_loss)),
            ("world.value_lost", value(&policy_loss)),
            ("stockpile.M.gallium.empty_at", vec![3.0; 8]),
        ],
    );
    (base, policy)
}

pub fn info() -> CompareInfo {
    CompareInfo {
        base: SideInfo {
            name: "Gallium ban".into(),
            file: "scenarios/ban.toml".into(),
        },
        policy: SideInfo {
            name: "Gallium ban with a reserve".into(),
            file: "scenarios/ban-reserve.toml".into(),
        },
        seed: 11,
        trials: 8,
        horizon: 24,
        period: "month".into(),
    }
}
