//! Where results and printed text go: SIGTERM/SIGHUP, leftovers of a killed run, symlinks,
//! closed pipes and full disks.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::cli::{chokepoint, run_data, text};

const BIN: &str = env!("CARGO_BIN_EXE_chokepoint");

#[test]
fn sigterm_and_sighup_stop_a_run_like_ctrl_c() {
    for signal in ["TERM", "HUP"] {
        let tmp = tempfile::tempdir().unwrap();
        // Long enough (seconds, in a debug build) to be interrupted while running.
        let child = Command::new(BIN)
            .current_dir(tmp.path())
            .arg("run")
            .arg(run_data("gallium-ban.toml"))
            .args(["--trials", "200000", "--no-charts", "--out", "res"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(700));
        let killed = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(child.id().to_string())
            .status()
            .unwrap();
        assert!(killed.success());
        let start = Instant::now();
        let out = child.wait_with_output().unwrap();
        assert!(start.elapsed() < Duration::from_secs(30));
        assert_eq!(
            out.status.code(),
            Some(130),
            "SIG{signal}: {}",
            text(&out.stderr)
        );
        assert!(text(&out.stderr).contains("interrupted: no results written"));
        // Neither the result nor a hidden staging directory is left behind.
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0, "SIG{signal}");
    }
}

#[test]
fn leftovers_of_a_killed_run_are_reported_and_force_removes_them() {
    let tmp = tempfile::tempdir().unwrap();
    let partial = tmp.path().join(".res.partial-AbC123");
    let old = tmp.path().join(".res.old-XyZ789");
    fs::create_dir(&partial).unwrap();
    fs::create_dir_all(old.join("res")).unwrap();
    fs::write(old.join("res/run.json"), "{}").unwrap();
    let run = |force: bool| {
        let mut c = chokepoint();
        c.current_dir(tmp.path())
            .arg("run")
            .arg(run_data("gallium-ban.toml"))
            .args(["--trials", "20", "--no-charts", "--out", "res"]);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let o = run(false);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(
        err.contains(".res.partial-AbC123, left by a run that was killed: an unfinished result"),
        "{err}"
    );
    assert!(err.contains(".res.old-XyZ789, left by a run that was killed: an earlier result moved aside by --force"), "{err}");
    assert!(err.contains("`mv` it to res to restore it"), "{err}");
    assert!(err.contains("pass --force to remove it"), "{err}");
    assert!(partial.is_dir() && old.is_dir(), "kept without --force");

    let o = run(true);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let err = text(&o.stderr);
    assert!(err.contains("warning: removed"), "{err}");
    assert!(!partial.exists() && !old.exists());
    let names: Vec<_> = fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["res"]);
}

#[test]
fn force_onto_a_symlink_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("real")).unwrap();
    std::os::unix::fs::symlink(tmp.path().join("real"), tmp.path().join("link")).unwrap();
    let o = chokepoint()
        .current_dir(tmp.path())
        .arg("run")
        .arg(run_data("gallium-ban.toml"))
        .args(["--trials", "20", "--no-charts", "--force", "--out", "link"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    insta::assert_snapshot!("force_onto_symlink", text(&o.stderr));
}

#[test]
fn a_closed_stdout_ends_quietly_with_141() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = run_data("gallium-ban.toml");
    let cases: [&[&str]; 3] = [
        &["explain"],
        &["check"],
        &["run", "--trials", "20", "--no-charts", "--out", "res"],
    ];
    for args in cases {
        // A pipe whose reader is gone: every write fails with EPIPE (`... | head -0`).
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(BIN)
            .current_dir(tmp.path())
            .env("NO_COLOR", "1")
            .arg(args[0])
            .arg(&scenario)
            .args(&args[1..])
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(141),
            "{args:?}: {}",
            text(&out.stderr)
        );
        let err = text(&out.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("error"),
            "{args:?}: {err}"
        );
    }
    // The run's results were written before the summary could not be printed.
    assert!(tmp.path().join("res/run.json").is_file());
}

#[test]
fn a_full_stdout_says_no_space_left() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [&["explain"][..], &["check"]] {
        let full = fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(BIN)
            .current_dir(tmp.path())
            .arg(args[0])
            .arg(run_data("gallium-ban.toml"))
            .stdout(full)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = text(&out.stderr);
        assert_eq!(
            err,
            "error: cannot write to standard output: no space left on device; free some space or write elsewhere\n"
        );
    }
}
