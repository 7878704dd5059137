//! The CSV files read by a type-inferring reader (pandas, polars, DuckDB) without options: every
//! value column infers as a float, the id columns as strings, counts and indices as integers. The
//! inference here is what such a reader concludes from a column's cells: integer if every non-empty
//! cell parses as an integer, else float if every one parses as a float, else string.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use super::bin::{chokepoint, data};

#[derive(Debug, PartialEq, Eq, Clone, Copy)]
enum Kind {
    Int,
    Float,
    Str,
}

fn infer(cells: &[String]) -> Kind {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
    // A column with no value at all (a bound too few trials define) reads as all-missing floats.
    if filled.is_empty() {
        return Kind::Float;
    }
    if filled.iter().all(|c| c.parse::<i64>().is_ok()) {
        Kind::Int
    } else if filled.iter().all(|c| c.parse::<f64>().is_ok()) {
        Kind::Float
    } else {
        Kind::Str
    }
}

/// Column name -> inferred kind, read with a strict reader (every row as long as the header).
fn kinds(path: &Path) -> BTreeMap<String, Kind> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(false)
        .from_path(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    let mut cols = vec![Vec::new(); header.len()];
    let mut rows = 0;
    for rec in r.records() {
        let rec = rec.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for (c, v) in cols.iter_mut().zip(rec.iter()) {
            c.push(v.to_string());
        }
        rows += 1;
    }
    assert!(rows > 0, "{} has no rows", path.display());
    header
        .into_iter()
        .zip(cols.iter().map(|c| infer(c)))
        .collect()
}

/// Every column is `want(name)`; names the first column that is not.
fn check(path: &Path, want: impl Fn(&str) -> Kind) {
    let got = kinds(path);
    for (name, kind) in &got {
        assert_eq!(
            *kind,
            want(name),
            "{} column {name} infers as {kind:?}",
            path.display()
        );
    }
}

fn run_dir(tmp: &Path) -> PathBuf {
    let out = tmp.join("r");
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "40", "--trials-csv", "--no-charts"])
        .args(["--threshold", "world.value_lost=1e11", "--out"])
        .arg(&out)
        .assert()
        .success();
    out
}

#[test]
fn inference_tells_integers_floats_and_strings_apart() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(infer(&s(&["0", "12", ""])), Kind::Int);
    assert_eq!(infer(&s(&["0.0", "12", ""])), Kind::Float);
    assert_eq!(infer(&s(&["1e-20", "3.5"])), Kind::Float);
    assert_eq!(infer(&s(&["world.value_lost", "1.0"])), Kind::Str);
    assert_eq!(infer(&s(&["", ""])), Kind::Float);
}

#[test]
fn run_csvs_infer_value_columns_as_floats() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_dir(tmp.path());
    let ids = ["metric", "label"];
    check(&out.join("metrics.csv"), |c| {
        if ids.contains(&c) {
            Kind::Str
        } else {
            Kind::Float
        }
    });
    check(&out.join("series.csv"), |c| match c {
        "period" => Kind::Int,
        "metric" | "label" | "period_label" => Kind::Str,
        _ => Kind::Float,
    });
    // Every metric has its own display name.
    let mut rdr = csv::Reader::from_path(out.join("metrics.csv")).unwrap();
    let labels: Vec<String> = rdr.records().map(|r| r.unwrap()[1].to_string()).collect();
    let distinct: std::collections::BTreeSet<&String> = labels.iter().collect();
    assert_eq!(distinct.len(), labels.len(), "{labels:?}");
    check(&out.join("exceedance.csv"), |c| match c {
        "metric" | "direction" => Kind::Str,
        "trials_beyond" | "trials" => Kind::Int,
        _ => Kind::Float,
    });
    check(&out.join("trials.csv"), |c| {
        if c == "trial" { Kind::Int } else { Kind::Float }
    });
}

#[test]
fn comparison_csv_infers_value_columns_as_floats() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    let compare = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/compare");
    chokepoint()
        .arg("compare")
        .arg(compare.join("ban.toml"))
        .arg(compare.join("ban-reserve.toml"))
        .args(["--trials", "20", "--seed", "5", "--no-charts", "--out"])
        .arg(&out)
        .assert()
        .success();
    let body = fs::read_to_string(out.join("comparison.csv")).unwrap();
    assert!(body.lines().count() > 1);
    check(&out.join("comparison.csv"), |c| match c {
        "metric" | "label" | "better" => Kind::Str,
        "n" => Kind::Int,
        _ => Kind::Float,
    });
}
