//! The panic path: report, make sure nothing runs unsupervised, exit.
//!
//! husk is built with `panic = "abort"`: a panic is a bug in husk, never
//! a way to recover. The first panicking thread prints the message to
//! stderr, runs the fatal hook the supervisor registered (it kills the
//! sandbox, so nothing keeps running without its supervisor) and ends
//! the whole process with status 101. A second panic, from another
//! thread or from inside the hook, skips straight to the exit.

use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::sys::process;

/// The exit status of a husk that panicked.
pub const EXIT_STATUS: i32 = 101;

static PANICKING: AtomicBool = AtomicBool::new(false);
static FATAL_HOOK: spin::Once<fn()> = spin::Once::new();

/// Registers the function run before husk exits on a panic (only the
/// first registration counts). The supervisor uses it to kill the
/// sandbox. The hook must only issue system calls: no locks, no
/// waiting, no panics.
pub fn set_fatal_hook(hook: fn()) {
    FATAL_HOOK.call_once(|| hook);
}

/// Runs the registered fatal hook, if any. Also used by fatal paths
/// other than panics; it must be safe to run more than once.
pub fn run_fatal_hook() {
    if let Some(hook) = FATAL_HOOK.get() {
        hook();
    }
}

/// Reports a panic and ends the process. Never returns.
pub fn report(info: &PanicInfo<'_>) -> ! {
    if PANICKING.swap(true, Ordering::AcqRel) {
        process::exit(EXIT_STATUS);
    }
    {
        let mut err = super::io::stderr();
        let _ = write!(err, "husk: internal error: {}", info.message());
        if let Some(loc) = info.location() {
            let _ = write!(err, " (at {}:{})", loc.file(), loc.line());
        }
        let _ = writeln!(err);
    }
    run_fatal_hook();
    process::exit(EXIT_STATUS)
}
