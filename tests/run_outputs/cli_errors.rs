//! `chokepoint run` end to end where it stops before simulating: invalid scenarios and bad command
//! lines write nothing.

use std::fs;

use super::bin::{chokepoint, data};

#[test]
fn invalid_scenario_exits_1_and_creates_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let assert = chokepoint()
        .current_dir(tmp.path())
        .arg("run")
        .arg(data("invalid.toml"))
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("invalid.toml"), "{stderr}");
    assert!(stderr.contains("XX"), "{stderr}");
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn bad_command_lines_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        &["--trials", "0"][..],
        &["--shard", "3/2"],
        &["--threads", "0"],
    ] {
        chokepoint()
            .current_dir(tmp.path())
            .arg("run")
            .arg(data("gallium-ban.toml"))
            .args(args)
            .assert()
            .code(2);
    }
    assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
}
