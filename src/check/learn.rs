//! Learning mode (`husk -o FILE`, trace mode with a memory): every
//! access the policy would not have allowed is allowed and logged as
//! `warn` (as with `-x`), and remembered here, per path or address, with
//! every category it needed. When the command is done husk writes a
//! policy that allows exactly those, to be used with the same profiles:
//! `husk -p PROFILE... -P FILE -- COMMAND`.
//!
//! The file is one a person can read and keep:
//! - what the command did under its working directory is one rule for
//!   the tree, `${HUSK_CWD}/***`, with the categories it used there, and
//!   `walk+${HUSK_CWD}` (its own files come and go between runs: object
//!   files, a VCS's objects...);
//! - paths under `$HOME` are written with `${HOME}`; under the temporary
//!   directories (`/tmp`, `/var/tmp`, `/dev/shm`, `$TMPDIR`) the name
//!   right below the directory, and any name below that looks random
//!   (letters and digits mixed, 6 or more), become `*`, so temporary
//!   files made with fresh names match;
//! - elsewhere, a directory with [`FOLD`] or more paths learned right
//!   in it (at least three levels deep: `/usr/lib/python3`, never `/usr`)
//!   becomes one `DIR/***` rule with their categories, so a program's
//!   own tree (its modules, its plugins) is one line, and a second run
//!   that uses other files of it still works;
//! - categories are merged per (folded) path, rules grouped and sorted,
//!   each group commented;
//! - what the profiles already allowed is never recorded (only `warn`
//!   decisions are).
//!
//! Capacities: [`PATHS`] paths and [`BYTES`] bytes of them. A full table
//! is reported, and the file says it is incomplete (husk exits 125).

use core::sync::atomic::{AtomicBool, Ordering};

use heapless::Vec;

use super::log::Subject;
use crate::policy::category::{CatSet, Category};
use crate::sys::Result;
use crate::sys::fd::BorrowedFd;
use crate::sys::file;

/// Paths learned right in one directory that make it one tree rule.
pub const FOLD: u16 = 6;

/// Paths (and addresses) remembered.
pub const PATHS: usize = 4096;
/// Bytes of those paths.
pub const BYTES: usize = 256 * 1024;

/// One remembered path or address.
#[derive(Clone, Copy)]
struct Seen {
    at: u32,
    len: u32,
    cats: CatSet,
    net: bool,
}

struct Table {
    seen: Vec<Seen, PATHS>,
    bytes: Vec<u8, BYTES>,
    /// Something did not fit.
    full: bool,
    /// Accesses to objects with no path (no rule can name them).
    nowhere: u32,
}

impl Table {
    const fn new() -> Table {
        Table {
            seen: Vec::new(),
            bytes: Vec::new(),
            full: false,
            nowhere: 0,
        }
    }

    fn text(&self, s: &Seen) -> &[u8] {
        &self.bytes[s.at as usize..(s.at + s.len) as usize]
    }

    /// Adds `cats` to `text`'s entry, making one if needed.
    fn add(&mut self, text: &[u8], cats: CatSet, net: bool) {
        let found = self
            .seen
            .iter()
            .position(|s| s.net == net && self.text(s) == text);
        if let Some(i) = found {
            self.seen[i].cats = self.seen[i].cats.union(cats);
            return;
        }
        let at = self.bytes.len();
        if self.bytes.extend_from_slice(text).is_err() {
            self.full = true;
            return;
        }
        let entry = Seen {
            at: at as u32,
            len: text.len() as u32,
            cats,
            net,
        };
        if self.seen.push(entry).is_err() {
            self.bytes.truncate(at);
            self.full = true;
        }
    }
}

static ON: AtomicBool = AtomicBool::new(false);
static SEEN: spin::Mutex<Table> = spin::Mutex::new(Table::new());
/// The folded table, built at the end.
static RULES: spin::Mutex<Table> = spin::Mutex::new(Table::new());

/// From now on, `warn` decisions are remembered.
pub fn start() {
    ON.store(true, Ordering::SeqCst);
}

/// Whether learning is on.
pub fn on() -> bool {
    ON.load(Ordering::Relaxed)
}

/// Remembers that `subject` needed `cat` (a `warn` decision).
pub fn record(cat: Category, subject: Subject<'_>) {
    if !on() {
        return;
    }
    let mut table = SEEN.lock();
    match subject {
        Subject::Path(p) | Subject::Pinned(p) => table.add(p, CatSet::of(&[cat]), false),
        Subject::Addr(a) => table.add(a, CatSet::of(&[cat]), true),
        Subject::Nowhere(_) => table.nowhere = table.nowhere.saturating_add(1),
    }
}

/// Where a folded rule belongs, in the order the file lists them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Home,
    Temporary,
    System,
    Network,
}

/// What the writer needs to know of the run.
pub struct Run<'a> {
    /// husk's working directory (`${HUSK_CWD}`).
    pub cwd: &'a [u8],
    /// `$HOME`, if set.
    pub home: Option<&'a [u8]>,
    /// `$TMPDIR`, if set.
    pub tmpdir: Option<&'a [u8]>,
    /// The command and its arguments, for the header.
    pub command: &'a [&'a [u8]],
    /// The profiles given (`-p`), for the header.
    pub profiles: &'a [&'a [u8]],
}

/// Whether `path` is `dir` or below it.
fn within(path: &[u8], dir: &[u8]) -> bool {
    let dir = dir.strip_suffix(b"/").unwrap_or(dir);
    !dir.is_empty() && path.starts_with(dir) && (path.len() == dir.len() || path[dir.len()] == b'/')
}

/// Whether a file name looks made up: 6 or more bytes, letters and
/// digits mixed.
fn random(name: &[u8]) -> bool {
    name.len() >= 6
        && name.iter().any(u8::is_ascii_digit)
        && name.iter().any(u8::is_ascii_alphabetic)
}

/// Appends `rest` (a path below a folded root, starting with `/`) with
/// its made-up names as `*`, and the first name too with `first`.
fn fold_into(out: &mut Vec<u8, 4200>, rest: &[u8], first: bool) -> bool {
    let mut ok = true;
    for (i, name) in rest.split(|&b| b == b'/').skip(1).enumerate() {
        ok &= out.push(b'/').is_ok();
        let star = (i == 0 && first) || random(name);
        ok &= if star {
            out.push(b'*').is_ok()
        } else {
            out.extend_from_slice(name).is_ok()
        };
    }
    ok
}

/// The rule text and group for a remembered path; `None` for one under
/// the working directory (the tree rule covers it).
fn fold(path: &[u8], run: &Run<'_>, out: &mut Vec<u8, 4200>) -> Option<Group> {
    out.clear();
    if within(path, run.cwd) {
        return None;
    }
    // The way to the working directory: walk+ covers stat and readlink.
    let temp_roots: [&[u8]; 4] = [
        b"/tmp",
        b"/var/tmp",
        b"/dev/shm",
        run.tmpdir.unwrap_or(b"/tmp"),
    ];
    if let Some(home) = run.home.filter(|h| h.len() > 1) {
        if within(path, home) {
            let home = home.strip_suffix(b"/").unwrap_or(home);
            let ok = out.extend_from_slice(b"${HOME}").is_ok()
                && fold_into(out, &path[home.len()..], false);
            return ok.then_some(Group::Home);
        }
    }
    for root in temp_roots {
        let root = root.strip_suffix(b"/").unwrap_or(root);
        if root.len() > 1 && within(path, root) {
            let ok =
                out.extend_from_slice(root).is_ok() && fold_into(out, &path[root.len()..], true);
            return ok.then_some(Group::Temporary);
        }
    }
    out.extend_from_slice(path).ok()?;
    Some(Group::System)
}

/// The categories of `cats`, comma-separated.
fn names(cats: CatSet, out: &mut Vec<u8, 512>) {
    for (i, c) in cats.iter().enumerate() {
        if i > 0 {
            let _ = out.push(b',');
        }
        let _ = out.extend_from_slice(c.name().as_bytes());
    }
}

/// Writes the learned policy to `fd`. `Err` if the table was full (the
/// file then says so) or the file could not be written.
pub fn write(fd: BorrowedFd<'_>, run: &Run<'_>) -> core::result::Result<(), Full> {
    let seen = SEEN.lock();
    let mut rules = RULES.lock();
    let mut tree = CatSet::EMPTY;
    let mut buf: Vec<u8, 4200> = Vec::new();
    let walk = CatSet::of(&[Category::Stat, Category::Readlink]);
    for s in seen.seen.iter() {
        let text = seen.text(s);
        if s.net {
            rules.add(text, s.cats, true);
            continue;
        }
        // A directory above the working directory, only looked at:
        // walk+ covers it.
        let above = run.cwd.len() > text.len()
            && (within(run.cwd, text) || text == b"/")
            && s.cats.union(walk) == walk;
        if above {
            continue;
        }
        match fold(text, run, &mut buf) {
            None => tree = tree.union(s.cats),
            Some(_) => rules.add(&buf, s.cats, false),
        }
    }
    drop(seen);
    fold_trees(&mut rules, run, &mut buf);
    let full = SEEN.lock().full || rules.full;
    let nowhere = SEEN.lock().nowhere;
    // Sorted by group, then text.
    let mut order: Vec<(Group, u16), PATHS> = Vec::new();
    for (i, s) in rules.seen.iter().enumerate() {
        if s.cats.is_empty() {
            // Folded into a tree rule.
            continue;
        }
        let text = rules.text(s);
        let group = if s.net {
            Group::Network
        } else if text.starts_with(b"${HOME}") {
            Group::Home
        } else if fold(text, run, &mut buf) == Some(Group::Temporary) {
            Group::Temporary
        } else {
            Group::System
        };
        let _ = order.push((group, i as u16));
    }
    order.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| {
            let (x, y) = (&rules.seen[a.1 as usize], &rules.seen[b.1 as usize]);
            rules.text(x).cmp(rules.text(y))
        })
    });
    let mut out = Out::new(fd);
    out.put(b"# husk policy learned by `husk -o` from:\n#  ");
    for arg in run.command {
        out.put(b" ");
        put_arg(&mut out, arg);
    }
    out.put(b"\n# Use it with the same profiles:\n#   husk");
    for p in run.profiles {
        out.put(b" -p ");
        out.put(p);
    }
    out.put(b" -P FILE -- COMMAND...\n");
    if full {
        out.put(b"# INCOMPLETE: more paths than husk could remember; run again with\n");
        out.put(b"# this file added (-P) to learn the rest.\n");
    }
    if nowhere > 0 {
        out.put(b"# Objects with no path (deleted, or in another mount namespace) were\n");
        out.put(b"# used too: no rule can name them.\n");
    }
    if !tree.is_empty() {
        out.put(b"\n# The working directory: everything the command did below it, and\n");
        out.put(b"# the way to it.\nwalk+${HUSK_CWD}\n");
        rule(&mut out, tree, b"${HUSK_CWD}/***", false);
    }
    let mut last = None;
    for (group, i) in order.iter() {
        if last != Some(*group) {
            out.put(match group {
                Group::Home => b"\n# The home directory.\n".as_slice(),
                Group::Temporary => {
                    b"\n# Temporary files (made-up names folded into `*`).\n".as_slice()
                }
                Group::System => b"\n# The rest of the system.\n".as_slice(),
                Group::Network => b"\n# The network.\n".as_slice(),
            });
            last = Some(*group);
        }
        let s = rules.seen[*i as usize];
        let text = rules.text(&s);
        rule(&mut out, s.cats, text, s.net);
    }
    let written = out.finish();
    if full {
        return Err(Full::Table);
    }
    written.map_err(|_| Full::Write)
}

/// FNV-1a of `bytes`.
fn hash(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The number of components of absolute path `path`.
fn depth(path: &[u8]) -> usize {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty()).count()
}

/// Folds the system paths of `rules` into tree rules where a directory
/// holds [`FOLD`] or more of them (see the module docs): each folded
/// path's categories go to `DIR/***`, and the path itself is emptied.
fn fold_trees(rules: &mut Table, run: &Run<'_>, buf: &mut Vec<u8, 4200>) {
    let system = |t: &Table, s: &Seen, buf: &mut Vec<u8, 4200>| {
        let text = t.text(s);
        !s.net
            && !s.cats.is_empty()
            && text.first() == Some(&b'/')
            && fold(text, run, buf) == Some(Group::System)
    };
    // Paths right in each directory, by the directory's hash.
    let mut counts: heapless::index_map::FnvIndexMap<u64, u16, 2048> =
        heapless::index_map::FnvIndexMap::new();
    for s in rules.seen.iter() {
        if !system(rules, s, buf) {
            continue;
        }
        let text = rules.text(s);
        let parent = &text[..text.iter().rposition(|&b| b == b'/').unwrap_or(0)];
        if let Some(n) = counts.get_mut(&hash(parent)) {
            *n = n.saturating_add(1);
        } else {
            let _ = counts.insert(hash(parent), 1);
        }
    }
    let many = |dir: &[u8]| depth(dir) >= 3 && counts.get(&hash(dir)).is_some_and(|&n| n >= FOLD);
    let count = rules.seen.len();
    let mut tree: Vec<u8, 4200> = Vec::new();
    for i in 0..count {
        let s = rules.seen[i];
        if !system(rules, &s, buf) {
            continue;
        }
        // The shallowest directory above (or at) this path that holds
        // many: its tree takes the path.
        let text = rules.text(&s);
        let mut root = None;
        for (at, _) in text.iter().enumerate().filter(|(_, b)| **b == b'/').skip(1) {
            if many(&text[..at]) {
                root = Some(at);
                break;
            }
        }
        let root = root.or_else(|| many(text).then_some(text.len()));
        let Some(end) = root else {
            continue;
        };
        tree.clear();
        if tree.extend_from_slice(&text[..end]).is_err() || tree.extend_from_slice(b"/***").is_err()
        {
            continue;
        }
        rules.seen[i].cats = CatSet::EMPTY;
        let t: Vec<u8, 4200> = tree.clone();
        rules.add(&t, s.cats, false);
    }
}

/// Why the learned policy is not whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// More paths than [`PATHS`] or [`BYTES`].
    Table,
    /// The file could not be written.
    Write,
}

/// An argument in the header comment: quoted as a shell would take it
/// back where it needs quoting, and never breaking the comment's line
/// (a new line is shown as `\n`).
fn put_arg(out: &mut Out<'_>, arg: &[u8]) {
    let plain = !arg.is_empty()
        && arg
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(b));
    if plain {
        return out.put(arg);
    }
    out.put(b"'");
    for &b in arg {
        match b {
            b'\'' => out.put(b"'\\''"),
            b'\n' => out.put(b"\\n"),
            b if b < 0x20 || b == 0x7f => out.put(b"?"),
            b => out.put(&[b]),
        }
    }
    out.put(b"'");
}

/// One `allow` line. Network categories and path ones never share a
/// line (their patterns differ).
fn rule(out: &mut Out<'_>, cats: CatSet, text: &[u8], net: bool) {
    for part in [false, true] {
        let mut these = CatSet::EMPTY;
        for c in cats.iter().filter(|c| c.is_network() == part) {
            these.insert(c);
        }
        // A UNIX socket path learned as an address is a path pattern.
        if these.is_empty() || (part && !net && text.first() != Some(&b'/')) {
            continue;
        }
        let mut list: Vec<u8, 512> = Vec::new();
        names(these, &mut list);
        out.put(b"allow/");
        out.put(&list);
        out.put(b"+");
        out.put(text);
        out.put(b"\n");
    }
}

/// Buffered writes to the policy file.
struct Out<'a> {
    fd: BorrowedFd<'a>,
    buf: Vec<u8, 8192>,
    failed: bool,
}

impl<'a> Out<'a> {
    fn new(fd: BorrowedFd<'a>) -> Out<'a> {
        Out {
            fd,
            buf: Vec::new(),
            failed: false,
        }
    }

    fn put(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(4096) {
            if self.buf.len() + chunk.len() > self.buf.capacity() {
                self.flush();
            }
            let _ = self.buf.extend_from_slice(chunk);
        }
    }

    fn flush(&mut self) {
        if file::write_all(self.fd, &self.buf).is_err() {
            self.failed = true;
        }
        self.buf.clear();
    }

    fn finish(mut self) -> Result<()> {
        self.flush();
        if self.failed {
            Err(crate::sys::Errno::EIO)
        } else {
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding() {
        let run = Run {
            cwd: b"/src/proj",
            home: Some(b"/home/u"),
            tmpdir: None,
            command: &[],
            profiles: &[],
        };
        let mut out = Vec::new();
        assert_eq!(fold(b"/src/proj/a.o", &run, &mut out), None);
        assert_eq!(fold(b"/src/proj", &run, &mut out), None);
        assert_eq!(fold(b"/src/projx", &run, &mut out), Some(Group::System));
        assert_eq!(&out[..], b"/src/projx");
        assert_eq!(
            fold(b"/home/u/.cache/pip/ab12cd34/x", &run, &mut out),
            Some(Group::Home)
        );
        assert_eq!(&out[..], b"${HOME}/.cache/pip/*/x");
        assert_eq!(
            fold(b"/tmp/ccAbc123.s", &run, &mut out),
            Some(Group::Temporary)
        );
        assert_eq!(&out[..], b"/tmp/*");
        assert_eq!(
            fold(b"/tmp/tmpq/venv/lib9x8y7z", &run, &mut out),
            Some(Group::Temporary)
        );
        assert_eq!(&out[..], b"/tmp/*/venv/*");
        assert_eq!(fold(b"/tmp", &run, &mut out), Some(Group::Temporary));
        assert_eq!(&out[..], b"/tmp");
        assert_eq!(
            fold(b"/usr/lib/x86_64-linux-gnu/libc.so.6", &run, &mut out),
            Some(Group::System)
        );
        assert_eq!(&out[..], b"/usr/lib/x86_64-linux-gnu/libc.so.6");
    }
}
