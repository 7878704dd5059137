//! Studies built on many runs of one scenario: global sensitivity analysis on a sampling design
//! (`sensitivity.rs`). Like `backtest/`, this layer sits after `stats/` (it runs the model through
//! `run/` and hands the per-trial values to the estimators) and before `report/`, which formats
//! what it finds.

pub mod sensitivity;
