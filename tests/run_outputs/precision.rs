//! `run --precision METRIC=REL`: the stop at the first block where every target is met, against a
//! closed form; a target that cannot be met runs to `--trials` and says so; the same stop and the
//! same bytes on any thread count, with exact and streamed statistics; refusals before the run.

use std::fs;
use std::path::{Path, PathBuf};

use chokepoint::cli::RunArgs;
use chokepoint::cli::run::{Inputs, run_loaded};
use chokepoint::run::precision::BLOCK;
use chokepoint::run::{RunError, RunOptions, RunResults};
use chokepoint::scenario::Scenario;

use super::bin::{chokepoint, data};
use super::synthetic;

/// Synthetic trials (metric 0 of trial i is 0.01 i), one block at a time.
fn fake(
    _: &Scenario,
    opts: &RunOptions,
    progress: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    assert!(
        opts.trials <= BLOCK,
        "a precision run asks for one block at a time"
    );
    progress(opts.trials, opts.trials);
    let mut r = synthetic::results(opts.first_trial, opts.trials as usize);
    r.seed = opts.seed;
    Ok(r)
}

fn args(out: &Path, trials: u64, precision: &str) -> RunArgs {
    RunArgs {
        scenario: PathBuf::from("scenarios/gallium.toml"),
        trials: Some(trials),
        seed: None,
        threads: None,
        out: Some(out.to_path_buf()),
        force: false,
        trials_csv: true,
        trials_parquet: false,
        no_charts: true,
        thresholds: vec![],
        set: vec![],
        shard: None,
        precision: vec![precision.parse().unwrap()],
        design: Default::default(),
        scale: Default::default(),
    }
}

fn go(a: &RunArgs) -> (i32, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let inputs = Inputs {
        scenario: b"[scenario]\nname = \"s\"\n".to_vec(),
        world: None,
    };
    let code = run_loaded(
        &synthetic::scenario(),
        &inputs,
        a,
        &fake,
        None,
        &mut out,
        &mut err,
    );
    (code, String::from_utf8(err).unwrap())
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&fs::read(path).unwrap()).unwrap()
}

/// The relative half-width after the first n trials of metric 0 (values 0.01 i, i < n): the
/// sample variance of 0..n is n(n+1)/12, so se = 0.01 sqrt((n+1)/12) and the mean 0.01 (n-1)/2.
fn closed_form(n: u64) -> f64 {
    let n = n as f64;
    1.96 * ((n + 1.0) / 12.0).sqrt() / ((n - 1.0) / 2.0)
}

#[test]
fn stops_at_the_first_block_where_the_closed_form_half_width_is_met() {
    let tmp = tempfile::tempdir().unwrap();
    let rel = 0.019;
    // 3072 trials give 0.0204, 4096 give 0.0177: the run stops after the fourth block.
    let want = (1..)
        .map(|k| k * BLOCK)
        .find(|&n| closed_form(n) <= rel)
        .unwrap();
    assert_eq!(want, 4096);
    let out = tmp.path().join("r");
    let metric = synthetic::METRICS[0];
    let (code, err) = go(&args(&out, 20_000, &format!("{metric}={rel}")));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("precision reached after 4096 of at most 20000 trials"),
        "{err}"
    );
    let run = json(&out.join("run.json"));
    assert_eq!(run["trials"], 4096);
    assert_eq!(run["precision"]["trials_run"], 4096);
    assert_eq!(run["precision"]["max_trials"], 20_000);
    assert_eq!(run["precision"]["stopped"], "precision reached");
    let t = &run["precision"]["targets"][0];
    assert_eq!(t["metric"], metric);
    let h = t["rel_half_width"].as_f64().unwrap();
    assert!((h - closed_form(4096)).abs() < 1e-9, "{h}");
    let cmd: Vec<String> = serde_json::from_value(run["command"].clone()).unwrap();
    assert!(
        cmd.ends_with(&["--precision".into(), format!("{metric}={rel}")]),
        "{cmd:?}"
    );
    assert_eq!(json(&out.join("summary.json"))["trials"], 4096);
    // Every trial run, in order, and no more.
    let csv = fs::read_to_string(out.join("trials.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4097);
    assert!(csv.lines().last().unwrap().starts_with("4095,"));
}

#[test]
fn a_precision_that_cannot_be_met_runs_to_trials_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let metric = synthetic::METRICS[0];
    let (code, err) = go(&args(&out, 3000, &format!("{metric}=0.000001")));
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("precision not reached within --trials 3000"),
        "{err}"
    );
    assert!(err.contains("not reached"), "{err}");
    let run = json(&out.join("run.json"));
    assert_eq!(run["trials"], 3000);
    assert_eq!(run["precision"]["trials_run"], 3000);
    assert_eq!(
        run["precision"]["stopped"],
        "trial limit reached before the precision"
    );
    assert_eq!(run["precision"]["targets"][0]["reached"], false);
}

#[test]
fn unknown_metrics_and_shards_are_refused_before_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let (code, err) = go(&args(&out, 3000, "sector.US.defence.mean_loss=0.1"));
    assert_eq!(code, 2);
    assert!(
        err.contains("did you mean \"sector.US.defense.mean_loss\""),
        "{err}"
    );
    assert!(!out.exists());
    let mut a = args(&out, 3000, "sector.US.defense.mean_loss=0.1");
    a.shard = Some("1/2".parse().unwrap());
    let (code, err) = go(&a);
    assert_eq!(code, 2);
    assert!(
        err.contains("--precision cannot be used with --shard"),
        "{err}"
    );
    assert!(!out.exists());
}

/// Every file of `dir` but `timing.json` (wall time), with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "timing.json")
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn cli_run(out: &Path, extra: &[&str]) -> String {
    let a = chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials-csv", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
    String::from_utf8(a.get_output().stderr.clone()).unwrap()
}

#[test]
fn the_stop_and_the_bytes_are_the_same_on_any_thread_count_exact_or_streamed() {
    let tmp = tempfile::tempdir().unwrap();
    let target = ["--trials", "20000", "--precision", "world.value_lost=0.03"];
    let mut stops = Vec::new();
    for mode in ["--exact", "--streaming"] {
        let dir = |t: &str| tmp.path().join(format!("{mode}-{t}"));
        for threads in ["1", "2"] {
            let err = cli_run(
                &dir(threads),
                &[&target[..], &[mode, "--threads", threads]].concat(),
            );
            assert!(err.contains("precision reached after"), "{err}");
        }
        assert_eq!(files(&dir("1")), files(&dir("2")), "{mode}");
        let run = json(&dir("1").join("run.json"));
        let n = run["precision"]["trials_run"].as_u64().unwrap();
        assert!(n < 20_000 && n.is_multiple_of(BLOCK), "{n}");
        stops.push(n);
        // The trials run are those of a plain run of that many trials.
        let plain = tmp.path().join(format!("{mode}-plain"));
        cli_run(&plain, &["--trials", &n.to_string(), mode]);
        for f in ["summary.json", "metrics.csv", "trials.csv"] {
            assert_eq!(
                fs::read(dir("1").join(f)).unwrap(),
                fs::read(plain.join(f)).unwrap(),
                "{mode} {f}"
            );
        }
    }
    assert_eq!(
        stops[0], stops[1],
        "exact and streamed stop at the same trial"
    );
}
