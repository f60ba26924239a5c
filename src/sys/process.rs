//! Processes and threads: identity, exit, signals to others, prctl,
//! fork and wait.

use super::{Errno, Result, check, nr, raw};

/// A process or thread id.
pub type Pid = i32;

/// Ends the calling thread only (`exit`). Other threads go on.
pub fn exit_thread(code: i32) -> ! {
    loop {
        // SAFETY: the thread ends; nothing runs after this point on it.
        unsafe { raw::syscall1(nr::EXIT, code as usize) };
    }
}

/// Ends the whole process (`exit_group`).
pub fn exit(code: i32) -> ! {
    loop {
        // SAFETY: the process ends; no Rust code runs afterwards.
        unsafe { raw::syscall1(nr::EXIT_GROUP, code as usize) };
    }
}

/// The calling process's id.
pub fn getpid() -> Pid {
    // SAFETY: no arguments, cannot fail.
    unsafe { raw::syscall0(nr::GETPID) as Pid }
}

/// The calling thread's id.
pub fn gettid() -> Pid {
    // SAFETY: no arguments, cannot fail.
    unsafe { raw::syscall0(nr::GETTID) as Pid }
}

/// The parent process's id.
pub fn getppid() -> Pid {
    // SAFETY: no arguments, cannot fail.
    unsafe { raw::syscall0(nr::GETPPID) as Pid }
}

/// Sends `sig` to process `pid` (or a group, per kill(2)'s rules).
pub fn kill(pid: Pid, sig: i32) -> Result<()> {
    // SAFETY: no memory is passed.
    check(unsafe { raw::syscall2(nr::KILL, pid as isize as usize, sig as usize) }).map(drop)
}

/// The process group of process `pid`.
pub fn getpgid(pid: Pid) -> Result<Pid> {
    // SAFETY: no memory is passed.
    check(unsafe { raw::syscall1(nr::GETPGID, pid as usize) }).map(|g| g as Pid)
}

/// Sets the calling process's core file size limit to zero: it dumps
/// no core.
pub fn no_core_dumps() -> Result<()> {
    let none = [0u64; 2];
    // SAFETY: the kernel reads one struct rlimit64 (two u64) from
    // `none` and writes nothing (no old limit asked for).
    check(unsafe {
        raw::syscall4(
            nr::PRLIMIT64,
            0,
            libc::RLIMIT_CORE as usize,
            none.as_ptr() as usize,
            0,
        )
    })
    .map(drop)
}

/// Sends `sig` to thread `tid` of thread group `tgid`.
pub fn tgkill(tgid: Pid, tid: Pid, sig: i32) -> Result<()> {
    // SAFETY: no memory is passed.
    check(unsafe { raw::syscall3(nr::TGKILL, tgid as usize, tid as usize, sig as usize) }).map(drop)
}

fn prctl(op: i32, a: usize, b: usize, c: usize, d: usize) -> Result<usize> {
    // SAFETY: callers in this module pass only integer arguments or
    // pointers valid for the given op.
    check(unsafe { raw::syscall5(nr::PRCTL, op as usize, a, b, c, d) })
}

/// `unshare(flags)` for the calling thread (husk's workers take their
/// own working directory and umask: `CLONE_FS`).
pub fn unshare(flags: i32) -> Result<()> {
    // SAFETY: unshare reads no memory.
    check(unsafe { raw::syscall1(nr::UNSHARE, flags as usize) }).map(drop)
}

/// `PR_SET_NO_NEW_PRIVS`: execve can never grant privileges again.
pub fn set_no_new_privs() -> Result<()> {
    prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0).map(drop)
}

/// `PR_GET_NO_NEW_PRIVS`.
pub fn no_new_privs() -> Result<bool> {
    prctl(libc::PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0).map(|v| v == 1)
}

/// `PR_SET_PDEATHSIG`: `sig` is sent to us when our parent thread dies.
pub fn set_parent_death_signal(sig: i32) -> Result<()> {
    prctl(libc::PR_SET_PDEATHSIG, sig as usize, 0, 0, 0).map(drop)
}

/// `PR_SET_NAME`: the calling thread's name (15 bytes shown).
pub fn set_thread_name(name: &core::ffi::CStr) -> Result<()> {
    // The kernel reads at most 16 bytes of the
    // NUL-terminated string, which outlives the call.
    prctl(libc::PR_SET_NAME, name.as_ptr() as usize, 0, 0, 0).map(drop)
}

/// `PR_SET_DUMPABLE`.
pub fn set_dumpable(on: bool) -> Result<()> {
    prctl(libc::PR_SET_DUMPABLE, on as usize, 0, 0, 0).map(drop)
}

/// Replaces the process image. Returns only on failure.
///
/// # Safety
/// `argv` and `envp` must point to NULL-terminated arrays of pointers
/// to NUL-terminated strings, all valid for the duration of the call.
pub unsafe fn execve(
    path: &core::ffi::CStr,
    argv: *const *const libc::c_char,
    envp: *const *const libc::c_char,
) -> Errno {
    // SAFETY: `path` is NUL-terminated; the arrays are the caller's
    // responsibility (see above). On success nothing returns.
    let ret = unsafe {
        raw::syscall3(
            nr::EXECVE,
            path.as_ptr() as usize,
            argv as usize,
            envp as usize,
        )
    };
    check(ret).err().unwrap_or(Errno::EINVAL)
}

/// The number of CPUs this process may run on.
pub fn cpu_count() -> usize {
    let mut mask = [0u64; 16];
    // SAFETY: the kernel writes at most size_of_val(&mask) bytes into
    // `mask` and returns how many it wrote.
    let ret = unsafe {
        raw::syscall3(
            nr::SCHED_GETAFFINITY,
            0,
            core::mem::size_of_val(&mask),
            mask.as_mut_ptr() as usize,
        )
    };
    match check(ret) {
        Ok(_) => (mask.iter().map(|w| w.count_ones() as usize).sum::<usize>()).max(1),
        Err(_) => 1,
    }
}

/// Forks the process (`clone(SIGCHLD)`, the portable form of fork).
/// Returns the child's pid in the parent and 0 in the child.
///
/// # Safety
/// The child starts with a copy of only the calling thread. If other
/// threads exist, the child must restrict itself to raw system calls
/// and exit without touching state another thread may have held locked.
pub unsafe fn fork() -> Result<Pid> {
    // SAFETY: the caller upholds the single-thread contract; without
    // CLONE_VM the child gets a private copy of our memory and stack,
    // so returning into Rust in both is sound.
    check(unsafe { raw::syscall5(nr::CLONE, libc::SIGCHLD as usize, 0, 0, 0, 0) }).map(|p| p as Pid)
}

/// How a child ended or stopped, decoded from a wait status.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitStatus {
    /// Exited with this code.
    Exited(i32),
    /// Killed by this signal (and whether it dumped core).
    Signaled(i32, bool),
    /// Stopped by this signal; the high bits carry ptrace events.
    Stopped(i32, i32),
    /// Continued by SIGCONT.
    Continued,
}

impl WaitStatus {
    /// Decodes a raw `wait4` status word.
    pub fn from_raw(status: i32) -> WaitStatus {
        let low = status & 0x7f;
        if low == 0 {
            WaitStatus::Exited((status >> 8) & 0xff)
        } else if status == 0xffff {
            WaitStatus::Continued
        } else if status & 0xff == 0x7f {
            WaitStatus::Stopped((status >> 8) & 0xff, status >> 16)
        } else {
            WaitStatus::Signaled(low, status & 0x80 != 0)
        }
    }
}

/// Waits for child `pid` (-1: any) with `options` (`__WALL`, `WNOHANG`...).
/// Returns `None` under `WNOHANG` when nothing changed.
pub fn wait4(pid: Pid, options: i32) -> Result<Option<(Pid, WaitStatus)>> {
    let mut status = 0i32;
    loop {
        // SAFETY: the kernel writes one int into `status`; no rusage.
        let ret = unsafe {
            raw::syscall4(
                nr::WAIT4,
                pid as isize as usize,
                &mut status as *mut i32 as usize,
                options as usize,
                0,
            )
        };
        match check(ret) {
            Ok(0) => return Ok(None),
            Ok(p) => return Ok(Some((p as Pid, WaitStatus::from_raw(status)))),
            Err(Errno::EINTR) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Copies `buf.len()` bytes from address `remote` of process `pid`
/// into `buf` (`process_vm_readv`, one segment each side). Returns the
/// bytes copied, which is short if the remote range crosses into
/// unmapped memory.
pub fn vm_read(pid: Pid, remote: u64, buf: &mut [u8]) -> Result<usize> {
    let local = libc::iovec {
        iov_base: buf.as_mut_ptr().cast(),
        iov_len: buf.len(),
    };
    let remote = libc::iovec {
        iov_base: remote as usize as *mut libc::c_void,
        iov_len: buf.len(),
    };
    // SAFETY: the kernel writes at most buf.len() bytes into `buf`
    // (described by `local`); the remote side is another address space
    // and is only read.
    check(unsafe {
        raw::syscall6(
            nr::PROCESS_VM_READV,
            pid as usize,
            &local as *const libc::iovec as usize,
            1,
            &remote as *const libc::iovec as usize,
            1,
            0,
        )
    })
}

/// Kernel identification (`uname`).
pub struct Uname(libc::utsname);

impl Uname {
    fn field(raw: &[libc::c_char]) -> &[u8] {
        let len = raw.iter().position(|&c| c == 0).unwrap_or(raw.len());
        super::bytes_of_c_chars(&raw[..len])
    }

    /// `sysname` ("Linux").
    pub fn sysname(&self) -> &[u8] {
        Self::field(&self.0.sysname)
    }

    /// `release` ("6.8.0-45-generic").
    pub fn release(&self) -> &[u8] {
        Self::field(&self.0.release)
    }

    /// `machine` ("x86_64").
    pub fn machine(&self) -> &[u8] {
        Self::field(&self.0.machine)
    }

    /// The leading `major.minor` of the release, e.g. `(6, 8)`.
    pub fn version(&self) -> (u32, u32) {
        parse_version(self.release())
    }
}

/// Parses the leading `MAJOR.MINOR` of a kernel release string.
pub fn parse_version(release: &[u8]) -> (u32, u32) {
    let mut parts = [0u32; 2];
    let mut idx = 0;
    for &b in release {
        match b {
            b'0'..=b'9' => {
                parts[idx] = parts[idx]
                    .saturating_mul(10)
                    .saturating_add((b - b'0') as u32)
            }
            b'.' if idx == 0 => idx = 1,
            _ => break,
        }
    }
    (parts[0], parts[1])
}

/// Reads the kernel identification.
pub fn uname() -> Uname {
    // SAFETY: utsname is plain old data; all-zero is a valid value.
    let mut u: libc::utsname = unsafe { core::mem::zeroed() };
    // SAFETY: the kernel writes one utsname into `u`.
    let _ = check(unsafe { raw::syscall1(nr::UNAME, &mut u as *mut libc::utsname as usize) });
    Uname(u)
}

/// `setfsuid` for the calling thread only (the raw call is per thread;
/// libc's wrapper would broadcast it). Returns the previous value.
pub fn set_fs_uid(uid: u32) -> u32 {
    // SAFETY: no pointers.
    unsafe { raw::syscall1(nr::SETFSUID, uid as usize) as u32 }
}

/// `setfsgid` for the calling thread only. Returns the previous value.
pub fn set_fs_gid(gid: u32) -> u32 {
    // SAFETY: no pointers.
    unsafe { raw::syscall1(nr::SETFSGID, gid as usize) as u32 }
}

/// `setresuid(-1, euid, -1)` for the calling thread only: the
/// effective user id (the file system one follows it).
pub fn set_effective_uid(euid: u32) -> Result<()> {
    // SAFETY: no pointers.
    check(unsafe { raw::syscall3(nr::SETRESUID, usize::MAX, euid as usize, usize::MAX) }).map(drop)
}

/// `setresgid(-1, egid, -1)` for the calling thread only.
pub fn set_effective_gid(egid: u32) -> Result<()> {
    // SAFETY: no pointers.
    check(unsafe { raw::syscall3(nr::SETRESGID, usize::MAX, egid as usize, usize::MAX) }).map(drop)
}

/// `setgroups` for the calling thread only.
pub fn set_groups(groups: &[u32]) -> Result<()> {
    // SAFETY: the kernel reads `groups.len()` gid_t (u32) values.
    check(unsafe { raw::syscall2(nr::SETGROUPS, groups.len(), groups.as_ptr() as usize) }).map(drop)
}

/// Capability sets (`_LINUX_CAPABILITY_VERSION_3`, 64 bits each).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Caps {
    /// Effective.
    pub effective: u64,
    /// Permitted.
    pub permitted: u64,
    /// Inheritable.
    pub inheritable: u64,
}

const CAP_V3: u32 = 0x2008_0522;

/// The calling thread's capabilities.
pub fn caps() -> Result<Caps> {
    let header = [CAP_V3, 0u32];
    let mut data = [0u32; 6];
    // SAFETY: the kernel reads the header and writes two
    // __user_cap_data_struct (six u32) into `data`.
    check(unsafe {
        raw::syscall2(
            nr::CAPGET,
            header.as_ptr() as usize,
            data.as_mut_ptr() as usize,
        )
    })?;
    let join = |lo: u32, hi: u32| lo as u64 | (hi as u64) << 32;
    Ok(Caps {
        effective: join(data[0], data[3]),
        permitted: join(data[1], data[4]),
        inheritable: join(data[2], data[5]),
    })
}

/// Sets the calling thread's capabilities (the raw call is per thread).
pub fn set_caps(caps: Caps) -> Result<()> {
    let header = [CAP_V3, 0u32];
    let lo = |v: u64| v as u32;
    let hi = |v: u64| (v >> 32) as u32;
    let data = [
        lo(caps.effective),
        lo(caps.permitted),
        lo(caps.inheritable),
        hi(caps.effective),
        hi(caps.permitted),
        hi(caps.inheritable),
    ];
    // SAFETY: the kernel reads the header and two cap data structs.
    check(unsafe { raw::syscall2(nr::CAPSET, header.as_ptr() as usize, data.as_ptr() as usize) })
        .map(drop)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_wait_status() {
        assert_eq!(WaitStatus::from_raw(42 << 8), WaitStatus::Exited(42));
        assert_eq!(WaitStatus::from_raw(9), WaitStatus::Signaled(9, false));
        assert_eq!(
            WaitStatus::from_raw(11 | 0x80),
            WaitStatus::Signaled(11, true)
        );
        assert_eq!(
            WaitStatus::from_raw((19 << 8) | 0x7f),
            WaitStatus::Stopped(19, 0)
        );
        assert_eq!(WaitStatus::from_raw(0xffff), WaitStatus::Continued);
    }

    #[test]
    fn parses_versions() {
        assert_eq!(parse_version(b"6.18.44-fc"), (6, 18));
        assert_eq!(parse_version(b"5.4"), (5, 4));
        assert_eq!(parse_version(b"junk"), (0, 0));
        assert_eq!(uname().sysname(), b"Linux");
    }

    #[test]
    fn ids_are_positive() {
        assert!(getpid() > 0);
        assert!(gettid() > 0);
        assert!(no_new_privs().is_ok());
    }
}
