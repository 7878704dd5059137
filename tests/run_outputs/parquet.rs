//! `run --trials-parquet`: `trials.parquet` read back with the `parquet` crate's reader holds
//! exactly `trials.csv`'s table, typed, with the schema version and scenario in its metadata.

use std::fs;
use std::path::{Path, PathBuf};

use parquet::basic::{Repetition, Type as Physical};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::record::Field;

use super::bin::{chokepoint, data};

fn run(out: &Path, extra: &[&str]) -> assert_cmd::assert::Assert {
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", "40", "--no-charts"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .assert()
}

fn reader(path: PathBuf) -> SerializedFileReader<fs::File> {
    SerializedFileReader::new(fs::File::open(&path).unwrap()).unwrap()
}

#[test]
fn trials_parquet_holds_trials_csv_bit_for_bit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    run(&out, &["--trials-csv", "--trials-parquet"]).success();
    let r = reader(out.join("trials.parquet"));
    let meta = r.metadata();
    assert_eq!(meta.num_row_groups(), 1);
    let kv = meta.file_metadata().key_value_metadata().unwrap();
    let get = |k: &str| {
        kv.iter()
            .find(|x| x.key == k)
            .and_then(|x| x.value.clone())
            .unwrap_or_else(|| panic!("{k} missing"))
    };
    assert_eq!(
        get("chokepoint.schema_version"),
        chokepoint::report::json::SCHEMA_VERSION.to_string()
    );
    let toml = fs::read_to_string(data("gallium-ban.toml")).unwrap();
    let name = get("chokepoint.scenario");
    assert!(toml.contains(&format!("name = \"{name}\"")), "{name}");

    // Schema: the CSV header, `trial` a required INT64, the rest optional DOUBLEs.
    let body = fs::read_to_string(out.join("trials.csv")).unwrap();
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let schema = meta.file_metadata().schema_descr();
    assert_eq!(schema.num_columns(), header.len());
    for (i, h) in header.iter().enumerate() {
        let c = schema.column(i);
        assert_eq!(c.name(), *h);
        let (ty, rep) = if i == 0 {
            (Physical::INT64, Repetition::REQUIRED)
        } else {
            (Physical::DOUBLE, Repetition::OPTIONAL)
        };
        assert_eq!(c.physical_type(), ty, "{h}");
        assert_eq!(c.self_type().get_basic_info().repetition(), rep, "{h}");
    }

    // Values: every cell equals the CSV's, bit for bit; an empty cell is a null.
    let mut rows = 0;
    for (row, line) in r.get_row_iter(None).unwrap().zip(lines) {
        let row = row.unwrap();
        let cells: Vec<&str> = line.split(',').collect();
        for (i, (_, field)) in row.get_column_iter().enumerate() {
            match field {
                Field::Long(t) => {
                    assert_eq!(i, 0);
                    assert_eq!(t.to_string(), cells[0]);
                }
                Field::Double(x) => {
                    let want: f64 = cells[i].parse().unwrap();
                    assert_eq!(x.to_bits(), want.to_bits(), "{} row {rows}", header[i]);
                }
                Field::Null => assert_eq!(cells[i], "", "{} row {rows}", header[i]),
                other => panic!("unexpected {other:?} in {}", header[i]),
            }
        }
        rows += 1;
    }
    assert_eq!(rows, 40);
    assert_eq!(body.lines().count(), 41);
}

#[test]
fn trials_parquet_is_byte_identical_across_thread_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let files: Vec<Vec<u8>> = ["1", "2"]
        .iter()
        .map(|t| {
            let out = tmp.path().join(t);
            run(&out, &["--trials-parquet", "--threads", t]).success();
            let run_json = fs::read_to_string(out.join("run.json")).unwrap();
            assert!(run_json.contains("\"--trials-parquet\""), "{run_json}");
            assert!(!out.join("trials.csv").exists());
            fs::read(out.join("trials.parquet")).unwrap()
        })
        .collect();
    assert_eq!(files[0], files[1]);
}

#[test]
fn streamed_and_sharded_runs_refuse_trials_parquet_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    for (extra, says) in [
        (&["--streaming"][..], "streams"),
        (&["--shard", "1/2"][..], "unsharded"),
    ] {
        let out = tmp.path().join("r");
        let args: Vec<&str> = extra.iter().copied().chain(["--trials-parquet"]).collect();
        let a = run(&out, &args).code(2);
        let err = String::from_utf8(a.get_output().stderr.clone()).unwrap();
        assert!(
            err.contains("--trials-parquet") && err.contains(says),
            "{err}"
        );
        assert!(!out.exists());
    }
}
