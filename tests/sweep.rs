//! `chokepoint sweep` end to end on the ban world with a reserve (tests/data/compare): a ban of d
//! months costs the importer d months of $0.1 bn, and a reserve of k months saves min(d, k), so
//! the loss at each point is max(d - k, 0) months, which never grows with k.

use std::path::{Path, PathBuf};

fn chokepoint() -> assert_cmd::Command {
    assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compare")
        .join(name)
}

fn sweep(out: &Path, threads: &str, set: &[&str]) -> serde_json::Value {
    let mut c = chokepoint();
    c.arg("sweep").arg(data("ban-reserve.toml"));
    for s in set {
        c.args(["--set", s]);
    }
    c.args([
        "--trials",
        "200",
        "--threads",
        threads,
        "--metric",
        "region.M.value_lost",
        "--out",
    ])
    .arg(out)
    .assert()
    .success();
    serde_json::from_slice(&std::fs::read(out.join("sweep.json")).unwrap()).unwrap()
}

#[test]
fn a_larger_reserve_never_raises_the_loss_and_matches_the_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    let v = sweep(
        &tmp.path().join("s"),
        "2",
        &["policy.reserve.initial=0..6:7"],
    );
    let pts = v["points"].as_array().unwrap();
    assert_eq!(pts.len(), 7);
    let col = |k: &str| -> Vec<f64> { pts.iter().map(|p| p[k].as_f64().unwrap()).collect() };
    for k in ["mean", "p50", "p95", "cvar95"] {
        let c = col(k);
        assert!(
            c.windows(2).all(|w| w[1] <= w[0] + 1e-6),
            "{k} rises: {c:?}"
        );
        assert!(c[6] < c[0], "{k} does not fall: {c:?}");
    }
    // Common random numbers: every point sees the durations of the plain run, and its mean loss
    // is the mean of max(d - k, 0) months of $0.1 bn.
    let s = chokepoint::scenario::load(&data("ban-reserve.toml"))
        .unwrap()
        .scenario;
    let opts = chokepoint::run::RunOptions {
        trials: 200,
        seed: 8,
        first_trial: 0,
        threads: Some(1),
    };
    let r = chokepoint::run::run(&s, &opts, &|_, _| true).unwrap();
    let k = r
        .param_paths
        .iter()
        .position(|p| p == "shock.ban.duration")
        .unwrap();
    let d = r.param_values(k);
    let m = col("mean");
    for (i, got) in m.iter().enumerate() {
        let want = d.iter().map(|x| (x - i as f64).max(0.0) * 1e8).sum::<f64>() / d.len() as f64;
        assert!(
            (got - want).abs() <= 1e-6 * want.max(1.0),
            "k = {i}: {got} != {want}"
        );
    }
    let csv = std::fs::read_to_string(tmp.path().join("s/sweep.csv")).unwrap();
    assert!(
        csv.starts_with("policy.reserve.initial,label,mean,"),
        "{csv}"
    );
    // The label column names the point in the report's words.
    assert!(
        csv.lines()
            .nth(1)
            .is_some_and(|l| l.contains(",initial stock of policy reserve = 0,")),
        "{csv}"
    );
    assert_eq!(csv.lines().count(), 8);
    assert!(tmp.path().join("s/charts/risk_curve.svg").exists());
    // The page: the briefing, the risk curve inline, a row per point; nothing loads from outside.
    let page = std::fs::read_to_string(tmp.path().join("s/sweep.html")).unwrap();
    assert!(page.contains("<section id=\"briefing\">"), "{page}");
    assert_eq!(
        page.matches("<dt>").count() - 3,
        3,
        "three answers after three meta rows"
    );
    assert!(page.contains("<svg role=\"img\""));
    let points = &page[page.find("id=\"points\"").unwrap()..];
    let points = &points[..points.find("</section>").unwrap()];
    assert_eq!(points.matches("<tr>").count(), 1 + 7, "{points}");
    assert!(page.contains("Content-Security-Policy"));
}

#[test]
fn a_grid_is_every_combination_and_threads_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let set = ["policy.reserve.initial=1,3", "shock.ban.severity=0.5,1"];
    let one = sweep(&tmp.path().join("a"), "1", &set);
    sweep(&tmp.path().join("b"), "3", &set);
    assert_eq!(one["points"].as_array().unwrap().len(), 4);
    for f in [
        "sweep.json",
        "sweep.csv",
        "charts/risk_curve.svg",
        "charts/risk_curve.png",
        "run.json",
    ] {
        assert!(
            std::fs::read(tmp.path().join("a").join(f)).unwrap()
                == std::fs::read(tmp.path().join("b").join(f)).unwrap(),
            "{f} differs"
        );
    }
    // A full ban loses more than a half ban at the same reserve.
    let p = one["points"].as_array().unwrap();
    assert!(p[1]["mean"].as_f64().unwrap() > p[0]["mean"].as_f64().unwrap());
}

#[test]
fn every_bad_value_is_reported_at_once_and_nothing_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("s");
    let a = chokepoint()
        .arg("sweep")
        .arg(data("ban-reserve.toml"))
        .args([
            "--set",
            "policy.reserve.release_below=0.5,2,3",
            "--set",
            "shock.ban.duration=-1,2",
            "--out",
        ])
        .arg(&out)
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    for want in ["=2", "=3", "=-1", "allowed: a share between 0 and 1"] {
        assert!(e.contains(want), "{want} missing: {e}");
    }
    assert!(!out.exists());
    let a = chokepoint()
        .arg("sweep")
        .arg(data("ban-reserve.toml"))
        .args(["--set", "policy.reserv.initial=1,2", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("did you mean `policy.reserve.initial`?"), "{e}");
    chokepoint()
        .arg("sweep")
        .arg(data("ban-reserve.toml"))
        .args([
            "--set",
            "policy.reserve.initial=0..1000:1000",
            "--set",
            "shock.ban.severity=0.5,1",
        ])
        .assert()
        .code(2);
    assert!(!out.exists());
}
