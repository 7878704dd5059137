//! Sharded runs: `trials.bin` round trips, shard sets are checked, and merged shards give the same
//! bytes as an unsharded run.

use std::fs;
use std::path::{Path, PathBuf};

use chokepoint::cli::merge::{merge_loaded, read_shards};
use chokepoint::cli::run::{Inputs, Shard, run_loaded};
use chokepoint::cli::{EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, MergeArgs, RunArgs};
use chokepoint::report::shard::{concat, decode, encode};
use chokepoint::run::{RunError, RunOptions, RunResults};
use chokepoint::scenario::Scenario;
use proptest::prelude::*;

use super::synthetic;

proptest! {
    #[test]
    fn trials_bin_round_trips_bit_for_bit(r in synthetic::arb_results()) {
        let bytes = encode(&r, r.first_trial + r.trials as u64, 9);
        let (h, back) = decode(&bytes).unwrap();
        prop_assert_eq!(h.first_trial, r.first_trial);
        prop_assert_eq!(back, r);
    }
}

#[test]
fn decode_rejects_damaged_files() {
    let r = finite(0, 3);
    let bytes = encode(&r, 3, 9);
    assert!(
        decode(&bytes[..bytes.len() - 1])
            .unwrap_err()
            .contains("expected")
    );
    assert!(decode(&bytes[..10]).unwrap_err().contains("truncated"));
    assert!(
        decode(b"PK\x03\x04 not a shard")
            .unwrap_err()
            .contains("not a chokepoint shard")
    );
}

/// The synthetic results with "never" as the horizon instead of NaN, as the engine writes it: a
/// shard holds only finite values.
fn finite(first: u64, n: usize) -> RunResults {
    let mut r = synthetic::results(first, n);
    for v in &mut r.metrics {
        if v.is_nan() {
            *v = r.horizon as f64;
        }
    }
    r
}

fn part(first: u64, n: usize, total: u64) -> (chokepoint::report::shard::ShardHeader, RunResults) {
    decode(&encode(&finite(first, n), total, 9)).unwrap()
}

#[test]
fn concat_in_any_order_equals_the_whole_run() {
    let merged = concat(vec![part(3, 2, 5), part(0, 3, 5)]).unwrap();
    assert_eq!(merged, finite(0, 5));
}

#[test]
fn concat_names_missing_and_repeated_trials() {
    let e = concat(vec![part(0, 2, 5), part(3, 2, 5)]).unwrap_err();
    assert!(e.contains("trials 2..3 are missing"), "{e}");
    let e = concat(vec![part(0, 3, 5)]).unwrap_err();
    assert!(e.contains("trials 3..5 are missing"), "{e}");
    let e = concat(vec![part(0, 3, 5), part(2, 3, 5)]).unwrap_err();
    assert!(e.contains("twice"), "{e}");
    let (h, mut r) = part(3, 2, 5);
    r.seed = 8;
    let mut h2 = h.clone();
    h2.seed = 8;
    let e = concat(vec![part(0, 3, 5), (h2, r)]).unwrap_err();
    assert!(e.contains("different runs"), "{e}");
}

fn fake(
    _: &Scenario,
    opts: &RunOptions,
    _: &(dyn Fn(u64, u64) -> bool + Sync),
) -> Result<RunResults, RunError> {
    let mut r = finite(opts.first_trial, opts.trials as usize);
    r.seed = opts.seed;
    Ok(r)
}

fn inputs() -> Inputs {
    Inputs {
        scenario: b"[scenario]\nname = \"s\"\n".to_vec(),
        world: None,
    }
}

fn run_args(out: &Path, shard: Option<Shard>) -> RunArgs {
    RunArgs {
        scenario: PathBuf::from("scenarios/gallium.toml"),
        trials: Some(7),
        seed: Some(11),
        threads: None,
        out: Some(out.to_path_buf()),
        force: false,
        trials_csv: true,
        trials_parquet: false,
        no_charts: true,
        thresholds: vec![],
        set: vec![],
        shard,
        precision: vec![],
        design: Default::default(),
        scale: Default::default(),
    }
}

fn run(a: &RunArgs) -> i32 {
    let (mut o, mut e) = (Vec::new(), Vec::new());
    run_loaded(
        &synthetic::scenario(),
        &inputs(),
        a,
        &fake,
        None,
        &mut o,
        &mut e,
    )
}

fn merge_args(dirs: Vec<PathBuf>, out: &Path) -> MergeArgs {
    MergeArgs {
        dirs,
        out: Some(out.to_path_buf()),
        force: false,
        trials_csv: true,
        no_charts: true,
        thresholds: vec![],
    }
}

fn merge(a: &MergeArgs, current: &Inputs) -> (i32, String) {
    let set = read_shards(&a.dirs).unwrap();
    let (mut o, mut e) = (Vec::new(), Vec::new());
    let code = merge_loaded(
        &synthetic::scenario(),
        current,
        &set,
        a,
        None,
        &mut o,
        &mut e,
    );
    (code, String::from_utf8(e).unwrap())
}

#[test]
fn merged_shards_are_byte_identical_to_the_unsharded_run() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    assert_eq!(run(&run_args(&whole, None)), EXIT_OK);
    let mut dirs = Vec::new();
    for index in 1..=3 {
        let d = tmp.path().join(format!("s{index}"));
        assert_eq!(run(&run_args(&d, Some(Shard { index, count: 3 }))), EXIT_OK);
        assert!(d.join("trials.bin").is_file());
        assert!(!d.join("summary.json").exists());
        dirs.push(d);
    }
    dirs.reverse();
    let merged = tmp.path().join("merged");
    let (code, err) = merge(&merge_args(dirs, &merged), &inputs());
    assert_eq!(code, EXIT_OK, "{err}");
    let mut names: Vec<_> = fs::read_dir(&whole)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    let mut merged_names: Vec<_> = fs::read_dir(&merged)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    merged_names.sort();
    assert_eq!(names, merged_names);
    for n in names {
        assert_eq!(
            fs::read(whole.join(&n)).unwrap(),
            fs::read(merged.join(&n)).unwrap(),
            "{n:?} differs"
        );
    }
}

#[test]
fn shard_run_json_records_its_slice() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("s2");
    assert_eq!(
        run(&run_args(&d, Some(Shard { index: 2, count: 2 }))),
        EXIT_OK
    );
    let info: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.join("run.json")).unwrap()).unwrap();
    assert_eq!(info["first_trial"], 3);
    assert_eq!(info["trials"], 4);
    assert_eq!(info["total_trials"], 7);
    assert!(
        info["command"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c == "2/2")
    );
}

#[test]
fn merge_refuses_incomplete_sets_and_changed_scenarios() {
    let tmp = tempfile::tempdir().unwrap();
    let s1 = tmp.path().join("s1");
    let s2 = tmp.path().join("s2");
    assert_eq!(
        run(&run_args(&s1, Some(Shard { index: 1, count: 2 }))),
        EXIT_OK
    );
    assert_eq!(
        run(&run_args(&s2, Some(Shard { index: 2, count: 2 }))),
        EXIT_OK
    );

    let e = read_shards(std::slice::from_ref(&s1)).unwrap_err();
    assert!(e.contains("trials 3..7 are missing"), "{e}");
    let e = read_shards(&[s1.clone(), tmp.path().join("nope")]).unwrap_err();
    assert!(e.contains("cannot read") && e.contains("nope"), "{e}");

    let out = tmp.path().join("m");
    let mut changed = inputs();
    changed.scenario.push(b'#');
    let (code, err) = merge(&merge_args(vec![s1.clone(), s2.clone()], &out), &changed);
    assert_eq!(code, EXIT_USAGE);
    assert!(err.contains("has changed"), "{err}");
    assert!(!out.exists());

    fs::create_dir(&out).unwrap();
    fs::write(out.join("run.json"), "{}").unwrap();
    let (code, err) = merge(&merge_args(vec![s1, s2], &out), &inputs());
    assert_eq!(code, EXIT_OUTPUT);
    assert!(err.contains("--force"), "{err}");
}
