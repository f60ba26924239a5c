//! Bounded multi-producer multi-consumer queues that link the tracer
//! thread to the workers (requests one way, verdicts the other).
//!
//! Storage is a `heapless::mpmc::Queue` (Vyukov's bounded queue): a
//! power-of-two capacity of at most 128 slots, since husk does not
//! enable heapless's `mpmc_large` (0.8 hung above 256). Waiting is done
//! with futex event counts, never by spinning: one for "an item may be
//! there", one for "a slot may be free".
//!
//! Outcomes are explicit: a push is `Ok`, or hands the item back as
//! [`PushError::Full`] or [`PushError::Closed`] so the caller decides
//! (the tracer denies the system call itself; see DESIGN.md,
//! "Back-pressure"). Nothing is ever dropped silently.
//!
//! About heapless's warning that the queue "is not truly lock-free": a
//! thread pre-empted half-way through a push can make the queue look
//! empty (or, at capacity, full) to others until it resumes. Here that
//! only delays: the pusher notifies *after* its push completes, and
//! every waiter re-checks after each notification, so no item is lost
//! and no waiter sleeps past an item. A spurious `Full` happens only
//! while the queue holds its capacity anyway.
#![forbid(unsafe_code)]

use core::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use heapless::mpmc;

use crate::rt::sync::EventCount;
use crate::sys::time::Timespec;

/// Why a push did not happen; the item comes back.
#[derive(Debug, PartialEq, Eq)]
pub enum PushError<T> {
    /// Every slot is taken.
    Full(T),
    /// The queue was closed (husk is shutting down).
    Closed(T),
}

/// A bounded MPMC queue with blocking and non-blocking operations.
pub struct Queue<T, const N: usize> {
    items: mpmc::Queue<T, N>,
    closed: AtomicBool,
    /// Items in the queue, counted against `limit`.
    len: AtomicUsize,
    /// A run-time capacity at most `N` (see [`Queue::set_limit`]).
    limit: AtomicUsize,
    /// Bumped after every push and on close.
    pushed: EventCount,
    /// Bumped after every pop and on close.
    popped: EventCount,
}

impl<T, const N: usize> Default for Queue<T, N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T, const N: usize> Queue<T, N> {
    /// The number of slots.
    pub const CAPACITY: usize = N;

    /// An empty, open queue. `N` must be a power of two, 2 to 128.
    pub const fn new() -> Self {
        const {
            assert!(
                N.is_power_of_two() && N >= 2 && N <= 128,
                "queue capacity must be a power of two in 2..=128"
            )
        };
        Queue {
            // heapless marks the constructor deprecated to carry the
            // pre-emption caveat discussed in the module docs.
            #[allow(deprecated)]
            items: mpmc::Queue::new(),
            closed: AtomicBool::new(false),
            len: AtomicUsize::new(0),
            limit: AtomicUsize::new(N),
            pushed: EventCount::new(),
            popped: EventCount::new(),
        }
    }

    /// Lowers the capacity to `limit` slots (1 to `N`), to exercise
    /// back-pressure in tests without a special build.
    pub fn set_limit(&self, limit: usize) {
        self.limit.store(limit.clamp(1, N), Ordering::SeqCst);
    }

    /// Pushes without waiting.
    pub fn try_push(&self, item: T) -> Result<(), PushError<T>> {
        if self.is_closed() {
            return Err(PushError::Closed(item));
        }
        // Reserve a slot under the run-time limit first.
        if self.len.fetch_add(1, Ordering::SeqCst) >= self.limit.load(Ordering::Relaxed) {
            self.len.fetch_sub(1, Ordering::SeqCst);
            return Err(PushError::Full(item));
        }
        match self.items.enqueue(item) {
            Ok(()) => {
                self.pushed.notify(1);
                Ok(())
            }
            Err(item) => {
                self.len.fetch_sub(1, Ordering::SeqCst);
                Err(PushError::Full(item))
            }
        }
    }

    /// Pushes, waiting for a free slot while the queue is full. Fails
    /// only when the queue is (or becomes) closed.
    pub fn push_wait(&self, mut item: T) -> Result<(), T> {
        loop {
            match self.try_push(item) {
                Ok(()) => return Ok(()),
                Err(PushError::Closed(back)) => return Err(back),
                Err(PushError::Full(back)) => item = back,
            }
            let key = self.popped.prepare();
            match self.try_push(item) {
                Ok(()) => return Ok(()),
                Err(PushError::Closed(back)) => return Err(back),
                Err(PushError::Full(back)) => item = back,
            }
            self.popped.wait(key);
        }
    }

    /// Pops without waiting.
    pub fn try_pop(&self) -> Option<T> {
        let item = self.items.dequeue()?;
        self.len.fetch_sub(1, Ordering::SeqCst);
        self.popped.notify(1);
        Some(item)
    }

    /// Pops, waiting while the queue is empty. Returns `None` once the
    /// queue is closed and drained.
    pub fn pop_wait(&self) -> Option<T> {
        self.pop_timeout(None)
    }

    /// As [`pop_wait`](Self::pop_wait), but gives up after `timeout`
    /// without an item (returns `None`; check [`is_closed`](Self::is_closed)).
    pub fn pop_timeout(&self, timeout: Option<&Timespec>) -> Option<T> {
        loop {
            if let Some(item) = self.try_pop() {
                return Some(item);
            }
            let key = self.pushed.prepare();
            if let Some(item) = self.try_pop() {
                return Some(item);
            }
            if self.is_closed() {
                // A push that raced with close may have landed: drain.
                return self.try_pop();
            }
            self.pushed.wait_timeout(key, timeout);
            if timeout.is_some() {
                return self.try_pop();
            }
        }
    }

    /// Closes the queue: pushes fail from now on, waiters wake up, and
    /// consumers get the remaining items and then `None`.
    pub fn close(&self) {
        self.closed.store(true, Ordering::SeqCst);
        self.pushed.notify_all();
        self.popped.notify_all();
    }

    /// Whether [`close`](Self::close) was called.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::sync::Arc;
    use std::vec::Vec;

    #[test]
    fn full_then_free_slot() {
        let q: Queue<u32, 4> = Queue::new();
        for i in 0..4 {
            q.try_push(i).unwrap();
        }
        assert_eq!(q.try_push(99), Err(PushError::Full(99)));
        assert_eq!(q.try_pop(), Some(0));
        q.try_push(4).unwrap();
        let drained: Vec<u32> = core::iter::from_fn(|| q.try_pop()).collect();
        assert_eq!(drained, [1, 2, 3, 4]);
        assert_eq!(q.try_pop(), None);
    }

    #[test]
    fn run_time_limit_caps_the_queue() {
        let q: Queue<u32, 8> = Queue::new();
        q.set_limit(2);
        q.try_push(1).unwrap();
        q.try_push(2).unwrap();
        assert_eq!(q.try_push(3), Err(PushError::Full(3)));
        assert_eq!(q.try_pop(), Some(1));
        q.try_push(3).unwrap();
    }

    #[test]
    fn close_refuses_pushes_and_drains() {
        let q: Queue<u32, 8> = Queue::new();
        q.try_push(1).unwrap();
        q.close();
        assert_eq!(q.try_push(2), Err(PushError::Closed(2)));
        assert_eq!(q.push_wait(3), Err(3));
        assert_eq!(q.pop_wait(), Some(1));
        assert_eq!(q.pop_wait(), None);
    }

    #[test]
    fn close_wakes_a_blocked_consumer() {
        let q: Arc<Queue<u32, 2>> = Arc::new(Queue::new());
        let q2 = q.clone();
        let t = std::thread::spawn(move || q2.pop_wait());
        std::thread::sleep(std::time::Duration::from_millis(20));
        q.close();
        assert_eq!(t.join().unwrap(), None);
    }

    #[test]
    fn pop_timeout_gives_up() {
        let q: Queue<u32, 2> = Queue::new();
        assert_eq!(q.pop_timeout(Some(&Timespec::from_millis(5))), None);
    }
}
