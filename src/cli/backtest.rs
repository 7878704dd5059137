//! `chokepoint backtest [RECORD]`: run every episode of the observed record and print the
//! scorecard (`--out DIR` also writes scorecard.csv and scorecard.md).

use std::io::Write;
use std::path::PathBuf;

use super::{EXIT_INVALID, EXIT_OK, EXIT_OUTPUT};
use crate::backtest;
use crate::report::backtest as card;

#[derive(Debug, clap::Args)]
pub struct BacktestArgs {
    /// The observed record (default: scenarios/validation/record.toml).
    #[arg(default_value = "scenarios/validation/record.toml")]
    pub record: PathBuf,
    /// Trials per episode.
    #[arg(long, default_value_t = 1000, value_parser = clap::value_parser!(u64).range(20..=1_000_000))]
    pub trials: u64,
    /// Worker threads (default: all cores); never changes results.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..=1024))]
    pub threads: Option<u64>,
    /// Also write scorecard.csv and scorecard.md into this directory (created if missing).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn execute(a: &BacktestArgs) -> i32 {
    let rec = match backtest::record::load(&a.record) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let sc = match backtest::run(&rec, a.trials, a.threads.map(|t| t as usize)) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return EXIT_INVALID;
        }
    };
    let md = card::markdown(&sc);
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", md.trim_start());
    if let Some(dir) = &a.out {
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(dir)?;
            std::fs::write(dir.join("scorecard.csv"), card::csv(&sc))?;
            std::fs::write(dir.join("scorecard.md"), md.as_bytes())
        };
        if let Err(e) = write() {
            eprintln!("error: cannot write {}: {e}", dir.display());
            return EXIT_OUTPUT;
        }
    }
    EXIT_OK
}
