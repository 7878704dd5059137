//! Distributions and keyed random streams: (seed, trial, parameter path) -> value.

pub mod dist;
pub mod stream;

pub use dist::Dist;
pub use stream::{path_key, stream};
