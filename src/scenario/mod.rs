//! TOML text -> raw serde structs -> validated `Scenario` (all errors at once, with spans).

pub mod types;

pub use types::*;
