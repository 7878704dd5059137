//! The back-test (MODEL.md v2 §4.12): the observed record loads and cites sources that resolve in
//! docs/sources.md, the scorer reports what it cannot score, and the scorecard's passes are held
//! by a snapshot so that a later change cannot lose one silently (re-accept it on purpose, with
//! docs/validation.md updated).

use std::path::{Path, PathBuf};

use chokepoint::backtest::{self, Sample, record};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

fn record_path() -> PathBuf {
    root().join("scenarios/validation/record.toml")
}

/// Source tags such as `[8b]` or `[147]` in a text.
fn tags(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('[') {
        let after = &rest[i + 1..];
        match after.find(']') {
            Some(j)
                if j > 0
                    && after[..j]
                        .chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_digit())
                    && after[..j].chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                out.push(after[..j].to_string());
                rest = &after[j..];
            }
            _ => rest = after,
        }
    }
    out
}

fn bibliography() -> String {
    std::fs::read_to_string(root().join("docs/sources.md")).expect("docs/sources.md")
}

/// Whether docs/sources.md lists `tag` as an entry (`[tag]` or `**tag.**` style).
fn resolves(bib: &str, tag: &str) -> bool {
    bib.contains(&format!("[{tag}]")) || bib.contains(&format!("**{tag}**"))
}

#[test]
fn every_observation_is_sourced_and_its_tags_resolve() {
    let rec = record::load(&record_path()).expect("the record loads");
    assert!(rec.observations.len() >= 80, "{}", rec.observations.len());
    let bib = bibliography();
    for o in &rec.observations {
        assert!(o.sourced(), "{} has no source", o.id);
        let t = tags(&o.source);
        assert!(!t.is_empty(), "{}: no source tag in {:?}", o.id, o.source);
        for tag in t {
            assert!(
                resolves(&bib, &tag),
                "{}: [{tag}] is not in docs/sources.md",
                o.id
            );
        }
    }
    for e in &rec.episodes {
        assert!(e.scenario.is_file(), "{}: {}", e.id, e.scenario.display());
    }
}

#[test]
fn every_tag_the_library_cites_resolves_in_the_repository() {
    let bib = bibliography();
    let mut files = vec![root().join("scenarios/worlds/2025.toml")];
    for d in ["scenarios", "scenarios/validation"] {
        for e in std::fs::read_dir(root().join(d)).expect("dir").flatten() {
            if e.path().extension().is_some_and(|x| x == "toml") {
                files.push(e.path());
            }
        }
    }
    for f in files {
        let text = std::fs::read_to_string(&f).expect("readable");
        for tag in tags(&text) {
            assert!(
                resolves(&bib, &tag),
                "{}: [{tag}] is not in docs/sources.md",
                f.display()
            );
        }
    }
}

#[test]
fn a_broken_record_reports_every_problem_at_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("record.toml");
    std::fs::write(
        &p,
        r#"
[[episode]]
id = "e"
scenario = "e.toml"
sample = "calibration"

[[observation]]
id = "a"
episode = "nope"
quantity = "exports"
commodity = "x"
region = "all"
period = "2023-13"
value = 2.0
low = 3.0
source = "[1]"

[[observation]]
id = "a"
episode = "e"
quantity = "stoppage"
commodity = "x"
region = "US"
period = "2023-01"
value = 1.0
months = 0
source = "[1]"
"#,
    )
    .expect("write");
    let e = record::load(&p).unwrap_err();
    for want in [
        "6 problem(s)",
        "a stoppage needs `sector`",
        "episode \"nope\" is not defined (known: e)",
        "\"2023-13\" is not a calendar month",
        "low <= value <= high",
        "observation \"a\" is defined twice",
        "months must be 1 to 120",
    ] {
        assert!(e.contains(want), "missing {want:?} in:\n{e}");
    }
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[observation]]\nid = \"a\"\nwhat = 1\n").expect("write");
    let e = record::load(&bad).unwrap_err();
    assert!(e.contains("bad.toml") && e.contains("what"), "{e}");
}

/// Trials per episode in the test: enough for stable medians, small enough for CI. The
/// scorecard in docs/validation.md uses 1000 (`chokepoint backtest`).
const TRIALS: u64 = 200;

#[test]
fn the_scorecard_keeps_its_passes() {
    let rec = record::load(&record_path()).expect("the record loads");
    let card = backtest::run(&rec, TRIALS, None).expect("every episode runs");
    let (cal, cal_n) = card.tally(Sample::Calibration);
    let (oos, oos_n) = card.tally(Sample::OutOfSample);
    let mut lines = vec![format!(
        "calibration {cal}/{cal_n}, out of sample {oos}/{oos_n}"
    )];
    for r in &card.rows {
        let verdict = match &r.score {
            Ok(s) if s.right() => "right".to_string(),
            Ok(s) => format!(
                "miss (sign {}, timing {}, magnitude {})",
                s.sign,
                s.timing,
                s.magnitude.map_or("n/a".into(), |m| m.to_string())
            ),
            Err(e) => format!("not scored: {e}"),
        };
        lines.push(format!("{}: {verdict}", r.observation.id));
    }
    insta::assert_snapshot!("scorecard", lines.join("\n"));
    // Most observations right in sample; out of sample the count docs/validation.md reports (a
    // minority: the misses are listed and explained there).
    assert!(2 * cal > cal_n, "calibration {cal}/{cal_n}");
    // Buyers buying in the month before a deadline carry graphite's November 2023 rush.
    // China's state reserve buying germanium in 2024 ([108][180]) carries the Chinese price of
    // October 2024.
    assert!(cal >= 32, "calibration {cal}/{cal_n}");
    // Five of the 26 come from re-encoding No. 18's magnet coverage after its miss was seen
    // (docs/validation.md miss 5), one from encoding the 2010 halt of shipments to Japan from its
    // dates (a row that could not be scored before).
    assert!(oos >= 26, "out of sample {oos}/{oos_n}");
}

#[test]
fn the_backtest_command_prints_and_writes_the_scorecard() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
        .arg("backtest")
        .arg(record_path())
        .args(["--trials", "20", "--out"])
        .arg(dir.path().join("card"))
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("**calibration**") && stdout.contains("**out of sample**"));
    let csv = std::fs::read_to_string(dir.path().join("card/scorecard.csv")).expect("csv");
    assert!(csv.starts_with("id,episode,sample,quantity"));
    assert_eq!(
        csv.lines().count(),
        1 + record::load(&record_path()).unwrap().observations.len()
    );
    // A record that does not exist is a clear error, not a panic.
    let out = assert_cmd::cargo::cargo_bin_cmd!("chokepoint")
        .args(["backtest", "no/such/record.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cannot read the record"));
}
