//! What `/proc/PID/...` tells about a tracee: its working directory,
//! the files behind its descriptors, its executable, name, thread
//! group and auxiliary vector.

use core::ffi::CStr;

use crate::sys::file::{self, Dir};
use crate::sys::process::Pid;
use crate::sys::{Errno, Result};

/// A `/proc/PID...` path built on the stack.
pub struct ProcPath {
    buf: [u8; 96],
    len: usize,
}

impl ProcPath {
    /// `/proc/PID`.
    pub fn new(pid: Pid) -> ProcPath {
        let mut p = ProcPath {
            buf: [0; 96],
            len: 0,
        };
        p.push(b"/proc/");
        p.push_number(pid as u64);
        p
    }

    /// `/proc/PID/fd/FD`: the magic link of descriptor `fd` of `pid`.
    pub fn fd(pid: Pid, fd: i32) -> ProcPath {
        let mut p = ProcPath::new(pid);
        p.push(b"/fd/");
        p.push_number(fd as u64);
        p
    }

    /// husk's own link of its descriptor `fd` (`/proc/self/fd/FD`: every
    /// husk thread shares the one descriptor table).
    pub fn own_fd(fd: i32) -> ProcPath {
        let mut p = ProcPath {
            buf: [0; 96],
            len: 0,
        };
        p.push(b"/proc/self/fd/");
        p.push_number(fd as u64);
        p
    }

    /// Appends bytes (silently bounded: every caller appends a few).
    pub fn push(&mut self, bytes: &[u8]) {
        let n = bytes.len().min(self.buf.len() - 1 - self.len);
        self.buf[self.len..self.len + n].copy_from_slice(&bytes[..n]);
        self.len += n;
    }

    /// Appends a decimal number.
    pub fn push_number(&mut self, n: u64) {
        self.push(super::decimal(n, &mut [0u8; 20]));
    }

    /// As a C string (the buffer keeps a NUL after the bytes).
    pub fn as_cstr(&mut self) -> &CStr {
        self.buf[self.len] = 0;
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).unwrap_or(c"/")
    }
}

/// The target of `/proc/PID/<what>` (`cwd`, `exe`, `fd/N`...).
pub fn link<'b>(pid: Pid, what: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8]> {
    let mut path = ProcPath::new(pid);
    path.push(b"/");
    path.push(what);
    file::readlinkat(Dir::Cwd, path.as_cstr(), buf)
}

/// The path behind descriptor `fd` of `pid` (`EBADF` if it is not open).
pub fn fd_path(pid: Pid, fd: i32, buf: &mut [u8]) -> Result<&[u8]> {
    if fd < 0 {
        return Err(Errno::EBADF);
    }
    let mut path = ProcPath::fd(pid, fd);
    file::readlinkat(Dir::Cwd, path.as_cstr(), buf)
        .map_err(|e| if e == Errno::ENOENT { Errno::EBADF } else { e })
}

/// The working directory of `pid`.
pub fn cwd(pid: Pid, buf: &mut [u8]) -> Result<&[u8]> {
    link(pid, b"cwd", buf)
}

/// The name of `pid` (`comm`, at most 15 bytes), or empty.
pub fn comm(pid: Pid, buf: &mut [u8; 32]) -> &[u8] {
    let mut path = ProcPath::new(pid);
    path.push(b"/comm");
    match file::read_small_file(path.as_cstr(), buf) {
        Ok(text) => {
            let n = text.len();
            let end = if n > 0 && buf[n - 1] == b'\n' {
                n - 1
            } else {
                n
            };
            &buf[..end]
        }
        Err(_) => &[],
    }
}

/// The thread group (process) id of thread `tid`.
pub fn tgid(tid: Pid) -> Result<Pid> {
    let value = status_number(tid, b"Tgid:", 10)?;
    Pid::try_from(value).map_err(|_| Errno::EINVAL)
}

/// The file mode creation mask of `tid` (`Umask:` in its status, 4.7+).
pub fn umask(tid: Pid) -> Result<u32> {
    status_number(tid, b"Umask:", 8).map(|m| m as u32 & 0o777)
}

/// Whether `tid` has a signal pending that would interrupt a blocking
/// call: not blocked, not ignored, and not one whose default action is
/// to do nothing (unless a handler catches it). That is: a handler to
/// run, a stop, or a death. (A traced task is not killed at once by a
/// fatal signal: it must leave its call first, so the tracer sees it.)
pub fn signal_pending(tid: Pid) -> Result<bool> {
    // SIGCHLD, SIGCONT, SIGURG, SIGWINCH: ignored by default.
    const QUIET: i64 = 1 << (17 - 1) | 1 << (18 - 1) | 1 << (23 - 1) | 1 << (28 - 1);
    let mut buf = [0u8; 4096];
    let text = status(tid, &mut buf)?;
    let field = |key: &[u8]| field(text, key, 16).ok_or(Errno::EINVAL);
    let pending = field(b"SigPnd:")? | field(b"ShdPnd:")?;
    let caught = field(b"SigCgt:")?;
    let acting = pending & !field(b"SigBlk:")? & !field(b"SigIgn:")? & !(QUIET & !caught);
    Ok(acting != 0)
}

/// Most supplementary groups husk carries over to a worker acting for a
/// caller (more: the call is refused, closed).
pub const MAX_GROUPS: usize = 64;

/// The credentials a file system call is judged with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Creds {
    /// Real, effective, saved and file system user ids.
    pub uid: [u32; 4],
    /// The same four group ids.
    pub gid: [u32; 4],
    /// Supplementary groups.
    pub groups: heapless::Vec<u32, MAX_GROUPS>,
    /// Effective capabilities.
    pub cap_effective: u64,
}

/// The credentials of `tid` (or of husk itself, for `None`).
pub fn creds(tid: Option<Pid>) -> Result<Creds> {
    let mut buf = [0u8; 4096];
    let text = match tid {
        Some(tid) => status(tid, &mut buf)?,
        None => {
            let fd = file::openat(Dir::Cwd, c"/proc/thread-self/status", libc::O_RDONLY, 0)?;
            let n = file::read_full(&fd, &mut buf)?;
            &buf[..n]
        }
    };
    let four = |key: &[u8]| -> Result<[u32; 4]> {
        let line = text
            .split(|&b| b == b'\n')
            .find(|l| l.starts_with(key))
            .ok_or(Errno::EINVAL)?;
        let mut out = [0u32; 4];
        let mut words = line[key.len()..]
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty());
        for v in &mut out {
            *v = decimal_u32(words.next().ok_or(Errno::EINVAL)?)?;
        }
        Ok(out)
    };
    let mut groups = heapless::Vec::new();
    if let Some(line) = text
        .split(|&b| b == b'\n')
        .find(|l| l.starts_with(b"Groups:"))
    {
        for w in line[7..]
            .split(|b| b.is_ascii_whitespace())
            .filter(|w| !w.is_empty())
        {
            groups.push(decimal_u32(w)?).map_err(|_| Errno::E2BIG)?;
        }
    }
    Ok(Creds {
        uid: four(b"Uid:")?,
        gid: four(b"Gid:")?,
        groups,
        cap_effective: field(text, b"CapEff:", 16).ok_or(Errno::EINVAL)? as u64,
    })
}

fn decimal_u32(text: &[u8]) -> Result<u32> {
    if text.is_empty() || text.len() > 10 || !text.iter().all(u8::is_ascii_digit) {
        return Err(Errno::EINVAL);
    }
    let v = text.iter().fold(0u64, |v, &d| v * 10 + (d - b'0') as u64);
    u32::try_from(v).map_err(|_| Errno::EINVAL)
}

/// `/proc/TID/status`, read into `buf`.
fn status(tid: Pid, buf: &mut [u8; 4096]) -> Result<&[u8]> {
    let mut path = ProcPath::new(tid);
    path.push(b"/status");
    let fd = file::openat(Dir::Cwd, path.as_cstr(), libc::O_RDONLY, 0)?;
    let n = file::read_full(&fd, buf)?;
    Ok(&buf[..n])
}

/// The number after `key` in a status text, in `radix` (10, 8 or 16).
fn field(text: &[u8], key: &[u8], radix: u32) -> Option<i64> {
    let line = text.split(|&b| b == b'\n').find(|l| l.starts_with(key))?;
    let digits = line[key.len()..]
        .iter()
        .filter_map(|&b| (b as char).to_digit(radix));
    Some(digits.fold(0i64, |v, d| {
        v.saturating_mul(radix as i64).saturating_add(d as i64)
    }))
}

/// The number after `key` in `/proc/TID/status`, in `radix`.
fn status_number(tid: Pid, key: &[u8], radix: u32) -> Result<i64> {
    let mut buf = [0u8; 4096];
    let text = status(tid, &mut buf)?;
    field(text, key, radix).ok_or(Errno::EINVAL)
}

/// One line of `/proc/PID/maps`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mapping<'a> {
    /// First address.
    pub start: u64,
    /// One past the last.
    pub end: u64,
    /// The file's device, as `stat` gives it (0 for anonymous memory).
    pub dev: u64,
    /// The file's inode (0 for anonymous memory).
    pub ino: u64,
    /// The kernel's text for the file (a hint, never an identity).
    pub path: &'a [u8],
}

/// Calls `f` with each mapping of `pid` that overlaps `[from, to)`, in
/// address order.
pub fn mappings(pid: Pid, from: u64, to: u64, mut f: impl FnMut(&Mapping<'_>)) -> Result<()> {
    let mut path = ProcPath::new(pid);
    path.push(b"/maps");
    let fd = file::openat(Dir::Cwd, path.as_cstr(), libc::O_RDONLY, 0)?;
    // A line is at most a header and a path (PATH_MAX): whole lines are
    // handed on, a partial one is kept for the next read.
    let mut buf = [0u8; 8192];
    let mut kept = 0;
    loop {
        let n = file::read(&fd, &mut buf[kept..])?;
        let filled = kept + n;
        let mut start = 0;
        while let Some(nl) = buf[start..filled].iter().position(|&b| b == b'\n') {
            if let Some(m) = parse_mapping(&buf[start..start + nl]) {
                if m.start < to && m.end > from {
                    f(&m);
                }
            }
            start += nl + 1;
        }
        if n == 0 {
            return Ok(());
        }
        if start == 0 && filled == buf.len() {
            // A line longer than any the kernel writes.
            return Err(Errno::EINVAL);
        }
        buf.copy_within(start..filled, 0);
        kept = filled - start;
    }
}

/// `start-end perms offset major:minor inode   path`.
fn parse_mapping(line: &[u8]) -> Option<Mapping<'_>> {
    let mut rest = line;
    let mut word = || -> Option<&[u8]> {
        let begin = rest.iter().position(|&b| b != b' ')?;
        let r = &rest[begin..];
        let end = r.iter().position(|&b| b == b' ').unwrap_or(r.len());
        rest = &r[end..];
        Some(&r[..end])
    };
    let range = word()?;
    let _perms = word()?;
    let _offset = word()?;
    let dev = word()?;
    let ino = word()?;
    let hex = |t: &[u8]| -> Option<u64> {
        if t.is_empty() || t.len() > 16 {
            return None;
        }
        t.iter().try_fold(0u64, |v, &b| {
            Some(v << 4 | (b as char).to_digit(16)? as u64)
        })
    };
    let dash = range.iter().position(|&b| b == b'-')?;
    let colon = dev.iter().position(|&b| b == b':')?;
    let (major, minor) = (hex(&dev[..colon])?, hex(&dev[colon + 1..])?);
    if ino.is_empty() || ino.len() > 20 || !ino.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let path = match rest.iter().position(|&b| b != b' ') {
        Some(p) => &rest[p..],
        None => &[],
    };
    Some(Mapping {
        start: hex(&range[..dash])?,
        end: hex(&range[dash + 1..])?,
        // The kernel's encoding of a device number in `stat`.
        dev: (major & 0xfff) << 8 | (major & !0xfff) << 32 | (minor & 0xff) | (minor & !0xff) << 12,
        ino: ino.iter().fold(0u64, |v, &d| {
            v.wrapping_mul(10).wrapping_add((d - b'0') as u64)
        }),
        path,
    })
}

/// Entry `key` of `pid`'s auxiliary vector (`AT_EXECFN`...). Its words
/// are husk's own width: the sandbox filter kills every caller of
/// another architecture.
pub fn aux(pid: Pid, key: core::ffi::c_ulong) -> Result<Option<u64>> {
    aux_all(pid, [key]).map(|[v]| v)
}

/// Entries `keys` of `pid`'s auxiliary vector, read once.
pub fn aux_all<const N: usize>(
    pid: Pid,
    keys: [core::ffi::c_ulong; N],
) -> Result<[Option<u64>; N]> {
    let mut found = [None; N];
    let mut path = ProcPath::new(pid);
    path.push(b"/auxv");
    let mut buf = [0u8; 1024];
    let n = {
        let fd = file::openat(Dir::Cwd, path.as_cstr(), libc::O_RDONLY, 0)?;
        file::read_full(&fd, &mut buf)?
    };
    const WORD: usize = core::mem::size_of::<usize>();
    let word = |bytes: &[u8]| usize::from_ne_bytes(bytes.try_into().unwrap_or([0; WORD]));
    for pair in buf[..n].chunks_exact(2 * WORD) {
        let (k, v) = (word(&pair[..WORD]), word(&pair[WORD..]));
        if k == 0 {
            break;
        }
        for (want, slot) in keys.iter().zip(found.iter_mut()) {
            if *want as usize == k && slot.is_none() {
                *slot = Some(v as u64);
            }
        }
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    #[test]
    fn own_credentials_and_signals() {
        let me = crate::sys::process::gettid();
        let c = creds(Some(me)).unwrap();
        let here = creds(None).unwrap();
        assert_eq!(c, here);
        // Against the kernel's own answer.
        let uid = std::fs::read_to_string("/proc/self/status").unwrap();
        let real: u32 = uid
            .lines()
            .find(|l| l.starts_with("Uid:"))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap();
        assert_eq!(c.uid[0], real);
        assert!(umask(me).unwrap() <= 0o777);
        assert!(!signal_pending(me).unwrap());
        assert!(field(b"A:\t1f\nB:\t0022\n", b"B:", 8) == Some(0o22));
        assert!(field(b"A:\t1f\n", b"A:", 16) == Some(0x1f));
    }

    use super::*;
    use crate::sys::process;

    #[test]
    fn mappings_name_files_by_device_and_inode() {
        let m = parse_mapping(
            b"7f1c2a000000-7f1c2a022000 r-xp 00004000 fe:01 247264                     /usr/bin/a b",
        )
        .unwrap();
        assert_eq!((m.start, m.end), (0x7f1c2a000000, 0x7f1c2a022000));
        assert_eq!((m.dev, m.ino), (0xfe01, 247264));
        assert_eq!(m.path, b"/usr/bin/a b");
        let anon = parse_mapping(b"7ffd1000-7ffd2000 rw-p 00000000 00:00 0 ").unwrap();
        assert_eq!((anon.ino, anon.path), (0, &b""[..]));
        assert!(parse_mapping(b"garbage").is_none());
        // Our own text segment: the file this test runs from.
        let exe = std::fs::metadata("/proc/self/exe").unwrap();
        let here = parse_mapping as *const () as usize as u64;
        let mut seen = 0;
        mappings(process::getpid(), here, here + 1, |m| {
            use std::os::unix::fs::MetadataExt;
            assert_eq!((m.dev, m.ino), (exe.dev(), exe.ino()));
            seen += 1;
        })
        .unwrap();
        assert_eq!(seen, 1);
    }

    #[test]
    fn paths_and_links() {
        let mut p = ProcPath::new(1234);
        p.push(b"/fd/");
        p.push_number(7);
        assert_eq!(p.as_cstr().to_bytes(), b"/proc/1234/fd/7");
        let me = process::getpid();
        let mut buf = [0u8; 4096];
        assert!(cwd(me, &mut buf).unwrap().starts_with(b"/"));
        assert_eq!(fd_path(me, 9999, &mut buf), Err(Errno::EBADF));
        assert_eq!(tgid(process::gettid()).unwrap(), me);
        let mut name = [0u8; 32];
        assert!(!comm(me, &mut name).is_empty());
        assert_eq!(aux(me, libc::AT_PAGESZ).unwrap(), Some(4096));
    }
}
