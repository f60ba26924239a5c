//! Blocking calls of the notify transport: a FIFO open waits for the
//! other end, a connect for the peer, a send (sendto, sendmsg) for room. A notify worker that performed
//! such a call itself would stop serving everyone else, so it hands the
//! call, already decided and pinned, to a helper thread of its own and
//! goes back to the listener.
//!
//! Helpers are started on demand, up to [`limits::BLOCKED_CALLS`], and
//! stay for the next blocked call once theirs is done. Beyond that
//! many blocked calls at once, the next one fails with EAGAIN (closed,
//! and said in the log).
//!
//! While a helper waits, a watcher looks at its caller every
//! [`WATCH_MS`]: if the caller died (its notification is gone), or has
//! a signal pending that would act (run a handler, stop it, or kill
//! it), the helper is sent [`SIGNAL`], whose handler does nothing, so
//! its call fails with EINTR. The caller is then answered with
//! ERESTARTSYS: the kernel turns it into EINTR, or restarts the call if
//! the handler has SA_RESTART or there is no handler (a stop, then a
//! continue), exactly as for a call that blocked in the kernel itself;
//! a fatal signal then kills it.
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};

use crate::limits;
use crate::rt::sync::EventCount;
use crate::rt::thread;
use crate::sys::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::sys::futex::{self, Scope};
use crate::sys::notify;
use crate::sys::process;
use crate::sys::time::Timespec;
use crate::sys::{Errno, Result, file};

/// The signal that interrupts a helper (SIGRTMIN + 8; nothing else in
/// husk uses it, and it is only ever sent to a helper thread).
pub const SIGNAL: i32 = 42;
/// How often a waiting caller is looked at, in milliseconds.
pub const WATCH_MS: u64 = 20;

/// `ERESTARTSYS`: "interrupted; restart if the handler asks for it".
const ERESTARTSYS: Errno = Errno(512);

/// A blocking call, decided and pinned. (Held inline, with no
/// allocator: a sendmsg's control data makes the largest variant; a
/// slot's job lives in .bss and costs memory only once used.)
#[allow(clippy::large_enum_variant)]
pub enum Op {
    /// Open `fd` (an `O_PATH` descriptor of the checked FIFO) again with
    /// `flags`, through husk's own `/proc/self/fd`.
    Open {
        /// The caller's open flags.
        flags: i32,
        /// Whether the caller asked for `O_CLOEXEC`.
        cloexec: bool,
    },
    /// Send from the caller's memory on `fd` (a copy of the caller's
    /// socket) to `addr`, once the socket can take it: the data decides
    /// nothing, so it is read when it is sent.
    Send {
        /// husk's own copy of the address, as checked.
        addr: [u8; 128],
        /// Its length.
        len: u32,
        /// See [`Op::Connect`].
        keep: Option<OwnedFd>,
        /// Where the data is in the caller.
        data: u64,
        /// How much (at most [`limits::SEND_BYTES`]).
        size: usize,
        /// The caller's send flags.
        flags: i32,
    },
    /// sendmsg on `fd` (a copy of the caller's socket) to `addr`, with
    /// the control data as checked (each descriptor it passes replaced
    /// by husk's copy, held here), once the socket can take it; the
    /// data, which decides nothing, is gathered from the caller then.
    SendMsg {
        /// husk's own copy of the address, as checked (`len` 0: none).
        addr: [u8; 128],
        /// Its length.
        len: u32,
        /// See [`Op::Connect`].
        keep: Option<OwnedFd>,
        /// The control data, as checked.
        control: [u8; crate::check::net::CONTROL_MAX],
        /// Its length.
        clen: usize,
        /// husk's copies of the descriptors it passes.
        held: heapless::Vec<OwnedFd, 253>,
        /// The caller's `msg_iov`.
        iov: u64,
        /// And `msg_iovlen`.
        count: u64,
        /// The caller's send flags.
        flags: i32,
    },
    /// Connect `fd` (a copy of the caller's socket) to `addr`.
    Connect {
        /// husk's own copy of the address, as checked.
        addr: [u8; 128],
        /// Its length.
        len: u32,
        /// A descriptor the address names (`/proc/self/fd/N`), kept
        /// open until the call is done.
        keep: Option<OwnedFd>,
    },
}

/// A blocked call for a helper.
pub struct Job {
    /// The notification.
    pub id: u64,
    /// The caller.
    pub tid: i32,
    /// The pinned object.
    pub fd: OwnedFd,
    /// The call.
    pub op: Op,
}

const EMPTY: u32 = 0;
const IDLE: u32 = 1;
const BUSY: u32 = 2;
const CLAIMED: u32 = 3;

/// Why a helper was interrupted.
const NONE: u32 = 0;
const SIGNALLED: u32 = 1;
const GONE: u32 = 2;

struct Slot {
    /// EMPTY (no helper yet), IDLE, CLAIMED (being filled), BUSY.
    state: AtomicU32,
    /// The helper's thread id (0 until it runs).
    helper: AtomicI32,
    /// The job's notification and caller, for the watcher.
    id: AtomicU64,
    tid: AtomicI32,
    interrupt: AtomicU32,
    job: spin::Mutex<Pending>,
}

/// A slot's job. (`repr(u8)` with `Empty = 0` first: the idle table is
/// all zero bytes and stays in .bss, not in the binary.)
#[repr(u8)]
#[allow(clippy::large_enum_variant)]
enum Pending {
    Empty = 0,
    Full(Job),
}

impl Pending {
    fn take(&mut self) -> Option<Job> {
        match core::mem::replace(self, Pending::Empty) {
            Pending::Empty => None,
            Pending::Full(job) => Some(job),
        }
    }
}

static SLOTS: [Slot; limits::BLOCKED_CALLS] = [const {
    Slot {
        state: AtomicU32::new(EMPTY),
        helper: AtomicI32::new(0),
        id: AtomicU64::new(0),
        tid: AtomicI32::new(0),
        interrupt: AtomicU32::new(NONE),
        job: spin::Mutex::new(Pending::Empty),
    }
}; limits::BLOCKED_CALLS];

/// Busy helpers; the watcher sleeps while there are none.
static BUSY_COUNT: AtomicU32 = AtomicU32::new(0);
static WATCHER: EventCount = EventCount::new();
/// The listener the answers go to.
static LISTENER: spin::Once<BorrowedFd<'static>> = spin::Once::new();

/// The watcher: not started, being started, or running (it is started
/// with the first helper).
static WATCHING: AtomicU32 = AtomicU32::new(NO_WATCHER);
const NO_WATCHER: u32 = 0;
const STARTING: u32 = 1;
const WATCHING_NOW: u32 = 2;

/// Prepares the helpers (the interrupting handler, which needs a call
/// the notify workers' confinement refuses). The watcher and the
/// helpers are started on demand by a confined notify worker, and
/// inherit its confinement.
pub fn start(listener: BorrowedFd<'static>) -> Result<()> {
    LISTENER.call_once(|| listener);
    crate::sys::signal::set_interrupting(SIGNAL)
}

/// Starts the watcher, once (again after a failed start).
fn watcher() -> Result<()> {
    loop {
        match WATCHING.compare_exchange(NO_WATCHER, STARTING, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => break,
            Err(WATCHING_NOW) => return Ok(()),
            // Another worker is starting it: its outcome decides.
            Err(_) => core::hint::spin_loop(),
        }
    }
    let started = match LISTENER.get() {
        Some(&listener) => thread::spawn(limits::BLOCKER_STACK, Some(c"husk-watcher"), move || {
            watch(listener)
        })
        .map(drop),
        None => Err(Errno::EBADF),
    };
    WATCHING.store(
        if started.is_ok() {
            WATCHING_NOW
        } else {
            NO_WATCHER
        },
        Ordering::SeqCst,
    );
    started
}

/// Hands `job` to a helper. On failure the job is dropped (its
/// descriptors closed), and the caller is to be answered with the error.
pub fn submit(job: Job) -> Result<()> {
    let claim = |from: u32| {
        SLOTS.iter().position(|s| {
            s.state
                .compare_exchange(from, CLAIMED, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        })
    };
    let (index, fresh) = match claim(IDLE) {
        Some(i) => (i, false),
        None => match claim(EMPTY) {
            Some(i) => (i, true),
            None => {
                crate::errln!(
                    "husk: {} calls are blocked already: refusing another (EAGAIN)",
                    limits::BLOCKED_CALLS
                );
                drop(job);
                return Err(Errno::EAGAIN);
            }
        },
    };
    if let Err(e) = watcher() {
        // No helper may wait without the watcher (its caller's signals
        // would go unseen): refused, as when no slot is free.
        crate::errln!("husk: cannot start the blocking-call watcher: {e}");
        SLOTS[index]
            .state
            .store(if fresh { EMPTY } else { IDLE }, Ordering::SeqCst);
        drop(job);
        return Err(Errno::EAGAIN);
    }
    let slot = &SLOTS[index];
    slot.id.store(job.id, Ordering::SeqCst);
    slot.tid.store(job.tid, Ordering::SeqCst);
    slot.interrupt.store(NONE, Ordering::SeqCst);
    *slot.job.lock() = Pending::Full(job);
    BUSY_COUNT.fetch_add(1, Ordering::SeqCst);
    slot.state.store(BUSY, Ordering::SeqCst);
    if fresh {
        // A new helper inherits this worker's confinement.
        let spawned = thread::spawn(limits::BLOCKER_STACK, Some(c"husk-blocked"), move || {
            helper(index)
        });
        match spawned {
            Ok(handle) => drop(handle),
            Err(e) => {
                drop(slot.job.lock().take());
                BUSY_COUNT.fetch_sub(1, Ordering::SeqCst);
                slot.state.store(EMPTY, Ordering::SeqCst);
                return Err(e);
            }
        }
    } else {
        futex::wake(&slot.state, 1, Scope::Private);
    }
    WATCHER.notify_all();
    Ok(())
}

fn helper(index: usize) {
    // Started by a worker that may be acting as a caller.
    crate::remote::creds::thread_start();
    let slot = &SLOTS[index];
    slot.helper.store(process::gettid(), Ordering::SeqCst);
    loop {
        let state = slot.state.load(Ordering::SeqCst);
        if state != BUSY {
            let _ = futex::wait(&slot.state, state, None, Scope::Private);
            continue;
        }
        if let Some(job) = slot.job.lock().take() {
            perform(slot, job);
        }
        BUSY_COUNT.fetch_sub(1, Ordering::SeqCst);
        slot.state.store(IDLE, Ordering::SeqCst);
    }
}

fn perform(slot: &Slot, job: Job) {
    // Set by `start`, before any job can exist.
    let Some(&listener) = LISTENER.get() else {
        return;
    };
    // The call is the caller's: judged with its credentials.
    let _acting = match crate::remote::creds::AsCaller::enter(job.tid, false) {
        Ok(acting) => acting,
        Err(e) => {
            let _ = notify::reply_error(listener, job.id, e);
            return;
        }
    };
    if !notify::id_valid(listener, job.id) {
        // The caller is gone (and its ids may have been another's).
        return;
    }
    loop {
        let result = match &job.op {
            Op::Send {
                addr,
                len,
                data,
                size,
                flags,
                ..
            } => {
                let addr = &addr[..(*len as usize).min(addr.len())];
                let mut buf = [0u8; limits::SEND_BYTES];
                let sent = read_data(&job, *data, *size, &mut buf).and_then(|n| {
                    when_ready(&job, |fd| {
                        file::sendto(fd, &buf[..n], flags | libc::MSG_DONTWAIT, addr)
                    })
                });
                match sent_or_broken(listener, &job, *flags, sent) {
                    Some(failed) => failed,
                    None => return,
                }
            }
            Op::SendMsg {
                addr,
                len,
                control,
                clen,
                iov,
                count,
                flags,
                ..
            } => {
                let addr = &addr[..(*len as usize).min(addr.len())];
                let control = &control[..(*clen).min(control.len())];
                let mut buf = [0u8; limits::SEND_BYTES];
                let gathered = crate::remote::memory::gather(
                    job.tid,
                    crate::remote::RemoteAddr(*iov),
                    *count,
                    &mut buf,
                );
                let sent = gathered.and_then(|(n, _)| {
                    when_ready(&job, |fd| {
                        file::sendmsg(fd, addr, &buf[..n], control, flags | libc::MSG_DONTWAIT)
                    })
                });
                match sent_or_broken(listener, &job, *flags, sent) {
                    Some(failed) => failed,
                    None => return,
                }
            }
            Op::Open { flags, .. } => {
                let mut own = crate::remote::proc::ProcPath::own_fd(job.fd.as_fd().raw());
                // Through husk's own magic link: no RESOLVE_ restriction.
                file::openat2(file::Dir::Cwd, own.as_cstr(), *flags as u32 as u64, 0, 0).map(Some)
            }
            Op::Connect { addr, len, .. } => {
                file::connect(&job.fd, &addr[..(*len as usize).min(addr.len())]).map(|()| None)
            }
        };
        let why = slot.interrupt.load(Ordering::SeqCst);
        // Asked again: the watcher's mark may have been meant for the
        // slot's previous call. A caller still waiting is answered.
        if why == GONE && !notify::id_valid(listener, job.id) {
            // Nobody is waiting: what was opened is closed unseen.
            return;
        }
        let _ = match result {
            Ok(Some(fd)) => {
                let cloexec = matches!(job.op, Op::Open { cloexec: true, .. });
                notify::add_fd_and_reply(listener, job.id, &fd, cloexec).map(drop)
            }
            Ok(None) => notify::reply_value(listener, job.id, 0),
            Err(Errno::EINTR) if why == SIGNALLED => {
                notify::reply_error(listener, job.id, ERESTARTSYS)
            }
            // Interrupted for no reason of ours: wait again.
            Err(Errno::EINTR) => continue,
            Err(e) => notify::reply_error(listener, job.id, e),
        };
        return;
    }
}

/// The end of a performed send: answered with the count (`None`), or
/// its error, with the SIGPIPE a closed connection earns the caller.
fn sent_or_broken(
    listener: BorrowedFd<'_>,
    job: &Job,
    flags: i32,
    sent: Result<usize>,
) -> Option<Result<Option<OwnedFd>>> {
    match sent {
        Ok(n) => {
            let _ = notify::reply_value(listener, job.id, n as i64);
            None
        }
        Err(e) => {
            broken_pipe(job.tid, flags, e);
            Some(Err(e))
        }
    }
}

/// A send husk performed found the connection closed: the caller gets
/// the SIGPIPE it would have got (unless it asked for none). husk's own
/// threads block SIGPIPE.
pub fn broken_pipe(tid: i32, flags: i32, error: Errno) {
    if error == Errno::EPIPE && flags & libc::MSG_NOSIGNAL == 0 {
        if let Ok(tgid) = crate::remote::proc::tgid(tid) {
            let _ = process::tgkill(tgid, tid, libc::SIGPIPE);
        }
    }
}

/// The caller's `size` bytes at `data` (which decide nothing: read when
/// they are sent), into `buf`.
fn read_data(job: &Job, data: u64, size: usize, buf: &mut [u8]) -> Result<usize> {
    let size = size.min(buf.len());
    crate::remote::memory::read_exact(job.tid, crate::remote::RemoteAddr(data), &mut buf[..size])?;
    Ok(size)
}

/// Waits until the socket can take data, then `send`s it (without
/// waiting: another sender may have taken the room first, and then
/// this waits again).
fn when_ready(job: &Job, send: impl Fn(BorrowedFd<'_>) -> Result<usize>) -> Result<usize> {
    loop {
        let mut fds = [crate::sys::poll::PollFd::writable(job.fd.as_fd())];
        // EINTR reads as nothing ready: the caller's reason is looked at
        // by the caller of this function.
        crate::sys::poll::poll(&mut fds, None)?;
        if !fds[0].ready() {
            return Err(Errno::EINTR);
        }
        match send(job.fd.as_fd()) {
            Err(Errno::EAGAIN) => continue,
            other => return other,
        }
    }
}

fn watch(listener: BorrowedFd<'static>) {
    let tick = Timespec::from_millis(WATCH_MS);
    loop {
        let key = WATCHER.prepare();
        if BUSY_COUNT.load(Ordering::SeqCst) == 0 {
            WATCHER.wait(key);
            continue;
        }
        WATCHER.wait_timeout(key, Some(&tick));
        let me = process::getpid();
        for slot in SLOTS.iter() {
            if slot.state.load(Ordering::SeqCst) != BUSY {
                continue;
            }
            let helper = slot.helper.load(Ordering::SeqCst);
            let mut why = slot.interrupt.load(Ordering::SeqCst);
            if why == NONE {
                let (id, tid) = (
                    slot.id.load(Ordering::SeqCst),
                    slot.tid.load(Ordering::SeqCst),
                );
                if !notify::id_valid(listener, id) {
                    why = GONE;
                } else if crate::remote::proc::signal_pending(tid).unwrap_or(false) {
                    why = SIGNALLED;
                }
                if why != NONE {
                    slot.interrupt.store(why, Ordering::SeqCst);
                }
            }
            // Again on every tick until the helper is done: a signal
            // that arrives just before it enters its call is lost.
            if why != NONE && helper != 0 {
                let _ = process::tgkill(me, helper, SIGNAL);
            }
        }
    }
}
