//! The v2 keys of an export restriction (SCENARIO.md): `announced`, `precautionary_cover`,
//! `licensing`, `severity_path`, and calendar labels for `start` and `announced`. Broken files
//! for them are in the corpus under tests/data/errors (`v2_*.toml`).

use std::path::Path;

use chokepoint::sample::Dist;
use chokepoint::scenario::{self, Licensing, Param, Scenario, Shock, ShockKind};

fn load(p: &str) -> Scenario {
    match scenario::load(Path::new(p)) {
        Ok(l) => l.scenario,
        Err(e) => panic!("{p} should be valid:\n{e}"),
    }
}

fn shock<'a>(s: &'a Scenario, id: &str) -> &'a Shock {
    s.shocks.iter().find(|x| x.id == id).expect("shock exists")
}

struct V2<'a> {
    announced: &'a Option<Param>,
    cover: &'a Option<Param>,
    licensing: &'a Option<Licensing>,
    path: &'a Option<Vec<Param>>,
}

fn v2(sh: &Shock) -> V2<'_> {
    let ShockKind::ExportRestriction {
        announced,
        precautionary_cover,
        licensing,
        severity_path,
        ..
    } = &sh.kind
    else {
        panic!("{} is not an export restriction", sh.id)
    };
    V2 {
        announced,
        cover: precautionary_cover,
        licensing,
        path: severity_path,
    }
}

fn fixed(path: &str, v: f64) -> Option<Param> {
    Some(Param::fixed(path, v))
}

#[test]
fn licensing_with_an_announcement_and_labels_by_month() {
    let s = load("tests/data/scenario/v2_restriction.toml");
    let sh = shock(&s, "cn-ga-ge-licensing");
    // Period 0 is 2023-04: July is period 3, August period 4.
    assert_eq!(
        sh.start,
        Param::fixed("shock.cn-ga-ge-licensing.start", 4.0)
    );
    let v = v2(sh);
    assert_eq!(
        *v.announced,
        fixed("shock.cn-ga-ge-licensing.announced", 3.0)
    );
    assert_eq!(
        *v.cover,
        Some(Param::new(
            "shock.cn-ga-ge-licensing.precautionary_cover",
            Dist::Uniform { lo: 0.5, hi: 2.0 }
        ))
    );
    let l = v.licensing.as_ref().expect("licensing");
    assert_eq!(
        l.review,
        Param::new(
            "shock.cn-ga-ge-licensing.licensing.review",
            Dist::UniformInt { lo: 1, hi: 3 }
        )
    );
    assert_eq!(
        l.approval_rate,
        Param::new(
            "shock.cn-ga-ge-licensing.licensing.approval_rate",
            Dist::Uniform { lo: 0.1, hi: 0.3 }
        )
    );
    assert_eq!(
        l.ceiling,
        Param::new(
            "shock.cn-ga-ge-licensing.licensing.ceiling",
            Dist::Pert {
                min: 0.5,
                mode: 0.8,
                max: 0.95
            }
        )
    );
    assert_eq!(*v.path, None);
    // A label works for the start of any kind of shock.
    assert_eq!(
        shock(&s, "cn-outage").start,
        Param::fixed("shock.cn-outage.start", 9.0)
    );
}

#[test]
fn a_severity_path_is_one_share_per_period() {
    let s = load("tests/data/scenario/v2_restriction.toml");
    let sh = shock(&s, "cn-magnets-observed");
    assert_eq!(sh.start.dist, Dist::Const(24.0), "2025-04 is two years on");
    let v = v2(sh);
    let base = "shock.cn-magnets-observed.severity_path";
    assert_eq!(
        v.path.as_deref(),
        Some(
            &[
                Param::fixed(format!("{base}.0"), 0.5),
                Param::fixed(format!("{base}.1"), 0.75),
                Param::new(format!("{base}.2"), Dist::Uniform { lo: 0.3, hi: 0.5 }),
                Param::fixed(format!("{base}.3"), 0.1),
            ][..]
        )
    );
    assert_eq!((v.announced, v.cover, v.licensing), (&None, &None, &None));
}

#[test]
fn numbers_and_defaults_of_the_v2_keys() {
    let s = load("tests/data/scenario/v2_restriction.toml");
    let v = v2(shock(&s, "numbers"));
    assert_eq!(
        *v.announced,
        Some(Param::new(
            "shock.numbers.announced",
            Dist::UniformInt { lo: 0, hi: 2 }
        ))
    );
    assert_eq!(*v.cover, fixed("shock.numbers.precautionary_cover", 1.5));
    let l = v.licensing.as_ref().expect("licensing");
    assert_eq!(
        l.review,
        Param::fixed("shock.numbers.licensing.review", 2.0)
    );
    assert_eq!(
        l.ceiling,
        Param::fixed("shock.numbers.licensing.ceiling", 1.0),
        "ceiling defaults to 1"
    );
    // Precautionary cover without an announcement is allowed: buyers stock from `start`.
    let v = v2(shock(&s, "cover-only"));
    assert_eq!(*v.announced, None);
    assert_eq!(*v.cover, fixed("shock.cover-only.precautionary_cover", 1.0));
    // Every v2 parameter is listed once.
    let paths: Vec<_> = scenario::params::all(&s)
        .iter()
        .map(|p| p.path.as_str())
        .collect();
    for p in [
        "shock.cn-ga-ge-licensing.announced",
        "shock.cn-ga-ge-licensing.precautionary_cover",
        "shock.cn-ga-ge-licensing.licensing.review",
        "shock.cn-ga-ge-licensing.licensing.approval_rate",
        "shock.cn-ga-ge-licensing.licensing.ceiling",
        "shock.cn-magnets-observed.severity_path.3",
    ] {
        assert_eq!(paths.iter().filter(|x| **x == p).count(), 1, "{p}");
    }
}

#[test]
fn the_v2_file_loads_without_warnings() {
    let l = scenario::load(Path::new("tests/data/scenario/v2_restriction.toml")).unwrap();
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

#[test]
fn labels_by_quarter() {
    let s = load("tests/data/scenario/v2_quarters.toml");
    // Period 0 is 2025-Q2 (April-June).
    let ban = shock(&s, "ban");
    assert_eq!(ban.start.dist, Dist::Const(3.0), "2026-01 is in 2026-Q1");
    assert_eq!(*v2(ban).announced, fixed("shock.ban.announced", 0.0));
    let later = shock(&s, "later");
    assert_eq!(later.start.dist, Dist::Const(10.0), "2027-12 is in 2027-Q4");
    assert_eq!(*v2(later).announced, fixed("shock.later.announced", 1.0));
}

const INLINE: &str = r#"
[scenario]
horizon = HORIZON
period = "PERIOD"
start = "2025-04"

[[region]]
id = "CN"

[[region]]
id = "US"

[[commodity]]
id = "gallium"
price = 300
elasticity = 0.2

[[producer]]
commodity = "gallium"
region = "CN"
capacity = 1000

[[sector]]
id = "chips"
region = "US"
value_added = 1e9
demand = { gallium = 500 }

[[shock]]
id = "ban"
kind = "export_restriction"
exporter = "CN"
commodities = "gallium"
SHOCK
"#;

fn inline(
    horizon: usize,
    period: &str,
    shock: &str,
) -> Result<scenario::Loaded, scenario::LoadError> {
    let text = INLINE
        .replace("HORIZON", &horizon.to_string())
        .replace("PERIOD", period)
        .replace("SHOCK", shock);
    scenario::load_str(&text, Path::new("inline.toml"))
}

#[test]
fn labels_by_week_use_months_of_30_4375_days() {
    let s = inline(104, "week", "announced = \"2025-05\"\nstart = \"2026-04\"")
        .unwrap()
        .scenario;
    assert_eq!(s.shocks[0].start.dist, Dist::Const(52.0));
    assert_eq!(
        *v2(&s.shocks[0]).announced,
        fixed("shock.ban.announced", 4.0)
    );
}

#[test]
fn a_label_at_or_after_the_horizon_warns_as_a_late_start_does() {
    let l = inline(6, "month", "start = \"2025-10\"").unwrap();
    assert_eq!(l.scenario.shocks[0].start.dist, Dist::Const(6.0));
    assert_eq!(l.warnings.len(), 1);
    assert!(
        l.warnings[0]
            .message
            .contains("starts at period 6 or later"),
        "{}",
        l.warnings[0]
    );
}

#[test]
fn severity_path_entries_past_the_horizon_never_apply() {
    let l = inline(
        6,
        "month",
        "start = 4\nseverity_path = [0.9, 0.8, 0.7, 0.6]",
    )
    .unwrap();
    assert_eq!(l.warnings.len(), 1);
    let w = &l.warnings[0];
    assert_eq!(w.key_path, "shock \"ban\".severity_path.2");
    assert_eq!(
        w.message,
        "2 of 4 entries never apply: the path starts in period 4 of a 6-period horizon"
    );
    assert!(
        inline(4, "month", "severity_path = [1, 1, 1, 1]")
            .unwrap()
            .warnings
            .is_empty()
    );
}

#[test]
fn every_v2_problem_of_a_file_is_reported_at_once() {
    let err = scenario::load(Path::new("tests/data/errors/v2_all_at_once.toml")).unwrap_err();
    let keys: Vec<_> = err.errors().map(|d| d.key_path.as_str()).collect();
    assert_eq!(
        keys,
        [
            "shock \"ga-ge\".announced",
            "shock \"ga-ge\".precautionary_cover",
            "shock \"ga-ge\".licensing",
            "shock \"ga-ge\".licensing.approval_rate",
            "shock \"ga-ge\".licensing.extra",
            "shock \"ga-ge\".severity_path",
            "shock \"ga-ge\".severity_path.1",
            "shock \"early\".announced",
            "shock \"early\".start",
            "shock \"early\".severity_path",
        ]
    );
    for d in err.errors() {
        assert!(d.line >= 1 && d.column >= 1, "{d}");
        assert!(d.allowed.is_some(), "no allowed values: {d}");
        assert!(d.hint.is_some(), "no hint: {d}");
    }
}
