//! The one integration test binary (Cargo.toml sets `autotests = false`); each area adds its
//! module here, as `tests/<area>.rs` or `tests/<area>/mod.rs`.

mod backtest;
mod compare;
mod engine_alloc;
mod engine_baseline_skip;
mod engine_basis;
mod engine_closed_forms;
mod engine_determinism;
mod engine_invariants;
mod engine_library;
mod engine_names;
mod engine_rules;
mod engine_v2;
mod engine_world;
mod hardening;
mod overrides;
mod portfolio;
mod report;
mod run_outputs;
mod scenario;
mod sensitivity;
mod shard_integrity;
mod sweep;
mod validation;
