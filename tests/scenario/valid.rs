//! Valid scenario files: every key of SCENARIO.md resolves to the documented values and
//! defaults; overrides merge by key; the memory estimate follows its closed form.

use std::path::Path;

use chokepoint::cli::explain::explain;
use chokepoint::sample::Dist;
use chokepoint::scenario::{self, PolicyKind, Scenario, ShockKind, limits};

fn load(p: &str) -> Scenario {
    match scenario::load(Path::new(p)) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{p} should be valid:\n{e}"),
    }
}

#[test]
fn full_scenario_resolves_every_key() {
    let s = load("tests/data/scenario/full.toml");
    assert_eq!(s.meta.horizon, 24);
    assert_eq!(s.meta.seed, 2025);
    assert_eq!(s.meta.trials, 20000);
    assert_eq!(s.meta.period_label(0), "2025-04");
    assert_eq!(
        s.meta.world_file.as_deref(),
        Some(Path::new("tests/data/scenario/worlds/small.toml"))
    );
    assert_eq!(s.meta.world_year, Some(2025));
    assert_eq!(s.shocks.len(), 5);
    assert_eq!(s.policies.len(), 5);

    let hree = &s.shocks[0];
    assert_eq!(hree.duration.path, "shock.cn-hree-licensing.duration");
    assert_eq!(
        hree.duration.dist,
        Dist::Triangular {
            min: 3.0,
            mode: 6.0,
            max: 18.0
        }
    );
    let ShockKind::ExportRestriction {
        exporter,
        targets,
        targets_all,
        relief_half_life,
        commodities,
        ..
    } = &hree.kind
    else {
        panic!("export restriction expected")
    };
    assert_eq!(s.regions[*exporter].id, "CN");
    assert!(*targets_all);
    assert_eq!(targets.len(), s.regions.len() - 1);
    assert!(!targets.contains(exporter));
    assert!(relief_half_life.is_some());
    assert_eq!(commodities.len(), 2);

    let ShockKind::ExportRestriction {
        targets,
        relief_half_life,
        ..
    } = &s.shocks[1].kind
    else {
        panic!()
    };
    let ids: Vec<_> = targets.iter().map(|r| s.regions[*r].id.as_str()).collect();
    assert_eq!(ids, ["US", "EU"]);
    assert!(relief_half_life.is_none(), "omitted relief = hard ban");

    let ShockKind::DemandSurge {
        sectors, region, ..
    } = &s.shocks[3].kind
    else {
        panic!()
    };
    assert_eq!(*region, None);
    assert_eq!(sectors.len(), 2, "defense in US and EU");

    // The priority policy moves US defense; the substitution policy names EU ev.
    let us_def = s.sector_ix("US", "defense").unwrap();
    assert_eq!(s.sectors[us_def].priority, 0);
    let PolicyKind::Stockpile { eligible, .. } = &s.policies[0].kind else {
        panic!()
    };
    assert_eq!(eligible, &vec![us_def]);
}

#[test]
fn capacity_expansion_without_producer_adds_one() {
    let s = load("tests/data/scenario/full.toml");
    let PolicyKind::CapacityExpansion {
        producer,
        capacity,
        success,
        ..
    } = &s.policies[1].kind
    else {
        panic!()
    };
    let p = &s.producers[*producer];
    assert_eq!(s.commodities[p.commodity].id, "dy_tb_oxide");
    assert_eq!(s.regions[p.region].id, "AU");
    assert_eq!(p.capacity.dist, Dist::Const(0.0));
    assert_eq!(p.utilization.dist, Dist::Const(1.0));
    assert_eq!(p.max_utilization.dist, Dist::Const(1.0));
    assert_eq!(p.inputs.len(), 1);
    assert_eq!(s.producer_ix("dy_tb_oxide", "AU"), Some(*producer));
    assert_eq!(
        capacity.dist,
        Dist::LogNormal {
            median: 1500.0,
            p90: 3000.0
        }
    );
    assert_eq!(success.dist, Dist::Const(0.7));
}

#[test]
fn topological_order_puts_inputs_first() {
    let s = load("tests/data/scenario/full.toml");
    assert_eq!(s.topo_order.len(), s.commodities.len());
    let pos = |c: usize| s.topo_order.iter().position(|x| *x == c).unwrap();
    for p in &s.producers {
        for (i, _) in &p.inputs {
            assert!(pos(*i) < pos(p.commodity));
        }
    }
}

#[test]
fn defaults_of_a_self_contained_scenario() {
    let s = load("tests/data/scenario/inline.toml");
    assert_eq!(s.meta.world_file, None);
    assert_eq!(s.meta.seed, 0);
    assert_eq!(s.meta.trials, 1000);
    assert_eq!(s.meta.period.name(), "quarter");
    let p = &s.producers[0];
    assert_eq!(p.utilization.dist, Dist::Const(1.0));
    assert_eq!(p.max_utilization.dist, Dist::Const(1.0));
    assert_eq!(p.ramp.dist, Dist::Const(0.0));
    assert_eq!(s.commodities[0].max_price_multiple.dist, Dist::Const(10.0));
    let sec = &s.sectors[0];
    assert_eq!(sec.priority, 2);
    assert!(sec.inputs[0].essential);
    assert_eq!(sec.inputs[0].weight.dist, Dist::Const(1.0));
    let sh = &s.shocks[0];
    assert_eq!(sh.start.dist, Dist::Const(0.0));
    assert_eq!(sh.probability.dist, Dist::Const(1.0));
    let ShockKind::ExportRestriction {
        severity,
        leakage,
        commodities,
        ..
    } = &sh.kind
    else {
        panic!()
    };
    assert_eq!(severity.dist, Dist::Const(1.0));
    assert_eq!(leakage.dist, Dist::Const(0.0));
    assert_eq!(commodities.len(), 1, "a single string is a one-item list");
}

#[test]
fn scenario_entries_override_world_entries_by_key() {
    let s = load("tests/data/scenario/override.toml");
    let world = load("tests/data/scenario/worlds/small.toml");
    assert_eq!(
        s.regions.len(),
        world.regions.len(),
        "US overridden, not added"
    );
    assert_eq!(s.regions[s.region_ix("US").unwrap()].name, "USA");
    let cn = s.producer_ix("ndfeb_magnet", "CN").unwrap();
    assert_eq!(s.producers[cn].capacity.dist, Dist::Const(250000.0));
    assert_eq!(
        s.producers[cn].utilization.dist,
        Dist::Const(0.8),
        "other keys kept"
    );
    assert!(s.producer_ix("gallium", "CN").is_some());
    let ev = &s.sectors[s.sector_ix("US", "ev").unwrap()];
    assert_eq!(ev.value_added.dist, Dist::Const(50e9));
    assert_eq!(ev.inputs.len(), 2, "demand kept from the world");
    assert!(s.sector_ix("US", "chips").is_some());
    let inv = s
        .inventories
        .iter()
        .find(|i| s.regions[i.region].id == "US")
        .unwrap();
    assert_eq!(inv.cover.dist, Dist::Const(4.0));
    assert_eq!(inv.target.dist, Dist::Const(2.0));
}

#[test]
fn inventory_target_defaults_to_cover() {
    let s = load("tests/data/scenario/worlds/small.toml");
    let eu = s
        .inventories
        .iter()
        .find(|i| s.regions[i.region].id == "EU")
        .unwrap();
    assert_eq!(eu.cover.dist, Dist::Uniform { lo: 1.0, hi: 3.0 });
    assert_eq!(eu.target.dist, Dist::Const(2.0), "the mean of the cover");
    assert_eq!(eu.refill_rate.dist, Dist::Const(0.25));
}

#[test]
fn load_str_resolves_world_relative_to_path() {
    let text = std::fs::read_to_string("tests/data/scenario/full.toml").unwrap();
    let l = scenario::load_str(&text, Path::new("tests/data/scenario/full.toml")).unwrap();
    assert_eq!(l.scenario, load("tests/data/scenario/full.toml"));
    let err = scenario::load_str(&text, Path::new("elsewhere/full.toml")).unwrap_err();
    assert!(
        err.diagnostics[0]
            .message
            .contains("cannot read elsewhere/worlds/small.toml"),
        "{err}"
    );
}

/// The estimate must cover the result arrays the engine really allocates (twice, plus the
/// statistics temporaries), for every shipped scenario: it undershot once when metrics were added
/// without it (issue 13), and the run then used more than it had promised.
#[test]
fn memory_estimate_covers_the_real_result_layout() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("tests/data/scenario/inline.toml")];
    for e in std::fs::read_dir(root.join("scenarios")).unwrap().flatten() {
        if e.path().extension().is_some_and(|x| x == "toml") {
            files.push(e.path());
        }
    }
    for f in files {
        let s = load(f.to_str().unwrap());
        let m = chokepoint::model::Model::compile(&s);
        let arrays =
            8 * (m.n_metrics() + m.n_params()) as u64 + 4 * (m.n_series() * m.horizon) as u64;
        let est = limits::bytes_per_trial(&s);
        assert!(
            est >= arrays * 23 / 10 && est <= arrays * 4,
            "{}: estimate {est} against arrays {arrays}",
            f.display()
        );
        assert_eq!(scenario::memory_estimate(&s, 1000), 1000 * est);
    }
    let s = load("tests/data/scenario/inline.toml");
    let per_trial = limits::bytes_per_trial(&s);
    assert!(limits::check_memory(&s, 1000).is_none());
    let too_many = limits::MEMORY_LIMIT / per_trial + 1;
    let msg = limits::check_memory(&s, too_many).unwrap();
    assert!(
        msg.contains(&format!("at most {} trials fit", too_many - 1)),
        "{msg}"
    );
}

#[test]
fn warnings_for_suspicious_but_legal_files() {
    let l = scenario::load(Path::new("tests/data/scenario/warnings.toml")).unwrap();
    assert!(l.warnings.iter().all(|d| !d.is_error()));
    insta::assert_snapshot!("warnings", scenario::render_all(&l.warnings, false));
}

#[test]
fn explain_reads_like_a_briefing() {
    let s = load("tests/data/scenario/full.toml");
    let text = explain(&s);
    assert!(text.contains("duration: triangular 3/6/18 months, mean 9"));
    insta::assert_snapshot!("explain_full", text);
}
