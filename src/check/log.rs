//! Log lines: one JSON object per denial or `warn`, with Syd's field
//! names, written with a single `write(2)` so lines from several
//! workers never interleave.
//!
//! ```text
//! {"ctx":"access","cap":"read","act":"deny","sys":"openat","path":"/etc/shadow","pid":1234,"cmd":"cat","tip":"configure `allow/read+/etc/shadow'"}
//! ```
//!
//! Bytes that are not UTF-8 are written as `\xNN` inside the string
//! (after a literal backslash, so the JSON stays valid and the bytes
//! stay recoverable); control characters as `\u00NN`.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicI32, Ordering};

use crate::policy::action::Action;
use crate::policy::category::Category;
use crate::rt::io::Writer;
use crate::sys::BorrowedFd;
use crate::sys::process::Pid;

static LOG_FD: AtomicI32 = AtomicI32::new(2);

/// Sends log lines to `fd` (from `HUSK_LOG_FD`) instead of stderr.
pub fn set_fd(fd: i32) {
    LOG_FD.store(fd, Ordering::Relaxed);
}

/// The descriptor log lines go to.
pub fn fd() -> i32 {
    LOG_FD.load(Ordering::Relaxed)
}

/// A string as a JSON string body.
struct Json<'a>(&'a [u8]);

impl fmt::Display for Json<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            for c in chunk.valid().chars() {
                match c {
                    '"' => f.write_str("\\\"")?,
                    '\\' => f.write_str("\\\\")?,
                    '\n' => f.write_str("\\n")?,
                    '\t' => f.write_str("\\t")?,
                    c if (c as u32) < 0x20 || c == '\u{7f}' => write!(f, "\\u{:04x}", c as u32)?,
                    c => f.write_char(c)?,
                }
            }
            for b in chunk.invalid() {
                write!(f, "\\\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// What was accessed.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    /// A path (as matched).
    Path(&'a [u8]),
    /// A network address, already formatted (`127.0.0.1!80`, a UNIX
    /// path, `@abstract`, `!unnamed`).
    Addr(&'a [u8]),
    /// An object with no path husk can name (deleted, or outside its
    /// mount namespace): the kernel's text for it, which no rule is
    /// matched against.
    Nowhere(&'a [u8]),
}

/// One access decision worth a line.
pub struct Entry<'a> {
    /// The category.
    pub cap: Category,
    /// The verdict.
    pub act: Action,
    /// The system call's name.
    pub sys: &'a str,
    /// The path or address.
    pub subject: Subject<'a>,
    /// The calling thread.
    pub pid: Pid,
    /// Its name (`comm`).
    pub cmd: &'a [u8],
}

/// Writes the line for `entry` (never for `filter` or `allow`).
pub fn write(entry: &Entry<'_>) {
    if !entry.act.logs() {
        return;
    }
    let fd = borrow_log_fd();
    let mut out = Writer::<'_, 8192>::new(fd);
    let _ = format(&mut out, entry);
}

fn borrow_log_fd() -> BorrowedFd<'static> {
    match fd() {
        1 => BorrowedFd::STDOUT,
        2 => BorrowedFd::STDERR,
        n => crate::sys::fd::log_fd(n),
    }
}

/// Formats one line (with its newline).
pub fn format(out: &mut impl Write, e: &Entry<'_>) -> fmt::Result {
    let (key, value) = match e.subject {
        Subject::Path(p) | Subject::Nowhere(p) => ("path", p),
        Subject::Addr(a) => ("addr", a),
    };
    write!(
        out,
        "{{\"ctx\":\"access\",\"cap\":\"{}\",\"act\":\"{}\",\"sys\":\"{}\",\"{key}\":\"{}\",\"pid\":{},\"cmd\":\"{}\",",
        e.cap.name(),
        e.act.name(),
        e.sys,
        Json(value),
        e.pid,
        Json(e.cmd),
    )?;
    match e.subject {
        Subject::Nowhere(_) => writeln!(
            out,
            "\"tip\":\"no path: deleted, or outside husk's mount namespace\"}}"
        ),
        _ => writeln!(
            out,
            "\"tip\":\"configure `allow/{}+{}'\"}}",
            e.cap.name(),
            Json(value)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::string::String;

    fn line(e: &Entry<'_>) -> String {
        let mut s = String::new();
        format(&mut s, e).unwrap();
        s
    }

    #[test]
    fn syd_fields_and_escapes() {
        let e = Entry {
            cap: Category::Read,
            act: Action::Deny,
            sys: "openat",
            subject: Subject::Path(b"/etc/shadow"),
            pid: 1234,
            cmd: b"cat",
        };
        assert_eq!(
            line(&e),
            "{\"ctx\":\"access\",\"cap\":\"read\",\"act\":\"deny\",\"sys\":\"openat\",\"path\":\"/etc/shadow\",\"pid\":1234,\"cmd\":\"cat\",\"tip\":\"configure `allow/read+/etc/shadow'\"}\n"
        );
        let e = Entry {
            subject: Subject::Path(b"/tmp/a\"b\\c\n\x01\xff"),
            ..e
        };
        let l = line(&e);
        assert!(l.contains(r#""path":"/tmp/a\"b\\c\n\u0001\\xff""#), "{l}");
        let e = Entry {
            cap: Category::NetConnect,
            subject: Subject::Addr(b"127.0.0.1!80"),
            ..e
        };
        assert!(line(&e).contains(
            "\"cap\":\"net/connect\",\"act\":\"deny\",\"sys\":\"openat\",\"addr\":\"127.0.0.1!80\""
        ));
        let e = Entry {
            subject: Subject::Nowhere(b"/x (deleted)"),
            ..e
        };
        assert!(line(&e).ends_with(
            "\"path\":\"/x (deleted)\",\"pid\":1234,\"cmd\":\"cat\",\"tip\":\"no path: deleted, or outside husk's mount namespace\"}\n"
        ));
    }
}
