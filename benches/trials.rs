//! A plain timing loop for profilers and instruction counters (no criterion): runs `TRIALS`
//! trials of `SCENARIO` on one thread through `engine::run_trial` and prints the time per trial
//! and a hash of every metric and series value (so two builds can be checked to compute the same thing).
//!
//! ```text
//! cargo bench --bench trials -- [SCENARIO] [TRIALS] [SEED]
//! valgrind --tool=callgrind --toggle-collect='*run_trial*' \
//!     target/release/deps/trials-<hash> scenarios/g7-derisking-2026.toml 20
//! ```
//!
//! `SCENARIO` is a scenario file or `gen:NxM`, the generated world of N regions and M commodities
//! (`benches/common`). Defaults: `scenarios/g7-derisking-2026.toml`, 200 trials, seed 1. See `benches/README.md`.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use chokepoint::engine::{TrialOut, Workspace, run_trial};
use chokepoint::model::Model;

#[allow(dead_code)]
mod common;

fn main() {
    // `cargo bench` passes `--bench`; skip flags.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let path = args.first().map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("scenarios")
                .join("g7-derisking-2026.toml")
        },
        PathBuf::from,
    );
    let trials: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(200);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    // `gen:NxM`: the generated world of N regions and M commodities (`common::sized_world`).
    let generated = path
        .to_str()
        .and_then(|s| s.strip_prefix("gen:"))
        .and_then(|s| s.split_once('x'))
        .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
    let sc = match generated {
        Some((nr, nc)) => common::sized_world(nr, nc),
        None => match chokepoint::scenario::load(&path) {
            Ok(l) => l.scenario,
            Err(e) => {
                eprintln!("{}", e.render(false));
                std::process::exit(2);
            }
        },
    };
    let m = Model::compile(&sc);
    let mut ws = Workspace::new(&m);
    // `TRIALS_NO_SKIP=1`: compute every baseline period (`Workspace::baseline_skip`), to check
    // that the shortcut changes nothing and to measure what it saves.
    ws.baseline_skip = std::env::var_os("TRIALS_NO_SKIP").is_none();
    let mut skipped = 0;
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    // `TRIALS_DUMP=FILE`: also write every metric and series value as little-endian f64, trial
    // after trial, so two builds' outputs can be compared value by value (how far, not only whether).
    let mut dump = std::env::var_os("TRIALS_DUMP").map(|p| {
        std::io::BufWriter::new(std::fs::File::create(p).expect("TRIALS_DUMP: cannot create"))
    });
    // FNV-1a over the bits of every metric and series value: equal iff outputs are identical.
    let mut hash = 0xcbf2_9ce4_8422_2325u64;
    let t0 = Instant::now();
    for trial in 0..trials {
        run_trial(
            &m,
            &mut ws,
            seed,
            trial,
            TrialOut {
                metrics: &mut metrics,
                params: &mut params,
                series: &mut series,
            },
        );
        skipped += ws.baseline_skipped;
        let bits = black_box(&metrics)
            .iter()
            .map(|v| v.to_bits())
            .chain(series.iter().map(|v| u64::from(v.to_bits())));
        for b in bits {
            hash = (hash ^ b).wrapping_mul(0x100_0000_01b3);
        }
        if let Some(w) = dump.as_mut() {
            use std::io::Write;
            let values = metrics
                .iter()
                .copied()
                .chain(series.iter().map(|&v| f64::from(v)));
            for v in values {
                w.write_all(&v.to_le_bytes())
                    .expect("TRIALS_DUMP: write failed");
            }
        }
    }
    let dt = t0.elapsed().as_secs_f64();
    let per = dt / trials.max(1) as f64;
    println!(
        "{}: {trials} trials, {:.1} us/trial, {:.0} trials/s, {:.0} ns/trial-period, outputs hash {hash:016x}",
        path.display(),
        per * 1e6,
        1.0 / per,
        per * 1e9 / m.horizon.max(1) as f64,
    );
    eprintln!(
        "baseline periods copied, not computed: {skipped} of {}",
        trials * m.horizon as u64
    );
}
