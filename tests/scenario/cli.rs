//! `chokepoint check` and `chokepoint explain` end to end: output and exit codes.

use assert_cmd::Command;

fn cmd() -> Command {
    let mut c = Command::cargo_bin("chokepoint").unwrap();
    c.env_remove("NO_COLOR");
    c
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

#[test]
fn check_valid_files_exits_0() {
    let o = cmd()
        .args([
            "check",
            "tests/data/scenario/full.toml",
            "tests/data/scenario/inline.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("tests/data/scenario/full.toml: ok\n"), "{out}");
    assert!(
        out.contains("tests/data/scenario/inline.toml: ok\n"),
        "{out}"
    );
}

#[test]
fn check_prints_warnings_but_passes() {
    let o = cmd()
        .args(["check", "tests/data/scenario/warnings.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("warning: "), "{out}");
    assert!(
        out.contains("tests/data/scenario/warnings.toml: ok, "),
        "{out}"
    );
}

#[test]
fn check_invalid_file_exits_1_with_every_problem() {
    let o = cmd()
        .args([
            "check",
            "tests/data/scenario/full.toml",
            "tests/data/errors/triangular_out_of_order.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let out = stdout(&o);
    assert!(out.contains("tests/data/scenario/full.toml: ok"), "{out}");
    assert!(
        out.contains("--> tests/data/errors/triangular_out_of_order.toml:33:27"),
        "{out}"
    );
    assert!(out.contains("did you mean [3, 6, 18]?"), "{out}");
    assert!(out.contains("did you mean [0.6, 0.9, 0.98]?"), "{out}");
    assert!(
        out.contains("triangular_out_of_order.toml: invalid, 2 errors"),
        "{out}"
    );
    assert!(!out.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn check_bad_command_line_exits_2() {
    let o = cmd().args(["check"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let o = cmd()
        .args(["check", "tests/data/scenario/does-not-exist.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stdout(&o).contains("cannot read tests/data/scenario/does-not-exist.toml"));
    // A missing file outranks an invalid one.
    let o = cmd()
        .args([
            "check",
            "tests/data/errors/uniform_reversed.toml",
            "nope.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn explain_prints_the_resolved_scenario() {
    let o = cmd()
        .args(["explain", "tests/data/scenario/full.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(
        out.contains("duration: triangular 3/6/18 months, mean 9"),
        "{out}"
    );
    assert!(out.contains("CN      99.7%"), "{out}");
    assert!(out.contains("priority 0 for US/defense"), "{out}");
}

#[test]
fn explain_invalid_exits_1() {
    let o = cmd()
        .args(["explain", "tests/data/errors/recipe_cycle.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("recipe cycle: wafer -> epi -> wafer"), "{err}");
    assert!(o.stdout.is_empty());
}

#[test]
fn a_world_file_checks_and_explains_on_its_own() {
    let o = cmd()
        .args(["check", "tests/data/scenario/worlds/small.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = cmd()
        .args(["explain", "tests/data/scenario/worlds/small.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.starts_with("Scenario: Test world\n"), "{out}");
    assert!(out.contains("Shocks (0)"), "{out}");
}

#[test]
fn colour_only_on_request_of_a_terminal() {
    // Not a terminal here, so plain even without NO_COLOR; with NO_COLOR always plain.
    let o = cmd()
        .env("NO_COLOR", "1")
        .args(["check", "tests/data/errors/uniform_reversed.toml"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(!stdout(&o).contains('\u{1b}'));
    assert!(!chokepoint::cli::check::use_color(false));
}
