//! The worker pool: a fixed number of threads, chosen at start, that
//! take requests from the tracer, decide them, and send verdicts back.
//!
//! Workers never touch ptrace (a kernel rule: only the tracer may).
//! They block on the request queue's futex while idle.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use heapless::Vec;

use super::channels::channels;
use super::message::{Request, Response, Verdict};
use crate::limits;
use crate::rt::thread::{self, JoinHandle};
use crate::supervisor::Filter;
use crate::sys::Result;

/// Decides one request, on worker number `worker` (0 to
/// [`limits::WORKERS`]), which lets the checker keep per-worker scratch
/// memory. The policy's checker in production; tests substitute their
/// own.
pub type Decide = fn(&Request, usize) -> Verdict;

/// The running workers.
pub struct Pool {
    handles: Vec<JoinHandle<()>, { limits::WORKERS }>,
}

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

impl Pool {
    /// Starts `count` workers (1 to [`limits::WORKERS`]), each confined
    /// by `filter` before it takes its first request.
    pub fn start(
        count: usize,
        decide: Decide,
        decided: fn(usize),
        filter: &'static Filter,
    ) -> Result<Pool> {
        let mut handles = Vec::new();
        for i in 0..count.clamp(1, limits::WORKERS) {
            let name = NAMES.get(i).copied().unwrap_or(c"husk-worker");
            let handle = thread::spawn(limits::THREAD_STACK, Some(name), move || {
                work(decide, decided, filter, i)
            })?;
            // Cannot fail: the count is clamped to the capacity.
            let _ = handles.push(handle);
        }
        Ok(Pool { handles })
    }

    /// Closes the queues and waits for every worker to finish.
    pub fn stop(self) {
        channels().requests.close();
        channels().responses.close();
        for handle in self.handles {
            handle.join();
        }
    }
}

fn work(decide: Decide, decided: fn(usize), filter: &'static Filter, index: usize) {
    super::own_fs("worker");
    super::confine_self(filter, "worker");
    while let Some(request) = channels().requests.pop_wait() {
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

/// The default number of workers: the CPUs we may use, at least 2 (so
/// one slow request does not stall the rest) and at most 8.
pub fn default_count() -> usize {
    crate::sys::process::cpu_count().clamp(2, 8)
}
