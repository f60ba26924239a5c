//! The checker: a request in, a verdict out.
//!
//! It does not know how the request arrived (ptrace today, seccomp user
//! notification later): it reads the caller's arguments and memory,
//! resolves paths from the caller's point of view, asks the policy for
//! each category the call needs (POLICY.md, "Categories"), combines
//! them (the most severe wins), logs, and answers.
//!
//! Errnos: paths are `EACCES`, except where the path is hidden (its
//! `stat` is denied): then `ENOENT`, whatever the call, so no other
//! errno can tell the file exists. `bind` is `EADDRNOTAVAIL`, `connect`
//! `ECONNREFUSED`, a send with an address `ENOTCONN`. The `exit` action
//! ends husk with the errno the call would have got (as Syd does).
//!
//! Beyond Syd (README, "Threat model"):
//! - `O_TRUNC` needs `write` as well as `truncate`: it changes content.
//! - Executing a `#!` script checks the script and its interpreter, at
//!   the call and again at the exec event (where `AT_EXECFN` names the
//!   script the kernel really ran).
//! - A rename or hard link may not give a file a path with a more
//!   permissive verdict than its own, and a directory that holds a path
//!   some non-allowing rule names may not be renamed or linked away.

use core::cell::Cell;

use super::log::{self, Subject};
use super::net::{self, Decoded, Use};
use super::table;
use crate::policy::action::Action;
use crate::policy::addr::Ip;
use crate::policy::category::{CatSet, Category};
use crate::policy::rules::{Policy, SockAddr};
use crate::remote::proc;
use crate::remote::resolve::{self, Caller, How, Resolved, Start};
use crate::remote::{RemoteAddr, memory};
use crate::supervisor::message::{Request, Verdict};
use crate::sys::file;
use crate::sys::ptrace::SyscallInfo;
use crate::sys::{Errno, Result};

use Category::*;

/// Memory a checker works in, kept per worker between requests.
pub struct Scratch {
    /// The operands as resolved (slot 0, and slot 1 for a second path).
    pub slots: [Resolved; 2],
    raw: [u8; crate::remote::path::PATH_MAX],
    /// What the decision was made on, for the emulator to act on
    /// exactly that.
    pub record: Record,
    /// Its log lines, written once the caller has been answered.
    pub log: core::cell::RefCell<log::Pending>,
    /// Pidfds of the last callers, for copies of their descriptors
    /// (the emulator's; the resolver keeps its own in each slot).
    pub handle: core::cell::RefCell<crate::remote::object::Handle>,
}

/// An empty path naming its start. (`repr(u8)` with `No` first: all
/// zero bytes, so the scratch statics stay in .bss.)
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[repr(u8)]
pub enum Empty {
    /// A real path (or none).
    #[default]
    No = 0,
    /// The working directory, as checked.
    Cwd,
    /// This descriptor, as checked.
    Fd(i32),
    /// Whatever this descriptor names: the decision did not depend on
    /// it (fstat of a descriptor the caller holds).
    AnyFd(i32),
    /// Whatever the working directory is (as `AnyFd`).
    AnyCwd,
}

/// What a decision was made on, beyond the resolved paths: the values
/// the checker read from the caller's memory or registers, so that an
/// emulator performs the call with those and never reads them again.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// Whether each slot's final component was followed.
    pub follow: [bool; 2],
    /// Per slot: the operand is its start itself (an empty path with
    /// `AT_EMPTY_PATH`, a NULL path, or a descriptor argument).
    pub start: [Empty; 2],
    /// Per slot: the path as given ended in a slash.
    pub trailing: [bool; 2],
    /// Open flags, as checked.
    pub flags: u64,
    /// Creation mode (openat2's, read from memory).
    pub mode: u64,
    /// A socket address, as read (bind, connect).
    pub addr: [u8; net::SOCKADDR_MAX],
    /// Its length (0: none read).
    pub addr_len: usize,
    /// A message's control data, as read (sendmsg).
    pub control: [u8; net::CONTROL_MAX],
    /// Its length.
    pub control_len: usize,
    /// A message's `msg_iov` and `msg_iovlen`, as read.
    pub iov: (u64, u64),
    /// A stat's answer was looked at with the decision
    /// ([`decide_stat_quickly`]): `slots[0].stat` describes the object
    /// decided on, as the kernel described it then.
    pub looked: bool,
}

impl Record {
    /// Nothing recorded (all zero bytes, as the scratch statics need).
    pub const EMPTY: Record = Record {
        follow: [false; 2],
        start: [Empty::No; 2],
        trailing: [false; 2],
        flags: 0,
        mode: 0,
        addr: [0; net::SOCKADDR_MAX],
        addr_len: 0,
        control: [0; net::CONTROL_MAX],
        control_len: 0,
        iov: (0, 0),
        looked: false,
    };

    /// Forgets the last call (the large buffers are only ever read up
    /// to their recorded lengths, so they are left as they are).
    pub fn reset(&mut self) {
        self.follow = [false; 2];
        self.start = [Empty::No; 2];
        self.trailing = [false; 2];
        self.flags = 0;
        self.mode = 0;
        self.addr_len = 0;
        self.control_len = 0;
        self.iov = (0, 0);
        self.looked = false;
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Self::new()
    }
}

impl Scratch {
    /// Zeroed scratch memory.
    pub const fn new() -> Scratch {
        Scratch {
            slots: [Resolved::new(), Resolved::new()],
            raw: [0; crate::remote::path::PATH_MAX],
            record: Record::EMPTY,
            log: core::cell::RefCell::new(log::Pending::new()),
            handle: core::cell::RefCell::new(crate::remote::object::Handle::new()),
        }
    }
}

/// Decides a request against `policy`, working in `scratch`.
pub fn decide(policy: &Policy, request: &Request, scratch: &mut Scratch) -> Verdict {
    match *request {
        Request::Syscall { task, ref info } => decide_call(policy, task.tid, info, scratch),
        Request::Exec { task } => {
            let execve = table::by_name("execve").and_then(|s| s.nr).unwrap_or(0);
            Checker::new(policy, task.tid, execve, scratch).exec_event()
        }
        Request::PostCheck { task, nr, ret } => {
            Checker::new(policy, task.tid, nr, scratch).post_check(ret)
        }
    }
}

/// Decides call `info` of thread `tid`, leaving in `scratch` what the
/// decision was made on.
pub fn decide_call(
    policy: &Policy,
    tid: i32,
    info: &SyscallInfo,
    scratch: &mut Scratch,
) -> Verdict {
    scratch.record.reset();
    Checker::new(policy, tid, info.nr as u32, scratch).call(info)
}

/// The notify transport's quick look at an open (open, openat, creat,
/// openat2): decided on its path as text and one `lstat`
/// ([`resolve::lexical`]), without logging. `true` only if that allows
/// it outright (no log line, no warning): the caller must then open
/// exactly `scratch.slots[0].real` with `RESOLVE_NO_SYMLINKS |
/// RESOLVE_NO_MAGICLINKS`, and decide with [`decide_call`] after all if
/// that fails with ELOOP. `false`: decide with [`decide_call`].
///
/// The saving is the walk: [`resolve::resolve`] looks at every
/// component in turn, this at the whole path once; the kernel's own
/// walk in that open then makes sure no link was on the way.
pub fn decide_open_quickly(
    policy: &Policy,
    tid: i32,
    info: &SyscallInfo,
    scratch: &mut Scratch,
) -> bool {
    scratch.record.reset();
    let mut checker = Checker::new(policy, tid, info.nr as u32, scratch);
    if !matches!(checker.call, "open" | "openat" | "creat" | "openat2") {
        return false;
    }
    checker.lexical = true;
    let verdict = checker.call(info);
    // An O_PATH open continues (the kernel resolves it again, links and
    // all): only a full resolution may decide it.
    let o_path = checker.record.flags & libc::O_PATH as u64 != 0;
    verdict == Verdict::Allow && !checker.unsure.get() && !o_path
}

/// The notify transport's quick look at a stat (`stat`, `lstat`,
/// `newfstatat`), which husk answers itself: decided on its path as
/// text, then answered from one look at the object that path names,
/// through the kernel with no link on the way ([`resolve::looked`]);
/// an empty path (`AT_EMPTY_PATH`, glibc 2.36's `fstat`) from the
/// caller's own link of its descriptor, whatever it now is (describing
/// a descriptor the caller holds reveals nothing: see
/// [`Checker::simple`]). A decision made on that look is final, logged
/// as a full one would be: the path looked at is the real path.
///
/// `Some(verdict)` if that decided the call: `scratch.record.looked`
/// is then set, and for an allowed call `scratch.slots[0].stat` is the
/// answer. `None`: decide with [`decide_call`]. The look is made with
/// husk's credentials: only while the sandbox has not changed its own
/// (`remote::creds`).
pub fn decide_stat_quickly(
    policy: &Policy,
    tid: i32,
    info: &SyscallInfo,
    scratch: &mut Scratch,
) -> Option<Verdict> {
    scratch.record.reset();
    let mut checker = Checker::new(policy, tid, info.nr as u32, scratch);
    if !matches!(checker.sys, "stat" | "lstat" | "newfstatat") {
        return None;
    }
    checker.look = true;
    let verdict = checker.call(info);
    (!checker.unsure.get() && checker.record.looked).then_some(verdict)
}

/// The categories each trapped call may need (a superset), by name.
const POSSIBLE: &[(&[&str], CatSet)] = {
    let c = CatSet::of;
    &[
        (
            &["open", "openat", "openat2", "creat"],
            c(&[Read, Write, Create, Truncate, Readdir, Mktemp, Stat]),
        ),
        (
            &[
                "stat",
                "lstat",
                "newfstatat",
                "statx",
                "access",
                "faccessat",
                "faccessat2",
                "statfs",
                "inotify_add_watch",
                "file_getattr",
            ],
            c(&[Stat]),
        ),
        (
            &[
                "getxattr",
                "lgetxattr",
                "fgetxattr",
                "listxattr",
                "llistxattr",
                "flistxattr",
                "getxattrat",
                "listxattrat",
            ],
            c(&[Read]),
        ),
        (
            &[
                "setxattr",
                "lsetxattr",
                "fsetxattr",
                "removexattr",
                "lremovexattr",
                "fremovexattr",
                "setxattrat",
                "removexattrat",
                "file_setattr",
            ],
            c(&[Chattr]),
        ),
        (&["execve", "execveat"], c(&[Exec])),
        // Code from a file made executable: the file is run.
        (&["mmap", "mprotect", "pkey_mprotect"], c(&[Exec])),
        (&["unlink", "unlinkat", "rmdir"], c(&[Delete, Rmdir])),
        // Moving a file compares what may be done to it at both paths.
        (
            &["rename", "renameat", "renameat2", "link", "linkat"],
            CatSet::all(),
        ),
        (&["symlink", "symlinkat"], c(&[Symlink])),
        (&["readlink", "readlinkat"], c(&[Readlink])),
        (&["truncate", "ftruncate", "fallocate"], c(&[Truncate])),
        (&["mkdir", "mkdirat"], c(&[Mkdir])),
        (
            &["chown", "lchown", "fchown", "fchownat"],
            c(&[Chown, Chgrp]),
        ),
        (&["chmod", "fchmod", "fchmodat", "fchmodat2"], c(&[Chmod])),
        (&["utime", "utimes", "futimesat", "utimensat"], c(&[Utime])),
        (&["mknod", "mknodat"], c(&[Mkfifo, Mkbdev, Mkcdev, Create])),
        // A listing must not show what is hidden.
        (&["getdents", "getdents64"], c(&[Stat])),
        // Entering a directory tells it is there: a hidden one must not
        // be entered, even with `chdir` unchecked.
        (&["chdir", "fchdir"], c(&[Chdir, Stat])),
        (
            &[
                "bind",
                "connect",
                "sendto",
                "sendmsg",
                "sendmmsg",
                "socketpair",
            ],
            c(&[Category::NetBind, Category::NetConnect, Category::NetSendfd]),
        ),
        // listen binds an unbound socket to the wildcard address.
        (&["listen"], c(&[Category::NetBind])),
        // Raw and packet sockets, whose destinations no check can see,
        // are refused in the filter where a net category is checked.
        (
            &["socket"],
            c(&[Category::NetBind, Category::NetConnect, Category::NetSendfd]),
        ),
    ]
};

/// The row of [`POSSIBLE`] naming `sys`, if any.
const fn possible_row(sys: &str) -> Option<usize> {
    let mut i = 0;
    while i < POSSIBLE.len() {
        let names = POSSIBLE[i].0;
        let mut j = 0;
        while j < names.len() {
            if table::same(names[j], sys) {
                return Some(i);
            }
            j += 1;
        }
        i += 1;
    }
    None
}

/// The categories a trapped call may need, by its name (a superset).
const fn possible(sys: &str) -> Option<CatSet> {
    match possible_row(sys) {
        Some(row) => Some(POSSIBLE[row].1),
        None => None,
    }
}

/// The row of [`POSSIBLE`] + 1 for each native number below
/// `table::NATIVE_LIMIT` (0: not trapped), worked out at compile time:
/// the filter is built and the tracer's fast path taken by number,
/// without comparing names.
static POSSIBLE_BY_NUMBER: [u8; table::NATIVE_LIMIT] = {
    let mut out = [0u8; table::NATIVE_LIMIT];
    let mut nr = 0;
    while nr < table::NATIVE_LIMIT {
        if let Some(name) = table::checked_name(nr) {
            if let Some(row) = possible_row(name) {
                out[nr] = (row + 1) as u8;
            }
        }
        nr += 1;
    }
    out
};

/// [`possible`] of native call `nr`.
fn possible_nr(nr: u32) -> Option<CatSet> {
    match POSSIBLE_BY_NUMBER.get(nr as usize) {
        Some(&0) => None,
        Some(&row) => Some(POSSIBLE[row as usize - 1].1),
        // Private numbers (32-bit ARM's): by name, none is trapped.
        None => possible(table::checked_name_of(nr)?),
    }
}

/// Whether native call `nr` is one the checker decides.
pub fn trapped_nr(nr: u32) -> bool {
    possible_nr(nr).is_some()
}

/// Whether the checker decides call `sys` (by name).
pub const fn trapped(sys: &str) -> bool {
    possible(sys).is_some()
}

/// The tracer's fast path: a call none of whose categories is checked
/// is allowed from its number alone, without a round trip to a worker.
pub fn fast(policy: &Policy, nr: u32) -> Option<Verdict> {
    let cats = possible_nr(nr)?;
    if matches!(table::name(nr), Some("getdents" | "getdents64")) && !policy.hides_anything() {
        // Nothing to take out of a listing.
        return Some(Verdict::Allow);
    }
    if cats.iter().any(|c| policy.is_on(c)) {
        None
    } else {
        Some(Verdict::Allow)
    }
}

/// A path whose last component is not a name: `.`, `..`, or none at
/// all (the root).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dots {
    Dot,
    DotDot,
    Root,
}

/// What `raw`'s last component is, if not a name.
fn dot_name(raw: &[u8]) -> Option<Dots> {
    let end = raw.iter().rposition(|&b| b != b'/').map_or(0, |i| i + 1);
    if end == 0 {
        return (!raw.is_empty()).then_some(Dots::Root);
    }
    let start = raw[..end]
        .iter()
        .rposition(|&b| b == b'/')
        .map_or(0, |i| i + 1);
    match &raw[start..end] {
        b"." => Some(Dots::Dot),
        b".." => Some(Dots::DotDot),
        _ => None,
    }
}

/// The errno the kernel gives call `sys` for flags it does not know (or
/// combines wrongly), checked before anything else, as it checks them.
fn bad_flags(sys: &str, info: &SyscallInfo) -> Option<Errno> {
    let flags = |i: usize| arg(info, i) as u32 as i32;
    let at = |i: usize, known: i32| flags(i) & !known != 0;
    let nofollow_empty = libc::AT_SYMLINK_NOFOLLOW | libc::AT_EMPTY_PATH;
    let stat_flags = nofollow_empty | libc::AT_NO_AUTOMOUNT | libc::AT_STATX_SYNC_TYPE;
    let bad = match sys {
        "unlinkat" => at(2, libc::AT_REMOVEDIR),
        "linkat" => at(4, libc::AT_SYMLINK_FOLLOW | libc::AT_EMPTY_PATH),
        "newfstatat" => at(3, stat_flags),
        "statx" => {
            at(2, stat_flags)
                || flags(2) & libc::AT_STATX_SYNC_TYPE == libc::AT_STATX_SYNC_TYPE
                || arg(info, 3) as u32 & libc::STATX__RESERVED as u32 != 0
        }
        "faccessat2" => at(3, libc::AT_EACCESS | nofollow_empty) || flags(2) & !0o7 != 0,
        "fchmodat2" => at(3, nofollow_empty),
        "fchownat" | "utimensat" => at(4 - usize::from(sys == "utimensat"), nofollow_empty),
        "setxattrat" | "getxattrat" | "listxattrat" | "removexattrat" => at(2, nofollow_empty),
        "file_getattr" | "file_setattr" => at(4, nofollow_empty),
        "renameat2" => {
            let known =
                (libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE | libc::RENAME_WHITEOUT) as i32;
            let both = (libc::RENAME_NOREPLACE | libc::RENAME_EXCHANGE) as i32;
            at(4, known) || flags(4) & both == both
        }
        _ => false,
    };
    bad.then_some(Errno::EINVAL)
}

/// Bytes of directory entries husk reads per filtered listing call.
const LISTING: usize = 4096;

/// The worst finding so far.
#[derive(Clone, Copy)]
struct Finding {
    action: Action,
    /// Whether the path is hidden (its stat is denied).
    hidden: bool,
}

struct Checker<'p> {
    policy: &'p Policy,
    caller: Caller,
    /// The call's own name, for the log.
    sys: &'static str,
    /// The call it is checked as ([`table::checked_as`]): `stat` for
    /// 32-bit ARM's `stat64`.
    call: &'static str,
    worst: Option<Finding>,
    /// The errno a denial gets unless the path is hidden.
    errno: Errno,
    slots: &'p mut [Resolved; 2],
    raw: &'p mut [u8; crate::remote::path::PATH_MAX],
    record: &'p mut Record,
    /// Log lines held until the caller is answered.
    pending: &'p core::cell::RefCell<log::Pending>,
    /// Re-checks (the exec event) do not log `warn` again: the call
    /// they confirm already did.
    quiet_warn: bool,
    /// A quick look ([`decide_open_quickly`]): paths resolved as text
    /// ([`resolve::lexical`]), nothing logged.
    lexical: bool,
    /// A stat's quick look ([`decide_stat_quickly`]): paths resolved as
    /// text and looked at once ([`resolve::looked`]); a decision made
    /// on one is final (logged as any other).
    look: bool,
    /// In a quick look: something would have been logged, or the
    /// quick resolution could not answer.
    unsure: Cell<bool>,
}

/// What an object of a call is.
#[derive(Clone, Copy)]
enum Operand {
    /// A path argument (pointer in argument `path`), resolved from
    /// `start`.
    Path { path: usize, how: How },
    /// A path argument that may be NULL, meaning the descriptor itself.
    PathOrFd { path: usize, how: How },
    /// A descriptor argument.
    Fd(usize),
}

fn arg(info: &SyscallInfo, i: usize) -> u64 {
    info.args[i]
}

/// A directory-descriptor argument (low 32 bits, as an int).
fn dirfd(info: &SyscallInfo, i: usize) -> Start {
    let fd = arg(info, i) as u32 as i32;
    if fd == libc::AT_FDCWD {
        Start::Cwd
    } else {
        Start::Fd(fd)
    }
}

fn flag(value: u64, bit: i32) -> bool {
    value as u32 & bit as u32 != 0
}

impl<'p> Checker<'p> {
    fn new(policy: &'p Policy, tid: i32, nr: u32, scratch: &'p mut Scratch) -> Checker<'p> {
        let Scratch {
            slots,
            raw,
            record,
            log,
            handle: _,
        } = scratch;
        Checker {
            policy,
            caller: Caller::new(tid),
            sys: table::name(nr).unwrap_or("?"),
            call: table::checked_name_of(nr).unwrap_or("?"),
            worst: None,
            errno: Errno::EACCES,
            slots,
            raw,
            record,
            pending: log,
            quiet_warn: false,
            lexical: false,
            look: false,
            unsure: Cell::new(false),
        }
    }

    // ---- Outcomes ----

    fn verdict(&self) -> Verdict {
        match self.worst {
            None => Verdict::Allow,
            Some(f) if f.action.allows() => Verdict::Allow,
            Some(f) => {
                let errno = if f.hidden { Errno::ENOENT } else { self.errno };
                match f.action {
                    Action::Kill => Verdict::Kill,
                    Action::Exit => Verdict::Exit(errno.0),
                    _ => Verdict::Deny(errno),
                }
            }
        }
    }

    fn note(&mut self, finding: Finding) {
        if self
            .worst
            .is_none_or(|w| finding.action.severity() > w.action.severity())
        {
            self.worst = Some(finding);
        }
    }

    fn log(&self, cap: Category, act: Action, subject: Subject<'_>) {
        self.log_lacking(cap, CatSet::EMPTY, act, subject);
    }

    /// [`Checker::log`] for a call that lacked every category of `lacks`
    /// (`cap` the most severely decided one).
    fn log_lacking(&self, cap: Category, lacks: CatSet, act: Action, subject: Subject<'_>) {
        if !act.logs() {
            return;
        }
        if self.lexical {
            self.unsure.set(true);
            return;
        }
        if act == Action::Warn {
            // Learning mode: what a policy must allow.
            super::learn::record(cap, subject);
        }
        self.pending
            .borrow_mut()
            .add(cap, lacks, act, self.sys, subject, self.caller.tid);
    }

    /// Checks `cats` on the path in slot `slot`.
    fn check_path(&mut self, slot: usize, cats: CatSet) {
        // Nothing there, and nothing to create: the kernel's answer is
        // ENOENT whatever the policy says, and a hidden file's answer is
        // ENOENT too, so answer it without a log line (library and PATH
        // searches probe many such paths).
        const CREATING: [Category; 9] = [
            Create, Mkdir, Symlink, Mkfifo, Mkbdev, Mkcdev, Mktemp, Rename, Delete,
        ];
        // Decided before anything else, missing or not: the time an
        // answer takes must not tell a hidden path from a missing one.
        let stat = core::hint::black_box(self.verdict_of(slot, Stat));
        let slot_ref = &self.slots[slot];
        let creating = CREATING.iter().any(|&c| cats.contains(c));
        if stat == Action::Warn
            && !self.lexical
            && (slot_ref.exists() || creating)
            && super::learn::on()
        {
            // Learning: the path must not be hidden next time, or every
            // call on it would find nothing.
            super::learn::record(Stat, self.subject(slot));
        }
        // A missing directory on the way: ENOENT even for a creation.
        let absent = !slot_ref.exists() && !slot_ref.anonymous;
        if absent && (!creating || slot_ref.parent_missing) {
            self.note(Finding {
                action: Action::Filter,
                hidden: true,
            });
            return;
        }
        // A path whose stat is denied is hidden: every call on it is
        // refused as if nothing were there (ENOENT), whatever its other
        // categories say and whether or not something is there, so no
        // answer (EEXIST, an open that works, a directory not empty...)
        // can tell.
        if !stat.allows() {
            // Logged as what refused it, `stat`; the tip names every
            // other category the call lacks too.
            let mut lacks = CatSet::of(&[Stat]);
            for c in cats.iter() {
                if !self.verdict_of(slot, c).allows() {
                    lacks.insert(c);
                }
            }
            self.log_lacking(Stat, lacks, stat, self.subject(slot));
            self.note(Finding {
                action: stat,
                hidden: true,
            });
            return;
        }
        // What the kernel answers before any permission check (and
        // Landlock's, which come after the lookup): a new name that is
        // taken, a directory opened for writing.
        // Landlock's rules stay with their objects, husk's with their
        // paths: while the kernel decides, an object it rules (or a
        // directory above one) must not be removed, moved or replaced.
        const UNNAMING: [Category; 3] = [Delete, Rmdir, Rename];
        if let Some(c) = UNNAMING.iter().copied().find(|&c| cats.contains(c)) {
            let pinned = self.slots[slot]
                .info
                .is_some_and(|i| super::kernel::pins(i.dev, i.ino));
            if pinned && !self.slots[slot].anonymous {
                let subject = match self.subject(slot) {
                    Subject::Path(p) => Subject::Pinned(p),
                    other => other,
                };
                self.log(c, Action::Deny, subject);
                self.note(Finding {
                    action: Action::Deny,
                    hidden: false,
                });
                return;
            }
        }
        if let Some(errno) = self.lookup_errno(slot, cats) {
            self.errno = errno;
            self.note(Finding {
                action: Action::Filter,
                hidden: false,
            });
            return;
        }
        let mut worst: Option<(Category, Action)> = None;
        let mut lacks = CatSet::EMPTY;
        for c in cats.iter() {
            let action = self.verdict_of(slot, c);
            if action == Action::Warn && !self.quiet_warn {
                self.log(c, action, self.subject(slot));
            }
            if !action.allows() {
                lacks.insert(c);
            }
            if worst.is_none_or(|(_, w)| action.severity() > w.severity()) {
                worst = Some((c, action));
            }
        }
        if let Some((c, action)) = worst {
            if !action.allows() {
                // One line, whose tip names every category lacked.
                self.log_lacking(c, lacks, action, self.subject(slot));
            }
            self.note(Finding {
                action,
                hidden: false,
            });
        }
    }

    /// The errno the kernel's lookup gives call `self.sys` needing
    /// `cats` on the (visible) object in `slot` before it checks any
    /// permission: EEXIST for a new name that exists (mkdir, symlink,
    /// mknod, link, a rename that must not replace, `O_CREAT|O_EXCL`:
    /// the only creations that leave `create` without `delete` on an
    /// existing object), EISDIR for a directory opened for writing.
    fn lookup_errno(&self, slot: usize, cats: CatSet) -> Option<Errno> {
        const MAKING: [Category; 5] = [Mkdir, Symlink, Mkfifo, Mkbdev, Mkcdev];
        let found = &self.slots[slot];
        if !found.exists() || found.anonymous {
            return None;
        }
        let taken = MAKING.iter().any(|&c| cats.contains(c))
            || (cats.contains(Create) && !cats.contains(Delete));
        if taken {
            return Some(Errno::EEXIST);
        }
        let opening = matches!(self.sys, "open" | "openat" | "openat2" | "creat");
        (opening && cats.contains(Write) && found.is_dir()).then_some(Errno::EISDIR)
    }

    /// The policy's verdict of `cat` on the object in `slot`: by its
    /// path, or the verdict of no path for an object that has none.
    fn verdict_of(&self, slot: usize, cat: Category) -> Action {
        match self.slots[slot].path() {
            Some(path) => self.policy.check_path(cat, path),
            None => self.policy.check_nowhere(cat),
        }
    }

    /// The object in `slot`, as a log line names it.
    fn subject(&self, slot: usize) -> Subject<'_> {
        let resolved = &self.slots[slot];
        match resolved.path() {
            Some(path) => Subject::Path(path),
            None => Subject::Nowhere(resolved.shown.as_bytes()),
        }
    }

    /// Reads and resolves an operand into `slot`. An error is the
    /// errno the call gets (the kernel's own, or EACCES for a refused
    /// magic link, which is logged).
    fn resolve(
        &mut self,
        info: &SyscallInfo,
        operand: Operand,
        slot: usize,
        first_cat: Category,
    ) -> Result<()> {
        let tid = self.caller.tid;
        let (raw_len, how) = match operand {
            Operand::Path { path, how } => {
                let len =
                    memory::read_cstr(tid, RemoteAddr(arg(info, path)), &mut self.raw[..])?.len();
                (len, how)
            }
            Operand::PathOrFd { path, how } if arg(info, path) == 0 => (
                0,
                How {
                    empty_path: true,
                    ..how
                },
            ),
            Operand::PathOrFd { path, how } => {
                let len =
                    memory::read_cstr(tid, RemoteAddr(arg(info, path)), &mut self.raw[..])?.len();
                (len, how)
            }
            Operand::Fd(i) => {
                let fd = arg(info, i) as u32 as i32;
                let mut how = How::at(Start::Fd(fd), true);
                how.empty_path = true;
                (0, how)
            }
        };
        if slot < 2 {
            self.record.follow[slot] = how.follow;
            self.record.trailing[slot] = self.raw[..raw_len].last() == Some(&b'/');
            self.record.start[slot] = match how.start {
                _ if raw_len != 0 || !how.empty_path => Empty::No,
                Start::Fd(fd) => Empty::Fd(fd),
                Start::Cwd => Empty::Cwd,
            };
        }
        if self.look {
            let raw = &self.raw[..raw_len];
            return match resolve::looked(&self.caller, raw, how, &mut self.slots[slot]) {
                Ok(true) => {
                    self.record.looked = true;
                    Ok(())
                }
                Ok(false) | Err(_) => {
                    self.unsure.set(true);
                    Err(Errno::EAGAIN)
                }
            };
        }
        if self.lexical {
            let raw = &self.raw[..raw_len];
            return match resolve::lexical(&self.caller, raw, how, &mut self.slots[slot]) {
                Ok(true) => Ok(()),
                Ok(false) | Err(_) => {
                    self.unsure.set(true);
                    Err(Errno::EAGAIN)
                }
            };
        }
        if how.name_op {
            if let Some(dots) = dot_name(&self.raw[..raw_len]) {
                let removing_dir = self.call == "rmdir"
                    || (self.call == "unlinkat" && flag(arg(info, 2), libc::AT_REMOVEDIR));
                return self.dot_name(how, raw_len, slot, dots, removing_dir);
            }
        }
        let resolved = resolve::resolve(
            &self.caller,
            &self.raw[..raw_len],
            how,
            &mut self.slots[slot],
        );
        match resolved {
            Ok(()) => Ok(()),
            Err(e) if self.slots[slot].blame > 0 => Err(self.unless_hidden(slot, e)),
            Err(Errno::EACCES) => {
                // A magic link into another process: refused, logged.
                self.log(first_cat, Action::Deny, Subject::Path(&self.raw[..raw_len]));
                Err(Errno::EACCES)
            }
            Err(e) => Err(e),
        }
    }

    /// `e`, the kernel's answer to a lookup that failed on an object
    /// (a file used as a directory...), unless that object is hidden:
    /// then ENOENT, as for a path that is not there.
    fn unless_hidden(&self, slot: usize, e: Errno) -> Errno {
        let s = &self.slots[slot];
        let blamed = &s.real.as_bytes()[..s.blame.min(s.real.as_bytes().len())];
        if self.policy.check_path(Stat, blamed).allows() {
            e
        } else {
            Errno::ENOENT
        }
    }

    /// A name operation on a path whose last component is `.` or `..`
    /// (or the root): the kernel refuses it once the directory holding
    /// it is found, with an errno of the call's own; the name is never
    /// acted on.
    fn dot_name(
        &mut self,
        how: How,
        raw_len: usize,
        slot: usize,
        dots: Dots,
        removing_dir: bool,
    ) -> Result<()> {
        let raw = &self.raw[..raw_len];
        let dir_len = raw.iter().rposition(|&b| b == b'/').map_or(0, |i| i.max(1));
        let mut lookup = how;
        lookup.name_op = false;
        lookup.follow = true;
        let dir: &[u8] = if dir_len == 0 { b"." } else { &raw[..dir_len] };
        let mut copy = [0u8; crate::remote::path::PATH_MAX];
        let dir_len = dir.len().min(copy.len());
        copy[..dir_len].copy_from_slice(&dir[..dir_len]);
        if dots != Dots::Root {
            match resolve::resolve(
                &self.caller,
                &copy[..dir_len],
                lookup,
                &mut self.slots[slot],
            ) {
                Err(e) if self.slots[slot].blame > 0 => return Err(self.unless_hidden(slot, e)),
                Err(e) => return Err(e),
                Ok(()) => {}
            }
            let found = &self.slots[slot];
            if !found.exists() {
                return Err(Errno::ENOENT);
            }
            let hidden = found
                .path()
                .is_some_and(|p| !self.policy.check_path(Stat, p).allows());
            if hidden {
                return Err(Errno::ENOENT);
            }
            if !found.is_dir() {
                return Err(Errno::ENOTDIR);
            }
        }
        Err(match self.call {
            _ if removing_dir => match dots {
                Dots::Dot => Errno::EINVAL,
                Dots::DotDot => Errno::ENOTEMPTY,
                Dots::Root => Errno::EBUSY,
            },
            "unlink" | "unlinkat" => Errno::EISDIR,
            "rename" | "renameat" | "renameat2" => Errno::EBUSY,
            // Making a name: mkdir, mknod, symlink, link's new name.
            _ => Errno::EEXIST,
        })
    }

    /// Resolves and checks one operand with fixed categories.
    fn simple(&mut self, info: &SyscallInfo, operand: Operand, cats: CatSet) -> Verdict {
        // `fstat` is `fstatat(fd, "", AT_EMPTY_PATH)` in today's libcs:
        // describing a descriptor the caller already holds reveals
        // nothing new (fstat itself is not checked), so it passes.
        if cats == CatSet::of(&[Stat]) && self.empty_path(info, operand) {
            if let Operand::Path { how, .. } = operand {
                self.record.start[0] = match how.start {
                    Start::Fd(fd) => Empty::AnyFd(fd),
                    Start::Cwd => Empty::AnyCwd,
                };
                if let (true, Start::Fd(fd)) = (self.look, how.start) {
                    return self.look_at_fd(fd);
                }
            }
            return Verdict::Allow;
        }
        let first = cats.iter().next().unwrap_or(Stat);
        if let Err(e) = self.resolve(info, operand, 0, first) {
            return Verdict::Deny(e);
        }
        self.check_path(0, cats);
        self.verdict()
    }

    /// A stat's quick look at the caller's descriptor `fd` itself,
    /// whatever it names now: husk's copy of it (`pidfd_getfd`, the
    /// pidfd kept between calls), described. (Three calls, but cheaper
    /// than one `stat` of its magic link `/proc/TID/fd/N`, whose lookup
    /// costs more than all three.) No such descriptor is EBADF, as the
    /// kernel says.
    fn look_at_fd(&mut self, fd: i32) -> Verdict {
        if fd < 0 {
            return Verdict::Deny(Errno::EBADF);
        }
        match self.slots[0].their_fd(&self.caller, fd) {
            // The copy is closed at once: its stat is the answer.
            Ok(Some(_copy)) => {
                self.record.looked = true;
                Verdict::Allow
            }
            Err(Errno::EBADF) => {
                self.record.looked = true;
                Verdict::Deny(Errno::EBADF)
            }
            // No pidfd_getfd (before 5.6), or something else: the
            // emulator looks through the magic link itself.
            Ok(None) | Err(_) => {
                self.unsure.set(true);
                Verdict::Allow
            }
        }
    }

    /// Whether `operand` is an empty path with `AT_EMPTY_PATH`: the
    /// start descriptor itself.
    fn empty_path(&mut self, info: &SyscallInfo, operand: Operand) -> bool {
        let Operand::Path { path, how } = operand else {
            return false;
        };
        if !how.empty_path || matches!(how.start, Start::Cwd) {
            return false;
        }
        let mut first = [0u8; 1];
        matches!(memory::read(self.caller.tid, RemoteAddr(arg(info, path)), &mut first), Ok(1) if first[0] == 0)
    }

    // ---- System calls ----

    fn call(&mut self, info: &SyscallInfo) -> Verdict {
        // Flags the kernel refuses are refused first, as it does: the
        // notify transport performs calls with flags of its own, which
        // must never turn a refused call into a performed one.
        if let Some(e) = bad_flags(self.call, info) {
            return Verdict::Deny(e);
        }
        let cwd = Start::Cwd;
        let path = |i: usize, follow: bool| Operand::Path {
            path: i,
            how: How::at(cwd, follow),
        };
        let at = |d: usize, p: usize, follow: bool, empty: bool| {
            let mut how = How::at(dirfd(info, d), follow);
            how.empty_path = empty;
            Operand::Path { path: p, how }
        };
        // A name in its directory, acted on as such (see How::name_op).
        let name = |operand: Operand| match operand {
            Operand::Path { path, mut how } => {
                how.name_op = true;
                Operand::Path { path, how }
            }
            other => other,
        };
        let one = |c: Category| CatSet::of(&[c]);
        let nofollow = |flags: u64| !flag(flags, libc::AT_SYMLINK_NOFOLLOW);
        let empty = |flags: u64| flag(flags, libc::AT_EMPTY_PATH);
        match self.call {
            // Opening.
            "open" => self.open(info, path(0, true), arg(info, 1), None),
            "openat" => self.open(info, at(0, 1, true, false), arg(info, 2), None),
            "creat" => self.open(
                info,
                path(0, true),
                (libc::O_CREAT | libc::O_WRONLY | libc::O_TRUNC) as u64,
                None,
            ),
            "openat2" => self.openat2(info),
            // Looking.
            "stat" | "statfs" | "access" => self.simple(info, path(0, true), one(Stat)),
            "lstat" => self.simple(info, path(0, false), one(Stat)),
            "newfstatat" => {
                let f = arg(info, 3);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Stat))
            }
            "statx" => {
                let f = arg(info, 2);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Stat))
            }
            "faccessat" => self.simple(info, at(0, 1, true, false), one(Stat)),
            "faccessat2" => {
                let f = arg(info, 3);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Stat))
            }
            "inotify_add_watch" => {
                let follow = !flag(arg(info, 2), libc::IN_DONT_FOLLOW as i32);
                self.simple(info, path(1, follow), one(Stat))
            }
            "file_getattr" => {
                let f = arg(info, 4);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Stat))
            }
            // Extended attributes.
            "getxattr" | "listxattr" => self.simple(info, path(0, true), one(Read)),
            "lgetxattr" | "llistxattr" => self.simple(info, path(0, false), one(Read)),
            "fgetxattr" | "flistxattr" => self.simple(info, Operand::Fd(0), one(Read)),
            "getxattrat" | "listxattrat" => {
                let f = arg(info, 2);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Read))
            }
            "setxattr" | "removexattr" => self.simple(info, path(0, true), one(Chattr)),
            "lsetxattr" | "lremovexattr" => self.simple(info, path(0, false), one(Chattr)),
            "fsetxattr" | "fremovexattr" => self.simple(info, Operand::Fd(0), one(Chattr)),
            "setxattrat" | "removexattrat" => {
                let f = arg(info, 2);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Chattr))
            }
            "file_setattr" => {
                let f = arg(info, 4);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Chattr))
            }
            // Executing.
            "execve" => self.exec(info, path(0, true)),
            "execveat" => {
                let f = arg(info, 4);
                self.exec(info, at(0, 1, nofollow(f), empty(f)))
            }
            // Running a file's code without execve (the dynamic loader
            // maps the program it is asked to run).
            "mmap" => self.simple(info, Operand::Fd(4), one(Exec)),
            "mprotect" | "pkey_mprotect" => self.mapped(arg(info, 0), arg(info, 1)),
            // Removing.
            "unlink" => self.simple(info, name(path(0, false)), one(Delete)),
            "rmdir" => self.simple(info, name(path(0, false)), one(Rmdir)),
            "unlinkat" => {
                let c = if flag(arg(info, 2), libc::AT_REMOVEDIR) {
                    Rmdir
                } else {
                    Delete
                };
                self.simple(info, name(at(0, 1, false, false)), one(c))
            }
            // Renaming and linking.
            "rename" => self.rename(info, name(path(0, false)), name(path(1, false)), 0, false),
            "renameat" => self.rename(
                info,
                name(at(0, 1, false, false)),
                name(at(2, 3, false, false)),
                0,
                false,
            ),
            "renameat2" => self.rename(
                info,
                name(at(0, 1, false, false)),
                name(at(2, 3, false, false)),
                arg(info, 4),
                false,
            ),
            "link" => self.rename(info, path(0, false), name(path(1, false)), 0, true),
            "linkat" => {
                let f = arg(info, 4);
                let follow = flag(f, libc::AT_SYMLINK_FOLLOW);
                self.rename(
                    info,
                    at(0, 1, follow, empty(f)),
                    name(at(2, 3, false, false)),
                    0,
                    true,
                )
            }
            "symlink" => self.simple(info, name(path(1, false)), one(Symlink)),
            "symlinkat" => self.simple(info, name(at(1, 2, false, false)), one(Symlink)),
            "readlink" => self.simple(info, path(0, false), one(Readlink)),
            // An empty path is the descriptor itself (no flag needed).
            "readlinkat" => self.simple(info, at(0, 1, false, true), one(Readlink)),
            // Changing.
            "truncate" => self.simple(info, path(0, true), one(Truncate)),
            "ftruncate" | "fallocate" => self.simple(info, Operand::Fd(0), one(Truncate)),
            "mkdir" => self.simple(info, name(path(0, false)), one(Mkdir)),
            "mkdirat" => self.simple(info, name(at(0, 1, false, false)), one(Mkdir)),
            "chown" => self.simple(info, path(0, true), owner_cats(arg(info, 1), arg(info, 2))),
            "lchown" => self.simple(info, path(0, false), owner_cats(arg(info, 1), arg(info, 2))),
            "fchown" => self.simple(info, Operand::Fd(0), owner_cats(arg(info, 1), arg(info, 2))),
            "fchownat" => {
                let f = arg(info, 4);
                self.simple(
                    info,
                    at(0, 1, nofollow(f), empty(f)),
                    owner_cats(arg(info, 2), arg(info, 3)),
                )
            }
            "chmod" => self.simple(info, path(0, true), one(Chmod)),
            "fchmod" => self.simple(info, Operand::Fd(0), one(Chmod)),
            "fchmodat" => self.simple(info, at(0, 1, true, false), one(Chmod)),
            "fchmodat2" => {
                let f = arg(info, 3);
                self.simple(info, at(0, 1, nofollow(f), empty(f)), one(Chmod))
            }
            "utime" | "utimes" => self.simple(info, path(0, true), one(Utime)),
            "futimesat" => {
                let how = How::at(dirfd(info, 0), true);
                self.simple(info, Operand::PathOrFd { path: 1, how }, one(Utime))
            }
            "utimensat" => {
                let f = arg(info, 3);
                let start = dirfd(info, 0);
                if arg(info, 1) == 0 {
                    // No path: the descriptor itself (futimens), which
                    // takes no flags; with AT_FDCWD, a bad address.
                    if matches!(start, Start::Cwd) {
                        return Verdict::Deny(Errno::EFAULT);
                    }
                    if f != 0 {
                        return Verdict::Deny(Errno::EINVAL);
                    }
                }
                let mut how = How::at(start, nofollow(f));
                how.empty_path = empty(f);
                self.simple(info, Operand::PathOrFd { path: 1, how }, one(Utime))
            }
            "mknod" => self.simple(info, name(path(0, false)), one(node_cat(arg(info, 1)))),
            "mknodat" => {
                let operand = name(at(0, 1, false, false));
                self.simple(info, operand, one(node_cat(arg(info, 2))))
            }
            // Directories.
            "chdir" => self.chdir(info, path(0, true)),
            "fchdir" => self.chdir(info, Operand::Fd(0)),
            "getdents" => self.listing(info, true),
            "getdents64" => self.listing(info, false),
            // Network.
            "bind" => self.address(info, arg(info, 1), arg(info, 2), Use::Bind),
            "connect" => self.address(info, arg(info, 1), arg(info, 2), Use::Connect),
            "sendto" => self.address(info, arg(info, 4), arg(info, 5), Use::Send),
            "sendmsg" => self.message(RemoteAddr(arg(info, 1))),
            "sendmmsg" => self.messages(info),
            "socketpair" => self.socketpair(info),
            "listen" => self.listen(info),
            // A trapped call this checker does not know: refuse.
            _ => Verdict::Deny(Errno::EPERM),
        }
    }

    fn open(
        &mut self,
        info: &SyscallInfo,
        operand: Operand,
        flags: u64,
        resolve_flags: Option<u64>,
    ) -> Verdict {
        self.record.flags = flags;
        let flags = flags as u32 as i32;
        let mut operand = operand;
        if let Operand::Path { how, .. } = &mut operand {
            // O_NOFOLLOW, and O_CREAT|O_EXCL (which never follows),
            // leave a final link alone.
            let excl = flags & libc::O_CREAT != 0 && flags & libc::O_EXCL != 0;
            how.follow = flags & libc::O_NOFOLLOW == 0 && !excl;
            if let Some(r) = resolve_flags {
                how.no_symlinks = r & libc::RESOLVE_NO_SYMLINKS != 0;
                how.no_magiclinks = r & libc::RESOLVE_NO_MAGICLINKS != 0;
                how.beneath = r & libc::RESOLVE_BENEATH != 0;
                how.in_root = r & libc::RESOLVE_IN_ROOT != 0;
            }
        }
        if let Err(e) = self.resolve(info, operand, 0, Read) {
            return Verdict::Deny(e);
        }
        let mut cats = CatSet::EMPTY;
        if flags & libc::O_PATH != 0 {
            // An O_PATH descriptor reads and writes nothing: reopening
            // it through /proc/self/fd is checked on the real file.
            cats.insert(Stat);
        } else if flags & libc::O_TMPFILE == libc::O_TMPFILE {
            cats.insert(Mktemp);
        } else {
            let dir = self.slots[0].is_dir();
            match flags & libc::O_ACCMODE {
                libc::O_RDONLY => cats.insert(if dir { Readdir } else { Read }),
                libc::O_WRONLY => cats.insert(Write),
                _ => {
                    cats.insert(if dir { Readdir } else { Read });
                    cats.insert(Write);
                }
            }
            // What the open really does to what is there: O_CREAT
            // creates only where nothing is (with O_EXCL it fails
            // otherwise, and stays a create); O_TRUNC empties only a
            // regular file (a device or FIFO ignores it). So
            // `>/dev/null` is a write. The notify transport performs
            // the open without the flags that were not decided (see
            // `emulate::Call::open`), and ptrace's kernel redoes the
            // lookup (its known time-of-check limit).
            let (exists, regular) = {
                let slot = &self.slots[0];
                let regular = slot.info.is_some_and(|i| i.kind() == libc::S_IFREG);
                (slot.exists() || slot.anonymous, regular)
            };
            if flags & libc::O_CREAT != 0 && !exists && self.record.trailing[0] {
                // A new name with a trailing slash: no file is made.
                return Verdict::Deny(Errno::EISDIR);
            }
            if flags & libc::O_CREAT != 0 && (!exists || flags & libc::O_EXCL != 0) {
                cats.insert(Create);
            }
            if flags & libc::O_TRUNC != 0 && regular {
                // Truncating changes content: write too (stricter than Syd).
                cats.insert(Truncate);
                cats.insert(Write);
            }
        }
        self.check_path(0, cats);
        match self.verdict() {
            // The kernel resolves an O_PATH open again (no worker can
            // make one for the caller): the object really opened is
            // checked once the call returns (`post_check`).
            Verdict::Allow if flags & libc::O_PATH != 0 => Verdict::AllowThenCheck,
            other => other,
        }
    }

    /// `mprotect` adding `PROT_EXEC` to `[addr, addr + len)`: each file
    /// mapped there is checked as `exec` (anonymous memory is the
    /// program's own; a file's code is the file run).
    fn mapped(&mut self, addr: u64, len: u64) -> Verdict {
        let tid = self.caller.tid;
        let end = addr.saturating_add(len.max(1));
        let mut failed = None;
        let walked = proc::mappings(tid, addr, end, |m| {
            if m.ino == 0 || failed.is_some() {
                return;
            }
            match resolve::mapped(&self.caller, m.path, m.dev, m.ino, &mut self.slots[0]) {
                Ok(()) => self.check_path(0, CatSet::of(&[Exec])),
                Err(e) => failed = Some(e),
            }
        });
        if let Some(e) = failed.or(walked.err()) {
            return Verdict::Deny(e);
        }
        self.verdict()
    }

    fn openat2(&mut self, info: &SyscallInfo) -> Verdict {
        // struct open_how { u64 flags; u64 mode; u64 resolve; }, and
        // maybe a larger one from a newer libc, whose tail must be zero.
        let size = arg(info, 3);
        if size < 24 {
            return Verdict::Deny(Errno::EINVAL);
        }
        if size > 4096 {
            return Verdict::Deny(Errno::E2BIG);
        }
        let mut how = [0u8; 4096];
        let how = &mut how[..size as usize];
        if memory::read_exact(self.caller.tid, RemoteAddr(arg(info, 2)), how).is_err() {
            return Verdict::Deny(Errno::EFAULT);
        }
        if how[24..].iter().any(|&b| b != 0) {
            return Verdict::Deny(Errno::E2BIG);
        }
        let word =
            |i: usize| u64::from_ne_bytes(how[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]));
        let (flags, mode, resolve_flags) = (word(0), word(1), word(2));
        if let Err(e) = valid_open_how(flags, mode, resolve_flags) {
            return Verdict::Deny(e);
        }
        self.record.mode = mode;
        let operand = Operand::Path {
            path: 1,
            how: How::at(dirfd(info, 0), true),
        };
        self.open(info, operand, flags, Some(resolve_flags))
    }

    fn exec(&mut self, info: &SyscallInfo, operand: Operand) -> Verdict {
        if let Err(e) = self.resolve(info, operand, 0, Exec) {
            return Verdict::Deny(e);
        }
        // Nothing there: the kernel says ENOENT itself, and a PATH
        // search should not fill the log with every directory it tried.
        // (A hidden file also gets ENOENT: nothing is revealed.)
        if !self.slots[0].exists() {
            return Verdict::Deny(Errno::ENOENT);
        }
        self.check_path(0, CatSet::of(&[Exec]));
        self.interpreters(0);
        self.verdict()
    }

    /// Checks the `#!` interpreters of the file in `slot` (up to the
    /// kernel's four levels), using slot 1. A file's first line is read
    /// only once its own `exec` is allowed, and only if it is the
    /// regular file that was checked (never a FIFO, a device, or an
    /// object swapped in since): husk opens nothing it has not decided
    /// to allow, and never waits.
    fn interpreters(&mut self, slot: usize) {
        let mut level = 0;
        let mut current = slot;
        while level < 4 {
            if self.worst.is_some_and(|w| !w.action.allows()) {
                return;
            }
            let mut head = [0u8; 256];
            let n = self.slots[current].read_head(&mut head);
            let Some(interp) = shebang(&head[..n]) else {
                return;
            };
            let mut raw = [0u8; 256];
            raw[..interp.len()].copy_from_slice(interp);
            let len = interp.len();
            let target = 1 - current;
            if resolve::resolve(
                &self.caller,
                &raw[..len],
                How::at(Start::Cwd, true),
                &mut self.slots[target],
            )
            .is_err()
            {
                return;
            }
            self.check_path(target, CatSet::of(&[Exec]));
            current = target;
            level += 1;
        }
    }

    fn rename(
        &mut self,
        info: &SyscallInfo,
        from: Operand,
        to: Operand,
        flags: u64,
        link: bool,
    ) -> Verdict {
        if let Err(e) = self.resolve(info, from, 0, Rename) {
            return Verdict::Deny(e);
        }
        if let Err(e) = self.resolve(info, to, 1, Create) {
            // The kernel looks the old name up before the new one's last
            // component: a missing old name is told first.
            let missing = !self.slots[0].exists() && !self.slots[0].anonymous;
            return Verdict::Deny(if e == Errno::ENAMETOOLONG && missing {
                Errno::ENOENT
            } else {
                e
            });
        }
        let exchange = !link && flags as u32 & libc::RENAME_EXCHANGE != 0;
        self.check_path(0, CatSet::of(&[Rename]));
        if exchange {
            self.check_path(1, CatSet::of(&[Rename]));
        } else {
            let mut cats = CatSet::of(&[Create]);
            if self.slots[1].exists() && flags as u32 & libc::RENAME_NOREPLACE == 0 {
                cats.insert(Delete);
            }
            self.check_path(1, cats);
        }
        // No file may gain a more permissive path by moving.
        if self.escapes(0, 1) || (exchange && self.escapes(1, 0)) {
            self.log(Rename, Action::Deny, self.subject(0));
            self.note(Finding {
                action: Action::Deny,
                hidden: false,
            });
        }
        self.verdict()
    }

    /// Whether moving (or linking) the object at slot `from` to the path
    /// at slot `to` would loosen what the policy says about it.
    fn escapes(&self, from: usize, to: usize) -> bool {
        // What one can do *to the object* through a name: reading,
        // writing, running, changing it. (Categories about names —
        // create, delete, rename... — do not follow the object.)
        const OBJECT: [Category; 13] = [
            Stat, Read, Write, Exec, Truncate, Readdir, Readlink, Chdir, Chmod, Chown, Chgrp,
            Chattr, Utime,
        ];
        let looser = OBJECT
            .iter()
            .any(|&c| !self.verdict_of(from, c).allows() && self.verdict_of(to, c).allows());
        if looser {
            return true;
        }
        // A path carrying a path some rule protects below it (whatever
        // it is now: a racer may swap a file there for a directory).
        match self.slots[from].path() {
            Some(src) => self.policy.protects_below(src),
            None => false,
        }
    }

    fn chdir(&mut self, info: &SyscallInfo, operand: Operand) -> Verdict {
        match self.simple(info, operand, CatSet::of(&[Chdir])) {
            // Checked again on the directory really entered.
            Verdict::Allow if self.policy.is_on(Chdir) => Verdict::AllowThenCheck,
            other => other,
        }
    }

    /// A directory listing (`getdents64`, or the old `getdents` with
    /// `legacy`), trapped because the policy hides something somewhere:
    /// read by husk from a copy of the caller's descriptor (the same
    /// open directory, its position included), with every hidden entry
    /// taken out where the policy may hide one in that directory, then
    /// written into the caller's buffer. Never left to the kernel: the
    /// caller's descriptor number may name another directory by then.
    /// A batch left empty is followed by the next, so an empty answer
    /// still means the end.
    fn listing(&mut self, info: &SyscallInfo, legacy: bool) -> Verdict {
        if let Err(e) = self.resolve(info, Operand::Fd(0), 0, Stat) {
            return Verdict::Deny(e);
        }
        let slot = &self.slots[0];
        let filter = self.policy.may_hide_in(slot.path());
        let Some(dir) = slot.pinned.as_ref() else {
            // No copy of descriptors before Linux 5.6: not listed.
            return Verdict::Deny(Errno::ENOSYS);
        };
        let count = arg(info, 2) as u32 as usize;
        let mut buf = [0u8; LISTING];
        loop {
            // On what is not a directory, the kernel's own errno.
            let n = match file::getdents(dir, &mut buf[..count.min(LISTING)], legacy) {
                Ok(n) => n,
                Err(e) => return Verdict::Deny(e),
            };
            let kept = if filter && n > 0 {
                self.unhidden(&mut buf[..n], legacy)
            } else {
                n
            };
            if n > 0 && kept == 0 {
                continue;
            }
            return match crate::sys::notify::vm_write(self.caller.tid, arg(info, 1), &buf[..kept]) {
                Ok(()) => Verdict::Value(kept as i64),
                Err(e) => Verdict::Deny(e),
            };
        }
    }

    /// Takes the entries whose `stat` is denied out of the directory
    /// entries in `buf` (of the directory in slot 0); the bytes left.
    fn unhidden(&self, buf: &mut [u8], legacy: bool) -> usize {
        // Both layouts: inode, offset (8 bytes each in getdents64,
        // `unsigned long` in the old one: 4 bytes on 32-bit ARM), record
        // length (2); then the type and the name (getdents64), or the
        // name (and the type in the record's last byte).
        let len_at = if legacy {
            2 * core::mem::size_of::<core::ffi::c_ulong>()
        } else {
            16
        };
        let name_at = len_at + 2 + usize::from(!legacy);
        let dir = self.slots[0].path();
        let (mut read, mut kept) = (0, 0);
        while read + name_at <= buf.len() {
            let len = u16::from_ne_bytes([buf[read + len_at], buf[read + len_at + 1]]) as usize;
            if len <= name_at || read + len > buf.len() {
                break;
            }
            let field = &buf[read + name_at..read + len];
            let name = &field[..field.iter().position(|&b| b == 0).unwrap_or(field.len())];
            if name == b"." || name == b".." || !self.hidden_entry(dir, name) {
                buf.copy_within(read..read + len, kept);
                kept += len;
            }
            read += len;
        }
        kept
    }

    /// Whether entry `name` of directory `dir` (`None`: one with no
    /// path) is hidden.
    fn hidden_entry(&self, dir: Option<&[u8]>, name: &[u8]) -> bool {
        let Some(dir) = dir else {
            return !self.policy.check_nowhere(Stat).allows();
        };
        let mut path = [0u8; crate::remote::path::PATH_MAX];
        let dir = dir.strip_suffix(b"/").unwrap_or(dir);
        let len = dir.len() + 1 + name.len();
        if len > path.len() {
            // Too long a path to decide: hidden (closed).
            return true;
        }
        path[..dir.len()].copy_from_slice(dir);
        path[dir.len()] = b'/';
        path[dir.len() + 1..len].copy_from_slice(name);
        !self.policy.check_path(Stat, &path[..len]).allows()
    }

    /// The outcome of a call allowed with [`Verdict::AllowThenCheck`],
    /// which returned `ret`: the directory entered (chdir), or the
    /// object opened (`O_PATH`, descriptor `ret`), decided again.
    fn post_check(&mut self, ret: i64) -> Verdict {
        let (start, cat) = match self.call {
            "chdir" | "fchdir" => (Start::Cwd, Chdir),
            "open" | "openat" | "openat2" => match i32::try_from(ret) {
                Ok(fd) => (Start::Fd(fd), Stat),
                Err(_) => return Verdict::Kill,
            },
            _ => return Verdict::Kill,
        };
        let mut how = How::at(start, true);
        how.empty_path = true;
        if resolve::resolve(&self.caller, b"", how, &mut self.slots[0]).is_err() {
            return Verdict::Kill;
        }
        self.check_path(0, CatSet::of(&[cat]));
        match self.verdict() {
            Verdict::Allow => Verdict::Allow,
            // The call has happened: the process cannot go on.
            Verdict::Exit(status) => Verdict::Exit(status),
            _ => Verdict::Kill,
        }
    }

    fn exec_event(&mut self) -> Verdict {
        self.quiet_warn = true;
        let tid = self.caller.tid;
        // The program really loaded: the inode behind /proc/TID/exe,
        // placed by identity (never by the link's text).
        if resolve::executable(&self.caller, &mut self.slots[0]).is_err() {
            return Verdict::Kill;
        }
        self.check_path(0, CatSet::of(&[Exec]));
        // The ELF interpreter the kernel loaded with it (mapped at
        // AT_BASE; no mmap call shows it), whose code runs first: ld.so,
        // or musl's loader, which is its whole libc.
        let [base, execfn] =
            proc::aux_all(tid, [libc::AT_BASE, libc::AT_EXECFN]).unwrap_or([None, None]);
        if let Some(base) = base {
            let mut failed = false;
            let walked = proc::mappings(tid, base, base.saturating_add(1), |m| {
                if base == 0 || m.ino == 0 || failed {
                    return;
                }
                match resolve::mapped(&self.caller, m.path, m.dev, m.ino, &mut self.slots[1]) {
                    Ok(()) => self.check_path(1, CatSet::of(&[Exec])),
                    Err(_) => failed = true,
                }
            });
            if failed || walked.is_err() {
                return Verdict::Kill;
            }
        }
        // The file named to execve (AT_EXECFN): for a script, the script.
        if let Some(at) = execfn {
            let mut name = [0u8; crate::remote::path::PATH_MAX];
            if let Ok(name) = memory::read_cstr(tid, RemoteAddr(at), &mut name) {
                let len = name.len();
                let mut copy = [0u8; crate::remote::path::PATH_MAX];
                copy[..len].copy_from_slice(name);
                let named = resolve::resolve(
                    &self.caller,
                    &copy[..len],
                    How::at(Start::Cwd, true),
                    &mut self.slots[1],
                );
                let loaded = self.slots[0].info;
                let other = self.slots[1]
                    .info
                    .zip(loaded)
                    .is_none_or(|(a, b)| !crate::remote::object::same(a, b));
                if named.is_ok() && other {
                    self.check_path(1, CatSet::of(&[Exec]));
                }
            }
        }
        match self.verdict() {
            Verdict::Allow => Verdict::Allow,
            Verdict::Exit(status) => Verdict::Exit(status),
            // The new image must not run a single instruction.
            _ => Verdict::Kill,
        }
    }

    // ---- Network ----

    fn address(&mut self, _info: &SyscallInfo, addr: u64, len: u64, how: Use) -> Verdict {
        self.errno = match how {
            Use::Bind => Errno::EADDRNOTAVAIL,
            Use::Connect => Errno::ECONNREFUSED,
            Use::Send => Errno::ENOTCONN,
        };
        let category = if how == Use::Bind {
            NetBind
        } else {
            NetConnect
        };
        let mut buf = [0u8; net::SOCKADDR_MAX];
        let decoded = match net::read(self.caller.tid, RemoteAddr(addr), len, &mut buf, how) {
            Ok(d) => d,
            Err(e) => return Verdict::Deny(e),
        };
        // A UNIX address longer than struct sockaddr_un: EINVAL.
        let sun = core::mem::size_of::<libc::sockaddr_un>() as u64;
        let unix = matches!(
            decoded,
            Decoded::UnixPath(_) | Decoded::Abstract(_) | Decoded::Unnamed
        );
        if unix && len > sun {
            return Verdict::Deny(Errno::EINVAL);
        }

        self.check_decoded(&decoded, category, how);
        // `read` accepted `len`: at most SOCKADDR_MAX bytes, all read.
        self.record.addr = buf;
        self.record.addr_len = len as usize;
        self.verdict()
    }

    fn check_decoded(&mut self, decoded: &Decoded<'_>, category: Category, how: Use) {
        match *decoded {
            Decoded::Other | Decoded::Disconnect => {}
            Decoded::Inet(ip, port) => {
                let mut text = [0u8; 64];
                let shown = format_inet(ip, port, &mut text);
                self.check_addr(category, SockAddr::Inet(ip, port), shown);
            }
            Decoded::Unnamed => self.check_addr(category, SockAddr::Unnamed, b"!unnamed"),
            Decoded::Abstract(name) => {
                let mut text = [0u8; 128];
                text[0] = b'@';
                let n = name.len().min(text.len() - 1);
                text[1..=n].copy_from_slice(&name[..n]);
                let action = self.policy.check_addr(category, SockAddr::Abstract(name));
                self.record_addr(category, action, &text[..=n]);
            }
            Decoded::UnixPath(path) => {
                let mut raw = [0u8; 128];
                raw[..path.len()].copy_from_slice(path);
                let follow = how != Use::Bind;
                self.record.follow[0] = follow;
                self.record.trailing[0] = path.last() == Some(&b'/');
                let mut lookup = How::at(Start::Cwd, follow);
                // bind makes a name in its directory (a socket file).
                lookup.name_op = how == Use::Bind;
                if lookup.name_op && dot_name(path).is_some() {
                    // `.`, `..` or `/`: never a new name (EEXIST, which
                    // bind says as EADDRINUSE), once the directory is
                    // found.
                    let n = path.len().min(self.raw.len());
                    self.raw[..n].copy_from_slice(&path[..n]);
                    let dots = dot_name(path).unwrap_or(Dots::Root);
                    let e = match self.dot_name(lookup, n, 0, dots, false) {
                        Err(Errno::EEXIST) | Ok(()) => Errno::EADDRINUSE,
                        Err(e) => e,
                    };
                    self.errno = e;
                    self.note(Finding {
                        action: Action::Deny,
                        hidden: false,
                    });
                    return;
                }
                let resolved =
                    resolve::resolve(&self.caller, &raw[..path.len()], lookup, &mut self.slots[0]);
                let resolved = match resolved {
                    Err(e) if self.slots[0].blame > 0 => Err(self.unless_hidden(0, e)),
                    other => other,
                };
                match resolved {
                    Ok(()) if self.slots[0].nowhere => {
                        // A socket in a directory with no path (a removed
                        // working directory): no rule can name it.
                        let action = self.policy.check_nowhere(category);
                        let subject = self.subject(0);
                        self.log(category, action, subject);
                        self.note(Finding {
                            action,
                            hidden: false,
                        });
                    }
                    Ok(()) => {
                        let shown = self.slots[0].shown.as_bytes();
                        let hidden = !self.policy.check_path(Stat, shown).allows();
                        let action = self.policy.check_addr(category, SockAddr::UnixPath(shown));
                        let mut copy = [0u8; crate::remote::path::PATH_MAX];
                        let n = shown.len();
                        copy[..n].copy_from_slice(shown);
                        self.record_addr(category, action, &copy[..n]);
                        if hidden && !action.allows() {
                            if let Some(w) = &mut self.worst {
                                w.hidden = true;
                            }
                        }
                    }
                    Err(e) => {
                        self.errno = e;
                        self.note(Finding {
                            action: Action::Deny,
                            hidden: false,
                        });
                    }
                }
            }
        }
    }

    fn check_addr(&mut self, category: Category, addr: SockAddr<'_>, shown: &[u8]) {
        let action = self.policy.check_addr(category, addr);
        self.record_addr(category, action, shown);
    }

    fn record_addr(&mut self, category: Category, action: Action, shown: &[u8]) {
        if action.logs() {
            self.log(category, action, Subject::Addr(shown));
        }
        self.note(Finding {
            action,
            hidden: false,
        });
    }

    fn message(&mut self, at: RemoteAddr) -> Verdict {
        self.errno = Errno::ENOTCONN;
        let msg = match net::read_message(self.caller.tid, at) {
            Ok(m) => m,
            Err(e) => return Verdict::Deny(e),
        };
        self.check_message(&msg);
        self.verdict()
    }

    fn check_message(&mut self, msg: &net::Message) {
        let mut buf = [0u8; net::SOCKADDR_MAX];
        let mut destination: Option<Decoded<'_>> = None;
        if msg.name != 0 {
            match net::read(
                self.caller.tid,
                RemoteAddr(msg.name),
                msg.name_len,
                &mut buf,
                Use::Send,
            ) {
                Ok(d) => destination = Some(d),
                Err(e) => {
                    self.errno = e;
                    self.note(Finding {
                        action: Action::Deny,
                        hidden: false,
                    });
                    return;
                }
            }
        }
        if let Some(d) = &destination {
            self.check_decoded(d, NetConnect, Use::Send);
        }
        // What the emulator will send: exactly what was checked.
        self.record.iov = (msg.iov, msg.iov_len);
        let passes = net::read_control(self.caller.tid, msg, &mut self.record.control).map(|n| {
            self.record.control_len = n;
            net::rights(&self.record.control[..n]).next().is_some()
        });
        match passes {
            Ok(false) => {}
            Ok(true) => {
                let errno = self.errno;
                match &destination {
                    Some(d) => self.check_decoded(d, NetSendfd, Use::Send),
                    // A connected socket: its peer is not named in the
                    // call (README: checked as `!unnamed`).
                    None => self.check_addr(NetSendfd, SockAddr::Unnamed, b"!unnamed"),
                }
                self.errno = errno;
            }
            Err(e) => {
                self.errno = e;
                self.note(Finding {
                    action: Action::Deny,
                    hidden: false,
                });
            }
        }
        if msg.name != 0 {
            // `read` accepted the length: at most SOCKADDR_MAX bytes.
            self.record.addr = buf;
            self.record.addr_len = msg.name_len as usize;
        }
    }

    fn messages(&mut self, info: &SyscallInfo) -> Verdict {
        self.errno = Errno::ENOTCONN;
        // The kernel sends at most UIO_MAXIOV messages per call.
        let count = (arg(info, 2) as u32).min(1024) as u64;
        for i in 0..count {
            let Some(at) = RemoteAddr(arg(info, 1)).offset(i * net::MMSGHDR_SIZE) else {
                return Verdict::Deny(Errno::EFAULT);
            };
            match net::read_message(self.caller.tid, at) {
                Ok(msg) => self.check_message(&msg),
                Err(e) => return Verdict::Deny(e),
            }
            if self.worst.is_some_and(|w| !w.action.allows()) {
                break;
            }
        }
        self.verdict()
    }

    /// listen: a socket not bound yet is bound by the kernel to the
    /// wildcard address of its family, port 0 (any): decided as that
    /// bind. One bound already was decided when it was bound.
    fn listen(&mut self, info: &SyscallInfo) -> Verdict {
        self.errno = Errno::EADDRNOTAVAIL;
        let fd = arg(info, 0) as u32 as i32;
        self.record.start[0] = Empty::Fd(fd);
        let mut name = [0u8; net::SOCKADDR_MAX];
        let families: &[Ip] = match self.slots[0].their_fd(&self.caller, fd) {
            Ok(Some(socket)) => match file::getsockname(&socket, &mut name) {
                Ok(len) if len >= 2 => match net::decode(&name[..len], Use::Bind) {
                    Decoded::Inet(_, port) if port != 0 => &[],
                    Decoded::Inet(Ip::V4(_), 0) => &[Ip::V4([0; 4])],
                    Decoded::Inet(_, 0) => &[Ip::V6([0; 16])],
                    _ => &[],
                },
                Ok(_) => &[],
                Err(e) => return Verdict::Deny(e),
            },
            // The socket cannot be looked at (a kernel before 5.6): as
            // if unbound, in either family.
            Ok(None) => &[Ip::V4([0; 4]), Ip::V6([0; 16])],
            Err(e) => return Verdict::Deny(e),
        };
        for &any in families {
            let mut text = [0u8; 64];
            let shown = format_inet(any, 0, &mut text);
            self.check_addr(NetBind, SockAddr::Inet(any, 0), shown);
        }
        self.verdict()
    }

    fn socketpair(&mut self, info: &SyscallInfo) -> Verdict {
        self.errno = Errno::EADDRNOTAVAIL;
        if arg(info, 0) as u32 as i32 == libc::AF_UNIX {
            self.check_addr(NetBind, SockAddr::Unnamed, b"!unnamed");
        }
        self.verdict()
    }
}

/// The open flags the kernel knows (`VALID_OPEN_FLAGS`): `openat2`
/// refuses any other bit, where `open` and `openat` drop them.
pub const OPEN_FLAGS: u64 = (libc::O_ACCMODE
    | libc::O_CREAT
    | libc::O_EXCL
    | libc::O_NOCTTY
    | libc::O_TRUNC
    | libc::O_APPEND
    | libc::O_NONBLOCK
    | libc::O_DSYNC
    | libc::O_ASYNC
    | libc::O_DIRECT
    | libc::O_LARGEFILE
    | libc::O_DIRECTORY
    | libc::O_NOFOLLOW
    | libc::O_NOATIME
    | libc::O_CLOEXEC
    | libc::O_SYNC
    | libc::O_PATH
    | libc::O_TMPFILE) as u32 as u64;

/// What `openat2` refuses in its `struct open_how`, with the kernel's
/// errno (its `build_open_flags`): husk performs the call with flags of
/// its own, so it must refuse what the kernel would.
fn valid_open_how(flags: u64, mode: u64, resolve: u64) -> Result<()> {
    const RESOLVE: u64 = libc::RESOLVE_NO_XDEV
        | libc::RESOLVE_NO_MAGICLINKS
        | libc::RESOLVE_NO_SYMLINKS
        | libc::RESOLVE_BENEATH
        | libc::RESOLVE_IN_ROOT
        | libc::RESOLVE_CACHED;
    let o = |bit: i32| bit as u32 as u64;
    let creating = o(libc::O_CREAT) | o(libc::O_TMPFILE);
    if flags & !OPEN_FLAGS != 0
        || resolve & !RESOLVE != 0
        || mode & !0o7777 != 0
        || (flags & creating == 0 && mode != 0)
        || (resolve & libc::RESOLVE_BENEATH != 0 && resolve & libc::RESOLVE_IN_ROOT != 0)
    {
        return Err(Errno::EINVAL);
    }
    let o_path_only =
        o(libc::O_DIRECTORY) | o(libc::O_NOFOLLOW) | o(libc::O_PATH) | o(libc::O_CLOEXEC);
    if flags & o(libc::O_PATH) != 0 && flags & !o_path_only != 0 {
        return Err(Errno::EINVAL);
    }
    // __O_TMPFILE is O_TMPFILE without O_DIRECTORY.
    let tmpfile = o(libc::O_TMPFILE) & !o(libc::O_DIRECTORY);
    if flags & tmpfile != 0 {
        let mask = o(libc::O_TMPFILE) | o(libc::O_CREAT);
        let writes = flags & o(libc::O_ACCMODE) != o(libc::O_RDONLY);
        if flags & mask != o(libc::O_TMPFILE) || !writes {
            return Err(Errno::EINVAL);
        }
    }
    if flags & o(libc::O_DIRECTORY) != 0 && flags & o(libc::O_CREAT) != 0 {
        return Err(Errno::EINVAL);
    }
    if resolve & libc::RESOLVE_CACHED != 0
        && flags & (o(libc::O_CREAT) | o(libc::O_TRUNC) | tmpfile) != 0
    {
        return Err(Errno::EAGAIN);
    }
    Ok(())
}

/// `chown`/`chgrp` by which ids change (-1 keeps one).
fn owner_cats(uid: u64, gid: u64) -> CatSet {
    let mut cats = CatSet::EMPTY;
    if uid as u32 != u32::MAX {
        cats.insert(Chown);
    }
    if gid as u32 != u32::MAX {
        cats.insert(Chgrp);
    }
    if cats.is_empty() {
        CatSet::of(&[Chown])
    } else {
        cats
    }
}

/// The category of `mknod` by file type.
fn node_cat(mode: u64) -> Category {
    match mode as u32 & libc::S_IFMT {
        libc::S_IFIFO => Mkfifo,
        libc::S_IFBLK => Mkbdev,
        libc::S_IFCHR => Mkcdev,
        _ => Create,
    }
}

/// The interpreter of a `#!` line.
fn shebang(head: &[u8]) -> Option<&[u8]> {
    let line = head.strip_prefix(b"#!")?;
    let end = line.iter().position(|&b| b == b'\n').unwrap_or(line.len());
    let line = &line[..end];
    let start = line.iter().position(|&b| b != b' ' && b != b'\t')?;
    let rest = &line[start..];
    let stop = rest
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .unwrap_or(rest.len());
    Some(&rest[..stop]).filter(|i| !i.is_empty())
}

/// `ADDR!PORT` as rules write it.
fn format_inet(ip: Ip, port: u16, out: &mut [u8; 64]) -> &[u8] {
    use core::fmt::Write;
    struct Buf<'a>(&'a mut [u8; 64], usize);
    impl Write for Buf<'_> {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            let n = s.len().min(self.0.len() - self.1);
            self.0[self.1..self.1 + n].copy_from_slice(&s.as_bytes()[..n]);
            self.1 += n;
            Ok(())
        }
    }
    let mut b = Buf(out, 0);
    let _ = write!(b, "{ip}!{port}");
    let n = b.1;
    &out[..n]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_lines() {
        assert_eq!(shebang(b"#!/bin/sh\necho"), Some(&b"/bin/sh"[..]));
        assert_eq!(
            shebang(b"#! /usr/bin/env python3 -u\n"),
            Some(&b"/usr/bin/env"[..])
        );
        assert_eq!(shebang(b"#!\n"), None);
        assert_eq!(shebang(b"\x7fELF"), None);
    }

    #[test]
    fn owners_and_nodes() {
        assert_eq!(owner_cats(0, u32::MAX as u64), CatSet::of(&[Chown]));
        assert_eq!(owner_cats(u32::MAX as u64, 5), CatSet::of(&[Chgrp]));
        assert_eq!(owner_cats(1, 1), CatSet::of(&[Chown, Chgrp]));
        assert_eq!(node_cat(libc::S_IFIFO as u64 | 0o644), Mkfifo);
        assert_eq!(node_cat(libc::S_IFCHR as u64), Mkcdev);
        assert_eq!(node_cat(0o644), Create);
    }

    #[test]
    fn inet_text() {
        let mut buf = [0u8; 64];
        assert_eq!(
            format_inet(Ip::V4([127, 0, 0, 1]), 80, &mut buf),
            b"127.0.0.1!80"
        );
    }
}
