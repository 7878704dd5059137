//! The trial loop allocates nothing: a counting global allocator (a cheap pass-through to the
//! system allocator for the whole test binary) counts this thread's allocations.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use chokepoint::engine::{TrialOut, Workspace, run_trial};
use chokepoint::model::Model;

use crate::engine_closed_forms::diversion_world_for_alloc;
use crate::engine_invariants::generated_world;

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn bump() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc(l) }
    }
    unsafe fn alloc_zeroed(&self, l: Layout) -> *mut u8 {
        bump();
        unsafe { System.alloc_zeroed(l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, n: usize) -> *mut u8 {
        bump();
        unsafe { System.realloc(p, l, n) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        unsafe { System.dealloc(p, l) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations() -> u64 {
    ALLOCS.with(|c| c.get())
}

pub fn allocations_in_trials(m: &Model) -> u64 {
    let mut ws = Workspace::new(m);
    let mut metrics = vec![0.0; m.n_metrics()];
    let mut params = vec![0.0; m.n_params()];
    let mut series = vec![0.0f32; m.n_series() * m.horizon];
    let before = allocations();
    for trial in 0..40 {
        run_trial(
            m,
            &mut ws,
            9,
            trial,
            TrialOut {
                metrics: &mut metrics,
                params: &mut params,
                series: &mut series,
            },
        );
    }
    allocations() - before
}

#[test]
fn the_counter_sees_allocations() {
    let before = allocations();
    let v: Vec<u64> = std::hint::black_box(vec![1, 2, 3]);
    assert!(allocations() > before);
    drop(v);
}

#[test]
fn trials_allocate_nothing() {
    for seed in [1u64, 2, 3, 4] {
        let m = Model::compile(&generated_world(seed));
        assert_eq!(allocations_in_trials(&m), 0, "generated world {seed}");
    }
    let m = Model::compile(&diversion_world_for_alloc());
    assert_eq!(allocations_in_trials(&m), 0, "diversion world");
}
