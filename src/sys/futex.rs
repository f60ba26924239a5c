//! futex(2): the only way husk threads wait for each other.
//!
//! The wrappers take an `AtomicU32` reference, so the address is always
//! a valid, aligned word. `Scope::Private` is for words only this
//! process's threads wait on; `Scope::Shared` is needed where the
//! kernel itself wakes the word without the private flag (the
//! `CLONE_CHILD_CLEARTID` wake at thread exit).

use core::sync::atomic::AtomicU32;

use super::time::{KernelTimespec, Timespec};
use super::{Errno, Result, check, nr, raw};

/// Which futex namespace the word lives in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    /// `FUTEX_PRIVATE_FLAG`: cheaper, process-local.
    Private,
    /// No private flag: matches wakes the kernel issues itself.
    Shared,
}

impl Scope {
    fn flag(self) -> i32 {
        match self {
            Scope::Private => libc::FUTEX_PRIVATE_FLAG,
            Scope::Shared => 0,
        }
    }
}

/// Sleeps while `*word == expected`, until woken or `timeout` (relative)
/// passes. Returns `Ok` when woken; `EAGAIN` if the value had already
/// changed, `EINTR` on a signal, `ETIMEDOUT` on timeout.
pub fn wait(
    word: &AtomicU32,
    expected: u32,
    timeout: Option<&Timespec>,
    scope: Scope,
) -> Result<()> {
    let kernel = timeout.map(KernelTimespec::from);
    let ts = kernel
        .as_ref()
        .map_or(0, |t| t as *const KernelTimespec as usize);
    // SAFETY: `word` is a valid aligned u32 for the whole call (the
    // reference keeps it alive); the kernel only reads it and the
    // optional timespec.
    check(unsafe {
        raw::syscall4(
            nr::FUTEX,
            word.as_ptr() as usize,
            (libc::FUTEX_WAIT | scope.flag()) as usize,
            expected as usize,
            ts,
        )
    })
    .map(drop)
}

/// Wakes up to `count` waiters on `word`; returns how many woke.
pub fn wake(word: &AtomicU32, count: u32, scope: Scope) -> usize {
    // SAFETY: the kernel does not access `word`'s memory for a wake.
    let ret = unsafe {
        raw::syscall3(
            nr::FUTEX,
            word.as_ptr() as usize,
            (libc::FUTEX_WAKE | scope.flag()) as usize,
            count as usize,
        )
    };
    // FUTEX_WAKE can only fail for a bad address or op, which the
    // types rule out; report zero woken if it ever does.
    check(ret).unwrap_or(0)
}

/// Errors a waiter treats as "look again": the word changed, or a
/// signal interrupted the sleep.
pub fn is_retry(e: Errno) -> bool {
    e == Errno::EAGAIN || e == Errno::EINTR
}
