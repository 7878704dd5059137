//! Helpers for end-to-end tests of the `chokepoint` binary.

use std::path::{Path, PathBuf};

use assert_cmd::cargo::cargo_bin_cmd;

pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/run")
        .join(name)
}

pub fn chokepoint() -> assert_cmd::Command {
    cargo_bin_cmd!("chokepoint")
}
