//! Signal masks. husk installs no signal handlers: signals it must
//! react to are blocked and read from a signalfd.

use super::{Result, check, nr, raw};

/// A kernel signal set (64 signals on every supported architecture).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigSet(pub u64);

impl SigSet {
    /// The empty set.
    pub const EMPTY: SigSet = SigSet(0);

    /// A set holding `signals`.
    pub const fn of(signals: &[i32]) -> SigSet {
        let mut bits = 0u64;
        let mut i = 0;
        while i < signals.len() {
            bits |= 1 << (signals[i] - 1);
            i += 1;
        }
        SigSet(bits)
    }

    /// Whether `sig` is in the set.
    pub fn contains(self, sig: i32) -> bool {
        (1..=64).contains(&sig) && self.0 & (1 << (sig - 1)) != 0
    }
}

/// How [`set_mask`] changes the mask.
#[derive(Clone, Copy, Debug)]
pub enum How {
    /// Add the set.
    Block = libc::SIG_BLOCK as isize,
    /// Remove the set.
    Unblock = libc::SIG_UNBLOCK as isize,
    /// Replace the mask.
    Set = libc::SIG_SETMASK as isize,
}

/// Changes the calling thread's signal mask; returns the old one.
pub fn set_mask(how: How, set: SigSet) -> Result<SigSet> {
    let mut old = SigSet::EMPTY;
    // SAFETY: the kernel reads one sigset and writes one; size 8.
    check(unsafe {
        raw::syscall4(
            nr::RT_SIGPROCMASK,
            how as usize,
            &set as *const SigSet as usize,
            &mut old as *mut SigSet as usize,
            core::mem::size_of::<SigSet>(),
        )
    })?;
    Ok(old)
}
