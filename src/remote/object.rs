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
use crate::sys::Result;
use crate::sys::fd::{AsFd, OwnedFd};
use crate::sys::file::{self, Dir, FileInfo, RawStat};

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

/// Paths [`place`] established lately, each with its object: a lookup
/// of the same object whose kernel text is still the same text needs
/// no second look. (The kernel's text for a linked object reachable
/// from husk's root is a path of it; it differs from every path only
/// for a deleted object, which gets ` (deleted)` appended, or one of a
/// mount husk cannot reach, named from that mount's own root: neither
/// keeps the text it had when it was established.)
pub struct Places {
    entries: [Known; PLACES],
    next: usize,
}

/// Entries in [`Places`]: the directories a worker resolves against in
/// turn (a walk's descriptors, the working directory).
const PLACES: usize = 4;

struct Known {
    info: FileInfo,
    len: usize,
    text: [u8; PATH_MAX],
}

impl Default for Places {
    fn default() -> Self {
        Self::new()
    }
}

impl Places {
    /// Nothing known (all zero: it lives in the workers' .bss).
    pub const fn new() -> Places {
        const EMPTY: Known = Known {
            info: FileInfo {
                mode: 0,
                dev: 0,
                ino: 0,
            },
            len: 0,
            text: [0; PATH_MAX],
        };
        Places {
            entries: [EMPTY; PLACES],
            next: 0,
        }
    }

    fn knows(&self, info: FileInfo, text: &[u8]) -> bool {
        self.entries
            .iter()
            .any(|k| k.len != 0 && same(k.info, info) && &k.text[..k.len] == text)
    }

    fn learn(&mut self, info: FileInfo, text: &[u8]) {
        let k = &mut self.entries[self.next % PLACES];
        k.info = info;
        k.text[..text.len()].copy_from_slice(text);
        k.len = text.len();
        self.next = self.next.wrapping_add(1);
    }
}

/// Where `pinned` is: its path if it can be established, into `buf`
/// (`known`: what was established lately).
pub fn place(pinned: &Pinned, buf: &mut [u8; PATH_MAX], known: &mut Places) -> Result<Place> {
    let mut own = ProcPath::own_fd(pinned.fd.as_fd().raw());
    let len = file::readlinkat(Dir::Cwd, own.as_cstr(), &mut buf[..])?.len();
    let text = &buf[..len];
    if text.first() != Some(&b'/') {
        return Ok(Place::Anonymous(len));
    }
    if known.knows(pinned.info(), text) {
        return Ok(Place::Path(len));
    }
    if names(text, pinned.info(), true) {
        known.learn(pinned.info(), text);
        Ok(Place::Path(len))
    } else {
        Ok(Place::Nowhere(len))
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
        let link = CString::new(link.as_os_str().as_bytes()).unwrap();
        let pinned = pin(&link).unwrap();
        let mut buf = Box::new([0u8; PATH_MAX]);
        let place = place(&pinned, &mut buf, &mut Box::new(Places::new())).unwrap();
        let n = match place {
            Place::Path(n) | Place::Anonymous(n) | Place::Nowhere(n) => n,
        };
        (place, buf[..n].to_vec())
    }

    fn fd_link(fd: i32) -> std::path::PathBuf {
        std::path::PathBuf::from(format!("/proc/self/fd/{fd}"))
    }

    #[test]
    fn a_known_place_needs_the_same_object_and_text() {
        let dir = std::env::temp_dir().join(format!("husk-places-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("d")).unwrap();
        let link = |p: &std::path::Path| CString::new(p.as_os_str().as_bytes()).unwrap();
        let mut known = Box::new(Places::new());
        let mut buf = Box::new([0u8; PATH_MAX]);
        let d = pin(&link(&dir.join("d"))).unwrap();
        assert!(matches!(
            place(&d, &mut buf, &mut known),
            Ok(Place::Path(_))
        ));
        assert!(known.knows(d.info(), dir.join("d").as_os_str().as_bytes()));
        // Renamed: its text is new, and is established afresh.
        std::fs::rename(dir.join("d"), dir.join("e")).unwrap();
        let Ok(Place::Path(n)) = place(&d, &mut buf, &mut known) else {
            panic!("a live directory has a path");
        };
        assert_eq!(&buf[..n], dir.join("e").as_os_str().as_bytes());
        // Removed: no path, though its old texts are known.
        std::fs::remove_dir(dir.join("e")).unwrap();
        std::fs::create_dir(dir.join("e (deleted)")).unwrap();
        assert!(matches!(
            place(&d, &mut buf, &mut known),
            Ok(Place::Nowhere(_))
        ));
        // Another object with a known text is not known by it.
        let other = pin(&link(&dir.join("e (deleted)"))).unwrap();
        assert!(!known.knows(other.info(), dir.join("e").as_os_str().as_bytes()));
        std::fs::remove_dir_all(&dir).unwrap();
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

        // Pipes are anonymous.
        let (r, _w) = std::io::pipe().unwrap();
        let (p, text) = placed(&fd_link(r.as_raw_fd()));
        assert!(matches!(p, Place::Anonymous(_)), "{p:?}");
        assert!(text.starts_with(b"pipe:["));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
