//! Ctrl-C, SIGTERM and SIGHUP (what `timeout`, schedulers and a closed terminal send) as a flag:
//! the first one asks the run to stop at its next progress report; the command then discards its
//! staged output and exits with 130. (The `ctrlc` crate's `termination` feature adds SIGTERM and
//! SIGHUP to SIGINT.)

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

static STOP: AtomicBool = AtomicBool::new(false);
static INSTALLED: OnceLock<bool> = OnceLock::new();

/// Installs the handler (once per process) and returns the flag it sets. Returns `None`
/// when no handler could be installed; Ctrl-C then ends the process as usual, which is still safe
/// because results only appear by a final rename.
pub fn stop_flag() -> Option<&'static AtomicBool> {
    let installed = *INSTALLED
        .get_or_init(|| ctrlc::set_handler(|| STOP.store(true, Ordering::SeqCst)).is_ok());
    installed.then_some(&STOP)
}
