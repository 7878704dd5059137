//! The compare command: argument and scenario errors, output-directory rules and interrupts with a
//! stand-in runner (the command's flow does not depend on what the engine computes), and end-to-end
//! runs of the real engine on small closed-form worlds.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chokepoint::cli::CompareArgs;
use chokepoint::cli::compare::{compare_loaded, default_out, incomparable};
use chokepoint::run::{RunError, RunOptions, RunResults};
use chokepoint::scenario::{self, Scenario};
use serde_json::Value;

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compare")
        .join(name)
}

fn load(name: &str) -> Scenario {
    scenario::load(&data(name))
        .expect("test scenario is valid")
        .scenario
}

fn args(base: &str, policy: &str, out: &Path) -> CompareArgs {
    CompareArgs {
        base: data(base),
        policy: data(policy),
        trials: Some(20),
        seed: Some(5),
        threads: Some(1),
        out: Some(out.to_path_buf()),
        force: false,
        no_charts: true,
        set: vec![],
        design: Default::default(),
    }
}

/// Stand-in simulation: world value lost is the trial's global index plus the number of shocks,
/// minus the number of policies. Enough to see what the command does with results.
fn stand_in(
    sc: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    if !progress(opts.trials, opts.trials) {
        return Err(RunError::Cancelled);
    }
    let trials = opts.trials as usize;
    let shift = sc.shocks.len() as f64 - sc.policies.len() as f64;
    Ok(RunResults {
        seed: opts.seed,
        first_trial: opts.first_trial,
        trials,
        horizon: sc.meta.horizon,
        metric_names: vec!["world.value_lost".into()],
        metrics: (0..trials).map(|i| i as f64 + shift).collect(),
        param_paths: vec!["shock.ban.duration".into()],
        params: (0..trials).map(|i| i as f64).collect(),
        series_names: vec![],
        series: vec![],
    })
}

fn run_with(
    a: &CompareArgs,
    runner: chokepoint::cli::compare::Runner<'_>,
) -> (i32, String, String) {
    let (base, policy) = (
        scenario::load(&a.base).unwrap().scenario,
        scenario::load(&a.policy).unwrap().scenario,
    );
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = compare_loaded(&base, &policy, a, runner, None, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

#[test]
fn default_directory_names_both_sides() {
    assert_eq!(
        default_out(
            Path::new("scenarios/escalation-2026.toml"),
            Path::new("x/g7.toml")
        ),
        Path::new("results/compare-escalation-2026-vs-g7")
    );
}

#[test]
fn different_period_or_horizon_cannot_be_paired() {
    let why = incomparable(&load("ban.toml"), &load("ban-quarterly.toml")).unwrap();
    assert!(why.contains("same `period`"), "{why}");
    let why = incomparable(&load("ban.toml"), &load("ban-36.toml")).unwrap();
    assert!(
        why.contains("24 months") && why.contains("same `horizon`"),
        "{why}"
    );
    assert_eq!(
        incomparable(&load("ban.toml"), &load("ban-reserve.toml")),
        None
    );

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let (code, _, err) = run_with(&args("ban.toml", "ban-36.toml", &out), &stand_in);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("cannot compare"), "{err}");
    assert!(!out.exists());
}

#[test]
fn writes_every_file_and_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let mut a = args("ban.toml", "ban-reserve.toml", &out);
    let (code, table, err) = run_with(&a, &stand_in);
    assert_eq!(code, 0, "{err}");
    let mut files: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            "base-scenario.toml",
            "comparison.csv",
            "comparison.json",
            "policy-scenario.toml",
            "run.json",
            "sensitivity.csv"
        ]
    );
    // One shock on both sides, one policy on the policy side: every trial loses exactly 1 less.
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    let world = &json["metrics"][0];
    assert_eq!(world["name"], "world.value_lost");
    assert_eq!(world["difference"]["mean"], -1.0);
    assert_eq!(world["p_policy_better"], 1.0);
    assert_eq!(json["seed"], 5);
    assert_eq!(json["trials"], 20);
    assert!(table.contains("World"), "{table}");
    let run: Value = serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["command"][1], "compare");
    assert_eq!(
        std::fs::read(out.join("policy-scenario.toml")).unwrap(),
        std::fs::read(data("ban-reserve.toml")).unwrap()
    );

    std::fs::write(out.join("comparison.csv"), "earlier").unwrap();
    let (code, _, err) = run_with(&a, &stand_in);
    assert_eq!(code, 3);
    assert!(err.contains("--force"), "{err}");
    assert_eq!(
        std::fs::read(out.join("comparison.csv")).unwrap(),
        b"earlier"
    );

    a.force = true;
    let (code, _, err) = run_with(&a, &stand_in);
    assert_eq!(code, 0, "{err}");
    assert_ne!(
        std::fs::read(out.join("comparison.csv")).unwrap(),
        b"earlier"
    );
}

#[test]
fn force_never_replaces_a_directory_that_is_not_a_result() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("notes");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("mine.txt"), "keep").unwrap();
    let mut a = args("ban.toml", "ban-reserve.toml", &out);
    a.force = true;
    let (code, _, err) = run_with(&a, &stand_in);
    assert_eq!(code, 3);
    assert!(err.contains("not a chokepoint result directory"), "{err}");
    assert_eq!(std::fs::read(out.join("mine.txt")).unwrap(), b"keep");
}

#[test]
fn interrupted_or_failed_runs_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let a = args("ban.toml", "ban-reserve.toml", &out);
    let cancel = |_: &Scenario, _: &RunOptions, _: &(dyn Fn(u64, u64) -> bool + Sync)| {
        Err::<RunResults, _>(RunError::Cancelled)
    };
    let (code, _, err) = run_with(&a, &cancel);
    assert_eq!(code, 130);
    assert!(err.contains("interrupted"), "{err}");
    let full = |_: &Scenario, _: &RunOptions, _: &(dyn Fn(u64, u64) -> bool + Sync)| {
        Err::<RunResults, _>(RunError::Resources("out of memory".into()))
    };
    let (code, _, err) = run_with(&a, &full);
    assert_eq!(code, 2);
    assert!(
        err.contains("out of memory") && err.contains("fewer --trials"),
        "{err}"
    );
    assert!(!out.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no staging left"
    );
}

#[test]
fn ctrl_c_cancels_the_run_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let a = args("ban.toml", "ban-reserve.toml", &out);
    let (base, policy) = (load("ban.toml"), load("ban-reserve.toml"));
    let stop = std::sync::atomic::AtomicBool::new(true);
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = compare_loaded(&base, &policy, &a, &stand_in, Some(&stop), &mut o, &mut e);
    assert_eq!(code, 130);
    assert!(String::from_utf8_lossy(&e).contains("interrupted"));
    assert!(o.is_empty());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn zero_trials_or_threads_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = args("ban.toml", "ban-reserve.toml", &dir.path().join("cmp"));
    a.trials = Some(0);
    assert_eq!(run_with(&a, &stand_in).0, 2);
    a.trials = Some(3);
    a.threads = Some(0);
    assert_eq!(run_with(&a, &stand_in).0, 2);
}

#[test]
fn different_starts_are_compared_with_a_warning() {
    use chokepoint::cli::compare::start_mismatch;
    let base = load("ban.toml");
    let mut later = load("ban-reserve.toml");
    assert_eq!(start_mismatch(&base, &later), None);
    later.meta.start = Some(chokepoint::scenario::YearMonth {
        year: 2031,
        month: 2,
    });
    let why = start_mismatch(&base, &later).unwrap();
    assert!(
        why.contains("starts in 2031-02") && why.contains("same `start`"),
        "{why}"
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let a = args("ban.toml", "ban-reserve.toml", &out);
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = compare_loaded(&base, &later, &a, &stand_in, None, &mut o, &mut e);
    let err = String::from_utf8(e).unwrap();
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: ") && err.contains("2031-02"),
        "{err}"
    );
}

#[test]
fn different_seeds_in_the_files_use_the_base_seed_and_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let mut a = args("ban.toml", "ban-reserve.toml", &out);
    a.seed = None;
    let (code, _, err) = run_with(&a, &stand_in);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("base seed 7"), "{err}");
    let json: Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    assert_eq!(json["seed"], 7);
}

fn chokepoint() -> Command {
    Command::cargo_bin("chokepoint").unwrap()
}

#[test]
fn invalid_or_missing_scenarios_exit_before_running() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cmp");
    let o = chokepoint()
        .args(["compare"])
        .arg(data("ban.toml"))
        .arg(data("invalid.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("invalid.toml is invalid"), "{err}");
    let o = chokepoint()
        .args(["compare"])
        .arg(data("ban.toml"))
        .arg(data("absent.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no such file"));
    assert!(!out.exists());
    // Both files are checked before giving up: every problem at once; unreadable outranks invalid.
    let o = chokepoint()
        .args(["compare"])
        .arg(data("invalid.toml"))
        .arg(data("absent.toml"))
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("invalid.toml is invalid") && err.contains("no such file"),
        "{err}"
    );
    let o = chokepoint()
        .args(["compare", "only-one.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// Runs the real binary; returns (exit code, stdout, stderr).
fn compare_cmd(base: &str, policy: &str, out: &Path, extra: &[&str]) -> (i32, String, String) {
    let o = chokepoint()
        .arg("compare")
        .arg(data(base))
        .arg(data(policy))
        .arg("--out")
        .arg(out)
        .args(extra)
        .output()
        .unwrap();
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn metric<'a>(json: &'a Value, name: &str) -> &'a Value {
    json["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == name)
        .unwrap_or_else(|| panic!("no {name} in comparison.json"))
}

#[test]
fn a_scenario_compared_with_itself_differs_by_exactly_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("same");
    let (code, table, err) = compare_cmd("ban.toml", "ban.toml", &out, &["--trials", "200"]);
    assert_eq!(code, 0, "{err}");
    let json = read_json(&out.join("comparison.json"));
    let metrics = json["metrics"].as_array().unwrap();
    assert!(metrics.len() >= 5, "{metrics:?}");
    assert!(json["only_in_base"].as_array().unwrap().is_empty());
    for m in metrics {
        for k in ["mean", "se", "ci95_low", "ci95_high", "p5", "p50", "p95"] {
            assert_eq!(m["difference"][k], 0.0, "{} {k}", m["name"]);
        }
        assert_eq!(m["p_policy_better"], 0.0, "{}", m["name"]);
        assert_eq!(m["p_tie"], 1.0, "{}", m["name"]);
        assert_eq!(m["base"], m["policy"], "{}", m["name"]);
    }
    assert!(table.contains("P(policy better)"), "{table}");
    // The saving is zero in every trial, but the base lost something: the histogram is drawn.
    assert!(out.join("charts/compare-saving-world.svg").is_file());
    let bare = dir.path().join("bare");
    let (code, _, err) = compare_cmd(
        "ban.toml",
        "ban.toml",
        &bare,
        &["--trials", "20", "--no-charts"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!bare.join("charts").exists());
    assert!(!bare.join("comparison.html").exists());
    let run = read_json(&bare.join("run.json"));
    assert!(
        run["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "--no-charts")
    );
}

#[test]
fn a_three_month_reserve_saves_min_duration_three_months_in_every_trial() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("reserve");
    let (code, table, err) = compare_cmd(
        "ban.toml",
        "ban-reserve.toml",
        &out,
        &["--trials", "400", "--seed", "3"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("only in the policy scenario"), "{err}");
    let json = read_json(&out.join("comparison.json"));
    let loss = metric(&json, "sector.M.chips.mean_loss");
    let d = &loss["difference"];
    // Per trial the reserve covers min(duration, 3) of the ban's months, duration uniform on
    // 1..=12: the saving is 1/24, 2/24 or 3/24 (the last with probability 10/12).
    let (mean, se) = (d["mean"].as_f64().unwrap(), d["se"].as_f64().unwrap());
    let expect = -(1.0 + 2.0 + 30.0) / 12.0 / 24.0;
    assert!(
        (mean - expect).abs() < 4.0 * se,
        "{mean} vs {expect} (se {se})"
    );
    assert!((d["p50"].as_f64().unwrap() + 3.0 / 24.0).abs() < 1e-12);
    assert!(d["p95"].as_f64().unwrap() <= -1.0 / 24.0 + 1e-12);
    assert_eq!(loss["p_policy_better"], 1.0);
    assert_eq!(loss["p_tie"], 0.0);
    // Base and policy means differ by exactly the mean paired difference.
    let gap = loss["policy"]["mean"].as_f64().unwrap() - loss["base"]["mean"].as_f64().unwrap();
    assert!((gap - mean).abs() < 1e-12);
    // Later disruption is better: the reserve delays it in every trial.
    let first = metric(&json, "sector.M.chips.first_disrupted");
    assert_eq!(first["better"], "higher");
    assert_eq!(first["p_policy_better"], 1.0);
    let world = metric(&json, "world.value_lost");
    assert_eq!(world["p_policy_better"], 1.0);
    // Rows read as the page names them: region id and sector name, not the metric name.
    assert!(table.contains("M chips"), "{table}");
    assert!(!table.contains("sector.M.chips"), "{table}");

    // Charts: the saving histogram and the tornado, listed in run.json.
    let run = read_json(&out.join("run.json"));
    let files: Vec<&str> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    for stem in ["compare-saving-world", "compare-tornado-world"] {
        for ext in ["png", "svg"] {
            let f = format!("charts/{stem}.{ext}");
            assert!(out.join(&f).is_file(), "{f}");
            assert!(files.contains(&f.as_str()), "{files:?}");
        }
    }
    let svg = std::fs::read_to_string(out.join("charts/compare-tornado-world.svg")).unwrap();
    // Parameters in the report's words (format::param_words), not the TOML path.
    assert!(svg.contains("duration of X"), "{svg}");
    assert!(!svg.contains("shock.ban.duration"));
    // Time series of both sides: the output of the sector that loses most without the policy,
    // and the price of the restricted commodity that rises most outside its exporter.
    let svgs: Vec<&&str> = files
        .iter()
        .filter(|f| f.starts_with("charts/") && f.ends_with(".svg"))
        .collect();
    assert!(
        files.contains(&"charts/compare-output-M-chips.svg"),
        "{files:?}"
    );
    assert!(
        files.iter().any(|f| f.starts_with("charts/compare-price-")),
        "{files:?}"
    );
    let series = std::fs::read_to_string(out.join("charts/compare-output-M-chips.svg")).unwrap();
    assert!(series.contains(">\nbase\n<") && series.contains(">\npolicy\n<"));
    // The page inlines every chart and lists the key rows.
    assert!(files.contains(&"comparison.html"), "{files:?}");
    let page = std::fs::read_to_string(out.join("comparison.html")).unwrap();
    assert_eq!(page.matches("<svg role=\"img\"").count(), svgs.len());
    assert!(page.contains("Gallium ban with a reserve") && page.contains("sector.M.chips"));
    // Rows are named from the base scenario, as in the run's table.
    assert!(
        page.contains("<td title=\"sector.M.chips\">M chips</td>"),
        "{page}"
    );
    assert!(page.contains(">M, all sectors</td>"), "{page}");
    // The first screen answers in words: the saving with its interval and P(better), who gains,
    // prices on both sides of the exporter, the lever; the saving chart is the overview.
    let brief = &page[page.find("<section id=\"briefing\">").unwrap()..];
    let brief = &brief[..brief.find("</section>").unwrap()];
    assert_eq!(brief.matches("<dt>").count(), 4, "{brief}");
    for words in [
        "What the policy saves",
        "95% interval",
        "of trials and worse in",
        "Prices inside and outside X",
        "Which lever matters most",
        "duration of X",
        "id=\"overview\"",
    ] {
        assert!(brief.contains(words), "{words}: {brief}");
    }
    // The stockpile the policy adds is named and its outcome shown, not a raw id.
    assert!(
        page.contains(
            "<td title=\"stockpile.M.gallium.empty_at\">M gallium, stockpile empty at</td>"
        ),
        "{page}"
    );
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(csv.starts_with("metric,label,better,"), "{csv}");
    assert!(
        csv.contains("\nworld.value_lost,\"World, value lost\",lower,"),
        "{csv}"
    );

    // The ban's duration drives the base loss exactly (loss = duration / 24 in every trial).
    let sens = std::fs::read_to_string(out.join("sensitivity.csv")).unwrap();
    assert!(
        sens.lines()
            .any(|l| l == "base,sector.M.chips.mean_loss,shock.ban.duration,1.0"),
        "{sens}"
    );
    // The saving min(duration, 3) never shrinks with the duration: policy - base falls with it.
    let first_difference = sens
        .lines()
        .find(|l| l.starts_with("difference,world.value_lost,"))
        .unwrap();
    assert!(
        first_difference.starts_with("difference,world.value_lost,shock.ban.duration,-"),
        "{first_difference}"
    );
}

#[test]
fn outputs_do_not_depend_on_threads() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("one"), dir.path().join("two"));
    let opts = |t: &'static str| ["--trials", "150", "--seed", "9", "--threads", t];
    assert_eq!(
        compare_cmd("ban.toml", "ban-reserve.toml", &a, &opts("1")).0,
        0
    );
    assert_eq!(
        compare_cmd("ban.toml", "ban-reserve.toml", &b, &opts("2")).0,
        0
    );
    for f in [
        "comparison.json",
        "comparison.csv",
        "sensitivity.csv",
        "run.json",
        "charts/compare-saving-world.svg",
        "charts/compare-tornado-world.svg",
        "comparison.html",
    ] {
        assert_eq!(
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
            "{f}"
        );
    }
}
