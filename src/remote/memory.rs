//! Reading a tracee's memory: `process_vm_readv`, or `/proc/PID/mem`
//! where cross-memory attach is missing (kernels built without
//! `CONFIG_CROSS_MEMORY_ATTACH`).
//!
//! [`read`] is the one way husk reads tracee memory. Everything else
//! (strings, structures) is built on it and copies into buffers husk
//! owns, so a value checked is a value husk holds, not one the tracee
//! can still change under it.

use core::sync::atomic::{AtomicBool, Ordering};

use super::RemoteAddr;
use crate::sys::file::{self, Dir};
use crate::sys::process::{self, Pid};
use crate::sys::{Errno, Result};

/// Set once `process_vm_readv` turned out to be unavailable.
static USE_PROC_MEM: AtomicBool = AtomicBool::new(false);

const PAGE: u64 = 4096;

/// Reads up to `buf.len()` bytes at `addr` of process `pid`; returns how
/// many were readable (fewer if the range runs into unmapped memory).
/// `EFAULT` if not even the first byte is readable.
pub fn read(pid: Pid, addr: RemoteAddr, buf: &mut [u8]) -> Result<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    if addr.is_null() {
        return Err(Errno::EFAULT);
    }
    if !USE_PROC_MEM.load(Ordering::Relaxed) {
        match process::vm_read(pid, addr.0, buf) {
            Ok(0) => return Err(Errno::EFAULT),
            Ok(n) => return Ok(n),
            Err(Errno::ENOSYS) => USE_PROC_MEM.store(true, Ordering::Relaxed),
            Err(e) => return Err(e),
        }
    }
    read_proc_mem(pid, addr, buf)
}

fn read_proc_mem(pid: Pid, addr: RemoteAddr, buf: &mut [u8]) -> Result<usize> {
    let mut name = super::proc::ProcPath::new(pid);
    name.push(b"/mem");
    let fd = file::openat(Dir::Cwd, name.as_cstr(), libc::O_RDONLY, 0)?;
    match file::pread(&fd, buf, addr.0) {
        Ok(0) | Err(Errno::EIO) => Err(Errno::EFAULT),
        other => other,
    }
}

/// Reads exactly `buf.len()` bytes, or fails with `EFAULT`.
pub fn read_exact(pid: Pid, addr: RemoteAddr, buf: &mut [u8]) -> Result<()> {
    let mut done = 0;
    while done < buf.len() {
        let at = addr.offset(done as u64).ok_or(Errno::EFAULT)?;
        match read(pid, at, &mut buf[done..]) {
            Ok(n) => done += n,
            Err(_) => return Err(Errno::EFAULT),
        }
    }
    Ok(())
}

/// Gathers the data of `count` `struct iovec`s at `iov` (a message's)
/// into `buf`: the bytes read (at most `buf.len()`), and the total the
/// vector asks for (more, for a message larger than `buf`).
pub fn gather(pid: Pid, iov: RemoteAddr, count: u64, buf: &mut [u8]) -> Result<(usize, u64)> {
    // The kernel's UIO_MAXIOV.
    if count > 1024 {
        return Err(Errno::EMSGSIZE);
    }
    // struct iovec { void *base; size_t len; }: two of the caller's
    // words, which are husk's (the filter kills other architectures).
    const WORD: usize = core::mem::size_of::<usize>();
    let word = |b: &[u8]| usize::from_ne_bytes(b.try_into().unwrap_or([0; WORD])) as u64;
    let (mut size, mut total) = (0usize, 0u64);
    for i in 0..count {
        let mut entry = [0u8; 2 * WORD];
        let at = iov.offset(i * 2 * WORD as u64).ok_or(Errno::EFAULT)?;
        read_exact(pid, at, &mut entry)?;
        let (base, len) = (word(&entry[..WORD]), word(&entry[WORD..]));
        total = total.saturating_add(len);
        let take = (len as usize).min(buf.len() - size);
        if take > 0 {
            read_exact(pid, RemoteAddr(base), &mut buf[size..size + take])?;
            size += take;
        }
    }
    Ok((size, total))
}

/// Reads a NUL-terminated string at `addr` into `buf`; returns it
/// without the NUL. `EFAULT` if any byte up to the NUL is unreadable,
/// `ENAMETOOLONG` if no NUL comes within `buf.len()` bytes (for a path,
/// PATH_MAX: what the kernel itself would say).
pub fn read_cstr(pid: Pid, addr: RemoteAddr, buf: &mut [u8]) -> Result<&[u8]> {
    let mut len = 0;
    while len < buf.len() {
        let at = addr.offset(len as u64).ok_or(Errno::EFAULT)?;
        // Read to the end of the page: the next one may be unmapped,
        // and a string may end just before it.
        let room = (PAGE - at.0 % PAGE) as usize;
        let want = room.min(buf.len() - len);
        let got = read(pid, at, &mut buf[len..len + want])?;
        if let Some(nul) = buf[len..len + got].iter().position(|&b| b == 0) {
            return Ok(&buf[..len + nul]);
        }
        len += got;
    }
    Err(Errno::ENAMETOOLONG)
}

#[cfg(test)]
mod tests {
    use super::*;

    // The tests read our own memory: the same calls work on ourselves.
    fn me() -> Pid {
        process::getpid()
    }

    #[test]
    fn reads_strings_and_structures() {
        let text = b"/etc/passwd\0trailing";
        let mut buf = [0u8; 64];
        let got = read_cstr(me(), RemoteAddr(text.as_ptr() as u64), &mut buf).unwrap();
        assert_eq!(got, b"/etc/passwd");
        let value: u64 = 0x1122_3344_5566_7788;
        let mut raw = [0u8; 8];
        read_exact(me(), RemoteAddr(&value as *const u64 as u64), &mut raw).unwrap();
        assert_eq!(u64::from_ne_bytes(raw), value);
    }

    #[test]
    fn faults_and_limits() {
        let mut buf = [0u8; 16];
        assert_eq!(read_cstr(me(), RemoteAddr(0), &mut buf), Err(Errno::EFAULT));
        assert_eq!(read_cstr(me(), RemoteAddr(8), &mut buf), Err(Errno::EFAULT));
        let long = [b'a'; 64];
        assert_eq!(
            read_cstr(me(), RemoteAddr(long.as_ptr() as u64), &mut buf),
            Err(Errno::ENAMETOOLONG)
        );
    }

    #[test]
    fn a_string_ending_at_an_unmapped_page_is_read() {
        // Two pages, the second made inaccessible: a string ending just
        // before the boundary must be read, one crossing it must fault.
        let (page, base) = crate::sys::mm::test_guarded_page();
        page.fill(b'x');
        page[4095] = 0;
        let mut buf = [0u8; 8192];
        let got = read_cstr(me(), RemoteAddr(base + 4000), &mut buf).unwrap();
        assert_eq!(got.len(), 95);
        page[4095] = b'x';
        assert_eq!(
            read_cstr(me(), RemoteAddr(base + 4000), &mut buf),
            Err(Errno::EFAULT)
        );
    }
}
