//! Many trials: fixed-size chunks on rayon, shards, progress callbacks, per-trial result arrays.

pub mod results;

pub use results::RunResults;
