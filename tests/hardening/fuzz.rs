//! A bounded fuzzing pass over parser, validator and a short engine run: numbers of a full
//! scenario replaced by extreme values; whatever `check` accepts must run with finite metrics
//! and series. The inputs that broke earlier versions (issue 13) are regression cases: each is
//! refused at load. `PROPTEST_CASES` sets the number of cases (48 by default; `.ci/run` runs more).

use std::path::Path;

use chokepoint::run::{RunOptions, run};
use chokepoint::scenario::load_str;
use proptest::prelude::*;

const FULL: &str = include_str!("../data/hardening/fuzz-base.toml");
const FULL_PATH: &str = "tests/data/hardening/fuzz-base.toml";

/// Values at, just inside and far beyond the documented bounds.
const EXTREMES: [&str; 18] = [
    "0",
    "1",
    "1e-300",
    "0.001",
    "1e6",
    "1e15",
    "1e16",
    "1e40",
    "1e154",
    "1e300",
    "{ triangular = [1, 2, 1e6] }",
    "{ triangular = [1, 2, 1e160] }",
    "{ uniform = [0, 1e15] }",
    "{ normal = [1e14, 1e13], min = 0 }",
    "{ lognormal = [1, 1e3] }",
    "{ uniform_int = [1, 9007199254740994] }",
    "{ choice = [[1, 1e308], [2, 1e308]] }",
    "{ pert = [0.001, 0.5, 1] }",
];

/// The numeric lines of the full scenario, as (line index, key).
fn numeric_lines(text: &str) -> Vec<(usize, String)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.contains(" = ")
                && !l.trim_start().starts_with('#')
                && l.trim_end()
                    .ends_with(|c: char| c.is_ascii_digit() || c == '}')
        })
        .map(|(k, l)| (k, l.split(" = ").next().unwrap_or("").to_string()))
        .collect()
}

fn with_line(text: &str, k: usize, line: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(String::from).collect();
    lines[k] = line.to_string();
    lines.join("\n") + "\n"
}

/// Loads `text`; when it is valid, runs a few trials and checks every value is finite.
fn load_and_run(text: &str) -> Result<(), TestCaseError> {
    let Ok(l) = load_str(text, Path::new(FULL_PATH)) else {
        return Ok(());
    };
    let opts = RunOptions {
        trials: 8,
        seed: 11,
        first_trial: 0,
        threads: Some(1),
    };
    let r =
        run(&l.scenario, &opts, &|_, _| true).map_err(|e| TestCaseError::fail(e.to_string()))?;
    for (m, name) in r.metric_names.iter().enumerate() {
        for v in r.metric_values(m) {
            prop_assert!(v.is_finite(), "{} = {} for\n{}", name, v, text);
        }
    }
    prop_assert!(
        r.series.iter().all(|v| v.is_finite()),
        "series not finite for\n{}",
        text
    );
    Ok(())
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn extreme_numbers_are_refused_or_run_finite(
        picks in prop::collection::vec((0usize..1000, 0usize..EXTREMES.len()), 1..4)
    ) {
        let lines = numeric_lines(FULL);
        let mut text = FULL.to_string();
        for (i, v) in picks {
            let (k, key) = &lines[i % lines.len()];
            text = with_line(&text, *k, &format!("{key} = {}", EXTREMES[v]));
        }
        load_and_run(&text)?;
    }
}

/// The inputs of issue 13 that ran with NaN or empty statistics: each is now refused at load.
#[test]
fn inputs_that_broke_earlier_versions_are_refused() {
    let lines = numeric_lines(FULL);
    let find = |key: &str| {
        lines
            .iter()
            .find(|(_, k)| k.trim() == key)
            .unwrap_or_else(|| panic!("no `{key}` in {FULL_PATH}"))
            .0
    };
    for (key, value) in [
        ("duration", "{ triangular = [1, 2, 1e160] }"),
        ("capacity", "1e40"),
        ("value_added", "1e154"),
        ("price", "1e154"),
        ("elasticity", "1e-300"),
        ("max_price_multiple", "1e300"),
        ("severity", "{ choice = [[1, 1e308], [0.5, 1e308]] }"),
        ("start", "{ uniform_int = [1, 9007199254740994] }"),
    ] {
        let text = with_line(FULL, find(key), &format!("{key} = {value}"));
        assert!(
            load_str(&text, Path::new(FULL_PATH)).is_err(),
            "{key} = {value} should be refused"
        );
    }
    for empty in ["", "\n# nothing\n", "[scenario]\nname = \"x\"\n"] {
        assert!(
            load_str(empty, Path::new("empty.toml")).is_err(),
            "{empty:?}"
        );
    }
}

/// Found by the fuzzing pass (model v2): an ore producer with a capacity of 1e-300 left the
/// exporter's price with nothing available to its buyers and nothing sold by its producers in the
/// same period, and the two saturated sides met as inf - inf (NaN). Each side is now capped first.
#[test]
fn a_vanishing_producer_keeps_prices_finite() {
    let (k, _) = numeric_lines(FULL)
        .into_iter()
        .find(|(_, key)| key.trim() == "capacity")
        .expect("a capacity line");
    let text = with_line(FULL, k, "capacity = 1e-300");
    load_and_run(&text).unwrap_or_else(|e| panic!("{e}"));
}
