//! Waiting without spinning: an event count over a futex word.
//!
//! The pattern, for a consumer waiting on some condition C that
//! producers make true and then [`EventCount::notify`]:
//!
//! ```text
//! loop {
//!     if C { break }
//!     let key = ec.prepare();   // read the sequence
//!     if C { break }            // check again, after reading it
//!     ec.wait(key);             // sleeps only if no notify since prepare
//! }
//! ```
//!
//! A notification between `prepare` and `wait` changes the sequence,
//! so the futex wait returns at once: no wake-up is lost. `notify` is
//! cheap when nobody sleeps (one atomic add and one load, no system
//! call).

use core::sync::atomic::{AtomicU32, Ordering};

use crate::sys::futex::{self, Scope};
use crate::sys::time::Timespec;

/// A futex-backed event count (see the module docs for the protocol).
pub struct EventCount {
    seq: AtomicU32,
    sleepers: AtomicU32,
}

impl Default for EventCount {
    fn default() -> Self {
        Self::new()
    }
}

impl EventCount {
    /// A new event count with nobody waiting.
    pub const fn new() -> EventCount {
        EventCount {
            seq: AtomicU32::new(0),
            sleepers: AtomicU32::new(0),
        }
    }

    /// Reads the sequence before re-checking the condition.
    pub fn prepare(&self) -> u32 {
        self.seq.load(Ordering::SeqCst)
    }

    /// Sleeps unless a notification came after `prepare` returned `key`.
    /// May return spuriously: callers re-check their condition.
    pub fn wait(&self, key: u32) {
        self.wait_timeout(key, None);
    }

    /// As [`wait`](Self::wait), giving up after `timeout`.
    pub fn wait_timeout(&self, key: u32, timeout: Option<&Timespec>) {
        // Announce the sleeper before the final check, so a notifier
        // that bumps the sequence after our check sees us and wakes.
        self.sleepers.fetch_add(1, Ordering::SeqCst);
        if self.seq.load(Ordering::SeqCst) == key {
            // Every outcome (woken, changed, signal, timeout) sends the
            // caller back to re-check its condition.
            let _ = futex::wait(&self.seq, key, timeout, Scope::Private);
        }
        self.sleepers.fetch_sub(1, Ordering::SeqCst);
    }

    /// Wakes up to `count` sleepers (after making the condition true).
    pub fn notify(&self, count: u32) {
        self.seq.fetch_add(1, Ordering::SeqCst);
        if self.sleepers.load(Ordering::SeqCst) != 0 {
            futex::wake(&self.seq, count, Scope::Private);
        }
    }

    /// Wakes every sleeper.
    pub fn notify_all(&self) {
        self.notify(i32::MAX as u32);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use core::sync::atomic::AtomicBool;
    use std::sync::Arc;

    #[test]
    fn wait_returns_at_once_after_a_notify() {
        let ec = EventCount::new();
        let key = ec.prepare();
        ec.notify(1);
        // Must not sleep: the sequence moved since `prepare`.
        ec.wait(key);
    }

    #[test]
    fn notify_wakes_a_sleeper() {
        let ec = Arc::new(EventCount::new());
        let flag = Arc::new(AtomicBool::new(false));
        let (ec2, flag2) = (ec.clone(), flag.clone());
        let t = std::thread::spawn(move || {
            while !flag2.load(Ordering::SeqCst) {
                let key = ec2.prepare();
                if flag2.load(Ordering::SeqCst) {
                    break;
                }
                ec2.wait(key);
            }
        });
        std::thread::sleep(std::time::Duration::from_millis(20));
        flag.store(true, Ordering::SeqCst);
        ec.notify(1);
        t.join().unwrap();
    }
}
