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
pub mod kernel;
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
/// the caller: see `remote::creds`). A call Landlock checks runs without
/// a stop where every category it may need is decided in the kernel.
fn route_notify(nr: u32) -> Option<filter::Leaf> {
    let name = table::checked_as(table::name(nr)?);
    if crate::remote::creds::CHANGING.contains(&name) {
        return Some(filter::Leaf::Notify);
    }
    if kernel::KERNEL_CALLS.contains(&name) {
        let needs = kernel_needs(name);
        if kernel::with(|plan| plan.decides(needs)) {
            return Some(filter::Leaf::Allow);
        }
    }
    match route_ptrace(nr) {
        None if emulate::emulated(nr) => Some(filter::Leaf::Notify),
        other => other,
    }
}

/// The categories a call of [`kernel::KERNEL_CALLS`] may need.
fn kernel_needs(name: &str) -> crate::policy::category::CatSet {
    use crate::policy::category::{CatSet, Category::*};
    match name {
        "creat" => CatSet::of(&[Read, Readdir, Write, Create, Truncate]),
        "mkdir" | "mkdirat" => CatSet::of(&[Mkdir]),
        "symlink" | "symlinkat" => CatSet::of(&[Symlink]),
        _ => CatSet::of(&[Truncate]),
    }
}

/// Opens of a kind whose every category is decided in the kernel run
/// without a stop (notify transport; read-only truncation and
/// `O_TMPFILE` stay with husk: Landlock asks other rights for them).
/// The categories of a kind are all it may need: `O_RDONLY` reads a
/// file or lists a directory, `O_RDWR` does both and writes.
fn split_notify(_nr: u32, kind: filter::OpenKind) -> Option<filter::Leaf> {
    use crate::policy::category::{CatSet, Category::*};
    use filter::OpenKind;
    let needs = match kind {
        OpenKind::Read => CatSet::of(&[Read, Readdir]),
        OpenKind::Write => CatSet::of(&[Read, Readdir, Write]),
        OpenKind::Create => CatSet::of(&[Read, Readdir, Write, Create]),
        OpenKind::Truncate => CatSet::of(&[Read, Readdir, Write, Create, Truncate]),
        OpenKind::TruncateReadOnly | OpenKind::Tmpfile => return None,
    };
    kernel::with(|plan| plan.decides(needs)).then_some(filter::Leaf::Allow)
}

/// The sandbox filter for the policy and transport (and the Landlock
/// plan it relies on: `kernel::compile`).
pub fn sandbox(
    transport: crate::supervisor::Transport,
) -> Result<crate::bpf::program::Program, crate::bpf::builder::BuildError> {
    configure(|p| kernel::compile(p, transport));
    match transport {
        crate::supervisor::Transport::Ptrace => filter::sandbox_routed(route_ptrace),
        crate::supervisor::Transport::Notify => filter::sandbox_split(route_notify, split_notify),
    }
}
