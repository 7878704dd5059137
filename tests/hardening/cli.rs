//! Inputs and the command line: devices, pipes, /proc, oversized files, hostile text, counts.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::cargo::cargo_bin_cmd;

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/hardening")
        .join(name)
}

pub fn run_data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/run")
        .join(name)
}

pub fn chokepoint() -> assert_cmd::Command {
    let mut c = cargo_bin_cmd!("chokepoint");
    c.env("NO_COLOR", "1")
        .timeout(std::time::Duration::from_secs(60));
    c
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Both streams, for messages that may go to either.
fn both(o: &Output) -> String {
    format!("{}{}", text(&o.stdout), text(&o.stderr))
}

#[test]
fn a_device_as_world_is_refused_before_reading() {
    let o = chokepoint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "tests/data/hardening/world-dev-zero.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("world_dev_zero", text(&o.stdout));
}

#[test]
fn a_proc_file_as_world_is_refused_and_never_echoed() {
    let o = chokepoint()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CHOKEPOINT_TEST_SECRET", "s3cr3t-value-in-the-environment")
        .args(["check", "tests/data/hardening/world-proc.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let all = both(&o);
    assert!(!all.contains("s3cr3t-value"), "{all}");
    insta::assert_snapshot!("world_proc", text(&o.stdout));
}

#[test]
fn a_fifo_or_device_named_on_the_command_line_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("fifo.toml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    for cmd in ["check", "explain", "run"] {
        let o = chokepoint().arg(cmd).arg(&fifo).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(
            both(&o).contains("it is a named pipe (FIFO), not a regular file"),
            "{cmd}: {}",
            both(&o)
        );
        let o = chokepoint().arg(cmd).arg("/dev/zero").output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        assert!(both(&o).contains("it is a device"), "{cmd}: {}", both(&o));
    }
    let o = chokepoint()
        .args(["compare", "/dev/null"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(both(&o).contains("named pipe"), "{}", both(&o));
}

#[test]
fn an_oversized_file_is_refused_before_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let big = tmp.path().join("big.toml");
    let f = std::fs::File::create(&big).unwrap();
    // Sparse: no disk space is used.
    f.set_len(17 << 20).unwrap();
    let o = chokepoint().arg("check").arg(&big).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stdout).contains("above the 16 MiB limit"),
        "{}",
        text(&o.stdout)
    );
}

#[test]
fn control_characters_never_reach_the_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let file = data("hostile-terminal.toml");
    let runs: [&[&str]; 3] = [
        &["explain"],
        &["check"],
        &["run", "--trials", "20", "--no-charts", "--out"],
    ];
    for args in runs {
        let mut c = chokepoint();
        c.args(&args[..1]).arg(&file).args(&args[1..]);
        if args[0] == "run" {
            c.arg(tmp.path().join("run"));
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", both(&o));
        let all = both(&o);
        assert!(
            !all.chars().any(|c| c.is_control() && c != '\n'),
            "{args:?}: {all:?}"
        );
        if args[0] != "check" {
            assert!(
                all.contains("Gallium \\e]0;pwned\\x07\\e[2J ban\\r"),
                "{all}"
            );
        }
    }
    let o = chokepoint()
        .arg("compare")
        .arg(&file)
        .arg(&file)
        .args(["--trials", "20", "--no-charts", "--out"])
        .arg(tmp.path().join("cmp"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", both(&o));
    let all = both(&o);
    assert!(all.contains("\\e]0;pwned"), "{all}");
    assert!(!all.chars().any(|c| c.is_control() && c != '\n'), "{all:?}");
    // The files keep the text as written.
    let summary = std::fs::read_to_string(tmp.path().join("run/summary.json")).unwrap();
    assert!(summary.contains("\\u001b]0;pwned"), "{summary}");
}

#[test]
fn hostile_text_in_a_diagnostic_is_escaped() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("bad.toml");
    std::fs::write(
        &file,
        "[scenario]\nname = \"x\"\n\n[[region]]\nid = \"A\\u001b[2J\"\n\n# raw C1: \u{9b}31m\n",
    )
    .unwrap();
    let o = chokepoint().arg("check").arg(&file).output().unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("\"A\\e[2J\" is not a usable id"), "{out}");
    assert!(!out.chars().any(|c| c.is_control() && c != '\n'), "{out:?}");
}

#[test]
fn thread_and_trial_counts_are_bounded() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            &["--threads", "5000"][..],
            "--threads 5000 is above the maximum",
        ),
        (
            &["--threads", "18446744073709551615"],
            "is above the maximum",
        ),
        (
            &["--trials", "10000000000000"],
            "--trials 10000000000000 is above the maximum",
        ),
    ] {
        for cmd in ["run", "compare"] {
            let mut c = chokepoint();
            c.current_dir(tmp.path())
                .arg(cmd)
                .arg(run_data("gallium-ban.toml"));
            if cmd == "compare" {
                c.arg(run_data("gallium-ban.toml"));
            }
            let o = c.args(args).output().unwrap();
            assert_eq!(o.status.code(), Some(2), "{cmd} {args:?}");
            assert!(text(&o.stderr).contains(says), "{}", text(&o.stderr));
        }
    }
    assert_eq!(std::fs::read_dir(tmp.path()).unwrap().count(), 0);
}

#[test]
fn compare_memory_refusal_does_not_blame_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let o = chokepoint()
        .current_dir(tmp.path())
        .arg("compare")
        .arg(run_data("gallium-ban.toml"))
        .arg(run_data("gallium-ban.toml"))
        .args(["--trials", "900000000000"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(err.contains("run fewer --trials"), "{err}");
    assert!(!err.contains("--threads"), "{err}");
}
