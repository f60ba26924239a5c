//! sys: the only layer that issues system calls.
//!
//! Every call husk makes has one typed, safe wrapper here, over the raw
//! entry points of the `sc` crate (on 32-bit ARM, of [`svc`]). Errors come back as [`Errno`],
//! decoded in exactly one place ([`check`]). File descriptors are owned
//! ([`fd::OwnedFd`], closed on drop) or borrowed ([`fd::BorrowedFd`]).
//!
//! Must not: call a function of the `libc` crate (only its types and
//! constants are used: a function would link libc.so on the gnu
//! target), allocate, or panic on a kernel error.

pub mod arch;
pub mod at;
pub mod errno;
pub mod fd;
pub mod file;
pub mod futex;
pub mod landlock;
pub mod mm;
pub mod notify;
pub mod nr;
pub mod poll;
pub mod process;
pub mod ptrace;
pub mod seccomp;
pub mod signal;
#[cfg(target_arch = "arm")]
pub mod svc;
pub mod time;

pub use errno::Errno;
pub use fd::{AsFd, BorrowedFd, OwnedFd, RawFd};

/// The result of a system call wrapper.
pub type Result<T> = core::result::Result<T, Errno>;

/// Decodes a raw kernel return value: `-4095..=-1` is an error number,
/// anything else is the result.
#[inline]
pub fn check(ret: usize) -> Result<usize> {
    let signed = ret as isize;
    if (-(Errno::MAX as isize)..0).contains(&signed) {
        Err(Errno(-signed as i32))
    } else {
        Ok(ret)
    }
}

/// Views a C character array (`i8` or `u8` depending on the
/// architecture) as bytes.
pub fn bytes_of_c_chars(chars: &[libc::c_char]) -> &[u8] {
    // SAFETY: c_char and u8 have the same size and alignment and every
    // bit pattern is valid for both; the length and lifetime carry over.
    unsafe { core::slice::from_raw_parts(chars.as_ptr().cast::<u8>(), chars.len()) }
}

/// Raw system call entry points, for the few places outside this
/// module that sanctioned to issue a call of their own (the BPF filter
/// install call). Everything else goes through a typed wrapper.
pub mod raw {
    #[cfg(target_arch = "arm")]
    use super::svc as sc;

    /// Issues system call `nr` with no argument.
    ///
    /// # Safety
    /// The caller guarantees the call has no effect Rust cannot see
    /// (memory it writes, mappings it changes, threads it creates).
    #[inline(always)]
    pub unsafe fn syscall0(nr: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall0(nr) }
    }

    /// Issues system call `nr` with one argument. Contract: [`syscall0`].
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    pub unsafe fn syscall1(nr: usize, a: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall1(nr, a) }
    }

    /// Issues system call `nr` with two arguments.
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    pub unsafe fn syscall2(nr: usize, a: usize, b: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall2(nr, a, b) }
    }

    /// Issues system call `nr` with three arguments.
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    pub unsafe fn syscall3(nr: usize, a: usize, b: usize, c: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall3(nr, a, b, c) }
    }

    /// Issues system call `nr` with four arguments.
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    pub unsafe fn syscall4(nr: usize, a: usize, b: usize, c: usize, d: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall4(nr, a, b, c, d) }
    }

    /// Issues system call `nr` with five arguments.
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    pub unsafe fn syscall5(nr: usize, a: usize, b: usize, c: usize, d: usize, e: usize) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall5(nr, a, b, c, d, e) }
    }

    /// Issues system call `nr` with six arguments.
    ///
    /// # Safety
    /// As [`syscall0`]; pointer arguments must be valid for the call.
    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    pub unsafe fn syscall6(
        nr: usize,
        a: usize,
        b: usize,
        c: usize,
        d: usize,
        e: usize,
        f: usize,
    ) -> usize {
        // SAFETY: forwarded to the caller's contract.
        unsafe { sc::syscall6(nr, a, b, c, d, e, f) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_splits_errors_from_results() {
        assert_eq!(check(0), Ok(0));
        assert_eq!(check(42), Ok(42));
        assert_eq!(check((-13isize) as usize), Err(Errno::EACCES));
        assert_eq!(check((-4095isize) as usize), Err(Errno(4095)));
        // An mmap address in the top page range is not an error unless
        // it falls in the errno window.
        assert_eq!(check((-4096isize) as usize), Ok((-4096isize) as usize));
    }
}
