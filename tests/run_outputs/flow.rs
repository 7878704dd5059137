//! The run command after loading (`cli::run::run_loaded`) with a stand-in simulation, so result
//! directory handling is tested without the engine: what is written, overwrite rules, errors and
//! interrupts leaving nothing behind.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use chokepoint::cli::run::{Inputs, run_loaded};
use chokepoint::cli::{EXIT_INTERRUPTED, EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, RunArgs};
use chokepoint::run::{RunError, RunOptions, RunResults};
use chokepoint::scenario::Scenario;

use super::synthetic;

fn args(out: &Path) -> RunArgs {
    RunArgs {
        scenario: PathBuf::from("scenarios/gallium.toml"),
        trials: Some(5),
        seed: None,
        threads: None,
        out: Some(out.to_path_buf()),
        force: false,
        trials_csv: false,
        trials_parquet: false,
        no_charts: true,
        thresholds: vec![],
        set: vec![],
        shard: None,
        precision: vec![],
        design: Default::default(),
        scale: Default::default(),
    }
}

fn inputs() -> Inputs {
    Inputs {
        scenario: b"[scenario]\nname = \"Gallium ban, synthetic\"\n".to_vec(),
        world: Some(b"[world]\nname = \"w\"\n".to_vec()),
    }
}

/// Stand-in simulation: reports progress once and returns the synthetic results.
fn fake(
    _: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    if !progress(opts.trials, opts.trials) {
        return Err(RunError::Cancelled);
    }
    let mut r = synthetic::results(opts.first_trial, opts.trials as usize);
    r.seed = opts.seed;
    Ok(r)
}

struct Outcome {
    code: i32,
    out: String,
    err: String,
}

fn go(a: &RunArgs, stop: Option<&AtomicBool>) -> Outcome {
    go_with(a, stop, &fake)
}

fn go_with(
    a: &RunArgs,
    stop: Option<&AtomicBool>,
    runner: chokepoint::cli::run::Runner<'_>,
) -> Outcome {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = run_loaded(
        &synthetic::scenario(),
        &inputs(),
        a,
        runner,
        stop,
        &mut out,
        &mut err,
    );
    Outcome {
        code,
        out: String::from_utf8(out).unwrap(),
        err: String::from_utf8(err).unwrap(),
    }
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn writes_every_file_and_prints_the_table() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("nested/res");
    let o = go(&args(&out), None);
    assert_eq!(o.code, EXIT_OK, "{}", o.err);
    assert_eq!(
        names(&out),
        [
            "metrics.csv",
            "report.html",
            "run.json",
            "scenario.toml",
            "series.csv",
            "summary.json",
            "world.toml"
        ]
    );
    // Nothing else is left beside the result (no staging directory).
    assert_eq!(names(&tmp.path().join("nested")), ["res"]);
    assert_eq!(
        fs::read(out.join("scenario.toml")).unwrap(),
        inputs().scenario
    );
    assert!(o.out.contains("US Semiconductors"), "{}", o.out);
    assert!(o.err.contains("results written to"), "{}", o.err);

    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 7);
    assert_eq!(run["trials"], 5);
    assert_eq!(
        run["command"],
        serde_json::json!([
            "chokepoint",
            "run",
            "scenarios/gallium.toml",
            "--trials",
            "5",
            "--seed",
            "7",
            "--no-charts"
        ])
    );
    assert_eq!(run["files"].as_array().unwrap().len(), 7);
}

#[test]
fn charts_are_drawn_unless_turned_off_and_listed_in_run_json() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let mut a = args(&out);
    a.no_charts = false;
    let o = go(&a, None);
    assert_eq!(o.code, EXIT_OK, "{}", o.err);
    let charts = names(&out.join("charts"));
    assert!(charts.iter().any(|n| n.ends_with(".png")), "{charts:?}");
    assert!(charts.iter().any(|n| n.ends_with(".svg")), "{charts:?}");
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("<svg"), "charts are inlined in report.html");
    // run.json lists exactly the files present.
    let run: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    let mut listed: Vec<String> = run["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect();
    listed.sort();
    let mut present: Vec<String> = names(&out)
        .into_iter()
        .filter(|n| n != "charts")
        .chain(charts.iter().map(|c| format!("charts/{c}")))
        .collect();
    present.sort();
    assert_eq!(listed, present);
}

#[test]
fn trials_csv_only_when_asked() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = args(&tmp.path().join("r"));
    a.trials_csv = true;
    a.seed = Some(99);
    assert_eq!(go(&a, None).code, EXIT_OK);
    let body = fs::read_to_string(tmp.path().join("r/trials.csv")).unwrap();
    assert!(body.starts_with(
        "trial,shock.cn-ga.duration,shock.cn-ga.severity,sector.US.defense.mean_loss,"
    ));
    assert_eq!(body.lines().count(), 6);
    // Streamed to the file, the same bytes as the in-memory exporter.
    let mut expected = synthetic::results(0, 5);
    expected.seed = 99;
    assert_eq!(
        body.as_bytes(),
        chokepoint::report::csv::trials_csv(&expected)
    );
    let summary = fs::read_to_string(tmp.path().join("r/summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 99"));
}

#[test]
fn refuses_to_overwrite_without_force_and_leaves_the_earlier_result_intact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    assert_eq!(go(&args(&out), None).code, EXIT_OK);
    let before = fs::read(out.join("summary.json")).unwrap();

    let mut a = args(&out);
    a.seed = Some(1234);
    let ran = AtomicBool::new(false);
    let runner = |s: &Scenario, o: &RunOptions, p: &(dyn Fn(u64, u64) -> bool + Sync)| {
        ran.store(true, Ordering::SeqCst);
        fake(s, o, p)
    };
    let o = go_with(&a, None, &runner);
    assert_eq!(o.code, EXIT_OUTPUT);
    assert!(
        o.err.contains("already exists") && o.err.contains("--force"),
        "{}",
        o.err
    );
    assert!(!ran.load(Ordering::SeqCst), "the run should not start");
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), before);
    assert_eq!(names(tmp.path()), ["r"]);
}

#[test]
fn force_replaces_an_earlier_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let mut a = args(&out);
    a.trials_csv = true;
    assert_eq!(go(&a, None).code, EXIT_OK);
    let mut b = args(&out);
    b.force = true;
    b.seed = Some(1234);
    assert_eq!(go(&b, None).code, EXIT_OK);
    // The new result replaced the old one as a whole: trials.csv is gone.
    assert!(!out.join("trials.csv").exists());
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 1234"));
    assert_eq!(names(tmp.path()), ["r"]);
}

#[test]
fn force_never_replaces_a_directory_that_is_not_a_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("notes");
    fs::create_dir(&out).unwrap();
    fs::write(out.join("thesis.tex"), "precious").unwrap();
    let mut a = args(&out);
    a.force = true;
    let o = go(&a, None);
    assert_eq!(o.code, EXIT_OUTPUT);
    assert!(o.err.contains("not a chokepoint result"), "{}", o.err);
    assert_eq!(
        fs::read_to_string(out.join("thesis.tex")).unwrap(),
        "precious"
    );
}

#[test]
fn cancelled_run_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let stop = AtomicBool::new(true);
    let o = go(&args(&out), Some(&stop));
    assert_eq!(o.code, EXIT_INTERRUPTED);
    assert!(o.err.contains("interrupted"), "{}", o.err);
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn interrupt_after_the_run_discards_staged_files_and_keeps_the_earlier_result() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    assert_eq!(go(&args(&out), None).code, EXIT_OK);
    let before = fs::read(out.join("summary.json")).unwrap();

    // Ctrl-C arrives after the last progress report, while files are being written.
    let stop = AtomicBool::new(false);
    let runner = |s: &Scenario, o: &RunOptions, p: &(dyn Fn(u64, u64) -> bool + Sync)| {
        let r = fake(s, o, p);
        stop.store(true, Ordering::SeqCst);
        r
    };
    let mut a = args(&out);
    a.force = true;
    a.seed = Some(5);
    let o = go_with(&a, Some(&stop), &runner);
    assert_eq!(o.code, EXIT_INTERRUPTED);
    assert_eq!(fs::read(out.join("summary.json")).unwrap(), before);
    assert_eq!(names(tmp.path()), ["r"]);
}

#[test]
fn resource_errors_write_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let runner = |_: &Scenario, _: &RunOptions, _: &(dyn Fn(u64, u64) -> bool + Sync)| {
        Err(RunError::Resources("20000000 trials need 900 GB".into()))
    };
    let o = go_with(&args(&out), None, &runner);
    assert_eq!(o.code, EXIT_USAGE);
    assert!(o.err.contains("900 GB"), "{}", o.err);
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn zero_trials_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = args(&tmp.path().join("r"));
    a.trials = Some(0);
    let o = go(&a, None);
    assert_eq!(o.code, EXIT_USAGE);
    assert!(o.err.contains("--trials"), "{}", o.err);
    assert!(names(tmp.path()).is_empty());
}

#[test]
fn output_in_an_unwritable_place_is_an_output_error() {
    let tmp = tempfile::tempdir().unwrap();
    // A file where the parent directory should be.
    fs::write(tmp.path().join("file"), "x").unwrap();
    let o = go(&args(&tmp.path().join("file/r")), None);
    assert_eq!(o.code, EXIT_OUTPUT, "{}", o.err);
    assert!(o.err.contains("cannot write"), "{}", o.err);
}

#[test]
fn default_output_is_results_slash_stem() {
    assert_eq!(
        chokepoint::cli::run::default_out(Path::new("scenarios/ga-ban.toml"), None),
        Path::new("results/ga-ban")
    );
}
