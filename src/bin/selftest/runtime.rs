//! Runtime self-tests: threads, futex waiting, queues, lockdown, panics.
//!
//! The `*-fault` and `panic-*` tests are expected to end the process;
//! `tests/runtime.rs` checks how. Everything else returns `Ok` on
//! success.

use core::sync::atomic::{AtomicU8, AtomicU32, AtomicUsize, Ordering};

use husk::rt::lockdown::{self, Sealing};
use husk::rt::sync::EventCount;
use husk::rt::thread::{self, DEFAULT_STACK};
use husk::supervisor::queue::{PushError, Queue};
use husk::sys::{Errno, process};
use husk::{locked, outln};

/// The tests of this module.
pub const TESTS: &[(&str, super::Test)] = &[
    ("threads", threads),
    ("thread-churn", thread_churn),
    ("thread-guard-fault", thread_guard_fault),
    ("futex-pingpong", futex_pingpong),
    ("queue-stress", queue_stress),
    ("queue-full-closed", queue_full_closed),
    ("lockdown", lockdown_seal),
    ("lockdown-fault", lockdown_fault),
    ("panic-thread", panic_thread),
];

fn check(cond: bool, msg: &'static str) -> Result<(), &'static str> {
    if cond { Ok(()) } else { Err(msg) }
}

/// Eight threads, each returning a value computed from its input, with
/// distinct thread ids; all joined.
fn threads() -> Result<(), &'static str> {
    static STARTED: AtomicUsize = AtomicUsize::new(0);
    let mut handles: heapless::Vec<thread::JoinHandle<(u64, i32)>, 8> = heapless::Vec::new();
    for i in 0..8u64 {
        let h = thread::spawn(DEFAULT_STACK, Some(c"husk-test"), move || {
            STARTED.fetch_add(1, Ordering::SeqCst);
            // Use a good part of the stack to show it is really there.
            let mut buf = [0u8; 64 * 1024];
            for (j, b) in buf.iter_mut().enumerate() {
                *b = (j as u64 * i) as u8;
            }
            let sum: u64 = buf.iter().map(|&b| b as u64).sum();
            (sum + i, process::gettid())
        })
        .map_err(|_| "spawn failed")?;
        handles.push(h).map_err(|_| "too many handles")?;
    }
    check(thread::live() == 8, "live count is not 8")?;
    let me = process::gettid();
    let mut tids = [0i32; 8];
    for (i, h) in handles.into_iter().enumerate() {
        let expected_tid = h.tid();
        let (value, tid) = h.join();
        let mut buf_sum = 0u64;
        for j in 0..64 * 1024u64 {
            buf_sum += ((j * i as u64) as u8) as u64;
        }
        check(value == buf_sum + i as u64, "wrong thread result")?;
        check(tid == expected_tid && tid != me, "wrong thread id")?;
        tids[i] = tid;
    }
    tids.sort_unstable();
    check(
        tids.windows(2).all(|w| w[0] != w[1]),
        "duplicate thread ids",
    )?;
    check(STARTED.load(Ordering::SeqCst) == 8, "not every thread ran")?;
    check(thread::live() == 0, "live count is not 0 after join")?;
    Ok(())
}

/// Spawn and join 2000 threads one after the other: every stack must
/// be unmapped again (the mapping count in /proc/self/maps must not
/// grow).
fn thread_churn() -> Result<(), &'static str> {
    let before = map_count()?;
    for i in 0..2000u32 {
        let h =
            thread::spawn(thread::MIN_STACK, None, move || i * 2).map_err(|_| "spawn failed")?;
        check(h.join() == i * 2, "wrong result")?;
    }
    let after = map_count()?;
    check(after <= before + 2, "thread stacks leaked mappings")?;
    Ok(())
}

fn map_count() -> Result<usize, &'static str> {
    let mut buf = [0u8; 64 * 1024];
    let text =
        husk::sys::file::read_small_file(c"/proc/self/maps", &mut buf).map_err(|_| "read maps")?;
    Ok(text.iter().filter(|&&b| b == b'\n').count())
}

/// A thread overflows its stack: it must hit the guard page and the
/// process must die of SIGSEGV (checked by tests/runtime.rs).
fn thread_guard_fault() -> Result<(), &'static str> {
    #[allow(unconditional_recursion)]
    fn recurse(depth: u64, sink: &AtomicU32) -> u64 {
        let mut frame = [depth as u8; 512];
        sink.fetch_add(frame[7] as u32, Ordering::Relaxed);
        frame[0] = core::hint::black_box(frame[1]);
        core::hint::black_box(&frame);
        recurse(depth + 1, sink) + frame[3] as u64
    }
    static SINK: AtomicU32 = AtomicU32::new(0);
    let h =
        thread::spawn(thread::MIN_STACK, None, || recurse(0, &SINK)).map_err(|_| "spawn failed")?;
    let _ = h.join();
    Err("stack overflow did not fault")
}

/// Two threads hand a token back and forth 100 000 times through event
/// counts; a lost wake-up would hang (the integration test has a
/// timeout).
fn futex_pingpong() -> Result<(), &'static str> {
    const ROUNDS: u32 = 100_000;
    static TURN: AtomicU32 = AtomicU32::new(0);
    static EC: EventCount = EventCount::new();

    fn wait_for(parity: u32, round: u32) {
        loop {
            if TURN.load(Ordering::SeqCst) == round * 2 + parity {
                return;
            }
            let key = EC.prepare();
            if TURN.load(Ordering::SeqCst) == round * 2 + parity {
                return;
            }
            EC.wait(key);
        }
    }

    let h = thread::spawn(DEFAULT_STACK, None, || {
        for round in 0..ROUNDS {
            wait_for(1, round);
            TURN.fetch_add(1, Ordering::SeqCst);
            EC.notify_all();
        }
    })
    .map_err(|_| "spawn failed")?;
    for round in 0..ROUNDS {
        wait_for(0, round);
        TURN.fetch_add(1, Ordering::SeqCst);
        EC.notify_all();
    }
    h.join();
    check(
        TURN.load(Ordering::SeqCst) == ROUNDS * 2,
        "wrong number of turns",
    )
}

/// Four producers and four consumers move 4 x 100 000 distinct items
/// through an 8-slot queue (so it is full most of the time). Every item
/// must arrive exactly once.
fn queue_stress() -> Result<(), &'static str> {
    const PRODUCERS: u32 = 4;
    const CONSUMERS: usize = 4;
    const PER_PRODUCER: u32 = 100_000;
    const TOTAL: usize = (PRODUCERS * PER_PRODUCER) as usize;
    static Q: Queue<u32, 8> = Queue::new();
    static SEEN: [AtomicU8; TOTAL] = [const { AtomicU8::new(0) }; TOTAL];
    static FULL_SEEN: AtomicUsize = AtomicUsize::new(0);

    let mut consumers: heapless::Vec<thread::JoinHandle<u32>, CONSUMERS> = heapless::Vec::new();
    for _ in 0..CONSUMERS {
        let h = thread::spawn(DEFAULT_STACK, None, || {
            let mut got = 0u32;
            while let Some(item) = Q.pop_wait() {
                SEEN[item as usize].fetch_add(1, Ordering::Relaxed);
                got += 1;
            }
            got
        })
        .map_err(|_| "spawn failed")?;
        let _ = consumers.push(h);
    }
    let mut producers: heapless::Vec<thread::JoinHandle<()>, 4> = heapless::Vec::new();
    for p in 0..PRODUCERS {
        let h = thread::spawn(DEFAULT_STACK, None, move || {
            for i in 0..PER_PRODUCER {
                let mut item = p * PER_PRODUCER + i;
                // Alternate between the non-blocking push (counting Full
                // outcomes) and the blocking one.
                if i % 2 == 0 {
                    match Q.try_push(item) {
                        Ok(()) => {}
                        Err(PushError::Full(back)) => {
                            FULL_SEEN.fetch_add(1, Ordering::Relaxed);
                            item = back;
                            if Q.push_wait(item).is_err() {
                                panic!("queue closed early");
                            }
                        }
                        Err(PushError::Closed(_)) => panic!("queue closed early"),
                    }
                } else if Q.push_wait(item).is_err() {
                    panic!("queue closed early");
                }
            }
        })
        .map_err(|_| "spawn failed")?;
        let _ = producers.push(h);
    }
    for h in producers {
        h.join();
    }
    Q.close();
    let mut received = 0u32;
    for h in consumers {
        received += h.join();
    }
    check(
        received as usize == TOTAL,
        "items lost or duplicated (count)",
    )?;
    for flag in SEEN.iter() {
        check(
            flag.load(Ordering::Relaxed) == 1,
            "an item was lost or delivered twice",
        )?;
    }
    outln!(
        "queue-stress: {TOTAL} items, {} full pushes seen",
        FULL_SEEN.load(Ordering::Relaxed)
    );
    check(
        FULL_SEEN.load(Ordering::Relaxed) > 0,
        "the queue was never full: the test did not test back-pressure",
    )
}

/// Exact full and closed outcomes at capacity, with a blocked pusher
/// released by close.
fn queue_full_closed() -> Result<(), &'static str> {
    static Q: Queue<u32, 128> = Queue::new();
    for i in 0..128 {
        check(Q.try_push(i).is_ok(), "push below capacity failed")?;
    }
    check(
        Q.try_push(128) == Err(PushError::Full(128)),
        "push at capacity not Full",
    )?;
    // A blocked pusher: released with its item when the queue closes.
    let h = thread::spawn(DEFAULT_STACK, None, || Q.push_wait(7)).map_err(|_| "spawn failed")?;
    let _ = husk::sys::time::sleep(&husk::sys::time::Timespec::from_millis(20));
    Q.close();
    check(h.join() == Err(7), "blocked pusher not released by close")?;
    check(
        Q.try_push(1) == Err(PushError::Closed(1)),
        "push after close not Closed",
    )?;
    for i in 0..128 {
        check(Q.pop_wait() == Some(i), "items out of order after close")?;
    }
    check(
        Q.pop_wait().is_none(),
        "closed, drained queue returned an item",
    )
}

locked! {
    static TABLE: [u64; 1024] = [0; 1024];
}

/// Fills a locked table, seals the region, reads the table back, and
/// checks the kernel refuses to make the region writable again.
fn lockdown_seal() -> Result<(), &'static str> {
    let (start, end) = lockdown::region();
    check(end > start, "lockdown region is empty")?;
    check(
        start % husk::rt::args::page_size() == 0 && end % 4096 == 0,
        "region not page-aligned",
    )?;
    let addr = &raw const TABLE as usize;
    check(
        addr >= start && addr + core::mem::size_of_val(&TABLE) <= end,
        "locked static is outside the region",
    )?;
    TABLE.with_mut(|t| {
        for (i, v) in t.iter_mut().enumerate() {
            *v = i as u64 * 3;
        }
    });
    let sealing = lockdown::seal().map_err(|_| "mprotect failed")?;
    check(TABLE.get()[1023] == 1023 * 3, "locked data changed")?;
    // The kernel must refuse to write into the region for us too.
    let (r, w) = husk::sys::file::pipe(0).map_err(|_| "pipe")?;
    husk::sys::file::write_all(&w, b"x").map_err(|_| "write")?;
    let target = start as *mut u8;
    // SAFETY: deliberately asks the kernel to write into the sealed
    // region; it must refuse with EFAULT and change nothing.
    let ret = unsafe {
        husk::sys::raw::syscall3(husk::sys::nr::READ, r.raw() as usize, target as usize, 1)
    };
    check(
        husk::sys::check(ret) == Err(Errno::EFAULT),
        "kernel wrote into the read-only region",
    )?;
    match sealing {
        Sealing::Sealed => {
            // SAFETY: asks for write access to the sealed region; a
            // sealed mapping must refuse (EPERM) and stay read-only.
            let again = unsafe {
                husk::sys::mm::mprotect(
                    core::ptr::NonNull::new(target).unwrap(),
                    end - start,
                    libc::PROT_READ | libc::PROT_WRITE,
                )
            };
            check(
                again == Err(Errno::EPERM),
                "sealed region could be made writable again",
            )?;
            outln!("lockdown: sealed with mseal");
        }
        Sealing::ReadOnly(e) => outln!("lockdown: read-only, not sealed ({e})"),
    }
    Ok(())
}

/// Writes into the region after sealing: must die of SIGSEGV.
fn lockdown_fault() -> Result<(), &'static str> {
    TABLE.with_mut(|t| t[0] = 1);
    lockdown::seal().map_err(|_| "mprotect failed")?;
    let target = &raw const TABLE as *mut u64;
    // SAFETY: none — this is the fault test. The write must trap
    // (SIGSEGV) because the page is read-only; tests/runtime.rs checks
    // the process died of that signal and never printed below.
    unsafe { core::ptr::write_volatile(target, 2) };
    outln!("lockdown-fault: write after seal succeeded");
    Err("write after seal did not fault")
}

fn fatal_hook() {
    let _ = husk::sys::file::write_all(husk::sys::BorrowedFd::STDERR, b"fatal hook ran\n");
}

/// A worker thread panics: the whole process must exit 101 after
/// printing the message and running the fatal hook.
fn panic_thread() -> Result<(), &'static str> {
    husk::rt::panic::set_fatal_hook(fatal_hook);
    let h = thread::spawn(DEFAULT_STACK, None, || {
        let v = core::hint::black_box(41);
        if v == 41 {
            panic!("deliberate test panic {}", v + 1);
        }
    })
    .map_err(|_| "spawn failed")?;
    h.join();
    // The panic exits the process; reaching here means it did not.
    let _ = husk::sys::time::sleep(&husk::sys::time::Timespec::from_millis(1000));
    Err("panic on a thread did not end the process")
}
