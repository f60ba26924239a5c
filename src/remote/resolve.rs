//! Path resolution from the caller's point of view (DESIGN.md, "Paths").
//!
//! The result is the absolute path the kernel will operate on for that
//! call: relative paths start at the calling thread's working directory
//! (`/proc/TID/cwd`) or at a directory descriptor (`/proc/TID/fd/N`);
//! `.` and empty components vanish; symbolic links are followed as the
//! kernel follows them (every one but a final one the call does not
//! follow), at most 40 of them (`ELOOP`); `..` then removes the last
//! component of a path that is already resolved, which is what the
//! kernel's `..` does.
//!
//! `/proc/self` and `/proc/thread-self` are the caller's, not husk's.
//! A magic link (`/proc/PID/fd/N`, `cwd`, `root`, `exe`, `map_files/*`)
//! of the caller's own process is followed to what it really refers
//! to, so reopening an `O_PATH` descriptor or going through
//! `/proc/self/cwd` is checked on the real file; one of *another*
//! process is refused (`EACCES`): husk never lets a caller reach a file
//! through a process it was not given.
//!
//! For matching, a result inside the caller's own `/proc/PID` is shown
//! as `/proc/self/...` (and its own task directory as
//! `/proc/thread-self/...`), so rules can name them.
//!
//! In ptrace mode a racing thread may swap a path component between
//! this resolution and the kernel's own: the limit the notify transport
//! removes (README, threat model).

use core::cell::Cell;

use super::object::{self, Pinned, Place};
use super::path::{self, PATH_MAX, PathBuf};
use super::proc::{self, ProcPath};
use crate::sys::fd::{AsFd, OwnedFd};
use crate::sys::file::{self, Dir, FileInfo, RawStat};
use crate::sys::process::Pid;
use crate::sys::{Errno, Result};

/// The kernel's limit on symbolic links followed in one lookup.
pub const MAX_LINKS: u32 = 40;

/// Who is asking: the calling thread (its process id is looked up when
/// first needed).
pub struct Caller {
    /// The calling thread.
    pub tid: Pid,
    tgid: Cell<Pid>,
}

impl Caller {
    /// The thread `tid`.
    pub fn new(tid: Pid) -> Caller {
        Caller {
            tid,
            tgid: Cell::new(0),
        }
    }

    /// Its process (thread group) id.
    pub fn tgid(&self) -> Result<Pid> {
        if self.tgid.get() == 0 {
            self.tgid.set(proc::tgid(self.tid)?);
        }
        Ok(self.tgid.get())
    }
}

/// Where a relative path starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The calling thread's working directory (`AT_FDCWD`).
    Cwd,
    /// A directory descriptor of the caller.
    Fd(i32),
}

/// How the call resolves its path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct How {
    /// Where a relative path starts.
    pub start: Start,
    /// Whether a final symbolic link is followed.
    pub follow: bool,
    /// `AT_EMPTY_PATH`: an empty path names the start descriptor itself.
    pub empty_path: bool,
    /// `RESOLVE_NO_SYMLINKS` (openat2): any symbolic link is `ELOOP`.
    pub no_symlinks: bool,
    /// `RESOLVE_NO_MAGICLINKS` (openat2): any magic link is `ELOOP`.
    pub no_magiclinks: bool,
    /// `RESOLVE_BENEATH` (openat2): leaving the start is `EXDEV`.
    pub beneath: bool,
    /// `RESOLVE_IN_ROOT` (openat2): the start is the root.
    pub in_root: bool,
    /// The call acts on the name in its directory (unlink, rmdir,
    /// rename, link's new name, symlink, mkdir, mknod, bind): a trailing
    /// slash does not follow a final link (the kernel then refuses a
    /// name that is not a directory itself).
    pub name_op: bool,
}

impl How {
    /// A lookup from `start` that follows a final link or not.
    pub const fn at(start: Start, follow: bool) -> How {
        How {
            start,
            follow,
            empty_path: false,
            no_symlinks: false,
            no_magiclinks: false,
            beneath: false,
            in_root: false,
            name_op: false,
        }
    }
}

/// The outcome of a resolution. Large (two paths): keep one per worker.
pub struct Resolved {
    /// The path the kernel will use.
    pub real: PathBuf,
    /// The same path as rules see it (`/proc/self/...` for the caller's
    /// own `/proc/PID/...`).
    pub shown: PathBuf,
    /// The final object, if it exists (`lstat`: a final link the call
    /// does not follow is described itself).
    pub info: Option<FileInfo>,
    /// The whole `struct stat` behind `info` (when `info` is `Some`):
    /// the object as it was when checked.
    pub stat: RawStat,
    /// Whether the result names a non-file object (`pipe:[...]`,
    /// `socket:[...]`) reached through a descriptor link.
    pub anonymous: bool,
    /// Whether the object has no path husk can establish (deleted, or
    /// outside husk's mount namespace or root; `remote::object`). Then
    /// `real` and `shown` hold the kernel's text for it, for the log
    /// only: no rule may be matched against it ([`Resolved::path`]).
    pub nowhere: bool,
    /// husk's own `O_PATH` descriptor of an object reached through a
    /// magic link (a descriptor, the working directory, `/proc/self/...`),
    /// or of the directory a pathless object's lookup started in.
    pub pinned: Option<OwnedFd>,
    /// After a failed lookup that the kernel would fail too (a file
    /// used as a directory, a directory that may not be searched): the
    /// length of the start of `real` naming the object that made it
    /// fail, so the checker can answer as for a missing path where that
    /// object is hidden. 0 otherwise.
    pub blame: usize,
    /// Whether a directory on the way to the final component is missing
    /// (the kernel's lookup fails with ENOENT before anything else, even
    /// for a call that would create the final component).
    pub parent_missing: bool,
    /// Pidfds of the last callers, for their descriptors.
    handle: object::Handle,
    /// A hash of the path of the directory this worker thread last
    /// entered for a look (its working directory, unless something
    /// else moved it since: always confirmed with `getcwd`); 0: none.
    entered: u64,
    rest: [u8; 2 * PATH_MAX],
    link: [u8; PATH_MAX],
}

impl Default for Resolved {
    fn default() -> Self {
        Self::new()
    }
}

impl Resolved {
    /// Empty storage.
    pub const fn new() -> Resolved {
        Resolved {
            real: PathBuf::new(),
            shown: PathBuf::new(),
            info: None,
            stat: RawStat::ZERO,
            anonymous: false,
            nowhere: false,
            pinned: None,
            blame: 0,
            parent_missing: false,
            handle: object::Handle::new(),
            entered: 0,
            rest: [0; 2 * PATH_MAX],
            link: [0; PATH_MAX],
        }
    }

    /// Whether the final object exists.
    pub fn exists(&self) -> bool {
        self.info.is_some()
    }

    /// Whether the final object is a directory.
    pub fn is_dir(&self) -> bool {
        self.info.is_some_and(|i| i.is_dir())
    }

    /// The path rules are matched against, or `None` for an object
    /// with no path (which gets the verdict of no path at all).
    pub fn path(&self) -> Option<&[u8]> {
        if self.nowhere {
            None
        } else {
            Some(self.shown.as_bytes())
        }
    }

    /// The first bytes of the object, if it is a regular file and still
    /// the object that was resolved (device, inode and type), read
    /// through a descriptor that cannot wait (`O_NONBLOCK`: a lease
    /// holder makes the open fail rather than wait). 0 for anything
    /// else: a FIFO or device is never opened.
    pub fn read_head(&mut self, buf: &mut [u8]) -> usize {
        let Some(info) = self.info else {
            return 0;
        };
        if info.kind() != libc::S_IFREG {
            return 0;
        }
        let pinned = match &self.pinned {
            Some(fd) => object::reopen_fd(fd),
            None if !self.nowhere && !self.anonymous => file::openat(
                Dir::Cwd,
                self.real.as_cstr(),
                libc::O_PATH | libc::O_NOFOLLOW,
                0,
            ),
            None => return 0,
        };
        let Ok(pinned) = pinned else {
            return 0;
        };
        match file::fstat_raw(&pinned) {
            Ok(st) if object::same(RawStat(st).info(), info) => {}
            _ => return 0,
        }
        let mut own = ProcPath::own_fd(pinned.as_fd().raw());
        let flags = libc::O_RDONLY | libc::O_NONBLOCK | libc::O_NOCTTY;
        match file::openat(Dir::Cwd, own.as_cstr(), flags, 0) {
            Ok(fd) => file::read_full(&fd, buf).unwrap_or(0),
            // Unreadable to husk: the interpreter could not read it
            // either (same credentials or fewer).
            Err(_) => 0,
        }
    }

    /// A copy of the caller's descriptor `fd` (through a pidfd kept
    /// between calls), noted as this slot's object (its stat, so a
    /// performed call can confirm it acts on the same one). `Ok(None)`
    /// where the kernel cannot copy descriptors (before Linux 5.6).
    pub fn their_fd(&mut self, caller: &Caller, fd: i32) -> Result<Option<OwnedFd>> {
        self.clear();
        let Some(pinned) = self.handle.pin_fd(caller.tid, || caller.tgid(), fd)? else {
            return Ok(None);
        };
        self.stat = pinned.stat;
        self.info = Some(pinned.info());
        Ok(Some(pinned.fd))
    }

    fn clear(&mut self) {
        self.blame = 0;
        self.parent_missing = false;
        self.info = None;
        self.anonymous = false;
        self.nowhere = false;
        self.pinned = None;
    }
}

/// What a `/proc` path names, if it is a magic link.
enum Magic {
    /// Not a magic link.
    No,
    /// A magic link of process (or thread) `pid`.
    Of(Pid),
}

fn parse_pid(bytes: &[u8]) -> Option<Pid> {
    if bytes.is_empty() || bytes.len() > 10 || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    bytes.iter().try_fold(0i32, |v, &b| {
        v.checked_mul(10)?.checked_add((b - b'0') as i32)
    })
}

/// `/proc/N/{fd/K,cwd,root,exe,map_files/X}` or the same under
/// `/proc/N/task/M/`.
fn magic(path: &[u8]) -> Magic {
    let Some(rest) = path.strip_prefix(b"/proc/") else {
        return Magic::No;
    };
    let mut parts = rest.split(|&b| b == b'/');
    let Some(pid) = parts.next().and_then(parse_pid) else {
        return Magic::No;
    };
    let mut next = parts.next();
    let mut owner = pid;
    if next == Some(b"task") {
        let Some(tid) = parts.next().and_then(parse_pid) else {
            return Magic::No;
        };
        owner = tid;
        next = parts.next();
    }
    let tail: heapless::Vec<&[u8], 3> = parts.take(3).collect();
    let is_magic = match (next, tail.as_slice()) {
        (Some(b"cwd" | b"root" | b"exe"), []) => true,
        (Some(b"fd"), [n]) => parse_pid(n).is_some(),
        (Some(b"map_files"), [_]) => true,
        _ => false,
    };
    if is_magic {
        Magic::Of(owner)
    } else {
        Magic::No
    }
}

/// Whether `pid` (a process or thread id) belongs to the caller's
/// process.
fn is_own(caller: &Caller, pid: Pid) -> Result<bool> {
    if pid == caller.tid || pid == caller.tgid()? {
        return Ok(true);
    }
    Ok(proc::tgid(pid).ok() == Some(caller.tgid()?))
}

/// Resolves `raw` for `caller` into `out`.
pub fn resolve(caller: &Caller, raw: &[u8], how: How, out: &mut Resolved) -> Result<()> {
    out.clear();
    if raw.is_empty() {
        if !how.empty_path {
            return Err(Errno::ENOENT);
        }
        // The start descriptor (or directory) itself, whatever it is.
        let fd = match how.start {
            Start::Fd(fd) => Some(fd),
            Start::Cwd => None,
        };
        return through_link(caller, start_link(caller, how.start)?, fd, out);
    }

    // The root `/` or `..` may not go above: `/` itself, or the start
    // directory for RESOLVE_IN_ROOT.
    if raw[0] == b'/' && !how.in_root {
        if how.beneath {
            return Err(Errno::EXDEV);
        }
        out.real.set(b"/")?;
    } else {
        set_start(caller, how.start, out)?;
        if out.nowhere {
            return beyond(caller, raw, how, out);
        }
    }
    let root_len = if how.in_root || how.beneath {
        out.real.as_bytes().len()
    } else {
        1
    };

    let trailing_slash = raw.last() == Some(&b'/');
    if raw.len() > PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    out.rest[..raw.len()].copy_from_slice(raw);
    let mut rest_start = 0;
    let mut rest_end = raw.len();
    let mut links = 0u32;
    let mut missing = false;
    // What the last lstat said about `out.real` as it now is (saves
    // the final lstat when the walk already made it).
    let mut known: Option<FileInfo> = None;

    while let Some((component, after)) = path::next_component(&out.rest[rest_start..rest_end]) {
        let (comp_len, after_len) = (component.len(), after.len());
        let comp_start = rest_end - after_len - comp_len;
        rest_start = rest_end - after_len;
        let mut comp = [0u8; 256];
        if comp_len > 255 {
            return Err(Errno::ENAMETOOLONG);
        }
        comp[..comp_len].copy_from_slice(&out.rest[comp_start..comp_start + comp_len]);
        let comp = &comp[..comp_len];
        let is_last = path::next_component(&out.rest[rest_start..rest_end]).is_none();

        if matches!(comp, b"." | b"..") && !missing {
            // Only a directory has `.` and `..`.
            let here = match known {
                Some(info) => info,
                None => file::stat_at_raw(Dir::Cwd, out.real.as_cstr(), false)?.info(),
            };
            if !here.is_dir() {
                out.blame = out.real.as_bytes().len();
                return Err(Errno::ENOTDIR);
            }
        }
        match comp {
            b"." => continue,
            b".." => {
                known = None;
                if out.real.as_bytes().len() <= root_len {
                    if how.beneath && !how.in_root {
                        return Err(Errno::EXDEV);
                    }
                    continue;
                }
                out.real.pop();
                continue;
            }
            _ => {}
        }
        // The caller's own /proc/self and /proc/thread-self.
        if out.real.as_bytes() == b"/proc"
            && !missing
            && (comp == b"self" || comp == b"thread-self")
        {
            known = None;
            push_number(&mut out.real, caller.tgid()? as u64)?;
            if comp == b"thread-self" {
                out.real.push(b"task")?;
                push_number(&mut out.real, caller.tid as u64)?;
            }
            continue;
        }
        out.real.push(comp)?;
        known = None;
        if missing {
            continue;
        }
        let follow = !is_last || how.follow || (trailing_slash && !how.name_op);
        let info = match file::stat_at_raw(Dir::Cwd, out.real.as_cstr(), false) {
            Ok(raw) => {
                out.stat = raw;
                raw.info()
            }
            Err(Errno::ENOENT) => {
                // From here on nothing exists: the rest is lexical (the
                // kernel will fail the lookup itself).
                missing = true;
                out.parent_missing = !is_last;
                continue;
            }
            // A file used as a directory (ENOTDIR), a directory husk may
            // not search (EACCES): the kernel's own answer (the checker
            // hides it if that directory is hidden).
            Err(e) => {
                out.real.pop();
                out.blame = out.real.as_bytes().len();
                return Err(e);
            }
        };
        if info.is_symlink() {
            // Another process's magic link is never reached, followed
            // or not (its text tells where that process works).
            if let Magic::Of(owner) = magic(out.real.as_bytes()) {
                if !is_own(caller, owner)? {
                    return Err(Errno::EACCES);
                }
            }
        }
        if !info.is_symlink() || !follow {
            known = Some(info);
            continue;
        }
        links += 1;
        if links > MAX_LINKS || how.no_symlinks {
            return Err(Errno::ELOOP);
        }
        let target_len = match magic(out.real.as_bytes()) {
            Magic::Of(owner) => {
                if how.no_magiclinks {
                    return Err(Errno::ELOOP);
                }
                if !is_own(caller, owner)? {
                    return Err(Errno::EACCES);
                }
                // The object itself, placed by identity (never the
                // link's text: see remote::object).
                let pinned = object::pin(out.real.as_cstr())?;
                match object::place(&pinned, &mut out.link)? {
                    Place::Path(n) => n,
                    Place::Anonymous(_) => {
                        // A pipe, socket or anonymous inode: no file path.
                        if !is_last {
                            return Err(Errno::ENOTDIR);
                        }
                        out.stat = pinned.stat;
                        out.pinned = Some(pinned.fd);
                        return finish(caller, out, true, Looked::No);
                    }
                    Place::Nowhere(n) => {
                        let left = &out.rest[rest_start..rest_end];
                        let mut copy = [0u8; PATH_MAX];
                        let k = left.len().min(PATH_MAX);
                        copy[..k].copy_from_slice(&left[..k]);
                        nowhere(out, pinned, n);
                        return beyond(caller, &copy[..k], how, out);
                    }
                }
            }
            Magic::No => file::readlinkat(Dir::Cwd, out.real.as_cstr(), &mut out.link)?.len(),
        };
        // The rest becomes: target, '/', what was left.
        let left = rest_end - rest_start;
        if target_len + 1 + left > out.rest.len() {
            return Err(Errno::ENAMETOOLONG);
        }
        out.rest.copy_within(rest_start..rest_end, target_len + 1);
        out.rest[..target_len].copy_from_slice(&out.link[..target_len]);
        out.rest[target_len] = b'/';
        rest_start = 0;
        rest_end = target_len + 1 + left;
        if out.rest[0] == b'/' {
            // An absolute target restarts at the root (the start, for
            // RESOLVE_IN_ROOT; an escape for RESOLVE_BENEATH).
            if how.beneath && !how.in_root {
                return Err(Errno::EXDEV);
            }
            if how.in_root {
                let root: [u8; PATH_MAX] = {
                    let mut copy = [0u8; PATH_MAX];
                    copy[..root_len].copy_from_slice(
                        &out.real.as_bytes()[..root_len.min(out.real.as_bytes().len())],
                    );
                    copy
                };
                out.real.set(&root[..root_len])?;
            } else {
                out.real.set(b"/")?;
            }
        } else {
            out.real.pop();
        }
    }
    let looked = match known {
        // The walk already found nothing there: no second look.
        _ if missing => Looked::Absent,
        Some(info) => Looked::Found(info),
        None => Looked::No,
    };
    finish(caller, out, false, looked)?;
    // A trailing slash names a directory: a lookup that ends on anything
    // else fails (a name operation leaves that to the kernel, which acts
    // on the name itself).
    if trailing_slash && !how.name_op && out.info.is_some_and(|i| !i.is_dir()) {
        out.blame = out.real.as_bytes().len();
        return Err(Errno::ENOTDIR);
    }
    Ok(())
}

/// The quick look of the notify transport's opens: `raw` joined to its
/// start as text, and one `lstat` of the whole. `Ok(true)` leaves in
/// `out` an existing object that is not itself a link, at a path with
/// no `.` or `..`; it is the object the call names *if* no component
/// on the way is a symbolic link, which this does not know. A caller
/// may decide on it only if it then opens that path with
/// `RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS`, which fails (ELOOP)
/// when there is a link on the way, and falls back to [`resolve`] then.
///
/// `Ok(false)`: nothing usable (a `..`, a trailing slash, `/proc`, a
/// RESOLVE_ flag, an empty path, a missing object or a final link):
/// use [`resolve`].
pub fn lexical(caller: &Caller, raw: &[u8], how: How, out: &mut Resolved) -> Result<bool> {
    if !plain_text(raw, how) {
        return Ok(false);
    }
    out.clear();
    if raw[0] == b'/' {
        out.real.set(b"/")?;
    } else if set_start(caller, how.start, out).is_err() || out.nowhere {
        return Ok(false);
    }
    let mut rest = raw;
    let mut first = true;
    while let Some((component, after)) = path::next_component(rest) {
        rest = after;
        match component {
            // The start itself (a directory); elsewhere `.` would need
            // what precedes it to be a directory, which this does not
            // look at.
            b"." if first => {}
            b"." | b".." => return Ok(false),
            _ => out.real.push(component)?,
        }
        first = false;
    }
    let real = out.real.as_bytes();
    if real == b"/proc" || real.starts_with(b"/proc/") {
        return Ok(false);
    }
    let Ok(stat) = file::stat_at_raw(Dir::Cwd, out.real.as_cstr(), false) else {
        return Ok(false);
    };
    let info = stat.info();
    if info.is_symlink() {
        return Ok(false);
    }
    out.stat = stat;
    finish(caller, out, false, Looked::Found(info))?;
    Ok(true)
}

/// Whether a quick look ([`lexical`], [`looked`]) may take `raw` as
/// text: a non-empty path of a name, no trailing slash, no RESOLVE_
/// flag (those need the full walk).
fn plain_text(raw: &[u8], how: How) -> bool {
    !(raw.is_empty()
        || raw.len() > PATH_MAX
        || raw.last() == Some(&b'/')
        || how.beneath
        || how.in_root
        || how.no_symlinks
        || how.no_magiclinks)
}

/// The notify transport's look at the path a stat names, which is
/// also the stat's answer: `raw` joined to its start as text, then the
/// last name looked up once (`lstat`) in the directory holding it, that
/// directory reached so that its path is the text (no link on the way):
///
/// - one name relative to a start directory: in that directory itself,
///   through husk's copy of the caller's descriptor, or entered through
///   the caller's `/proc/TID/cwd` ([`enter_start`]);
/// - one name under `/`: `/NAME` itself;
/// - anything longer: in the directory the text before the name names,
///   entered ([`enter_path`]) and confirmed by the kernel's own answer
///   for where it is (`getcwd` gives the path of the directory itself,
///   never one through a link).
///
/// So the object described is the one at that text, which is its real
/// path. Never a stat by path after a separate check of the components
/// (a directory swapped for a link between two lookups leads the
/// second elsewhere: `tests/race.rs`, `stat-exchange`). The same calls
/// are made whether the last name is there or not, so a hidden file
/// takes as long as a missing one (the decision comes after).
///
/// `Ok(true)`: `out` holds the object that path names, as `lstat` of
/// it (`out.stat`), or nothing if the kernel found nothing there.
/// `Ok(false)`: this look cannot say (a `.`, `..`, trailing slash or
/// `/proc` path; a link on the way, or a final one the call follows; a
/// directory that is missing, not one, or that husk may not search; a
/// start with no path): use [`resolve`].
pub fn looked(caller: &Caller, raw: &[u8], how: How, out: &mut Resolved) -> Result<bool> {
    if !plain_text(raw, how) || how.name_op {
        return Ok(false);
    }
    out.clear();
    let start = if raw[0] == b'/' {
        out.real.set(b"/")?;
        None
    } else {
        let Some(start) = enter_start(caller, how.start, out)? else {
            return Ok(false);
        };
        out.real.set(&out.link[..start.len])?;
        Some(start)
    };
    let mut rest = raw;
    let mut first = true;
    let mut names = 0usize;
    let mut name = [0u8; 256];
    let mut name_len = 0;
    while let Some((component, after)) = path::next_component(rest) {
        rest = after;
        match component {
            b"." if first => {}
            b"." | b".." => return Ok(false),
            // The kernel's ENAMETOOLONG is the full resolution's.
            _ if component.len() >= name.len() => return Ok(false),
            _ => {
                out.real.push(component)?;
                names += 1;
                name = [0u8; 256];
                name[..component.len()].copy_from_slice(component);
                name_len = component.len();
            }
        }
        first = false;
    }
    let decided = out.real.as_bytes();
    if names == 0 || decided == b"/proc" || decided.starts_with(b"/proc/") {
        return Ok(false);
    }
    out.shown.set(decided)?;
    let Ok(last) = core::ffi::CStr::from_bytes_until_nul(&name) else {
        return Ok(false);
    };
    let looked = match &start {
        // The start directory itself holds the name.
        Some(start) if names == 1 => match &start.copy {
            Some(dir) => file::stat_at_raw(Dir::Fd(dir.as_fd()), last, false),
            None => file::stat_at_raw(Dir::Cwd, last, false),
        },
        None if names == 1 => file::stat_at_raw(Dir::Cwd, out.real.as_cstr(), false),
        _ => {
            let parent = out.real.as_bytes().len() - name_len - 1;
            if !enter_path(out, parent)? {
                return Ok(false);
            }
            file::stat_at_raw(Dir::Cwd, last, false)
        }
    };
    match looked {
        Ok(st) if st.info().is_symlink() && how.follow => Ok(false),
        Ok(st) => {
            out.stat = st;
            out.info = Some(st.info());
            Ok(true)
        }
        Err(Errno::ENOENT) => Ok(true),
        Err(_) => Ok(false),
    }
}

/// Makes the directory whose path is the first `len` bytes of
/// `out.real` this thread's working directory, if that text is its
/// path: entered by that text (links on the way followed, as any
/// lookup), then confirmed by `getcwd`, which names the directory
/// itself, so a text through a link never matches. Already there (the
/// last look's directory, confirmed the same way): `getcwd` alone.
/// `false`: not a directory's own path, or not one husk may enter.
fn enter_path(out: &mut Resolved, len: usize) -> Result<bool> {
    let key = path_key(&out.real.as_bytes()[..len]);
    // Where the thread is, as the kernel says (into `out.rest`, free
    // here), is the text?
    let here = |out: &mut Resolved| {
        let Resolved { real, rest, .. } = out;
        matches!(file::getcwd(&mut rest[..]), Ok(cwd) if cwd == &real.as_bytes()[..len])
    };
    if out.entered == key && here(out) {
        return Ok(true);
    }
    out.entered = 0;
    // The text, NUL-terminated, in `out.link` (free here too).
    if len >= out.link.len() {
        return Ok(false);
    }
    out.link[..len].copy_from_slice(&out.real.as_bytes()[..len]);
    out.link[len] = 0;
    let Ok(dir) = core::ffi::CStr::from_bytes_until_nul(&out.link) else {
        return Ok(false);
    };
    if file::chdir(dir).is_err() || !here(out) {
        return Ok(false);
    }
    out.entered = key;
    Ok(true)
}

/// A 64-bit FNV-1a hash of a path (never 0: 0 means none).
fn path_key(path: &[u8]) -> u64 {
    let hash = path.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash.max(1)
}

/// Resolves the program `caller`'s process really runs (its
/// `/proc/TID/exe`, placed by identity) into `out`.
pub fn executable(caller: &Caller, out: &mut Resolved) -> Result<()> {
    out.clear();
    let mut link = ProcPath::new(caller.tid);
    link.push(b"/exe");
    through_link(caller, link, None, out)
}

/// `out` names a file mapped in the caller's memory, known by the
/// kernel's `text` for it and its device and inode (`/proc/PID/maps`):
/// the text is its path only if it names that very file
/// ([`object::names`]); else the file has no path.
pub fn mapped(caller: &Caller, text: &[u8], dev: u64, ino: u64, out: &mut Resolved) -> Result<()> {
    out.clear();
    let info = FileInfo {
        mode: libc::S_IFREG,
        dev,
        ino,
    };
    if out.real.set(text).is_err() {
        out.real.set(b"/")?;
    }
    if !object::names(text, info, false) {
        out.nowhere = true;
        let _ = out.shown.set(out.real.as_bytes());
        out.info = Some(info);
        return Ok(());
    }
    finish(caller, out, false, Looked::No)
}

/// The magic link naming a start: `/proc/TID/cwd` or `/proc/TID/fd/N`.
fn start_link(caller: &Caller, start: Start) -> Result<ProcPath> {
    Ok(match start {
        Start::Cwd => {
            let mut link = ProcPath::new(caller.tid);
            link.push(b"/cwd");
            link
        }
        Start::Fd(fd) if fd < 0 => return Err(Errno::EBADF),
        Start::Fd(fd) => ProcPath::fd(caller.tid, fd),
    })
}

/// A caller's start directory, entered by [`enter_start`].
struct Entered {
    /// The length of its path, in `Resolved::link`.
    len: usize,
    /// husk's copy of the caller's descriptor, if the start is one.
    copy: Option<OwnedFd>,
}

/// Enters the caller's start directory (makes it this worker thread's
/// working directory: each worker has its own, `CLONE_FS` unshared)
/// and asks the kernel where it is (`getcwd`, the answer
/// `object::place_dir` takes for a pinned directory), into `out.link`.
/// A descriptor is entered through husk's copy of it (`pidfd_getfd`,
/// through a pidfd kept between calls), the working directory through
/// its magic link `/proc/TID/cwd` (nothing copies it); either way the
/// directory itself, whatever its name.
///
/// The thread stays there after the call (a look that needs another
/// directory enters that one; `enter_path` confirms where it is before
/// it relies on it): going back to `/` would cost a call each time.
///
/// `Ok(None)` where that does not tell: husk may not enter it, or it
/// has no path (removed, or outside husk's root or mount namespace):
/// pin it then ([`pin_start`]).
fn enter_start(caller: &Caller, start: Start, out: &mut Resolved) -> Result<Option<Entered>> {
    let copy = match start {
        Start::Fd(fd) if fd < 0 => return Err(Errno::EBADF),
        Start::Fd(fd) => out.handle.copy_fd(caller.tid, || caller.tgid(), fd)?,
        Start::Cwd => None,
    };
    out.entered = 0;
    let went = match &copy {
        Some(dir) => file::fchdir(dir),
        None => file::chdir(start_link(caller, start)?.as_cstr()),
    };
    match went {
        Ok(()) => {}
        // A descriptor of a file, pipe or socket: not a directory.
        Err(Errno::ENOTDIR) => return Err(Errno::ENOTDIR),
        // The caller has no such descriptor (or is gone).
        Err(Errno::ENOENT) => return Err(Errno::EBADF),
        Err(_) => return Ok(None),
    }
    match file::getcwd(&mut out.link[..]) {
        Ok(text) if text.first() == Some(&b'/') => {
            let len = text.len();
            out.entered = path_key(text);
            Ok(Some(Entered { len, copy }))
        }
        Err(Errno::ERANGE | Errno::ENAMETOOLONG) => Err(Errno::ENAMETOOLONG),
        // `(unreachable)...`, or removed.
        _ => Ok(None),
    }
}

/// Pins the caller's object behind `link` (its descriptor `fd`, its
/// working directory, its executable): a descriptor through a copy of
/// it where the kernel can make one, else through the link.
fn pin_start(
    caller: &Caller,
    link: &mut ProcPath,
    fd: Option<i32>,
    handle: &mut object::Handle,
) -> Result<Pinned> {
    if let Some(fd) = fd {
        if let Some(pinned) = handle.pin_fd(caller.tid, || caller.tgid(), fd)? {
            return Ok(pinned);
        }
    }
    // The caller's descriptor table has no such entry: EBADF, as the
    // kernel says (a working directory always exists).
    object::pin(link.as_cstr()).map_err(|e| if e == Errno::ENOENT { Errno::EBADF } else { e })
}

/// `out` names the object behind the caller's magic link `link` (its
/// descriptor `fd`'s, if it is one).
fn through_link(
    caller: &Caller,
    mut link: ProcPath,
    fd: Option<i32>,
    out: &mut Resolved,
) -> Result<()> {
    let pinned = pin_start(caller, &mut link, fd, &mut out.handle)?;
    match object::place(&pinned, &mut out.link)? {
        Place::Path(n) => {
            let copy: [u8; PATH_MAX] = out.link;
            out.real.set(&copy[..n])?;
            out.stat = pinned.stat;
            let info = pinned.info();
            out.pinned = Some(pinned.fd);
            finish(caller, out, false, Looked::Found(info))
        }
        Place::Anonymous(_) => {
            // A pipe, socket or anonymous inode: shown as the caller's
            // descriptor path (only a descriptor can name one).
            let fd = fd.ok_or(Errno::ENOENT)?;
            out.real.set(b"/proc")?;
            let tgid = caller.tgid()?;
            push_number(&mut out.real, tgid as u64)?;
            out.real.push(b"fd")?;
            push_number(&mut out.real, fd as u64)?;
            out.stat = pinned.stat;
            out.pinned = Some(pinned.fd);
            finish(caller, out, true, Looked::No)
        }
        Place::Nowhere(n) => {
            nowhere(out, pinned, n);
            Ok(())
        }
    }
}

/// `out` is the pinned object with no path (the kernel's `n`-byte text
/// for it, in `out.link`, kept for the log).
fn nowhere(out: &mut Resolved, pinned: Pinned, n: usize) {
    out.nowhere = true;
    out.anonymous = false;
    let text: [u8; PATH_MAX] = out.link;
    if out.real.set(&text[..n]).is_err() {
        let _ = out.real.set(b"/");
    }
    let _ = out.shown.set(out.real.as_bytes());
    out.stat = pinned.stat;
    out.info = Some(pinned.info());
    out.pinned = Some(pinned.fd);
}

/// The rest of a lookup that started in (or passed through) a directory
/// with no path (pinned in `out`): `.` stays there; `..` leads to its
/// parent, as in the kernel (placed by identity: from there on an
/// ordinary lookup, if it has a path); anything else names an object
/// husk cannot place either, and which it does not look up (the kernel
/// finds nothing in a deleted directory).
fn beyond(caller: &Caller, rest: &[u8], how: How, out: &mut Resolved) -> Result<()> {
    let mut left = rest;
    while let Some((component, after)) = path::next_component(left) {
        left = after;
        if component == b"." {
            continue;
        }
        let Some(dir) = out.pinned.take().filter(|_| component == b"..") else {
            out.info = None;
            out.pinned = None;
            return Ok(());
        };
        let here = Pinned {
            stat: out.stat,
            fd: dir,
        };
        let parent = object::pin_at(&here, c"..")?;
        match object::place(&parent, &mut out.link)? {
            Place::Path(n) => {
                // An absolute path now: the parent's, then what is left.
                let mut raw = [0u8; PATH_MAX];
                let total = n + 1 + left.len();
                if total > PATH_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                raw[..n].copy_from_slice(&out.link[..n]);
                raw[n] = b'/';
                raw[n + 1..total].copy_from_slice(left);
                return resolve(caller, &raw[..total], how, out);
            }
            Place::Nowhere(n) => nowhere(out, parent, n),
            Place::Anonymous(_) => return Err(Errno::ENOTDIR),
        }
    }
    if out.info.is_some_and(|i| !i.is_dir()) && rest.last() == Some(&b'/') {
        return Err(Errno::ENOTDIR);
    }
    Ok(())
}

/// Sets `out.real` to where a relative path starts: the caller's
/// working directory, or what its descriptor names, placed by identity
/// (or marks `out` pathless, with that directory pinned).
fn set_start(caller: &Caller, start: Start, out: &mut Resolved) -> Result<()> {
    if let Some(entered) = enter_start(caller, start, out)? {
        return out.real.set(&out.link[..entered.len]);
    }
    let mut link = start_link(caller, start)?;
    let fd = match start {
        Start::Fd(fd) => Some(fd),
        Start::Cwd => None,
    };
    let pinned = pin_start(caller, &mut link, fd, &mut out.handle)?;
    if !pinned.info().is_dir() {
        // A descriptor of a file, pipe or socket: not a directory.
        return Err(Errno::ENOTDIR);
    }
    match object::place(&pinned, &mut out.link)? {
        Place::Path(n) => {
            let copy: [u8; PATH_MAX] = out.link;
            out.real.set(&copy[..n])
        }
        Place::Anonymous(_) => Err(Errno::ENOTDIR),
        Place::Nowhere(n) => {
            nowhere(out, pinned, n);
            Ok(())
        }
    }
}

fn push_number(path: &mut PathBuf, n: u64) -> Result<()> {
    path.push(super::decimal(n, &mut [0u8; 20]))
}

/// What a walk already knows of the object it ends on.
enum Looked {
    /// Nothing: look.
    No,
    /// A component was missing: nothing is there.
    Absent,
    /// This, from the walk's own last `lstat` (in `out.stat`).
    Found(FileInfo),
}

/// Describes the final object and builds the shown path.
fn finish(caller: &Caller, out: &mut Resolved, anonymous: bool, looked: Looked) -> Result<()> {
    out.anonymous = anonymous;
    out.info = match looked {
        _ if anonymous => None,
        Looked::Absent => None,
        // `out.stat` holds the walk's last stat, of this very object.
        Looked::Found(info) => Some(info),
        Looked::No => match file::stat_at_raw(Dir::Cwd, out.real.as_cstr(), false) {
            Ok(raw) => {
                out.stat = raw;
                Some(raw.info())
            }
            Err(_) => None,
        },
    };
    // `/proc/<our tgid>[/task/<our tid>]/...` as `/proc/self` or
    // `/proc/thread-self`.
    let real = out.real.as_bytes();
    out.shown.set(real)?;
    if let Some(rest) = real.strip_prefix(b"/proc/") {
        let end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
        if let Some(pid) = parse_pid(&rest[..end]) {
            if pid == caller.tgid()? || pid == caller.tid {
                let after = &rest[end..];
                let mut tail: &[u8] = after;
                let mut base: &[u8] = b"/proc/self";
                if let Some(t) = after.strip_prefix(b"/task/") {
                    let tend = t.iter().position(|&b| b == b'/').unwrap_or(t.len());
                    if parse_pid(&t[..tend]) == Some(caller.tid) {
                        base = b"/proc/thread-self";
                        tail = &t[tend..];
                    }
                }
                let mut shown = [0u8; PATH_MAX];
                let n = base.len() + tail.len();
                if n < PATH_MAX {
                    shown[..base.len()].copy_from_slice(base);
                    shown[base.len()..n].copy_from_slice(tail);
                    out.shown.set(&shown[..n])?;
                }
            }
        }
    }
    // Memory: another process's is never reached, whatever the rules
    // say; the caller's own, under every spelling (`/proc/PID/mem`,
    // `/proc/thread-self/mem`, `/proc/self/task/TID/mem`), is shown as
    // `/proc/self/mem`, so one rule covers it.
    if let Some((pid, tid)) = memory_of(out.real.as_bytes()) {
        if !is_own(caller, pid)? || !tid.map_or(Ok(true), |t| is_own(caller, t))? {
            return Err(Errno::EACCES);
        }
        out.shown.set(b"/proc/self/mem")?;
    }
    // husk's own /proc/PID (a thread's too): never reached, whatever the
    // rules say. In notify mode a worker, one of husk's threads, would
    // open it past the ptrace-mode checks (environ, auxv, maps, ns/...)
    // that Landlock applies to the sandbox's own calls.
    if let Some(pid) = proc_pid(out.real.as_bytes()) {
        let husk = crate::sys::process::getpid();
        // (The caller is husk itself only in husk's own unit tests.)
        let of_husk = pid == husk || proc::tgid(pid).ok() == Some(husk);
        if of_husk && caller.tgid()? != husk {
            return Err(Errno::EACCES);
        }
    }
    Ok(())
}

/// The process or thread whose `/proc/N` directory `path` is in.
fn proc_pid(path: &[u8]) -> Option<Pid> {
    let rest = path.strip_prefix(b"/proc/")?;
    parse_pid(rest.split(|&b| b == b'/').next()?)
}

/// The process (and thread) whose memory `path` is: `/proc/N/mem` or
/// `/proc/N/task/M/mem`.
fn memory_of(path: &[u8]) -> Option<(Pid, Option<Pid>)> {
    let rest = path.strip_prefix(b"/proc/")?;
    let mut parts = rest.split(|&b| b == b'/');
    let pid = parse_pid(parts.next()?)?;
    match (parts.next()?, parts.next(), parts.next(), parts.next()) {
        (b"mem", None, None, None) => Some((pid, None)),
        (b"task", Some(tid), Some(b"mem"), None) => Some((pid, Some(parse_pid(tid)?))),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
