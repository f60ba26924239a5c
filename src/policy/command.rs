//! One policy command: `${VAR}` expansion, parsing, applying.
//!
//! The grammar (POLICY.md, "Commands"):
//!
//! ```text
//! sandbox/CATS:on|off          default/CATS:ACTION
//! ACTION/CATS+PATTERN          ACTION/CATS-PATTERN      ACTION/CATS^PATTERN
//! include PATH                 include_profile NAME     trace/exit_wait_all:1|0
//! trace/transport:auto|notify|ptrace    trace/kernel:on|off
//! walk+PATH                    (husk's own: stat and readlink of every
//!                               directory above PATH)
//! ```
//!
//! Everything is checked before anything changes: a command that fails
//! leaves the policy as it was, and the caller stops (fail closed).

use core::fmt;

use super::action::Action;
use super::addr::{AddrError, IpPattern};
use super::category::CatSet;
use super::glob::{self, GlobError};
use super::rules::{Full, Policy, TransportChoice};
use crate::rt::io::Bytes;

/// The longest command line, after expansion.
pub const LINE_MAX: usize = 8192;

/// A parsed command.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    /// `sandbox/CATS:on|off`
    Sandbox(CatSet, bool),
    /// `default/CATS:ACTION`
    Default(CatSet, Action),
    /// `ACTION/CATS+PATTERN`
    Add(Action, CatSet, &'a [u8]),
    /// `ACTION/CATS-PATTERN` (`all: false`) or `^` (`all: true`)
    Remove(Action, CatSet, &'a [u8], bool),
    /// `include PATH`
    Include(&'a [u8]),
    /// `include_profile NAME`
    IncludeProfile(&'a [u8]),
    /// `trace/exit_wait_all:BOOL`
    ExitWaitAll(bool),
    /// `trace/transport:auto|notify|ptrace`
    Transport(TransportChoice),
    /// `trace/kernel:on|off`
    Kernel(bool),
    /// `walk+PATH` (husk's own): `allow/stat,readlink` of every
    /// directory above PATH, so programs can find their way to it.
    Walk(&'a [u8]),
}

/// What is wrong with a command. Displayed after its source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Error<'a> {
    /// Not a command husk knows.
    UnknownCommand(&'a [u8]),
    /// A category or set husk does not know.
    BadCategories(&'a [u8]),
    /// An action husk does not know.
    BadAction(&'a [u8]),
    /// Not `on` or `off` (or a boolean).
    BadSwitch(&'a [u8]),
    /// Not `auto`, `notify` or `ptrace`.
    BadTransport(&'a [u8]),
    /// A path pattern that is not absolute.
    RelativePattern(&'a [u8]),
    /// `walk+` of a pattern (a glob, or not absolute) rather than a path.
    NotAPath(&'a [u8]),
    /// A path pattern with a glob error.
    BadGlob(&'a [u8], GlobError),
    /// A network pattern that does not parse.
    BadAddress(&'a [u8], AddrError),
    /// A category list mixing path and network categories.
    MixedCategories,
    /// An empty pattern.
    EmptyPattern,
    /// `${NAME}` with NAME unset and no default.
    UnsetVariable(&'a [u8]),
    /// `${` without `}`.
    BadExpansion,
    /// `${` inside `${...}`.
    NestedExpansion,
    /// A `#` after white space in a pattern: a comment that is not on
    /// a line of its own would become part of the pattern.
    TrailingComment(&'a [u8]),
    /// A NUL byte in a command.
    NulByte,
    /// An empty command (`-m ''`).
    EmptyCommand,
    /// Longer than [`LINE_MAX`] after expansion.
    LineTooLong,
    /// A capacity of the policy is reached.
    Full(Full),
    /// `include` outside a file.
    IncludeOutsideFile,
}

impl fmt::Display for Error<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Error::UnknownCommand(c) => write!(f, "unknown command '{}'", Bytes(c)),
            Error::BadCategories(c) => write!(f, "unknown category or set in '{}'", Bytes(c)),
            Error::BadAction(a) => {
                write!(
                    f,
                    "unknown action '{}' (allow, warn, filter, deny, kill, exit)",
                    Bytes(a)
                )
            }
            Error::BadSwitch(v) => write!(f, "'{}' is not on or off", Bytes(v)),
            Error::BadTransport(v) => {
                write!(f, "'{}' is not auto, notify or ptrace", Bytes(v))
            }
            Error::RelativePattern(p) => write!(f, "path pattern '{}' is not absolute", Bytes(p)),
            Error::NotAPath(p) => write!(
                f,
                "walk+ takes an absolute path with no glob character, not '{}'",
                Bytes(p)
            ),
            Error::BadGlob(p, e) => write!(f, "bad pattern '{}': {e}", Bytes(p)),
            Error::BadAddress(p, e) => write!(f, "bad address pattern '{}': {e}", Bytes(p)),
            Error::MixedCategories => f.write_str(
                "path and network categories cannot share a rule (their patterns differ)",
            ),
            Error::EmptyPattern => f.write_str("empty pattern"),
            Error::UnsetVariable(v) => write!(
                f,
                "environment variable '{}' is not set (use ${{VAR:-default}})",
                Bytes(v)
            ),
            Error::BadExpansion => f.write_str("'${' without a closing '}'"),
            Error::NestedExpansion => f.write_str("'${' inside '${...}' (not supported)"),
            Error::TrailingComment(p) => write!(
                f,
                "'#' after a space in pattern '{}': comments go on lines of their own (write '\\#' for a '#' in a path)",
                Bytes(p)
            ),
            Error::NulByte => f.write_str("a NUL byte in the command"),
            Error::EmptyCommand => f.write_str("empty command"),
            Error::LineTooLong => write!(f, "command longer than {LINE_MAX} bytes"),
            Error::Full(Full::Rules) => {
                write!(f, "too many rules ({} at most)", super::rules::MAX_RULES)
            }
            Error::Full(Full::Patterns) => {
                write!(
                    f,
                    "patterns too large ({} bytes at most)",
                    super::rules::PATTERN_BYTES
                )
            }
            Error::IncludeOutsideFile => {
                f.write_str("include and include_profile are only allowed in files")
            }
        }
    }
}

/// Expands `${NAME}` and `${NAME:-default}` in `line` into `out`.
pub fn expand<'a, 'o>(
    line: &'a [u8],
    var: &dyn Fn(&[u8]) -> Option<&'a [u8]>,
    out: &'o mut [u8],
) -> Result<&'o [u8], Error<'a>> {
    let mut n = 0;
    let mut push = |bytes: &[u8], n: &mut usize| -> Result<(), Error<'a>> {
        let end = n
            .checked_add(bytes.len())
            .filter(|&e| e <= out.len())
            .ok_or(Error::LineTooLong)?;
        out[*n..end].copy_from_slice(bytes);
        *n = end;
        Ok(())
    };
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'$' && line.get(i + 1) == Some(&b'{') {
            let close = line[i + 2..]
                .iter()
                .position(|&b| b == b'}')
                .ok_or(Error::BadExpansion)?;
            let inner = &line[i + 2..i + 2 + close];
            if inner.windows(2).any(|w| w == b"${") {
                return Err(Error::NestedExpansion);
            }
            let (name, default) = match inner.windows(2).position(|w| w == b":-") {
                Some(d) => (&inner[..d], Some(&inner[d + 2..])),
                None => (inner, None),
            };
            match var(name).filter(|v| !v.is_empty() || default.is_none()) {
                Some(value) => push(value, &mut n)?,
                None => push(default.ok_or(Error::UnsetVariable(name))?, &mut n)?,
            }
            i += close + 3;
        } else {
            push(&line[i..i + 1], &mut n)?;
            i += 1;
        }
    }
    Ok(&out[..n])
}

fn switch(value: &[u8]) -> Option<bool> {
    match value {
        b"on" | b"1" | b"true" => Some(true),
        b"off" | b"0" | b"false" => Some(false),
        _ => None,
    }
}

/// Parses one (expanded) command.
pub fn parse(line: &[u8]) -> Result<Command<'_>, Error<'_>> {
    if let Some(path) = line.strip_prefix(b"include ") {
        return Ok(Command::Include(trim(path)));
    }
    if let Some(name) = line.strip_prefix(b"include_profile ") {
        return Ok(Command::IncludeProfile(trim(name)));
    }
    if let Some(path) = line.strip_prefix(b"walk+") {
        let literal = path.first() == Some(&b'/')
            && !path.iter().any(|b| matches!(b, b'*' | b'?' | b'[' | b'\\'));
        check_pattern(CatSet::of(&[crate::policy::category::Category::Stat]), path)?;
        return if literal {
            Ok(Command::Walk(path))
        } else {
            Err(Error::NotAPath(path))
        };
    }
    let Some(slash) = line.iter().position(|&b| b == b'/') else {
        return Err(Error::UnknownCommand(line));
    };
    let (head, rest) = (&line[..slash], &line[slash + 1..]);
    match head {
        b"sandbox" | b"default" | b"trace" => {
            let colon = rest
                .iter()
                .rposition(|&b| b == b':')
                .ok_or(Error::UnknownCommand(line))?;
            let (what, value) = (&rest[..colon], &rest[colon + 1..]);
            match head {
                b"trace" if what == b"exit_wait_all" => Ok(Command::ExitWaitAll(
                    switch(value).ok_or(Error::BadSwitch(value))?,
                )),
                b"trace" if what == b"kernel" => Ok(Command::Kernel(
                    switch(value).ok_or(Error::BadSwitch(value))?,
                )),
                b"trace" if what == b"transport" => Ok(Command::Transport(
                    TransportChoice::parse(value).ok_or(Error::BadTransport(value))?,
                )),
                b"trace" => Err(Error::UnknownCommand(line)),
                b"sandbox" => {
                    let cats = CatSet::parse(what).ok_or(Error::BadCategories(what))?;
                    Ok(Command::Sandbox(
                        cats,
                        switch(value).ok_or(Error::BadSwitch(value))?,
                    ))
                }
                _ => {
                    let cats = CatSet::parse(what).ok_or(Error::BadCategories(what))?;
                    Ok(Command::Default(
                        cats,
                        Action::parse(value).ok_or(Error::BadAction(value))?,
                    ))
                }
            }
        }
        _ => {
            let action = Action::parse(head).ok_or(Error::UnknownCommand(line))?;
            let op = rest
                .iter()
                .position(|&b| matches!(b, b'+' | b'-' | b'^'))
                .ok_or(Error::UnknownCommand(line))?;
            let (cats, pattern) = (&rest[..op], &rest[op + 1..]);
            let cats = CatSet::parse(cats).ok_or(Error::BadCategories(cats))?;
            check_pattern(cats, pattern)?;
            Ok(match rest[op] {
                b'+' => Command::Add(action, cats, pattern),
                b'-' => Command::Remove(action, cats, pattern, false),
                _ => Command::Remove(action, cats, pattern, true),
            })
        }
    }
}

/// `s` without leading and trailing ASCII white space.
pub fn trim(s: &[u8]) -> &[u8] {
    let start = s
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(s.len());
    let end = s
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &s[start..end]
}

/// Checks a rule pattern for its categories.
fn check_pattern(cats: CatSet, pattern: &[u8]) -> Result<(), Error<'_>> {
    if pattern.is_empty() {
        return Err(Error::EmptyPattern);
    }
    if pattern
        .windows(2)
        .any(|w| w[0].is_ascii_whitespace() && w[1] == b'#')
    {
        return Err(Error::TrailingComment(pattern));
    }
    let net = cats.iter().filter(|c| c.is_network()).count();
    if net != 0 && net != cats.iter().count() {
        // `all` (or a mixed list) cannot carry an address pattern; a
        // path pattern is accepted and applies to UNIX socket paths too.
        if pattern[0] != b'/' {
            return Err(Error::MixedCategories);
        }
    }
    match pattern[0] {
        b'/' => glob::validate(pattern).map_err(|e| Error::BadGlob(pattern, e)),
        _ if net == 0 => Err(Error::RelativePattern(pattern)),
        b'@' => glob::validate(&pattern[1..]).map_err(|e| Error::BadGlob(pattern, e)),
        b'!' if pattern == b"!unnamed" => Ok(()),
        _ => IpPattern::parse(pattern)
            .map(drop)
            .map_err(|e| Error::BadAddress(pattern, e)),
    }
}

/// Applies a parsed command other than the includes (the loader
/// handles those).
pub fn apply<'a>(policy: &mut Policy, command: Command<'a>) -> Result<(), Error<'a>> {
    match command {
        Command::Sandbox(cats, on) => policy.set_sandbox(cats, on),
        Command::Default(cats, action) => policy.set_default(cats, action),
        Command::Add(action, cats, pattern) => {
            policy.add(action, cats, pattern).map_err(Error::Full)?
        }
        Command::Remove(action, cats, pattern, all) => {
            policy.remove(action, cats, pattern, all);
        }
        Command::ExitWaitAll(on) => policy.exit_wait_all = on,
        Command::Transport(choice) => policy.transport = choice,
        Command::Kernel(on) => policy.no_kernel = !on,
        Command::Walk(path) => {
            // Every directory strictly above `path`, `/` included.
            let walk = CatSet::of(&[
                crate::policy::category::Category::Stat,
                crate::policy::category::Category::Readlink,
            ]);
            let mut end = path.len();
            while end > 1 && path[end - 1] == b'/' {
                end -= 1;
            }
            while let Some(slash) = path[..end].iter().rposition(|&b| b == b'/') {
                let above = if slash == 0 {
                    &path[..1]
                } else {
                    &path[..slash]
                };
                policy
                    .add(Action::Allow, walk, above)
                    .map_err(Error::Full)?;
                if slash == 0 {
                    break;
                }
                end = slash;
            }
        }
        Command::Include(_) | Command::IncludeProfile(_) => return Err(Error::IncludeOutsideFile),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::category::Category;

    #[test]
    fn parses_every_form() {
        use Category::*;
        assert_eq!(
            parse(b"sandbox/read,write:off"),
            Ok(Command::Sandbox(CatSet::of(&[Read, Write]), false))
        );
        assert_eq!(
            parse(b"sandbox/net/bind:on"),
            Ok(Command::Sandbox(CatSet::of(&[NetBind]), true))
        );
        assert_eq!(
            parse(b"default/all:warn"),
            Ok(Command::Default(CatSet::all(), Action::Warn))
        );
        assert_eq!(
            parse(b"allow/read+/etc/***"),
            Ok(Command::Add(
                Action::Allow,
                CatSet::of(&[Read]),
                b"/etc/***"
            ))
        );
        assert_eq!(
            parse(b"deny/rpath-/a-b+c"),
            Ok(Command::Remove(
                Action::Deny,
                CatSet::of(&[Read, Readdir]),
                b"/a-b+c",
                false
            ))
        );
        assert_eq!(
            parse(b"kill/exec^/tmp/**"),
            Ok(Command::Remove(
                Action::Kill,
                CatSet::of(&[Exec]),
                b"/tmp/**",
                true
            ))
        );
        assert_eq!(
            parse(b"allow/net/connect+127.0.0.1!80"),
            Ok(Command::Add(
                Action::Allow,
                CatSet::of(&[NetConnect]),
                b"127.0.0.1!80"
            ))
        );
        assert_eq!(
            parse(b"allow/net/bind+@my-abstract"),
            Ok(Command::Add(
                Action::Allow,
                CatSet::of(&[NetBind]),
                b"@my-abstract"
            ))
        );
        assert_eq!(
            parse(b"allow/net/bind+!unnamed"),
            Ok(Command::Add(
                Action::Allow,
                CatSet::of(&[NetBind]),
                b"!unnamed"
            ))
        );
        assert_eq!(
            parse(b"include ../base.conf "),
            Ok(Command::Include(b"../base.conf"))
        );
        assert_eq!(
            parse(b"include_profile linux"),
            Ok(Command::IncludeProfile(b"linux"))
        );
        assert_eq!(
            parse(b"trace/exit_wait_all:1"),
            Ok(Command::ExitWaitAll(true))
        );
        assert_eq!(
            parse(b"trace/exit_wait_all:false"),
            Ok(Command::ExitWaitAll(false))
        );
    }

    #[test]
    fn errors_name_the_problem() {
        assert_eq!(parse(b"allow/reed+/x"), Err(Error::BadCategories(b"reed")));
        assert_eq!(
            parse(b"permit/read+/x"),
            Err(Error::UnknownCommand(b"permit/read+/x"))
        );
        assert_eq!(
            parse(b"allow/read+etc"),
            Err(Error::RelativePattern(b"etc"))
        );
        assert_eq!(
            parse(b"allow/read+/x/[ab"),
            Err(Error::BadGlob(b"/x/[ab", GlobError::UnclosedClass))
        );
        assert_eq!(parse(b"allow/read+"), Err(Error::EmptyPattern));
        assert_eq!(
            parse(b"deny/read+/x/***   # keep out"),
            Err(Error::TrailingComment(b"/x/***   # keep out"))
        );
        assert!(parse(b"deny/read+/x/a\\ \\#b").is_ok());
        assert!(parse(b"deny/read+/x/a#b").is_ok());
        assert_eq!(
            parse(b"sandbox/read:maybe"),
            Err(Error::BadSwitch(b"maybe"))
        );
        assert_eq!(
            parse(b"default/read:permit"),
            Err(Error::BadAction(b"permit"))
        );
        assert_eq!(
            parse(b"allow/net/connect+300.1.1.1!80"),
            Err(Error::BadAddress(b"300.1.1.1!80", AddrError::BadAddress))
        );
        assert_eq!(
            parse(b"allow/all+127.0.0.1!80"),
            Err(Error::MixedCategories)
        );
        assert_eq!(
            parse(b"trace/bogus:1"),
            Err(Error::UnknownCommand(b"trace/bogus:1"))
        );
        assert_eq!(parse(b"lock:on"), Err(Error::UnknownCommand(b"lock:on")));
        assert_eq!(
            parse(b"allow/read"),
            Err(Error::UnknownCommand(b"allow/read"))
        );
        let mut p = Policy::new();
        assert_eq!(
            apply(&mut p, Command::Include(b"x")),
            Err(Error::IncludeOutsideFile)
        );
    }

    #[test]
    fn expansion() {
        let env = |name: &[u8]| -> Option<&'static [u8]> {
            match name {
                b"HOME" => Some(b"/home/u"),
                b"EMPTY" => Some(b""),
                _ => None,
            }
        };
        let mut out = [0u8; 64];
        assert_eq!(
            expand(b"allow/read+${HOME}/***", &env, &mut out),
            Ok(&b"allow/read+/home/u/***"[..])
        );
        assert_eq!(
            expand(b"${NOPE:-/opt}/x", &env, &mut out),
            Ok(&b"/opt/x"[..])
        );
        assert_eq!(
            expand(b"${EMPTY:-/d}", &env, &mut out),
            Ok(&b"/d"[..]),
            ":- also covers empty"
        );
        assert_eq!(expand(b"${EMPTY}", &env, &mut out), Ok(&b""[..]));
        assert_eq!(
            expand(b"a$b${HOME}", &env, &mut out),
            Ok(&b"a$b/home/u"[..])
        );
        assert_eq!(
            expand(b"${NOPE}", &env, &mut out),
            Err(Error::UnsetVariable(b"NOPE"))
        );
        assert_eq!(expand(b"${HOME", &env, &mut out), Err(Error::BadExpansion));
        let mut small = [0u8; 4];
        assert_eq!(
            expand(b"${HOME}", &env, &mut small),
            Err(Error::LineTooLong)
        );
    }

    #[test]
    fn walk_allows_the_way_to_a_path() {
        use Category::*;
        let mut p = crate::policy::rules::Policy::new();
        apply(&mut p, parse(b"walk+/tmp/a/b/proj/").unwrap()).unwrap();
        for above in [&b"/"[..], b"/tmp", b"/tmp/a", b"/tmp/a/b"] {
            assert!(p.check_path(Stat, above).allows());
            assert!(p.check_path(Readlink, above).allows());
            assert!(!p.check_path(Read, above).allows());
            assert!(!p.check_path(Readdir, above).allows());
        }
        for not in [
            &b"/tmp/a/b/proj"[..],
            b"/tmp/a/c",
            b"/tmp/a/b/proj/x",
            b"/usr",
        ] {
            assert!(!p.check_path(Stat, not).allows(), "{not:?}");
        }
        for bad in [&b"walk+tmp/x"[..], b"walk+/tmp/*", b"walk+/a/**/b"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn apply_changes_the_policy() {
        let mut p = Policy::new();
        apply(&mut p, parse(b"allow/read+/etc/***").unwrap()).unwrap();
        apply(&mut p, parse(b"sandbox/write:off").unwrap()).unwrap();
        apply(&mut p, parse(b"default/stat:filter").unwrap()).unwrap();
        apply(&mut p, parse(b"trace/exit_wait_all:1").unwrap()).unwrap();
        assert_eq!(p.check_path(Category::Read, b"/etc/hosts"), Action::Allow);
        assert_eq!(p.check_path(Category::Write, b"/anything"), Action::Allow);
        assert_eq!(p.check_path(Category::Stat, b"/x"), Action::Filter);
        assert!(p.exit_wait_all);
        apply(&mut p, parse(b"allow/read-/etc/***").unwrap()).unwrap();
        assert_eq!(p.check_path(Category::Read, b"/etc/hosts"), Action::Deny);
    }
}
