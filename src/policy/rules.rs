//! The policy: category switches, defaults and rules, with their
//! capacities, and the decision for one path or address.
//!
//! Rules are kept one per (action, category, pattern), in the order
//! they were added; the last matching rule wins (POLICY.md,
//! "Evaluation"). Patterns live in one byte arena. Every table is
//! fixed: adding past a capacity is an error the caller reports, never
//! a truncation.

use heapless::Vec;

use super::action::Action;
use super::addr::{Ip, IpPattern};
use super::category::{self, CatSet, Category};
use super::glob;

/// Rules at most (across all categories).
pub const MAX_RULES: usize = 4096;
/// Bytes of patterns at most (all rules together).
pub const PATTERN_BYTES: usize = 256 * 1024;

/// Categories on by default: all but chdir.
fn default_on(cat: Category) -> bool {
    cat != Category::Chdir
}

/// One rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Rule {
    action: Action,
    cat: Category,
    /// The pattern's shape and literal start ([`glob::shape`]), found
    /// once here rather than at every check.
    shape: glob::Shape,
    literal: u32,
    /// The next older rule of the same category, plus one (0: none):
    /// a check walks its own category's rules only.
    older: u16,
    start: u32,
    len: u32,
}

// Rule indices, plus one, fit `Rule::older`.
const _: () = assert!(MAX_RULES < u16::MAX as usize);

/// Why a change to the policy failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Full {
    /// [`MAX_RULES`] reached.
    Rules,
    /// [`PATTERN_BYTES`] reached.
    Patterns,
}

/// A socket address as the policy sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SockAddr<'a> {
    /// AF_INET/AF_INET6 (IPv4-mapped already normalised).
    Inet(Ip, u16),
    /// A UNIX socket path (resolved, absolute).
    UnixPath(&'a [u8]),
    /// An abstract UNIX socket name, without the leading NUL.
    Abstract(&'a [u8]),
    /// An unnamed UNIX socket (socketpair, autobind).
    Unnamed,
}

/// `trace/transport:auto|notify|ptrace`: how trapped calls reach husk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportChoice {
    /// seccomp user notification where the kernel has it, else ptrace.
    Auto,
    /// seccomp user notification, or refuse to start.
    Notify,
    /// ptrace, even where notification is available.
    Ptrace,
}

impl TransportChoice {
    /// Parses `auto`, `notify` or `ptrace`.
    pub fn parse(text: &[u8]) -> Option<TransportChoice> {
        match text {
            b"auto" => Some(TransportChoice::Auto),
            b"notify" => Some(TransportChoice::Notify),
            b"ptrace" => Some(TransportChoice::Ptrace),
            _ => None,
        }
    }
}

/// The whole policy.
pub struct Policy {
    /// Categories whose on/off state differs from the default.
    flipped: CatSet,
    defaults: [Action; category::COUNT],
    /// `-x`: every default is `warn`.
    pub trace: bool,
    /// `trace/exit_wait_all`.
    pub exit_wait_all: bool,
    /// `trace/transport`.
    pub transport: TransportChoice,
    /// `trace/kernel:off`: husk decides every checked category, none is
    /// left to Landlock (`check::kernel`).
    pub no_kernel: bool,
    rules: Vec<Rule, MAX_RULES>,
    /// Per category, its newest rule's index plus one (0: none).
    newest: [u16; category::COUNT],
    arena: Vec<u8, PATTERN_BYTES>,
}

impl Default for Policy {
    fn default() -> Self {
        Self::new()
    }
}

impl Policy {
    /// The default policy: every category on (chdir off), every
    /// default `deny`, no rules. All-zero, so it can live in the
    /// read-only-after-start region.
    pub const fn new() -> Policy {
        Policy {
            flipped: CatSet::EMPTY,
            defaults: [Action::Deny; category::COUNT],
            trace: false,
            exit_wait_all: false,
            transport: TransportChoice::Auto,
            no_kernel: false,
            rules: Vec::new(),
            newest: [0; category::COUNT],
            arena: Vec::new(),
        }
    }

    /// Whether `cat` is checked.
    pub fn is_on(&self, cat: Category) -> bool {
        default_on(cat) != self.flipped.contains(cat)
    }

    /// Turns categories on or off.
    pub fn set_sandbox(&mut self, cats: CatSet, on: bool) {
        for cat in cats.iter() {
            if on == default_on(cat) {
                self.flipped.remove(cat);
            } else {
                self.flipped.insert(cat);
            }
        }
    }

    /// The default action of `cat`.
    pub fn default_action(&self, cat: Category) -> Action {
        if self.trace {
            Action::Warn
        } else {
            self.defaults[cat as usize]
        }
    }

    /// Sets the default action of categories.
    pub fn set_default(&mut self, cats: CatSet, action: Action) {
        for cat in cats.iter() {
            self.defaults[cat as usize] = action;
        }
    }

    /// Adds a rule for each category in `cats`. The pattern must
    /// already be validated for its categories.
    pub fn add(&mut self, action: Action, cats: CatSet, pattern: &[u8]) -> Result<(), Full> {
        let count = cats.iter().count();
        if self.rules.len() + count > MAX_RULES {
            return Err(Full::Rules);
        }
        // Rules of one command share one copy of the pattern.
        let start = self.arena.len();
        self.arena
            .extend_from_slice(pattern)
            .map_err(|_| Full::Patterns)?;
        let (shape, literal) = glob::shape(pattern);
        for cat in cats.iter() {
            let rule = Rule {
                action,
                cat,
                shape,
                literal: literal as u32,
                older: self.newest[cat as usize],
                start: start as u32,
                len: pattern.len() as u32,
            };
            // Cannot fail: checked above.
            let _ = self.rules.push(rule);
            self.newest[cat as usize] = self.rules.len() as u16;
        }
        Ok(())
    }

    /// Rebuilds the per-category chains (after rules went).
    fn chain(&mut self) {
        self.newest = [0; category::COUNT];
        for (i, r) in self.rules.iter_mut().enumerate() {
            r.older = self.newest[r.cat as usize];
            self.newest[r.cat as usize] = (i + 1) as u16;
        }
    }

    /// The rules of `cat`, newest first.
    fn rules_of(&self, cat: Category) -> impl Iterator<Item = &Rule> {
        let mut next = self.newest[cat as usize];
        core::iter::from_fn(move || {
            let r = self.rules.get(usize::from(next).checked_sub(1)?)?;
            next = r.older;
            Some(r)
        })
    }

    /// The literal start of rule `r`'s pattern (up to its first glob
    /// character), and whether anything follows it.
    fn literal_prefix(&self, r: &Rule) -> (&[u8], bool) {
        let literal = r.literal as usize;
        (&self.pattern_of(r)[..literal], literal < r.len as usize)
    }

    /// Whether rule `r` matches `path`.
    fn matches(&self, r: &Rule, path: &[u8]) -> bool {
        glob::matches_shaped(self.pattern_of(r), r.shape, r.literal as usize, path)
    }

    /// Removes the most recently added equal rule (`-`), or every equal
    /// rule (`^`), for each category in `cats`. Returns how many went.
    pub fn remove(&mut self, action: Action, cats: CatSet, pattern: &[u8], all: bool) -> usize {
        let mut removed = 0;
        for cat in cats.iter() {
            loop {
                let found = self.rules.iter().rposition(|r| {
                    r.action == action && r.cat == cat && self.pattern_of(r) == pattern
                });
                let Some(i) = found else { break };
                self.rules.remove(i);
                removed += 1;
                if !all {
                    break;
                }
            }
        }
        self.compact();
        self.chain();
        removed
    }

    /// Drops pattern bytes no rule refers to any more.
    fn compact(&mut self) {
        let mut write = 0usize;
        // Rules are in arena order (patterns are appended as rules are),
        // and rules sharing a pattern are adjacent, so one forward pass
        // can slide every live pattern down.
        let mut last: Option<(u32, u32, u32)> = None; // old start, len, new start
        for i in 0..self.rules.len() {
            let r = self.rules[i];
            let new_start = match last {
                Some((old, len, new)) if old == r.start && len == r.len => new,
                _ => {
                    let (s, l) = (r.start as usize, r.len as usize);
                    self.arena.copy_within(s..s + l, write);
                    let new = write;
                    write += l;
                    new as u32
                }
            };
            last = Some((r.start, r.len, new_start));
            self.rules[i].start = new_start;
        }
        self.arena.truncate(write);
    }

    fn pattern_of(&self, rule: &Rule) -> &[u8] {
        &self.arena[rule.start as usize..(rule.start + rule.len) as usize]
    }

    /// Rules in use, and the capacity.
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }

    /// The verdict of `cat` for `path` (absolute, resolved).
    pub fn check_path(&self, cat: Category, path: &[u8]) -> Action {
        if !self.is_on(cat) {
            return Action::Allow;
        }
        self.rules_of(cat)
            .find(|r| self.matches(r, path))
            .map_or_else(|| self.default_action(cat), |r| r.action)
    }

    /// The verdict of `cat` for an object with no path husk can name
    /// (deleted, or outside its mount namespace): what every path would
    /// get if they all get the same, else a denial. So such an object
    /// passes only where the category allows every path (it is off, or
    /// its default and all its rules allow); a non-allowing default
    /// keeps its own action (`kill`, `exit`, `filter`...).
    pub fn check_nowhere(&self, cat: Category) -> Action {
        if !self.is_on(cat) {
            return Action::Allow;
        }
        let default = self.default_action(cat);
        if !default.allows() {
            return default;
        }
        if self.rules_of(cat).all(|r| r.action.allows()) {
            default
        } else {
            Action::Deny
        }
    }

    /// The verdict of network category `cat` for `addr`.
    pub fn check_addr(&self, cat: Category, addr: SockAddr<'_>) -> Action {
        if !self.is_on(cat) {
            return Action::Allow;
        }
        self.rules_of(cat)
            .find(|r| net_matches(self.pattern_of(r), addr))
            .map_or_else(|| self.default_action(cat), |r| r.action)
    }

    /// Whether any path can be hidden: `stat` is checked and either its
    /// default or one of its rules does not allow.
    pub fn hides_anything(&self) -> bool {
        self.is_on(Category::Stat)
            && (!self.default_action(Category::Stat).allows()
                || self.rules_of(Category::Stat).any(|r| !r.action.allows()))
    }

    /// Whether an entry of directory `dir` (`None`: a directory with no
    /// path) may be hidden, that is, whether its listing must be
    /// filtered. Conservative, from the newest `stat` rule back (the
    /// newest match decides): an allowing `PREFIX/***` rule that holds
    /// `dir` decides every entry, so nothing older matters; a rule that
    /// does not allow counts unless its literal prefix (up to the first
    /// glob character) rules out every path directly below `dir`; the
    /// default counts last.
    pub fn may_hide_in(&self, dir: Option<&[u8]>) -> bool {
        if !self.hides_anything() {
            return false;
        }
        let Some(dir) = dir else {
            return !self.check_nowhere(Category::Stat).allows();
        };
        // `dir/` starts every path directly below `dir`.
        let dir = dir.strip_suffix(b"/").unwrap_or(dir);
        let below = |p: &[u8]| below_of(dir, p);
        for r in self.rules_of(Category::Stat) {
            let (prefix, glob) = self.literal_prefix(r);
            if r.action.allows() {
                // A literal tree: its base is its literal start, less
                // the `/`.
                let tree = &prefix[..prefix.len().saturating_sub(1)];
                if r.shape == glob::Shape::Tree && (tree == dir || below_of(tree, dir)) {
                    return false;
                }
                continue;
            }
            // A prefix that reaches past `dir/` names an entry (or
            // deeper); one that stops at or above it leaves the rest to
            // a glob, which may match anything.
            let reaches = below(prefix) && prefix.len() > dir.len() + 1;
            let open = glob
                && (dir.starts_with(prefix) || (below(prefix) && prefix.len() == dir.len() + 1));
            if reaches || open {
                return true;
            }
        }
        !self.default_action(Category::Stat).allows()
    }

    /// Whether some rule that does not simply allow names a path strictly
    /// below directory `dir` (by its literal prefix, up to the first glob
    /// character): moving `dir` would carry that path away from its rule.
    pub fn protects_below(&self, dir: &[u8]) -> bool {
        self.rules
            .iter()
            .filter(|r| !r.cat.is_network() && r.action != Action::Allow)
            .any(|r| {
                let (prefix, _) = self.literal_prefix(r);
                prefix.len() > dir.len()
                    && prefix.starts_with(dir)
                    && (dir == b"/" || prefix[dir.len()] == b'/')
            })
    }

    /// Every rule as `(action, category, pattern)`, oldest first.
    pub fn rules(&self) -> impl Iterator<Item = (Action, Category, &[u8])> {
        self.rules
            .iter()
            .map(|r| (r.action, r.cat, self.pattern_of(r)))
    }
}

/// Whether `path` lies strictly below directory `dir` (`""` or a path
/// without a trailing slash: `""` is the root).
fn below_of(dir: &[u8], path: &[u8]) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path[dir.len()] == b'/'
}

/// Whether network pattern `pattern` matches `addr`.
fn net_matches(pattern: &[u8], addr: SockAddr<'_>) -> bool {
    match addr {
        SockAddr::Unnamed => pattern == b"!unnamed",
        SockAddr::Abstract(name) => {
            pattern.first() == Some(&b'@') && glob::matches(&pattern[1..], name)
        }
        SockAddr::UnixPath(path) => pattern.first() == Some(&b'/') && glob::matches(pattern, path),
        SockAddr::Inet(ip, port) => {
            !matches!(pattern.first(), Some(b'/') | Some(b'@') | Some(b'!'))
                && IpPattern::parse(pattern).is_ok_and(|p| p.matches(ip, port))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::boxed::Box;

    fn policy() -> Box<Policy> {
        Box::new(Policy::new())
    }

    #[test]
    fn defaults_are_secure() {
        let p = policy();
        assert_eq!(p.check_path(Category::Read, b"/etc/passwd"), Action::Deny);
        assert_eq!(
            p.check_path(Category::Chdir, b"/"),
            Action::Allow,
            "chdir is off by default"
        );
        assert!(
            category::ALL
                .iter()
                .all(|&c| p.is_on(c) == (c != Category::Chdir))
        );
    }

    #[test]
    fn objects_with_no_path_pass_only_where_every_path_does() {
        let mut p = policy();
        let (read, exec) = (Category::Read, Category::Exec);
        // Default deny: denied, whatever allows some paths.
        p.add(Action::Allow, CatSet::of(&[read]), b"/***").unwrap();
        assert_eq!(p.check_nowhere(exec), Action::Deny);
        p.set_default(CatSet::of(&[exec]), Action::Kill);
        assert_eq!(p.check_nowhere(exec), Action::Kill);
        // Default deny, even with an allow-all rule: no rule names it.
        assert_eq!(p.check_nowhere(read), Action::Deny);
        // Every path allowed: default allow and allowing rules only.
        p.set_default(CatSet::of(&[read]), Action::Allow);
        assert_eq!(p.check_nowhere(read), Action::Allow);
        p.set_default(CatSet::of(&[read]), Action::Warn);
        assert_eq!(p.check_nowhere(read), Action::Warn);
        // One path denied: so is the object with none.
        p.add(Action::Deny, CatSet::of(&[read]), b"/secret/***")
            .unwrap();
        assert_eq!(p.check_nowhere(read), Action::Deny);
        // Off: allowed.
        p.set_sandbox(CatSet::of(&[read]), false);
        assert_eq!(p.check_nowhere(read), Action::Allow);
    }

    #[test]
    fn sandbox_switches() {
        let mut p = policy();
        p.set_sandbox(CatSet::of(&[Category::Read, Category::Chdir]), false);
        assert!(!p.is_on(Category::Read) && !p.is_on(Category::Chdir));
        p.set_sandbox(CatSet::of(&[Category::Chdir]), true);
        assert!(p.is_on(Category::Chdir));
        p.set_sandbox(CatSet::of(&[Category::Read]), true);
        assert!(p.is_on(Category::Read));
        p.set_sandbox(CatSet::of(&[Category::Read]), true);
        assert!(p.is_on(Category::Read), "idempotent");
        p.set_sandbox(CatSet::all(), false);
        assert!(category::ALL.iter().all(|&c| !p.is_on(c)));
    }

    #[test]
    fn last_match_wins() {
        let mut p = policy();
        let read = CatSet::of(&[Category::Read]);
        p.add(Action::Allow, read, b"/etc/***").unwrap();
        p.add(Action::Deny, read, b"/etc/shadow").unwrap();
        assert_eq!(p.check_path(Category::Read, b"/etc/passwd"), Action::Allow);
        assert_eq!(p.check_path(Category::Read, b"/etc/shadow"), Action::Deny);
        p.add(Action::Allow, read, b"/etc/shadow").unwrap();
        assert_eq!(p.check_path(Category::Read, b"/etc/shadow"), Action::Allow);
        // Other categories are untouched.
        assert_eq!(p.check_path(Category::Write, b"/etc/passwd"), Action::Deny);
    }

    /// Every category's chain is its rules, newest first.
    fn chains_agree(p: &Policy) {
        for &cat in category::ALL.iter() {
            let listed = p.rules.iter().rev().filter(|r| r.cat == cat);
            assert!(p.rules_of(cat).eq(listed), "{cat:?}");
        }
    }

    #[test]
    fn remove_one_or_all() {
        let mut p = policy();
        let read = CatSet::of(&[Category::Read, Category::Write]);
        p.add(Action::Allow, read, b"/a/**").unwrap();
        p.add(Action::Deny, read, b"/a/b").unwrap();
        p.add(Action::Allow, read, b"/a/**").unwrap();
        assert_eq!(p.rule_count(), 6);
        assert_eq!(
            p.remove(
                Action::Allow,
                CatSet::of(&[Category::Read]),
                b"/a/**",
                false
            ),
            1
        );
        assert_eq!(p.rule_count(), 5);
        assert_eq!(
            p.check_path(Category::Read, b"/a/b"),
            Action::Deny,
            "the later allow is gone"
        );
        assert_eq!(
            p.check_path(Category::Write, b"/a/b"),
            Action::Allow,
            "write keeps its rule"
        );
        assert_eq!(p.remove(Action::Allow, read, b"/a/**", true), 3);
        assert_eq!(p.check_path(Category::Write, b"/a/c"), Action::Deny);
        assert_eq!(p.remove(Action::Allow, read, b"/nothing", true), 0);
        chains_agree(&p);
        p.add(Action::Deny, read, b"/c/***").unwrap();
        p.add(Action::Allow, CatSet::of(&[Category::Write]), b"/c/d")
            .unwrap();
        chains_agree(&p);
        assert_eq!(p.check_path(Category::Write, b"/c/d"), Action::Allow);
        assert_eq!(p.check_path(Category::Read, b"/c/d"), Action::Deny);
        assert_eq!(p.remove(Action::Deny, read, b"/c/***", true), 2);
        assert_eq!(p.remove(Action::Allow, read, b"/c/d", true), 1);
        chains_agree(&p);
        // The arena keeps only live patterns.
        assert_eq!(p.rules().map(|(_, _, pat)| pat.len()).sum::<usize>(), 2 * 4);
        assert_eq!(p.arena.len(), 4);
    }

    #[test]
    fn capacities_are_errors() {
        let mut p = policy();
        let read = CatSet::of(&[Category::Read]);
        for _ in 0..MAX_RULES {
            p.add(Action::Allow, read, b"/x").unwrap();
        }
        assert_eq!(p.add(Action::Allow, read, b"/x"), Err(Full::Rules));
        let mut p = policy();
        let big = [b'/'; 60 * 1024];
        for _ in 0..4 {
            p.add(Action::Allow, read, &big).unwrap();
        }
        assert_eq!(p.add(Action::Allow, read, &big), Err(Full::Patterns));
    }

    #[test]
    fn protected_paths_below_a_directory() {
        let mut p = policy();
        p.add(
            Action::Deny,
            CatSet::of(&[Category::Read]),
            b"/home/u/secret/***",
        )
        .unwrap();
        p.add(
            Action::Allow,
            CatSet::of(&[Category::Read]),
            b"/home/u/public/***",
        )
        .unwrap();
        assert!(p.protects_below(b"/home/u"));
        assert!(p.protects_below(b"/home"));
        assert!(p.protects_below(b"/"));
        assert!(!p.protects_below(b"/home/u/public"));
        // `/***` covers what lies below the directory too.
        assert!(p.protects_below(b"/home/u/secret"));
        assert!(!p.protects_below(b"/home/us"));
    }

    #[test]
    fn listings_that_may_hide_entries() {
        let stat = CatSet::of(&[Category::Stat]);
        let mut p = policy();
        // Default deny, one tree allowed: only the tree needs no filter.
        p.add(Action::Allow, stat, b"/usr/***").unwrap();
        assert!(p.may_hide_in(Some(b"/")));
        assert!(p.may_hide_in(Some(b"/etc")));
        assert!(!p.may_hide_in(Some(b"/usr")));
        assert!(!p.may_hide_in(Some(b"/usr/share/doc")));
        assert!(p.may_hide_in(Some(b"/usrx")));
        assert!(p.may_hide_in(None));
        // A newer denial inside the tree brings its directories back.
        p.add(Action::Deny, stat, b"/usr/share/doc/secret").unwrap();
        assert!(p.may_hide_in(Some(b"/usr/share/doc")));
        assert!(p.may_hide_in(Some(b"/usr/share")));
        assert!(!p.may_hide_in(Some(b"/usr/share/doc/secret")));
        assert!(!p.may_hide_in(Some(b"/usr/lib")));

        let mut p = policy();
        p.set_default(stat, Action::Allow);
        assert!(!p.may_hide_in(Some(b"/")));
        p.add(Action::Deny, stat, b"/home/*/.ssh/***").unwrap();
        assert!(p.may_hide_in(Some(b"/home")));
        assert!(p.may_hide_in(Some(b"/home/u")));
        assert!(p.may_hide_in(Some(b"/")));
        assert!(!p.may_hide_in(Some(b"/usr")));
        assert!(!p.may_hide_in(Some(b"/homer")));
        // No path: hidden where some path is.
        assert!(p.may_hide_in(None));
        // Off: nothing is hidden.
        p.set_sandbox(stat, false);
        assert!(!p.may_hide_in(Some(b"/home")));
    }

    #[test]
    fn trace_turns_defaults_into_warn_but_keeps_rules() {
        let mut p = policy();
        p.add(Action::Deny, CatSet::of(&[Category::Read]), b"/secret")
            .unwrap();
        p.trace = true;
        assert_eq!(p.check_path(Category::Read, b"/etc/passwd"), Action::Warn);
        assert_eq!(p.check_path(Category::Read, b"/secret"), Action::Deny);
    }

    #[test]
    fn network_rules() {
        let mut p = policy();
        let connect = CatSet::of(&[Category::NetConnect]);
        p.add(Action::Allow, connect, b"loopback!80").unwrap();
        p.add(Action::Allow, connect, b"/run/*.sock").unwrap();
        p.add(Action::Allow, connect, b"@dbus-*").unwrap();
        p.add(Action::Allow, connect, b"!unnamed").unwrap();
        let c = Category::NetConnect;
        assert_eq!(
            p.check_addr(c, SockAddr::Inet(Ip::V4([127, 0, 0, 1]), 80)),
            Action::Allow
        );
        assert_eq!(
            p.check_addr(c, SockAddr::Inet(Ip::V4([127, 0, 0, 1]), 81)),
            Action::Deny
        );
        assert_eq!(
            p.check_addr(c, SockAddr::Inet(Ip::V4([10, 0, 0, 1]), 80)),
            Action::Deny
        );
        assert_eq!(
            p.check_addr(c, SockAddr::UnixPath(b"/run/x.sock")),
            Action::Allow
        );
        assert_eq!(
            p.check_addr(c, SockAddr::UnixPath(b"/run/a/x.sock")),
            Action::Deny
        );
        assert_eq!(
            p.check_addr(c, SockAddr::Abstract(b"dbus-123")),
            Action::Allow
        );
        assert_eq!(
            p.check_addr(c, SockAddr::Abstract(b"/run/x.sock")),
            Action::Deny
        );
        assert_eq!(p.check_addr(c, SockAddr::Unnamed), Action::Allow);
        assert_eq!(
            p.check_addr(Category::NetBind, SockAddr::Unnamed),
            Action::Deny
        );
    }
}
