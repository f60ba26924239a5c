//! The emulator: what a notify worker does with a trapped call. It
//! decides the call with the same checker as the ptrace transport,
//! then performs it itself on exactly what was checked, so a caller
//! that rewrites its memory, or swaps a symlink, after the check
//! changes nothing:
//!
//! - opens: husk opens the resolved path (which contains no symbolic
//!   link: the resolver followed them all) with `RESOLVE_NO_SYMLINKS |
//!   RESOLVE_NO_MAGICLINKS`, so a component swapped for a link since
//!   the check fails with ELOOP instead of leading elsewhere; with the
//!   caller's flags, mode and umask; and installs the descriptor in the
//!   caller (`ADDFD` + `ADDFD_FLAG_SEND`, `O_CLOEXEC` as asked).
//!   `O_PATH` opens are the tracer's (the filter sends them there).
//! - the stat family and access: performed on an `O_PATH` descriptor of
//!   the checked object, opened the same way; results are written into
//!   the caller's buffer with `process_vm_writev`, which cannot write
//!   where the caller itself could not.
//! - creating, removing, renaming, linking, readlink, mode, owner,
//!   times, truncate and extended attributes: on the checked parent
//!   directory (opened the same way, the last component named) or on
//!   the pinned object (through husk's own `/proc/self/fd/N`, which
//!   reaches exactly that inode); values that decide nothing (a symlink
//!   target, times, attribute values) are read when used.
//! - bind, connect, sendto: on a `pidfd_getfd` copy of the caller's
//!   socket, with husk's copy of the checked address (a UNIX path as
//!   husk's own descriptor of the checked parent or socket).
//! - calls that may block (a FIFO open, connect or send on a blocking
//!   socket) go to a helper thread (`supervisor::blocking`).
//! - exec: decided here and continued; the tracer checks the program
//!   really loaded at the exec event, before it runs an instruction,
//!   and kills it on a mismatch. A file mapped executable (`mmap`,
//!   `mprotect`) is decided here and continued too.
//! - whatever is performed acts on the object that was checked: every
//!   object opened is compared with it (device, inode, type), a name
//!   absent at the check is created exclusively, and a change is
//!   decided again (see [`CHANGED`]).
//! - every call is performed with the caller's credentials once any
//!   sandboxed process has changed its own (`remote::creds`).
//!
//! Objects reached through the caller's own descriptors (`/proc/self/fd/N`
//! of a pipe or socket, an empty path with `AT_EMPTY_PATH`) are taken
//! from a `pidfd_getfd` copy of that descriptor, never through the
//! caller's descriptor table again.
//!
//! Which calls are emulated is [`emulated`]: the sandbox filter sends
//! exactly those to the listener (the rest stay with the tracer).

use super::decide::{self, Empty, Scratch};
use super::table;
use crate::policy::rules::Policy;
use crate::remote::creds;
use crate::remote::proc::ProcPath;
use crate::remote::resolve::Caller;
use crate::remote::{RemoteAddr, memory};
use crate::supervisor::blocking::{self, Job, Op};
use crate::supervisor::message::Verdict;
use crate::supervisor::notify::Reply;
use crate::sys::at;
use crate::sys::fd::{AsFd, BorrowedFd, OwnedFd};
use crate::sys::file::{self, Dir};
use crate::sys::notify::{self, Notif};
use crate::sys::ptrace::SyscallInfo;
use crate::sys::{Errno, Result};

/// The trapped calls the notify transport leaves to the tracer: the
/// chdir pair needs its post-check (a ptrace exit stop), and socketpair
/// is decided from its registers alone.
pub const TRACED: &[&str] = &["chdir", "fchdir", "socketpair"];

/// The trapped calls the notify transport leaves to the tracer on this
/// architecture, by their own names: on 32-bit ARM those whose caller
/// memory or arguments the emulation does not lay out as ARM does (the
/// old `struct stat`, `struct statfs64`, 32-bit times, 64-bit lengths
/// split over two registers, 16-bit ids). Traced, the kernel performs
/// them as the caller made them, once checked.
#[cfg(target_arch = "arm")]
pub const TRACED_HERE: &[&str] = &[
    "stat",
    "lstat",
    "statfs64",
    "truncate",
    "truncate64",
    "ftruncate",
    "ftruncate64",
    "fallocate",
    "utimes",
    "futimesat",
    "utimensat",
    "utimensat_time64",
    "chown",
    "lchown",
    "fchown",
];
/// See the 32-bit ARM list: none elsewhere.
#[cfg(not(target_arch = "arm"))]
pub const TRACED_HERE: &[&str] = &[];

/// Whether the notify transport emulates call `nr`: every call the
/// checker traps but [`TRACED`] and [`TRACED_HERE`]. (Each has an arm in
/// [`emulate`]; one without would be refused, ENOSYS, never let
/// through.)
pub fn emulated(nr: u32) -> bool {
    table::name(nr).is_some_and(emulated_name)
}

/// [`emulated`], by the call's own (native) name; in constants too.
pub const fn emulated_name(own: &'static str) -> bool {
    let name = table::checked_as(own);
    decide::trapped(name) && !table::listed(TRACED, name) && !table::listed(TRACED_HERE, own)
}

/// What husk's own resolution of a checked path may not meet.
const NO_LINKS: u64 = libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS;

/// What a performed call fails with when the object it would act on is
/// not the one that was checked (another inode or type at the path, a
/// name that appeared, a descriptor swapped): [`emulate`] then decides
/// the call again, on what is there now, a few times ([`ATTEMPTS`]),
/// and the caller gets this errno if it keeps changing. (`ESTALE`: "the
/// object named is not the one it was"; a genuine `ESTALE` from a
/// network file system is retried too, as the kernel's own lookups do.)
const CHANGED: Errno = Errno::ESTALE;

/// Decisions made for one call that keeps finding its object changed.
const ATTEMPTS: usize = crate::limits::DECISIONS_PER_CALL;

/// Flags that create: meaningless when reopening an object.
const CREATE_FLAGS: u64 = (libc::O_CREAT | libc::O_EXCL | libc::O_TRUNC) as u32 as u64;

/// The flags `open` honours (the kernel drops the rest for the legacy
/// calls; openat2 refuses them, and so does the checker).
const OPEN_FLAGS: u64 = decide::OPEN_FLAGS;

/// The notification as the checker's call description.
fn info_of(notif: &Notif) -> SyscallInfo {
    SyscallInfo {
        op: crate::sys::ptrace::op::SECCOMP,
        reserved: 0,
        flags: 0,
        arch: notif.data.arch,
        instruction_pointer: notif.data.instruction_pointer,
        stack_pointer: 0,
        nr: notif.data.nr as u32 as u64,
        args: notif.data.args,
        ret_data: 0,
        pad: 0,
    }
}

/// Decides and performs one notification.
pub fn emulate(
    policy: &Policy,
    notif: &Notif,
    listener: BorrowedFd<'_>,
    scratch: &mut Scratch,
) -> Reply {
    let info = info_of(notif);
    let tid = notif.pid as i32;
    let name = table::checked_name_of(info.nr as u32).unwrap_or("?");
    if super::changes_creds(info.nr as u32) {
        // Not checked: only watched. From now on every call performed
        // for the sandbox is performed with its caller's credentials.
        creds::changing();
        return Reply::Continue;
    }
    let mut quick = matches!(name, "open" | "openat" | "creat" | "openat2")
        && decide::decide_open_quickly(policy, tid, &info, scratch);
    // A stat answered from its decision's own look at the object; the
    // look is husk's, so only while the sandbox has husk's credentials.
    let mut looked = if matches!(name, "stat" | "lstat" | "newfstatat") && creds::unchanged() {
        decide::decide_stat_quickly(policy, tid, &info, scratch)
    } else {
        None
    };
    let call = Call {
        notif,
        info: &info,
        listener,
        caller: Caller::new(tid),
    };
    let mut attempt = 1;
    loop {
        let verdict = if name == "sendmmsg" || quick {
            // sendmmsg: each message is decided, then sent, in turn
            // (Call::sendmmsg): deciding them all here first would only
            // do it twice.
            Verdict::Allow
        } else if let Some(verdict) = looked.take() {
            verdict
        } else {
            decide::decide_call(policy, tid, &info, scratch)
        };
        if let Some(reply) = settle(listener, notif, verdict) {
            return reply;
        }
        if matches!(
            name,
            "execve" | "execveat" | "mmap" | "mprotect" | "pkey_mprotect"
        ) {
            // The caller runs it itself (see the module docs).
            return Reply::Continue;
        }
        match perform(&call, name, policy, scratch) {
            // A link on the way, or one swapped in: the quick look did
            // not see what the call names. Decide it in full, and again.
            Err(Errno::ELOOP) if quick => quick = false,
            // The object is not the one checked: decide on the new one.
            Err(CHANGED) if attempt < ATTEMPTS => {
                quick = false;
                attempt += 1;
            }
            Ok(reply) => return reply,
            Err(e) => return Reply::Error(e),
        }
    }
}

/// What a decided call gets if it is not performed: `None` to perform
/// it. Everything the decision read (memory, /proc) was the caller's
/// only if the caller is still waiting in this call.
fn settle(listener: BorrowedFd<'_>, notif: &Notif, verdict: Verdict) -> Option<Reply> {
    if !notify::id_valid(listener, notif.id) {
        return Some(Reply::Answered);
    }
    match verdict {
        Verdict::Allow => None,
        Verdict::Deny(e) => Some(Reply::Error(e)),
        Verdict::Kill => Some(Reply::Kill),
        Verdict::Exit(status) => Some(Reply::Exit(status)),
        // Performed by the checker itself (a filtered listing).
        Verdict::Value(value) => Some(Reply::Value(value)),
        // A post-check needs the tracer. The filter sends such calls to
        // it, but for an `openat2` with `O_PATH` (flags in memory, out
        // of the filter's sight): refused as not implemented here, so a
        // libc falls back to `openat`, which does reach the tracer.
        Verdict::AllowThenCheck => Some(Reply::Error(Errno::ENOSYS)),
    }
}

/// Performs the allowed call `name`, with its caller's credentials
/// where they differ from husk's.
fn perform(call: &Call<'_>, name: &str, policy: &Policy, scratch: &mut Scratch) -> Result<Reply> {
    let info = call.info;
    let tid = call.caller.tid;
    let a = &info.args;
    // access checks with the real ids, unless AT_EACCESS.
    let real = match name {
        "access" | "faccessat" => true,
        "faccessat2" => a[3] as u32 & libc::AT_EACCESS as u32 == 0,
        _ => false,
    };
    let acting = creds::AsCaller::enter(tid, real)?;
    if acting.switched() && call.still_valid().is_err() {
        // The ids were read from a thread that is gone.
        return Ok(Reply::Answered);
    }
    match name {
        "open" => call.open(scratch, info.args[1], info.args[2]),
        "openat" => call.open(scratch, info.args[2], info.args[3]),
        "creat" => call.open(
            scratch,
            (libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC) as u64,
            info.args[1],
        ),
        "openat2" => {
            let (flags, mode) = (scratch.record.flags, scratch.record.mode);
            call.open(scratch, flags, mode)
        }
        "stat" | "lstat" => call.stat(scratch, info.args[1]),
        "newfstatat" => call.stat(scratch, info.args[2]),
        "statx" => call.statx(scratch),
        "statfs" => call.statfs(scratch),
        "access" | "faccessat" | "faccessat2" => {
            let mode = if name == "access" { a[1] } else { a[2] };
            // Acting with the caller's real ids as file system ids:
            // check with those (AT_EACCESS), not husk's real ids.
            let flags = if acting.switched() || !real {
                libc::AT_EACCESS as u64
            } else {
                0
            };
            call.access(scratch, mode, flags)
        }
        "mkdir" => call.mkdir(scratch, a[1]),
        "mkdirat" => call.mkdir(scratch, a[2]),
        "mknod" => call.mknod(scratch, a[1], a[2]),
        "mknodat" => call.mknod(scratch, a[2], a[3]),
        "unlink" => call.unlink(scratch, 0),
        "rmdir" => call.unlink(scratch, libc::AT_REMOVEDIR as u32),
        "unlinkat" => call.unlink(scratch, a[2] as u32),
        "rename" | "renameat" => call.rename(scratch, 0),
        "renameat2" => call.rename(scratch, a[4]),
        "link" | "linkat" => call.link(scratch),
        "symlink" => call.symlink(scratch, a[0]),
        "symlinkat" => call.symlink(scratch, a[0]),
        "readlink" => call.readlink(scratch, a[1], a[2]),
        "readlinkat" => call.readlink(scratch, a[2], a[3]),
        "chmod" => call.chmod(scratch, a[1]),
        "fchmodat" | "fchmodat2" => call.chmod(scratch, a[2]),
        "chown" | "lchown" => call.chown(scratch, a[1], a[2]),
        "fchownat" => call.chown(scratch, a[2], a[3]),
        "truncate" => call.truncate(scratch, a[1]),
        "utime" => call.utime(scratch, a[1], Times::Utimbuf),
        "utimes" => call.utime(scratch, a[1], Times::Timeval),
        "futimesat" => call.utime(scratch, a[2], Times::Timeval),
        "utimensat" => call.utime(scratch, a[2], Times::Timespec),
        "setxattr" | "lsetxattr" => call.setxattr(scratch, false, a[1], a[2], a[3], a[4]),
        "fsetxattr" => call.setxattr(scratch, true, a[1], a[2], a[3], a[4]),
        "removexattr" | "lremovexattr" => call.removexattr(scratch, false, a[1]),
        "fremovexattr" => call.removexattr(scratch, true, a[1]),
        "getxattr" | "lgetxattr" => call.getxattr(scratch, false, Some(a[1]), a[2], a[3]),
        "fgetxattr" => call.getxattr(scratch, true, Some(a[1]), a[2], a[3]),
        "listxattr" | "llistxattr" => call.getxattr(scratch, false, None, a[1], a[2]),
        "flistxattr" => call.getxattr(scratch, true, None, a[1], a[2]),
        "setxattrat" | "getxattrat" => {
            call.xattr_args(a[4], a[5])
                .and_then(|(value, size, flags)| {
                    if name == "setxattrat" {
                        call.setxattr(scratch, false, a[3], value, size, flags)
                    } else {
                        call.getxattr(scratch, false, Some(a[3]), value, size)
                    }
                })
        }
        "listxattrat" => call.getxattr(scratch, false, None, a[3], a[4]),
        "file_getattr" => call.file_attr(scratch, false),
        "file_setattr" => call.file_attr(scratch, true),
        "removexattrat" => call.removexattr(scratch, false, a[3]),
        "fchmod" => call
            .checked_fd(scratch)
            .and_then(|fd| at::on_fd::fchmod(&fd, a[1] as u32 & 0o7777).map(|()| Reply::Value(0))),
        "fchown" => call.checked_fd(scratch).and_then(|fd| {
            at::on_fd::fchown(&fd, a[1] as u32, a[2] as u32).map(|()| Reply::Value(0))
        }),
        "ftruncate" => call
            .checked_fd(scratch)
            .and_then(|fd| at::on_fd::ftruncate(&fd, a[1] as i64).map(|()| Reply::Value(0))),
        "fallocate" => call.checked_fd(scratch).and_then(|fd| {
            at::on_fd::fallocate(&fd, a[1] as i32, a[2] as i64, a[3] as i64)
                .map(|()| Reply::Value(0))
        }),
        "bind" => call.bind(scratch),
        // On the very socket that was decided (a copy of the caller's).
        "listen" => call
            .checked_fd(scratch)
            .and_then(|fd| file::listen(&fd, a[1] as i32).map(|()| Reply::Value(0))),
        "connect" => call.connect(scratch),
        "sendto" => call.sendto(scratch),
        "sendmsg" => call.sendmsg(scratch),
        "sendmmsg" => call.sendmmsg(policy, scratch),
        "inotify_add_watch" => call.inotify_add_watch(scratch),
        // Sent here but not emulated: refuse rather than guess.
        _ => Err(Errno::ENOSYS),
    }
}

/// One call being performed.
struct Call<'a> {
    notif: &'a Notif,
    info: &'a SyscallInfo,
    listener: BorrowedFd<'a>,
    caller: Caller,
}

impl Call<'_> {
    /// Fails once the notification is gone: whatever was just read
    /// (memory, /proc) may then belong to another process that reused
    /// the thread id, and must not be acted on.
    fn still_valid(&self) -> Result<()> {
        if notify::id_valid(self.listener, self.notif.id) {
            Ok(())
        } else {
            Err(Errno::ESRCH)
        }
    }

    /// Reads the caller's memory (values that decide nothing, read when
    /// used).
    fn read_exact(&self, at: RemoteAddr, buf: &mut [u8]) -> Result<()> {
        memory::read_exact(self.caller.tid, at, buf)?;
        self.still_valid()
    }

    /// Reads a string from the caller's memory.
    fn read_cstr<'b>(&self, at: RemoteAddr, buf: &'b mut [u8]) -> Result<&'b [u8]> {
        let text = memory::read_cstr(self.caller.tid, at, buf)?;
        self.still_valid()?;
        Ok(text)
    }

    /// The caller's umask.
    fn umask(&self) -> Result<u32> {
        let mask = crate::remote::proc::umask(self.caller.tid)?;
        self.still_valid()?;
        Ok(mask)
    }

    /// A copy of the caller's descriptor `fd`, through a pidfd of the
    /// calling thread (6.9+; else of its process) kept between calls
    /// (`object::Handle`: a pidfd names one thread for ever, so a
    /// reused thread id never reaches another's table).
    fn their_fd(&self, scratch: &Scratch, fd: i32) -> Result<OwnedFd> {
        let copy = scratch
            .handle
            .borrow_mut()
            .copy_fd(self.caller.tid, || self.caller.tgid(), fd)?
            .ok_or(Errno::ENOSYS)?;
        // The pid and the descriptor table were the caller's only if
        // it is still waiting.
        self.still_valid()?;
        Ok(copy)
    }

    /// The caller's descriptor named by an anonymous slot's path
    /// (`/proc/TGID/fd/N`).
    fn anonymous_fd(&self, scratch: &Scratch, slot: usize) -> Result<OwnedFd> {
        let real = scratch.slots[slot].real.as_bytes();
        let n = real.rsplit(|&b| b == b'/').next().unwrap_or(b"");
        let fd = parse_fd(n).ok_or(Errno::EBADF)?;
        self.their_fd(scratch, fd)
    }

    /// The caller's own `/proc/TID/LINK` (`cwd`, `fd/N`), opened
    /// `O_PATH` through its magic link.
    fn their_link(&self, mut path: ProcPath) -> Result<OwnedFd> {
        // Through the caller's magic link: no RESOLVE_ restriction.
        let object = file::openat2(Dir::Cwd, path.as_cstr(), libc::O_PATH as u64, 0, 0)?;
        self.still_valid()?;
        Ok(object)
    }

    /// The caller's `/proc/TID/cwd`.
    fn cwd_link(&self) -> ProcPath {
        let mut path = ProcPath::new(self.caller.tid);
        path.push(b"/cwd");
        path
    }

    /// `object`, confirmed to still be what slot `i` was checked on
    /// (device, inode and type): a descriptor swapped (`dup2`), a
    /// working directory changed, or a path that names another object
    /// since the check fails with [`CHANGED`] (decided again), never
    /// acted on.
    fn verified(&self, object: OwnedFd, scratch: &Scratch, i: usize) -> Result<OwnedFd> {
        self.verify(object, scratch, i).map(|(fd, _)| fd)
    }

    /// [`Call::verified`], with the `struct stat` it took.
    fn verify(
        &self,
        object: OwnedFd,
        scratch: &Scratch,
        i: usize,
    ) -> Result<(OwnedFd, Option<file::KernelStat>)> {
        let st = file::fstat_raw(&object)?;
        let now = file::RawStat(st).info();
        let slot = &scratch.slots[i];
        let checked = if slot.anonymous {
            Some(slot.stat.info())
        } else {
            slot.info
        };
        match checked {
            Some(checked) if crate::remote::object::same(now, checked) => Ok((object, Some(st))),
            _ => Err(CHANGED),
        }
    }

    /// An `O_PATH` descriptor (or, for a descriptor argument, a copy)
    /// of the object slot `i` names, as checked (following a final link
    /// or not).
    fn object(&self, scratch: &mut Scratch, i: usize) -> Result<OwnedFd> {
        self.described(scratch, i).map(|(fd, _)| fd)
    }

    /// [`Call::object`], with its `struct stat` where confirming it was
    /// the object checked took one (saves describing it again).
    fn described(
        &self,
        scratch: &mut Scratch,
        i: usize,
    ) -> Result<(OwnedFd, Option<file::KernelStat>)> {
        let unverified = |fd: Result<OwnedFd>| fd.map(|fd| (fd, None));
        match scratch.record.start[i] {
            Empty::AnyFd(fd) => {
                return unverified(self.their_link(ProcPath::fd(self.caller.tid, fd)));
            }
            Empty::AnyCwd => return unverified(self.their_link(self.cwd_link())),
            Empty::Fd(fd) => return self.verify(self.their_fd(scratch, fd)?, scratch, i),
            Empty::Cwd => return self.verify(self.their_link(self.cwd_link())?, scratch, i),
            Empty::No => {}
        }
        if scratch.slots[i].anonymous {
            return self.verify(self.anonymous_fd(scratch, i)?, scratch, i);
        }
        if scratch.slots[i].nowhere {
            // No path to open it by: the object pinned when it was
            // checked, if the lookup reached one (else, a name looked up
            // in a directory with no path: nothing the kernel would find).
            return match &scratch.slots[i].pinned {
                Some(fd) if scratch.slots[i].info.is_some() => {
                    let mut own = ProcPath::own_fd(fd.as_fd().raw());
                    unverified(file::openat2(
                        Dir::Cwd,
                        own.as_cstr(),
                        libc::O_PATH as u64,
                        0,
                        0,
                    ))
                }
                _ => Err(Errno::ENOENT),
            };
        }
        let follow = scratch.record.follow[i];
        let flags = libc::O_PATH | if follow { 0 } else { libc::O_NOFOLLOW };
        let fd = file::openat2(
            Dir::Cwd,
            scratch.slots[i].real.as_cstr(),
            flags as u64,
            0,
            NO_LINKS,
        );
        match fd {
            Ok(fd) => self.verify(fd, scratch, i),
            // Gone since the check: what the kernel would say, unless
            // the check saw nothing either.
            Err(Errno::ENOENT) if scratch.slots[i].exists() => Err(CHANGED),
            Err(e) => Err(e),
        }
    }

    /// The caller's descriptor argument (slot 0), copied and verified
    /// (see [`Call::verified`]), for the calls made on a descriptor.
    fn checked_fd(&self, scratch: &mut Scratch) -> Result<OwnedFd> {
        let Empty::Fd(fd) = scratch.record.start[0] else {
            return Err(Errno::EBADF);
        };
        self.verified(self.their_fd(scratch, fd)?, scratch, 0)
    }

    /// The pinned parent directory of slot `i`, and the last component
    /// (with the caller's trailing slash, so the kernel judges it).
    fn parent(&self, scratch: &mut Scratch, i: usize) -> Result<(OwnedFd, Name)> {
        let slot = &scratch.slots[i];
        if scratch.record.start[i] != Empty::No || slot.anonymous || slot.nowhere {
            // Nothing to name in a directory: not a path operand, or a
            // directory with no path (a removed one holds no names).
            return Err(Errno::ENOENT);
        }
        let real = scratch.slots[i].real.as_bytes();
        let cut = real.iter().rposition(|&b| b == b'/').ok_or(Errno::EINVAL)?;
        let last = &real[cut + 1..];
        if last.is_empty() {
            // The root itself.
            return Err(Errno::EBUSY);
        }
        let name = Name::new(last, scratch.record.trailing[i])?;
        let mut dir = [0u8; crate::remote::path::PATH_MAX + 1];
        let parent = if cut == 0 { &b"/"[..] } else { &real[..cut] };
        dir[..parent.len()].copy_from_slice(parent);
        let dir = core::ffi::CStr::from_bytes_until_nul(&dir).map_err(|_| Errno::EINVAL)?;
        let fd = file::openat2(
            Dir::Cwd,
            dir,
            (libc::O_PATH | libc::O_DIRECTORY) as u64,
            0,
            NO_LINKS,
        )?;
        Ok((fd, name))
    }

    /// The caller's umask applied to `mode`'s permission bits.
    fn masked(&self, mode: u64) -> Result<u32> {
        let umask = self.umask()?;
        Ok(mode as u32 & 0o7777 & !umask)
    }

    fn mkdir(&self, scratch: &mut Scratch, mode: u64) -> Result<Reply> {
        let (dir, mut name) = self.parent(scratch, 0)?;
        let made = at::mkdirat(&dir, name.as_cstr(), self.masked(mode)?);
        appeared(made, scratch, 0)?;
        Ok(Reply::Value(0))
    }

    fn mknod(&self, scratch: &mut Scratch, mode: u64, dev: u64) -> Result<Reply> {
        let (dir, mut name) = self.parent(scratch, 0)?;
        let kind = mode as u32 & libc::S_IFMT;
        let made = at::mknodat(&dir, name.as_cstr(), kind | self.masked(mode)?, dev);
        appeared(made, scratch, 0)?;
        Ok(Reply::Value(0))
    }

    fn unlink(&self, scratch: &mut Scratch, flags: u32) -> Result<Reply> {
        let (dir, mut name) = self.parent(scratch, 0)?;
        at::unlinkat(&dir, name.as_cstr(), flags & libc::AT_REMOVEDIR as u32)?;
        Ok(Reply::Value(0))
    }

    fn rename(&self, scratch: &mut Scratch, flags: u64) -> Result<Reply> {
        let (from_dir, mut from) = self.parent(scratch, 0)?;
        let (to_dir, mut to) = self.parent(scratch, 1)?;
        let mut flags = flags as u32;
        if !scratch.slots[1].exists() && flags & libc::RENAME_EXCHANGE == 0 {
            // Nothing was at the destination when it was checked (so its
            // `delete` was not): the kernel must not replace what may
            // have appeared there since. It then is decided again.
            flags |= libc::RENAME_NOREPLACE;
        }
        let moved = at::renameat2(&from_dir, from.as_cstr(), &to_dir, to.as_cstr(), flags);
        appeared(moved, scratch, 1)?;
        Ok(Reply::Value(0))
    }

    fn link(&self, scratch: &mut Scratch) -> Result<Reply> {
        let (to_dir, mut to) = self.parent(scratch, 1)?;
        // The source exactly as checked: its pinned object, linked
        // through husk's own descriptor (which also links an O_TMPFILE
        // file, as linkat(fd, "", AT_EMPTY_PATH) would).
        let object = self.object(scratch, 0)?;
        let mut own = ProcPath::own_fd(object.as_fd().raw());
        let linked = at::linkat(
            crate::sys::fd::BorrowedFd::CWD,
            own.as_cstr(),
            &to_dir,
            to.as_cstr(),
            libc::AT_SYMLINK_FOLLOW as u32,
        );
        appeared(linked, scratch, 1)?;
        Ok(Reply::Value(0))
    }

    fn symlink(&self, scratch: &mut Scratch, target: u64) -> Result<Reply> {
        // The target is text stored in the link, never resolved here:
        // the decision did not depend on it, so reading it now is safe.
        let mut buf = [0u8; crate::remote::path::PATH_MAX + 1];
        let len = self
            .read_cstr(
                RemoteAddr(target),
                &mut buf[..crate::remote::path::PATH_MAX],
            )?
            .len();
        let target =
            core::ffi::CStr::from_bytes_until_nul(&buf[..=len]).map_err(|_| Errno::EINVAL)?;
        let (dir, mut name) = self.parent(scratch, 0)?;
        appeared(at::symlinkat(target, &dir, name.as_cstr()), scratch, 0)?;
        Ok(Reply::Value(0))
    }

    /// Runs `f` on husk's own `/proc/self/fd/N` path of slot 0's
    /// pinned object (reaching exactly that inode).
    fn on_object<T>(
        &self,
        scratch: &mut Scratch,
        f: impl FnOnce(&core::ffi::CStr, &OwnedFd) -> Result<T>,
    ) -> Result<T> {
        let object = self.object(scratch, 0)?;
        let mut own = ProcPath::own_fd(object.as_fd().raw());
        f(own.as_cstr(), &object)
    }

    fn chmod(&self, scratch: &mut Scratch, mode: u64) -> Result<Reply> {
        let link =
            !scratch.record.follow[0] && scratch.slots[0].info.is_some_and(|i| i.is_symlink());
        if link {
            // Linux cannot change a symbolic link's mode.
            return Err(Errno::EOPNOTSUPP);
        }
        self.on_object(scratch, |path, _| at::chmod(path, mode as u32 & 0o7777))?;
        Ok(Reply::Value(0))
    }

    fn chown(&self, scratch: &mut Scratch, uid: u64, gid: u64) -> Result<Reply> {
        self.on_object(scratch, |_, fd| at::chown_fd(fd, uid as u32, gid as u32))?;
        Ok(Reply::Value(0))
    }

    fn truncate(&self, scratch: &mut Scratch, length: u64) -> Result<Reply> {
        self.on_object(scratch, |path, _| at::truncate(path, length as i64))?;
        Ok(Reply::Value(0))
    }

    /// `times` as the call gave them, read now (the decision did not
    /// depend on them).
    fn utime(&self, scratch: &mut Scratch, times: u64, kind: Times) -> Result<Reply> {
        let ts = if times == 0 {
            None
        } else {
            let mut raw = [0u8; 32];
            let (len, unit) = match kind {
                // struct utimbuf { time_t actime, modtime; }
                Times::Utimbuf => (16, 0),
                // struct timeval[2]
                Times::Timeval => (32, 1000),
                // struct timespec[2]
                Times::Timespec => (32, 1),
            };
            self.read_exact(RemoteAddr(times), &mut raw[..len])?;
            let word =
                |i: usize| i64::from_ne_bytes(raw[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
            // `as _`: libc's widths (32 bits on 32-bit ARM, where this
            // transport is refused: see `supervisor::notify`).
            let pair = |sec: i64, frac: i64| libc::timespec {
                tv_sec: sec as _,
                tv_nsec: (frac * unit) as _,
            };
            Some(match kind {
                Times::Utimbuf => [pair(word(0), 0), pair(word(1), 0)],
                _ => [pair(word(0), word(1)), pair(word(2), word(3))],
            })
        };
        self.on_object(scratch, |path, _| at::utimensat(path, ts.as_ref(), 0))?;
        Ok(Reply::Value(0))
    }

    // Never inlined: its 64 KiB buffer would make every call's frame
    // that large (stack probes touch a frame whole: resident memory).
    #[inline(never)]
    fn setxattr(
        &self,
        scratch: &mut Scratch,
        by_fd: bool,
        name: u64,
        value: u64,
        size: u64,
        flags: u64,
    ) -> Result<Reply> {
        let mut key = [0u8; 256];
        // A name over 255 bytes: ERANGE, as the kernel says.
        let n = match self.read_cstr(RemoteAddr(name), &mut key[..255]) {
            Ok(key) => key.len(),
            Err(Errno::ENAMETOOLONG) => return Err(Errno::ERANGE),
            Err(e) => return Err(e),
        };
        let key = core::ffi::CStr::from_bytes_until_nul(&key[..=n]).map_err(|_| Errno::EINVAL)?;
        let size = size as usize;
        if size > XATTR_MAX {
            return Err(Errno::E2BIG);
        }
        let mut data = [0u8; XATTR_MAX];
        if size != 0 {
            self.read_exact(RemoteAddr(value), &mut data[..size])?;
        }
        if by_fd {
            let fd = self.checked_fd(scratch)?;
            at::on_fd::fsetxattr(&fd, key, &data[..size], flags as u32)?;
        } else {
            self.on_object(scratch, |path, _| {
                at::setxattr(path, key, &data[..size], flags as u32, true)
            })?;
        }
        Ok(Reply::Value(0))
    }

    fn removexattr(&self, scratch: &mut Scratch, by_fd: bool, name: u64) -> Result<Reply> {
        let mut key = [0u8; 256];
        let n = self.read_cstr(RemoteAddr(name), &mut key[..255])?.len();
        let key = core::ffi::CStr::from_bytes_until_nul(&key[..=n]).map_err(|_| Errno::EINVAL)?;
        if by_fd {
            let fd = self.checked_fd(scratch)?;
            at::on_fd::fremovexattr(&fd, key)?;
        } else {
            self.on_object(scratch, |path, _| at::removexattr(path, key, true))?;
        }
        Ok(Reply::Value(0))
    }

    /// getxattr (`name: Some`) or listxattr: into the caller's buffer.
    // Never inlined: its 64 KiB buffer would make every call's frame
    // that large (stack probes touch a frame whole: resident memory).
    #[inline(never)]
    fn getxattr(
        &self,
        scratch: &mut Scratch,
        by_fd: bool,
        name: Option<u64>,
        buf: u64,
        size: u64,
    ) -> Result<Reply> {
        let tid = self.caller.tid;
        let mut key = [0u8; 256];
        let key = match name {
            Some(at) => {
                let n = self.read_cstr(RemoteAddr(at), &mut key[..255])?.len();
                Some(core::ffi::CStr::from_bytes_until_nul(&key[..=n]).map_err(|_| Errno::EINVAL)?)
            }
            None => None,
        };
        let size = (size as usize).min(XATTR_MAX);
        let mut data = [0u8; XATTR_MAX];
        let n = if by_fd {
            let fd = self.checked_fd(scratch)?;
            at::on_fd::fgetxattr(&fd, key, &mut data[..size])?
        } else {
            self.on_object(scratch, |path, _| match key {
                Some(key) => at::getxattr(path, key, &mut data[..size], true),
                None => at::listxattr(path, &mut data[..size], true),
            })?
        };
        if size != 0 {
            notify::vm_write(tid, buf, &data[..n])?;
        }
        Ok(Reply::Value(n as i64))
    }

    fn readlink(&self, scratch: &mut Scratch, buf: u64, size: u64) -> Result<Reply> {
        if size as i64 <= 0 {
            return Err(Errno::EINVAL);
        }
        // What is not a link has no text: EINVAL, or ENOENT for the
        // descriptor itself (an empty path), as the kernel says.
        if !scratch.slots[0].info.is_some_and(|i| i.is_symlink()) {
            return Err(match scratch.record.start[0] {
                Empty::No => Errno::EINVAL,
                _ => Errno::ENOENT,
            });
        }
        let mut data = [0u8; crate::remote::path::PATH_MAX];
        let size = (size as usize).min(data.len());
        let object = self.object(scratch, 0)?;
        let n = at::readlink_fd(&object, &mut data[..size])?;
        notify::vm_write(self.caller.tid, buf, &data[..n])?;
        Ok(Reply::Value(n as i64))
    }

    fn open(&self, scratch: &mut Scratch, flags: u64, mode: u64) -> Result<Reply> {
        let cloexec = flags & libc::O_CLOEXEC as u64 != 0;
        let flags = flags & OPEN_FLAGS;
        if flags & libc::O_PATH as u64 != 0 {
            // The kernel cannot install an O_PATH descriptor in another
            // process (ADDFD refuses them): such opens go to the tracer,
            // which checks the object really opened afterwards. One that
            // got here anyway is refused (see `settle`).
            return Err(Errno::ENOSYS);
        }
        // Only what was decided (see `decide`'s open): an existing
        // object is opened without O_CREAT (unless O_EXCL, which then
        // fails as it should), and one that is not a regular file
        // without O_TRUNC, so a file swapped in since is neither
        // created nor emptied, only found changed and decided again.
        let (exists, regular) = {
            let slot = &scratch.slots[0];
            let regular = slot.info.is_some_and(|i| i.kind() == libc::S_IFREG);
            (slot.exists() || slot.anonymous, regular)
        };
        let o_creat = libc::O_CREAT as u64;
        let o_excl = libc::O_EXCL as u64;
        let found = exists && flags & o_creat != 0 && flags & o_excl == 0;
        if found && scratch.slots[0].is_dir() {
            // O_CREAT never opens a directory.
            return Err(Errno::EISDIR);
        }
        let mut flags = flags;
        if found {
            flags &= !o_creat;
        }
        if exists && !regular {
            flags &= !(libc::O_TRUNC as u64);
        }
        let creating = flags & libc::O_CREAT as u64 != 0
            || flags & libc::O_TMPFILE as u64 == libc::O_TMPFILE as u64;
        let mode = if creating {
            // husk's own umask is 0: the caller's is applied here.
            let umask = self.umask()?;
            mode & 0o7777 & !(umask as u64)
        } else {
            0
        };
        let fifo = scratch.slots[0]
            .info
            .is_some_and(|i| i.kind() == libc::S_IFIFO);
        let access = flags as i32 & libc::O_ACCMODE;
        let may_wait = fifo
            && flags & libc::O_NONBLOCK as u64 == 0
            && !scratch.slots[0].anonymous
            // Read-write never waits (Linux).
            && access != libc::O_RDWR;
        if may_wait && access == libc::O_WRONLY {
            // A writer waits only when no reader is there: try without
            // waiting first, and keep the caller's blocking mode.
            let real = scratch.slots[0].real.as_cstr();
            let nonblock = flags | libc::O_NONBLOCK as u64;
            match file::openat2(Dir::Cwd, real, nonblock, 0, NO_LINKS) {
                Ok(fd) => {
                    let status = file::status_flags(&fd)? & !libc::O_NONBLOCK;
                    file::set_status_flags(&fd, status)?;
                    return self.send_fd(&fd, cloexec);
                }
                // No reader yet: wait for one, below.
                Err(Errno::ENXIO) => {}
                Err(e) => return Err(e),
            }
        }
        if may_wait {
            // Waits for the other end: a helper does it (see
            // supervisor::blocking), on the FIFO pinned here.
            let follow = scratch.record.follow[0];
            let pin = libc::O_PATH | if follow { 0 } else { libc::O_NOFOLLOW };
            let fd = file::openat2(
                Dir::Cwd,
                scratch.slots[0].real.as_cstr(),
                pin as u64,
                0,
                NO_LINKS,
            )?;
            let op = Op::Open {
                flags: flags as i32,
                cloexec,
            };
            return self.block(fd, op);
        }
        let (anonymous, nowhere, exists) = {
            let slot = &scratch.slots[0];
            (slot.anonymous, slot.nowhere, slot.exists())
        };
        let tmpfile = flags & libc::O_TMPFILE as u64 == libc::O_TMPFILE as u64;
        // A worker never waits in an open: what was checked is not a FIFO
        // (those went to a helper above), so an open that would wait has
        // met something else (a FIFO swapped in, a device, a lease) and is
        // refused by the kernel at once, or finds another object and is
        // decided again. The caller's own blocking mode is restored.
        let nonblock = flags & libc::O_NONBLOCK as u64 != 0;
        let flags = flags | libc::O_NONBLOCK as u64;
        let fd = if anonymous {
            // A pipe or socket the caller holds, reopened: through a
            // copy of its descriptor, never its table again.
            let theirs = self.verified(self.anonymous_fd(scratch, 0)?, scratch, 0)?;
            let mut path = ProcPath::own_fd(theirs.as_fd().raw());
            // husk's own magic link: followed, no RESOLVE_ restriction.
            file::openat2(Dir::Cwd, path.as_cstr(), flags, 0, 0)?
        } else if nowhere {
            // A file with no path (deleted...), allowed because the
            // policy allows every path: reopened through the object
            // pinned at the check, as the kernel reopens /proc/self/fd/N.
            let object = self.object(scratch, 0)?;
            let mut path = ProcPath::own_fd(object.as_fd().raw());
            file::openat2(Dir::Cwd, path.as_cstr(), flags & !CREATE_FLAGS, 0, 0)?
        } else if tmpfile {
            // A new nameless file in the directory checked by its path.
            let real = scratch.slots[0].real.as_cstr();
            file::openat2(Dir::Cwd, real, flags, mode, NO_LINKS)?
        } else if !exists && flags & libc::O_CREAT as u64 != 0 {
            // Nothing was there at the check: create it, and only it. A
            // file that appeared since is not opened on the old decision
            // (it may be hidden, or another type): decide again.
            let excl = flags | libc::O_EXCL as u64;
            let real = scratch.slots[0].real.as_cstr();
            match file::openat2(Dir::Cwd, real, excl, mode, NO_LINKS) {
                Err(Errno::EEXIST) => return Err(CHANGED),
                other => other?,
            }
        } else {
            // What was checked, and only that: the same inode and type
            // (a directory decided as `readdir` that became a file since,
            // or another file moved to the path, is decided again).
            let real = scratch.slots[0].real.as_cstr();
            let fd = match file::openat2(Dir::Cwd, real, flags, mode, NO_LINKS) {
                // Gone since the check, and the caller would create it:
                // a create now, to be decided as one.
                Err(Errno::ENOENT) if found => return Err(CHANGED),
                other => other?,
            };
            self.verified(fd, scratch, 0)?
        };
        if !nonblock {
            // The status flags open set, less O_NONBLOCK (F_SETFL sets
            // only these; O_ASYNC stays off, as open leaves it).
            let settable = libc::O_APPEND | libc::O_DIRECT | libc::O_NOATIME;
            file::set_status_flags(&fd, flags as i32 & settable)?;
        }
        self.send_fd(&fd, cloexec)
    }

    /// Hands a call that may block to a helper, which answers it.
    fn block(&self, fd: OwnedFd, op: Op) -> Result<Reply> {
        let job = Job {
            id: self.notif.id,
            tid: self.caller.tid,
            fd,
            op,
        };
        blocking::submit(job).map(|()| Reply::Answered)
    }

    /// The address to use for a UNIX socket path: through husk's own
    /// descriptor of what was checked (the parent directory for bind,
    /// the socket itself for connect), so no link swapped in since can
    /// redirect it. Other addresses as read.
    fn address(
        &self,
        scratch: &mut Scratch,
        bind: bool,
        keep: &mut Option<OwnedFd>,
    ) -> Result<([u8; 128], usize)> {
        let rec = &scratch.record;
        let mut addr = [0u8; 128];
        let len = rec.addr_len.min(128);
        addr[..len].copy_from_slice(&rec.addr[..len]);
        let family = u16::from_ne_bytes([addr[0], addr[1]]);
        let path_named = family == libc::AF_UNIX as u16 && len > 2 && addr[2] != 0;
        if !path_named {
            return Ok((addr, len));
        }
        let mut via = [0u8; 108];
        let used = if bind {
            let (dir, mut name) = self.parent(scratch, 0)?;
            let mut own = ProcPath::own_fd(dir.as_fd().raw());
            let a = own.as_cstr().to_bytes();
            let b = name.as_cstr().to_bytes();
            if a.len() + 1 + b.len() >= via.len() {
                return Err(Errno::ENAMETOOLONG);
            }
            via[..a.len()].copy_from_slice(a);
            via[a.len()] = b'/';
            via[a.len() + 1..a.len() + 1 + b.len()].copy_from_slice(b);
            *keep = Some(dir);
            a.len() + 1 + b.len()
        } else {
            let object = self.object(scratch, 0)?;
            let mut own = ProcPath::own_fd(object.as_fd().raw());
            let a = own.as_cstr().to_bytes();
            via[..a.len()].copy_from_slice(a);
            *keep = Some(object);
            a.len()
        };
        let mut out = [0u8; 128];
        out[..2].copy_from_slice(&addr[..2]);
        out[2..2 + used].copy_from_slice(&via[..used]);
        Ok((out, 2 + used + 1))
    }

    fn bind(&self, scratch: &mut Scratch) -> Result<Reply> {
        let socket = self.their_fd(scratch, self.info.args[0] as u32 as i32)?;
        let rec = &scratch.record;
        let named = rec.addr_len > 2
            && u16::from_ne_bytes([rec.addr[0], rec.addr[1]]) == libc::AF_UNIX as u16
            && rec.addr[2] != 0;
        if !named {
            let len = rec.addr_len.min(rec.addr.len());
            file::bind(&socket, &rec.addr[..len])?;
            return Ok(Reply::Value(0));
        }
        // A socket file is made in the checked directory, named there:
        // from this worker's own working directory (`CLONE_FS` being
        // unshared), so the name is the caller's, whatever the length of
        // the whole path; with the caller's umask (the worker's own too;
        // husk's is 0 otherwise).
        let (dir, mut name) = self.parent(scratch, 0)?;
        let name = name.as_cstr().to_bytes();
        let mut addr = [0u8; 2 + 108];
        if name.len() > 108 {
            return Err(Errno::ENAMETOOLONG);
        }
        addr[..2].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
        addr[2..2 + name.len()].copy_from_slice(name);
        // The terminating NUL where it fits (a 108-byte name has none).
        let len = (2 + name.len() + 1).min(addr.len());
        let umask = self.umask()?;
        file::fchdir(&dir)?;
        let husks = file::umask(umask);
        let bound = file::bind(&socket, &addr[..len]);
        file::umask(husks);
        let _ = file::chdir(c"/");
        bound?;
        Ok(Reply::Value(0))
    }

    fn connect(&self, scratch: &mut Scratch) -> Result<Reply> {
        let socket = self.their_fd(scratch, self.info.args[0] as u32 as i32)?;
        let mut keep = None;
        let (addr, len) = self.address(scratch, false, &mut keep)?;
        if file::status_flags(&socket)? & libc::O_NONBLOCK == 0 {
            // May wait for the peer: a helper does it.
            return self.block(
                socket,
                Op::Connect {
                    addr,
                    len: len as u32,
                    keep,
                },
            );
        }
        file::connect(&socket, &addr[..len])?;
        Ok(Reply::Value(0))
    }

    /// sendto with a destination (without one the filter lets it run).
    // Never inlined: its 64 KiB buffer would make every call's frame
    // that large (stack probes touch a frame whole: resident memory).
    #[inline(never)]
    fn sendto(&self, scratch: &mut Scratch) -> Result<Reply> {
        let a = &self.info.args;
        let socket = self.their_fd(scratch, a[0] as u32 as i32)?;
        let mut keep = None;
        let (addr, len) = self.address(scratch, false, &mut keep)?;
        let flags = a[3] as u32 as i32;
        let size = a[2] as usize;
        if size > crate::limits::SEND_BYTES && file::socket_type(&socket)? != libc::SOCK_STREAM {
            return Err(Errno::EMSGSIZE);
        }
        let size = size.min(crate::limits::SEND_BYTES);
        let waits =
            flags & libc::MSG_DONTWAIT == 0 && file::status_flags(&socket)? & libc::O_NONBLOCK == 0;
        // The data decides nothing: it is read when it is sent.
        let mut data = [0u8; crate::limits::SEND_BYTES];
        self.read_exact(RemoteAddr(a[1]), &mut data[..size])?;
        match file::sendto(
            &socket,
            &data[..size],
            flags | libc::MSG_DONTWAIT,
            &addr[..len],
        ) {
            Ok(n) => Ok(Reply::Value(n as i64)),
            Err(Errno::EAGAIN) if waits => self.block(
                socket,
                Op::Send {
                    addr,
                    len: len as u32,
                    keep,
                    data: a[1],
                    size,
                    flags,
                },
            ),
            Err(e) => {
                blocking::broken_pipe(self.caller.tid, flags, e);
                Err(e)
            }
        }
    }

    /// sendmsg: the checked destination and control data (each passed
    /// descriptor replaced by husk's copy of it), and the caller's data,
    /// gathered.
    // Never inlined: its 64 KiB buffer would make every call's frame
    // that large (stack probes touch a frame whole: resident memory).
    #[inline(never)]
    fn sendmsg(&self, scratch: &mut Scratch) -> Result<Reply> {
        let a = &self.info.args;
        let socket = self.their_fd(scratch, a[0] as u32 as i32)?;
        let flags = a[2] as u32 as i32;
        let mut keep = None;
        let (addr, alen) = self.address(scratch, false, &mut keep)?;
        // Control data: exactly the bytes checked.
        let rec = &scratch.record;
        let clen = rec.control_len;
        let mut control = [0u8; super::net::CONTROL_MAX];
        control[..clen].copy_from_slice(&rec.control[..clen]);
        let mut spans: heapless::Vec<core::ops::Range<usize>, 64> = heapless::Vec::new();
        for r in super::net::rights(&control[..clen]) {
            spans.push(r).map_err(|_| Errno::EINVAL)?;
        }
        // The kernel's limit on descriptors in one message.
        let mut held: heapless::Vec<OwnedFd, 253> = heapless::Vec::new();
        for span in spans {
            for at in span.step_by(4) {
                let Some(bytes) = control.get(at..at + 4) else {
                    break;
                };
                let theirs = i32::from_ne_bytes(bytes.try_into().unwrap_or([0; 4]));
                let copy = self.their_fd(scratch, theirs)?;
                control[at..at + 4].copy_from_slice(&copy.as_fd().raw().to_ne_bytes());
                held.push(copy).map_err(|_| Errno::EINVAL)?;
            }
        }
        // The data decides nothing: gathered now.
        let (iov, count) = rec.iov;
        let mut data = [0u8; crate::limits::SEND_BYTES];
        let (size, total) = memory::gather(self.caller.tid, RemoteAddr(iov), count, &mut data)?;
        self.still_valid()?;
        if total > data.len() as u64 && file::socket_type(&socket)? != libc::SOCK_STREAM {
            return Err(Errno::EMSGSIZE);
        }
        let name = &addr[..alen];
        let waits =
            flags & libc::MSG_DONTWAIT == 0 && file::status_flags(&socket)? & libc::O_NONBLOCK == 0;
        let sent = file::sendmsg(
            &socket,
            name,
            &data[..size],
            &control[..clen],
            flags | libc::MSG_DONTWAIT,
        );
        match sent {
            Ok(n) => Ok(Reply::Value(n as i64)),
            // No room: a helper waits for it, as for sendto (the data is
            // gathered again when it is sent).
            Err(Errno::EAGAIN) if waits => self.block(
                socket,
                Op::SendMsg {
                    addr,
                    len: alen as u32,
                    keep,
                    control,
                    clen,
                    held,
                    iov,
                    count,
                    flags,
                },
            ),
            Err(e) => {
                blocking::broken_pipe(self.caller.tid, flags, e);
                Err(e)
            }
        }
    }

    /// inotify_add_watch: on the pinned object, through husk's own
    /// descriptor of it, added to a copy of the caller's inotify
    /// instance (the same instance: the watch is the caller's).
    fn inotify_add_watch(&self, scratch: &mut Scratch) -> Result<Reply> {
        let a = &self.info.args;
        let inotify = self.their_fd(scratch, a[0] as u32 as i32)?;
        // The object is pinned as checked; the magic link must then be
        // followed to it, whatever the caller said about links.
        let mask = a[2] as u32 & !libc::IN_DONT_FOLLOW;
        let wd = self.on_object(scratch, |path, _| {
            at::inotify_add_watch(&inotify, path, mask)
        })?;
        Ok(Reply::Value(wd as i64))
    }

    /// sendmmsg: each message checked and sent in turn, as sendmsg; the
    /// count sent, or the first message's error.
    fn sendmmsg(&self, policy: &Policy, scratch: &mut Scratch) -> Result<Reply> {
        let a = self.info.args;
        let count = (a[2] as u32).min(1024) as u64;
        let sendmsg = table::by_name("sendmsg")
            .and_then(|s| s.nr)
            .ok_or(Errno::ENOSYS)?;
        let mut sent = 0u64;
        for i in 0..count {
            let at = RemoteAddr(a[1])
                .offset(i * super::net::MMSGHDR_SIZE)
                .ok_or(Errno::EFAULT)?;
            // The message as a sendmsg of its own (a struct mmsghdr
            // starts with its struct msghdr).
            let mut one = *self.info;
            one.nr = sendmsg as u64;
            one.args = [a[0], at.0, a[3], 0, 0, 0];
            let verdict = decide::decide_call(policy, self.caller.tid, &one, scratch);
            self.still_valid()?;
            let result = match verdict {
                Verdict::Allow => {
                    let call = Call {
                        notif: self.notif,
                        info: &one,
                        listener: self.listener,
                        caller: Caller::new(self.caller.tid),
                    };
                    call.sendmsg(scratch)
                }
                Verdict::Deny(e) => Err(e),
                Verdict::Kill => return Ok(Reply::Kill),
                Verdict::Exit(status) => return Ok(Reply::Exit(status)),
                Verdict::AllowThenCheck | Verdict::Value(_) => Err(Errno::EPERM),
            };
            match result {
                Ok(Reply::Value(n)) => {
                    // msg_len, after the struct msghdr.
                    let len_at = at.0 + super::net::MSGHDR_SIZE;
                    notify::vm_write(self.caller.tid, len_at, &(n as u32).to_ne_bytes())?;
                    sent += 1;
                }
                Ok(other) => return Ok(other),
                Err(e) if sent == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(Reply::Value(sent as i64))
    }

    /// file_getattr / file_setattr (`set`): on the pinned object, with
    /// the caller's `struct file_attr` (at most 64 bytes).
    fn file_attr(&self, scratch: &mut Scratch, set: bool) -> Result<Reply> {
        let a = &self.info.args;
        let (at, size) = (a[2], a[3] as usize);
        if size > 64 {
            return Err(Errno::E2BIG);
        }
        let mut buf = [0u8; 64];
        if set {
            self.read_exact(RemoteAddr(at), &mut buf[..size])?;
            self.on_object(scratch, |path, _| at::file_setattr(path, &buf[..size]))?;
        } else {
            self.on_object(scratch, |path, _| at::file_getattr(path, &mut buf[..size]))?;
            notify::vm_write(self.caller.tid, at, &buf[..size])?;
        }
        Ok(Reply::Value(0))
    }

    /// `struct xattr_args { u64 value; u32 size; u32 flags; }` of the
    /// `*xattrat` calls (`usize` as given): value, size, flags.
    fn xattr_args(&self, at: u64, usize: u64) -> Result<(u64, u64, u64)> {
        if usize < 16 {
            return Err(Errno::EINVAL);
        }
        let mut raw = [0u8; 16];
        self.read_exact(RemoteAddr(at), &mut raw)?;
        let value = u64::from_ne_bytes(raw[..8].try_into().unwrap_or([0; 8]));
        let size = u32::from_ne_bytes(raw[8..12].try_into().unwrap_or([0; 4]));
        let flags = u32::from_ne_bytes(raw[12..].try_into().unwrap_or([0; 4]));
        Ok((value, size as u64, flags as u64))
    }

    /// Installs `fd` in the caller, which answers its call.
    fn send_fd(&self, fd: &OwnedFd, cloexec: bool) -> Result<Reply> {
        match notify::add_fd_and_reply(self.listener, self.notif.id, fd, cloexec) {
            Ok(_) => Ok(Reply::Answered),
            // The caller is gone: nobody is left to answer.
            Err(Errno::ENOENT) => Ok(Reply::Answered),
            Err(e) => Err(e),
        }
    }

    /// A stat's answer: the decision's own look at the object
    /// (`record.looked`, see `decide::decide_stat_quickly`), else a
    /// look now at exactly the object decided on. Never the resolver's
    /// walk's last `lstat` by path: a directory on the way may have been
    /// swapped for a link after the walk looked at it, and that `lstat`
    /// then described another file (`tests/race.rs`, `stat-exchange`).
    fn stat(&self, scratch: &mut Scratch, buf: u64) -> Result<Reply> {
        let st = match scratch.record.start[0] {
            _ if scratch.record.looked => scratch.slots[0].stat.0,
            // A descriptor the caller holds, whatever it is now.
            Empty::AnyFd(fd) => {
                let mut path = ProcPath::fd(self.caller.tid, fd);
                let st = match file::stat_at_raw(Dir::Cwd, path.as_cstr(), true) {
                    Ok(st) => st.0,
                    // No such descriptor in the caller's table.
                    Err(Errno::ENOENT) => return Err(Errno::EBADF),
                    Err(e) => return Err(e),
                };
                self.still_valid()?;
                st
            }
            _ => match self.described(scratch, 0)? {
                (_, Some(st)) => st,
                (fd, None) => file::fstat_raw(&fd)?,
            },
        };
        notify::vm_write_value(self.caller.tid, buf, &st)?;
        Ok(Reply::Value(0))
    }

    fn statx(&self, scratch: &mut Scratch) -> Result<Reply> {
        // Only the synchronisation bits of the caller's flags still
        // mean something on a descriptor.
        let sync = self.info.args[2] as u32 & libc::AT_STATX_SYNC_TYPE as u32;
        let mask = self.info.args[3] as u32;
        let mut out = [0u8; 256];
        if let Empty::AnyFd(fd) = scratch.record.start[0] {
            // A descriptor the caller holds, whatever it is now: through
            // its own link, in one call.
            let mut path = ProcPath::fd(self.caller.tid, fd);
            match file::statx_at_raw(Dir::Cwd, path.as_cstr(), sync, mask, &mut out) {
                Err(Errno::ENOENT) => return Err(Errno::EBADF),
                other => other?,
            }
            self.still_valid()?;
        } else {
            let fd = self.object(scratch, 0)?;
            file::statx_raw(&fd, sync, mask, &mut out)?;
        }
        notify::vm_write(self.caller.tid, self.info.args[4], &out)?;
        Ok(Reply::Value(0))
    }

    fn statfs(&self, scratch: &mut Scratch) -> Result<Reply> {
        let fd = self.object(scratch, 0)?;
        let st = file::fstatfs_raw(&fd)?;
        notify::vm_write_value(self.caller.tid, self.info.args[1], &st)?;
        Ok(Reply::Value(0))
    }

    fn access(&self, scratch: &mut Scratch, mode: u64, flags: u64) -> Result<Reply> {
        let fd = self.object(scratch, 0)?;
        let flags = flags as u32 & libc::AT_EACCESS as u32;
        file::faccess_fd(&fd, mode as u32, flags)?;
        Ok(Reply::Value(0))
    }
}

/// The largest extended attribute value (`XATTR_SIZE_MAX`).
const XATTR_MAX: usize = 65536;

/// How a utime-family call gives its times.
#[derive(Clone, Copy)]
enum Times {
    Utimbuf,
    Timeval,
    Timespec,
}

/// A last path component, NUL-terminated.
struct Name {
    buf: [u8; 258],
}

impl Name {
    fn new(last: &[u8], trailing_slash: bool) -> Result<Name> {
        if last.len() > 255 {
            return Err(Errno::ENAMETOOLONG);
        }
        let mut buf = [0u8; 258];
        buf[..last.len()].copy_from_slice(last);
        if trailing_slash {
            buf[last.len()] = b'/';
        }
        Ok(Name { buf })
    }

    fn as_cstr(&mut self) -> &core::ffi::CStr {
        core::ffi::CStr::from_bytes_until_nul(&self.buf).unwrap_or(c".")
    }
}

/// The outcome of a call that makes a name: `EEXIST` for a name that
/// did not exist when slot `i` was checked means something appeared
/// since (perhaps a hidden file, whose existence `EEXIST` would tell):
/// decide again ([`CHANGED`]), on what is there now.
fn appeared(made: Result<()>, scratch: &Scratch, i: usize) -> Result<()> {
    match made {
        Err(Errno::EEXIST) if !scratch.slots[i].exists() => Err(CHANGED),
        other => other,
    }
}

fn parse_fd(text: &[u8]) -> Option<i32> {
    if text.is_empty() || text.len() > 10 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let v = text.iter().fold(0i64, |v, &d| v * 10 + (d - b'0') as i64);
    i32::try_from(v).ok()
}
