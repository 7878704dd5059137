//! Distributions and keyed random streams: (seed, trial, parameter path) -> value; sampling
//! designs (Latin hypercube, Sobol' sequences, Saltelli and Morris) as an alternative source of
//! the same values.

pub mod design;
pub mod dist;
mod joe_kuo;
pub mod stream;

pub use design::Design;
pub use dist::Dist;
pub use stream::{path_key, stream};
