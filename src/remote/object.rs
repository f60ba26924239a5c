//! Objects reached through a magic link (`/proc/TID/cwd`, `fd/N`,
//! `exe`, `root`, `map_files/...`), identified by the object itself.
//!
//! The text the kernel gives for such a link is a hint, never an
//! identity: it may end in ` (deleted)`, or name a path in another
//! mount namespace, and a sandboxed program can create a file or
//! symbolic link whose name is exactly that text. So husk first
//! *pins* the object (opens the link `O_PATH`, which reaches the object
//! itself, whatever its name), then *places* it: the text is accepted as
//! the object's path only if opening that text, without following a
//! final link, reaches the same object (device, inode and type) *by the
//! same path* (the kernel's text for the second descriptor is the text
//! itself, so no symbolic link was crossed on the way). An object that
//! cannot be placed (deleted, or outside husk's mount namespace or root)
//! has no path: the checker gives it the verdict of no path at all.
//!
//! Everything after the pin is derived from husk's own descriptor, so
//! the caller changing its working directory or descriptor table in the
//! meantime changes nothing.

use core::ffi::CStr;

use super::path::PATH_MAX;
use super::proc::ProcPath;
use crate::sys::fd::{AsFd, OwnedFd};
use crate::sys::file::{self, Dir, FileInfo, RawStat};
use crate::sys::notify;
use crate::sys::process::Pid;
use crate::sys::{Errno, Result};

/// An object held open `O_PATH`, and what it is.
pub struct Pinned {
    /// husk's own descriptor of the object.
    pub fd: OwnedFd,
    /// Its `struct stat`, taken through that descriptor.
    pub stat: RawStat,
}

impl Pinned {
    /// Device, inode and mode.
    pub fn info(&self) -> FileInfo {
        self.stat.info()
    }
}

/// Where a pinned object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// At this path (the first `len` bytes of the buffer given to
    /// [`place`]), as husk's mount namespace and root name it.
    Path(usize),
    /// Not a file in any file system: a pipe, a socket, an anonymous
    /// inode (the buffer holds the kernel's `pipe:[N]`-style text).
    Anonymous(usize),
    /// Nowhere husk can name: deleted, or outside its namespace or root
    /// (the buffer holds the kernel's text, for the log only).
    Nowhere(usize),
}

/// How many callers' pidfds one [`Handle`] keeps.
pub const HANDLES: usize = 4;

/// Pidfds of the threads whose descriptors were last copied, kept
/// between calls (at most [`HANDLES`], the oldest replaced first): a
/// copy of one descriptor through a pidfd (`pidfd_getfd`) costs less
/// than opening `/proc/TID/fd/N`, but opening the pidfd costs more than
/// both, and a busy sandbox makes its calls from a few threads.
///
/// Keyed by thread id, which the kernel reuses; a pidfd is not: it
/// names one thread for ever. So an entry is used only through
/// `pidfd_getfd`, which fails with ESRCH once its thread is gone (and
/// the entry is then dropped and a fresh pidfd opened): a reused id
/// never reaches the old thread's table, nor the old entry a new
/// thread's. Whoever copies must still confirm the caller was the
/// thread asking (the notify transport: `NOTIF_ID_VALID` after the
/// copy; the ptrace transport: the caller is stopped, its id held).
pub struct Handle {
    entries: [(Pid, Option<OwnedFd>); HANDLES],
    /// Where the next new entry goes.
    next: usize,
    /// Entry `i`'s pidfd is of its thread's process (before Linux 6.9,
    /// for a thread other than the leader), whose descriptor table the
    /// thread may not share.
    of_process: [bool; HANDLES],
}

impl Default for Handle {
    fn default() -> Self {
        Self::new()
    }
}

impl Handle {
    /// None yet.
    pub const fn new() -> Handle {
        Handle {
            entries: [const { (0, None) }; HANDLES],
            next: 0,
            of_process: [false; HANDLES],
        }
    }

    /// Pins descriptor `fd` of thread `tid` (of process `tgid`): a copy
    /// of it, through a pidfd. `Ok(None)` where the kernel has no
    /// `pidfd_getfd` (before Linux 5.6): pin `/proc/TID/fd/N` then.
    pub fn pin_fd(
        &mut self,
        tid: Pid,
        tgid: impl Fn() -> Result<Pid>,
        fd: i32,
    ) -> Result<Option<Pinned>> {
        let copy = match self.copy_fd(tid, tgid, fd) {
            Ok(Some(copy)) => copy,
            // No pidfds; or not the thread's own file (below): pin it
            // through /proc/TID/fd/N instead.
            Ok(None) | Err(Errno::EOPNOTSUPP) => return Ok(None),
            Err(e) => return Err(e),
        };
        let stat = RawStat(file::fstat_raw(&copy)?);
        Ok(Some(Pinned { fd: copy, stat }))
    }

    /// A copy of descriptor `fd` of thread `tid` (of process `tgid`),
    /// through its pidfd. `Ok(None)` where the kernel has no pidfds or
    /// no `pidfd_getfd` (before Linux 5.6). `EOPNOTSUPP` where only the
    /// process's table can be copied from (before 6.9) and the thread's
    /// own descriptor `fd` is another file (`unshare(CLONE_FILES)`):
    /// husk never takes the process's for the thread's.
    pub fn copy_fd(
        &mut self,
        tid: Pid,
        tgid: impl Fn() -> Result<Pid>,
        fd: i32,
    ) -> Result<Option<OwnedFd>> {
        for fresh in [false, true] {
            let slot = match self
                .entries
                .iter()
                .position(|(t, p)| *t == tid && p.is_some())
            {
                Some(i) if !fresh => i,
                found => {
                    // The thread itself (6.9+), else its process.
                    let mut of_process = false;
                    let pidfd = match notify::pidfd_open_thread(tid) {
                        Err(Errno::EINVAL) => {
                            let leader = tgid()?;
                            of_process = tid != leader;
                            notify::pidfd_open(leader)
                        }
                        other => other,
                    };
                    let pidfd = match pidfd {
                        Ok(pidfd) => pidfd,
                        Err(Errno::ENOSYS) => return Ok(None),
                        Err(e) => return Err(e),
                    };
                    let i = found.unwrap_or_else(|| {
                        let i = self.next;
                        self.next = (self.next + 1) % HANDLES;
                        i
                    });
                    self.entries[i] = (tid, Some(pidfd));
                    self.of_process[i] = of_process;
                    i
                }
            };
            let Some(pidfd) = &self.entries[slot].1 else {
                return Ok(None);
            };
            match notify::pidfd_getfd(pidfd, fd) {
                Ok(copy) if self.of_process[slot] && !notify::is_their_file(&copy, tid, fd)? => {
                    return Err(Errno::EOPNOTSUPP);
                }
                Ok(copy) => return Ok(Some(copy)),
                Err(Errno::ENOSYS) => return Ok(None),
                // The thread this pidfd was for is gone (its id now
                // another's): forget it, and once more with a pidfd of
                // the caller.
                Err(Errno::ESRCH) if !fresh => self.entries[slot] = (0, None),
                Err(e) => return Err(e),
            }
        }
        Err(Errno::ESRCH)
    }
}

/// Pins the object behind magic link `link` (followed).
pub fn pin(link: &CStr) -> Result<Pinned> {
    let fd = file::openat(Dir::Cwd, link, libc::O_PATH, 0)?;
    let stat = RawStat(file::fstat_raw(&fd)?);
    Ok(Pinned { fd, stat })
}

/// Pins what `name` names relative to the pinned directory `dir`,
/// without following a final link (`..` for a directory's parent).
pub fn pin_at(dir: &Pinned, name: &CStr) -> Result<Pinned> {
    let fd = file::openat(
        Dir::Fd(dir.fd.as_fd()),
        name,
        libc::O_PATH | libc::O_NOFOLLOW,
        0,
    )?;
    let stat = RawStat(file::fstat_raw(&fd)?);
    Ok(Pinned { fd, stat })
}

/// The object behind husk's descriptor `fd`, opened again `O_PATH` (a
/// second descriptor of it).
pub fn reopen_fd(fd: &OwnedFd) -> Result<OwnedFd> {
    let mut own = ProcPath::own_fd(fd.as_fd().raw());
    file::openat(Dir::Cwd, own.as_cstr(), libc::O_PATH, 0)
}

/// Whether two descriptions name one object: device, inode and type.
pub fn same(a: FileInfo, b: FileInfo) -> bool {
    a.dev == b.dev && a.ino == b.ino && a.kind() == b.kind()
}

/// Where `pinned` is: its path if it can be established, into `buf`.
/// A directory is placed by [`place_dir`].
pub fn place(pinned: &Pinned, buf: &mut [u8; PATH_MAX]) -> Result<Place> {
    if pinned.info().is_dir() {
        if let Some(place) = place_dir(pinned, buf)? {
            return Ok(place);
        }
    }
    let mut own = ProcPath::own_fd(pinned.fd.as_fd().raw());
    let len = file::readlinkat(Dir::Cwd, own.as_cstr(), &mut buf[..])?.len();
    let text = &buf[..len];
    if text.first() != Some(&b'/') {
        return Ok(Place::Anonymous(len));
    }
    if names(text, pinned.info(), true) {
        Ok(Place::Path(len))
    } else {
        Ok(Place::Nowhere(len))
    }
}

/// Where the pinned directory is, by the kernel's own answer for a
/// working directory (`getcwd`): it names a linked directory reachable
/// from husk's root by its path, and says when there is none (`ENOENT`
/// for a removed one, `(unreachable)...` for one outside husk's root or
/// mount namespace), so there is nothing to confirm. Asked on the
/// calling thread's own working directory (each worker has its own:
/// `CLONE_FS` unshared), which goes back to `/` at once (the resolver's
/// own looks stay where they entered: `resolve::enter_start`, which
/// places the caller's start directories the same way). `None` if husk
/// may not enter it (a husk that
/// is not root, without search permission): then the text is confirmed
/// as for any other object. `ENAMETOOLONG` for a path longer than
/// `PATH_MAX` (README, "Capacities").
fn place_dir(pinned: &Pinned, buf: &mut [u8; PATH_MAX]) -> Result<Option<Place>> {
    if file::fchdir(&pinned.fd).is_err() {
        return Ok(None);
    }
    let got = file::getcwd(&mut buf[..]).map(|text| (text.len(), text.first() == Some(&b'/')));
    // Leaving cannot fail (`/` is always searchable), and if it did,
    // the next fchdir replaces it anyway.
    let _ = file::chdir(c"/");
    match got {
        Ok((len, true)) => Ok(Some(Place::Path(len))),
        Ok((len, false)) => Ok(Some(Place::Nowhere(len))),
        Err(Errno::ERANGE | Errno::ENAMETOOLONG) => Err(Errno::ENAMETOOLONG),
        Err(_) => {
            // Removed (ENOENT): no path. The kernel's text, for the log.
            let mut own = ProcPath::own_fd(pinned.fd.as_fd().raw());
            let len =
                file::readlinkat(Dir::Cwd, own.as_cstr(), &mut buf[..]).map_or(0, |t| t.len());
            Ok(Some(Place::Nowhere(len)))
        }
    }
}

/// Whether absolute `text` is a path of the object `info` describes
/// (its type too, if `typed`): opened afresh without following a final
/// link, it reaches the same object, *by that very path* (a symbolic
/// link crossed on the way would show in the kernel's text for the
/// descriptor opened).
pub fn names(text: &[u8], info: FileInfo, typed: bool) -> bool {
    if text.first() != Some(&b'/') || text.len() >= PATH_MAX {
        return false;
    }
    let mut owned = [0u8; PATH_MAX + 1];
    owned[..text.len()].copy_from_slice(text);
    let Ok(cstr) = CStr::from_bytes_until_nul(&owned) else {
        return false;
    };
    let Ok(again) = file::openat(Dir::Cwd, cstr, libc::O_PATH | libc::O_NOFOLLOW, 0) else {
        return false;
    };
    let Ok(st) = file::fstat_raw(&again) else {
        return false;
    };
    let found = RawStat(st).info();
    let same_object = if typed {
        same(found, info)
    } else {
        found.dev == info.dev && found.ino == info.ino
    };
    if !same_object {
        return false;
    }
    let mut own = ProcPath::own_fd(again.as_fd().raw());
    let mut check = [0u8; PATH_MAX];
    matches!(file::readlinkat(Dir::Cwd, own.as_cstr(), &mut check), Ok(now) if now == text)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::boxed::Box;
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::io::AsRawFd;

    fn placed(link: &std::path::Path) -> (Place, std::vec::Vec<u8>) {
        // A working directory of this thread's own (placing a directory
        // enters it), as husk's workers have.
        let _ = crate::sys::process::unshare(libc::CLONE_FS);
        let link = CString::new(link.as_os_str().as_bytes()).unwrap();
        let pinned = pin(&link).unwrap();
        let mut buf = Box::new([0u8; PATH_MAX]);
        let place = place(&pinned, &mut buf).unwrap();
        let n = match place {
            Place::Path(n) | Place::Anonymous(n) | Place::Nowhere(n) => n,
        };
        (place, buf[..n].to_vec())
    }

    #[test]
    fn pidfds_are_kept_per_thread_and_a_gone_thread_gets_nothing() {
        let file = std::fs::File::open("/proc/self/status").unwrap();
        let fd = file.as_raw_fd();
        let want = {
            use std::os::unix::fs::MetadataExt;
            file.metadata().unwrap().ino()
        };
        let mut handle = Box::new(Handle::new());
        let me = crate::sys::process::gettid();
        let tgid = || Ok(crate::sys::process::getpid());
        for _ in 0..2 {
            let copy = handle.copy_fd(me, tgid, fd).unwrap().unwrap();
            assert_eq!(RawStat(file::fstat_raw(&copy).unwrap()).info().ino, want);
        }
        // More threads than entries: each still gets its own copies.
        let mut gone = 0;
        for _ in 0..HANDLES + 1 {
            let (tx, rx) = std::sync::mpsc::channel();
            let (done_tx, done_rx) = std::sync::mpsc::channel::<()>();
            let t = std::thread::spawn(move || {
                tx.send(crate::sys::process::gettid()).unwrap();
                done_rx.recv().unwrap();
            });
            let tid = rx.recv().unwrap();
            assert!(handle.copy_fd(tid, tgid, fd).unwrap().is_some());
            done_tx.send(()).unwrap();
            t.join().unwrap();
            gone = tid;
        }
        // A thread that is gone: its kept pidfd gives nothing (ESRCH),
        // and neither does a fresh one (unless its id was reused since,
        // by a thread of ours, whose table is this one).
        match handle.copy_fd(gone, tgid, fd) {
            Err(Errno::ESRCH) => {}
            Ok(Some(_)) => {}
            other => panic!("{other:?}"),
        }
        assert!(handle.copy_fd(me, tgid, fd).unwrap().is_some());
    }

    fn fd_link(fd: i32) -> std::path::PathBuf {
        std::path::PathBuf::from(format!("/proc/self/fd/{fd}"))
    }

    #[test]
    fn live_files_are_placed_and_lookalikes_are_not() {
        let dir = std::env::temp_dir().join(format!("husk-object-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("f");
        std::fs::write(&f, "F").unwrap();
        let file = std::fs::File::open(&f).unwrap();
        let (p, text) = placed(&fd_link(file.as_raw_fd()));
        assert_eq!(p, Place::Path(text.len()));
        assert_eq!(text, f.as_os_str().as_bytes());

        // Deleted: no path, even with a file named like the kernel's text.
        std::fs::remove_file(&f).unwrap();
        let (p, text) = placed(&fd_link(file.as_raw_fd()));
        assert!(matches!(p, Place::Nowhere(_)), "{p:?}");
        assert!(text.ends_with(b" (deleted)"));
        let lookalike = std::path::PathBuf::from(std::ffi::OsStr::from_bytes(&text));
        std::fs::write(&lookalike, "X").unwrap();
        assert!(matches!(
            placed(&fd_link(file.as_raw_fd())).0,
            Place::Nowhere(_)
        ));
        std::fs::remove_file(&lookalike).unwrap();
        // ... or a symbolic link named so, pointing at a live alias.
        std::fs::write(dir.join("g"), "G").unwrap();
        std::os::unix::fs::symlink(dir.join("g"), &lookalike).unwrap();
        assert!(matches!(
            placed(&fd_link(file.as_raw_fd())).0,
            Place::Nowhere(_)
        ));

        // A path through a directory symlink is not the object's path.
        std::fs::create_dir(dir.join("real")).unwrap();
        std::fs::write(dir.join("real/x"), "X").unwrap();
        let x = std::fs::File::open(dir.join("real/x")).unwrap();
        assert_eq!(
            placed(&fd_link(x.as_raw_fd())).1,
            dir.join("real/x").as_os_str().as_bytes()
        );

        // A directory is placed by entering it: by its path while it is
        // there, by none once removed, look-alike or not.
        let sub = dir.join("sub");
        std::fs::create_dir(&sub).unwrap();
        let held = std::fs::File::open(&sub).unwrap();
        let (p, text) = placed(&fd_link(held.as_raw_fd()));
        assert_eq!(
            (p, text.as_slice()),
            (Place::Path(text.len()), sub.as_os_str().as_bytes())
        );
        std::fs::remove_dir(&sub).unwrap();
        std::fs::create_dir(dir.join("sub (deleted)")).unwrap();
        let (p, text) = placed(&fd_link(held.as_raw_fd()));
        assert!(matches!(p, Place::Nowhere(_)), "{p:?}");
        assert!(text.ends_with(b"sub (deleted)"));

        // Pipes are anonymous.
        let (r, _w) = std::io::pipe().unwrap();
        let (p, text) = placed(&fd_link(r.as_raw_fd()));
        assert!(matches!(p, Place::Anonymous(_)), "{p:?}");
        assert!(text.starts_with(b"pipe:["));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
