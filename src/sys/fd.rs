//! File descriptors as owned and borrowed types.
//!
//! An [`OwnedFd`] closes its descriptor when dropped; a [`BorrowedFd`]
//! cannot outlive what it borrows from. Descriptors of *another*
//! process (a tracee's fd numbers) are plain integers elsewhere and are
//! never turned into these types.

use core::fmt;
use core::marker::PhantomData;

/// A descriptor number as the kernel sees it.
pub type RawFd = i32;

/// A descriptor this process owns; closed on drop.
pub struct OwnedFd(RawFd);

/// A descriptor borrowed for lifetime `'a`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct BorrowedFd<'a>(RawFd, PhantomData<&'a OwnedFd>);

/// Anything that can lend a descriptor.
pub trait AsFd {
    /// Borrows the descriptor.
    fn as_fd(&self) -> BorrowedFd<'_>;
}

impl OwnedFd {
    /// Takes ownership of `fd`.
    ///
    /// # Safety
    /// `fd` must be open and owned by nobody else: it will be closed
    /// when the result is dropped.
    pub unsafe fn from_raw(fd: RawFd) -> OwnedFd {
        OwnedFd(fd)
    }

    /// The descriptor number (still owned by `self`).
    pub fn raw(&self) -> RawFd {
        self.0
    }

    /// Gives up ownership without closing.
    pub fn into_raw(self) -> RawFd {
        let fd = self.0;
        core::mem::forget(self);
        fd
    }
}

impl Drop for OwnedFd {
    fn drop(&mut self) {
        // Errors from close are not actionable: the descriptor is gone
        // either way (Linux never leaves it open after EINTR).
        super::file::close_raw(self.0);
    }
}

impl AsFd for OwnedFd {
    fn as_fd(&self) -> BorrowedFd<'_> {
        BorrowedFd(self.0, PhantomData)
    }
}

impl fmt::Debug for OwnedFd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "OwnedFd({})", self.0)
    }
}

impl BorrowedFd<'static> {
    /// Standard input. husk's start-up guarantees fds 0-2 are open.
    pub const STDIN: BorrowedFd<'static> = BorrowedFd(0, PhantomData);
    /// Standard output.
    pub const STDOUT: BorrowedFd<'static> = BorrowedFd(1, PhantomData);
    /// Standard error.
    pub const STDERR: BorrowedFd<'static> = BorrowedFd(2, PhantomData);
    /// `AT_FDCWD`: the working directory, as the directory argument of
    /// an `*at` call (never read, written or closed as a descriptor).
    pub const CWD: BorrowedFd<'static> = BorrowedFd(libc::AT_FDCWD, PhantomData);

    /// Borrows a descriptor that stays open for the life of the
    /// process (one husk opened at start-up and never closes).
    ///
    /// # Safety
    /// `fd` must stay open, and keep referring to the same file, for
    /// as long as any copy of the result is used.
    pub const unsafe fn borrow_raw(fd: RawFd) -> BorrowedFd<'static> {
        BorrowedFd(fd, PhantomData)
    }
}

/// The log descriptor (`HUSK_LOG_FD`), borrowed for good. husk checks
/// the number is open when it starts and never closes it.
pub fn log_fd(fd: RawFd) -> BorrowedFd<'static> {
    // SAFETY: only called with the number husk validated at start-up
    // (cli), which nothing in husk closes; writes to it are all husk
    // does with it.
    unsafe { BorrowedFd::borrow_raw(fd) }
}

impl BorrowedFd<'_> {
    /// The descriptor number.
    pub fn raw(self) -> RawFd {
        self.0
    }
}

impl AsFd for BorrowedFd<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        *self
    }
}

impl fmt::Debug for BorrowedFd<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BorrowedFd({})", self.0)
    }
}
