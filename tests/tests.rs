//! The one integration test binary (Cargo.toml sets `autotests = false`); each area adds its
//! module here, as `tests/<area>.rs` or `tests/<area>/mod.rs`.

mod report;
mod scenario;
