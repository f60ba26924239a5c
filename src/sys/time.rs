//! Clocks and sleeping.

use super::{Result, check, nr, raw};

/// `struct timespec` (64-bit fields on every supported architecture).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Timespec {
    /// Seconds.
    pub sec: i64,
    /// Nanoseconds, `0..1_000_000_000`.
    pub nsec: i64,
}

impl Timespec {
    /// From milliseconds.
    pub const fn from_millis(ms: u64) -> Timespec {
        Timespec {
            sec: (ms / 1000) as i64,
            nsec: ((ms % 1000) * 1_000_000) as i64,
        }
    }

    /// As nanoseconds (saturating).
    pub fn as_nanos(self) -> u64 {
        (self.sec as u64)
            .saturating_mul(1_000_000_000)
            .saturating_add(self.nsec as u64)
    }
}

/// Reads `CLOCK_MONOTONIC`.
pub fn monotonic() -> Timespec {
    let mut ts = Timespec::default();
    // SAFETY: the kernel writes one timespec into `ts`.
    let ret = unsafe {
        raw::syscall2(
            nr::CLOCK_GETTIME,
            libc::CLOCK_MONOTONIC as usize,
            &mut ts as *mut Timespec as usize,
        )
    };
    // CLOCK_MONOTONIC always exists; a failure would leave zero, which
    // only makes timings read as zero.
    let _ = check(ret);
    ts
}

/// Sleeps for `duration` (returns early with `EINTR` on a signal).
pub fn sleep(duration: &Timespec) -> Result<()> {
    // SAFETY: the kernel reads one timespec; no remainder is requested.
    check(unsafe { raw::syscall2(nr::NANOSLEEP, duration as *const Timespec as usize, 0) })
        .map(drop)
}
