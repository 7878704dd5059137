//! `run --design lhs|sobol`: a design run differs from plain Monte Carlo but is byte-identical
//! across thread counts and shards; Latin hypercube strata are visible in `trials.csv`; merge
//! refuses shards of different designs; `--design mc` is the default, byte for byte.

use std::fs;
use std::path::{Path, PathBuf};

use super::bin::{chokepoint, data};

/// Every file of `dir` but `timing.json` (wall time), with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap() != "timing.json")
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&p).unwrap())
        })
        .collect();
    v.sort();
    v
}

fn run(out: &Path, trials: &str, extra: &[&str]) {
    chokepoint()
        .arg("run")
        .arg(data("gallium-ban.toml"))
        .args(["--trials", trials, "--trials-csv", "--no-charts", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

fn column(dir: &Path, name: &str) -> Vec<f64> {
    let body = fs::read_to_string(dir.join("trials.csv")).unwrap();
    let mut lines = body.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let i = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(i).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn design_runs_differ_from_mc_and_are_identical_across_threads_and_shards() {
    let tmp = tempfile::tempdir().unwrap();
    let mc = tmp.path().join("mc");
    run(&mc, "300", &[]);
    let mc_named = tmp.path().join("mc-named");
    run(&mc_named, "300", &["--design", "mc"]);
    assert_eq!(files(&mc), files(&mc_named), "--design mc is the default");
    assert!(
        !fs::read_to_string(mc.join("run.json"))
            .unwrap()
            .contains("design")
    );
    for design in ["lhs", "sobol"] {
        for stats in ["--exact", "--streaming"] {
            let d = |x: &str| tmp.path().join(format!("{design}{stats}-{x}"));
            let flags = ["--design", design, stats];
            run(&d("t1"), "300", &[&flags[..], &["--threads", "1"]].concat());
            run(&d("t2"), "300", &[&flags[..], &["--threads", "2"]].concat());
            assert_eq!(files(&d("t1")), files(&d("t2")), "{design} {stats}");
            let run_json = fs::read_to_string(d("t1").join("run.json")).unwrap();
            assert!(
                run_json.contains(&format!("\"design\": \"{design}\"")),
                "{run_json}"
            );
            assert_ne!(
                fs::read(d("t1").join("trials.csv")).unwrap(),
                fs::read(mc.join("trials.csv")).unwrap(),
                "{design} draws other values than plain Monte Carlo"
            );
            let shards: Vec<PathBuf> = (1..=3)
                .map(|i| {
                    let s = d(&format!("s{i}"));
                    let shard = format!("{i}/3");
                    run(&s, "300", &[&flags[..], &["--shard", &shard]].concat());
                    s
                })
                .collect();
            chokepoint()
                .arg("merge")
                .args(&shards)
                .args(["--trials-csv", "--no-charts", "--out"])
                .arg(d("merged"))
                .assert()
                .success();
            assert_eq!(
                files(&d("t1")),
                files(&d("merged")),
                "{design} {stats} shards"
            );
        }
    }
}

#[test]
fn latin_hypercube_strata_show_in_trials_csv() {
    let tmp = tempfile::tempdir().unwrap();
    let n = 200;
    for (design, strata_hit) in [("lhs", true), ("mc", false)] {
        let out = tmp.path().join(design);
        run(&out, &n.to_string(), &["--design", design]);
        // leakage ~ uniform(0, 0.01): stratum floor(n v / 0.01).
        let mut seen = vec![0u32; n];
        for v in column(&out, "shock.cn-gallium-ban.leakage") {
            seen[((v / 0.01) * n as f64).floor() as usize] += 1;
        }
        // Latin hypercube: one trial in each of the n strata. Plain Monte Carlo leaves about
        // n / e of them empty.
        assert_eq!(seen.iter().all(|&c| c == 1), strata_hit, "{design}");
    }
}

#[test]
fn merge_refuses_shards_of_different_designs() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run(&a, "100", &["--shard", "1/2", "--design", "lhs"]);
    run(&b, "100", &["--shard", "2/2"]);
    let out = chokepoint()
        .arg("merge")
        .args([&a, &b])
        .arg("--out")
        .arg(tmp.path().join("m"))
        .assert()
        .failure();
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.contains("different sampling designs (--design lhs and --design mc)"),
        "{err}"
    );
    assert!(!tmp.path().join("m").exists());
}

/// `compare --design`: both sides number the design's dimensions over the union of their
/// uncertain parameters, so every parameter the scenarios share draws the same values on both
/// (common random numbers), even where the policy's own parameters shift the positions.
#[test]
fn compare_designs_keep_common_random_numbers() {
    use chokepoint::model::Model;
    use chokepoint::run::{DesignKind, uncertain_paths, union_paths};
    // The test fixture, and the same with an uncertain reserve (every shipped scenario on the
    // 2025 world has over 256 uncertain parameters, beyond the Sobol' table).
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("worlds")).unwrap();
    fs::copy(
        data("worlds/tiny.toml"),
        tmp.path().join("worlds/tiny.toml"),
    )
    .unwrap();
    let text = fs::read_to_string(data("gallium-ban.toml")).unwrap();
    assert!(text.contains("initial = 1.0\n"));
    let with_reserve = text.replace("initial = 1.0\n", "initial = { uniform = [0.5, 1.5] }\n");
    fs::write(tmp.path().join("policy.toml"), with_reserve).unwrap();
    let load = |p: &Path| chokepoint::scenario::load(p).unwrap().scenario;
    let (base, policy) = (
        load(&data("gallium-ban.toml")),
        load(&tmp.path().join("policy.toml")),
    );
    let (b0, p0) = (Model::compile(&base), Model::compile(&policy));
    let paths = union_paths(&b0, &p0);
    let (bp, pp) = (uncertain_paths(&b0), uncertain_paths(&p0));
    let shared: Vec<&String> = bp.iter().filter(|p| pp.contains(p)).collect();
    assert!(
        shared.len() >= 5 && pp.len() == bp.len() + 1,
        "{bp:?} {pp:?}"
    );
    // Any numbering both sides share keeps common random numbers; the reversed union moves
    // every shared parameter away from its own position, as a policy's earlier parameters would.
    let mut reversed = paths.clone();
    reversed.reverse();
    for (design, paths) in [
        (DesignKind::Lhs, &paths),
        (DesignKind::Sobol, &paths),
        (DesignKind::Sobol, &reversed),
    ] {
        let (mut b, mut p) = (Model::compile(&base), Model::compile(&policy));
        design.apply_over(&mut b, 500, paths).unwrap();
        design.apply_over(&mut p, 500, paths).unwrap();
        let mut bv = vec![0.0; b.params.specs.len()];
        let mut pv = vec![0.0; p.params.specs.len()];
        for trial in [0u64, 1, 7, 123, 499] {
            b.params.draw(9, trial, &mut bv);
            p.params.draw(9, trial, &mut pv);
            for path in &shared {
                let at = |m: &Model| {
                    m.params
                        .specs
                        .iter()
                        .position(|s| &s.path == *path)
                        .unwrap()
                };
                assert_eq!(bv[at(&b)], pv[at(&p)], "{design:?} {path} trial {trial}");
            }
        }
    }
    // Dimensions matter: the base's Sobol' values in its own order and in the reversed one differ.
    let (mut own, mut rev) = (Model::compile(&base), Model::compile(&base));
    DesignKind::Sobol.apply(&mut own, 500).unwrap();
    DesignKind::Sobol
        .apply_over(&mut rev, 500, &reversed)
        .unwrap();
    let (mut a, mut r) = (
        vec![0.0; own.params.specs.len()],
        vec![0.0; rev.params.specs.len()],
    );
    own.params.draw(9, 3, &mut a);
    rev.params.draw(9, 3, &mut r);
    assert_ne!(a, r);
}

#[test]
fn compare_with_a_design_is_identical_across_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let cmp = |threads: &str| {
        let out = tmp.path().join(threads);
        chokepoint()
            .arg("compare")
            .arg(data("../compare/ban.toml"))
            .arg(data("../compare/ban-reserve.toml"))
            .args(["--trials", "200", "--no-charts", "--design", "sobol"])
            .args(["--threads", threads, "--out"])
            .arg(&out)
            .assert()
            .success();
        out
    };
    let (a, b) = (cmp("1"), cmp("2"));
    assert_eq!(files(&a), files(&b));
    let run_json = fs::read_to_string(a.join("run.json")).unwrap();
    assert!(run_json.contains("\"sobol\""), "{run_json}");
}

/// The embedded table (4096 dimensions) holds the flagship's 533 uncertain parameters, so a Sobol'
/// design runs on it; the refusal above the table is tested in `sample::design`.
#[test]
fn sobol_design_runs_on_the_flagship() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("r");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    chokepoint()
        .arg("run")
        .arg(root.join("scenarios/escalation-2026.toml"))
        .args([
            "--design",
            "sobol",
            "--trials",
            "64",
            "--no-charts",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let run_json = fs::read_to_string(out.join("run.json")).unwrap();
    assert!(run_json.contains("\"sobol\""), "{run_json}");
}
