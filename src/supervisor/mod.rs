//! supervisor: starts the command and supervises it.
//!
//! The tracer (the main thread, [`tracer`]) owns every ptrace request
//! and hands trapped calls and exec events to a fixed pool of workers
//! ([`workers`]) through bounded queues ([`queue`], [`channels`]); the
//! workers decide and send verdicts back; the tracer applies them.
//!
//! Must not: allocate, drop a stop, or leave a tracee waiting for a
//! verdict that will not come.
//!
//! (`deny`, not `forbid`, of unsafe code: the `locked!` statics carry a
//! `link_section` attribute, which the lint counts as unsafe and the
//! macro alone allows. Nothing else here may.)
#![deny(unsafe_code)]

pub mod blocking;
pub mod channels;
pub mod child;
pub mod confine;
pub mod message;
pub mod notify;
pub mod queue;
pub mod tasks;
pub mod tracer;
pub mod workers;

use core::sync::atomic::{AtomicI32, Ordering};

use crate::bpf::builder::BuildError;
use crate::bpf::install;
use crate::bpf::program::Program;

/// A seccomp program husk builds (at most `limits::BPF_INSNS` long).
pub type Filter = Program<{ crate::limits::BPF_INSNS }>;
use crate::rt::lockdown;
use crate::sys::fd::AsFd;
use crate::sys::signal::{self, How, SigSet};
use crate::sys::{Errno, file, process};
use crate::{errln, locked};
use channels::channels;
use child::Command;
use confine::{Fds, Role};
use tracer::{Access, Tracer};
use workers::{Decide, Pool};

/// How trapped calls reach husk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transport {
    /// `SECCOMP_RET_TRACE`: the tracer stops the caller and a worker
    /// decides; the call then runs as the caller made it.
    Ptrace,
    /// `SECCOMP_RET_USER_NOTIF`: notify workers decide and perform the
    /// call themselves (ptrace stays for exec events, the chdir
    /// post-check, and the calls not yet emulated).
    Notify,
}

impl Transport {
    /// The name `-C` and `trace/transport` use.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Ptrace => "ptrace",
            Transport::Notify => "notify",
        }
    }

    /// The best this kernel offers: notify needs user notification with
    /// `ADDFD_FLAG_SEND` (Linux 5.14) and pidfd_getfd (5.6).
    pub fn best() -> Transport {
        let usable = crate::sys::seccomp::action_available(crate::bpf::action::USER_NOTIF).is_ok()
            && process::uname().version() >= (5, 14);
        if usable {
            Transport::Notify
        } else {
            Transport::Ptrace
        }
    }
}

/// How to supervise.
#[derive(Clone, Copy)]
pub struct Config {
    /// How trapped calls reach husk.
    pub transport: Transport,
    /// The notify workers' emulator (notify transport).
    pub emulate: notify::Emulate,
    /// Worker threads.
    pub workers: usize,
    /// `trace/exit_wait_all:1`: wait for every process, not only the eldest.
    pub wait_all: bool,
    /// Request-queue slots to use (at most the compiled capacity);
    /// smaller values exercise back-pressure in tests.
    pub request_limit: usize,
    /// How denials change registers; `None` picks the best the kernel has.
    pub access: Option<Access>,
    /// The sandbox filter (from `check::filter`) for a transport.
    pub sandbox: fn(Transport) -> Result<Filter, BuildError>,
    /// The child's Landlock ruleset, if it needs one
    /// (`check::kernel::ruleset`): made by husk, entered by the child
    /// just before its filter.
    pub restrict: fn() -> crate::sys::Result<Option<crate::sys::landlock::Ruleset>>,
    /// The checker.
    pub decide: Decide,
    /// Called by a worker once its verdict is on its way (the checker
    /// writes its log lines then: an answer never waits for its log).
    pub decided: fn(usize),
    /// The same, for a notify worker once the caller has its answer.
    pub answered: fn(usize),
    /// Decisions the tracer takes itself, from the registers alone.
    pub fast: tracer::Fast,
    /// Where the checker writes log lines (the worker filter allows it).
    pub log_fd: i32,
    /// A file the tracer writes once supervision is over (the learned
    /// policy), or -1.
    pub learn_fd: i32,
}

/// Every seccomp program husk installs.
pub struct Filters {
    /// The sandbox's filter (check/filter.rs).
    pub sandbox: Filter,
    /// The tracer thread's own filter.
    pub tracer: Filter,
    /// Each worker thread's own filter.
    pub worker: Filter,
    /// Each notify worker's own filter.
    pub notifier: Filter,
}

locked! {
    /// Built before the command starts, read-only afterwards.
    static FILTERS: Filters = Filters { sandbox: Program::new(), tracer: Program::new(), worker: Program::new(), notifier: Program::new() };
}

/// husk could not do what it was asked (configuration or internal
/// error); the command never ran, or ran no further.
pub const EXIT_CONFIG: i32 = 125;

/// Builds every filter into the read-only-after-start region: the
/// sandbox's (built by the caller from the system call table) and the
/// tracer's and workers' own.
pub fn build_filters(fds: &Fds, sandbox: Filter) -> Result<(), BuildError> {
    // One at a time, each into its place: four 32 KiB programs held on
    // the main thread's stack at once made a frame of 224 KiB, touched
    // whole (stack probes) and resident for good.
    // And each copied by its instructions only (`Program::set`), so the
    // sealed region holds only the pages they fill.
    let full = |e: crate::bpf::program::ProgramFull| BuildError::ProgramFull {
        capacity: e.capacity,
    };
    FILTERS
        .with_mut(|f| f.sandbox.set(&sandbox))
        .map_err(full)?;
    for role in [Role::Tracer, Role::Worker, Role::Notifier] {
        build_role(role, fds)?;
    }
    Ok(())
}

/// Builds `role`'s own filter into its place.
#[inline(never)]
fn build_role(role: Role, fds: &Fds) -> Result<(), BuildError> {
    let program = confine::filter(role, fds)?;
    FILTERS
        .with_mut(|f| match role {
            Role::Tracer => f.tracer.set(&program),
            Role::Worker => f.worker.set(&program),
            Role::Notifier => f.notifier.set(&program),
        })
        .map_err(|e| BuildError::ProgramFull {
            capacity: e.capacity,
        })
}

/// The filters, once sealed.
pub fn filters() -> &'static Filters {
    FILTERS.get()
}

/// Gives the calling worker thread a working directory (and umask) of
/// its own, unshared from the other husk threads: it places directories
/// by entering them (`remote::object`), and acts with a caller's umask.
/// A worker that cannot must not serve.
pub fn own_fs(role: &str) {
    if let Err(e) = process::unshare(libc::CLONE_FS) {
        panic!("a {role} thread cannot have a working directory of its own: {e}");
    }
}

/// Confines the calling thread with `filter`, or stops husk: a husk
/// thread that cannot confine itself must not serve.
pub fn confine_self(filter: &Filter, role: &str) {
    let verified = filter
        .verify()
        .unwrap_or_else(|e| panic!("the {role} filter does not verify: {e:?}"));
    if let Err(e) = install::install(&verified, 0) {
        panic!("a {role} thread cannot confine itself: {e}");
    }
}

/// Installs one of the sealed filters on the calling thread.
fn install_filter(program: &Filter) -> crate::sys::Result<()> {
    let verified = program.verify().map_err(|_| Errno::EINVAL)?;
    install::install(&verified, 0).map(drop)
}

/// Installs the sandbox filter with a new listener (waiting killably
/// once a notification is received, where the kernel can: 5.19+).
fn install_listener(program: &Filter) -> crate::sys::Result<crate::sys::OwnedFd> {
    let verified = program.verify().map_err(|_| Errno::EINVAL)?;
    let listener = install::FLAG_NEW_LISTENER;
    let result = match install::install(&verified, listener | install::FLAG_WAIT_KILLABLE_RECV) {
        Err(Errno::EINVAL) => install::install(&verified, listener),
        other => other,
    };
    result?.ok_or(Errno::EINVAL)
}

/// The tracer's descriptors, created before the filters that name them.
pub struct Setup {
    /// SIGCHLD and the forwarded signals.
    pub signals: crate::sys::OwnedFd,
    /// The numbers the role filters allow.
    pub fds: Fds,
}

/// Blocks the signals husk reads, and creates its signalfd and wake-up
/// eventfd.
pub fn setup(log_fd: i32, learn_fd: i32) -> crate::sys::Result<Setup> {
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
    let wake = file::eventfd(0, libc::EFD_NONBLOCK)?;
    let fds = Fds {
        signals: signals.as_fd().raw(),
        wake: wake.as_fd().raw(),
        log: log_fd,
        learn: learn_fd,
    };
    channels().set_wake_fd(wake);
    Ok(Setup { signals, fds })
}

/// The signal the eldest sandboxed process died of, if it did (0: it
/// exited, or is still running).
static DIED_OF: AtomicI32 = AtomicI32::new(0);

/// Once supervision is over: if the command died of a signal, husk dies
/// of the same one, as a shell expects of the command itself (a loop
/// around husk stops on Ctrl-C), without a core dump. Returns only if
/// it did not (the command exited, or the signal does not kill): the
/// caller then exits with its status (128 + N for a signal).
pub fn die_as_the_command() {
    let sig = DIED_OF.load(Ordering::SeqCst);
    if sig <= 0 {
        return;
    }
    // The signal's own action (SIGKILL's cannot change), unblocked
    // (husk blocks those it reads), and no core: what dumped core was
    // the command, not husk (which is not dumpable anyway).
    let _ = process::no_core_dumps();
    let _ = signal::set_default(sig);
    let _ = signal::set_mask(signal::How::Unblock, SigSet::of(&[sig]));
    let _ = process::kill(process::getpid(), sig);
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

/// Signals from the sandbox reach only the sandbox: never husk, nor any
/// other process outside (Landlock's signal scope, ABI 6, Linux 6.12;
/// kill, tkill, tgkill, the sigqueue calls, pidfd_send_signal and
/// `F_SETOWN` I/O signals alike). Older kernels lack it (README).
/// Being in a Landlock domain also bars ptrace-mode access to processes
/// outside it (`/proc/PID/environ`, `ns/*`...). husk calls it for itself
/// too, before the child starts (whose domain then nests in husk's).
pub fn scope_signals() -> crate::sys::Result<()> {
    match crate::sys::landlock::abi_version() {
        Ok(abi) if abi >= 6 => crate::sys::landlock::scope_signals(),
        _ => Ok(()),
    }
}

/// A ruleset that only scopes signals (where the kernel can), for a
/// child that needs no other Landlock rule.
pub fn signals_ruleset() -> crate::sys::Result<Option<crate::sys::landlock::Ruleset>> {
    match crate::sys::landlock::abi_version() {
        Ok(abi) if abi >= 6 => {
            crate::sys::landlock::Ruleset::new(0, crate::sys::landlock::SCOPE_SIGNAL).map(Some)
        }
        _ => Ok(None),
    }
}

/// Runs `command` under supervision; returns husk's exit status.
pub fn run(command: &Command<'_>, config: &Config) -> i32 {
    match supervise(command, config) {
        Ok(status) => status,
        Err(e) => {
            errln!("husk: cannot start the sandbox: {e}");
            kill_sandbox();
            EXIT_CONFIG
        }
    }
}

/// The child runs husk's code, in husk's memory, until it executes the
/// command (`child::start`): on the way out, husk makes sure it is
/// gone (executed, or killed) before the frames it borrows from are,
/// then unmaps its stack.
struct ChildGuard(Option<crate::rt::process::SharedStack>);

impl Drop for ChildGuard {
    fn drop(&mut self) {
        if let Some(pid) = child::LINK.pid() {
            let _ = process::kill(pid, libc::SIGKILL);
            child::LINK.wait_gone();
        }
        if let Some(stack) = self.0.take() {
            stack.release(&child::LINK);
        }
    }
}

fn supervise(command: &Command<'_>, config: &Config) -> crate::sys::Result<i32> {
    let setup = setup(config.log_fd, config.learn_fd)?;
    channels().requests.set_limit(config.request_limit);
    let sandbox = (config.sandbox)(config.transport).map_err(|_| Errno::ENOMEM)?;
    build_filters(&setup.fds, sandbox).map_err(|_| Errno::ENOMEM)?;
    // Nothing written at start-up may change once the command runs.
    lockdown::seal()?;
    let filters = filters();

    let ruleset = (config.restrict)()?;
    let notify = config.transport == Transport::Notify;
    let confine = |link: &crate::rt::process::Link| {
        if let Some(ruleset) = &ruleset {
            ruleset.restrict_self()?;
        }
        if notify {
            // Created in husk's own descriptor table (the child shares
            // it until the exec, which leaves the child without it:
            // close-on-exec): the child only says its number.
            let listener = install_listener(&filters.sandbox)?;
            link.report_fd(listener);
            Ok(())
        } else {
            install_filter(&filters.sandbox)
        }
    };
    // husk in a Landlock domain of its own (where the sandbox gets one),
    // which the sandbox's nests in: what a notify worker performs for
    // the sandbox (an open of /proc/PID/environ) then reaches no process
    // outside husk and the sandbox, as the sandbox's own call could not.
    process::set_no_new_privs()?;
    scope_signals()?;
    let (eldest, child_stack) = child::start(command, &confine)?;
    // Declared after `confine`, so dropped before it, whichever way
    // this function returns: the child borrows it until it is gone.
    let _child = ChildGuard(Some(child_stack));
    ELDEST.store(eldest, Ordering::SeqCst);
    crate::rt::panic::set_fatal_hook(kill_sandbox);
    // Now that the child is seized: no same-user process may ptrace,
    // or read the memory of, husk itself.
    process::set_dumpable(false)?;

    if notify {
        // Files the workers create get the caller's umask, applied by
        // the emulator: husk's own must not take bits away as well.
        file::umask(0);
        if let Err(e) = notify::start(
            config.workers,
            config.emulate,
            config.answered,
            &filters.notifier,
            &child::LINK,
            eldest,
        ) {
            kill_sandbox();
            return Err(e);
        }
    }
    let pool = Pool::start(
        config.workers,
        config.decide,
        config.decided,
        &filters.worker,
    )?;
    install_filter(&filters.tracer)?;
    let mut tracer = Tracer::new(
        eldest,
        config.wait_all,
        config.access.unwrap_or(Access::SyscallInfo),
        setup.signals,
        config.fast,
    )?;
    let status = tracer.run();
    pool.stop();
    Ok(status)
}
