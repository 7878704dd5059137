//! chokepoint: Monte Carlo simulation of export-control disruptions in critical-mineral supply
//! chains. Data flows one way through the layers (see `ARCHITECTURE.md`):
//!
//! `sample` (keyed random streams) -> `scenario` (TOML -> validated `Scenario`) -> `model` (flat
//! compiled network) -> `engine` (one trial, pure) -> `run` (many trials on rayon) -> `stats` ->
//! `report` (JSON, CSV, charts, HTML) -> `cli`; `run` and `stats` also use each other (see
//! `ARCHITECTURE.md`).

pub mod backtest;
pub mod cli;
pub mod engine;
pub mod model;
pub mod report;
pub mod run;
pub mod sample;
pub mod scenario;
pub mod stats;
pub mod study;
