//! `--threads` bounds the whole command, statistics included, not only the trial loop. A test
//! binary of its own: rayon's global pool is set once per process, so no other test may share it.

#[test]
fn threads_bound_the_statistics_pool_too() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/rare-earths-2025.toml"
    );
    let out = dir.path().join("r");
    let code = chokepoint::cli::main_from([
        "chokepoint",
        "run",
        scenario,
        "--trials",
        "20",
        "--threads",
        "1",
        "--no-charts",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(code, 0);
    assert!(out.join("summary.json").is_file());
    // The statistics after the trial loop run on the global pool: one worker, as asked (before
    // this, one per core whatever `--threads` said).
    assert_eq!(rayon::current_num_threads(), 1);
}
