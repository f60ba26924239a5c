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

/// The kernel's `struct timespec` of the calls husk makes with one
/// (`clock_gettime`, `nanosleep`, `futex`, `ppoll`): two `long`s, so 4
/// bytes each on 32-bit ARM. (Its 64-bit-time calls need Linux 5.1;
/// husk's clock is the monotonic one and its timeouts are short, far
/// from 2^31 seconds.) [`Timespec`] is husk's own, the same everywhere.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct KernelTimespec {
    sec: core::ffi::c_long,
    nsec: core::ffi::c_long,
}

impl KernelTimespec {
    /// `ts` in the kernel's layout; seconds beyond a `long` saturate.
    pub fn from(ts: &Timespec) -> KernelTimespec {
        KernelTimespec {
            sec: core::ffi::c_long::try_from(ts.sec).unwrap_or(core::ffi::c_long::MAX),
            nsec: ts.nsec as core::ffi::c_long,
        }
    }

    /// Back in husk's layout.
    #[allow(clippy::useless_conversion)] // a long is an i64 on 64-bit targets
    pub fn get(self) -> Timespec {
        Timespec {
            sec: self.sec.into(),
            nsec: self.nsec.into(),
        }
    }
}

/// Reads `CLOCK_MONOTONIC`.
pub fn monotonic() -> Timespec {
    let mut ts = KernelTimespec::default();
    // SAFETY: the kernel writes one timespec into `ts`.
    let ret = unsafe {
        raw::syscall2(
            nr::CLOCK_GETTIME,
            libc::CLOCK_MONOTONIC as usize,
            &mut ts as *mut KernelTimespec as usize,
        )
    };
    // CLOCK_MONOTONIC always exists; a failure would leave zero, which
    // only makes timings read as zero.
    let _ = check(ret);
    ts.get()
}

/// Sleeps for `duration` (returns early with `EINTR` on a signal).
pub fn sleep(duration: &Timespec) -> Result<()> {
    let ts = KernelTimespec::from(duration);
    // SAFETY: the kernel reads one timespec; no remainder is requested.
    check(unsafe { raw::syscall2(nr::NANOSLEEP, &ts as *const KernelTimespec as usize, 0) })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_and_sleeps_last() {
        let start = monotonic();
        sleep(&Timespec::from_millis(30)).unwrap();
        let waited = monotonic().as_nanos() - start.as_nanos();
        // 30 ms: the sub-second parts survive the kernel's layout.
        assert!((30_000_000..5_000_000_000).contains(&waited), "{waited}");
        assert!(start.nsec < 1_000_000_000 && start.sec > 0, "{start:?}");
    }
}
