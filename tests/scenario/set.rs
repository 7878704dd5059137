//! `--set PATH=VALUE` overrides, policy costs and levers, and the policy filter of
//! `scenario::load_with` (the variants of `chokepoint portfolio`).

use std::path::Path;

use chokepoint::sample::Dist;
use chokepoint::scenario::set::{SetArg, SetValue};
use chokepoint::scenario::{self, LoadOptions, PolicyKind};

const RESERVE: &str = "tests/data/compare/ban-reserve.toml";

fn with_set(path: &str, set: &[(&str, f64)]) -> Result<scenario::Loaded, scenario::LoadError> {
    let opts = LoadOptions {
        set: set
            .iter()
            .map(|(p, v)| SetValue {
                path: p.to_string(),
                value: *v,
            })
            .collect(),
        keep_policies: None,
        lenient_set: false,
        world_text: None,
    };
    scenario::load_with(Path::new(path), &opts)
}

#[test]
fn a_set_value_replaces_the_parameter_and_leaves_the_rest() {
    let plain = scenario::load(Path::new(RESERVE)).unwrap().scenario;
    let set = with_set(
        RESERVE,
        &[("policy.reserve.initial", 5.0), ("shock.ban.duration", 4.0)],
    )
    .unwrap()
    .scenario;
    let PolicyKind::Stockpile { initial, .. } = &set.policies[0].kind else {
        panic!("a stockpile");
    };
    assert_eq!(initial.dist, Dist::Const(5.0));
    assert_eq!(set.shocks[0].duration.dist, Dist::Const(4.0));
    assert!(matches!(
        plain.shocks[0].duration.dist,
        Dist::UniformInt { .. }
    ));
    // Everything else is as loaded without --set.
    assert_eq!(set.sectors, plain.sectors);
    assert_eq!(set.producers, plain.producers);
}

#[test]
fn a_set_value_also_replaces_a_default() {
    // `leakage` is not written in the file; its default 0 has a path all the same.
    let s = with_set(RESERVE, &[("shock.ban.leakage", 0.5)])
        .unwrap()
        .scenario;
    let scenario::ShockKind::ExportRestriction { leakage, .. } = &s.shocks[0].kind else {
        panic!("a restriction");
    };
    assert_eq!(leakage.dist, Dist::Const(0.5));
}

#[test]
fn bad_set_paths_and_values_are_reported_together_with_did_you_mean() {
    let err = with_set(
        RESERVE,
        &[
            ("policy.reserv.initial", 5.0),
            ("policy.reserve.release_below", 1.5),
            ("shock.ban.duration", -2.0),
        ],
    )
    .unwrap_err();
    assert_eq!(err.errors().count(), 3, "{err}");
    insta::assert_snapshot!("set_errors", err.render(false));
}

#[test]
fn a_derived_parameter_cannot_be_set() {
    // The producer a capacity expansion adds has fixed, derived parameters.
    let text = std::fs::read_to_string(RESERVE).unwrap()
        + "\n[[policy]]\nid = \"plant\"\nkind = \"capacity_expansion\"\nregion = \"M\"\n\
           commodity = \"gallium\"\ncapacity = 100\n";
    let opts = LoadOptions {
        set: vec![SetValue {
            path: "producer.gallium.M.ramp".into(),
            value: 2.0,
        }],
        keep_policies: None,
        lenient_set: false,
        world_text: None,
    };
    let err = scenario::load_str_with(&text, Path::new(RESERVE), &opts).unwrap_err();
    let e = err.errors().next().unwrap();
    assert!(e.message.contains("derived"), "{err}");
    assert_eq!(e.file, Path::new("--set"));
}

#[test]
fn set_arguments_parse_from_the_command_line_form() {
    let a: SetArg = "policy.reserve.initial=0.5..6:12".parse().unwrap();
    assert_eq!(a.values.len(), 12);
    assert_eq!(a.to_string(), "policy.reserve.initial=0.5..6:12");
}

#[test]
fn costs_and_levers_are_read_with_their_sources() {
    let g7 = scenario::load(Path::new("scenarios/g7-derisking-2026.toml"))
        .unwrap()
        .scenario;
    for p in &g7.policies {
        let c = p
            .cost
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no cost", p.id));
        assert_eq!(c.value.path, format!("policy.{}.cost", p.id));
        assert!(
            c.source.as_deref().is_some_and(|s| !s.is_empty()),
            "{}",
            p.id
        );
        assert!(p.lever.is_some(), "{} has no lever", p.id);
    }
    let lv = scenario::levers(&g7.policies);
    assert_eq!(lv.len(), 9, "{lv:?}");
    assert_eq!(
        lv.iter().map(|l| l.policies.len()).sum::<usize>(),
        g7.policies.len()
    );
    // Costs are not model parameters: they never reach trials.csv or the engine.
    let paths: Vec<String> = scenario::params::all(&g7)
        .iter()
        .map(|p| p.path.clone())
        .collect();
    assert!(!paths.iter().any(|p| p.ends_with(".cost")));
    // Without `lever` a policy is a lever of its own.
    let r = scenario::load(Path::new(RESERVE)).unwrap().scenario;
    assert_eq!(r.policies[0].lever_name(), "reserve");
    assert!(r.policies[0].cost.is_none());
}

#[test]
fn a_cost_without_a_source_is_a_warning() {
    let text = std::fs::read_to_string(RESERVE).unwrap() + "cost = 3e8\n";
    let l = scenario::load_str(&text, Path::new(RESERVE)).unwrap();
    assert!(
        l.warnings
            .iter()
            .any(|w| w.message.contains("without `cost_source`")),
        "{:?}",
        l.warnings
    );
    assert_eq!(
        l.scenario.policies[0].cost.as_ref().unwrap().value.dist,
        Dist::Const(3e8)
    );
}

#[test]
fn keep_policies_drops_the_others_before_validation() {
    // A priority policy changes the sector it names; dropped, the sector keeps its own.
    let text = std::fs::read_to_string(RESERVE).unwrap()
        + "\n[[policy]]\nid = \"rated\"\nkind = \"priority\"\nregion = \"M\"\nsector = \"chips\"\n\
           priority = 7\n";
    let load = |keep: Option<Vec<String>>| {
        let opts = LoadOptions {
            set: vec![],
            keep_policies: keep,
            lenient_set: false,
            world_text: None,
        };
        scenario::load_str_with(&text, Path::new(RESERVE), &opts)
            .unwrap()
            .scenario
    };
    let all = load(None);
    let reserve = load(Some(vec!["reserve".into()]));
    let none = load(Some(vec![]));
    assert_eq!(all.policies.len(), 2);
    assert_eq!(all.sectors[0].priority, 7);
    assert_eq!(reserve.policies.len(), 1);
    assert_ne!(reserve.sectors[0].priority, 7);
    assert!(none.policies.is_empty());
    // Without policies the file is the base scenario.
    let base = scenario::load(Path::new("tests/data/compare/ban.toml"))
        .unwrap()
        .scenario;
    assert_eq!(none.sectors, base.sectors);
    assert_eq!(none.shocks, base.shocks);
}
