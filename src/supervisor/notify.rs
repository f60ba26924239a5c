//! The notify transport (DESIGN.md, "Two transports, one checker"):
//! a fixed set of workers receive trapped calls straight from the
//! kernel's seccomp listener, decide them, and answer: by performing
//! the call themselves on exactly what they checked (the emulator, from
//! the layer above), by an error, or by letting a call whose decision
//! depended on registers alone continue.
//!
//! The listener is created by the child when it installs the sandbox
//! filter. The child shares husk's descriptor table until it executes
//! the command (`rt::process::spawn_shared`), so the listener is in
//! husk's table already; the child reports its number on its link and
//! goes on (the exec leaves the child without it: close-on-exec). The
//! first worker waits for the number, or for the child to be gone
//! without one.
//!
//! Must not: answer a notification it did not decide, or leave one
//! unanswered while its caller lives (every path ends in an answer, or
//! in the caller being killed).
#![forbid(unsafe_code)]

use core::ffi::CStr;
use core::sync::atomic::{AtomicBool, AtomicU32, Ordering};

use super::channels::channels;
use crate::limits;
use crate::rt::process::Link;
use crate::rt::sync::EventCount;
use crate::rt::thread;
use crate::supervisor::Filter;
use crate::sys::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::sys::notify::{self, Notif};
use crate::sys::poll::{self, PollFd};
use crate::sys::process::{self, Pid};
use crate::sys::time::Timespec;
use crate::sys::{Errno, Result};

/// What a worker does with a notification once decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reply {
    /// Let the call run as made (its decision did not depend on
    /// anything the caller can still change).
    Continue,
    /// The call fails with this error.
    Error(Errno),
    /// The call returns this value (it was performed by husk).
    Value(i64),
    /// Already answered (a descriptor sent with `ADDFD_SEND`), or the
    /// notification is gone (its caller died): nothing more to say.
    Answered,
    /// SIGKILL the caller.
    Kill,
    /// End husk, and the whole sandbox, with this status.
    Exit(i32),
}

/// Decides and performs one notification on worker `worker`; may
/// answer it itself (`Reply::Answered`) through the listener.
pub type Emulate = fn(&Notif, BorrowedFd<'_>, usize) -> Reply;

/// The listener, once a worker has fetched it.
static LISTENER: spin::Once<OwnedFd> = spin::Once::new();
/// Set when fetching failed: the workers stop.
static FAILED: AtomicBool = AtomicBool::new(false);
/// Wakes the workers waiting for the listener.
static READY: EventCount = EventCount::new();

/// Workers now in, or on their way into, the kernel's receive.
static RECEIVING: AtomicU32 = AtomicU32::new(0);
/// Where the other workers wait until they are called in.
static IDLE: EventCount = EventCount::new();
/// Held by the one idle worker that looks for a stalled receiver.
static SENTINEL: AtomicBool = AtomicBool::new(false);
/// How often the sentinel looks.
const STALL_CHECK: Timespec = Timespec::from_millis(20);
/// A receiver looks for more waiting work every this many calls (a
/// look is a system call; a sandbox busy on several CPUs is found
/// within a few calls all the same).
const LOOK_EVERY: u32 = 8;

const NAMES: [&CStr; 8] = [
    c"husk-notify-0",
    c"husk-notify-1",
    c"husk-notify-2",
    c"husk-notify-3",
    c"husk-notify-4",
    c"husk-notify-5",
    c"husk-notify-6",
    c"husk-notify-7",
];

/// Starts `count` notify workers (1 to [`limits::WORKERS`]), each
/// confined by `filter`; the first takes the listener `child` reports
/// on `link`. The workers run until husk exits (a worker blocked
/// in the kernel's receive cannot be woken otherwise, and needs no
/// clean-up: the listener dies with husk, and the sandbox with it).
pub fn start(
    count: usize,
    emulate: Emulate,
    answered: fn(usize),
    filter: &'static Filter,
    link: &'static Link,
    child: Pid,
) -> Result<()> {
    let count = count.clamp(1, limits::WORKERS);
    let first = Worker {
        emulate,
        answered,
        filter,
        index: 0,
        count,
    };
    let handle = thread::spawn(limits::THREAD_STACK, Some(NAMES[0]), move || {
        first.serve(Some(link), child)
    })?;
    // Detached: see above.
    drop(handle);
    Ok(())
}

/// What a notify worker needs.
#[derive(Clone, Copy)]
struct Worker {
    emulate: Emulate,
    answered: fn(usize),
    filter: &'static Filter,
    index: usize,
    /// Workers in all.
    count: usize,
}

/// The listener, waiting until the fetching worker has it.
fn listener() -> Option<&'static OwnedFd> {
    loop {
        let key = READY.prepare();
        if let Some(l) = LISTENER.get() {
            return Some(l);
        }
        if FAILED.load(Ordering::SeqCst) {
            return None;
        }
        READY.wait(key);
    }
}

impl Worker {
    fn serve(self, read: Option<&'static Link>, child: Pid) {
        let Worker {
            emulate,
            answered,
            filter,
            index,
            count,
        } = self;
        if let Some(link) = read {
            match link.wait_fd().ok_or(Errno::ESRCH) {
                Ok(fd) => {
                    // Faster hand-overs where the kernel has them (6.6+);
                    // nothing is lost without.
                    let _ = notify::set_sync_wakeup(&fd);
                    let fd = LISTENER.call_once(|| fd);
                    // Blocking calls' helpers, before this thread is confined.
                    if let Err(e) = super::blocking::start(fd.as_fd()) {
                        panic!("husk: cannot prepare blocking-call helpers: {e}");
                    }
                }
                Err(e) => {
                    // The child cannot run without its answers: stop it.
                    crate::errln!("husk: cannot take over the seccomp listener: {e}");
                    let _ = process::kill(child, libc::SIGKILL);
                    FAILED.store(true, Ordering::SeqCst);
                }
            }
            READY.notify_all();
        }
        let Some(listener) = listener() else {
            return;
        };
        super::own_fs("notify worker");
        if index == 0 {
            super::confine_self(filter, "notify worker");
        }
        // The first worker starts the others when the first call comes:
        // a command that makes none (most of a short run is the exec)
        // does not wait for threads it never needs.
        let mut others_to_start = index == 0 && count > 1;
        let mut notif = notify::empty();
        let mut received = 0u32;
        loop {
            RECEIVING.fetch_add(1, Ordering::SeqCst);
            let got = notify::recv(listener, &mut notif);
            let others = RECEIVING.fetch_sub(1, Ordering::SeqCst) - 1;
            match got {
                Ok(()) => {}
                // Every sandboxed process is gone: nothing will ever come
                // (receiving would fail at once, for ever: a busy loop that
                // took the CPU husk's exit needs). Idle until husk exits.
                Err(Errno::ENOENT) if hung_up(listener) => idle_for_good(),
                // Interrupted, or the caller died before we read it.
                Err(Errno::EINTR | Errno::ENOENT) => continue,
                Err(e) => panic!("husk: receiving from the seccomp listener failed: {e}"),
            }
            if others_to_start {
                others_to_start = false;
                self.start_others(child);
            }
            received = received.wrapping_add(1);
            if others == 0 && received % LOOK_EVERY == 0 && pending(listener) {
                // More is waiting and nobody else is receiving: call in
                // another worker rather than make it wait for this one.
                IDLE.notify(1);
            }
            let reply = emulate(&notif, listener.as_fd(), index);
            answer(listener.as_fd(), &notif, reply);
            answered(index);
            if RECEIVING.load(Ordering::SeqCst) != 0 {
                // Someone else receives: this one waits to be called in.
                park(listener);
            }
        }
    }
}

impl Worker {
    /// Starts workers 1 to `count - 1`, which inherit this thread's
    /// confinement: one filter install (the kernel's work of a few tens
    /// of microseconds) instead of one per worker.
    fn start_others(self, child: Pid) {
        for i in 1..self.count {
            let name = NAMES.get(i).copied().unwrap_or(c"husk-notify");
            let worker = Worker { index: i, ..self };
            match thread::spawn(limits::THREAD_STACK, Some(name), move || {
                worker.serve(None, child)
            }) {
                // Detached: see `start`.
                Ok(handle) => drop(handle),
                Err(e) => panic!("husk: cannot start notify worker {i}: {e}"),
            }
        }
    }
}

/// Whether notifications wait that no worker has received yet (not a
/// hang-up: the listener of a filter no process uses is "ready" too).
fn pending(listener: &OwnedFd) -> bool {
    let mut fds = [PollFd::readable(listener.as_fd())];
    matches!(poll::poll(&mut fds, Some(&Timespec::from_millis(0))), Ok(n) if n > 0)
        && fds[0].has_input()
}

/// Whether no sandboxed process uses the listener's filter any more.
fn hung_up(listener: &OwnedFd) -> bool {
    let mut fds = [PollFd::readable(listener.as_fd())];
    matches!(poll::poll(&mut fds, Some(&Timespec::from_millis(0))), Ok(n) if n > 0)
        && fds[0].hung_up()
}

/// Waits for good: the sandbox is gone, and husk about to exit.
fn idle_for_good() -> ! {
    loop {
        let key = IDLE.prepare();
        IDLE.wait_timeout(key, None);
    }
}

/// Waits until this worker should receive: when called in, or when the
/// sentinel finds work waiting that nobody receives (the receivers are
/// all busy, one perhaps for long: a slow file system).
///
/// One receiver, not all workers, waits in the kernel while the
/// sandbox is quiet, so the worker that just answered a caller is the
/// one that takes its next call: the kernel wakes its receivers in
/// turn, and with every worker receiving, each call would wake a
/// different thread (one more context switch, often on another CPU).
fn park(listener: &OwnedFd) {
    let mut sentinel = false;
    // Look at once, and again whenever called in.
    let mut look = true;
    loop {
        if !sentinel {
            sentinel = SENTINEL
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok();
        }
        let key = IDLE.prepare();
        if RECEIVING.load(Ordering::SeqCst) == 0 && (look || pending(listener)) {
            break;
        }
        IDLE.wait_timeout(key, sentinel.then_some(&STALL_CHECK));
        look = IDLE.prepare() != key;
    }
    if sentinel {
        SENTINEL.store(false, Ordering::SeqCst);
        // Another idle worker takes over the watch.
        IDLE.notify(1);
    }
}

/// Sends `reply` for `notif`. A failed answer (ENOENT) means the caller
/// is gone: nothing is left to do.
fn answer(listener: BorrowedFd<'_>, notif: &Notif, reply: Reply) {
    let id = notif.id;
    let _ = match reply {
        Reply::Continue => notify::reply_continue(listener, id),
        Reply::Error(e) => notify::reply_error(listener, id, e),
        Reply::Value(v) => notify::reply_value(listener, id, v),
        Reply::Answered => Ok(()),
        Reply::Kill => {
            // Still pending means the tid is still that caller's.
            if notify::id_valid(listener, id) {
                let _ = process::kill(notif.pid as Pid, libc::SIGKILL);
            }
            notify::reply_error(listener, id, Errno::EPERM)
        }
        Reply::Exit(status) => {
            // No answer: the call must not return. The tracer kills
            // every task, this caller with them.
            channels().request_exit(status);
            Ok(())
        }
    };
}
