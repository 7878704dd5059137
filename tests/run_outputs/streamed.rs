//! Streamed statistics (`--streaming`, and the default for runs too large to keep every trial):
//! each approximate statistic against the exact one within its documented bound, exact moments,
//! shards merged into the bytes of the unsharded run from any directory, refusals of shards that
//! do not form one run, and `--shard auto` from a scheduler's environment.

use std::fs;
use std::path::{Path, PathBuf};

use chokepoint::cli::run::Shard;
use chokepoint::model::Model;
use chokepoint::report::Summaries;
use chokepoint::run::{RunOptions, run_model, stream::stream};
use chokepoint::stats::sketch::{COARSE_REL_ERROR, REL_ERROR, TINY};
use chokepoint::stats::stream::Column;
use chokepoint::stats::{self, Summary};
use proptest::prelude::*;

use super::bin::{chokepoint, data};

/// The documented error bound of order statistic `v` of `sorted`: `REL_ERROR` of it if its
/// magnitude is at least `REL_ERROR` of the largest magnitude of its sign, else
/// `COARSE_REL_ERROR` of it; plus `TINY` (smaller magnitudes count as 0).
fn value_bound(sorted: &[f64], v: f64) -> f64 {
    let top = sorted
        .iter()
        .filter(|x| (**x < 0.0) == (v < 0.0))
        .fold(0.0f64, |m, x| m.max(x.abs()));
    let rel = if v.abs() >= REL_ERROR * top {
        REL_ERROR
    } else {
        COARSE_REL_ERROR
    };
    rel * v.abs() + TINY
}

/// Checks a sketched summary against the exact one over the same `values`: count, min, max
/// exact; mean and std to rounding; each quantile within the larger bound of the two order
/// statistics it interpolates (`value_bound`); CVaR within the largest bound in the tail.
fn within_bounds(values: &[f64], s: &Summary, lower: bool) {
    let e = stats::summarize(values);
    let sorted = stats::sorted(values);
    let n = values.len();
    assert_eq!((s.n, s.min, s.max), (e.n, e.min, e.max));
    let scale = sorted.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(
        (s.mean - e.mean).abs() <= 1e-12 * scale,
        "mean {} vs {}",
        s.mean,
        e.mean
    );
    assert!(
        (s.std - e.std).abs() <= 1e-9 * e.std.max(scale * 1e-6),
        "std {} vs {}",
        s.std,
        e.std
    );
    let ps = [0.01, 0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95, 0.99];
    let got = [s.p1, s.p5, s.p10, s.p25, s.p50, s.p75, s.p90, s.p95, s.p99];
    for (p, q) in ps.iter().zip(got) {
        let h = (n - 1) as f64 * p;
        let (lo, hi) = (sorted[h.floor() as usize], sorted[h.ceil() as usize]);
        let exact = stats::quantile_sorted(&sorted, *p);
        let bound = value_bound(&sorted, lo).max(value_bound(&sorted, hi));
        assert!(
            (q - exact).abs() <= bound * (1.0 + 1e-12),
            "p{p}: sketched {q}, exact {exact}, bound {bound}"
        );
    }
    let k = (0.05 * n as f64 - 1e-9).ceil().max(1.0) as usize;
    let tail = if lower {
        &sorted[..k]
    } else {
        &sorted[n - k..]
    };
    let exact = tail.iter().sum::<f64>() / k as f64;
    let bound = tail
        .iter()
        .fold(0.0f64, |m, &v| m.max(value_bound(&sorted, v)));
    assert!(
        (s.cvar95 - exact).abs() <= bound * (1.0 + 1e-9),
        "cvar95: sketched {}, exact {exact}",
        s.cvar95
    );
    // Quantile intervals: the same ranks, each bound widened outwards by the sketch's error, so
    // the sketched interval holds the exact one (values below TINY are counted as 0).
    let e = stats::summarize_oriented(values, lower);
    for (name, got, want) in [("p50", s.p50_mc, e.p50_mc), ("p95", s.p95_mc, e.p95_mc)] {
        assert_eq!(got.low.is_nan(), want.low.is_nan(), "{name} low");
        assert_eq!(got.high.is_nan(), want.high.is_nan(), "{name} high");
        if !want.low.is_nan() {
            assert!(got.low <= want.low + TINY, "{name}: {got:?} vs {want:?}");
        }
        if !want.high.is_nan() {
            assert!(got.high >= want.high - TINY, "{name}: {got:?} vs {want:?}");
        }
    }
    // CVaR standard error: every tail value is off by at most REL_ERROR of the tail's largest
    // magnitude M, so the tail's spread and its gap to the threshold are off by at most twice
    // that, and the standard error by at most 2 M REL_ERROR sqrt(2 + 0.95) / sqrt(0.05 n).
    let (got, want) = (s.cvar95_mc, e.cvar95_mc);
    assert_eq!(got.se.is_nan(), want.se.is_nan());
    if !want.se.is_nan() {
        let m = tail.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let bound = 4.0 * (REL_ERROR * m + TINY) / (0.05 * n as f64).sqrt() + 1e-12 * m;
        assert!(
            (got.se - want.se).abs() <= bound,
            "cvar95 se: sketched {}, exact {}, bound {bound}",
            got.se,
            want.se
        );
    }
}

fn column(values: &[f64]) -> Column {
    let mut c = Column::default();
    values.iter().for_each(|&v| c.add(v));
    c
}

proptest! {
    #[test]
    fn sketched_statistics_stay_within_their_bounds(
        values in prop::collection::vec(
            prop_oneof![
                -1e12f64..1e12,
                0.0f64..1.0,
                Just(0.0),
                Just(1.0),
                1e-12f64..1e-8,
            ],
            2..400,
        ),
        lower in any::<bool>(),
    ) {
        within_bounds(&values, &column(&values).summary(lower), lower);
    }

    #[test]
    fn split_columns_merge_into_the_whole(
        values in prop::collection::vec(-1e9f64..1e9, 2..300),
        cut in 0usize..300,
    ) {
        let cut = cut.min(values.len());
        let mut a = column(&values[..cut]);
        a.merge(&column(&values[cut..]));
        let (x, y) = (a.summary(false), column(&values).summary(false));
        prop_assert_eq!(format!("{x:?}"), format!("{y:?}"));
    }
}

fn scenario() -> chokepoint::scenario::Scenario {
    chokepoint::scenario::load(&data("gallium-ban.toml"))
        .unwrap()
        .scenario
}

#[test]
fn a_streamed_run_agrees_with_the_exact_run_of_the_same_trials() {
    let s = scenario();
    let model = Model::compile(&s);
    let opts = RunOptions {
        trials: 2500,
        seed: 5,
        first_trial: 0,
        threads: Some(2),
    };
    let exact = run_model(&model, &opts, &|_, _| true).unwrap();
    let mut blocks = 0;
    let acc = stream(&model, &opts, &[], &|_, _| true, &mut |b| {
        blocks += 1;
        assert_eq!(b.first_trial, 1024 * (blocks - 1));
        true
    })
    .unwrap();
    assert_eq!(blocks, 3);
    let sums = Summaries::from_stream(&acc);
    for (m, name) in exact.metric_names.iter().enumerate() {
        let lower = chokepoint::run::results::lower_is_worse(name);
        within_bounds(&exact.metric_values(m), &sums.metrics[m], lower);
    }
    for (si, bands) in sums.bands.iter().enumerate() {
        for (t, b) in bands.iter().enumerate() {
            let v = exact.series_values(si, t);
            let e = stats::band(&v);
            let sorted = stats::sorted(&v);
            let scale = sorted.iter().fold(0.0f64, |m, x| m.max(x.abs()));
            assert!((b.mean - e.mean).abs() <= 1e-12 * scale.max(1.0));
            for (got, want) in [(b.p5, e.p5), (b.p50, e.p50), (b.p95, e.p95)] {
                assert!(
                    (got - want).abs() <= REL_ERROR * scale + TINY,
                    "{got} {want}"
                );
            }
        }
    }
}

fn run_streamed(out: &Path, extra: &[&str]) {
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "1500", "--streaming", "--trials-csv", "--out"])
        .arg(out)
        .args(["--threshold", "world.value_lost=1e9"])
        .args(extra)
        .assert()
        .success();
}

/// Every file of `dir` (and of `dir/charts`) but `timing.json`, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v = Vec::new();
    for p in fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()) {
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if p.is_dir() {
            v.extend(
                files(&p)
                    .into_iter()
                    .map(|(f, b)| (format!("{name}/{f}"), b)),
            );
        } else if name != "timing.json" {
            v.push((name, fs::read(&p).unwrap()));
        }
    }
    v.sort();
    v
}

fn shards(tmp: &Path, n: usize) -> Vec<PathBuf> {
    (1..=n)
        .map(|i| {
            let d = tmp.join(format!("s{i}-of-{n}"));
            let threads = if i % 2 == 0 { "1" } else { "2" };
            run_streamed(&d, &["--shard", &format!("{i}/{n}"), "--threads", threads]);
            assert!(d.join("summaries.bin").is_file());
            d
        })
        .collect()
}

fn merge(dirs: &[PathBuf], out: &Path, cwd: &Path) -> assert_cmd::assert::Assert {
    chokepoint()
        .current_dir(cwd)
        .arg("merge")
        .args(dirs)
        .args([
            "--trials-csv",
            "--threshold",
            "world.value_lost=1e9",
            "--out",
        ])
        .arg(out)
        .assert()
}

#[test]
fn streamed_shards_merge_from_anywhere_into_the_unsharded_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    run_streamed(&whole, &["--threads", "2"]);
    let one = tmp.path().join("one-thread");
    run_streamed(&one, &["--threads", "1"]);
    assert_eq!(files(&whole), files(&one));
    for name in [
        "summary.json",
        "metrics.csv",
        "series.csv",
        "exceedance.csv",
        "trials.csv",
        "report.html",
    ] {
        assert!(whole.join(name).is_file(), "{name}");
    }
    // The report and its charts come from the streamed summaries, and say so.
    let report = fs::read_to_string(whole.join("report.html")).unwrap();
    assert!(report.contains("streamed its statistics"), "{report}");
    assert!(report.contains("1500 Monte Carlo trials"));
    let drawn = files(&whole);
    assert!(
        drawn
            .iter()
            .any(|(f, _)| f.starts_with("charts/") && f.ends_with(".svg"))
    );
    let bare = tmp.path().join("no-charts");
    run_streamed(&bare, &["--no-charts"]);
    assert!(bare.join("report.html").is_file() && !bare.join("charts").exists());
    let timing: serde_json::Value =
        serde_json::from_slice(&fs::read(whole.join("timing.json")).unwrap()).unwrap();
    assert_eq!(timing["trials"], 1500);
    assert!(timing["trials_per_second"].as_f64().unwrap() > 0.0);
    // Merged in a directory that is not the one the shards were run from.
    let elsewhere = tempfile::tempdir().unwrap();
    for n in [2, 5] {
        let mut dirs = shards(tmp.path(), n);
        dirs.reverse();
        let out = tmp.path().join(format!("merged-{n}"));
        merge(&dirs, &out, elsewhere.path()).success();
        assert_eq!(files(&whole), files(&out), "{n} shards");
    }
}

#[test]
fn merge_refuses_streamed_shards_that_do_not_form_one_run() {
    let tmp = tempfile::tempdir().unwrap();
    let dirs = shards(tmp.path(), 3);
    let refused = |dirs: &[PathBuf], want: &str| {
        let out = tmp.path().join("never");
        let a = merge(dirs, &out, tmp.path()).code(2);
        let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
        assert!(e.contains(want), "expected `{want}` in: {e}");
        assert!(!out.exists());
    };
    refused(&dirs[..2], "trials 1000..1500 are missing");
    refused(
        &[dirs[0].clone(), dirs[0].clone(), dirs[1].clone()],
        "given twice",
    );
    // Another seed.
    let other = tmp.path().join("other-seed");
    run_streamed(&other, &["--shard", "3/3", "--seed", "99"]);
    refused(&[dirs[0].clone(), dirs[1].clone(), other], "seeds");
    // Another threshold list.
    let thr = tmp.path().join("other-threshold");
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "1500", "--streaming", "--shard", "3/3", "--out"])
        .arg(&thr)
        .assert()
        .success();
    refused(&[dirs[0].clone(), dirs[1].clone(), thr], "--threshold");
    // A damaged and a truncated statistics file.
    let bin = dirs[1].join("summaries.bin");
    let good = fs::read(&bin).unwrap();
    let mut bad = good.clone();
    let last = bad.len() - 3;
    bad[last] ^= 0x40;
    fs::write(&bin, &bad).unwrap();
    refused(&dirs, "checksum");
    fs::write(&bin, &good[..good.len() / 2]).unwrap();
    refused(&dirs, "truncated");
    fs::write(&bin, &good[..20]).unwrap();
    refused(&dirs, "truncated");
    fs::write(&bin, &good).unwrap();
    merge(&dirs, &tmp.path().join("ok"), tmp.path()).success();
}

#[test]
fn shard_auto_reads_slurm_and_kubernetes_indices() {
    let env = |pairs: &'static [(&'static str, &'static str)]| {
        move |k: &str| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    };
    let slurm = env(&[
        ("SLURM_ARRAY_TASK_ID", "7"),
        ("SLURM_ARRAY_TASK_COUNT", "8"),
        ("SLURM_ARRAY_TASK_MIN", "0"),
    ]);
    assert_eq!(
        Shard::from_spec("auto", &slurm),
        Ok(Shard { index: 8, count: 8 })
    );
    let one_based = env(&[
        ("SLURM_ARRAY_TASK_ID", "1"),
        ("SLURM_ARRAY_TASK_COUNT", "4"),
        ("SLURM_ARRAY_TASK_MIN", "1"),
    ]);
    assert_eq!(
        Shard::from_spec("auto", &one_based),
        Ok(Shard { index: 1, count: 4 })
    );
    let k8s = env(&[("JOB_COMPLETION_INDEX", "0")]);
    assert_eq!(
        Shard::from_spec("auto/16", &k8s),
        Ok(Shard {
            index: 1,
            count: 16
        })
    );
    let e = Shard::from_spec("auto/16", &env(&[("JOB_COMPLETION_INDEX", "16")])).unwrap_err();
    assert!(e.contains("outside 1..=16"), "{e}");
    let e = Shard::from_spec("auto", &k8s).unwrap_err();
    assert!(e.contains("SLURM_ARRAY_TASK_ID"), "{e}");
    let e = Shard::from_spec("auto/4", &env(&[])).unwrap_err();
    assert!(e.contains("JOB_COMPLETION_INDEX"), "{e}");
    let e = Shard::from_spec(
        "auto",
        &env(&[
            ("SLURM_ARRAY_TASK_ID", "x"),
            ("SLURM_ARRAY_TASK_COUNT", "2"),
        ]),
    )
    .unwrap_err();
    assert!(e.contains("not a whole number"), "{e}");
    // End to end: the environment picks the slice.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("k");
    chokepoint()
        .env("JOB_COMPLETION_INDEX", "2")
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args([
            "--trials",
            "40",
            "--no-charts",
            "--shard",
            "auto/4",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let info: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(info["first_trial"], 20);
    let cmd: Vec<String> = serde_json::from_value(info["command"].clone()).unwrap();
    assert!(cmd.windows(2).any(|w| w == ["--shard", "3/4"]), "{cmd:?}");
}

#[test]
fn exact_and_memory_options_are_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let a = chokepoint()
            .arg("run")
            .arg(data("gallium-ban.toml"))
            .args(["--trials", "400", "--no-charts", "--out"])
            .arg(tmp.path().join("m"))
            .args(extra)
            .assert();
        let code = a.get_output().status.code();
        (
            code,
            String::from_utf8_lossy(&a.get_output().stderr).into_owned(),
        )
    };
    let (code, e) = run(&["--exact", "--memory", "0.00001"]);
    assert_eq!(code, Some(2));
    assert!(e.contains("--exact: 400 trials need about"), "{e}");
    assert!(e.contains("drop --exact"), "{e}");
    let (code, e) = run(&["--memory=-1"]);
    assert_eq!(code, Some(2));
    assert!(e.contains("--memory -1 is not a size in GiB"), "{e}");
    let (code, e) = run(&["--streaming", "--memory", "0.00001"]);
    assert_eq!(code, Some(2));
    assert!(
        e.contains("streamed statistics of this scenario need about"),
        "{e}"
    );
    let (code, e) = run(&["--exact", "--streaming"]);
    assert_eq!(code, Some(2));
    assert!(e.contains("cannot be used with"), "{e}");
    // Small runs stay exact by default: every trial kept, charts' report written.
    let (code, e) = run(&[]);
    assert_eq!(code, Some(0), "{e}");
    assert!(tmp.path().join("m/report.html").is_file());
    assert!(!tmp.path().join("m/timing.json").exists());
}

/// The value of the first `key: value` line of a manifest (the manifests are plain block YAML).
fn manifest_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(|v| v.trim().trim_matches('"'))
}

#[test]
fn the_kubernetes_manifests_agree_with_the_shard_options() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/kubernetes");
    let job = fs::read_to_string(root.join("indexed-job.yaml")).unwrap();
    let merge = fs::read_to_string(root.join("merge-job.yaml")).unwrap();
    for (text, name) in [(&job, "chokepoint-shards"), (&merge, "chokepoint-merge")] {
        assert_eq!(manifest_value(text, "apiVersion"), Some("batch/v1"));
        assert_eq!(manifest_value(text, "kind"), Some("Job"));
        assert_eq!(manifest_value(text, "name"), Some(name));
        assert!(!text.contains('\t'), "YAML forbids tabs");
    }
    assert_eq!(manifest_value(&job, "completionMode"), Some("Indexed"));
    let completions = manifest_value(&job, "completions").unwrap();
    assert_eq!(manifest_value(&job, "parallelism"), Some(completions));
    let n: u64 = completions.parse().unwrap();
    assert!(
        job.contains(&format!("--shard auto/{n} ")),
        "auto/N must match completions"
    );
    assert!(job.contains("--out \"/results/shards/$JOB_COMPLETION_INDEX\""));
    assert!(merge.contains("chokepoint merge /results/shards/* --out"));
    // Every index Kubernetes hands out is a valid shard, and together they cover the run once.
    let mut next = 0;
    for i in 0..n {
        let index = i.to_string();
        let s = Shard::from_spec(&format!("auto/{n}"), &|k| {
            (k == "JOB_COMPLETION_INDEX").then(|| index.clone())
        })
        .unwrap();
        let (first, len) = s.range(1_000_000);
        assert_eq!(first, next);
        next += len;
    }
    assert_eq!(next, 1_000_000);
}

#[test]
fn an_interrupted_streamed_run_leaves_nothing_behind() {
    use std::process::{Command, Stdio};
    let tmp = tempfile::tempdir().unwrap();
    // trials.csv streams into the staging directory while the run goes on.
    let child = Command::new(env!("CARGO_BIN_EXE_chokepoint"))
        .current_dir(tmp.path())
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args([
            "--trials",
            "400000",
            "--streaming",
            "--trials-csv",
            "--out",
            "res",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the staging directory (with its growing trials.csv) exists, then interrupt.
    let start = std::time::Instant::now();
    while fs::read_dir(tmp.path()).unwrap().count() == 0 {
        assert!(start.elapsed().as_secs() < 60, "the run never started");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(
        Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status()
            .unwrap()
            .success()
    );
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(130), "{err}");
    assert!(err.contains("interrupted: no results written"), "{err}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

/// A scenario whose own `trials` would not fit kept one by one loads, and its run streams: the
/// load-time limit follows the streamed layout (`scenario::limits::check_load`).
#[test]
fn a_scenario_with_too_many_trials_to_keep_loads_and_streams() {
    let tmp = tempfile::tempdir().unwrap();
    let text = fs::read_to_string(data("gallium-ban.toml")).unwrap();
    assert!(text.contains("\ntrials = 200\n"));
    let big = tmp.path().join("big.toml");
    fs::write(
        &big,
        text.replace("\ntrials = 200\n", "\ntrials = 10000000\n"),
    )
    .unwrap();
    fs::create_dir(tmp.path().join("worlds")).unwrap();
    fs::copy(
        data("worlds/tiny.toml"),
        tmp.path().join("worlds/tiny.toml"),
    )
    .unwrap();
    let s = chokepoint::scenario::load(&big).unwrap().scenario;
    let limits = chokepoint::scenario::limits::MEMORY_LIMIT;
    assert!(chokepoint::scenario::memory_estimate(&s, s.meta.trials) > limits);
    assert!(chokepoint::scenario::limits::check_load(&s, s.meta.trials).is_none());
    let model = Model::compile(&s);
    let scale = chokepoint::cli::ScaleArgs {
        exact: false,
        streaming: false,
        memory: None,
    };
    let t = s.meta.trials;
    let stats = chokepoint::cli::run::choose_stats(&s, &model, t, t, &scale).unwrap();
    assert_eq!(stats, chokepoint::cli::run::Stats::Streaming);
    chokepoint().arg("check").arg(&big).assert().success();
    // Asked to keep every trial, the same run is refused with the size it would need.
    let refused = chokepoint()
        .arg("run")
        .arg(&big)
        .args(["--exact", "--out"])
        .arg(tmp.path().join("out"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(err.contains("--exact: 10000000 trials need about"), "{err}");
}
