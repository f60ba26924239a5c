//! The sandbox filter, generated from the system call table alone.
//!
//! Layout:
//!
//! ```text
//!   A = arch;  if (A != native) return KILL_PROCESS    (int 0x80 on x86_64)
//!   A = nr;    if (A & X32_BIT) return KILL_PROCESS    (x86_64 only)
//!   balanced tree of `if (A >= start)` over ranges of numbers with the
//!   same treatment, ending in the leaves:
//!     return ALLOW | return TRACE | return ERRNO(e) | argument rule
//! ```
//!
//! A range is a run of consecutive numbers with one treatment; unknown
//! numbers (gaps, above the table) are ENOSYS. Allowed calls depend on
//! nothing but the number and the architecture, so the kernel's
//! per-syscall action cache (Linux 5.11+) serves them without running
//! the filter at all.
//!
//! Argument rules compare integer arguments on their low 32 bits where
//! the kernel reads an `int` or keeps only the low half (clone's flags)
//! (a caller cannot sneak past with garbage in the upper half: the
//! kernel ignores it, and so do we), and on both halves where it reads
//! a pointer.

use heapless::Vec;

use super::table::{self, ArgRule, Class};
use crate::bpf::action;
use crate::bpf::builder::{BuildError, Builder, Label, NEXT};
use crate::bpf::data;
use crate::bpf::insn::Insn;
use crate::supervisor::Filter;
use crate::sys::{Errno, arch};

/// What a range of system call numbers ends in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaf {
    /// `return ALLOW`.
    Allow,
    /// `return TRACE`: the supervisor decides (ptrace).
    Trace,
    /// `return USER_NOTIF`: a worker decides and emulates the call.
    Notify,
    /// `return ERRNO(e)`.
    Errno(u16),
    /// An argument rule.
    Rule(ArgRule),
}

/// Where a call goes instead of its table class's default, if anywhere
/// else: a trapped call none of whose categories the policy checks is
/// allowed; the notify transport takes the calls it emulates (and
/// watches those that change credentials). Argument rules stay.
pub type Route = fn(u32) -> Option<Leaf>;

/// What an `open`/`openat` asks for, as its flags show it (the filter
/// reads them; `openat2` keeps its flags in memory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenKind {
    /// Read only, no `O_CREAT`, `O_TRUNC` or `O_TMPFILE`.
    Read,
    /// Write or read-write, no `O_CREAT`, `O_TRUNC` or `O_TMPFILE`.
    Write,
    /// `O_CREAT`, no `O_TRUNC` or `O_TMPFILE`.
    Create,
    /// `O_TRUNC` with write access, no `O_TMPFILE`.
    Truncate,
    /// `O_TRUNC` with read-only access, no `O_TMPFILE`.
    TruncateReadOnly,
    /// `O_TMPFILE`.
    Tmpfile,
}

/// Every open kind.
pub const OPEN_KINDS: [OpenKind; 6] = [
    OpenKind::Read,
    OpenKind::Write,
    OpenKind::Create,
    OpenKind::Truncate,
    OpenKind::TruncateReadOnly,
    OpenKind::Tmpfile,
];

/// The kind of an open with `flags` (not `O_PATH`).
pub fn open_kind(flags: u32) -> OpenKind {
    let read_only = flags & libc::O_ACCMODE as u32 == libc::O_RDONLY as u32;
    if flags & TMPFILE != 0 {
        OpenKind::Tmpfile
    } else if flags & libc::O_TRUNC as u32 != 0 {
        if read_only {
            OpenKind::TruncateReadOnly
        } else {
            OpenKind::Truncate
        }
    } else if flags & libc::O_CREAT as u32 != 0 {
        OpenKind::Create
    } else if read_only {
        OpenKind::Read
    } else {
        OpenKind::Write
    }
}

/// `O_TMPFILE`'s own bit (`O_TMPFILE` includes `O_DIRECTORY`).
const TMPFILE: u32 = (libc::O_TMPFILE & !libc::O_DIRECTORY) as u32;

/// Where an open of a kind goes instead of where its call goes, if
/// anywhere else (the open's call is routed; a kind may be let through
/// where the kernel decides all it needs).
pub type Split = fn(u32, OpenKind) -> Option<Leaf>;

/// No open split by its flags.
pub fn no_split(_nr: u32, _kind: OpenKind) -> Option<Leaf> {
    None
}

/// No call routed elsewhere: every trapped call to the tracer (the
/// default, and the tests' oracle).
pub fn all_traced(_nr: u32) -> Option<Leaf> {
    None
}

impl Leaf {
    fn of(class: Class, nr: u32, route: Route) -> Leaf {
        match class {
            Class::Args(rule) => Leaf::Rule(rule),
            _ => route(nr).unwrap_or(Leaf::default_of(class)),
        }
    }

    fn default_of(class: Class) -> Leaf {
        match class {
            Class::Allow => Leaf::Allow,
            Class::Trap => Leaf::Trace,
            Class::Deny(e) => Leaf::Errno(e.0 as u16),
            Class::Args(rule) => Leaf::Rule(rule),
        }
    }
}

/// `PTRACE_TRACEME` (the libc crate's type for it varies by target).
const PTRACE_TRACEME: u32 = 0;
/// Terminal input injection (the generic ioctl numbers of every
/// supported architecture).
const TIOCSTI: u32 = 0x5412;
/// The obsolete packet socket type of `AF_INET` (`libc` deprecates the
/// name; a sandbox may still ask for it).
const SOCK_PACKET: u32 = 10;
/// The console's multiplexed ioctl (selection paste: input injection).
const TIOCLINUX: u32 = 0x541c;
/// The clone flag that keeps the child away from the tracer.
const CLONE_UNTRACED: u32 = libc::CLONE_UNTRACED as u32;

/// Ranges at most: the table has far fewer distinct runs.
const MAX_RANGES: usize = 512;
/// Distinct leaves at most: the plain ones (allow, trace, notify, a few
/// errnos) and one per argument rule (a test checks the margin).
const MAX_LEAVES: usize = 32;
/// Labels the generator may need: one per tree node and leaf.
const LABELS: usize = MAX_RANGES + 32;

/// `(first number, leaf)` for consecutive runs covering 0..=u32::MAX.
pub fn ranges(route: Route) -> Vec<(u32, Leaf), MAX_RANGES> {
    let mut out: Vec<(u32, Leaf), MAX_RANGES> = Vec::new();
    let push = |start: u32, leaf: Leaf, out: &mut Vec<(u32, Leaf), MAX_RANGES>| {
        if out.last().is_none_or(|&(_, l)| l != leaf) {
            // The table is far below the capacity (checked by a test).
            let _ = out.push((start, leaf));
        }
    };
    for nr in 0..table::NATIVE_LIMIT as u32 {
        push(nr, Leaf::of(table::class_of(nr), nr, route), &mut out);
    }
    let enosys = Leaf::Errno(Errno::ENOSYS.0 as u16);
    push(table::NATIVE_LIMIT as u32, enosys, &mut out);
    // Architecture-private calls (32-bit ARM's), then ENOSYS up to the
    // top: old-ABI numbers (0x900000 up) included.
    for nr in table::private_range() {
        push(nr, Leaf::of(table::class_of(nr), nr, route), &mut out);
    }
    push(table::PRIVATE_LIMIT, enosys, &mut out);
    out
}

/// Leaf labels, created on first use.
struct Leaves {
    labels: Vec<(Leaf, Label), MAX_LEAVES>,
}

impl Leaves {
    fn get<const N: usize, const L: usize>(&mut self, b: &mut Builder<N, L>, leaf: Leaf) -> Label {
        if let Some(&(_, label)) = self.labels.iter().find(|(l, _)| *l == leaf) {
            return label;
        }
        let label = b.label(match leaf {
            Leaf::Allow => "allow",
            Leaf::Trace => "trace",
            Leaf::Notify => "notify",
            Leaf::Errno(_) => "errno",
            Leaf::Rule(ArgRule::Ioctl) => "ioctl",
            Leaf::Rule(ArgRule::Ptrace) => "ptrace",
            Leaf::Rule(ArgRule::Seccomp) => "seccomp",
            Leaf::Rule(ArgRule::Prctl) => "prctl",
            Leaf::Rule(ArgRule::SendTo) => "sendto",
            Leaf::Rule(ArgRule::Clone) => "clone",
            Leaf::Rule(ArgRule::Open) => "open",
            Leaf::Rule(ArgRule::Openat) => "openat",
            Leaf::Rule(ArgRule::Mmap) => "mmap",
            Leaf::Rule(ArgRule::Socket) => "socket",
            Leaf::Rule(ArgRule::Mprotect) => "mprotect",
            Leaf::Rule(ArgRule::StatAt) => "newfstatat",
            Leaf::Rule(ArgRule::Statx) => "statx",
        });
        // Far fewer than MAX_LEAVES exist (the_filter_is_compact).
        let _ = self.labels.push((leaf, label));
        label
    }
}

/// Builds the sandbox filter with every trapped call traced.
pub fn sandbox() -> Result<Filter, BuildError> {
    sandbox_routed(all_traced)
}

/// Builds the sandbox filter, sending each trapped call where `route`
/// says.
pub fn sandbox_routed(route: Route) -> Result<Filter, BuildError> {
    sandbox_split(route, no_split)
}

/// As [`sandbox_routed`], and each open where `split` says by its kind.
pub fn sandbox_split(route: Route, split: Split) -> Result<Filter, BuildError> {
    let mut b: Builder<{ crate::limits::BPF_INSNS }, LABELS> = Builder::new();
    let mut leaves = Leaves { labels: Vec::new() };
    let kill = b.label("kill");

    // Only the native calling convention: i386 (int 0x80) and any other
    // architecture is killed outright.
    b.emit(Insn::ld_abs(data::ARCH));
    b.jeq_k(arch::AUDIT_ARCH, NEXT, kill);
    b.emit(Insn::ld_abs(data::NR));
    if arch::HAS_X32 {
        b.jset_k(arch::X32_SYSCALL_BIT, kill, NEXT);
    }
    b.range_tree(&ranges(route), &mut |b, leaf| leaves.get(b, leaf));

    b.bind(kill);
    b.emit(Insn::ret_kill_process());
    // Argument rules first: they jump forward to the plain leaves,
    // which come last (cBPF cannot jump backward).
    let rules: Vec<(Leaf, Label), MAX_LEAVES> = leaves
        .labels
        .iter()
        .copied()
        .filter(|(l, _)| matches!(l, Leaf::Rule(_)))
        .collect();
    for (leaf, label) in rules {
        b.bind(label);
        if let Leaf::Rule(rule) = leaf {
            arg_rule(&mut b, &mut leaves, rule, route, split);
        }
    }
    let plain: Vec<(Leaf, Label), MAX_LEAVES> = leaves
        .labels
        .iter()
        .copied()
        .filter(|(l, _)| !matches!(l, Leaf::Rule(_)))
        .collect();
    for (leaf, label) in plain {
        b.bind(label);
        match leaf {
            Leaf::Allow => b.emit(Insn::ret_allow()),
            Leaf::Trace => b.emit(Insn::ret_trace(0)),
            Leaf::Notify => b.emit(Insn::ret_k(action::USER_NOTIF)),
            Leaf::Errno(e) => b.emit(Insn::ret_errno(e)),
            Leaf::Rule(_) => {}
        }
    }
    b.finish()
}

/// Emits the block of an argument rule (A holds the number; the block
/// loads what it needs).
fn arg_rule<const N: usize, const L: usize>(
    b: &mut Builder<N, L>,
    leaves: &mut Leaves,
    rule: ArgRule,
    route: Route,
    split: Split,
) {
    let allow = leaves.get(b, Leaf::Allow);
    let eperm = leaves.get(b, Leaf::Errno(Errno::EPERM.0 as u16));
    match rule {
        ArgRule::Ioctl => {
            // ioctl(fd, unsigned int request, ...): low half only.
            b.emit(Insn::ld_abs(data::arg_lo(1)));
            b.jeq_k(TIOCSTI, eperm, NEXT);
            b.jeq_k(TIOCLINUX, eperm, allow);
        }
        ArgRule::Ptrace => {
            // PTRACE_TRACEME "succeeds" (ERRNO(0) returns 0 without
            // running the call); everything else is refused.
            let success = leaves.get(b, Leaf::Errno(0));
            b.emit(Insn::ld_abs(data::arg_lo(0)));
            b.jeq_k(PTRACE_TRACEME, success, eperm);
        }
        ArgRule::Seccomp => {
            // seccomp(unsigned int op, ...): strict mode and the two
            // queries are harmless; filter stacking and unknown
            // operations are refused.
            b.emit(Insn::ld_abs(data::arg_lo(0)));
            b.jeq_k(libc::SECCOMP_SET_MODE_STRICT, allow, NEXT);
            b.jeq_k(libc::SECCOMP_GET_ACTION_AVAIL, allow, NEXT);
            b.jeq_k(libc::SECCOMP_GET_NOTIF_SIZES, allow, eperm);
        }
        ArgRule::Prctl => {
            // prctl(int option, ...): no seccomp through the side door.
            b.emit(Insn::ld_abs(data::arg_lo(0)));
            b.jeq_k(libc::PR_SET_SECCOMP as u32, eperm, allow);
        }
        ArgRule::SendTo => {
            // sendto(fd, buf, len, flags, dest_addr, addrlen): no
            // destination (a whole NULL pointer) needs no check.
            let trace = leaves.get(b, routed("sendto", route));
            b.emit(Insn::ld_abs(data::arg_lo(4)));
            b.jeq_k(0, NEXT, trace);
            b.emit(Insn::ld_abs(data::arg_hi(4)));
            b.jeq_k(0, allow, trace);
        }
        ArgRule::StatAt | ArgRule::Statx => {
            // (int dirfd, const char *path, ..., int flags at 3 or 2):
            // a descriptor, a NULL path and AT_EMPTY_PATH is an fstat.
            let (name, flags) = empty_stat_rule(rule);
            let routed = leaves.get(b, routed(name, route));
            b.emit(Insn::ld_abs(data::arg_lo(0)));
            b.jset_k(0x8000_0000, routed, NEXT);
            b.emit(Insn::ld_abs(data::arg_lo(1)));
            b.jeq_k(0, NEXT, routed);
            b.emit(Insn::ld_abs(data::arg_hi(1)));
            b.jeq_k(0, NEXT, routed);
            b.emit(Insn::ld_abs(data::arg_lo(flags)));
            b.jset_k(libc::AT_EMPTY_PATH as u32, allow, routed);
        }
        ArgRule::Clone => {
            // clone(unsigned long flags, ...), flags first on x86_64,
            // aarch64 and riscv64: the kernel reads their low half only.
            b.emit(Insn::ld_abs(data::arg_lo(0)));
            b.jset_k(CLONE_UNTRACED, eperm, allow);
        }
        ArgRule::Open | ArgRule::Openat => {
            // open(path, int flags, ...), openat(dirfd, path, int flags,
            // ...): an O_PATH open goes to the tracer (unless nothing
            // it could need is checked), the rest where routed.
            let (name, flags) = open_rule(rule);
            let leaf = routed(name, route);
            let routed = leaves.get(b, leaf);
            let trace = if leaf == Leaf::Allow {
                routed
            } else {
                leaves.get(b, Leaf::Trace)
            };
            let kind = |k: OpenKind| split_leaf(name, route, split, k);
            b.emit(Insn::ld_abs(data::arg_lo(flags)));
            if OPEN_KINDS.iter().all(|&k| kind(k) == leaf) {
                b.jset_k(libc::O_PATH as u32, trace, routed);
            } else {
                // O_PATH first, then the kinds in open_kind's order.
                let [read, write, create, trunc, trunc_ro, tmp] =
                    OPEN_KINDS.map(|k| leaves.get(b, kind(k)));
                let truncating = b.label("open-trunc");
                b.jset_k(libc::O_PATH as u32, trace, NEXT);
                b.jset_k(TMPFILE, tmp, NEXT);
                b.jset_k(libc::O_TRUNC as u32, truncating, NEXT);
                b.jset_k(libc::O_CREAT as u32, create, NEXT);
                b.emit(Insn::and_k(libc::O_ACCMODE as u32));
                b.jeq_k(libc::O_RDONLY as u32, read, write);
                b.bind(truncating);
                b.emit(Insn::and_k(libc::O_ACCMODE as u32));
                b.jeq_k(libc::O_RDONLY as u32, trunc_ro, trunc);
            }
        }
        ArgRule::Socket => {
            // socket(int domain, int type, int protocol): AF_PACKET, and
            // SOCK_RAW or SOCK_PACKET (the type's low 4 bits; the rest
            // are SOCK_NONBLOCK and SOCK_CLOEXEC) of AF_INET or AF_INET6,
            // are refused while anything on the network is checked.
            if routed("socket", route) == Leaf::Allow {
                b.ja(allow);
            } else {
                let inet = b.label("socket-inet");
                b.emit(Insn::ld_abs(data::arg_lo(0)));
                b.jeq_k(libc::AF_PACKET as u32, eperm, NEXT);
                b.jeq_k(libc::AF_INET as u32, inet, NEXT);
                b.jeq_k(libc::AF_INET6 as u32, inet, allow);
                b.bind(inet);
                b.emit(Insn::ld_abs(data::arg_lo(1)));
                b.emit(Insn::and_k(0xf));
                b.jeq_k(libc::SOCK_RAW as u32, eperm, NEXT);
                b.jeq_k(SOCK_PACKET, eperm, allow);
            }
        }
        ArgRule::Mmap => {
            // mmap(addr, len, prot, flags, fd, off): executable (prot's
            // low half) and backed by a file (flags' low half without
            // MAP_ANONYMOUS) is trapped.
            let trapped = leaves.get(b, routed("mmap", route));
            b.emit(Insn::ld_abs(data::arg_lo(2)));
            b.jset_k(libc::PROT_EXEC as u32, NEXT, allow);
            b.emit(Insn::ld_abs(data::arg_lo(3)));
            b.jset_k(libc::MAP_ANONYMOUS as u32, allow, trapped);
        }
        ArgRule::Mprotect => {
            // mprotect(addr, len, prot), pkey_mprotect(addr, len, prot,
            // pkey): making memory executable is trapped.
            let trapped = leaves.get(b, routed("mprotect", route));
            b.emit(Insn::ld_abs(data::arg_lo(2)));
            b.jset_k(libc::PROT_EXEC as u32, trapped, allow);
        }
    }
}

/// Where an open of `kind` of call `name` goes.
fn split_leaf(name: &str, route: Route, split: Split, kind: OpenKind) -> Leaf {
    let leaf = routed(name, route);
    if leaf == Leaf::Allow {
        return leaf;
    }
    table::by_name(name)
        .and_then(|s| s.nr)
        .and_then(|nr| split(nr, kind))
        .unwrap_or(leaf)
}

/// The call an fstat-by-NULL rule is for, and its flags argument.
fn empty_stat_rule(rule: ArgRule) -> (&'static str, usize) {
    match rule {
        ArgRule::Statx => ("statx", 2),
        _ => ("newfstatat", 3),
    }
}

/// The call an open rule is for, and its flags argument.
fn open_rule(rule: ArgRule) -> (&'static str, usize) {
    if rule == ArgRule::Open {
        ("open", 1)
    } else {
        ("openat", 2)
    }
}

/// The verdict the table expects for native number `nr` with these
/// integer arguments (the oracle the tests compare the filter with).
pub fn expected(nr: u32, args: &[u64; 6]) -> u32 {
    expected_routed(nr, args, all_traced)
}

/// Where a trapped call `name` goes, by `route` (the tracer unless the
/// route says otherwise).
fn routed(name: &str, route: Route) -> Leaf {
    table::native_as(name)
        .and_then(route)
        .unwrap_or(Leaf::Trace)
}

fn action_of(leaf: Leaf) -> u32 {
    match leaf {
        Leaf::Allow => action::ALLOW,
        Leaf::Notify => action::USER_NOTIF,
        Leaf::Errno(e) => action::errno(e),
        _ => action::TRACE,
    }
}

/// [`expected`] for a filter built by [`sandbox_routed`] with `route`.
pub fn expected_routed(nr: u32, args: &[u64; 6], route: Route) -> u32 {
    expected_split(nr, args, route, no_split)
}

/// [`expected`] for a filter built by [`sandbox_split`].
pub fn expected_split(nr: u32, args: &[u64; 6], route: Route, split: Split) -> u32 {
    if arch::HAS_X32 && nr & arch::X32_SYSCALL_BIT != 0 {
        return action::KILL_PROCESS;
    }
    let lo = |i: usize| args[i] as u32;
    match Leaf::of(table::class_of(nr), nr, route) {
        Leaf::Allow => action::ALLOW,
        Leaf::Trace => action::TRACE,
        Leaf::Notify => action::USER_NOTIF,
        Leaf::Errno(e) => action::errno(e),
        Leaf::Rule(ArgRule::Ioctl) => {
            if lo(1) == TIOCSTI || lo(1) == TIOCLINUX {
                action::errno(Errno::EPERM.0 as u16)
            } else {
                action::ALLOW
            }
        }
        Leaf::Rule(ArgRule::Ptrace) => action::errno(if lo(0) == PTRACE_TRACEME {
            0
        } else {
            Errno::EPERM.0 as u16
        }),
        Leaf::Rule(ArgRule::Seccomp) => match lo(0) {
            libc::SECCOMP_SET_MODE_STRICT
            | libc::SECCOMP_GET_ACTION_AVAIL
            | libc::SECCOMP_GET_NOTIF_SIZES => action::ALLOW,
            _ => action::errno(Errno::EPERM.0 as u16),
        },
        Leaf::Rule(ArgRule::Prctl) => {
            if lo(0) == libc::PR_SET_SECCOMP as u32 {
                action::errno(Errno::EPERM.0 as u16)
            } else {
                action::ALLOW
            }
        }
        Leaf::Rule(ArgRule::SendTo) => {
            if args[4] == 0 {
                action::ALLOW
            } else {
                action_of(routed("sendto", route))
            }
        }
        Leaf::Rule(rule @ (ArgRule::StatAt | ArgRule::Statx)) => {
            let (name, flags) = empty_stat_rule(rule);
            let fstat = lo(0) & 0x8000_0000 == 0
                && args[1] == 0
                && lo(flags) & libc::AT_EMPTY_PATH as u32 != 0;
            if fstat {
                action::ALLOW
            } else {
                action_of(routed(name, route))
            }
        }
        Leaf::Rule(rule @ (ArgRule::Open | ArgRule::Openat)) => {
            let (name, flags) = open_rule(rule);
            let leaf = routed(name, route);
            if leaf != Leaf::Allow && lo(flags) & libc::O_PATH as u32 != 0 {
                action::TRACE
            } else {
                action_of(split_leaf(name, route, split, open_kind(lo(flags))))
            }
        }
        Leaf::Rule(ArgRule::Socket) => {
            let inet = lo(0) == libc::AF_INET as u32 || lo(0) == libc::AF_INET6 as u32;
            let raw = matches!(lo(1) & 0xf, t if t == libc::SOCK_RAW as u32 || t == SOCK_PACKET);
            let refused = lo(0) == libc::AF_PACKET as u32 || (inet && raw);
            if refused && routed("socket", route) != Leaf::Allow {
                action::errno(Errno::EPERM.0 as u16)
            } else {
                action::ALLOW
            }
        }
        Leaf::Rule(ArgRule::Mmap) => {
            let exec = lo(2) & libc::PROT_EXEC as u32 != 0;
            let file = lo(3) & libc::MAP_ANONYMOUS as u32 == 0;
            if exec && file {
                action_of(routed("mmap", route))
            } else {
                action::ALLOW
            }
        }
        Leaf::Rule(ArgRule::Mprotect) => {
            if lo(2) & libc::PROT_EXEC as u32 != 0 {
                action_of(routed("mprotect", route))
            } else {
                action::ALLOW
            }
        }
        Leaf::Rule(ArgRule::Clone) => {
            if lo(0) & CLONE_UNTRACED != 0 {
                action::errno(Errno::EPERM.0 as u16)
            } else {
                action::ALLOW
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::data::SeccompData;
    use crate::bpf::interp;

    fn verdict(prog: &Filter, arch: u32, nr: u32, args: [u64; 6]) -> u32 {
        let verified = prog.verify().expect("the sandbox filter verifies");
        interp::run(
            &verified,
            &SeccompData {
                nr: nr as i32,
                arch,
                instruction_pointer: 0x1000,
                args,
            },
        )
    }

    /// A route like the notify transport's: emulated calls to the
    /// listener, credential calls too, one trapped call allowed.
    fn test_route(nr: u32) -> Option<Leaf> {
        match table::name(nr)? {
            "openat" | "sendto" | "setuid" => Some(Leaf::Notify),
            "mkdir" => Some(Leaf::Allow),
            _ => None,
        }
    }

    #[test]
    fn routed_calls_go_where_the_route_says() {
        let prog = sandbox_routed(test_route).unwrap();
        let max = table::NATIVE_LIMIT as u32 + 64;
        for nr in 0..=max {
            for args in [[0u64; 6], [u64::MAX; 6], [1, 2, 3, 4, 5, 6]] {
                assert_eq!(
                    verdict(&prog, arch::AUDIT_ARCH, nr, args),
                    expected_routed(nr, &args, test_route),
                    "nr {nr} args {args:?}"
                );
            }
        }
        let nr = |name: &str| table::by_name(name).and_then(|s| s.nr).unwrap();
        let at = |name: &str, args: [u64; 6]| verdict(&prog, arch::AUDIT_ARCH, nr(name), args);
        assert_eq!(at("openat", [0; 6]), action::USER_NOTIF);
        assert_eq!(at("setuid", [0; 6]), action::USER_NOTIF);
        if table::by_name("mkdir").and_then(|s| s.nr).is_some() {
            assert_eq!(at("mkdir", [0; 6]), action::ALLOW);
        }
        // Still traced: not routed.
        assert_eq!(at("unlinkat", [0; 6]), action::TRACE);
        // The argument rule stays: no destination runs, one is notified.
        assert_eq!(at("sendto", [3, 0, 1, 0, 0, 0]), action::ALLOW);
        assert_eq!(at("sendto", [3, 0, 1, 0, 0x1000, 16]), action::USER_NOTIF);
    }

    #[test]
    fn every_number_does_what_the_table_says() {
        let prog = sandbox().unwrap();
        let max = table::NATIVE_LIMIT as u32 + 64;
        for nr in 0..=max {
            for args in [[0u64; 6], [u64::MAX; 6], [1, 2, 3, 4, 5, 6]] {
                assert_eq!(
                    verdict(&prog, arch::AUDIT_ARCH, nr, args),
                    expected(nr, &args),
                    "nr {nr} args {args:?}"
                );
            }
        }
        // The private calls (32-bit ARM's) and past them, and the
        // old-ABI range of 32-bit ARM.
        let private = table::private_range();
        for nr in (private.start..private.end + 64).chain(0x90_0000..0x90_0000 + max) {
            assert_eq!(
                verdict(&prog, arch::AUDIT_ARCH, nr, [0; 6]),
                expected(nr, &[0; 6]),
                "nr {nr:#x}"
            );
        }
        if let Some(set_tls) = table::by_name("set_tls").and_then(|s| s.nr) {
            assert_eq!(
                verdict(&prog, arch::AUDIT_ARCH, set_tls, [0; 6]),
                action::ALLOW
            );
        }
        for nr in [0x90_0005u32, 0x9f_0005] {
            assert_eq!(
                verdict(&prog, arch::AUDIT_ARCH, nr, [0; 6]),
                action::errno(Errno::ENOSYS.0 as u16),
                "nr {nr:#x}"
            );
        }
        // Far above the table and the top of the range.
        for nr in [0x3fff_ffffu32, 0x7fff_ffff, 0xffff_ffff] {
            if arch::HAS_X32 && nr & arch::X32_SYSCALL_BIT != 0 {
                continue;
            }
            assert_eq!(
                verdict(&prog, arch::AUDIT_ARCH, nr, [0; 6]),
                action::errno(Errno::ENOSYS.0 as u16)
            );
        }
    }

    #[test]
    fn foreign_architectures_and_x32_are_killed() {
        let prog = sandbox().unwrap();
        for foreign in [
            arch::audit::I386,
            arch::audit::X86_64,
            arch::audit::AARCH64,
            arch::audit::RISCV64,
            arch::audit::ARM,
            0,
        ] {
            if foreign == arch::AUDIT_ARCH {
                continue;
            }
            for nr in [0, 2, 5, 59, 257] {
                assert_eq!(
                    verdict(&prog, foreign, nr, [0; 6]),
                    action::KILL_PROCESS,
                    "arch {foreign:#x} nr {nr}"
                );
            }
        }
        if arch::HAS_X32 {
            for nr in [0x4000_0000u32, 0x4000_0002, 0x4000_0101, 0xc000_0000] {
                assert_eq!(
                    verdict(&prog, arch::AUDIT_ARCH, nr, [0; 6]),
                    action::KILL_PROCESS,
                    "x32 nr {nr:#x}"
                );
            }
        }
    }

    #[test]
    fn argument_rules_ignore_the_upper_half_where_the_kernel_does() {
        let prog = sandbox().unwrap();
        let nr = |name: &str| table::by_name(name).unwrap().nr.unwrap();
        let garbage = 0xdead_beef_0000_0000u64;
        let eperm = action::errno(Errno::EPERM.0 as u16);
        // TIOCSTI with garbage in the upper half is still TIOCSTI.
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("ioctl"),
                [0, garbage | TIOCSTI as u64, 0, 0, 0, 0]
            ),
            eperm
        );
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("ioctl"),
                [0, TIOCLINUX as u64, 0, 0, 0, 0]
            ),
            eperm
        );
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("ioctl"),
                [0, 0x5401, 0, 0, 0, 0]
            ),
            action::ALLOW
        );
        // seccomp(SET_MODE_FILTER) with garbage upper bits is refused.
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("seccomp"),
                [garbage | 1, 0, 0, 0, 0, 0]
            ),
            eperm
        );
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("seccomp"), [2, 0, 0, 0, 0, 0]),
            action::ALLOW
        );
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("seccomp"), [99, 0, 0, 0, 0, 0]),
            eperm
        );
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("prctl"),
                [garbage | 22, 2, 0, 0, 0, 0]
            ),
            eperm
        );
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("prctl"), [15, 0, 0, 0, 0, 0]),
            action::ALLOW
        );
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("ptrace"), [0, 0, 0, 0, 0, 0]),
            action::errno(0)
        );
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("ptrace"), [16, 1, 0, 0, 0, 0]),
            eperm
        );
        // sendto: a pointer, both halves count.
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("sendto"), [3, 0, 0, 0, 0, 0]),
            action::ALLOW
        );
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("sendto"),
                [3, 0, 0, 0, 1 << 32, 16]
            ),
            action::TRACE
        );
        assert_eq!(
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                nr("sendto"),
                [3, 0, 0, 0, 0x7fff_0000, 16]
            ),
            action::TRACE
        );
    }

    /// The native number of `name`, or of the call checked as `name`
    /// (32-bit ARM's `fstatat64` for `newfstatat`, `mmap2` for `mmap`).
    fn native(name: &str) -> u32 {
        table::native_as(name).unwrap_or_else(|| panic!("no native {name}"))
    }

    #[test]
    fn an_fstat_by_null_path_is_allowed_in_the_filter() {
        let nr = native;
        let empty = libc::AT_EMPTY_PATH as u64;
        let cwd = libc::AT_FDCWD as i64 as u64;
        let prog = sandbox_routed(all_traced).unwrap();
        let at = |name: &str, args: [u64; 6]| {
            let v = verdict(&prog, arch::AUDIT_ARCH, nr(name), args);
            assert_eq!(
                v,
                expected_routed(nr(name), &args, all_traced),
                "{name} {args:?}"
            );
            v
        };
        // newfstatat(fd, path, buf, flags), statx(fd, path, flags, ...)
        assert_eq!(at("newfstatat", [3, 0, 0x1000, empty, 0, 0]), action::ALLOW);
        assert_eq!(at("statx", [3, 0, empty, 0x7ff, 0x1000, 0]), action::ALLOW);
        // A path (even ""), no AT_EMPTY_PATH, or AT_FDCWD: a lookup.
        assert_eq!(
            at("newfstatat", [3, 0x5000, 0x1000, empty, 0, 0]),
            action::TRACE
        );
        assert_eq!(
            at("newfstatat", [3, 1 << 32, 0x1000, empty, 0, 0]),
            action::TRACE
        );
        assert_eq!(at("newfstatat", [3, 0, 0x1000, 0, 0, 0]), action::TRACE);
        assert_eq!(
            at("newfstatat", [cwd, 0, 0x1000, empty, 0, 0]),
            action::TRACE
        );
        assert_eq!(
            at("statx", [cwd, 0, empty, 0x7ff, 0x1000, 0]),
            action::TRACE
        );
        assert_eq!(
            at("statx", [3, 0x5000, empty, 0x7ff, 0x1000, 0]),
            action::TRACE
        );
    }

    #[test]
    fn executable_file_mappings_and_o_path_opens_are_trapped() {
        let nr = native;
        let exec = libc::PROT_EXEC as u64;
        let read = libc::PROT_READ as u64;
        let anon = (libc::MAP_PRIVATE | libc::MAP_ANONYMOUS) as u64;
        let file = libc::MAP_PRIVATE as u64;
        let garbage = 0xdead_beef_0000_0000u64;
        for (route, trapped) in [
            (all_traced as Route, action::TRACE),
            (test_route as Route, action::TRACE),
        ] {
            let prog = sandbox_routed(route).unwrap();
            let at = |name: &str, args: [u64; 6]| {
                let v = verdict(&prog, arch::AUDIT_ARCH, nr(name), args);
                assert_eq!(
                    v,
                    expected_routed(nr(name), &args, route),
                    "{name} {args:?}"
                );
                v
            };
            // mmap(addr, len, prot, flags, fd, off)
            assert_eq!(at("mmap", [0, 4096, read | exec, file, 3, 0]), trapped);
            assert_eq!(at("mmap", [0, 4096, garbage | exec, file, 3, 0]), trapped);
            assert_eq!(
                at("mmap", [0, 4096, read | exec, anon, !0, 0]),
                action::ALLOW
            );
            assert_eq!(at("mmap", [0, 4096, read, file, 3, 0]), action::ALLOW);
            assert_eq!(at("mmap", [0, 4096, exec << 32, file, 3, 0]), action::ALLOW);
            // mprotect(addr, len, prot), pkey_mprotect(..., pkey)
            for name in ["mprotect", "pkey_mprotect"] {
                assert_eq!(at(name, [0x1000, 4096, read | exec, 0, 0, 0]), trapped);
                assert_eq!(at(name, [0x1000, 4096, read, 0, 0, 0]), action::ALLOW);
            }
            // An O_PATH open goes to the tracer, whatever the route.
            let o_path = libc::O_PATH as u64;
            assert_eq!(at("openat", [0, 0, o_path, 0, 0, 0]), action::TRACE);
            assert_eq!(
                at("openat", [0, 0, garbage | o_path, 0, 0, 0]),
                action::TRACE
            );
            assert_eq!(
                at("openat", [0, 0, o_path << 32, 0, 0, 0]),
                action_of(Leaf::of(Class::Trap, nr("openat"), route))
            );
            if table::by_name("open").and_then(|s| s.nr).is_some() {
                assert_eq!(at("open", [0, o_path, 0, 0, 0, 0]), action::TRACE);
            }
        }
        // The notify-like route sends plain opens to the listener.
        let prog = sandbox_routed(test_route).unwrap();
        let plain = verdict(&prog, arch::AUDIT_ARCH, nr("openat"), [0, 0, 0, 0, 0, 0]);
        assert_eq!(plain, action::USER_NOTIF);
        // Nothing checked: everything allowed, O_PATH too.
        let none = |_nr: u32| Some(Leaf::Allow);
        let prog = sandbox_routed(none).unwrap();
        let args = [0, 0, libc::O_PATH as u64, 0, 0, 0];
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("openat"), args),
            action::ALLOW
        );
        let args = [0, 4096, exec, file, 3, 0];
        assert_eq!(
            verdict(&prog, arch::AUDIT_ARCH, nr("mmap"), args),
            action::ALLOW
        );
    }

    #[test]
    fn opens_are_split_by_their_flags_where_asked() {
        let nr = |name: &str| table::by_name(name).and_then(|s| s.nr).unwrap();
        // Read-only and write-only-without-creation opens run free, the
        // other kinds go to the listener.
        fn split(_nr: u32, kind: OpenKind) -> Option<Leaf> {
            matches!(kind, OpenKind::Read | OpenKind::Write).then_some(Leaf::Allow)
        }
        let prog = sandbox_split(test_route, split).unwrap();
        let o = |f: i32| f as u64;
        let cases = [
            (o(libc::O_RDONLY), action::ALLOW),
            (
                o(libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC),
                action::ALLOW,
            ),
            (o(libc::O_WRONLY), action::ALLOW),
            (o(libc::O_RDWR | libc::O_APPEND), action::ALLOW),
            (o(libc::O_WRONLY | libc::O_CREAT), action::USER_NOTIF),
            (o(libc::O_RDONLY | libc::O_CREAT), action::USER_NOTIF),
            (o(libc::O_WRONLY | libc::O_TRUNC), action::USER_NOTIF),
            (o(libc::O_RDONLY | libc::O_TRUNC), action::USER_NOTIF),
            (o(libc::O_TMPFILE | libc::O_RDWR), action::USER_NOTIF),
            (o(libc::O_PATH), action::TRACE),
            // Upper halves are ignored, as the kernel does.
            (0xdead_beef_0000_0000 | o(libc::O_RDONLY), action::ALLOW),
            (o(libc::O_CREAT) << 32, action::ALLOW),
        ];
        for (flags, want) in cases {
            let args = [0, 0, flags, 0o644, 0, 0];
            let got = verdict(&prog, arch::AUDIT_ARCH, nr("openat"), args);
            assert_eq!(got, want, "openat flags {flags:#x}");
            assert_eq!(
                got,
                expected_split(nr("openat"), &args, test_route, split),
                "oracle, flags {flags:#x}"
            );
        }
        // Every flag bit alone and in pairs: the filter and its oracle
        // agree.
        for a in 0..32 {
            for b in a..32 {
                let args = [0, 0, (1u64 << a) | (1u64 << b), 0, 0, 0];
                assert_eq!(
                    verdict(&prog, arch::AUDIT_ARCH, nr("openat"), args),
                    expected_split(nr("openat"), &args, test_route, split),
                    "bits {a} {b}"
                );
            }
        }
    }

    #[test]
    fn untraced_clones_are_refused_on_the_low_half() {
        let prog = sandbox().unwrap();
        let clone = |flags: u64| {
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                table::by_name("clone").unwrap().nr.unwrap(),
                [flags, 0, 0, 0, 0, 0],
            )
        };
        let eperm = action::errno(Errno::EPERM.0 as u16);
        let untraced = CLONE_UNTRACED as u64;
        let sigchld = libc::SIGCHLD as u64;
        let garbage = 0xdead_beef_0000_0000u64;
        assert_eq!(clone(untraced | sigchld), eperm);
        assert_eq!(clone(untraced), eperm);
        assert_eq!(clone(garbage | untraced | sigchld), eperm);
        // The bit in the upper half only: the kernel drops that half,
        // so this is a plain fork, and so is garbage without the bit.
        assert_eq!(clone((untraced << 32) | sigchld), action::ALLOW);
        assert_eq!(clone(garbage | sigchld), action::ALLOW);
        assert_eq!(clone(!untraced), action::ALLOW);
        // fork, vfork and a libc's thread creation run unchecked.
        assert_eq!(clone(sigchld), action::ALLOW);
        let vfork = (libc::CLONE_VM | libc::CLONE_VFORK) as u64 | sigchld;
        assert_eq!(clone(vfork), action::ALLOW);
        let thread = (libc::CLONE_VM
            | libc::CLONE_FS
            | libc::CLONE_FILES
            | libc::CLONE_SIGHAND
            | libc::CLONE_THREAD
            | libc::CLONE_SYSVSEM
            | libc::CLONE_SETTLS
            | libc::CLONE_PARENT_SETTID
            | libc::CLONE_CHILD_CLEARTID) as u64;
        assert_eq!(clone(thread), action::ALLOW);
        // The oracle agrees, and a routed filter keeps the rule.
        for flags in [
            untraced,
            garbage | untraced,
            (untraced << 32) | sigchld,
            sigchld,
        ] {
            let nr = table::by_name("clone").unwrap().nr.unwrap();
            let args = [flags, 0, 0, 0, 0, 0];
            assert_eq!(clone(flags), expected(nr, &args), "{flags:#x}");
            let routed = sandbox_routed(test_route).unwrap();
            assert_eq!(
                verdict(&routed, arch::AUDIT_ARCH, nr, args),
                expected_routed(nr, &args, test_route),
                "{flags:#x}"
            );
        }
        // clone3 (flags in memory) and setns are refused outright.
        let at = |name: &str| {
            verdict(
                &prog,
                arch::AUDIT_ARCH,
                table::by_name(name).unwrap().nr.unwrap(),
                [0; 6],
            )
        };
        assert_eq!(at("clone3"), action::errno(Errno::ENOSYS.0 as u16));
        assert_eq!(at("setns"), eperm);
    }

    #[test]
    fn the_filter_is_compact() {
        let prog = sandbox().unwrap();
        let ranges = ranges(all_traced);
        assert!(ranges.len() < MAX_RANGES / 2, "{} ranges", ranges.len());
        // A balanced tree: one comparison per range, plus leaves and
        // the prologue; nowhere near the kernel's limit.
        assert!(
            prog.as_slice().len() < ranges.len() + 64,
            "{} instructions",
            prog.as_slice().len()
        );
        // Every leaf fits the generator's table, with room to spare.
        let mut leaves: Vec<Leaf, 64> = Vec::new();
        for (_, leaf) in ranges.iter() {
            if !leaves.contains(leaf) {
                leaves.push(*leaf).unwrap();
            }
        }
        assert!(leaves.len() + 4 < MAX_LEAVES, "{} leaves", leaves.len());
    }
}
