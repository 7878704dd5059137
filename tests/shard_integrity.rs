//! `chokepoint merge` against damaged and tampered shards, end to end: every case exits 2 with a
//! message naming the problem (and never panics), while an untouched set still merges.

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;
use chokepoint::report::shard::{self, ShardHeader, fnv1a64, seal, split};

/// Merge's exit code when the shards do not form one complete run (README, docs/outputs.md).
const REFUSED: i32 = 2;

fn scenario() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/run/gallium-ban.toml")
}

/// Runs shard `s` ("I/N") of 12 trials of the test scenario into `out`.
fn run_shard(out: &Path, s: &str) {
    cargo_bin_cmd!("chokepoint")
        .arg("run")
        .arg(scenario())
        .args(["--trials", "12", "--no-charts", "--shard", s, "--out"])
        .arg(out)
        .assert()
        .success();
}

/// Three shards of one run, written once; each case works on a fresh copy.
struct Fixture {
    tmp: tempfile::TempDir,
    pristine: Vec<PathBuf>,
    cases: std::cell::Cell<usize>,
}

impl Fixture {
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let pristine: Vec<PathBuf> = (1..=3)
            .map(|i| {
                let d = tmp.path().join(format!("pristine-{i}"));
                run_shard(&d, &format!("{i}/3"));
                d
            })
            .collect();
        Fixture {
            tmp,
            pristine,
            cases: std::cell::Cell::new(0),
        }
    }

    /// A fresh copy of the three shard directories.
    fn copy(&self) -> Vec<PathBuf> {
        let n = self.cases.get();
        self.cases.set(n + 1);
        self.pristine
            .iter()
            .enumerate()
            .map(|(i, src)| {
                let d = self.tmp.path().join(format!("case-{n}-{i}"));
                fs::create_dir(&d).unwrap();
                for e in fs::read_dir(src).unwrap() {
                    let e = e.unwrap();
                    fs::copy(e.path(), d.join(e.file_name())).unwrap();
                }
                d
            })
            .collect()
    }

    /// Merges `dirs` into a new directory; returns the exit code and stderr.
    fn merge(&self, dirs: &[PathBuf]) -> (i32, String) {
        let n = self.cases.get();
        self.cases.set(n + 1);
        let out = self.tmp.path().join(format!("merged-{n}"));
        let o = cargo_bin_cmd!("chokepoint")
            .args(["merge", "--no-charts", "--out"])
            .arg(&out)
            .args(dirs)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert!(!err.contains("panicked"), "merge panicked: {err}");
        let code = o.status.code().expect("merge exits with a code");
        if code != 0 {
            assert!(!out.exists(), "a refused merge wrote {}", out.display());
        }
        (code, err)
    }

    /// Asserts that merging `dirs` is refused with a message containing every one of `words`.
    fn refused(&self, dirs: &[PathBuf], words: &[&str], case: &str) {
        let (code, err) = self.merge(dirs);
        assert_eq!(code, REFUSED, "{case}: {err}");
        assert!(err.starts_with("error: "), "{case}: {err}");
        for w in words {
            assert!(err.contains(w), "{case}: `{w}` not in {err}");
        }
    }
}

fn bin(dir: &Path) -> PathBuf {
    dir.join("trials.bin")
}

/// The header and payload of a shard file.
fn open(dir: &Path) -> (ShardHeader, Vec<u8>) {
    let bytes = fs::read(bin(dir)).unwrap();
    let (json, payload) = split(&bytes).unwrap();
    (serde_json::from_slice(json).unwrap(), payload.to_vec())
}

/// Rewrites a shard file with fresh checksums after `edit`: only the checks that do not rely on
/// checksums can catch the change.
fn forge(dir: &Path, edit: impl FnOnce(&mut ShardHeader, &mut Vec<u8>)) {
    let (mut h, mut p) = open(dir);
    edit(&mut h, &mut p);
    fs::write(bin(dir), seal(&h, &p)).unwrap();
}

/// A file of this format with an arbitrary header text (its checksum right) and payload.
fn raw(version: u32, json: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut out = b"CHOKESHD".to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(json.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a64(json).to_le_bytes());
    out.extend_from_slice(json);
    out.extend_from_slice(payload);
    out
}

fn header_len(dir: &Path) -> usize {
    let bytes = fs::read(bin(dir)).unwrap();
    28 + split(&bytes).unwrap().0.len()
}

/// Edits one field of `run.json`.
fn edit_run_json(dir: &Path, key: &str, value: serde_json::Value) {
    let p = dir.join("run.json");
    let mut v: serde_json::Value = serde_json::from_slice(&fs::read(&p).unwrap()).unwrap();
    v[key] = value;
    fs::write(&p, serde_json::to_vec(&v).unwrap()).unwrap();
}

#[test]
fn untouched_shards_merge() {
    let f = Fixture::new();
    let (code, err) = f.merge(&f.copy());
    assert_eq!(code, 0, "{err}");
}

#[test]
fn damaged_files_are_refused() {
    let f = Fixture::new();
    let len = fs::read(bin(&f.pristine[1])).unwrap().len();
    let h = header_len(&f.pristine[1]);

    // Truncated anywhere: in the prefix, the header, the payload.
    for at in [
        0,
        3,
        8,
        11,
        12,
        19,
        20,
        27,
        28,
        40,
        h - 1,
        h,
        h + 3,
        len - 8,
        len - 1,
    ] {
        let dirs = f.copy();
        let bytes = fs::read(bin(&dirs[1])).unwrap();
        fs::write(bin(&dirs[1]), &bytes[..at]).unwrap();
        let (code, err) = f.merge(&dirs);
        assert_eq!(code, REFUSED, "truncated at {at}: {err}");
        assert!(err.contains("trials.bin"), "truncated at {at}: {err}");
    }

    // One flipped bit in the header JSON, wherever it falls.
    for at in (28..h).step_by(((h - 28) / 25).max(1)) {
        let dirs = f.copy();
        let mut bytes = fs::read(bin(&dirs[1])).unwrap();
        bytes[at] ^= 0x04;
        fs::write(bin(&dirs[1]), &bytes).unwrap();
        f.refused(&dirs, &["trials.bin", "header is damaged"], "header bit");
    }

    // One flipped bit in the numbers: the payload checksum.
    for at in [h, h + 1, (h + len) / 2, len - 1] {
        let dirs = f.copy();
        let mut bytes = fs::read(bin(&dirs[1])).unwrap();
        bytes[at] ^= 0x01;
        fs::write(bin(&dirs[1]), &bytes).unwrap();
        f.refused(&dirs, &["trials.bin", "checksum"], "payload bit");
    }

    // A damaged length, magic or version.
    let dirs = f.copy();
    let mut bytes = fs::read(bin(&dirs[0])).unwrap();
    bytes[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
    fs::write(bin(&dirs[0]), &bytes).unwrap();
    f.refused(
        &dirs,
        &["trials.bin", "truncated or damaged"],
        "header length",
    );
    let dirs = f.copy();
    fs::write(bin(&dirs[0]), b"PK\x03\x04 a zip, not a shard").unwrap();
    f.refused(&dirs, &["trials.bin", "not a chokepoint shard"], "magic");
    for version in [1u32, 3] {
        let dirs = f.copy();
        let mut bytes = fs::read(bin(&dirs[0])).unwrap();
        bytes[8..12].copy_from_slice(&version.to_le_bytes());
        fs::write(bin(&dirs[0]), &bytes).unwrap();
        f.refused(
            &dirs,
            &["trials.bin", &format!("format version {version}")],
            "version",
        );
    }

    // A header that is not JSON (with a checksum that matches it).
    let dirs = f.copy();
    fs::write(bin(&dirs[0]), raw(2, b"{\"seed\": 1,", b"")).unwrap();
    f.refused(&dirs, &["trials.bin", "bad shard header"], "bad JSON");
}

#[test]
fn forged_sizes_and_non_finite_values_are_refused() {
    let f = Fixture::new();

    // The forged 60-byte file of the old format, claiming 2^40 trials.
    let dirs = f.copy();
    let mut old = b"CHOKESHD".to_vec();
    old.extend_from_slice(&1u32.to_le_bytes());
    let json = br#"{"seed":1,"first_trial":0,"trials":1099511627776}"#;
    old.extend_from_slice(&(json.len() as u64).to_le_bytes());
    old.extend_from_slice(json);
    old.resize(60, 0);
    fs::write(bin(&dirs[0]), &old).unwrap();
    f.refused(
        &dirs,
        &["trials.bin", "format version 1"],
        "old 60-byte forgery",
    );

    // The same claim in this format: 2^40 trials, a few bytes of data. Refused by size, before
    // anything is allocated for it.
    let (h0, _) = open(&f.pristine[0]);
    for (trials, payload_len, words) in [
        (1u64 << 40, 0u64, "claims 0 bytes"),
        (1u64 << 40, 24, "claims 24 bytes"),
        (u64::MAX, 24, "overflow"),
    ] {
        let dirs = f.copy();
        let h = ShardHeader {
            trials,
            total_trials: trials,
            payload_len,
            payload_checksum: fnv1a64(&[0; 24][..payload_len as usize]),
            ..h0.clone()
        };
        let json = serde_json::to_vec(&h).unwrap();
        fs::write(
            bin(&dirs[0]),
            raw(2, &json, &[0; 24][..payload_len as usize]),
        )
        .unwrap();
        f.refused(&dirs, &["trials.bin", words], "forged trial count");
    }
    // A header whose payload length is right for its trials, over a short file.
    let dirs = f.copy();
    let (h, p) = open(&dirs[0]);
    let json = serde_json::to_vec(&h).unwrap();
    fs::write(bin(&dirs[0]), raw(2, &json, &p[..p.len() / 2])).unwrap();
    f.refused(&dirs, &["trials.bin", "found"], "short payload");

    // NaN or infinity written with a checksum to match: only the finiteness check sees it.
    let (h, _) = open(&f.pristine[1]);
    let (nm, np) = (h.metric_names.len(), h.param_paths.len());
    let trials = h.trials as usize;
    let series_at = 8 * trials * (nm + np);
    for (at, bytes, words) in [
        (8, f64::NAN.to_le_bytes().to_vec(), "metric"),
        (
            8 * (trials * nm - 1),
            f64::INFINITY.to_le_bytes().to_vec(),
            "metric",
        ),
        (
            8 * trials * nm,
            f64::NAN.to_le_bytes().to_vec(),
            "parameter",
        ),
        (
            series_at + 4 * 5,
            f32::NEG_INFINITY.to_le_bytes().to_vec(),
            "series",
        ),
    ] {
        let dirs = f.copy();
        forge(&dirs[1], |_, p| {
            p[at..at + bytes.len()].copy_from_slice(&bytes)
        });
        f.refused(&dirs, &["trials.bin", words, "finite"], "non-finite value");
    }
}

#[test]
fn shards_of_different_runs_are_refused() {
    let f = Fixture::new();

    // Versions: one shard of another release or engine; all shards of another release.
    let dirs = f.copy();
    forge(&dirs[2], |h, _| h.chokepoint_version = "0.0.1".into());
    f.refused(
        &dirs,
        &["chokepoint versions", "0.0.1"],
        "one shard's version",
    );
    let dirs = f.copy();
    forge(&dirs[2], |h, _| h.engine_version += 1);
    f.refused(&dirs, &["engine versions"], "one shard's engine");
    let dirs = f.copy();
    for d in &dirs {
        forge(d, |h, _| h.engine_version = 1);
    }
    f.refused(
        &dirs,
        &["engine 1", "this is chokepoint"],
        "every shard's engine",
    );

    // The scenario digest: a forged header, an edited input copy, a copy edited with its digest.
    let dirs = f.copy();
    forge(&dirs[1], |h, _| h.scenario_digest ^= 1);
    f.refused(&dirs, &["scenario digest", "altered"], "forged digest");
    let dirs = f.copy();
    let mut text = fs::read(dirs[1].join("scenario.toml")).unwrap();
    text.extend_from_slice(b"\n# edited\n");
    fs::write(dirs[1].join("scenario.toml"), &text).unwrap();
    f.refused(&dirs, &["scenario digest", "altered"], "edited copy");
    forge(&dirs[1], |h, _| {
        let world = fs::read(dirs[1].join("world.toml")).ok();
        h.scenario_digest = shard::scenario_digest(&text, world.as_deref());
    });
    f.refused(
        &dirs,
        &["different scenario or world files"],
        "edited copy and digest",
    );

    // Seed and total trials, edited in the header alone or with run.json.
    let dirs = f.copy();
    forge(&dirs[1], |h, _| h.seed += 1);
    f.refused(&dirs, &["disagree"], "header seed");
    edit_run_json(&dirs[1], "seed", (open(&dirs[1]).0.seed).into());
    f.refused(&dirs, &["seeds"], "seed");
    let dirs = f.copy();
    forge(&dirs[0], |h, _| h.total_trials = 13);
    edit_run_json(&dirs[0], "total_trials", 13.into());
    f.refused(&dirs, &["total trial counts"], "total trials");
    // Every shard claiming to be part of a run of 2^40 trials: too large to merge, said before
    // the merge allocates it.
    let dirs = f.copy();
    for d in &dirs {
        forge(d, |h, _| h.total_trials = 1 << 40);
        edit_run_json(d, "total_trials", (1u64 << 40).into());
    }
    f.refused(&dirs, &["1099511627776 trials", "GiB"], "huge run");

    // Names and horizon differing between shards (sizes kept consistent).
    let dirs = f.copy();
    forge(&dirs[1], |h, _| h.metric_names[0].push('x'));
    f.refused(&dirs, &["metric names", "position 1"], "one renamed metric");
    let dirs = f.copy();
    forge(&dirs[1], |h, _| h.param_paths.reverse());
    f.refused(&dirs, &["parameter paths"], "one shard's parameters");
    let dirs = f.copy();
    forge(&dirs[2], |h, _| h.series_names[0] = "output.XX.yy".into());
    f.refused(
        &dirs,
        &["series names", "output.XX.yy"],
        "one renamed series",
    );
    let dirs = f.copy();
    forge(&dirs[2], |h, _| {
        h.horizon /= 2;
        h.series_names = [h.series_names.clone(), h.series_names.clone()].concat();
    });
    f.refused(&dirs, &["horizons 12 and 6"], "one shard's horizon");
}

#[test]
fn incomplete_and_overlapping_sets_are_refused() {
    let f = Fixture::new();
    let dirs = f.copy();
    f.refused(
        &[dirs[0].clone(), dirs[2].clone()],
        &["trials 4..8 are missing"],
        "gap",
    );
    f.refused(&dirs[..2], &["trials 8..12 are missing"], "missing end");
    f.refused(
        &[
            dirs[0].clone(),
            dirs[1].clone(),
            dirs[1].clone(),
            dirs[2].clone(),
        ],
        &["given twice"],
        "repeated shard",
    );
    // Slices of two different shardings of the same run overlap.
    let half = f.tmp.path().join("half-2-of-2");
    run_shard(&half, "2/2");
    f.refused(
        &[dirs[0].clone(), dirs[1].clone(), half],
        &["given twice"],
        "overlap",
    );
}

/// An edit of a shard header.
type Rename = fn(&mut ShardHeader);

#[test]
fn headers_edited_in_every_shard_are_refused() {
    let f = Fixture::new();

    // Horizon 12 -> 6 in every header: the data no longer fits the header.
    let dirs = f.copy();
    for d in &dirs {
        forge(d, |h, _| h.horizon = 6);
    }
    f.refused(&dirs, &["trials.bin", "claims"], "horizon in every shard");

    // Horizon 12 -> 6 with twice the series, so every size fits: the scenario says otherwise.
    let dirs = f.copy();
    for d in &dirs {
        forge(d, |h, _| {
            h.horizon = 6;
            h.series_names = [h.series_names.clone(), h.series_names.clone()].concat();
        });
    }
    f.refused(
        &dirs,
        &["6 periods", "runs 12", "altered"],
        "horizon and series",
    );

    // A renamed metric, parameter or series in every shard.
    let renames: [(&str, Rename); 3] = [
        ("metric names", |h| {
            h.metric_names[1] = "world.value_gained".into()
        }),
        ("parameter paths", |h| h.param_paths.swap(0, 1)),
        ("series names", |h| {
            h.series_names.pop();
            h.series_names.insert(0, "output.XX.yy".into());
        }),
    ];
    for (what, rename) in renames {
        let dirs = f.copy();
        for d in &dirs {
            forge(d, |h, _| rename(h));
        }
        f.refused(&dirs, &[what, "gallium-ban.toml", "altered"], what);
    }
}
