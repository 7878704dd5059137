//! `--set PATH=VALUE` on `run` and `compare`, end to end: the override changes the result as the
//! closed form says, run.json records it, and bad arguments are refused with the reason.

use std::path::PathBuf;

fn chokepoint() -> assert_cmd::Command {
    assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
}

fn data(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/compare")
        .join(name)
}

fn mean_world_loss(dir: &std::path::Path, file: &str) -> f64 {
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join(file)).unwrap()).unwrap();
    let m = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "world.value_lost")
        .unwrap_or_else(|| panic!("no world.value_lost in {file}"));
    m["mean"].as_f64().unwrap()
}

#[test]
fn run_with_set_fixes_the_parameter_and_records_it() {
    // The ban world: a ban of d months costs d months of the chip sector's $0.1 bn a month.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    chokepoint()
        .arg("run")
        .arg(data("ban.toml"))
        .args([
            "--trials",
            "30",
            "--no-charts",
            "--set",
            "shock.ban.duration=5",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let loss = mean_world_loss(&out, "summary.json");
    assert!((loss - 5e8).abs() < 1e-3 * 5e8, "{loss}");
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("run.json")).unwrap()).unwrap();
    let cmd: Vec<&str> = run["command"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert!(
        cmd.windows(2)
            .any(|w| w == ["--set", "shock.ban.duration=5"]),
        "{cmd:?}"
    );
}

#[test]
fn run_refuses_several_values_a_bad_path_and_set_with_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let a = chokepoint()
        .arg("run")
        .arg(data("ban.toml"))
        .args(["--set", "shock.ban.duration=1,2", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("chokepoint sweep"), "{e}");
    let a = chokepoint()
        .arg("run")
        .arg(data("ban.toml"))
        .args(["--set", "shock.bann.duration=3", "--out"])
        .arg(&out)
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("did you mean `shock.ban.duration`?"), "{e}");
    let a = chokepoint()
        .arg("run")
        .arg(data("ban.toml"))
        .args(["--set", "shock.ban.duration=3", "--shard", "1/2", "--out"])
        .arg(&out)
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("--shard"), "{e}");
    let a = chokepoint()
        .arg("run")
        .arg(data("ban.toml"))
        .args(["--set", "shock.ban.duration=three"])
        .assert()
        .code(2);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("not a finite number"), "{e}");
    assert!(!out.exists());
}

#[test]
fn compare_with_set_applies_to_the_side_that_has_the_path() {
    // Reserve of 3 months (file) against 5 months (--set); the ban lasts 8 months on both sides,
    // so the reserve saves 5 months of $0.1 bn in every trial.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("c");
    chokepoint()
        .arg("compare")
        .arg(data("ban.toml"))
        .arg(data("ban-reserve.toml"))
        .args([
            "--trials",
            "20",
            "--no-charts",
            "--set",
            "shock.ban.duration=8",
            "--set",
            "policy.reserve.initial=5",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("comparison.json")).unwrap()).unwrap();
    let w = v["metrics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "world.value_lost")
        .unwrap();
    let saved = -w["difference"]["mean"].as_f64().unwrap();
    assert!((saved - 5e8).abs() < 1e-3 * 5e8, "{saved}");
    let a = chokepoint()
        .arg("compare")
        .arg(data("ban.toml"))
        .arg(data("ban-reserve.toml"))
        .args(["--set", "policy.reserv.initial=5", "--out"])
        .arg(tmp.path().join("d"))
        .assert()
        .code(1);
    let e = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(e.contains("neither scenario"), "{e}");
    assert!(e.contains("`policy.reserve.initial`"), "{e}");
}
