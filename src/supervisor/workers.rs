//! The worker pool: a fixed number of threads, chosen at start, that
//! take requests from the tracer, decide them, and send verdicts back.
//!
//! Workers never touch ptrace (a kernel rule: only the tracer may).
//! They block on the request queue's futex while idle.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use core::sync::atomic::{AtomicU32, Ordering};

use super::channels::channels;
use super::message::{Request, Response, Verdict};
use crate::limits;
use crate::rt::thread;
use crate::supervisor::Filter;
use crate::sys::Result;
use crate::sys::futex::{self, Scope};

/// Decides one request, on worker number `worker` (0 to
/// [`limits::WORKERS`]), which lets the checker keep per-worker scratch
/// memory. The policy's checker in production; tests substitute their
/// own.
pub type Decide = fn(&Request, usize) -> Verdict;

/// The running workers.
pub struct Pool {
    _private: (),
}

/// Workers that have not finished; [`Pool::stop`] waits for none.
static RUNNING: AtomicU32 = AtomicU32::new(0);

const NAMES: [&CStr; 8] = [
    c"husk-worker-0",
    c"husk-worker-1",
    c"husk-worker-2",
    c"husk-worker-3",
    c"husk-worker-4",
    c"husk-worker-5",
    c"husk-worker-6",
    c"husk-worker-7",
];

/// What a worker needs.
#[derive(Clone, Copy)]
struct Worker {
    decide: Decide,
    decided: fn(usize),
    filter: &'static Filter,
    index: usize,
    /// Workers in all.
    count: usize,
}

impl Pool {
    /// Starts `count` workers (1 to [`limits::WORKERS`]), confined by
    /// `filter` before any takes its first request: the first confines
    /// itself and, with the first request, starts the others, which
    /// inherit its confinement (one filter install per start, not one
    /// per worker).
    pub fn start(
        count: usize,
        decide: Decide,
        decided: fn(usize),
        filter: &'static Filter,
    ) -> Result<Pool> {
        let count = count.clamp(1, limits::WORKERS);
        // The first; it counts in the others as it starts them.
        RUNNING.store(1, Ordering::SeqCst);
        let first = Worker {
            decide,
            decided,
            filter,
            index: 0,
            count,
        };
        match thread::spawn(limits::THREAD_STACK, Some(NAMES[0]), move || first.run()) {
            // Detached: `stop` waits on RUNNING instead (a worker's stack
            // is husk's until husk exits).
            Ok(handle) => drop(handle),
            Err(e) => {
                RUNNING.store(0, Ordering::SeqCst);
                return Err(e);
            }
        }
        Ok(Pool { _private: () })
    }

    /// Closes the queues and waits for every worker to finish.
    pub fn stop(self) {
        channels().requests.close();
        channels().responses.close();
        loop {
            let running = RUNNING.load(Ordering::SeqCst);
            if running == 0 {
                return;
            }
            let _ = futex::wait(&RUNNING, running, None, Scope::Private);
        }
    }
}

impl Worker {
    fn run(self) {
        super::own_fs("worker");
        if self.index == 0 {
            super::confine_self(self.filter, "worker");
        }
        self.work();
        self.finished();
    }

    /// Starts workers 1 to `count - 1` (on worker 0, with the first
    /// request: a run that sends none, as in notify mode with exec
    /// unchecked, does not wait for threads it never needs). They
    /// inherit this thread's confinement.
    fn start_others(self) {
        for i in 1..self.count {
            // Counted before it runs: `stop` waits for it even if it
            // has not begun (this worker is counted meanwhile).
            RUNNING.fetch_add(1, Ordering::SeqCst);
            let worker = Worker { index: i, ..self };
            let name = NAMES.get(i).copied().unwrap_or(c"husk-worker");
            match thread::spawn(limits::THREAD_STACK, Some(name), move || worker.run()) {
                Ok(handle) => drop(handle),
                // A pool short of a worker would still decide every
                // request, but not as configured: stop husk.
                Err(e) => panic!("husk: cannot start worker {i}: {e}"),
            }
        }
    }

    /// Counts this worker out; the last one out wakes [`Pool::stop`].
    fn finished(self) {
        if RUNNING.fetch_sub(1, Ordering::SeqCst) == 1 {
            futex::wake(&RUNNING, u32::MAX, Scope::Private);
        }
    }

    fn work(self) {
        let Worker {
            decide,
            decided,
            index,
            ..
        } = self;
        let mut others_to_start = index == 0 && self.count > 1;
        while let Some(request) = channels().requests.pop_wait() {
            if others_to_start {
                others_to_start = false;
                self.start_others();
            }
            let verdict = decide(&request, index);
            let response = Response {
                task: request.task(),
                syscall: request.is_syscall(),
                verdict,
            };
            let sent = channels().send_response(response);
            decided(index);
            if sent.is_err() {
                break;
            }
        }
    }
}

/// The default number of workers: the CPUs we may use, at least 2 (so
/// one slow request does not stall the rest) and at most 8.
pub fn default_count() -> usize {
    crate::sys::process::cpu_count().clamp(2, 8)
}
