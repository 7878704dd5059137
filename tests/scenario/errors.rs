//! The corpus of broken files under tests/data/errors: every file must be rejected, and its
//! rendered diagnostics (no colour, relative paths) match the committed snapshot.

use std::path::{Path, PathBuf};

use chokepoint::scenario::{self, Severity};

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir("tests/data/errors")
        .expect("corpus folder exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
}

#[test]
fn corpus_is_large_enough() {
    assert!(corpus().len() >= 30, "only {} broken files", corpus().len());
}

#[test]
fn every_broken_file_is_rejected_with_snapshot_messages() {
    for path in corpus() {
        let err = match scenario::load(&path) {
            Ok(_) => panic!("{} should be invalid", path.display()),
            Err(e) => e,
        };
        assert!(
            err.errors().count() > 0,
            "{}: no error reported",
            path.display()
        );
        for d in &err.diagnostics {
            assert!(
                d.line >= 1 && d.column >= 1,
                "{}: diagnostic without position: {d}",
                path.display()
            );
            assert!(!d.message.is_empty());
        }
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        let rendered = err.render(false);
        assert!(
            !rendered.contains('\u{1b}'),
            "plain rendering has no ANSI codes"
        );
        insta::assert_snapshot!(stem, rendered);
    }
}

#[test]
fn diagnostics_come_in_file_order() {
    for path in corpus() {
        let err = scenario::load(&path).unwrap_err();
        let order: Vec<(String, usize)> = err
            .diagnostics
            .iter()
            .map(|d| {
                (
                    d.file.display().to_string(),
                    d.span.as_ref().map_or(0, |s| s.start),
                )
            })
            .collect();
        // Within each file, positions never go backwards.
        for w in order.windows(2) {
            if w[0].0 == w[1].0 {
                assert!(
                    w[0].1 <= w[1].1,
                    "{}: out of order {order:?}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn world_file_problems_are_reported_against_the_world_file() {
    let err =
        scenario::load(Path::new("tests/data/errors/world_file_with_errors.toml")).unwrap_err();
    let world = Path::new("tests/data/errors/worlds/broken.toml");
    assert_eq!(err.errors().count(), 2);
    assert!(err.errors().all(|d| d.file == world), "{err}");
    let nmae = err.errors().find(|d| d.message.contains("nmae")).unwrap();
    assert_eq!((nmae.line, nmae.column), (9, 1));
    assert_eq!(nmae.hint.as_deref(), Some("did you mean \"name\"?"));
}

#[test]
fn a_forgotten_bracket_gives_line_and_column() {
    let err =
        scenario::load(Path::new("tests/data/errors/syntax_forgotten_bracket.toml")).unwrap_err();
    let d = &err.diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(d.line, 2);
    assert!(d.message.contains("expected `]`"), "{}", d.message);
}

#[test]
fn every_problem_is_reported_in_one_run() {
    // Swapped triangular bounds, swapped pert bounds: both at once, each with its fix.
    let err =
        scenario::load(Path::new("tests/data/errors/triangular_out_of_order.toml")).unwrap_err();
    let hints: Vec<_> = err.errors().map(|d| d.hint.clone().unwrap()).collect();
    assert_eq!(
        hints,
        ["did you mean [3, 6, 18]?", "did you mean [0.6, 0.9, 0.98]?"]
    );
    let keys: Vec<_> = err.errors().map(|d| d.key_path.as_str()).collect();
    assert_eq!(
        keys,
        [
            "shock \"ban\".duration.triangular",
            "shock \"ban\".severity.pert"
        ]
    );
}

/// A world file that cannot be read is one error, not one more for every region and commodity
/// the scenario then cannot resolve (issue 11).
#[test]
fn an_unreadable_world_is_one_error_not_its_echoes() {
    let text = r#"
[scenario]
name = "x"
world = "no/such/world.toml"
horizon = 12

[[shock]]
id = "ban"
kind = "export_restriction"
exporter = "CN"
commodities = ["gallium", "germanium"]
"#;
    let e = chokepoint::scenario::load_str(text, std::path::Path::new("s.toml")).unwrap_err();
    let errors: Vec<_> = e.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert_eq!(errors.len(), 1, "{}", e.render(false));
    assert!(
        errors[0].message.contains("cannot read no/such/world.toml"),
        "{}",
        e.render(false)
    );
}
