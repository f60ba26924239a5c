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
    let facts = facts(nr);
    if facts & CHANGES_CREDS != 0 {
        return Some(filter::Leaf::Notify);
    }
    if facts & KERNEL_CALL != 0 {
        let needs = kernel_needs(table::checked_name_of(nr)?);
        if kernel::with(|plan| plan.decides(needs)) {
            return Some(filter::Leaf::Allow);
        }
    }
    match route_ptrace(nr) {
        None if facts & EMULATED != 0 => Some(filter::Leaf::Notify),
        other => other,
    }
}

/// A call that changes credentials ([`crate::remote::creds::CHANGING`]).
const CHANGES_CREDS: u8 = 1;
/// A call of [`kernel::KERNEL_CALLS`].
const KERNEL_CALL: u8 = 2;
/// A call the notify transport emulates ([`emulate::emulated`]).
const EMULATED: u8 = 4;

/// The routes' facts of a call, by its name.
const fn facts_of(own: &'static str) -> u8 {
    let name = table::checked_as(own);
    let mut facts = 0;
    if table::listed(crate::remote::creds::CHANGING, name) {
        facts |= CHANGES_CREDS;
    }
    if table::listed(kernel::KERNEL_CALLS, name) {
        facts |= KERNEL_CALL;
    }
    if emulate::emulated_name(own) {
        facts |= EMULATED;
    }
    facts
}

/// [`facts_of`] each native number below `table::NATIVE_LIMIT`, worked
/// out at compile time: the filter is built without comparing names.
static FACTS: [u8; table::NATIVE_LIMIT] = {
    let mut out = [0u8; table::NATIVE_LIMIT];
    let mut nr = 0;
    while nr < table::NATIVE_LIMIT {
        if let Some(own) = table::native_name(nr) {
            out[nr] = facts_of(own);
        }
        nr += 1;
    }
    out
};

/// Whether native call `nr` changes credentials
/// ([`crate::remote::creds::CHANGING`]).
pub fn changes_creds(nr: u32) -> bool {
    facts(nr) & CHANGES_CREDS != 0
}

/// The routes' facts of native call `nr`.
fn facts(nr: u32) -> u8 {
    match FACTS.get(nr as usize) {
        Some(&facts) => facts,
        // Private numbers (32-bit ARM's), by name.
        None => table::name(nr).map_or(0, facts_of),
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
) -> Result<crate::supervisor::Filter, crate::bpf::builder::BuildError> {
    configure(|p| kernel::compile(p, transport));
    match transport {
        crate::supervisor::Transport::Ptrace => filter::sandbox_routed(route_ptrace),
        crate::supervisor::Transport::Notify => filter::sandbox_split(route_notify, split_notify),
    }
}
