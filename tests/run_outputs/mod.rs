//! `chokepoint run` and its result files (report exporters, result directories, the CLI).

mod bin;
mod cli;
mod cli_errors;
mod design;
mod exports;
mod flow;
mod parquet;
mod precision;
mod shards;
mod streamed;
mod synthetic;
mod types;
