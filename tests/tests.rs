//! The one integration test binary; each area adds its module here (as a folder with a
//! `mod.rs`, so cargo does not also build it as a test binary of its own).

mod scenario;
