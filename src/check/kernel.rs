//! Deciding in the kernel: the categories Landlock decides exactly as
//! husk would, the ruleset that does it, and the calls the sandbox
//! filter then lets through without a stop (`trace/kernel:on`, the
//! default; `-E landlock` prints the result).
//!
//! A checked category is decided by the kernel only if every one of
//! these holds, else it stays with husk, as it would without Landlock
//! (same verdicts, same log lines):
//!
//! - the notify transport (in ptrace mode the traced program performs
//!   husk's allowed calls itself, under the ruleset: a rename across
//!   directories would meet Landlock's implicit `REFER` rule), no `-x`
//!   or `-o`, and a kernel with Landlock and the right's ABI;
//! - the category has a Landlock right that covers every call of it the
//!   filter would let through: read (`READ_FILE`), readdir
//!   (`READ_DIR`), write (`WRITE_FILE`), create (`MAKE_REG`), truncate
//!   (`TRUNCATE`, ABI 3), mkdir (`MAKE_DIR`), symlink (`MAKE_SYM`);
//! - nothing is hidden (`stat` hides no path): husk answers `ENOENT` for
//!   a hidden path, Landlock `EACCES`;
//! - its default is `deny` or `filter` (or it allows everything), its
//!   rules are `allow`, `deny` or `filter`, each a literal path or a
//!   literal `PATH/***` tree, none reaching a process's `/proc/PID`
//!   (husk names the caller's own `/proc/self`, and refuses another
//!   process's memory and magic links whatever the rules say);
//! - no denying rule takes back part of an earlier allowed region unless
//!   a later allowing rule gives all of it back (Landlock only adds);
//! - every allowed anchor exists (Landlock rules attach to objects), is
//!   reached without a symbolic link (one that is not is never a prefix
//!   of a path husk decides on, so it needs no rule), and a literal
//!   names a file, never a directory (a rule on a directory covers all
//!   beneath it);
//! - for read: the kernel reads what it executes, so every path `exec`
//!   allows must be readable, and so must the ELF loaders there are.
//!
//! Denials the kernel decides are `EACCES` and are not logged.
#![deny(unsafe_code)]

use core::fmt;

use heapless::Vec;

use crate::policy::action::Action;
use crate::policy::category::{self, CatSet, Category};
use crate::policy::rules::Policy;
use crate::remote::proc::ProcPath;
use crate::supervisor::Transport;
use crate::sys::fd::{AsFd, OwnedFd};
use crate::sys::file::{self, Dir};
use crate::sys::landlock::{self, access};
use crate::sys::{Errno, Result};

use Category::*;

/// Landlock rules (distinct anchors) at most; a policy needing more
/// stays with husk.
pub const ANCHORS: usize = 128;

/// Why a checked category stays with husk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `trace/kernel:off`.
    Disabled,
    /// `-x` or `-o`: every call must be seen.
    Learning,
    /// The ptrace transport.
    Transport,
    /// No Landlock in this kernel (or disabled at boot).
    NoLandlock,
    /// The right needs this Landlock ABI.
    Abi(u32),
    /// Landlock has no right for it, or does not see all its calls.
    NoRight,
    /// `stat` hides paths.
    Hiding,
    /// The default action (warn, kill, exit, or allow with denials).
    Default(Action),
    /// Rule N (in `-E landlock`'s numbering of this category's rules)
    /// has this action.
    Action(u16, Action),
    /// Rule N is not a literal or a literal `/***` tree.
    Pattern(u16),
    /// Rule N reaches a process's own `/proc` directory.
    PerProcess(u16),
    /// Rule N denies part of what an earlier rule allows.
    DenyInside(u16),
    /// Rule N's object does not exist.
    Missing(u16),
    /// Rule N is a literal directory.
    Directory(u16),
    /// Rule N gives a directory right to a file.
    NotDirectory(u16),
    /// Rule N's object cannot be opened.
    Unopenable(u16, Errno),
    /// read: exec allows a path read does not.
    ExecNotRead,
    /// create: it allows paths write or read do not.
    CreateNotOpen,
    /// read: this ELF loader is not readable.
    Loader(&'static str),
    /// More than [`ANCHORS`] objects.
    Capacity,
}

/// Where a category is decided. (`Off` is all zero bytes, so the plan
/// starts in .bss, not in the file.)
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Status {
    /// Not checked (or allowed everywhere): nothing to decide.
    Off = 0,
    /// Landlock decides it; its calls need no stop.
    Kernel = 1,
    /// husk decides it.
    Husk(Why) = 2,
}

/// One Landlock rule: an object (held `O_PATH`) and its rights.
struct Anchor {
    fd: OwnedFd,
    access: u64,
}

/// The compiled routing.
pub struct Plan {
    status: [Status; category::COUNT],
    anchors: Vec<Anchor, ANCHORS>,
    /// Rights the ruleset handles.
    handled: u64,
    /// The kernel's Landlock ABI (0: none).
    abi: u32,
    /// Device and inode of every ruled object and every directory
    /// above one: husk refuses to remove, rename or replace them while
    /// the kernel decides (a Landlock rule stays with its object, a
    /// policy rule with its path: moved, they would part).
    pinned: Vec<(u64, u64), PINNED>,
}

/// Objects [`Plan::pinned`] holds at most; a policy needing more stays
/// with husk.
pub const PINNED: usize = 1024;

impl Plan {
    const fn new() -> Plan {
        Plan {
            status: [Status::Off; category::COUNT],
            anchors: Vec::new(),
            handled: 0,
            abi: 0,
            pinned: Vec::new(),
        }
    }

    /// Whether the object `(dev, ino)` is ruled, or above one ruled.
    pub fn pins(&self, dev: u64, ino: u64) -> bool {
        self.any() && self.pinned.contains(&(dev, ino))
    }

    /// Where `cat` is decided.
    pub fn status(&self, cat: Category) -> Status {
        self.status[cat as usize]
    }

    /// Whether any category is decided by the kernel.
    pub fn any(&self) -> bool {
        self.handled != 0
    }

    /// Whether the kernel decides every category of `cats`. (Not "or is
    /// off": a call husk traps for another category is still resolved
    /// by husk, which refuses another process's memory and magic links
    /// whatever the categories say; letting it through because the
    /// categories it needs are off would lose that.)
    /// `truncate` may be off: it grants no access to an object, and an
    /// open the kernel lets through is still checked by it for its
    /// access (write).
    pub fn decides(&self, cats: CatSet) -> bool {
        self.any()
            && cats.iter().all(|c| match self.status(c) {
                Status::Kernel => true,
                Status::Off => c == Truncate,
                Status::Husk(_) => false,
            })
    }
}

/// The plan for this run: written while husk starts (before the filter
/// is built), read by the child as it confines itself.
static PLAN: spin::Mutex<Plan> = spin::Mutex::new(Plan::new());

/// The Landlock right of each category that can be decided in the
/// kernel, and the ABI it needs.
fn right(cat: Category) -> Option<(u64, u32)> {
    Some(match cat {
        Read => (access::READ_FILE, 1),
        Readdir => (access::READ_DIR, 1),
        Write => (access::WRITE_FILE, 1),
        Create => (access::MAKE_REG, 1),
        Truncate => (access::TRUNCATE, 3),
        Mkdir => (access::MAKE_DIR, 1),
        Symlink => (access::MAKE_SYM, 1),
        _ => return None,
    })
}

/// ELF loaders the kernel opens (and so reads) to run a dynamic program.
const LOADERS: &[&str] = &[
    "/lib64/ld-linux-x86-64.so.2",
    "/lib/ld-linux-aarch64.so.1",
    "/lib/ld-linux-riscv64-lp64d.so.1",
    "/lib/ld-linux-armhf.so.3",
    "/lib/ld-linux.so.3",
    "/lib/ld-musl-x86_64.so.1",
    "/lib/ld-musl-aarch64.so.1",
    "/lib/ld-musl-riscv64.so.1",
    "/lib/ld-musl-armhf.so.1",
];

/// A rule's pattern as a Landlock anchor: the path and whether it is a
/// whole tree (`PATH/***`), or `None` if it is neither a literal nor a
/// literal tree, or not in normal form (absolute, no empty, `.` or `..`
/// component, no trailing slash).
fn anchor_of(pattern: &[u8]) -> Option<(&[u8], bool)> {
    let (path, tree) = match pattern.strip_suffix(b"/***") {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    if path.iter().any(is_glob) {
        return None;
    }
    if path.is_empty() {
        // `/***`: the whole tree.
        return tree.then_some((b"/", true));
    }
    if path[0] != b'/' {
        return None;
    }
    if path == b"/" {
        return Some((path, tree));
    }
    let normal = path[1..]
        .split(|&b| b == b'/')
        .all(|c| !c.is_empty() && c != b"." && c != b"..");
    normal.then_some((path, tree))
}

/// Whether byte `b` starts a glob (or an escape) in a pattern.
fn is_glob(b: &u8) -> bool {
    matches!(b, b'*' | b'?' | b'[' | b'\\')
}

/// Whether path `inner` is `outer` or lies below it.
fn within(outer: &[u8], inner: &[u8]) -> bool {
    outer == b"/"
        || inner == outer
        || (inner.len() > outer.len() && inner.starts_with(outer) && inner[outer.len()] == b'/')
}

/// A rule's region: a literal path or a tree.
#[derive(Clone, Copy)]
struct Region<'a> {
    path: &'a [u8],
    tree: bool,
}

impl Region<'_> {
    fn overlaps(self, other: Region<'_>) -> bool {
        match (self.tree, other.tree) {
            (true, true) => within(self.path, other.path) || within(other.path, self.path),
            (true, false) => within(self.path, other.path),
            (false, true) => within(other.path, self.path),
            (false, false) => self.path == other.path,
        }
    }

    fn covers(self, other: Region<'_>) -> bool {
        if self.tree {
            within(self.path, other.path)
        } else {
            !other.tree && self.path == other.path
        }
    }
}

/// Whether a rule on `path` (a tree if `tree`) reaches a process's own
/// `/proc` directory: the caller's (`/proc/self`, `/proc/thread-self`,
/// which husk names for the caller and Landlock for whoever opens), or
/// another's (`/proc/N`: husk refuses another process's memory and
/// magic links whatever the rules say; Landlock would follow them).
fn per_process(path: &[u8], tree: bool) -> bool {
    if tree && (path == b"/" || path == b"/proc") {
        return true;
    }
    let Some(rest) = path.strip_prefix(b"/proc/") else {
        return false;
    };
    let first = rest.split(|&b| b == b'/').next().unwrap_or(b"");
    first == b"self"
        || first == b"thread-self"
        || (!first.is_empty() && first.iter().all(u8::is_ascii_digit))
}

/// The rules of `cat`, oldest first, with their number in that list.
fn rules_of(policy: &Policy, cat: Category) -> impl Iterator<Item = (u16, Action, &[u8])> {
    policy
        .rules()
        .filter(move |&(_, c, _)| c == cat)
        .enumerate()
        .map(|(i, (a, _, p))| (i as u16, a, p))
}

/// Checks that category `cat`'s default and rules are what Landlock can
/// express: `Ok(true)` if so, `Ok(false)` if the category allows every
/// path (nothing to decide), else why not.
fn regions(policy: &Policy, cat: Category) -> core::result::Result<bool, Why> {
    let default = policy.default_action(cat);
    match default {
        Action::Deny | Action::Filter => {}
        Action::Allow => {
            // Allowed everywhere unless a rule says otherwise.
            return match rules_of(policy, cat).all(|(_, a, _)| a == Action::Allow) {
                true => Ok(false),
                false => Err(Why::Default(Action::Allow)),
            };
        }
        other => return Err(Why::Default(other)),
    }
    for (i, action, pattern) in rules_of(policy, cat) {
        if !matches!(action, Action::Allow | Action::Deny | Action::Filter) {
            return Err(Why::Action(i, action));
        }
        let Some((path, tree)) = anchor_of(pattern) else {
            return Err(Why::Pattern(i));
        };
        if per_process(path, tree) {
            return Err(Why::PerProcess(i));
        }
    }
    // Last match wins: a denial after an allowing rule it overlaps must
    // be given back whole by a still later allowing rule.
    for (k, action, pattern) in rules_of(policy, cat) {
        if action.allows() {
            continue;
        }
        let denied = region(pattern);
        let earlier = rules_of(policy, cat)
            .take_while(|&(j, _, _)| j < k)
            .any(|(_, a, p)| a.allows() && region(p).overlaps(denied));
        let given_back = rules_of(policy, cat)
            .skip_while(|&(j, _, _)| j <= k)
            .any(|(_, a, p)| a.allows() && region(p).covers(denied));
        if earlier && !given_back {
            return Err(Why::DenyInside(k));
        }
    }
    Ok(true)
}

fn region(pattern: &[u8]) -> Region<'_> {
    // Checked by `regions` before use.
    let (path, tree) = anchor_of(pattern).unwrap_or((b"/", true));
    Region { path, tree }
}

/// Whether an allowing rule of `cat` at `i` is wholly taken back by a
/// later denying one (then it needs no Landlock rule).
fn overridden(policy: &Policy, cat: Category, i: u16, r: Region<'_>) -> bool {
    rules_of(policy, cat)
        .skip_while(|&(j, _, _)| j <= i)
        .any(|(_, a, p)| !a.allows() && region(p).covers(r))
}

/// Opens `path` (normal form) `O_PATH`, refusing any link on the way.
fn open_anchor(path: &[u8]) -> Result<OwnedFd> {
    let mut buf = [0u8; crate::remote::path::PATH_MAX];
    if path.len() >= buf.len() {
        return Err(Errno::ENAMETOOLONG);
    }
    buf[..path.len()].copy_from_slice(path);
    let c = core::ffi::CStr::from_bytes_with_nul(&buf[..=path.len()]).map_err(|_| Errno::EINVAL)?;
    file::openat2(
        Dir::Cwd,
        c,
        (libc::O_PATH | libc::O_CLOEXEC) as u64,
        0,
        libc::RESOLVE_NO_SYMLINKS | libc::RESOLVE_NO_MAGICLINKS,
    )
}

/// Where `cat` goes, before cross-category conditions; the anchors it
/// needs are added to `plan` (merged by object).
fn compile_one(policy: &Policy, cat: Category, plan: &mut Plan) -> Status {
    if !policy.is_on(cat) {
        return Status::Off;
    }
    let Some((bit, abi)) = right(cat) else {
        return Status::Husk(Why::NoRight);
    };
    if plan.abi < abi {
        return Status::Husk(Why::Abi(abi));
    }
    match regions(policy, cat) {
        Err(why) => return Status::Husk(why),
        Ok(false) => return Status::Off,
        Ok(true) => {}
    }
    let mut mine: Vec<(OwnedFd, (u64, u64)), 64> = Vec::new();
    for (i, action, pattern) in rules_of(policy, cat) {
        let r = region(pattern);
        if !action.allows() || overridden(policy, cat, i, r) {
            continue;
        }
        let fd = match open_anchor(r.path) {
            // A link on the way: husk decides on paths without links,
            // none of which is below this one.
            Err(Errno::ELOOP) => continue,
            Err(Errno::ENOENT | Errno::ENOTDIR) => return Status::Husk(Why::Missing(i)),
            Err(e) => return Status::Husk(Why::Unopenable(i, e)),
            Ok(fd) => fd,
        };
        let st = match file::fstat_raw(fd.as_fd()) {
            Ok(st) => st,
            Err(e) => return Status::Husk(Why::Unopenable(i, e)),
        };
        let dir = st.st_mode & libc::S_IFMT == libc::S_IFDIR;
        if dir && !r.tree {
            return Status::Husk(Why::Directory(i));
        }
        if !dir && bit & !access::FILE != 0 {
            return Status::Husk(Why::NotDirectory(i));
        }
        if mine.push((fd, identity(&st))).is_err() {
            return Status::Husk(Why::Capacity);
        }
    }
    // Merge into the plan's anchors (one rule per object).
    for (fd, id) in mine {
        let same = plan
            .anchors
            .iter_mut()
            .find(|a| file::fstat_raw(a.fd.as_fd()).is_ok_and(|o| identity(&o) == id));
        match same {
            Some(a) => a.access |= bit,
            None => {
                if plan.anchors.push(Anchor { fd, access: bit }).is_err() {
                    return Status::Husk(Why::Capacity);
                }
            }
        }
    }
    Status::Kernel
}

/// Whether every path `inner` allows, `outer` allows too (as far as
/// their rules show: a glob of `inner` counts as its whole literal
/// directory; `outer` must be off or allow by literal rules and trees
/// with nothing taken back, as [`regions`] checks).
fn covered(policy: &Policy, inner: Category, outer: Category) -> bool {
    if !policy.is_on(outer) {
        return true;
    }
    if !policy.is_on(inner) || policy.default_action(inner).allows() {
        return false;
    }
    if regions(policy, outer).is_err() {
        return false;
    }
    rules_of(policy, inner)
        .filter(|&(_, a, _)| a.allows())
        .all(|(_, _, pattern)| {
            let region = match anchor_of(pattern) {
                Some((path, tree)) => Region { path, tree },
                None => {
                    let cut = pattern.iter().position(is_glob).unwrap_or(pattern.len());
                    let dir = match pattern[..cut].iter().rposition(|&b| b == b'/') {
                        Some(0) | None => &b"/"[..],
                        Some(s) => &pattern[..s],
                    };
                    Region {
                        path: dir,
                        tree: true,
                    }
                }
            };
            rules_of(policy, outer)
                .filter(|&(_, a, _)| a.allows())
                .any(|(_, _, p)| anchor_of(p).is_some() && self::region(p).covers(region))
        })
}

/// Device and inode of a stat result.
#[allow(clippy::unnecessary_cast)] // narrower fields on 32-bit ARM
fn identity(st: &file::KernelStat) -> (u64, u64) {
    (st.st_dev as u64, st.st_ino as u64)
}

/// read: every path `exec` allows must be readable (the kernel opens a
/// program, a `#!` interpreter and the ELF loader for reading as it
/// executes them), and so must every ELF loader present.
fn exec_readable(policy: &Policy) -> core::result::Result<(), Why> {
    if !covered(policy, Exec, Read) {
        return Err(Why::ExecNotRead);
    }
    for loader in LOADERS {
        let mut real = [0u8; crate::remote::path::PATH_MAX];
        if let Some(path) = real_path(loader, &mut real) {
            if !policy.check_path(Read, path).allows() {
                return Err(Why::Loader(loader));
            }
        }
    }
    Ok(())
}

/// `path` with every link resolved, if it exists.
fn real_path<'b>(path: &str, buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let mut c = [0u8; 64];
    let bytes = path.as_bytes();
    c.get_mut(..bytes.len())?.copy_from_slice(bytes);
    let c = core::ffi::CStr::from_bytes_until_nul(&c).ok()?;
    let fd = file::openat(Dir::Cwd, c, libc::O_PATH | libc::O_CLOEXEC, 0).ok()?;
    let mut name = ProcPath::own_fd(fd.raw());
    file::readlinkat(Dir::Cwd, name.as_cstr(), buf).ok()
}

/// Compiles the plan for `policy` and `transport` (before the filter is
/// built).
pub fn compile(policy: &Policy, transport: Transport) {
    let mut plan = PLAN.lock();
    *plan = Plan::new();
    plan.abi = landlock::abi_version().unwrap_or(0);
    let gate = if policy.no_kernel {
        Some(Why::Disabled)
    } else if policy.trace {
        Some(Why::Learning)
    } else if transport != Transport::Notify {
        Some(Why::Transport)
    } else if plan.abi == 0 {
        Some(Why::NoLandlock)
    } else if policy.hides_anything() {
        Some(Why::Hiding)
    } else {
        None
    };
    for cat in category::ALL {
        let status = match gate {
            _ if !policy.is_on(cat) => Status::Off,
            Some(why) => Status::Husk(why),
            None => compile_one(policy, cat, &mut plan),
        };
        plan.status[cat as usize] = status;
    }
    if plan.status(Read) == Status::Kernel {
        if let Err(why) = exec_readable(policy) {
            plan.status[Read as usize] = Status::Husk(why);
        }
    }
    // Landlock makes a new file, then checks the open's own rights: a
    // file husk would not let be opened would be left behind.
    if plan.status(Create) == Status::Kernel
        && !(covered(policy, Create, Write) && covered(policy, Create, Read))
    {
        plan.status[Create as usize] = Status::Husk(Why::CreateNotOpen);
    }
    // Only the rights of categories decided in the kernel: any other
    // would deny what husk allows.
    let mut handled = 0;
    for cat in category::ALL {
        if plan.status(cat) == Status::Kernel {
            handled |= right(cat).map_or(0, |(bit, _)| bit);
        }
    }
    plan.handled = handled;
    for a in plan.anchors.iter_mut() {
        a.access &= handled;
    }
    if pin(&mut plan).is_err() {
        // Fail closed: husk decides everything.
        for cat in category::ALL {
            if plan.status(cat) == Status::Kernel {
                plan.status[cat as usize] = Status::Husk(Why::Capacity);
            }
        }
        plan.handled = 0;
    }
}

/// Fills [`Plan::pinned`]: each ruled object and the directories above
/// it, up to the root (its path has no link: see [`open_anchor`]).
fn pin(plan: &mut Plan) -> core::result::Result<(), ()> {
    let Plan {
        anchors, pinned, ..
    } = plan;
    for a in anchors.iter().filter(|a| a.access != 0) {
        let mut name = [0u8; crate::remote::path::PATH_MAX];
        let path = anchor_name(a, &mut name);
        if path.first() != Some(&b'/') {
            return Err(());
        }
        let mut buf = [0u8; crate::remote::path::PATH_MAX + 1];
        // "/", then every prefix ending before a '/', then the whole.
        let cuts = core::iter::once(1)
            .chain(
                path.iter()
                    .enumerate()
                    .skip(1)
                    .filter(|&(_, &b)| b == b'/')
                    .map(|(i, _)| i),
            )
            .chain(core::iter::once(path.len()));
        for cut in cuts {
            buf[..cut].copy_from_slice(&path[..cut]);
            buf[cut] = 0;
            let c = core::ffi::CStr::from_bytes_with_nul(&buf[..=cut]).map_err(|_| ())?;
            let info = file::stat_at(Dir::Cwd, c, false).map_err(|_| ())?;
            if !pinned.contains(&(info.dev, info.ino)) {
                pinned.push((info.dev, info.ino)).map_err(|_| ())?;
            }
        }
    }
    Ok(())
}

/// Whether the kernel decides by a rule on (or below) object
/// `(dev, ino)`, which therefore must stay where it is.
pub fn pins(dev: u64, ino: u64) -> bool {
    with(|plan| plan.pins(dev, ino))
}

/// The plan, for routing and printing.
pub fn with<R>(f: impl FnOnce(&Plan) -> R) -> R {
    f(&PLAN.lock())
}

/// The child's Landlock ruleset (the kernel-decided rights, and where
/// the kernel has it, signals scoped to the sandbox), made by husk
/// before the child starts; the child enters it just before its filter.
/// `None`: nothing to restrict. Any failure stops the command.
pub fn ruleset() -> Result<Option<landlock::Ruleset>> {
    let plan = PLAN.lock();
    let scoped = if plan.abi >= 6 {
        landlock::SCOPE_SIGNAL
    } else {
        0
    };
    if plan.handled == 0 && scoped == 0 {
        return Ok(None);
    }
    let ruleset = landlock::Ruleset::new(plan.handled, scoped)?;
    for a in plan.anchors.iter().filter(|a| a.access != 0) {
        ruleset.allow(a.fd.as_fd(), a.access)?;
    }
    Ok(Some(ruleset))
}

/// The calls, besides opens, that need no stop when every category they
/// may need is decided in the kernel (Landlock checks each of them).
pub const KERNEL_CALLS: &[&str] = &[
    "creat",
    "mkdir",
    "mkdirat",
    "symlink",
    "symlinkat",
    "truncate",
];

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Why::Disabled => f.write_str("trace/kernel:off"),
            Why::Learning => f.write_str("-x/-o: husk must see every call"),
            Why::Transport => f.write_str(
                "ptrace transport (the program performs allowed calls itself, under the ruleset)",
            ),
            Why::NoLandlock => f.write_str("no Landlock in this kernel"),
            Why::Abi(n) => write!(f, "needs Landlock ABI {n}"),
            Why::NoRight => f.write_str("no Landlock right covers all its calls"),
            Why::Hiding => f.write_str(
                "stat hides paths (husk answers ENOENT for them, Landlock would say EACCES)",
            ),
            Why::Default(a) => write!(f, "default {} (Landlock only denies silently)", a.name()),
            Why::Action(i, a) => write!(f, "rule {} is {}", i + 1, a.name()),
            Why::Pattern(i) => write!(f, "rule {} is not a literal path or PATH/*** tree", i + 1),
            Why::PerProcess(i) => write!(
                f,
                "rule {} reaches a process's /proc/PID (husk names the caller's own, refuses others')",
                i + 1
            ),
            Why::DenyInside(i) => {
                write!(f, "rule {} denies inside an earlier allowed tree", i + 1)
            }
            Why::Missing(i) => write!(f, "rule {}'s path does not exist", i + 1),
            Why::Directory(i) => write!(
                f,
                "rule {} names a directory alone (Landlock covers all beneath it)",
                i + 1
            ),
            Why::NotDirectory(i) => write!(f, "rule {} names a file for a directory right", i + 1),
            Why::Unopenable(i, e) => write!(f, "rule {}'s path cannot be opened: {e}", i + 1),
            Why::ExecNotRead => f.write_str(
                "exec allows paths read does not (the kernel reads what it executes)",
            ),
            Why::CreateNotOpen => f.write_str(
                "create allows paths write or read does not (Landlock would make the file, then refuse to open it)",
            ),
            Why::Loader(l) => write!(f, "the ELF loader {l} is not readable"),
            Why::Capacity => write!(f, "more than {ANCHORS} Landlock rules"),
        }
    }
}

/// Writes `-E landlock`: each category's status and why, the handled
/// rights and the rules.
pub fn print(out: &mut impl fmt::Write) -> fmt::Result {
    with(|plan| {
        writeln!(out, "# husk routing: Landlock ABI {}", plan.abi)?;
        for cat in category::ALL {
            match plan.status(cat) {
                Status::Off => writeln!(out, "{:<12} off", cat.name())?,
                Status::Kernel => writeln!(out, "{:<12} kernel", cat.name())?,
                Status::Husk(why) => writeln!(out, "{:<12} husk: {why}", cat.name())?,
            }
        }
        writeln!(out, "# handled rights: {}", Rights(plan.handled))?;
        for a in &plan.anchors {
            if a.access == 0 {
                continue;
            }
            let mut name = [0u8; crate::remote::path::PATH_MAX];
            let shown = anchor_name(a, &mut name);
            writeln!(
                out,
                "allow {} {}",
                crate::rt::io::Bytes(shown),
                Rights(a.access)
            )?;
        }
        Ok(())
    })
}

/// The path of an anchor, as the kernel names the object.
fn anchor_name<'b>(a: &Anchor, buf: &'b mut [u8]) -> &'b [u8] {
    let mut name = ProcPath::own_fd(a.fd.raw());
    match file::readlinkat(Dir::Cwd, name.as_cstr(), buf) {
        Ok(path) => {
            let n = path.len();
            &buf[..n]
        }
        Err(_) => b"?",
    }
}

/// Landlock rights, by name.
struct Rights(u64);

impl fmt::Display for Rights {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const NAMES: &[(u64, &str)] = &[
            (access::EXECUTE, "execute"),
            (access::WRITE_FILE, "write_file"),
            (access::READ_FILE, "read_file"),
            (access::READ_DIR, "read_dir"),
            (access::REMOVE_DIR, "remove_dir"),
            (access::REMOVE_FILE, "remove_file"),
            (access::MAKE_CHAR, "make_char"),
            (access::MAKE_DIR, "make_dir"),
            (access::MAKE_REG, "make_reg"),
            (access::MAKE_SOCK, "make_sock"),
            (access::MAKE_FIFO, "make_fifo"),
            (access::MAKE_BLOCK, "make_block"),
            (access::MAKE_SYM, "make_sym"),
            (access::REFER, "refer"),
            (access::TRUNCATE, "truncate"),
        ];
        if self.0 == 0 {
            return f.write_str("none");
        }
        let mut first = true;
        for &(bit, name) in NAMES {
            if self.0 & bit != 0 {
                if !first {
                    f.write_str(",")?;
                }
                f.write_str(name)?;
                first = false;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::boxed::Box;

    #[test]
    fn anchors_are_literals_or_literal_trees_in_normal_form() {
        assert_eq!(anchor_of(b"/usr/***"), Some((&b"/usr"[..], true)));
        assert_eq!(anchor_of(b"/***"), Some((&b"/"[..], true)));
        assert_eq!(
            anchor_of(b"/etc/passwd"),
            Some((&b"/etc/passwd"[..], false))
        );
        assert_eq!(anchor_of(b"/usr/*"), None);
        assert_eq!(anchor_of(b"/usr/**"), None);
        assert_eq!(anchor_of(b"/u?r/***"), None);
        assert_eq!(anchor_of(b"/usr//lib"), None);
        assert_eq!(anchor_of(b"/usr/./lib"), None);
        assert_eq!(anchor_of(b"/usr/../etc"), None);
        assert_eq!(anchor_of(b"/usr/"), None);
        assert_eq!(anchor_of(b"usr"), None);
    }

    #[test]
    fn regions_overlap_and_cover_by_components() {
        let t = |p: &'static [u8]| Region {
            path: p,
            tree: true,
        };
        let l = |p: &'static [u8]| Region {
            path: p,
            tree: false,
        };
        assert!(t(b"/usr").overlaps(l(b"/usr/bin/x")));
        assert!(!t(b"/usr").overlaps(l(b"/usrx")));
        assert!(t(b"/").covers(t(b"/usr")));
        assert!(t(b"/usr").covers(t(b"/usr/lib")));
        assert!(!t(b"/usr/lib").covers(t(b"/usr")));
        assert!(!l(b"/usr").covers(t(b"/usr")));
        assert!(l(b"/a").covers(l(b"/a")));
        assert!(per_process(b"/proc/self/status", false));
        assert!(per_process(b"/proc/12/mem", false));
        assert!(per_process(b"/proc", true));
        assert!(per_process(b"/", true));
        assert!(!per_process(b"/proc/selfish", false));
        assert!(!per_process(b"/proc/filesystems", false));
        assert!(!per_process(b"/proc/sys", true));
    }

    /// No environment and no files: the commands below need neither.
    struct Bare;

    impl crate::policy::load::Host for Bare {
        fn var(&self, _name: &[u8]) -> Option<&[u8]> {
            None
        }
        fn read<'b>(&self, _path: &[u8], _buf: &'b mut [u8]) -> Result<&'b [u8]> {
            Err(Errno::ENOENT)
        }
        fn identity(&self, _path: &[u8]) -> Option<(u64, u64)> {
            None
        }
    }

    fn policy(commands: &[&str]) -> Box<Policy> {
        let mut p = Box::new(Policy::new());
        let mut loader = crate::policy::load::Loader::new(&Bare);
        for c in commands {
            loader
                .command(&mut p, c.as_bytes())
                .expect("a valid command");
        }
        p
    }

    fn status_of(p: &Policy, cat: Category) -> Status {
        compile(p, Transport::Notify);
        with(|plan| plan.status(cat))
    }

    #[test]
    fn a_landlock_friendly_policy_compiles_and_others_say_why() {
        if landlock::abi_version().unwrap_or(0) < 3 {
            return;
        }
        let base = [
            "sandbox/all:off",
            "sandbox/read,readdir,write,create,exec:on",
            "allow/read,readdir,exec+/usr/***",
            "allow/read,readdir,write,create,exec+/tmp/***",
        ];
        let p = policy(&base);
        assert_eq!(status_of(&p, Readdir), Status::Kernel);
        assert_eq!(status_of(&p, Write), Status::Kernel);
        assert_eq!(status_of(&p, Create), Status::Kernel);
        assert_eq!(status_of(&p, Exec), Status::Husk(Why::NoRight));
        assert_eq!(status_of(&p, Stat), Status::Off);
        // A denial inside an allowed tree.
        let mut more = heapless::Vec::<&str, 8>::from_slice(&base).unwrap();
        more.push("deny/write+/tmp/x/***").unwrap();
        let p = policy(&more);
        assert_eq!(status_of(&p, Write), Status::Husk(Why::DenyInside(1)));
        assert_eq!(status_of(&p, Readdir), Status::Kernel);
        // ... given back whole by a later rule.
        more.push("allow/write+/tmp/***").unwrap();
        let p = policy(&more);
        assert_eq!(status_of(&p, Write), Status::Kernel);
        // Other shapes.
        let p = policy(&[
            "sandbox/all:off",
            "sandbox/readdir:on",
            "allow/readdir+/etc",
        ]);
        assert_eq!(status_of(&p, Readdir), Status::Husk(Why::Directory(0)));
        let p = policy(&["sandbox/all:off", "sandbox/readdir:on", "allow/readdir+/e*"]);
        assert_eq!(status_of(&p, Readdir), Status::Husk(Why::Pattern(0)));
        let p = policy(&["sandbox/all:off", "sandbox/write:on", "warn/write+/tmp/***"]);
        assert_eq!(
            status_of(&p, Write),
            Status::Husk(Why::Action(0, Action::Warn))
        );
        let p = policy(&[
            "sandbox/all:off",
            "sandbox/write:on",
            "allow/write+/nonexistent-husk-anchor/***",
        ]);
        assert_eq!(status_of(&p, Write), Status::Husk(Why::Missing(0)));
        let p = policy(&[
            "sandbox/all:off",
            "sandbox/read,exec:on",
            "allow/read+/usr/***",
            "allow/exec+/tmp/***",
        ]);
        assert_eq!(status_of(&p, Read), Status::Husk(Why::ExecNotRead));
        let p = policy(&[
            "sandbox/all:off",
            "sandbox/write,stat:on",
            "allow/write+/tmp/***",
        ]);
        assert_eq!(status_of(&p, Write), Status::Husk(Why::Hiding));
        let p = policy(&[
            "sandbox/all:off",
            "sandbox/write:on",
            "allow/write+/tmp/***",
        ]);
        compile(&p, Transport::Ptrace);
        assert_eq!(
            with(|plan| plan.status(Write)),
            Status::Husk(Why::Transport)
        );
    }
}
