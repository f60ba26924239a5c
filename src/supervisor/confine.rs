//! Self-confinement: the filters husk's own threads install before
//! they start work.
//!
//! Each role (tracer, worker, notifier) gets an allowlist: kill the
//! process by default, native architecture only, and every allowed call
//! narrowed by its arguments where they matter:
//!
//! - which descriptors may be read or written (the signalfd, the
//!   wake-up eventfd, stderr),
//! - which signals may be sent (SIGKILL, and for the tracer the signals
//!   it forwards),
//! - which ptrace requests and futex operations may be used,
//! - memory mapped read-write only and made inaccessible only (a
//!   thread's stack and its guard page), threads started only with
//!   husk's own flags (they inherit the filter: the first worker of a
//!   pool starts the others, a notifier its blocking-call helpers).
//!
//! No list has execve, rt_sigaction or executable memory, and the
//! tracer's has no open, mmap or clone: a hijacked husk thread can
//! neither make memory executable, nor install a signal handler, nor
//! run a program. A violation kills husk, and with it
//! (PTRACE_O_EXITKILL) the sandbox: the failure is closed.
//!
//! Integer arguments the kernel reads as `int` are compared on their
//! low 32 bits; `long` arguments (the ptrace request) on both halves.
#![forbid(unsafe_code)]

use crate::bpf::builder::{BuildError, Builder, Label, NEXT};
use crate::bpf::data;
use crate::bpf::insn::Insn;
use crate::supervisor::Filter;
use crate::sys::{arch, nr};

/// Which thread a filter is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The main thread: ptrace, wait, poll.
    Tracer,
    /// A worker: queues, and (with the policy) reading the tracee.
    Worker,
    /// A notify worker: the seccomp listener, and performing the
    /// sandbox's checked calls on its behalf.
    Notifier,
}

impl Role {
    /// The role's name, for `-E pfc`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Tracer => "tracer",
            Role::Worker => "worker",
            Role::Notifier => "notifier",
        }
    }
}

/// The descriptors a role's filter names.
#[derive(Clone, Copy, Debug)]
pub struct Fds {
    /// The tracer's signalfd.
    pub signals: i32,
    /// The tracer's wake-up eventfd.
    pub wake: i32,
    /// Where log lines go (stderr unless `HUSK_LOG_FD` says otherwise).
    pub log: i32,
    /// The learned policy's file (`-o`), written by the tracer at the
    /// end; -1 if none.
    pub learn: i32,
}

/// How one allowed call is narrowed.
#[derive(Clone, Copy)]
enum Check {
    /// Any arguments.
    Any,
    /// Argument `i` (low 32 bits) is one of these.
    Low(usize, &'static [u32]),
    /// Argument `i` (low 32 bits) is one of the role's descriptors.
    Fds(usize, FdSet),
    /// Argument `i` (all 64 bits) is one of these.
    Full(usize, &'static [u32]),
}

#[derive(Clone, Copy)]
enum FdSet {
    /// What the tracer reads: the signalfd and the eventfd.
    TracerReads,
    /// Where log lines and errors go.
    Log,
    /// Log plus the eventfd (a worker waking the tracer).
    LogAndWake,
}

const FUTEX_OPS: &[u32] = &[
    libc::FUTEX_WAIT as u32,
    libc::FUTEX_WAKE as u32,
    (libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG) as u32,
    (libc::FUTEX_WAKE | libc::FUTEX_PRIVATE_FLAG) as u32,
];

/// What the tracer sends: SIGKILL, the signals it passes on, and at the
/// end the one the command died of, to itself: any signal whose default
/// action ends a process (not SIGCHLD, SIGCONT, SIGURG, SIGWINCH or the
/// stop signals).
const TRACER_SIGNALS: &[u32] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 24, 25, 26, 27, 29, 30, 31,
];

/// The one resource limit the tracer sets: no core dump as it dies of
/// the command's signal.
#[allow(clippy::unnecessary_cast)] // a c_int on some targets
const CORE_LIMIT: &[u32] = &[libc::RLIMIT_CORE as u32];

const KILL_ONLY: &[u32] = &[libc::SIGKILL as u32];

const PTRACE_REQUESTS: &[u32] = &[
    libc::PTRACE_CONT,
    libc::PTRACE_SYSCALL,
    libc::PTRACE_LISTEN,
    libc::PTRACE_GETEVENTMSG,
    libc::PTRACE_GETREGSET,
    libc::PTRACE_SETREGSET,
    crate::sys::ptrace::GET_SYSCALL_INFO,
    crate::sys::ptrace::SET_SYSCALL_INFO,
    #[cfg(target_arch = "arm")]
    crate::sys::ptrace::SET_SYSCALL,
];

/// The tracer's calls, hottest first (the list is scanned in order).
const TRACER: &[(usize, Check)] = &[
    (nr::WAIT4, Check::Any),
    (nr::PTRACE, Check::Full(0, PTRACE_REQUESTS)),
    (nr::PPOLL, Check::Any),
    (nr::READ, Check::Fds(0, FdSet::TracerReads)),
    (nr::FUTEX, Check::Low(1, FUTEX_OPS)),
    (nr::KILL, Check::Low(1, TRACER_SIGNALS)),
    (nr::WRITE, Check::Fds(0, FdSet::Log)),
    // Passing a signal on to the command's process group.
    (nr::GETPGID, Check::Any),
    (nr::GETPID, Check::Any),
    // Dying of the command's signal: its default action, unblocked,
    // without a core dump.
    (nr::RT_SIGACTION, Check::Any),
    (nr::RT_SIGPROCMASK, Check::Any),
    (nr::PRLIMIT64, Check::Low(1, CORE_LIMIT)),
    // Joining the workers at the end unmaps their stacks.
    (nr::MUNMAP, Check::Any),
    (nr::CLOSE, Check::Any),
    (nr::EXIT, Check::Any),
    (nr::EXIT_GROUP, Check::Any),
    // The kernel's own resumption of a sleep that a stop (SIGSTOP and
    // SIGCONT of husk, job control) interrupted.
    (nr::RESTART_SYSCALL, Check::Any),
];

/// `openat` as husk's own code calls it: read-only, close-on-exec; or
/// `O_PATH` (pinning an object to identify it: `remote::object`), which
/// reads and writes nothing.
const OPEN_READ_ONLY: &[u32] = &[
    (libc::O_RDONLY | libc::O_CLOEXEC) as u32,
    // A `#!` line, read without waiting (see Resolved::read_head).
    (libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY | libc::O_CLOEXEC) as u32,
    (libc::O_PATH | libc::O_CLOEXEC) as u32,
    (libc::O_PATH | libc::O_NOFOLLOW | libc::O_CLOEXEC) as u32,
];

/// `kcmp` of two descriptors' files, and nothing else.
const KCMP_FILE: &[u32] = &[0];

/// The workers' calls: the queues, and reading the tracee (its memory,
/// its /proc entries, the file system as it sees it: stat, readlink,
/// read-only opens, directory listings), never writing anything but log
/// lines and a filtered listing into the caller's own buffer.
const WORKER: &[(usize, Check)] = &[
    (nr::FUTEX, Check::Low(1, FUTEX_OPS)),
    (nr::PROCESS_VM_READV, Check::Any),
    (nr::NEWFSTATAT, Check::Any),
    (nr::READLINKAT, Check::Any),
    (nr::OPENAT, Check::Low(2, OPEN_READ_ONLY)),
    (nr::READ, Check::Any),
    (nr::PREAD64, Check::Any),
    (nr::CLOSE, Check::Any),
    // Naming husk's own descriptors (/proc/PID/fd/N) of pinned objects.
    (nr::GETPID, Check::Any),
    // Placing a directory: entering it (the thread's own working
    // directory), asking where it is, and back to `/`.
    (nr::FCHDIR, Check::Any),
    (nr::GETCWD, Check::Any),
    (nr::CHDIR, Check::Any),
    // Pinning a tracee's descriptor: a copy of it (husk is its tracer),
    // before 6.9 from its process, compared with the thread's own.
    (nr::PIDFD_OPEN, Check::Any),
    (nr::PIDFD_GETFD, Check::Any),
    (nr::KCMP, Check::Low(2, KCMP_FILE)),
    // Whether a socket about to listen is bound yet.
    (nr::GETSOCKNAME, Check::Any),
    // A listing with hidden entries: read from a copy of the caller's
    // descriptor, written into the caller's buffer.
    (nr::GETDENTS64, Check::Any),
    (nr::GETDENTS_OLD, Check::Any),
    (nr::PROCESS_VM_WRITEV, Check::Any),
    (nr::WRITE, Check::Fds(0, FdSet::LogAndWake)),
    (nr::KILL, Check::Low(1, KILL_ONLY)),
    (nr::NANOSLEEP, Check::Any),
    (nr::CLOCK_NANOSLEEP, Check::Any),
    (nr::EXIT, Check::Any),
    (nr::EXIT_GROUP, Check::Any),
    // The kernel's own resumption of a sleep that a stop (SIGSTOP and
    // SIGCONT of husk, job control) interrupted.
    (nr::RESTART_SYSCALL, Check::Any),
    // The first worker starts the others (which inherit this filter):
    // a thread exactly as husk starts one, on a read-write stack with
    // an inaccessible guard page, named, with a working directory of
    // its own.
    (nr::MMAP, Check::Low(2, PROT_STACK)),
    (nr::MPROTECT, Check::Low(2, PROT_GUARD)),
    (nr::CLONE, Check::Full(0, CLONE_THREAD)),
    (nr::UNSHARE, Check::Full(0, UNSHARE_FS)),
    (nr::PRCTL, Check::Low(0, PRCTL_NAME)),
];

/// The listener's requests (the ioctl numbers are those of seccomp's
/// own `'!'` type: on another descriptor they mean nothing).
#[allow(clippy::unnecessary_cast)] // a c_ulong on 64-bit targets
const NOTIF_IOCTLS: &[u32] = &[
    libc::SECCOMP_IOCTL_NOTIF_RECV as u32,
    libc::SECCOMP_IOCTL_NOTIF_SEND as u32,
    libc::SECCOMP_IOCTL_NOTIF_ID_VALID as u32,
    libc::SECCOMP_IOCTL_NOTIF_ADDFD as u32,
];

/// The notify workers' calls: what a worker reads, plus the listener,
/// writing results into a caller's memory, copying a caller's
/// descriptors, and the calls they perform for the sandbox (each
/// checked by the policy first), and starting blocking-call helpers
/// (read-write stacks only). Still no executable memory, execve,
/// socket or signal handlers.
/// Memory a worker may map: for a thread's stack, read and write only,
/// never executable.
const PROT_STACK: &[u32] = &[(libc::PROT_READ | libc::PROT_WRITE) as u32];
/// ... and the guard page it then makes inaccessible.
const PROT_GUARD: &[u32] = &[libc::PROT_NONE as u32];
/// A thread, exactly as husk starts one.
const CLONE_THREAD: &[u32] = &[crate::rt::thread::CLONE_FLAGS as u32];
/// A working directory of its own (a worker started by another, already
/// confined: `supervisor::own_fs`).
const UNSHARE_FS: &[u32] = &[libc::CLONE_FS as u32];
/// Naming a thread.
const PRCTL_NAME: &[u32] = &[libc::PR_SET_NAME as u32];
/// Interrupting a blocking-call helper.
/// (and the SIGPIPE a caller's performed send earned it).
const INTERRUPT: &[u32] = &[super::blocking::SIGNAL as u32, libc::SIGPIPE as u32];

const NOTIFIER: &[(usize, Check)] = &[
    (nr::IOCTL, Check::Low(1, NOTIF_IOCTLS)),
    (nr::PROCESS_VM_READV, Check::Any),
    (nr::NEWFSTATAT, Check::Any),
    (nr::READLINKAT, Check::Any),
    (nr::OPENAT, Check::Low(2, OPEN_READ_ONLY)),
    (nr::OPENAT2, Check::Any),
    (nr::READ, Check::Any),
    (nr::PREAD64, Check::Any),
    (nr::CLOSE, Check::Any),
    (nr::FCHDIR, Check::Any),
    (nr::GETCWD, Check::Any),
    (nr::CHDIR, Check::Any),
    (nr::PROCESS_VM_WRITEV, Check::Any),
    (nr::GETDENTS64, Check::Any),
    (nr::GETDENTS_OLD, Check::Any),
    (nr::STATX, Check::Any),
    (nr::FSTATFS, Check::Any),
    (nr::FACCESSAT2, Check::Any),
    (nr::PIDFD_OPEN, Check::Any),
    (nr::PIDFD_GETFD, Check::Any),
    (nr::KCMP, Check::Low(2, KCMP_FILE)),
    (nr::CONNECT, Check::Any),
    // A bound socket file gets the caller's umask (the thread's own).
    (nr::UMASK, Check::Any),
    (nr::LISTEN, Check::Any),
    (nr::GETSOCKNAME, Check::Any),
    (nr::SENDTO, Check::Any),
    (nr::SENDMSG, Check::Any),
    (nr::INOTIFY_ADD_WATCH, Check::Any),
    (nr::FILE_GETATTR, Check::Any),
    (nr::FILE_SETATTR, Check::Any),
    (nr::GETSOCKOPT, Check::Any),
    (nr::PPOLL, Check::Any),
    (nr::BIND, Check::Any),
    (nr::FCNTL, Check::Any),
    (nr::RT_SIGRETURN, Check::Any),
    (nr::GETTID, Check::Any),
    (nr::SETFSUID, Check::Any),
    (nr::SETFSGID, Check::Any),
    (nr::SETRESUID, Check::Any),
    (nr::SETRESGID, Check::Any),
    (nr::SETGROUPS, Check::Any),
    (nr::CAPGET, Check::Any),
    (nr::CAPSET, Check::Any),
    (nr::GETPID, Check::Any),
    (nr::MMAP, Check::Low(2, PROT_STACK)),
    (nr::MPROTECT, Check::Low(2, PROT_GUARD)),
    (nr::CLONE, Check::Full(0, CLONE_THREAD)),
    (nr::UNSHARE, Check::Full(0, UNSHARE_FS)),
    (nr::PRCTL, Check::Low(0, PRCTL_NAME)),
    (nr::TGKILL, Check::Low(2, INTERRUPT)),
    (nr::MUNMAP, Check::Any),
    (nr::FCHMOD, Check::Any),
    (nr::FCHOWN, Check::Any),
    (nr::FTRUNCATE, Check::Any),
    (nr::FALLOCATE, Check::Any),
    (nr::FSETXATTR, Check::Any),
    (nr::FREMOVEXATTR, Check::Any),
    (nr::FGETXATTR, Check::Any),
    (nr::FLISTXATTR, Check::Any),
    (nr::MKDIRAT, Check::Any),
    (nr::MKNODAT, Check::Any),
    (nr::UNLINKAT, Check::Any),
    (nr::RENAMEAT2, Check::Any),
    (nr::LINKAT, Check::Any),
    (nr::SYMLINKAT, Check::Any),
    (nr::FCHMODAT, Check::Any),
    (nr::FCHOWNAT, Check::Any),
    (nr::TRUNCATE, Check::Any),
    (nr::UTIMENSAT, Check::Any),
    (nr::SETXATTR, Check::Any),
    (nr::LSETXATTR, Check::Any),
    (nr::REMOVEXATTR, Check::Any),
    (nr::LREMOVEXATTR, Check::Any),
    (nr::GETXATTR, Check::Any),
    (nr::LGETXATTR, Check::Any),
    (nr::LISTXATTR, Check::Any),
    (nr::LLISTXATTR, Check::Any),
    (nr::FUTEX, Check::Low(1, FUTEX_OPS)),
    (nr::WRITE, Check::Fds(0, FdSet::LogAndWake)),
    (nr::KILL, Check::Low(1, KILL_ONLY)),
    (nr::EXIT, Check::Any),
    (nr::EXIT_GROUP, Check::Any),
    // The kernel's own resumption of a sleep that a stop (SIGSTOP and
    // SIGCONT of husk, job control) interrupted.
    (nr::RESTART_SYSCALL, Check::Any),
];

/// The most calls one role lists.
const MAX_CALLS: usize = 128;
/// Labels a role filter may need: kill, allow, one per checked call,
/// one per inner node of the dispatch tree.
const LABELS: usize = 2 * MAX_CALLS + 8;

/// Builds the filter for `role`.
pub fn filter(role: Role, fds: &Fds) -> Result<Filter, BuildError> {
    let calls = match role {
        Role::Tracer => TRACER,
        Role::Worker => WORKER,
        Role::Notifier => NOTIFIER,
    };
    let mut b: Builder<{ crate::limits::BPF_INSNS }, LABELS> = Builder::new();
    let kill = b.label("kill");
    let allow = b.label("allow");
    b.emit(Insn::ld_abs(data::ARCH));
    b.jeq_k(arch::AUDIT_ARCH, NEXT, kill);
    b.emit(Insn::ld_abs(data::NR));
    // The lists are constants of this file; the role tests build each,
    // so one too long or with a call twice fails them at once.
    let mut sorted: heapless::Vec<(u32, Check), MAX_CALLS> = heapless::Vec::new();
    for &(number, check) in calls {
        // One number twice: a name that stands for another call where
        // the architecture lacks it (`nr::GETDENTS_OLD` is getdents64
        // on aarch64 and riscv64). The first entry decides, as it did
        // in a list.
        if sorted.iter().any(|&(n, _)| n == number as u32) {
            continue;
        }
        assert!(
            sorted.push((number as u32, check)).is_ok(),
            "role list too long"
        );
    }
    sorted.sort_unstable_by_key(|&(number, _)| number);
    // Dispatch by number: a balanced tree over the listed numbers and
    // the gaps between them (killed). One label per call that has
    // argument checks.
    let mut blocks: heapless::Vec<(Label, Check), 16> = heapless::Vec::new();
    let mut ranges: heapless::Vec<(u32, Label), { 2 * MAX_CALLS + 1 }> = heapless::Vec::new();
    let mut next = 0u32;
    for &(number, check) in &sorted {
        let target = match check {
            Check::Any => allow,
            _ => {
                let block = b.label("arguments");
                assert!(
                    blocks.push((block, check)).is_ok(),
                    "too many checked calls"
                );
                block
            }
        };
        if number > next {
            let _ = ranges.push((next, kill));
        }
        let _ = ranges.push((number, target));
        next = number + 1;
    }
    let _ = ranges.push((next, kill));
    b.range_tree(&ranges, &mut |_, label| label);
    for (block, check) in blocks {
        b.bind(block);
        emit_check(&mut b, check, fds, allow, kill);
    }
    b.bind(kill);
    b.emit(Insn::ret_kill_process());
    b.bind(allow);
    b.emit(Insn::ret_allow());
    b.finish()
}

/// The most values one argument check compares with.
const MAX_VALUES: usize = 32;

fn emit_check<const N: usize, const L: usize>(
    b: &mut Builder<N, L>,
    check: Check,
    fds: &Fds,
    allow: Label,
    kill: Label,
) {
    let mut values: heapless::Vec<u32, MAX_VALUES> = heapless::Vec::new();
    // The lists are constants of this file; one too long would allow
    // nothing (closed), and the role tests would fail at once.
    let (arg, full) = match check {
        Check::Any => return b.ja(allow),
        Check::Low(i, list) => {
            assert!(
                values.extend_from_slice(list).is_ok(),
                "value list too long"
            );
            (i, false)
        }
        Check::Full(i, list) => {
            assert!(
                values.extend_from_slice(list).is_ok(),
                "value list too long"
            );
            (i, true)
        }
        Check::Fds(i, set) => {
            let fds: &[i32] = match set {
                FdSet::TracerReads => &[fds.signals, fds.wake],
                FdSet::Log => &[fds.log, 2, fds.learn],
                FdSet::LogAndWake => &[fds.log, 2, fds.wake],
            };
            for &fd in fds {
                let _ = values.push(fd as u32);
            }
            (i, false)
        }
    };
    if full {
        // The upper half must be zero for a `long` argument.
        b.emit(Insn::ld_abs(data::arg_hi(arg)));
        b.jeq_k(0, NEXT, kill);
    }
    b.emit(Insn::ld_abs(data::arg_lo(arg)));
    for &v in &values {
        b.jeq_k(v, allow, NEXT);
    }
    b.ja(kill);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::action;
    use crate::bpf::data::SeccompData;
    use crate::bpf::interp;

    const FDS: Fds = Fds {
        learn: -1,
        signals: 5,
        wake: 6,
        log: 2,
    };

    fn verdict(role: Role, nr: usize, args: [u64; 6]) -> u32 {
        let prog = filter(role, &FDS).unwrap();
        let verified = prog.verify().unwrap();
        interp::run(
            &verified,
            &SeccompData {
                nr: nr as i32,
                arch: arch::AUDIT_ARCH,
                instruction_pointer: 0,
                args,
            },
        )
    }

    #[test]
    fn notifier_allowlist() {
        let ok = action::ALLOW;
        let dead = action::KILL_PROCESS;
        // (The ioctl type is u64 on glibc targets, i32 on musl.)
        #[allow(clippy::unnecessary_cast)]
        let recv = libc::SECCOMP_IOCTL_NOTIF_RECV as u64;
        assert_eq!(
            verdict(Role::Notifier, nr::IOCTL, [9, recv, 0, 0, 0, 0]),
            ok
        );
        assert_eq!(
            verdict(Role::Notifier, nr::IOCTL, [9, 0x5412, 0, 0, 0, 0]),
            dead
        );
        let rw = (libc::PROT_READ | libc::PROT_WRITE) as u64;
        let rx = (libc::PROT_READ | libc::PROT_EXEC) as u64;
        assert_eq!(
            verdict(Role::Notifier, nr::MMAP, [0, 4096, rw, 0, 0, 0]),
            ok
        );
        assert_eq!(
            verdict(Role::Notifier, nr::MMAP, [0, 4096, rx, 0, 0, 0]),
            dead
        );
        assert_eq!(
            verdict(Role::Notifier, nr::MPROTECT, [0, 4096, rx, 0, 0, 0]),
            dead
        );
        assert_eq!(
            verdict(Role::Notifier, nr::MPROTECT, [0, 4096, 0, 0, 0, 0]),
            ok
        );
        let thread = crate::rt::thread::CLONE_FLAGS as u64;
        assert_eq!(
            verdict(Role::Notifier, nr::CLONE, [thread, 0, 0, 0, 0, 0]),
            ok
        );
        let fork = libc::SIGCHLD as u64;
        assert_eq!(
            verdict(Role::Notifier, nr::CLONE, [fork, 0, 0, 0, 0, 0]),
            dead
        );
        assert_eq!(verdict(Role::Notifier, nr::EXECVE, [0; 6]), dead);
        assert_eq!(
            verdict(Role::Notifier, nr::SOCKET, [2, 1, 0, 0, 0, 0]),
            dead
        );
        assert_eq!(
            verdict(Role::Notifier, nr::RT_SIGACTION, [42, 0, 0, 0, 0, 0]),
            dead
        );
        let sig = super::super::blocking::SIGNAL as u64;
        assert_eq!(
            verdict(Role::Notifier, nr::TGKILL, [1, 2, sig, 0, 0, 0]),
            ok
        );
        assert_eq!(
            verdict(Role::Notifier, nr::TGKILL, [1, 2, 9, 0, 0, 0]),
            dead
        );
        // Workers start threads only as husk does, too.
        assert_eq!(
            verdict(Role::Worker, nr::CLONE, [thread, 0, 0, 0, 0, 0]),
            ok
        );
        assert_eq!(
            verdict(Role::Worker, nr::CLONE, [fork, 0, 0, 0, 0, 0]),
            dead
        );
        assert_eq!(
            verdict(Role::Worker, nr::MMAP, [0, 4096, rx, 0, 0, 0]),
            dead
        );
        assert_eq!(
            verdict(Role::Worker, nr::MPROTECT, [0, 4096, rx, 0, 0, 0]),
            dead
        );
    }

    /// The tree dispatch answers every number as the list does: a call
    /// listed with any arguments is allowed (its first entry decides
    /// where a name stands for another call), one not listed is killed.
    #[test]
    fn the_dispatch_tree_answers_as_the_lists() {
        for (role, calls) in [
            (Role::Tracer, TRACER),
            (Role::Worker, WORKER),
            (Role::Notifier, NOTIFIER),
        ] {
            let first = |nr: usize| calls.iter().find(|&&(n, _)| n == nr).map(|&(_, c)| c);
            for nr in 0..1024 {
                let got = verdict(role, nr, [0; 6]);
                match first(nr) {
                    Some(Check::Any) => assert_eq!(got, action::ALLOW, "{role:?} {nr}"),
                    Some(_) => {}
                    None => assert_eq!(got, action::KILL_PROCESS, "{role:?} {nr}"),
                }
            }
        }
    }

    #[test]
    fn tracer_allowlist() {
        let ok = action::ALLOW;
        let dead = action::KILL_PROCESS;
        assert_eq!(verdict(Role::Tracer, nr::WAIT4, [0; 6]), ok);
        assert_eq!(
            verdict(
                Role::Tracer,
                nr::PTRACE,
                [libc::PTRACE_CONT as u64, 1, 0, 0, 0, 0]
            ),
            ok
        );
        assert_eq!(
            verdict(
                Role::Tracer,
                nr::PTRACE,
                [libc::PTRACE_ATTACH as u64, 1, 0, 0, 0, 0]
            ),
            dead
        );
        assert_eq!(
            verdict(
                Role::Tracer,
                nr::PTRACE,
                [(1 << 32) | libc::PTRACE_CONT as u64, 1, 0, 0, 0, 0]
            ),
            dead
        );
        assert_eq!(verdict(Role::Tracer, nr::READ, [5, 0, 8, 0, 0, 0]), ok);
        assert_eq!(verdict(Role::Tracer, nr::READ, [7, 0, 8, 0, 0, 0]), dead);
        assert_eq!(verdict(Role::Tracer, nr::WRITE, [2, 0, 8, 0, 0, 0]), ok);
        assert_eq!(verdict(Role::Tracer, nr::WRITE, [1, 0, 8, 0, 0, 0]), dead);
        assert_eq!(
            verdict(
                Role::Tracer,
                nr::KILL,
                [9, libc::SIGTERM as u64, 0, 0, 0, 0]
            ),
            ok
        );
        assert_eq!(
            verdict(
                Role::Tracer,
                nr::KILL,
                [9, libc::SIGSTOP as u64, 0, 0, 0, 0]
            ),
            dead
        );
        for forbidden in [
            nr::MMAP,
            nr::MPROTECT,
            nr::EXECVE,
            nr::OPENAT,
            nr::SOCKET,
            nr::CLONE,
        ] {
            assert_eq!(
                verdict(Role::Tracer, forbidden, [0; 6]),
                dead,
                "nr {forbidden}"
            );
        }
    }

    #[test]
    fn worker_allowlist() {
        let ok = action::ALLOW;
        let dead = action::KILL_PROCESS;
        assert_eq!(
            verdict(
                Role::Worker,
                nr::FUTEX,
                [
                    0,
                    (libc::FUTEX_WAIT | libc::FUTEX_PRIVATE_FLAG) as u64,
                    0,
                    0,
                    0,
                    0
                ]
            ),
            ok
        );
        assert_eq!(
            verdict(
                Role::Worker,
                nr::FUTEX,
                [0, libc::FUTEX_REQUEUE as u64, 0, 0, 0, 0]
            ),
            dead
        );
        assert_eq!(verdict(Role::Worker, nr::WRITE, [6, 0, 8, 0, 0, 0]), ok);
        assert_eq!(verdict(Role::Worker, nr::WRITE, [5, 0, 8, 0, 0, 0]), dead);
        assert_eq!(
            verdict(
                Role::Worker,
                nr::KILL,
                [1, libc::SIGKILL as u64, 0, 0, 0, 0]
            ),
            ok
        );
        assert_eq!(
            verdict(
                Role::Worker,
                nr::KILL,
                [1, libc::SIGTERM as u64, 0, 0, 0, 0]
            ),
            dead
        );
        assert_eq!(
            verdict(
                Role::Worker,
                nr::PTRACE,
                [libc::PTRACE_CONT as u64, 0, 0, 0, 0, 0]
            ),
            dead
        );
        for forbidden in [
            nr::MMAP,
            nr::RT_SIGACTION,
            nr::EXECVE,
            nr::UNLINKAT,
            nr::SOCKET,
        ] {
            assert_eq!(
                verdict(Role::Worker, forbidden, [0; 6]),
                dead,
                "nr {forbidden}"
            );
        }
        let ro = (libc::O_RDONLY | libc::O_CLOEXEC) as u64;
        assert_eq!(verdict(Role::Worker, nr::OPENAT, [0, 0, ro, 0, 0, 0]), ok);
        assert_eq!(
            verdict(
                Role::Worker,
                nr::OPENAT,
                [0, 0, ro | libc::O_WRONLY as u64, 0, 0, 0]
            ),
            dead
        );
        assert_eq!(
            verdict(
                Role::Worker,
                nr::OPENAT,
                [0, 0, ro | libc::O_CREAT as u64, 0, 0, 0]
            ),
            dead
        );
    }

    #[test]
    fn foreign_architecture_is_killed() {
        let prog = filter(Role::Worker, &FDS).unwrap();
        let verified = prog.verify().unwrap();
        let input = SeccompData {
            nr: nr::FUTEX as i32,
            arch: arch::audit::I386,
            instruction_pointer: 0,
            args: [0; 6],
        };
        assert_eq!(interp::run(&verified, &input), action::KILL_PROCESS);
    }
}
