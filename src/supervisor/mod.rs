//! supervisor: starts the command and supervises it.
//!
//! The tracer (the main thread, [`tracer`]) owns every ptrace request
//! and hands trapped calls and exec events to a fixed pool of workers
//! ([`workers`]) through bounded queues ([`queue`], [`channels`]); the
//! workers decide and send verdicts back; the tracer applies them.
//!
//! Must not: allocate, drop a stop, or leave a tracee waiting for a
//! verdict that will not come.
#![forbid(unsafe_code)]

pub mod channels;
pub mod child;
pub mod message;
pub mod queue;
pub mod tasks;
pub mod tracer;
pub mod workers;

use core::sync::atomic::{AtomicI32, Ordering};

use crate::errln;
use crate::rt::lockdown;
use crate::sys::signal::{self, How, SigSet};
use crate::sys::{file, process};
use channels::CHANNELS;
use child::{Command, Confine};
use tracer::{Access, Tracer};
use workers::{Decide, Pool};

/// How to supervise.
#[derive(Clone, Copy)]
pub struct Config {
    /// Worker threads.
    pub workers: usize,
    /// `trace/exit_wait_all:1`: wait for every process, not only the eldest.
    pub wait_all: bool,
    /// Request-queue slots to use (at most the compiled capacity);
    /// smaller values exercise back-pressure in tests.
    pub request_limit: usize,
    /// How denials change registers; `None` picks the best the kernel has.
    pub access: Option<Access>,
    /// The checker.
    pub decide: Decide,
}

/// The eldest sandboxed process, for the fatal hook.
static ELDEST: AtomicI32 = AtomicI32::new(0);

/// Run by the panic path: nothing may go on running unsupervised.
/// (PTRACE_O_EXITKILL kills every tracee when husk exits anyway; this
/// makes the eldest go first, even before the exit.)
fn kill_sandbox() {
    let pid = ELDEST.load(Ordering::SeqCst);
    if pid > 0 {
        let _ = process::kill(pid, libc::SIGKILL);
    }
}

/// Runs `command` under supervision; returns husk's exit status.
pub fn run(command: &Command<'_>, config: &Config, confine: Confine<'_>) -> i32 {
    match supervise(command, config, confine) {
        Ok(status) => status,
        Err(e) => {
            errln!("husk: cannot start the sandbox: {e}");
            kill_sandbox();
            crate::cli::EXIT_CONFIG
        }
    }
}

fn supervise(
    command: &Command<'_>,
    config: &Config,
    confine: Confine<'_>,
) -> crate::sys::Result<i32> {
    // Nothing written at start-up may change once the command runs.
    lockdown::seal()?;

    // Signals husk reacts to are blocked (in every thread, which
    // inherit the mask) and read from a signalfd; no handler is ever
    // installed. SIGCHLD must not be ignored, or exits are not reported.
    signal::set_default(libc::SIGCHLD)?;
    let watched = SigSet::of(&[
        libc::SIGCHLD,
        libc::SIGHUP,
        libc::SIGINT,
        libc::SIGQUIT,
        libc::SIGTERM,
    ]);
    signal::set_mask(
        How::Block,
        SigSet(watched.0 | SigSet::of(&[libc::SIGPIPE]).0),
    )?;
    let signals = signal::signalfd(watched)?;
    CHANNELS.set_wake_fd(file::eventfd(0, libc::EFD_NONBLOCK)?);
    CHANNELS.requests.set_limit(config.request_limit);

    let eldest = child::start(command, confine)?;
    ELDEST.store(eldest, Ordering::SeqCst);
    crate::rt::panic::set_fatal_hook(kill_sandbox);
    // Now that the child is seized: no same-user process may ptrace,
    // or read the memory of, husk itself.
    process::set_dumpable(false)?;

    let pool = Pool::start(config.workers, config.decide)?;
    let mut tracer = Tracer::new(
        eldest,
        config.wait_all,
        config.access.unwrap_or(Access::SyscallInfo),
        signals,
    )?;
    let status = tracer.run();
    pool.stop();
    Ok(status)
}
