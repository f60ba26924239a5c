//! Files and descriptors: open, read, write, close, pipes, eventfd.

use core::ffi::CStr;

use super::fd::{AsFd, BorrowedFd, OwnedFd, RawFd};
use super::{Result, check, nr, raw};

/// The directory a relative path is resolved against.
#[derive(Clone, Copy, Debug)]
pub enum Dir<'a> {
    /// The calling thread's working directory (`AT_FDCWD`).
    Cwd,
    /// An open directory.
    Fd(BorrowedFd<'a>),
}

impl Dir<'_> {
    fn raw(self) -> usize {
        match self {
            Dir::Cwd => libc::AT_FDCWD as isize as usize,
            Dir::Fd(fd) => fd.raw() as usize,
        }
    }
}

/// Opens `path` relative to `dir`. `O_CLOEXEC` is always added: husk
/// never lets its own descriptors leak into the sandbox by accident.
pub fn openat(dir: Dir<'_>, path: &CStr, flags: i32, mode: u32) -> Result<OwnedFd> {
    let flags = flags | libc::O_CLOEXEC;
    // SAFETY: `path` is NUL-terminated and outlives the call; the
    // kernel only reads it. The result is a new descriptor we own.
    let ret = unsafe {
        raw::syscall4(
            nr::OPENAT,
            dir.raw(),
            path.as_ptr() as usize,
            flags as usize,
            mode as usize,
        )
    };
    // SAFETY: a successful openat returns a fresh descriptor.
    check(ret).map(|fd| unsafe { OwnedFd::from_raw(fd as RawFd) })
}

/// Reads into `buf`; returns the number of bytes read (0 at end).
pub fn read(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`,
    // which is exclusively borrowed for the call.
    check(unsafe {
        raw::syscall3(
            nr::READ,
            fd.as_fd().raw() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// Writes from `buf`; returns the number of bytes written.
pub fn write(fd: impl AsFd, buf: &[u8]) -> Result<usize> {
    // SAFETY: the kernel reads at most `buf.len()` bytes from `buf`.
    check(unsafe {
        raw::syscall3(
            nr::WRITE,
            fd.as_fd().raw() as usize,
            buf.as_ptr() as usize,
            buf.len(),
        )
    })
}

/// Writes all of `buf`, retrying short writes and `EINTR`.
pub fn write_all(fd: impl AsFd, mut buf: &[u8]) -> Result<()> {
    let fd = fd.as_fd();
    while !buf.is_empty() {
        match write(fd, buf) {
            Ok(0) => return Err(super::Errno::EIO),
            Ok(n) => buf = &buf[n..],
            Err(super::Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Directory entries of `fd` into `buf` (`getdents64`, or with
/// `legacy` the old `getdents` layout, which only x86_64 and 32-bit ARM
/// have, with `unsigned long` inode and offset): the bytes written, 0 at
/// the end.
pub fn getdents(fd: impl AsFd, buf: &mut [u8], legacy: bool) -> Result<usize> {
    #[cfg(any(target_arch = "x86_64", target_arch = "arm"))]
    let number = if legacy { nr::GETDENTS } else { nr::GETDENTS64 };
    #[cfg(not(any(target_arch = "x86_64", target_arch = "arm")))]
    let number = if legacy {
        return Err(super::Errno::ENOSYS);
    } else {
        nr::GETDENTS64
    };
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    check(unsafe {
        raw::syscall3(
            number,
            fd.as_fd().raw() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// Reads until `buf` is full or the end of the file; returns the
/// number of bytes read.
pub fn read_full(fd: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    let fd = fd.as_fd();
    let mut done = 0;
    while done < buf.len() {
        match read(fd, &mut buf[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(super::Errno::EINTR) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(done)
}

/// Closes a raw descriptor (used by [`OwnedFd`]'s drop).
pub(super) fn close_raw(fd: RawFd) {
    // SAFETY: closing a descriptor touches no memory; ownership was
    // checked by the caller (OwnedFd).
    let _ = unsafe { raw::syscall1(nr::CLOSE, fd as usize) };
}

/// A pipe with both ends close-on-exec: `(read end, write end)`.
pub fn pipe(flags: i32) -> Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: the kernel writes two ints into `fds`.
    check(unsafe {
        raw::syscall2(
            nr::PIPE2,
            fds.as_mut_ptr() as usize,
            (flags | libc::O_CLOEXEC) as usize,
        )
    })?;
    // SAFETY: both descriptors are new and ours.
    Ok(unsafe { (OwnedFd::from_raw(fds[0]), OwnedFd::from_raw(fds[1])) })
}

/// An eventfd counter (close-on-exec).
pub fn eventfd(initial: u32, flags: i32) -> Result<OwnedFd> {
    // SAFETY: no memory is passed.
    let ret = unsafe {
        raw::syscall2(
            nr::EVENTFD2,
            initial as usize,
            (flags | libc::EFD_CLOEXEC) as usize,
        )
    };
    // SAFETY: a new descriptor.
    check(ret).map(|fd| unsafe { OwnedFd::from_raw(fd as RawFd) })
}

/// Reads the target of symbolic link `path` (relative to `dir`) into
/// `buf`; returns the target's bytes. `ENAMETOOLONG` if it does not fit.
pub fn readlinkat<'b>(dir: Dir<'_>, path: &CStr, buf: &'b mut [u8]) -> Result<&'b [u8]> {
    // SAFETY: `path` is NUL-terminated; the kernel writes at most
    // `buf.len()` bytes into `buf`.
    let n = check(unsafe {
        raw::syscall4(
            nr::READLINKAT,
            dir.raw(),
            path.as_ptr() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })?;
    // A full buffer may mean a truncated target.
    if n >= buf.len() {
        return Err(super::Errno::ENAMETOOLONG);
    }
    Ok(&buf[..n])
}

/// What husk needs to know about a file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FileInfo {
    /// `st_mode` (type and permission bits).
    pub mode: u32,
    /// Device.
    pub dev: u64,
    /// Inode.
    pub ino: u64,
}

impl FileInfo {
    /// The file type bits (`S_IFMT`).
    pub fn kind(&self) -> u32 {
        self.mode & libc::S_IFMT
    }
    /// Whether it is a directory.
    pub fn is_dir(&self) -> bool {
        self.kind() == libc::S_IFDIR
    }
    /// Whether it is a symbolic link.
    pub fn is_symlink(&self) -> bool {
        self.kind() == libc::S_IFLNK
    }
}

/// `fstatat`: information about `path` (relative to `dir`); with
/// `follow: false` a final symbolic link is described itself.
pub fn stat_at(dir: Dir<'_>, path: &CStr, follow: bool) -> Result<FileInfo> {
    stat_at_raw(dir, path, follow).map(|raw| raw.info())
}

/// The `struct stat` of the stat call husk issues (`nr::NEWFSTATAT`):
/// `struct stat`, or on 32-bit ARM (`fstatat64`) `struct stat64`, whose
/// inode, size and device are 64 bits wide.
#[cfg(not(target_arch = "arm"))]
pub type KernelStat = libc::stat;
/// The `struct stat` of the stat call husk issues (`nr::NEWFSTATAT`):
/// `struct stat`, or on 32-bit ARM (`fstatat64`) `struct stat64`, whose
/// inode, size and device are 64 bits wide.
#[cfg(target_arch = "arm")]
pub type KernelStat = libc::stat64;

/// A whole `struct stat`, as the kernel filled it.
#[derive(Clone, Copy)]
pub struct RawStat(pub KernelStat);

impl RawStat {
    /// All zero.
    // SAFETY: struct stat is plain old data; all-zero is valid.
    pub const ZERO: RawStat = RawStat(unsafe { core::mem::zeroed() });

    /// The fields husk decides with.
    pub fn info(&self) -> FileInfo {
        FileInfo {
            mode: self.0.st_mode,
            dev: self.0.st_dev,
            ino: self.0.st_ino,
        }
    }
}

impl core::fmt::Debug for RawStat {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("RawStat").field(&self.info()).finish()
    }
}

/// As [`stat_at`], keeping the whole `struct stat`.
pub fn stat_at_raw(dir: Dir<'_>, path: &CStr, follow: bool) -> Result<RawStat> {
    let mut st = RawStat::ZERO;
    let flags = if follow { 0 } else { libc::AT_SYMLINK_NOFOLLOW };
    // SAFETY: `path` is NUL-terminated; the kernel writes one struct
    // stat into `st`.
    check(unsafe {
        raw::syscall4(
            nr::NEWFSTATAT,
            dir.raw(),
            path.as_ptr() as usize,
            &mut st.0 as *mut KernelStat as usize,
            flags as usize,
        )
    })?;
    Ok(st)
}

/// `pread64`: reads at `offset` without moving the file position.
pub fn pread(fd: impl AsFd, buf: &mut [u8], offset: u64) -> Result<usize> {
    // SAFETY: the kernel writes at most `buf.len()` bytes into `buf`.
    #[cfg(target_pointer_width = "64")]
    return check(unsafe {
        raw::syscall4(
            nr::PREAD64,
            fd.as_fd().raw() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            offset as usize,
        )
    });
    // 32-bit ARM (EABI) passes a 64-bit argument in an even/odd
    // register pair, low half first: r4/r5 here, r3 unused.
    // SAFETY: as above.
    #[cfg(target_arch = "arm")]
    return check(unsafe {
        raw::syscall6(
            nr::PREAD64,
            fd.as_fd().raw() as usize,
            buf.as_mut_ptr() as usize,
            buf.len(),
            0,
            offset as u32 as usize,
            (offset >> 32) as usize,
        )
    });
}

/// The calling process's working directory.
pub fn getcwd(buf: &mut [u8]) -> Result<&[u8]> {
    // SAFETY: the kernel writes at most `buf.len()` bytes (the path and
    // its NUL) into `buf`.
    let n = check(unsafe { raw::syscall2(nr::GETCWD, buf.as_mut_ptr() as usize, buf.len()) })?;
    // The length includes the NUL.
    Ok(&buf[..n.saturating_sub(1)])
}

/// Makes the directory behind `fd` the calling thread's working
/// directory (its own, for a thread that unshared `CLONE_FS`).
pub fn fchdir(fd: impl AsFd) -> Result<()> {
    // SAFETY: fchdir reads no memory.
    check(unsafe { raw::syscall1(nr::FCHDIR, fd.as_fd().raw() as usize) }).map(drop)
}

/// `chdir(path)`.
pub fn chdir(path: &CStr) -> Result<()> {
    // SAFETY: `path` is NUL-terminated; the kernel only reads it.
    check(unsafe { raw::syscall1(nr::CHDIR, path.as_ptr() as usize) }).map(drop)
}

/// Adds `n` to an eventfd counter (wakes its pollers).
pub fn eventfd_add(fd: impl AsFd, n: u64) -> Result<()> {
    write(fd, &n.to_ne_bytes()).map(drop)
}

/// Resets a non-blocking eventfd counter; returns what it held (0 if
/// it was already zero).
pub fn eventfd_take(fd: impl AsFd) -> Result<u64> {
    let mut buf = [0u8; 8];
    match read(fd, &mut buf) {
        Ok(_) => Ok(u64::from_ne_bytes(buf)),
        Err(super::Errno::EAGAIN) => Ok(0),
        Err(e) => Err(e),
    }
}

/// Duplicates `old` onto `new` (which is closed first if open).
pub fn dup3(old: impl AsFd, new: RawFd, flags: i32) -> Result<RawFd> {
    // SAFETY: no memory is passed; replacing `new` is the caller's intent.
    check(unsafe {
        raw::syscall3(
            nr::DUP3,
            old.as_fd().raw() as usize,
            new as usize,
            flags as usize,
        )
    })
    .map(|fd| fd as RawFd)
}

/// `fcntl(fd, F_GETFD)`: the descriptor flags, or `EBADF` if `fd` is
/// not open. Takes a raw number because probing unknown numbers is its
/// purpose.
pub fn fd_flags(fd: RawFd) -> Result<i32> {
    // SAFETY: F_GETFD reads no memory.
    check(unsafe { raw::syscall3(nr::FCNTL, fd as usize, libc::F_GETFD as usize, 0) })
        .map(|v| v as i32)
}

/// Marks `fd` close-on-exec: it stays husk's, never the command's.
pub fn set_cloexec(fd: RawFd) -> Result<()> {
    let flags = fd_flags(fd)?;
    // SAFETY: F_SETFD reads no memory.
    check(unsafe {
        raw::syscall3(
            nr::FCNTL,
            fd as usize,
            libc::F_SETFD as usize,
            (flags | libc::FD_CLOEXEC) as usize,
        )
    })
    .map(|_| ())
}

/// Reads the whole of a small file (a /proc or /sys entry) into `buf`;
/// returns the bytes read. `ENOBUFS` if it does not fit.
pub fn read_small_file<'b>(path: &CStr, buf: &'b mut [u8]) -> Result<&'b [u8]> {
    let fd = openat(Dir::Cwd, path, libc::O_RDONLY, 0)?;
    let n = read_full(&fd, buf)?;
    if n == buf.len() {
        let mut probe = [0u8; 1];
        if read(&fd, &mut probe)? != 0 {
            return Err(super::Errno::ENOBUFS);
        }
    }
    Ok(&buf[..n])
}

impl<T: AsFd> AsFd for &T {
    fn as_fd(&self) -> BorrowedFd<'_> {
        (**self).as_fd()
    }
}

/// `struct open_how` for [`openat2`].
#[repr(C)]
struct OpenHow {
    flags: u64,
    mode: u64,
    resolve: u64,
}

/// `openat2`: opens `path` relative to `dir` with `RESOLVE_*` flags
/// `resolve`. `O_CLOEXEC` is always added, as in [`openat`].
pub fn openat2(dir: Dir<'_>, path: &CStr, flags: u64, mode: u64, resolve: u64) -> Result<OwnedFd> {
    let how = OpenHow {
        flags: flags | libc::O_CLOEXEC as u64,
        mode,
        resolve,
    };
    // SAFETY: `path` is NUL-terminated and `how` is a live open_how of
    // the size passed; the kernel only reads both.
    let ret = unsafe {
        raw::syscall4(
            nr::OPENAT2,
            dir.raw(),
            path.as_ptr() as usize,
            &how as *const OpenHow as usize,
            core::mem::size_of::<OpenHow>(),
        )
    };
    // SAFETY: a successful openat2 returns a fresh descriptor.
    check(ret).map(|fd| unsafe { OwnedFd::from_raw(fd as RawFd) })
}

/// `fstatat(fd, "", AT_EMPTY_PATH)` into a raw `struct stat`.
pub fn fstat_raw(fd: impl AsFd) -> Result<KernelStat> {
    // SAFETY: struct stat is plain old data; all-zero is valid.
    let mut st: KernelStat = unsafe { core::mem::zeroed() };
    // SAFETY: "" is NUL-terminated; the kernel writes one struct stat.
    check(unsafe {
        raw::syscall4(
            nr::NEWFSTATAT,
            fd.as_fd().raw() as usize,
            c"".as_ptr() as usize,
            &mut st as *mut KernelStat as usize,
            libc::AT_EMPTY_PATH as usize,
        )
    })?;
    Ok(st)
}

/// `statx(fd, "", AT_EMPTY_PATH | flags, mask)` into `out` (a raw
/// `struct statx`, 256 bytes).
pub fn statx_raw(fd: impl AsFd, flags: u32, mask: u32, out: &mut [u8; 256]) -> Result<()> {
    // SAFETY: "" is NUL-terminated; the kernel writes at most one
    // struct statx (256 bytes) into `out`.
    check(unsafe {
        raw::syscall5(
            nr::STATX,
            fd.as_fd().raw() as usize,
            c"".as_ptr() as usize,
            (flags | libc::AT_EMPTY_PATH as u32) as usize,
            mask as usize,
            out.as_mut_ptr() as usize,
        )
    })
    .map(drop)
}

/// `statx(dir, path, flags, mask)` into `out` (a raw `struct statx`,
/// 256 bytes): a final symbolic link is followed unless `flags` holds
/// `AT_SYMLINK_NOFOLLOW`.
pub fn statx_at_raw(
    dir: Dir<'_>,
    path: &CStr,
    flags: u32,
    mask: u32,
    out: &mut [u8; 256],
) -> Result<()> {
    // SAFETY: `path` is NUL-terminated; the kernel writes at most one
    // struct statx (256 bytes) into `out`.
    check(unsafe {
        raw::syscall5(
            nr::STATX,
            dir.raw(),
            path.as_ptr() as usize,
            flags as usize,
            mask as usize,
            out.as_mut_ptr() as usize,
        )
    })
    .map(drop)
}

/// `fstatfs` into a raw `struct statfs`.
pub fn fstatfs_raw(fd: impl AsFd) -> Result<libc::statfs> {
    // SAFETY: struct statfs is plain old data; all-zero is valid.
    let mut st: libc::statfs = unsafe { core::mem::zeroed() };
    // SAFETY: the kernel writes one struct statfs.
    check(unsafe {
        raw::syscall2(
            nr::FSTATFS,
            fd.as_fd().raw() as usize,
            &mut st as *mut libc::statfs as usize,
        )
    })?;
    Ok(st)
}

/// `faccessat2(fd, "", mode, AT_EMPTY_PATH | flags)`.
pub fn faccess_fd(fd: impl AsFd, mode: u32, flags: u32) -> Result<()> {
    // SAFETY: "" is NUL-terminated; no memory is written.
    check(unsafe {
        raw::syscall4(
            nr::FACCESSAT2,
            fd.as_fd().raw() as usize,
            c"".as_ptr() as usize,
            mode as usize,
            (flags | libc::AT_EMPTY_PATH as u32) as usize,
        )
    })
    .map(drop)
}

/// `umask(mask)`: returns the previous mask (cannot fail).
pub fn umask(mask: u32) -> u32 {
    // SAFETY: no pointers.
    unsafe { raw::syscall1(nr::UMASK, mask as usize) as u32 }
}

/// A call of shape `(fd, addr, addrlen)`.
fn with_address(call: usize, fd: BorrowedFd<'_>, addr: &[u8]) -> Result<()> {
    // SAFETY: the kernel reads `addr.len()` bytes of `addr`.
    check(unsafe { raw::syscall3(call, fd.raw() as usize, addr.as_ptr() as usize, addr.len()) })
        .map(drop)
}

/// `connect(fd, addr)` with a raw socket address.
pub fn connect(fd: impl AsFd, addr: &[u8]) -> Result<()> {
    with_address(nr::CONNECT, fd.as_fd(), addr)
}

/// `bind(fd, addr)` with a raw socket address.
pub fn bind(fd: impl AsFd, addr: &[u8]) -> Result<()> {
    with_address(nr::BIND, fd.as_fd(), addr)
}

/// `listen(fd, backlog)`.
pub fn listen(fd: impl AsFd, backlog: i32) -> Result<()> {
    // SAFETY: listen reads no memory.
    check(unsafe { raw::syscall2(nr::LISTEN, fd.as_fd().raw() as usize, backlog as usize) })
        .map(drop)
}

/// `getsockname(fd)` into `buf`: the socket's local address, its length.
pub fn getsockname(fd: impl AsFd, buf: &mut [u8; 128]) -> Result<usize> {
    let mut len = buf.len() as u32;
    // SAFETY: the kernel writes at most `len` bytes into `buf` and the
    // address's real length into `len`.
    check(unsafe {
        raw::syscall3(
            nr::GETSOCKNAME,
            fd.as_fd().raw() as usize,
            buf.as_mut_ptr() as usize,
            &mut len as *mut u32 as usize,
        )
    })?;
    Ok((len as usize).min(buf.len()))
}

/// `sendto(fd, data, flags, addr)` with a raw socket address.
pub fn sendto(fd: impl AsFd, data: &[u8], flags: i32, addr: &[u8]) -> Result<usize> {
    // SAFETY: the kernel reads `data.len()` bytes of `data` and
    // `addr.len()` bytes of `addr`.
    check(unsafe {
        raw::syscall6(
            nr::SENDTO,
            fd.as_fd().raw() as usize,
            data.as_ptr() as usize,
            data.len(),
            flags as usize,
            addr.as_ptr() as usize,
            addr.len(),
        )
    })
}

/// `sendmsg(fd, msg, flags)` of one buffer, with a raw destination
/// (`name`, empty for none) and raw control data (empty for none).
pub fn sendmsg(
    fd: impl AsFd,
    name: &[u8],
    data: &[u8],
    control: &[u8],
    flags: i32,
) -> Result<usize> {
    let iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: struct msghdr is plain old data; all-zero is valid.
    let mut msg: libc::msghdr = unsafe { core::mem::zeroed() };
    if !name.is_empty() {
        msg.msg_name = name.as_ptr() as *mut libc::c_void;
        msg.msg_namelen = name.len() as u32;
    }
    msg.msg_iov = &iov as *const libc::iovec as *mut libc::iovec;
    msg.msg_iovlen = 1;
    if !control.is_empty() {
        msg.msg_control = control.as_ptr() as *mut libc::c_void;
        msg.msg_controllen = control.len() as _;
    }
    // SAFETY: `msg` points at `iov`, `name`, `data` and `control`, all
    // alive for the call; the kernel only reads them.
    check(unsafe {
        raw::syscall3(
            nr::SENDMSG,
            fd.as_fd().raw() as usize,
            &msg as *const libc::msghdr as usize,
            flags as usize,
        )
    })
}

/// The type of socket `fd` (`SO_TYPE`: `SOCK_STREAM`, `SOCK_DGRAM`...).
pub fn socket_type(fd: impl AsFd) -> Result<i32> {
    let mut value = 0i32;
    let mut len = core::mem::size_of::<i32>() as u32;
    // SAFETY: the kernel writes at most `len` bytes into `value` and
    // the actual length into `len`.
    check(unsafe {
        raw::syscall5(
            nr::GETSOCKOPT,
            fd.as_fd().raw() as usize,
            libc::SOL_SOCKET as usize,
            libc::SO_TYPE as usize,
            &mut value as *mut i32 as usize,
            &mut len as *mut u32 as usize,
        )
    })?;
    Ok(value)
}

/// Sets the file status flags of `fd` (`F_SETFL`).
pub fn set_status_flags(fd: impl AsFd, flags: i32) -> Result<()> {
    // SAFETY: no pointers.
    check(unsafe {
        raw::syscall3(
            nr::FCNTL,
            fd.as_fd().raw() as usize,
            libc::F_SETFL as usize,
            flags as usize,
        )
    })
    .map(drop)
}

/// The file status flags of `fd` (`F_GETFL`).
pub fn status_flags(fd: impl AsFd) -> Result<i32> {
    // SAFETY: no pointers.
    check(unsafe { raw::syscall2(nr::FCNTL, fd.as_fd().raw() as usize, libc::F_GETFL as usize) })
        .map(|v| v as i32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pipe_round_trip() {
        let (r, w) = pipe(0).unwrap();
        write_all(&w, b"hello").unwrap();
        drop(w);
        let mut buf = [0u8; 16];
        assert_eq!(read_full(&r, &mut buf).unwrap(), 5);
        assert_eq!(&buf[..5], b"hello");
        assert!(fd_flags(r.raw()).unwrap() & libc::FD_CLOEXEC != 0);
    }

    #[test]
    fn pread_reads_at_a_64_bit_offset() {
        use std::os::unix::fs::FileExt;
        // A sparse file with bytes past 4 GiB: a 32-bit offset would
        // read the hole (or fail).
        let path = std::env::temp_dir().join(format!("husk-pread-{}", std::process::id()));
        let at = (1u64 << 32) + 5;
        std::fs::File::create(&path)
            .unwrap()
            .write_at(b"husk", at)
            .unwrap();
        let name = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
        let flags = libc::O_RDONLY | libc::O_LARGEFILE;
        let fd = openat(Dir::Cwd, &name, flags, 0).unwrap();
        std::fs::remove_file(&path).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(pread(&fd, &mut buf, at).unwrap(), 4);
        assert_eq!(&buf, b"husk");
        assert_eq!(pread(&fd, &mut buf, 1).unwrap(), 4);
        assert_eq!(buf, [0; 4]);
    }

    #[test]
    fn open_missing_file_is_enoent() {
        assert_eq!(
            openat(Dir::Cwd, c"/nonexistent/husk", libc::O_RDONLY, 0).unwrap_err(),
            super::super::Errno::ENOENT
        );
    }

    #[test]
    fn small_file_overflow_is_enobufs() {
        let mut buf = [0u8; 4];
        assert_eq!(
            read_small_file(c"/proc/self/status", &mut buf).unwrap_err(),
            super::super::Errno::ENOBUFS
        );
        let mut big = [0u8; 64];
        let text = read_small_file(c"/proc/sys/kernel/ostype", &mut big).unwrap();
        assert_eq!(text, b"Linux\n");
    }
}
