//! Applying policy sources in order: `-m` commands, `-p` profiles and
//! `-P` files, with `include` and `include_profile` inside files and
//! profiles.
//!
//! Pure: the environment and the files come through [`Host`], so the
//! layer stays free of system calls. The first error stops everything
//! and names its source (`-m 'TEXT'`, `FILE:LINE`, `profile NAME:LINE`)
//! and the problem; the caller then exits without running anything.

// A load error carries its whole message (no allocator to box it in);
// errors end the run, so their size never matters on a hot path.
#![allow(clippy::result_large_err)]

use core::fmt::{self, Write};

use super::command::{self, Command, LINE_MAX, trim};
use super::profiles;
use super::rules::Policy;
use crate::rt::io::Bytes;
use crate::sys::Errno;

/// Nested includes at most.
pub const MAX_DEPTH: usize = 16;

/// What the loader needs from the outside world.
pub trait Host {
    /// An environment variable (`HUSK_CWD` included).
    fn var(&self, name: &[u8]) -> Option<&[u8]>;
    /// Reads file `path` whole into `buf`; returns its contents.
    fn read<'b>(&self, path: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8], Errno>;
    /// A stable identity for `path` (device and inode), to spot loops.
    fn identity(&self, path: &[u8]) -> Option<(u64, u64)>;
}

/// A message naming the source and the problem.
pub struct LoadError {
    /// The full message (without the `husk: ` prefix).
    pub message: heapless::String<1024>,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

fn error(args: fmt::Arguments<'_>) -> LoadError {
    let mut message = heapless::String::new();
    // A message longer than the buffer is cut, never lost.
    let _ = message.write_fmt(args);
    LoadError { message }
}

/// Where a command came from, for messages.
#[derive(Clone, Copy)]
enum Origin<'a> {
    Arg,
    File(&'a [u8], usize),
    Profile(&'a [u8], usize),
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Origin::Arg => f.write_str("-m"),
            Origin::File(path, line) => write!(f, "{}:{line}", Bytes(path)),
            Origin::Profile(name, line) => write!(f, "profile {}:{line}", Bytes(name)),
        }
    }
}

/// Applies sources to a policy, in order.
pub struct Loader<'h, H: Host> {
    host: &'h H,
    /// Identities of the files being read (the include chain).
    chain: heapless::Vec<(u64, u64), MAX_DEPTH>,
}

impl<'h, H: Host> Loader<'h, H> {
    /// A loader reading through `host`.
    pub fn new(host: &'h H) -> Self {
        Loader {
            host,
            chain: heapless::Vec::new(),
        }
    }

    /// Applies one `-m` command.
    pub fn command(&mut self, policy: &mut Policy, text: &[u8]) -> Result<(), LoadError> {
        let result = if trim(text).is_empty() {
            Err(error(format_args!("{}", command::Error::EmptyCommand)))
        } else {
            self.line(policy, text, Origin::Arg, &mut [], 0)
        };
        result.map_err(|e| error(format_args!("-m '{}': {}", Bytes(text), e)))
    }

    /// Applies a built-in profile (`-p NAME`).
    pub fn profile(&mut self, policy: &mut Policy, name: &[u8]) -> Result<(), LoadError> {
        self.profile_at(policy, name, 0)
    }

    fn profile_at(
        &mut self,
        policy: &mut Policy,
        name: &[u8],
        depth: usize,
    ) -> Result<(), LoadError> {
        if depth >= MAX_DEPTH {
            return Err(error(format_args!(
                "profile {}: includes nested deeper than {MAX_DEPTH}",
                Bytes(name)
            )));
        }
        let Some(text) = profiles::get(name) else {
            return Err(error(format_args!(
                "-p {}: no such profile (off, trace, quiet, enforce, ro, cwd, noipv4, noipv6, linux, user)",
                Bytes(name)
            )));
        };
        for (number, line) in text.as_bytes().split(|&b| b == b'\n').enumerate() {
            let origin = Origin::Profile(name, number + 1);
            self.line(policy, line, origin, &mut [], depth)
                .map_err(|e| error(format_args!("{origin}: {e}")))?;
        }
        Ok(())
    }

    /// Applies a file of commands (`-P FILE`), reading it (and what it
    /// includes) into `arena`.
    pub fn file(
        &mut self,
        policy: &mut Policy,
        path: &[u8],
        arena: &mut [u8],
    ) -> Result<(), LoadError> {
        self.file_at(policy, path, arena, 0)
    }

    fn file_at(
        &mut self,
        policy: &mut Policy,
        path: &[u8],
        arena: &mut [u8],
        depth: usize,
    ) -> Result<(), LoadError> {
        if depth >= MAX_DEPTH {
            return Err(error(format_args!(
                "{}: includes nested deeper than {MAX_DEPTH}",
                Bytes(path)
            )));
        }
        if let Some(id) = self.host.identity(path) {
            if self.chain.contains(&id) {
                return Err(error(format_args!(
                    "{}: include loop (the file includes itself)",
                    Bytes(path)
                )));
            }
            let _ = self.chain.push(id);
        }
        let (text, rest) = {
            let arena_len = arena.len();
            let text = self.host.read(path, arena).map_err(|e| match e {
                Errno::ENOBUFS => error(format_args!(
                    "{}: policy files too large together ({arena_len} bytes at most)",
                    Bytes(path)
                )),
                Errno::EINVAL => error(format_args!("{}: not a regular file", Bytes(path))),
                e => error(format_args!("{}: cannot read: {e}", Bytes(path))),
            })?;
            let len = text.len();
            arena.split_at_mut(len)
        };
        for (number, line) in text.split(|&b| b == b'\n').enumerate() {
            let origin = Origin::File(path, number + 1);
            self.line(policy, line, origin, rest, depth)
                .map_err(|e| error(format_args!("{origin}: {e}")))?;
        }
        self.chain.pop();
        Ok(())
    }

    /// Applies one line; errors come back as text for the caller to
    /// prefix with the origin.
    fn line(
        &mut self,
        policy: &mut Policy,
        raw: &[u8],
        origin: Origin<'_>,
        arena: &mut [u8],
        depth: usize,
    ) -> Result<(), LoadError> {
        if raw.contains(&0) {
            return Err(error(format_args!("{}", command::Error::NulByte)));
        }
        let trimmed = trim(raw);
        if trimmed.is_empty() || trimmed[0] == b'#' {
            return Ok(());
        }
        let mut expanded = [0u8; LINE_MAX];
        let host = self.host;
        let line = command::expand(trimmed, &|name| host.var(name), &mut expanded)
            .map_err(|e| error(format_args!("{e}")))?;
        let parsed = command::parse(line).map_err(|e| error(format_args!("{e}")))?;
        match (parsed, origin) {
            (Command::Include(_) | Command::IncludeProfile(_), Origin::Arg) => Err(error(
                format_args!("{}", command::Error::IncludeOutsideFile),
            )),
            (Command::IncludeProfile(name), _) => {
                let mut copy = [0u8; 64];
                let n = name.len().min(64);
                copy[..n].copy_from_slice(&name[..n]);
                self.profile_at(policy, &copy[..n], depth + 1)
            }
            (Command::Include(target), Origin::File(current, _)) => {
                // Relative to the including file's directory.
                let mut joined = [0u8; 4096];
                let n = join(current, target, &mut joined)
                    .ok_or_else(|| error(format_args!("include path too long")))?;
                self.file_at(policy, &joined[..n], arena, depth + 1)
            }
            (Command::Include(_), _) => {
                Err(error(format_args!("include is not allowed in a profile")))
            }
            (other, _) => command::apply(policy, other).map_err(|e| error(format_args!("{e}"))),
        }
    }
}

/// `target` relative to the directory of `current` (unless absolute).
fn join(current: &[u8], target: &[u8], out: &mut [u8]) -> Option<usize> {
    if target.first() == Some(&b'/') {
        out.get_mut(..target.len())?.copy_from_slice(target);
        return Some(target.len());
    }
    let dir = match current.iter().rposition(|&b| b == b'/') {
        Some(i) => &current[..=i],
        None => &b""[..],
    };
    let n = dir.len() + target.len();
    out.get_mut(..dir.len())?.copy_from_slice(dir);
    out.get_mut(dir.len()..n)?.copy_from_slice(target);
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::action::Action;
    use crate::policy::category::Category;
    extern crate std;
    use std::boxed::Box;
    use std::collections::HashMap;
    use std::string::ToString;
    use std::vec::Vec;

    struct FakeHost {
        files: HashMap<Vec<u8>, Vec<u8>>,
    }

    impl Host for FakeHost {
        fn var(&self, name: &[u8]) -> Option<&[u8]> {
            match name {
                b"HOME" => Some(b"/home/u"),
                b"HUSK_CWD" => Some(b"/work"),
                _ => None,
            }
        }
        fn read<'b>(&self, path: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
            let data = self.files.get(path).ok_or(Errno::ENOENT)?;
            if data.len() > buf.len() {
                return Err(Errno::ENOBUFS);
            }
            buf[..data.len()].copy_from_slice(data);
            Ok(&buf[..data.len()])
        }
        fn identity(&self, path: &[u8]) -> Option<(u64, u64)> {
            self.files
                .contains_key(path)
                .then(|| (1, path.iter().map(|&b| b as u64).sum()))
        }
    }

    fn host(files: &[(&str, &str)]) -> FakeHost {
        FakeHost {
            files: files
                .iter()
                .map(|(p, t)| (p.as_bytes().to_vec(), t.as_bytes().to_vec()))
                .collect(),
        }
    }

    #[test]
    fn files_include_relative_to_themselves() {
        let h = host(&[
            (
                "/etc/husk/main.conf",
                "# comment\n\ninclude base.conf\nallow/read+/srv/***\n",
            ),
            (
                "/etc/husk/base.conf",
                "include_profile enforce\nallow/read+${HOME}/***\n",
            ),
        ]);
        let mut policy = Box::new(Policy::new());
        let mut arena = std::vec![0u8; 4096];
        Loader::new(&h)
            .file(&mut policy, b"/etc/husk/main.conf", &mut arena)
            .unwrap();
        assert_eq!(
            policy.check_path(Category::Read, b"/home/u/x"),
            Action::Allow
        );
        assert_eq!(policy.check_path(Category::Read, b"/srv/a"), Action::Allow);
        assert_eq!(policy.check_path(Category::Read, b"/etc/x"), Action::Deny);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let h = host(&[
            ("/p/a.conf", "allow/read+/ok\ninclude b.conf\n"),
            ("/p/b.conf", "\n\nallow/raed+/x\n"),
            ("/p/loop.conf", "include loop.conf\n"),
            ("/p/env.conf", "allow/read+${NOPE}/x\n"),
        ]);
        let mut arena = std::vec![0u8; 4096];
        let msg = |path: &str| {
            let mut policy = Box::new(Policy::new());
            let mut arena = std::vec![0u8; 4096];
            Loader::new(&h)
                .file(&mut policy, path.as_bytes(), &mut arena)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            msg("/p/a.conf"),
            "/p/a.conf:2: /p/b.conf:3: unknown category or set in 'raed'"
        );
        assert!(
            msg("/p/loop.conf").contains("include loop"),
            "{}",
            msg("/p/loop.conf")
        );
        assert!(msg("/p/missing.conf").starts_with("/p/missing.conf: cannot read: ENOENT"));
        assert!(msg("/p/env.conf").contains("'NOPE' is not set"));
        let mut policy = Box::new(Policy::new());
        let e = Loader::new(&h)
            .command(&mut policy, b"allow/read+relative")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "-m 'allow/read+relative': path pattern 'relative' is not absolute"
        );
        let e = Loader::new(&h)
            .command(&mut policy, b"include /p/a.conf")
            .unwrap_err()
            .to_string();
        assert!(e.contains("only allowed in files"), "{e}");
        let e = Loader::new(&h)
            .profile(&mut policy, b"nope")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("-p nope: no such profile"), "{e}");
        // Too large for the arena.
        let big = "allow/read+/x\n".repeat(400);
        let h = host(&[("/big.conf", &big)]);
        let e = Loader::new(&h)
            .file(&mut policy, b"/big.conf", &mut arena[..100])
            .unwrap_err()
            .to_string();
        assert!(e.contains("too large"), "{e}");
    }

    #[test]
    fn profiles_apply() {
        let h = host(&[]);
        let mut policy = Box::new(Policy::new());
        Loader::new(&h).profile(&mut policy, b"user").unwrap();
        assert_eq!(
            policy.check_path(Category::Read, b"/usr/lib/libc.so.6"),
            Action::Allow
        );
        assert_eq!(
            policy.check_path(Category::Write, b"/home/u/notes"),
            Action::Allow
        );
        assert_eq!(
            policy.check_path(Category::Exec, b"/home/u/bin/x"),
            Action::Deny
        );
        assert_eq!(
            policy.check_path(Category::Read, b"/proc/self/mem"),
            Action::Deny
        );
        assert_eq!(
            policy.check_path(Category::Read, b"/proc/self/status"),
            Action::Allow
        );
        let mut policy = Box::new(Policy::new());
        Loader::new(&h).profile(&mut policy, b"off").unwrap();
        assert_eq!(
            policy.check_path(Category::Write, b"/etc/passwd"),
            Action::Allow
        );
    }
}
