//! Validation of the scenario library against published results and of the 2025 world's data
//! invariants. How each case is set up and what it shows: `docs/validation.md`.

use std::path::{Path, PathBuf};

use chokepoint::run::{self, RunOptions, RunResults};
use chokepoint::scenario::{self, Scenario};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

fn load(rel: &str) -> Scenario {
    let path = scenarios_dir().join(rel);
    match scenario::load(&path) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{} does not load:\n{}", path.display(), e.render(false)),
    }
}

fn run_trials(sc: &Scenario, trials: u64) -> RunResults {
    let opts = RunOptions {
        trials,
        seed: sc.meta.seed,
        first_trial: 0,
        threads: None,
    };
    run::run(sc, &opts, &|_, _| true).expect("run completes")
}

fn metric(res: &RunResults, name: &str) -> usize {
    res.metric_index(name)
        .unwrap_or_else(|| panic!("no metric {name}"))
}

/// Every file of the library, the world on its own, and the validation cases.
const LIBRARY: [&str; 12] = [
    "worlds/2025.toml",
    "baseline.toml",
    "ga-ge-2023.toml",
    "graphite-2023.toml",
    "antimony-2024.toml",
    "minor-metals-2025.toml",
    "rare-earths-2025.toml",
    "rare-earths-oct-2025.toml",
    "escalation-2026.toml",
    "g7-derisking-2026.toml",
    "usgs-ga-ge-full-ban.toml",
    "validation/ree-2010.toml",
];

#[test]
fn every_library_file_loads_and_cites_its_sources() {
    for rel in LIBRARY {
        let sc = load(rel);
        let cited = |s: &Option<String>| s.as_deref().is_some_and(|s| !s.trim().is_empty());
        for c in &sc.commodities {
            assert!(cited(&c.source), "{rel}: commodity {} has no source", c.id);
        }
        for p in &sc.producers {
            // Producers appended by a capacity expansion carry the policy's source instead.
            let appended = p.capacity.dist.support() == (0.0, 0.0);
            assert!(
                appended || cited(&p.source),
                "{rel}: producer {}/{} has no source",
                sc.commodities[p.commodity].id,
                sc.regions[p.region].id
            );
        }
        for s in &sc.sectors {
            assert!(
                cited(&s.source),
                "{rel}: sector {}/{} has no source",
                sc.regions[s.region].id,
                s.id
            );
        }
        for s in &sc.shocks {
            assert!(cited(&s.source), "{rel}: shock {} has no source", s.id);
        }
        for p in &sc.policies {
            assert!(cited(&p.source), "{rel}: policy {} has no source", p.id);
        }
    }
}

/// The unshocked world is balanced by construction: for every commodity the smallest possible
/// planned output covers the largest possible demand of sectors plus producers' recipe needs.
#[test]
fn world_2025_planned_output_covers_the_largest_demand() {
    let sc = load("worlds/2025.toml");
    let n = sc.commodities.len();
    let mut supply_min = vec![0.0; n];
    let mut need_max = vec![0.0; n];
    for p in &sc.producers {
        let (cap_lo, cap_hi) = p.capacity.dist.support();
        let (u_lo, u_hi) = p.utilization.dist.support();
        supply_min[p.commodity] += cap_lo * u_lo;
        for (c, k) in &p.inputs {
            need_max[*c] += k.dist.support().1 * cap_hi * u_hi;
        }
    }
    for s in &sc.sectors {
        for i in &s.inputs {
            need_max[i.commodity] += i.demand.dist.support().1;
        }
    }
    for c in 0..n {
        assert!(
            supply_min[c] >= need_max[c],
            "{}: planned output {} below the largest demand {}",
            sc.commodities[c].id,
            supply_min[c],
            need_max[c]
        );
        assert!(
            need_max[c] > 0.0,
            "{}: nobody uses it",
            sc.commodities[c].id
        );
    }
}

/// The flagship comparison needs common random numbers: the escalation and the G7 package must
/// carry the very same shocks (ids, hence parameter paths, and distributions).
#[test]
fn escalation_and_g7_package_share_their_shocks() {
    let esc = load("escalation-2026.toml");
    let g7 = load("g7-derisking-2026.toml");
    assert_eq!(esc.shocks, g7.shocks);
    assert_eq!(esc.meta.seed, g7.meta.seed);
    assert_eq!(esc.meta.horizon, g7.meta.horizon);
    assert!(esc.policies.is_empty());
    assert!(g7.policies.len() >= 10);
}

#[test]
fn baseline_loses_nothing() {
    let sc = load("baseline.toml");
    let res = run_trials(&sc, 200);
    let w = metric(&res, "world.value_lost");
    let s = res.summary(w);
    assert_eq!(s.max, 0.0, "baseline world.value_lost max {}", s.max);
    for (k, name) in res.metric_names.iter().enumerate() {
        if name.ends_with(".mean_loss") || name.starts_with("unmet.") {
            let s = res.summary(k);
            assert!(s.max.abs() < 1e-9, "baseline {name} max {}", s.max);
        }
    }
}

/// USGS OFR 2024-1057: a complete one-year Chinese Ga+Ge export restriction costs the US
/// $3.4 bn (range 1.7-9.0). Our median must fall inside the published band.
#[test]
fn usgs_ga_ge_full_ban_us_loss_within_published_band() {
    let sc = load("usgs-ga-ge-full-ban.toml");
    let res = run_trials(&sc, 500);
    let us = res.summary(metric(&res, "region.US.value_lost"));
    assert!(
        (1.7e9..=9.0e9).contains(&us.p50),
        "US value lost p50 ${:.2} bn outside USGS band 1.7-9.0",
        us.p50 / 1e9
    );
}

/// Sprecher et al. 2017: after the 2010 quota, substitution (10% of demand a year) and
/// non-Chinese output (+4% of market volume a year) restored supply in about two years. Model v2:
/// no scripted project; non-Chinese output grows only through price-driven entry.
#[test]
fn ree_2010_quota_recovers_in_about_two_years_without_scripted_expansions() {
    let sc = load("validation/ree-2010.toml");
    assert!(sc.policies.is_empty(), "nothing may script the ramp");
    let quota = sc.shocks[0].start.dist.support().0 as usize;
    let res = run_trials(&sc, 500);
    // Japan (also halted for two months in 2010) and the other importers, each on its own.
    for region in ["JP", "IMP"] {
        let s = res
            .series_index(&format!("output.{region}.manufacturing"))
            .expect("importers' output series");
        let median: Vec<f64> = res.bands(s).iter().map(|b| b.p50).collect();
        // The quota must disrupt importers at all (output below the model's 95% disruption
        // threshold), or "recovery" would be vacuous.
        let peak_loss = median.iter().fold(0.0f64, |m, y| m.max(1.0 - y));
        assert!(
            peak_loss > 0.05,
            "the quota should disrupt {region}: median peak loss {peak_loss:.3}"
        );
        // Recovery: months from the quota to the first month from which the median stays at or
        // above 95%.
        let recovered = (quota..median.len())
            .find(|&t| median[t..].iter().all(|&y| y >= 0.95))
            .unwrap_or(median.len())
            - quota;
        assert!(
            (12..=27).contains(&recovered),
            "{region}: median recovery {recovered} months after the quota, expected about 24 (12-27): {median:?}"
        );
    }
}

/// What an analyst runs first: `chokepoint check` accepts the whole library, with no warning.
#[test]
fn check_accepts_the_library_without_warnings() {
    let files: Vec<PathBuf> = LIBRARY.iter().map(|f| scenarios_dir().join(f)).collect();
    let out = assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
        .arg("check")
        .args(&files)
        .output()
        .expect("chokepoint runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "check failed:\n{stdout}\n{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.ends_with(": ok")).count(),
        files.len(),
        "every file should be plainly ok:\n{stdout}\n{stderr}"
    );
    assert!(!stderr.contains("warning"), "warnings:\n{stderr}");
}
