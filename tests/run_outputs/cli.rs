//! `chokepoint run` and `chokepoint merge` end to end, on the small scenarios in `tests/data/run/`.

use std::fs;
use std::path::{Path, PathBuf};

use super::bin::{chokepoint, data};

/// Every file under `dir` (relative path, bytes), sorted by path.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(root, &p, out);
            } else {
                out.push((
                    p.strip_prefix(root).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                ));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn assert_same_tree(a: &Path, b: &Path) {
    let (ta, tb) = (tree(a), tree(b));
    let names = |t: &[(PathBuf, Vec<u8>)]| t.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(&ta), names(&tb));
    for ((p, x), (_, y)) in ta.iter().zip(&tb) {
        assert!(
            x == y,
            "{} differs between {} and {}",
            p.display(),
            a.display(),
            b.display()
        );
    }
}

#[test]
fn run_writes_results_and_prints_the_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let assert = chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "40", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("US Semiconductors"), "{stdout}");
    assert!(stdout.contains("World"), "{stdout}");
    for f in [
        "summary.json",
        "metrics.csv",
        "series.csv",
        "scenario.toml",
        "world.toml",
        "run.json",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    assert!(!out.join("trials.csv").exists());
    assert!(!out.join("charts").exists(), "--no-charts draws none");
    assert_eq!(
        fs::read(out.join("world.toml")).unwrap(),
        fs::read(data("worlds/tiny.toml")).unwrap()
    );
    let summary: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["trials"], 40);
    assert_eq!(summary["seed"], 2025);
    assert_eq!(summary["period_labels"][0], "2025-04");
    assert_eq!(summary["period_labels"].as_array().unwrap().len(), 12);
    let names: Vec<&str> = summary["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    for m in [
        "sector.US.semis.mean_loss",
        "sector.US.defense.value_lost",
        "region.US.value_lost",
        "world.value_lost",
    ] {
        assert!(names.contains(&m), "{m} missing from {names:?}");
    }
    let series = fs::read_to_string(out.join("series.csv")).unwrap();
    assert!(series.starts_with("metric,label,period,period_label,mean,p5,p25,p50,p75,p95\n"));
    assert!(series.contains("\noutput.US.semis,\"US Semiconductors, output\",0,2025-04,"));
}

#[test]
fn refuses_to_overwrite_without_force_and_force_replaces() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let run = |extra: &[&str]| {
        chokepoint()
            .arg("run")
            .arg(data("gallium-ban.toml"))
            .args(["--trials", "20", "--no-charts", "--out"])
            .arg(&out)
            .args(extra)
            .assert()
    };
    run(&[]).success();
    let before = tree(&out);

    let refused = run(&["--seed", "9"]).code(3);
    let stderr = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(
        stderr.contains("already exists") && stderr.contains("--force"),
        "{stderr}"
    );
    assert_eq!(tree(&out), before, "the earlier result must be intact");

    run(&["--seed", "9", "--force"]).success();
    let summary = fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"seed\": 9"));
    // Nothing is left beside the result: no staging or set-aside directories.
    let siblings: Vec<_> = fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(siblings.len(), 1);
}

#[test]
fn default_output_directory_is_results_slash_stem() {
    let tmp = tempfile::tempdir().unwrap();
    chokepoint()
        .current_dir(tmp.path())
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "10", "--no-charts"])
        .assert()
        .success();
    assert!(
        tmp.path()
            .join("results/gallium-ban/summary.json")
            .is_file()
    );
}

#[test]
fn outputs_are_byte_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    for threads in ["1", "2"] {
        chokepoint()
            .arg("run")
            .arg(data("gallium-ban.toml"))
            .args([
                "--trials",
                "60",
                "--trials-csv",
                "--threads",
                threads,
                "--out",
            ])
            .arg(tmp.path().join(threads))
            .assert()
            .success();
    }
    assert!(tmp.path().join("1/report.html").is_file());
    assert!(tmp.path().join("1/charts").read_dir().unwrap().count() > 0);
    assert_same_tree(&tmp.path().join("1"), &tmp.path().join("2"));
}

#[test]
fn trials_csv_has_a_row_per_trial_with_parameters_then_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "25", "--trials-csv", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let body = fs::read_to_string(out.join("trials.csv")).unwrap();
    let header: Vec<&str> = body.lines().next().unwrap().split(',').collect();
    assert_eq!(header[0], "trial");
    let pos = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name} missing from {header:?}"))
    };
    // Sampled parameters come before metrics.
    assert!(pos("shock.cn-gallium-ban.duration") < pos("sector.US.semis.mean_loss"));
    assert!(pos("shock.cn-gallium-ban.severity") < pos("world.value_lost"));
    assert_eq!(body.lines().count(), 26);
    assert!(body.lines().nth(25).unwrap().starts_with("24,"));
}

#[test]
fn merged_shards_equal_the_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let run = |out: &Path, shard: Option<&str>| {
        let mut c = chokepoint();
        c.arg("run")
            .arg(data("gallium-ban.toml"))
            .args(["--trials", "31", "--trials-csv", "--out"])
            .arg(out);
        if let Some(s) = shard {
            c.args(["--shard", s]);
        }
        c.assert().success();
    };
    run(&tmp.path().join("whole"), None);
    // 31 trials in 3 uneven slices, given to merge out of order; charts and report included.
    for (dir, shard) in [("a", "1/3"), ("b", "2/3"), ("c", "3/3")] {
        run(&tmp.path().join(dir), Some(shard));
    }
    chokepoint()
        .args(["merge", "--trials-csv", "--out"])
        .arg(tmp.path().join("merged"))
        .arg(tmp.path().join("c"))
        .arg(tmp.path().join("a"))
        .arg(tmp.path().join("b"))
        .assert()
        .success();
    assert!(tmp.path().join("merged/charts").is_dir());
    assert_same_tree(&tmp.path().join("whole"), &tmp.path().join("merged"));
}

/// Ctrl-C at any moment leaves either the complete new result (the run had already finished) or
/// the untouched earlier one, never a mixture; an interrupted run exits 130.
#[cfg(target_os = "linux")]
#[test]
fn interrupt_leaves_the_earlier_result_or_a_complete_new_one() {
    use std::process::{Command, Stdio};

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let bin = assert_cmd::cargo::cargo_bin!("chokepoint");
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "10", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let before = tree(&out);

    let mut child = Command::new(bin)
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args([
            "--trials",
            "20000",
            "--seed",
            "3",
            "--no-charts",
            "--force",
            "--out",
        ])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the process catches SIGINT (bit 1 of SigCgt), so the signal tests our handler
    // rather than the default action.
    let status = format!("/proc/{}/status", child.id());
    loop {
        if child.try_wait().unwrap().is_some() {
            break; // already finished
        }
        let caught = fs::read_to_string(&status).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("SigCgt:"))
                .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        });
        if caught.is_some_and(|mask| mask & 2 != 0) {
            break;
        }
        std::thread::yield_now();
    }
    let _ = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let code = child.wait().unwrap().code();
    match code {
        Some(130) => assert_eq!(tree(&out), before),
        Some(0) => {
            let summary = fs::read_to_string(out.join("summary.json")).unwrap();
            assert!(summary.contains("\"trials\": 20000"));
        }
        other => panic!("unexpected exit {other:?}"),
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 1);
}

/// On a terminal the progress bar draws from worker threads; the command must not hold the stderr
/// lock meanwhile (it once did, and hung). `script` gives the run a pseudo-terminal.
#[cfg(target_os = "linux")]
#[test]
fn progress_bar_on_a_terminal_draws_and_finishes() {
    use std::process::{Command, Stdio};

    let tmp = tempfile::tempdir().unwrap();
    let bin = assert_cmd::cargo::cargo_bin!("chokepoint");
    let inner = format!(
        "'{}' run '{}' --trials 300 --no-charts --out '{}'",
        bin.display(),
        data("gallium-ban.toml").display(),
        tmp.path().join("r").display()
    );
    let log = tmp.path().join("typescript");
    let mut child = Command::new("script")
        .args(["-qec", &inner])
        .arg(&log)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("`script` (util-linux) runs the command on a pseudo-terminal");
    // A hang guard, not a speed requirement: the run takes seconds.
    let mut waited = 0;
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if waited >= 3000 {
            let _ = child.kill();
            panic!("no exit after 5 minutes: the progress bar deadlocked");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
        waited += 1;
    };
    assert!(status.success(), "{status:?}");
    assert!(tmp.path().join("r/summary.json").is_file());
    let shown = fs::read_to_string(&log).unwrap();
    assert!(shown.contains("/300 trials"), "the bar was drawn: {shown}");
}

#[test]
fn thresholds_give_the_share_of_trials_worse_than_each() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let assert = chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "60", "--no-charts", "--trials-csv", "--out"])
        .arg(&out)
        .args(["--threshold", "world.value_lost=0"])
        .args(["--threshold", "sector.US.semis.first_disrupted=1e9"])
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    assert!(stdout.contains("P(world.value_lost > 0) = "), "{stdout}");
    let csv = fs::read_to_string(out.join("exceedance.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(
        rows[0],
        [
            "metric",
            "direction",
            "threshold",
            "trials_beyond",
            "trials",
            "probability",
            "se"
        ]
    );
    // Recount the first row from trials.csv: trials that lost anything at all.
    let trials = fs::read_to_string(out.join("trials.csv")).unwrap();
    let mut lines = trials.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "world.value_lost")
        .unwrap();
    let lost = lines
        .filter(|l| l.split(',').nth(col).unwrap().parse::<f64>().unwrap() > 0.0)
        .count();
    assert_eq!(
        rows[1][..5],
        ["world.value_lost", ">", "0.0", &lost.to_string(), "60"]
    );
    assert!(lost > 0, "the ban should cost something in some trial");
    // Every first disruption comes before period 1e9 (the horizon when none happens).
    assert_eq!(rows[2][1], "<");
    assert_eq!(rows[2][3], "60");
    // The reproducing command in run.json carries the thresholds.
    let run = fs::read_to_string(out.join("run.json")).unwrap();
    assert!(run.contains("world.value_lost=0"), "{run}");
}

#[test]
fn a_threshold_on_an_unknown_metric_is_refused_before_running() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let assert = chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "10", "--no-charts", "--out"])
        .arg(&out)
        .args(["--threshold", "world.valu_lost=1e9"])
        .assert()
        .code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("did you mean \"world.value_lost\""),
        "{stderr}"
    );
    assert!(!out.exists());
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--threshold", "world.value_lost"])
        .assert()
        .code(2);
}
