//! The queues between the tracer and the workers, and the tracer's
//! wake-up.
//!
//! Workers block on the request queue's futex. The tracer blocks in
//! `ppoll` on a signalfd (SIGCHLD: a tracee stopped) and an eventfd
//! (a verdict is waiting), never on a futex, so it can wait for both
//! at once.
//!
//! No lost wake-up, by a Dekker-style handshake on `tracer_asleep`:
//!
//! - the tracer sets `tracer_asleep`, fences, then checks the response
//!   queue once more before it polls;
//! - a worker pushes its response, fences, then reads `tracer_asleep`
//!   and writes the eventfd if it is set.
//!
//! With both fences sequentially consistent, either the tracer's last
//! check sees the response, or the worker sees the flag and the eventfd
//! becomes readable, which makes the poll return at once (the eventfd
//! is level-triggered: a write before the poll counts). The tracer
//! resets the eventfd only after waking, before draining the queue, so
//! a response pushed during the drain re-arms it.
//!
//! When the tracer is busy (not asleep), workers skip the eventfd
//! write: the common case under load costs no system call.
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicBool, AtomicI32, Ordering, fence};

use super::message::{Request, Response};
use super::queue::Queue;
use crate::limits;
use crate::sys::OwnedFd;
use crate::sys::file;

/// The tracer's and workers' shared state.
pub struct Channels {
    /// Stops for the workers.
    pub requests: Queue<Request, { limits::REQUEST_QUEUE }>,
    /// Verdicts for the tracer.
    pub responses: Queue<Response, { limits::RESPONSE_QUEUE }>,
    tracer_asleep: AtomicBool,
    wake: spin::Once<OwnedFd>,
    /// An `exit` verdict reached outside the queues (a notify worker's):
    /// the status, or [`NO_EXIT`].
    exit: AtomicI32,
}

/// No exit requested.
const NO_EXIT: i32 = i32::MIN;

/// The one set of channels of this process, built on first use: the
/// queues start with non-zero sequence numbers, which as a static
/// initialiser would put some 17 KiB into the binary's data.
static CHANNELS: spin::Once<Channels> = spin::Once::new();

/// The channels.
pub fn channels() -> &'static Channels {
    CHANNELS.call_once(|| Channels {
        requests: Queue::new(),
        responses: Queue::new(),
        tracer_asleep: AtomicBool::new(false),
        wake: spin::Once::new(),
        exit: AtomicI32::new(NO_EXIT),
    })
}

impl Channels {
    /// Installs the tracer's wake-up eventfd (once, before workers run).
    pub fn set_wake_fd(&self, fd: OwnedFd) {
        self.wake.call_once(|| fd);
    }

    /// The wake-up eventfd, for the tracer's poll.
    pub fn wake_fd(&self) -> Option<&OwnedFd> {
        self.wake.get()
    }

    /// Worker side: hands a verdict to the tracer. Fails only when the
    /// queue is closed (husk is shutting down).
    pub fn send_response(&self, response: Response) -> Result<(), Response> {
        self.responses.push_wait(response)?;
        fence(Ordering::SeqCst);
        if self.tracer_asleep.load(Ordering::SeqCst) {
            if let Some(fd) = self.wake.get() {
                // A failed write leaves the counter non-zero or the
                // tracer awake already; either way it will look.
                let _ = file::eventfd_add(fd, 1);
            }
        }
        Ok(())
    }

    /// Any thread: ask the tracer to end the sandbox with `status` (the
    /// first request wins). Wakes the tracer whether or not it sleeps.
    pub fn request_exit(&self, status: i32) {
        let _ = self
            .exit
            .compare_exchange(NO_EXIT, status, Ordering::SeqCst, Ordering::SeqCst);
        if let Some(fd) = self.wake.get() {
            let _ = file::eventfd_add(fd, 1);
        }
    }

    /// Tracer side: the requested exit status, if any.
    pub fn exit_requested(&self) -> Option<i32> {
        match self.exit.load(Ordering::SeqCst) {
            NO_EXIT => None,
            status => Some(status),
        }
    }

    /// Tracer side: announce the intent to sleep. After this, the
    /// tracer must check the response queue once more before polling.
    pub fn tracer_sleeping(&self) {
        self.tracer_asleep.store(true, Ordering::SeqCst);
        fence(Ordering::SeqCst);
    }

    /// Tracer side: awake again.
    pub fn tracer_awake(&self) {
        self.tracer_asleep.store(false, Ordering::SeqCst);
    }
}
