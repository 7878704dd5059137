//! Sampling designs on the real engine and the `sensitivity` command: a small world where one
//! parameter obviously dominates, determinism across thread counts, and the command's files and
//! errors end to end.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use assert_cmd::Command;
use chokepoint::model::Model;
use chokepoint::model::params::Factor;
use chokepoint::run::{RunOptions, run_model};
use chokepoint::sample::Design;
use chokepoint::scenario::{self, Scenario};
use chokepoint::stats::morris::MorrisIndex;
use chokepoint::study::sensitivity::{
    Base, Grouping, Indices, Method, SensitivityOptions, StudyError, run_sensitivity,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sensitivity")
        .join(name)
}

fn dominant() -> Scenario {
    scenario::load(&data("dominant.toml"))
        .expect("test scenario is valid")
        .scenario
}

fn opts(method: Method, trials: u64, threads: usize) -> SensitivityOptions {
    SensitivityOptions {
        method,
        metric: "world.value_lost".into(),
        trials,
        seed: 3,
        threads: Some(threads),
        base: Base::Sobol,
        group: Grouping::Parameter,
    }
}

fn no_progress(_: u64, _: u64) -> bool {
    true
}

/// Every trial's value of parameter `path` in `r`.
fn param_of(r: &chokepoint::run::RunResults, path: &str) -> Vec<f64> {
    let k = r.param_paths.iter().position(|p| p == path).unwrap();
    r.param_values(k)
}

#[test]
fn a_latin_hypercube_puts_every_ban_length_in_equally_many_trials() {
    let s = dominant();
    let mut model = Model::compile(&s);
    model.params.design = Some(Arc::new(Design::Lhs { n: 1200 }));
    let o = RunOptions {
        trials: 1200,
        seed: 9,
        first_trial: 0,
        threads: Some(2),
    };
    let r = run_model(&model, &o, &no_progress).unwrap();
    let mut counts = [0usize; 13];
    for d in param_of(&r, "shock.ban.duration") {
        counts[d as usize] += 1;
    }
    // uniform_int 1..=12 over 1200 strata: exactly 100 trials each, where plain Monte Carlo
    // scatters around 100.
    assert_eq!(&counts[1..], &[100; 12]);
    // A design is indexed by global trial: a shard of the same design is a slice of the run.
    let shard = run_model(
        &model,
        &RunOptions {
            trials: 200,
            first_trial: 700,
            ..o.clone()
        },
        &no_progress,
    )
    .unwrap();
    let w = r.param_paths.len();
    assert_eq!(shard.params, r.params[700 * w..900 * w]);
    // Without a design the draws are the plain keyed streams, as before.
    model.params.design = None;
    let plain = run_model(&model, &o, &no_progress).unwrap();
    assert_eq!(plain, chokepoint::run::run(&s, &o, &no_progress).unwrap());
    assert_ne!(plain.params, r.params);
}

#[test]
fn sobol_indices_put_the_dominant_parameter_first_and_the_idle_one_at_zero() {
    let s = dominant();
    let study = run_sensitivity(&s, &opts(Method::Sobol, 5000, 2), &no_progress).unwrap();
    assert_eq!(study.groups, 1000);
    assert_eq!(study.trials, 5000);
    let rows = study.rows();
    let by = |p: &str| {
        rows.iter()
            .find(|(path, _)| *path == p)
            .map(|(_, ix)| match ix {
                Indices::Sobol(x) => *x,
                Indices::Morris(_) => panic!("a Sobol study"),
            })
            .unwrap()
    };
    let dur = by("shock.ban.duration");
    assert!(dur.total.value > 0.9 && dur.first.value > 0.85, "{dur:?}");
    let idle = by("sector.EX.home.value_added");
    assert_eq!(idle.total.value, 0.0);
    assert!(idle.total.within_noise());
    let sev = by("shock.ban.severity");
    assert!(sev.total.value < 0.05 && sev.total.value > 0.0, "{sev:?}");
    assert_eq!(study.params[study.ranked()[0]], "shock.ban.duration");
    // Same study on one thread: identical to the last bit.
    let one = run_sensitivity(&s, &opts(Method::Sobol, 5000, 1), &no_progress).unwrap();
    assert_eq!(one, study);
}

#[test]
fn grouped_indices_give_one_share_per_entity() {
    let s = dominant();
    let mut o = opts(Method::Sobol, 4000, 2);
    o.group = Grouping::Entity;
    let st = run_sensitivity(&s, &o, &no_progress).unwrap();
    // Two entities: the ban (duration and severity) and the exporter's idle sector.
    assert_eq!(st.params, ["sector EX home", "shock ban"]);
    assert_eq!(st.sizes, [1, 2]);
    assert_eq!(st.groups, 1000);
    let total = |i: usize| match &st.rows()[i].1 {
        Indices::Sobol(x) => x.total,
        Indices::Morris(_) => panic!("a Sobol study"),
    };
    assert_eq!(total(0).value, 0.0);
    assert!(
        total(1).value > 0.95 && total(1).low <= 1.0,
        "{:?}",
        total(1)
    );
    o.method = Method::Morris;
    assert!(matches!(
        run_sensitivity(&s, &o, &no_progress),
        Err(StudyError::Usage(m)) if m.contains("--method sobol")
    ));
}

#[test]
fn morris_screening_agrees_and_repeats_on_any_thread_count() {
    let s = dominant();
    let m = run_sensitivity(&s, &opts(Method::Morris, 400, 2), &no_progress).unwrap();
    assert_eq!(m.groups, 100);
    assert_eq!(m.params[m.ranked()[0]], "shock.ban.duration");
    let idle = m
        .params
        .iter()
        .position(|p| p == "sector.EX.home.value_added")
        .unwrap();
    assert_eq!(m.importance(idle), 0.0);
    assert_eq!(
        m,
        run_sensitivity(&s, &opts(Method::Morris, 400, 1), &no_progress).unwrap()
    );
}

#[test]
fn bad_requests_are_named_before_any_run() {
    let s = dominant();
    let mut o = opts(Method::Sobol, 5000, 1);
    o.metric = "world.value_lots".into();
    match run_sensitivity(&s, &o, &no_progress) {
        Err(StudyError::Usage(m)) => {
            assert!(
                m.contains("world.value_lots") && m.contains("world.value_lost"),
                "{m}"
            )
        }
        other => panic!("expected a usage error, got {other:?}"),
    }
    match run_sensitivity(&s, &opts(Method::Sobol, 9, 1), &no_progress) {
        Err(StudyError::Usage(m)) => assert!(m.contains("at least 10 trials"), "{m}"),
        other => panic!("expected a usage error, got {other:?}"),
    }
}

fn cmd() -> Command {
    Command::cargo_bin("chokepoint").unwrap()
}

#[test]
fn the_command_writes_its_study_once_and_prints_the_ranking() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("study");
    let run = |extra: &[&str]| {
        let mut c = cmd();
        c.arg("sensitivity")
            .arg(data("dominant.toml"))
            .args(["--trials", "500", "--out"])
            .arg(&out)
            .args(extra);
        c.output().unwrap()
    };
    let o = run(&["--threads", "2"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("ban: duration"), "{table}");
    assert!(table.contains("(noise)"), "{table}");
    for f in [
        "sensitivity.csv",
        "sensitivity.json",
        "scenario.toml",
        "run.json",
        "charts/tornado-sobol.svg",
        "charts/tornado-sobol.png",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    let svg = std::fs::read(out.join("charts/tornado-sobol.svg")).unwrap();
    let second = csv.lines().nth(1).unwrap();
    assert!(
        second.starts_with("1,shock.ban.duration,ban: duration,"),
        "{csv}"
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(json["groups"], 100);
    assert_eq!(json["ranked"][0]["parameter"], "shock.ban.duration");
    // The study exists: not replaced without --force (exit 3), replaced with it, byte for byte.
    let again = run(&[]);
    assert_eq!(again.status.code(), Some(3));
    let forced = run(&["--force", "--threads", "1"]);
    assert!(forced.status.success());
    assert_eq!(
        std::fs::read_to_string(out.join("sensitivity.csv")).unwrap(),
        csv
    );
    assert_eq!(
        std::fs::read(out.join("charts/tornado-sobol.svg")).unwrap(),
        svg
    );
}

#[test]
fn the_command_refuses_an_unknown_metric_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let o = cmd()
        .arg("sensitivity")
        .arg(data("dominant.toml"))
        .args(["--metric", "world.valu_lost", "--out"])
        .arg(dir.path().join("x"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("did you mean") || err.contains("world.value_lost"),
        "{err}"
    );
    assert!(!dir.path().join("x").exists());
}

/// Runs the dominant world with `--trials-csv` into `dir/run` (or without, when `csv` is false).
fn run_dominant(dir: &Path, csv: bool) -> PathBuf {
    let out = dir.join("run");
    let mut c = cmd();
    c.arg("run")
        .arg(data("dominant.toml"))
        .args(["--trials", "1000", "--no-charts", "--out"])
        .arg(&out);
    if csv {
        c.arg("--trials-csv");
    }
    assert!(c.output().unwrap().status.success());
    out
}

fn discover(args: &[&str]) -> std::process::Output {
    cmd().arg("discover").args(args).output().unwrap()
}

#[test]
fn discover_says_in_words_that_long_bans_are_the_bad_trials() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_dominant(dir.path(), true);
    let run_s = run.to_str().unwrap();
    // A month of the importer's output is $100 m: above $800 m lost means a ban of 9+ months
    // (at severity 0.97-1, 8.7-9 months of lost output for a 9-month ban).
    let o = discover(&[
        run_s,
        "--metric",
        "world.value_lost",
        "--worse-than",
        "8.5e8",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains(
            "world.value_lost above $850 m in 100.0% of trials where ban: duration >= 9 months."
        ),
        "{text}"
    );
    assert!(!text.contains("value added"), "{text}");
    // With --out: the box as JSON and the peeling trajectory, never overwritten without --force.
    let out = dir.path().join("disc");
    let out_s = out.to_str().unwrap();
    let args = [
        run_s,
        "--metric",
        "world.value_lost",
        "--worse-than",
        "8.5e8",
        "--out",
        out_s,
    ];
    assert!(discover(&args).status.success());
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("discovery.json")).unwrap()).unwrap();
    assert_eq!(j["restrictions"][0]["parameter"], "shock.ban.duration");
    assert_eq!(j["restrictions"][0]["low"], 9.0);
    assert_eq!(j["density"], 1.0);
    assert_eq!(j["coverage"], 1.0);
    assert!(out.join("peeling.csv").is_file() && out.join("run.json").is_file());
    assert_eq!(discover(&args).status.code(), Some(3));
    // Timing metrics are bad below the level: first disrupted before period 1 is every trial.
    let o = discover(&[
        run_s,
        "--metric",
        "sector.IM.ind.first_disrupted",
        "--worse-than",
        "1",
    ]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("below 1 in 1000 of 1000 trials"), "{text}");
    assert!(text.contains("Every trial is that bad"), "{text}");
}

#[test]
fn discover_names_the_flag_that_writes_trials_csv_and_the_metric_it_meant() {
    let dir = tempfile::tempdir().unwrap();
    let run = run_dominant(dir.path(), false);
    let run_s = run.to_str().unwrap();
    let o = discover(&[run_s, "--metric", "world.value_lost", "--worse-than", "1e9"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no trials.csv") && err.contains("--trials-csv"),
        "{err}"
    );
    let o = discover(&[run_s, "--metric", "world.valu_lost", "--worse-than", "1e9"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("did you mean \"world.value_lost\""), "{err}");
    let o = discover(&[
        dir.path().to_str().unwrap(),
        "--metric",
        "world.value_lost",
        "--worse-than",
        "1e9",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a chokepoint run directory"));
    // A damaged table: every bad cell named with its line and column.
    let broken = dir.path().join("broken");
    std::fs::create_dir(&broken).unwrap();
    std::fs::copy(run.join("summary.json"), broken.join("summary.json")).unwrap();
    std::fs::write(
        broken.join("trials.csv"),
        "trial,shock.ban.duration,world.value_lost\n0,x,1\n1,2,y\n",
    )
    .unwrap();
    let o = discover(&[
        broken.to_str().unwrap(),
        "--metric",
        "world.value_lost",
        "--worse-than",
        "1",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("line 2, column `shock.ban.duration`: `x`")
            && err.contains("line 3, column `world.value_lost`: `y`"),
        "{err}"
    );
}

#[test]
fn trials_on_every_design_allocate_nothing() {
    let worlds = [
        dominant(),
        scenario::load(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/g7-derisking-2026.toml"),
        )
        .unwrap()
        .scenario,
    ];
    for s in worlds {
        let mut model = Model::compile(&s);
        let k = model.params.reported.len();
        let mut designs = vec![
            Design::Lhs { n: 40 },
            Design::saltelli(k, false).unwrap(),
            Design::Morris { k },
        ];
        if k <= 128 {
            designs.push(Design::saltelli(k, true).unwrap());
            designs.push(Design::Sobol(Arc::new(
                chokepoint::sample::design::SobolSeq::new(k).unwrap(),
            )));
        }
        for d in designs {
            model.params.design = Some(Arc::new(d.clone()));
            assert_eq!(
                crate::engine_alloc::allocations_in_trials(&model),
                0,
                "{}: {d:?}",
                s.meta.name
            );
        }
    }
}

/// `event.toml` with its ban's probability set to `p` (TOML value text).
fn event_world(p: &str) -> Scenario {
    let path = data("event.toml");
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("probability = 0.1", &format!("probability = {p}"));
    scenario::load_str(&text, &path)
        .expect("test scenario is valid")
        .scenario
}

/// world.value_lost of every trial of plain runs of `event.toml` at probability `p`.
fn event_losses(p: &str) -> Vec<f64> {
    let o = RunOptions {
        trials: 50,
        seed: 1,
        first_trial: 0,
        threads: Some(1),
    };
    let r = chokepoint::run::run(&event_world(p), &o, &no_progress).unwrap();
    r.metric_values(r.metric_index("world.value_lost").unwrap())
}

/// Morris indices of `path` in a study of `s`.
fn morris_of(study: &chokepoint::study::sensitivity::Study, path: &str) -> MorrisIndex {
    match study.rows().into_iter().find(|(p, _)| *p == path) {
        Some((_, Indices::Morris(m))) => m,
        other => panic!("{path}: {other:?}"),
    }
}

/// A ban that happens in 10% or 90% of trials is screened on and off: its mu* is exactly the loss
/// of a trial with the ban (a trial without loses nothing), whatever its probability. (Before,
/// the grid's uniforms 0.125..0.875 never went below 0.1 nor above 0.9, so the ban never
/// toggled and both studies said mu* = 0.)
#[test]
fn morris_switches_a_rare_or_a_likely_event_on_and_off() {
    let with = event_losses("1.0");
    assert!(
        with.iter().all(|&v| v == with[0]) && with[0] > 1e8,
        "{with:?}"
    );
    assert!(event_losses("0.0").iter().all(|&v| v == 0.0));
    let ban = with[0];
    for p in ["0.1", "0.9"] {
        let s = event_world(p);
        let mut o = opts(Method::Morris, 300, 2);
        o.seed = 11;
        let st = run_sensitivity(&s, &o, &no_progress).unwrap();
        assert_eq!(st.groups, 100);
        assert_eq!(st.factors, [Factor::Value, Factor::Event]);
        let m = morris_of(&st, "shock.ban.occurs");
        // On/off difference, not divided by the grid step; positive: more loss with the ban.
        assert_eq!(m.mu_star.value, ban, "p {p}: {m:?}");
        assert_eq!(m.mu, ban);
        assert_eq!(m.sigma, 0.0);
        assert!(!m.mu_star.within_noise());
        assert_eq!(
            morris_of(&st, "sector.EX.home.value_added").mu_star.value,
            0.0
        );
        assert_eq!(st.params[st.ranked()[0]], "shock.ban.occurs");
        // The starting points have the ban in about half of them, whatever p.
        let share = st.mean / ban;
        assert!(share > 0.3 && share < 0.7, "p {p}: {share}");
    }
    // An uncertain probability no longer changes whether the ban happens: not screened (NaN,
    // ranked last), while the ban itself still is.
    let s = event_world("{ uniform = [0.05, 0.15] }");
    let st = run_sensitivity(&s, &opts(Method::Morris, 400, 1), &no_progress).unwrap();
    assert_eq!(
        st.factors,
        [Factor::Value, Factor::Probability, Factor::Event]
    );
    assert!(
        morris_of(&st, "shock.ban.probability")
            .mu_star
            .value
            .is_nan()
    );
    assert_eq!(morris_of(&st, "shock.ban.occurs").mu_star.value, ban);
    assert_eq!(
        st.params[*st.ranked().last().unwrap()],
        "shock.ban.probability"
    );
}

/// Sobol' studies still draw an event at its probability: about 10% of the A rows have the ban.
#[test]
fn saltelli_designs_still_draw_events_at_their_probability() {
    let s = event_world("0.1");
    let mut model = Model::compile(&s);
    let design = Design::saltelli(model.params.reported.len(), true).unwrap();
    let g = design.group();
    model.params.design = Some(Arc::new(design));
    let o = RunOptions {
        trials: g * 1000,
        seed: 3,
        first_trial: 0,
        threads: Some(2),
    };
    let r = run_model(&model, &o, &no_progress).unwrap();
    // Row j of A is trial j g.
    let v = param_of(&r, "shock.ban.occurs");
    let on = v.iter().step_by(g as usize).filter(|&&x| x == 1.0).count();
    assert!((80..=120).contains(&on), "{on} of 1000");
}

#[test]
fn the_command_says_what_a_morris_event_and_its_mean_are() {
    let dir = tempfile::tempdir().unwrap();
    let scen = dir.path().join("event.toml");
    let text = std::fs::read_to_string(data("event.toml"))
        .unwrap()
        .replace(
            "probability = 0.1",
            "probability = { uniform = [0.05, 0.15] }",
        );
    std::fs::write(&scen, text).unwrap();
    let out = dir.path().join("study");
    let o = cmd()
        .arg("sensitivity")
        .arg(&scen)
        .args([
            "--method",
            "morris",
            "--trials",
            "200",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    for want in [
        "mean at the trajectories' starting points",
        "not the scenario's mean",
        "(not screened)",
        "between happening and not",
    ] {
        assert!(table.contains(want), "{want}: {table}");
    }
    let csv = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",within_noise,factor")
    );
    assert!(
        csv.contains(",shock.ban.occurs,") && csv.contains(",false,event\n"),
        "{csv}"
    );
    let prob = csv
        .lines()
        .find(|l| l.contains(",shock.ban.probability,"))
        .unwrap();
    assert!(prob.ends_with(",,,,,,,true,probability"), "{prob}");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("sensitivity.json")).unwrap()).unwrap();
    assert_eq!(json["ranked"][0]["factor"], "event");
    assert!(
        json["mean_of"]
            .as_str()
            .unwrap()
            .contains("not the scenario's mean")
    );
}

/// The help's limit on the Sobol' base is the real one: two dimensions per parameter.
#[test]
fn the_help_states_the_sobol_base_limit() {
    let o = cmd().args(["sensitivity", "--help"]).output().unwrap();
    let help = String::from_utf8(o.stdout).unwrap();
    let fit = chokepoint::sample::design::MAX_SOBOL_DIMS / 2;
    let words = format!("at most {},{:03} parameters", fit / 1000, fit % 1000);
    assert!(help.contains(&words), "{words}: {help}");
    assert_eq!(
        Base::Auto.resolve(fit),
        Base::Sobol,
        "the default base is Sobol' up to that limit"
    );
}
