//! Waiting on several descriptors at once (`ppoll`).

use super::fd::BorrowedFd;
use super::time::{KernelTimespec, Timespec};
use super::{Errno, Result, check, nr, raw};

/// `struct pollfd`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct PollFd {
    fd: i32,
    events: i16,
    revents: i16,
}

impl PollFd {
    /// Waits for `fd` to become readable.
    pub fn readable(fd: BorrowedFd<'_>) -> PollFd {
        PollFd {
            fd: fd.raw(),
            events: libc::POLLIN,
            revents: 0,
        }
    }

    /// Waits for `fd` to become writable.
    pub fn writable(fd: BorrowedFd<'_>) -> PollFd {
        PollFd {
            fd: fd.raw(),
            events: libc::POLLOUT,
            revents: 0,
        }
    }

    /// Whether the last poll found it ready (readable, or in error).
    pub fn ready(&self) -> bool {
        self.revents != 0
    }

    /// Whether the last poll found data to read.
    pub fn has_input(&self) -> bool {
        self.revents & libc::POLLIN != 0
    }

    /// Whether the last poll found the other end gone (`POLLHUP`): a
    /// seccomp listener whose filter no process uses any more.
    pub fn hung_up(&self) -> bool {
        self.revents & (libc::POLLHUP | libc::POLLERR) != 0
    }
}

/// Waits until one of `fds` is ready or `timeout` passes (`None`:
/// forever). Returns how many are ready; 0 on timeout or `EINTR`.
pub fn poll(fds: &mut [PollFd], timeout: Option<&Timespec>) -> Result<usize> {
    let kernel = timeout.map(KernelTimespec::from);
    let ts = kernel
        .as_ref()
        .map_or(0, |t| t as *const KernelTimespec as usize);
    // SAFETY: the kernel reads and updates `fds.len()` pollfd entries
    // in `fds` (exclusively borrowed) and reads the optional timespec;
    // no signal mask is passed.
    let ret = unsafe { raw::syscall5(nr::PPOLL, fds.as_mut_ptr() as usize, fds.len(), ts, 0, 8) };
    match check(ret) {
        Err(Errno::EINTR) => Ok(0),
        other => other,
    }
}
