//! Scenario files: loading, validation, diagnostics, and the `check`/`explain` commands.

mod cli;
mod errors;
mod props;
mod set;
mod v2;
mod valid;
