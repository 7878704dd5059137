//! Bytes out: JSON, CSV, charts, HTML. The only layer that knows output formats. Exporters are
//! pure functions from a run's results (and the scenario's metadata) to text or bytes; the CLI
//! decides where they go.

pub mod backtest;
pub mod charts;
pub mod compare;
pub mod compare_html;
pub mod csv;
pub mod discover;
pub mod exceedance;
pub mod format;
pub mod html;
pub mod json;
pub mod page;
pub mod parquet;
pub mod portfolio;
pub mod portfolio_html;
pub mod sensitivity;
pub mod shard;
pub mod summaries;
pub mod sweep;
pub mod sweep_html;
pub mod table;
pub mod view;

pub use summaries::Summaries;
