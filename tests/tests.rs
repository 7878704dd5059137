//! The one integration test binary: each area adds its modules here.

mod engine_alloc;
mod engine_closed_forms;
mod engine_determinism;
mod engine_invariants;
mod engine_world;
