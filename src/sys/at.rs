//! Changing the file system relative to directory descriptors: the
//! calls the notify workers perform for the sandbox, each on a parent
//! directory or an object husk pinned itself.
//!
//! Every path argument is a NUL-terminated `&CStr` that outlives the
//! call; every buffer is exclusively borrowed for it. Those are the
//! whole safety argument of each block below.

use core::ffi::CStr;

use super::fd::{AsFd, BorrowedFd};
use super::{Result, check, nr, raw};

fn fd(d: BorrowedFd<'_>) -> usize {
    d.raw() as usize
}

fn ptr(p: &CStr) -> usize {
    p.as_ptr() as usize
}

/// `mkdirat`.
pub fn mkdirat(dir: impl AsFd, name: &CStr, mode: u32) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall3(nr::MKDIRAT, fd(dir.as_fd()), ptr(name), mode as usize) })
        .map(drop)
}

/// `mknodat`.
pub fn mknodat(dir: impl AsFd, name: &CStr, mode: u32, dev: u64) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe {
        raw::syscall4(
            nr::MKNODAT,
            fd(dir.as_fd()),
            ptr(name),
            mode as usize,
            dev as usize,
        )
    })
    .map(drop)
}

/// `unlinkat`.
pub fn unlinkat(dir: impl AsFd, name: &CStr, flags: u32) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall3(nr::UNLINKAT, fd(dir.as_fd()), ptr(name), flags as usize) })
        .map(drop)
}

/// A call of shape `(dir, name, dir, name, flags)`.
fn two_paths(
    call: usize,
    a: BorrowedFd<'_>,
    from: &CStr,
    b: BorrowedFd<'_>,
    to: &CStr,
    flags: u32,
) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall5(call, fd(a), ptr(from), fd(b), ptr(to), flags as usize) })
        .map(drop)
}

/// `renameat2`.
pub fn renameat2(
    from_dir: impl AsFd,
    from: &CStr,
    to_dir: impl AsFd,
    to: &CStr,
    flags: u32,
) -> Result<()> {
    two_paths(
        nr::RENAMEAT2,
        from_dir.as_fd(),
        from,
        to_dir.as_fd(),
        to,
        flags,
    )
}

/// `linkat` (husk links exactly the object it pinned).
pub fn linkat(
    from_dir: impl AsFd,
    from: &CStr,
    to_dir: impl AsFd,
    to: &CStr,
    flags: u32,
) -> Result<()> {
    two_paths(
        nr::LINKAT,
        from_dir.as_fd(),
        from,
        to_dir.as_fd(),
        to,
        flags,
    )
}

/// `symlinkat(target, dir, name)`.
pub fn symlinkat(target: &CStr, dir: impl AsFd, name: &CStr) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall3(nr::SYMLINKAT, ptr(target), fd(dir.as_fd()), ptr(name)) })
        .map(drop)
}

/// `fchmodat(AT_FDCWD, path, mode)` (follows: husk passes its own
/// `/proc/self/fd/N` of a pinned object).
pub fn chmod(path: &CStr, mode: u32) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe {
        raw::syscall3(
            nr::FCHMODAT,
            libc::AT_FDCWD as isize as usize,
            ptr(path),
            mode as usize,
        )
    })
    .map(drop)
}

/// `fchownat(fd, "", uid, gid, AT_EMPTY_PATH)`: the object itself (an
/// `O_PATH` descriptor of a symbolic link changes the link).
pub fn chown_fd(obj: impl AsFd, uid: u32, gid: u32) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe {
        raw::syscall5(
            nr::FCHOWNAT,
            fd(obj.as_fd()),
            ptr(c""),
            uid as usize,
            gid as usize,
            libc::AT_EMPTY_PATH as usize,
        )
    })
    .map(drop)
}

/// `truncate(path, length)`.
pub fn truncate(path: &CStr, length: i64) -> Result<()> {
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall2(nr::TRUNCATE, ptr(path), length as usize) }).map(drop)
}

/// `utimensat(AT_FDCWD, path, times, flags)`; `None` is "now".
pub fn utimensat(path: &CStr, times: Option<&[libc::timespec; 2]>, flags: u32) -> Result<()> {
    let t = times.map_or(0, |t| t.as_ptr() as usize);
    // SAFETY: see the module docs; `times` is read only.
    check(unsafe {
        raw::syscall4(
            nr::UTIMENSAT,
            libc::AT_FDCWD as isize as usize,
            ptr(path),
            t,
            flags as usize,
        )
    })
    .map(drop)
}

/// `setxattr` (`lsetxattr` with `follow: false`).
pub fn setxattr(path: &CStr, name: &CStr, value: &[u8], flags: u32, follow: bool) -> Result<()> {
    let call = if follow { nr::SETXATTR } else { nr::LSETXATTR };
    // SAFETY: see the module docs; `value` is read only.
    check(unsafe {
        raw::syscall5(
            call,
            ptr(path),
            ptr(name),
            value.as_ptr() as usize,
            value.len(),
            flags as usize,
        )
    })
    .map(drop)
}

/// `removexattr` (`lremovexattr` with `follow: false`).
pub fn removexattr(path: &CStr, name: &CStr, follow: bool) -> Result<()> {
    let call = if follow {
        nr::REMOVEXATTR
    } else {
        nr::LREMOVEXATTR
    };
    // SAFETY: see the module docs.
    check(unsafe { raw::syscall2(call, ptr(path), ptr(name)) }).map(drop)
}

/// `getxattr` (`lgetxattr`); an empty `buf` asks for the size.
pub fn getxattr(path: &CStr, name: &CStr, buf: &mut [u8], follow: bool) -> Result<usize> {
    let call = if follow { nr::GETXATTR } else { nr::LGETXATTR };
    // SAFETY: see the module docs; the kernel writes at most
    // `buf.len()` bytes.
    check(unsafe {
        raw::syscall4(
            call,
            ptr(path),
            ptr(name),
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// `listxattr` (`llistxattr`); an empty `buf` asks for the size.
pub fn listxattr(path: &CStr, buf: &mut [u8], follow: bool) -> Result<usize> {
    let call = if follow {
        nr::LISTXATTR
    } else {
        nr::LLISTXATTR
    };
    // SAFETY: see the module docs; the kernel writes at most
    // `buf.len()` bytes.
    check(unsafe { raw::syscall3(call, ptr(path), buf.as_mut_ptr() as usize, buf.len()) })
}

/// `readlinkat(fd, "", buf)`: the target of the link `fd` is an
/// `O_PATH` descriptor of.
pub fn readlink_fd(obj: impl AsFd, buf: &mut [u8]) -> Result<usize> {
    // SAFETY: see the module docs; the kernel writes at most
    // `buf.len()` bytes.
    check(unsafe {
        raw::syscall4(
            nr::READLINKAT,
            fd(obj.as_fd()),
            ptr(c""),
            buf.as_mut_ptr() as usize,
            buf.len(),
        )
    })
}

/// `inotify_add_watch(fd, path, mask)`; returns the watch descriptor.
pub fn inotify_add_watch(inotify: impl AsFd, path: &CStr, mask: u32) -> Result<i32> {
    // SAFETY: see the module docs.
    check(unsafe {
        raw::syscall3(
            nr::INOTIFY_ADD_WATCH,
            fd(inotify.as_fd()),
            ptr(path),
            mask as usize,
        )
    })
    .map(|wd| wd as i32)
}

/// `file_getattr(AT_FDCWD, path, buf, 0)` (Linux 6.17), following:
/// husk passes its own `/proc/self/fd/N` of a pinned object (the call
/// refuses `O_PATH` descriptors by `AT_EMPTY_PATH`). `buf` is a
/// `struct file_attr` of the caller's size.
pub fn file_getattr(path: &CStr, buf: &mut [u8]) -> Result<()> {
    file_attr(nr::FILE_GETATTR, path, buf.as_mut_ptr() as usize, buf.len())
}

/// `file_setattr(AT_FDCWD, path, buf, 0)` (Linux 6.17), as above.
pub fn file_setattr(path: &CStr, buf: &[u8]) -> Result<()> {
    file_attr(nr::FILE_SETATTR, path, buf.as_ptr() as usize, buf.len())
}

/// The two calls above: `buf` (`len` bytes) is written by the get and
/// read by the set, and borrowed for the call by their callers.
fn file_attr(call: usize, path: &CStr, buf: usize, len: usize) -> Result<()> {
    // SAFETY: see the module docs; `buf`/`len` come from a slice the
    // caller holds (exclusively, for the get) for the call.
    check(unsafe {
        raw::syscall5(
            call,
            libc::AT_FDCWD as isize as usize,
            ptr(path),
            buf,
            len,
            0,
        )
    })
    .map(drop)
}

/// Calls on a descriptor itself (a copy of a caller's).
pub mod on_fd {
    use super::super::fd::AsFd;
    use super::super::{Result, check, nr, raw};
    use core::ffi::CStr;

    fn fd(d: impl AsFd) -> usize {
        d.as_fd().raw() as usize
    }

    /// `fchmod`.
    pub fn fchmod(f: impl AsFd, mode: u32) -> Result<()> {
        // SAFETY: no pointers.
        check(unsafe { raw::syscall2(nr::FCHMOD, fd(f), mode as usize) }).map(drop)
    }

    /// `fchown`.
    pub fn fchown(f: impl AsFd, uid: u32, gid: u32) -> Result<()> {
        // SAFETY: no pointers.
        check(unsafe { raw::syscall3(nr::FCHOWN, fd(f), uid as usize, gid as usize) }).map(drop)
    }

    /// `ftruncate`.
    pub fn ftruncate(f: impl AsFd, length: i64) -> Result<()> {
        // SAFETY: no pointers.
        check(unsafe { raw::syscall2(nr::FTRUNCATE, fd(f), length as usize) }).map(drop)
    }

    /// `fallocate`.
    pub fn fallocate(f: impl AsFd, mode: i32, offset: i64, length: i64) -> Result<()> {
        // SAFETY: no pointers.
        check(unsafe {
            raw::syscall4(
                nr::FALLOCATE,
                fd(f),
                mode as usize,
                offset as usize,
                length as usize,
            )
        })
        .map(drop)
    }

    /// `fsetxattr`.
    pub fn fsetxattr(f: impl AsFd, name: &CStr, value: &[u8], flags: u32) -> Result<()> {
        // SAFETY: `name` is NUL-terminated; `value` is read only.
        check(unsafe {
            raw::syscall5(
                nr::FSETXATTR,
                fd(f),
                name.as_ptr() as usize,
                value.as_ptr() as usize,
                value.len(),
                flags as usize,
            )
        })
        .map(drop)
    }

    /// `fremovexattr`.
    pub fn fremovexattr(f: impl AsFd, name: &CStr) -> Result<()> {
        // SAFETY: `name` is NUL-terminated.
        check(unsafe { raw::syscall2(nr::FREMOVEXATTR, fd(f), name.as_ptr() as usize) }).map(drop)
    }

    /// `fgetxattr` (`name: Some`) or `flistxattr` into `buf`; an empty
    /// `buf` asks for the size.
    pub fn fgetxattr(f: impl AsFd, name: Option<&CStr>, buf: &mut [u8]) -> Result<usize> {
        let (b, n) = (buf.as_mut_ptr() as usize, buf.len());
        // SAFETY: `name` is NUL-terminated; the kernel writes at most
        // `buf.len()` bytes into `buf`.
        check(unsafe {
            match name {
                Some(name) => raw::syscall4(nr::FGETXATTR, fd(f), name.as_ptr() as usize, b, n),
                None => raw::syscall3(nr::FLISTXATTR, fd(f), b, n),
            }
        })
    }
}
