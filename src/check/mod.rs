//! check: system calls as data (which are trapped, allowed or refused),
//! and the checker that decides trapped calls by the policy.
//!
//! (`deny`, not `forbid`, of unsafe code: the `locked!` policy static
//! carries a `link_section` attribute, which the lint counts as unsafe
//! and the macro alone allows.)
#![deny(unsafe_code)]

pub mod decide;
pub mod emulate;
pub mod filter;
pub mod learn;
pub mod log;
pub mod net;
pub mod table;

use crate::locked;
use crate::policy::rules::Policy;
use crate::supervisor::message::{Request, Verdict};

locked! {
    /// The policy in force: written while husk starts, read-only after.
    static POLICY: Policy = Policy::new();
}

/// Fills in the policy (before the region is sealed).
pub fn configure<R>(f: impl FnOnce(&mut Policy) -> R) -> R {
    POLICY.with_mut(f)
}

/// The policy in force (after sealing).
pub fn policy() -> &'static Policy {
    POLICY.get()
}

/// What the tracer may decide alone (see [`decide::fast`]).
pub fn fast(info: &crate::sys::ptrace::SyscallInfo) -> Option<Verdict> {
    decide::fast(policy(), info.nr as u32)
}

/// Per-worker scratch memory (paths being resolved), kept between
/// requests so none is zeroed per call. Zero-initialised: it lives in
/// .bss and costs memory only for the workers that run.
static SCRATCH: [spin::Mutex<decide::Scratch>; crate::limits::WORKERS] =
    [const { spin::Mutex::new(decide::Scratch::new()) }; crate::limits::WORKERS];

/// Decides a request by the policy in force: the workers' checker.
pub fn decide(request: &Request, worker: usize) -> Verdict {
    // Uncontended: each worker uses its own slot.
    let mut scratch = SCRATCH[worker % crate::limits::WORKERS].lock();
    decide::decide(policy(), request, &mut scratch)
}

/// Writes the log lines of worker `worker`'s last decision, once its
/// verdict is on its way.
pub fn decided(worker: usize) {
    SCRATCH[worker % crate::limits::WORKERS]
        .lock()
        .log
        .get_mut()
        .flush();
}

/// The same for notify worker `worker`, once the caller has its answer.
pub fn answered(worker: usize) {
    NOTIFY_SCRATCH[worker % crate::limits::WORKERS]
        .lock()
        .log
        .get_mut()
        .flush();
}

/// Writes every log line still held by the first `workers` workers of
/// each kind (those that ran): husk is about to exit, and a worker may
/// have answered its last caller without having written yet. (Looking
/// at the others too would make every one of their slots resident:
/// 2 x 64 pages faulted in for nothing at each exit.)
pub fn flush_logs(workers: usize) {
    let n = workers.min(crate::limits::WORKERS);
    for slot in SCRATCH[..n].iter().chain(NOTIFY_SCRATCH[..n].iter()) {
        slot.lock().log.get_mut().flush();
    }
}

/// The notify workers' scratch memory, one slot each.
static NOTIFY_SCRATCH: [spin::Mutex<decide::Scratch>; crate::limits::WORKERS] =
    [const { spin::Mutex::new(decide::Scratch::new()) }; crate::limits::WORKERS];

/// The notify transport's emulator (see [`emulate`]).
pub fn emulate(
    notif: &crate::sys::notify::Notif,
    listener: crate::sys::BorrowedFd<'_>,
    worker: usize,
) -> crate::supervisor::notify::Reply {
    // Uncontended: each worker uses its own slot.
    let mut scratch = NOTIFY_SCRATCH[worker % crate::limits::WORKERS].lock();
    emulate::emulate(policy(), notif, listener, &mut scratch)
}

/// A call none of whose categories is checked runs without stopping;
/// the others go to the tracer.
fn route_ptrace(nr: u32) -> Option<filter::Leaf> {
    // Built before the policy is sealed: read it as its owner.
    match configure(|p| decide::fast(p, nr)) {
        Some(Verdict::Allow) => Some(filter::Leaf::Allow),
        _ => None,
    }
}

/// As [`route_ptrace`], but the emulated calls go to the listener, and
/// so do the calls that change credentials (the emulator then acts as
/// the caller: see `remote::creds`).
fn route_notify(nr: u32) -> Option<filter::Leaf> {
    let name = table::name(nr)?;
    if crate::remote::creds::CHANGING.contains(&name) {
        return Some(filter::Leaf::Notify);
    }
    match route_ptrace(nr) {
        None if emulate::emulated(nr) => Some(filter::Leaf::Notify),
        other => other,
    }
}

/// The sandbox filter for the policy and transport.
pub fn sandbox(
    transport: crate::supervisor::Transport,
) -> Result<crate::bpf::program::Program, crate::bpf::builder::BuildError> {
    filter::sandbox_routed(match transport {
        crate::supervisor::Transport::Ptrace => route_ptrace,
        crate::supervisor::Transport::Notify => route_notify,
    })
}
