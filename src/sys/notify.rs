//! seccomp user notification (`SECCOMP_RET_USER_NOTIF`): the listener
//! descriptor's ioctls, and the process calls the emulating workers
//! need around them (pidfds, writing a caller's memory).
//!
//! A notification stays pending until it is answered (SEND, or ADDFD
//! with `SECCOMP_ADDFD_FLAG_SEND`) or its caller dies. Every answer
//! names the notification by its id; the kernel refuses an answer for
//! an id that is no longer pending (ENOENT), so a stale answer can
//! never reach a different call.

use super::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use super::{Errno, Result, check, nr, raw};

/// One notification: who called, and the call (`struct seccomp_notif`).
pub type Notif = libc::seccomp_notif;

/// `SECCOMP_USER_NOTIF_FLAG_CONTINUE`: let the call run as made.
#[allow(clippy::unnecessary_cast)] // a c_ulong on 64-bit targets
pub const FLAG_CONTINUE: u32 = libc::SECCOMP_USER_NOTIF_FLAG_CONTINUE as u32;
/// `SECCOMP_ADDFD_FLAG_SEND`: installing the descriptor also answers
/// the notification, with the new descriptor's number (Linux 5.14).
#[allow(clippy::unnecessary_cast)] // a c_ulong on 64-bit targets
pub const ADDFD_SEND: u32 = libc::SECCOMP_ADDFD_FLAG_SEND as u32;

fn ioctl(fd: BorrowedFd<'_>, request: libc::Ioctl, arg: usize) -> Result<usize> {
    // SAFETY: every caller passes a request whose argument is a pointer
    // to the matching, live structure (or a u64), sized as the kernel's.
    check(unsafe { raw::syscall3(nr::IOCTL, fd.raw() as usize, request as usize, arg) })
}

/// An all-zero notification buffer (the kernel requires zero on RECV).
pub fn empty() -> Notif {
    // SAFETY: seccomp_notif is plain integers; all-zero is valid.
    unsafe { core::mem::zeroed() }
}

/// Waits for the next notification. EINTR and ENOENT (the caller went
/// away before it was read) are the caller's to retry.
pub fn recv(listener: impl AsFd, out: &mut Notif) -> Result<()> {
    *out = empty();
    ioctl(
        listener.as_fd(),
        libc::SECCOMP_IOCTL_NOTIF_RECV,
        out as *mut Notif as usize,
    )
    .map(drop)
}

/// Answers notification `id`: `Ok(value)` makes the call return
/// `value`, `Err(errno)` makes it fail, `continue_` lets it run.
fn send(listener: impl AsFd, id: u64, value: i64, error: i32, flags: u32) -> Result<()> {
    let resp = libc::seccomp_notif_resp {
        id,
        val: value,
        error,
        flags,
    };
    ioctl(
        listener.as_fd(),
        libc::SECCOMP_IOCTL_NOTIF_SEND,
        &resp as *const libc::seccomp_notif_resp as usize,
    )
    .map(drop)
}

/// The call returns `value`.
pub fn reply_value(listener: impl AsFd, id: u64, value: i64) -> Result<()> {
    send(listener, id, value, 0, 0)
}

/// The call fails with `errno`.
pub fn reply_error(listener: impl AsFd, id: u64, errno: Errno) -> Result<()> {
    send(listener, id, 0, -errno.0, 0)
}

/// The call runs as the caller made it.
pub fn reply_continue(listener: impl AsFd, id: u64) -> Result<()> {
    send(listener, id, 0, 0, FLAG_CONTINUE)
}

/// Whether notification `id` is still pending (its caller is still
/// waiting, so the pid and memory husk read are still that caller's).
pub fn id_valid(listener: impl AsFd, id: u64) -> bool {
    ioctl(
        listener.as_fd(),
        libc::SECCOMP_IOCTL_NOTIF_ID_VALID,
        &id as *const u64 as usize,
    )
    .is_ok()
}

/// Installs a copy of `fd` in the caller of `id` and answers the call
/// with its number (`ADDFD_SEND`), `O_CLOEXEC` per `cloexec`.
pub fn add_fd_and_reply(listener: impl AsFd, id: u64, fd: impl AsFd, cloexec: bool) -> Result<i32> {
    let add = libc::seccomp_notif_addfd {
        id,
        flags: ADDFD_SEND,
        srcfd: fd.as_fd().raw() as u32,
        newfd: 0,
        newfd_flags: if cloexec { libc::O_CLOEXEC as u32 } else { 0 },
    };
    ioctl(
        listener.as_fd(),
        libc::SECCOMP_IOCTL_NOTIF_ADDFD,
        &add as *const libc::seccomp_notif_addfd as usize,
    )
    .map(|n| n as i32)
}

/// Asks the kernel to switch straight to the caller when an answer is
/// sent (`SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP`, Linux 6.6): a caller and
/// its worker then hand the CPU to each other like a synchronous call.
pub fn set_sync_wakeup(listener: impl AsFd) -> Result<()> {
    const SYNC_WAKE_UP: usize = 1;
    ioctl(
        listener.as_fd(),
        libc::SECCOMP_IOCTL_NOTIF_SET_FLAGS,
        SYNC_WAKE_UP,
    )
    .map(drop)
}

/// `pidfd_open(pid, 0)`: the process `pid` (a thread-group leader).
pub fn pidfd_open(pid: i32) -> Result<OwnedFd> {
    pidfd_open_flags(pid, 0)
}

/// `pidfd_open(tid, PIDFD_THREAD)` (Linux 6.9): the thread `tid`, so
/// `pidfd_getfd` reads that thread's own descriptor table (one it may
/// have unshared). `EINVAL` from older kernels.
pub fn pidfd_open_thread(tid: i32) -> Result<OwnedFd> {
    // PIDFD_THREAD is O_EXCL.
    pidfd_open_flags(tid, libc::O_EXCL as usize)
}

fn pidfd_open_flags(pid: i32, flags: usize) -> Result<OwnedFd> {
    // SAFETY: no pointers; a success is a new descriptor we own.
    let ret = check(unsafe { raw::syscall2(nr::PIDFD_OPEN, pid as usize, flags) })?;
    // SAFETY: a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw(ret as RawFd) })
}

/// `pidfd_getfd`: a copy (close-on-exec) of descriptor `fd` of the
/// process behind `pidfd` (needs ptrace access to it).
pub fn pidfd_getfd(pidfd: impl AsFd, fd: i32) -> Result<OwnedFd> {
    // SAFETY: no pointers; a success is a new descriptor we own.
    let ret = check(unsafe {
        raw::syscall3(
            nr::PIDFD_GETFD,
            pidfd.as_fd().raw() as usize,
            fd as usize,
            0,
        )
    })?;
    // SAFETY: a fresh descriptor.
    Ok(unsafe { OwnedFd::from_raw(ret as RawFd) })
}

/// Whether our descriptor `ours` is the very open file that thread
/// `tid` has as `fd` (`kcmp(KCMP_FILE)`, in that thread's own table):
/// before Linux 6.9 `pidfd_getfd` can copy only from a process's table,
/// which a thread that unshared its own does not use.
pub fn is_their_file(ours: impl AsFd, tid: i32, fd: i32) -> Result<bool> {
    const KCMP_FILE: usize = 0;
    // husk's threads share one descriptor table (CLONE_FILES): its
    // process's.
    let me = super::process::getpid();
    // SAFETY: no pointers; the kernel compares two descriptors' files.
    let same = check(unsafe {
        raw::syscall5(
            nr::KCMP,
            me as usize,
            tid as usize,
            KCMP_FILE,
            ours.as_fd().raw() as usize,
            fd as usize,
        )
    })?;
    Ok(same == 0)
}

/// Writes `data` into process `pid` at `remote` with
/// `process_vm_writev`, which honours page protections: memory the
/// process could not write itself is not written (EFAULT).
pub fn vm_write(pid: i32, remote: u64, data: &[u8]) -> Result<()> {
    let local = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    let far = libc::iovec {
        iov_base: remote as usize as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: `local` describes `data`, which the kernel only reads;
    // `far` is an address in another process, which the kernel checks.
    let n = check(unsafe {
        raw::syscall6(
            nr::PROCESS_VM_WRITEV,
            pid as usize,
            &local as *const libc::iovec as usize,
            1,
            &far as *const libc::iovec as usize,
            1,
            0,
        )
    })?;
    if n == data.len() {
        Ok(())
    } else {
        Err(Errno::EFAULT)
    }
}

/// Kernel structures made of plain integers, with no padding the
/// kernel would not itself copy out: safe to view as bytes.
///
/// # Safety
/// Implement only for `repr(C)` types of integers whose every byte is
/// initialised (the kernel filled them, or they were zeroed first).
pub unsafe trait Plain: Copy {}

// SAFETY: struct stat and struct statfs are integers only, and husk
// zeroes them before the kernel fills them.
unsafe impl Plain for libc::stat {}
// SAFETY: as above.
unsafe impl Plain for libc::statfs {}
// SAFETY: as above (32-bit ARM's `file::KernelStat`; its padding is
// zeroed with the rest).
#[cfg(target_arch = "arm")]
unsafe impl Plain for libc::stat64 {}

/// Writes `value` into process `pid` at `remote` (see [`vm_write`]).
pub fn vm_write_value<T: Plain>(pid: i32, remote: u64, value: &T) -> Result<()> {
    // SAFETY: `T: Plain` promises every byte of `value` is an
    // initialised integer byte; the slice lives as long as the borrow.
    let bytes = unsafe {
        core::slice::from_raw_parts(value as *const T as *const u8, core::mem::size_of::<T>())
    };
    vm_write(pid, remote, bytes)
}
