//! Running a function in a forked child.

use crate::sys::process::{self, WaitStatus};
use crate::sys::{Errno, Result};

/// Forks and runs `child` in the child process, which exits with what
/// it returns; the parent gets the child's pid and must reap it. The
/// conditions of [`fork_run`] apply.
pub fn spawn(child: impl FnOnce() -> i32) -> Result<process::Pid> {
    if super::thread::live() != 0 {
        return Err(Errno::EBUSY);
    }
    // SAFETY: as in fork_run: no other husk thread exists, and the
    // child leaves through exit_group.
    match unsafe { process::fork() }? {
        0 => process::exit(child()),
        pid => Ok(pid),
    }
}

/// Forks, runs `child` in the child process and exits with what it
/// returns; the parent waits and returns how the child ended.
///
/// Only the calling thread exists in the child. husk has no allocator
/// and no hidden locks, so this cannot corrupt memory, but `child`
/// must not wait on anything another thread of the parent would have
/// released (it would wait forever). Refused with `EBUSY` while
/// threads started by [`super::thread::spawn`] are alive, except in
/// std unit tests, whose harness threads we cannot see.
pub fn fork_run(child: impl FnOnce() -> i32) -> Result<WaitStatus> {
    let pid = spawn(child)?;
    loop {
        if let Some((_, status)) = process::wait4(pid, libc::__WALL)? {
            return Ok(status);
        }
    }
}
