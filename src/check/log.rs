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
use crate::policy::category::{CatSet, Category};
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
    /// A path whose object the kernel decides by (a Landlock rule on it
    /// or below it), refused a removal or move because it must stay
    /// where the rule names it (`check::kernel::pins`): no allow rule
    /// changes that, so the tip says what does.
    Pinned(&'a [u8]),
}

/// One access decision worth a line.
pub struct Entry<'a> {
    /// The category (the most severely decided one).
    pub cap: Category,
    /// Every category the call lacked (the tip names them all, so one
    /// rule is enough); empty for just `cap`.
    pub lacks: CatSet,
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

/// Bytes of log records a decision may hold back (several records: a
/// call decided again, a message and its descriptors).
const PENDING: usize = 8192;

/// The log lines of a decision, kept as records and written only once
/// its caller has been answered: an answer must not wait for its log
/// line (a write that may block on a slow reader), or the time it took
/// would tell a denial (logged) from a missing file (not logged), and
/// so a hidden file from a missing one. The caller's name is taken when
/// the record is made (once answered, the caller may be gone), from
/// the last one read while no task has been born or exec'd since: a
/// name read from `/proc` costs as much as the rest of a denial, and
/// would tell it apart again. (A name a thread gives itself, with
/// `PR_SET_NAME`, may then show late; the name is the program's word
/// anyway, never evidence.)
pub struct Pending {
    bytes: heapless::Vec<u8, PENDING>,
    /// The last name read: thread, `tasks::REGISTERED` then, the name.
    name: Option<(Pid, u32, heapless::Vec<u8, 16>)>,
}

impl Default for Pending {
    fn default() -> Self {
        Self::new()
    }
}

/// A held record: category, action, subject kind, pid, the lengths of
/// the call's name, the caller's name and the subject, the categories
/// lacked (`HEAD` bytes), then those three.
const HEAD: usize = 2 + 1 + 4 + 1 + 1 + 2 + 4;

impl Pending {
    /// Nothing held.
    pub const fn new() -> Pending {
        Pending {
            bytes: heapless::Vec::new(),
            name: None,
        }
    }

    /// The name of thread `pid`.
    fn name_of(&mut self, pid: Pid) -> &[u8] {
        use core::sync::atomic::Ordering;
        let now = crate::supervisor::tasks::REGISTERED.load(Ordering::Relaxed);
        let fresh = matches!(&self.name, Some((p, at, _)) if *p == pid && *at == now);
        if !fresh {
            let mut buf = [0u8; 32];
            let read = crate::remote::proc::comm(pid, &mut buf);
            let mut name = heapless::Vec::new();
            let _ = name.extend_from_slice(&read[..read.len().min(16)]);
            self.name = Some((pid, now, name));
        }
        match &self.name {
            Some((_, _, name)) => name,
            None => &[],
        }
    }

    /// Holds a line (never for `filter` or `allow`) about `subject`,
    /// decided in call `sys` of thread `pid`.
    pub fn add(
        &mut self,
        cap: Category,
        lacks: CatSet,
        act: Action,
        sys: &str,
        subject: Subject<'_>,
        pid: Pid,
    ) {
        if !act.logs() {
            return;
        }
        let (kind, what) = match subject {
            Subject::Path(p) => (0u8, p),
            Subject::Addr(a) => (1, a),
            Subject::Nowhere(p) => (2, p),
            Subject::Pinned(p) => (3, p),
        };
        let sys = &sys.as_bytes()[..sys.len().min(255)];
        let mut name = [0u8; 16];
        let cmd = {
            let read = self.name_of(pid);
            name[..read.len()].copy_from_slice(read);
            &name[..read.len()]
        };
        let what = &what[..what.len().min(u16::MAX as usize)];
        if HEAD + sys.len() + cmd.len() + what.len() > PENDING - self.bytes.len() {
            self.flush();
        }
        let mut head = [0u8; HEAD];
        head[0] = cap as u8;
        head[1] = act as u8;
        head[2] = kind;
        head[3..7].copy_from_slice(&pid.to_ne_bytes());
        head[7] = sys.len() as u8;
        head[8] = cmd.len() as u8;
        head[9..11].copy_from_slice(&(what.len() as u16).to_ne_bytes());
        head[11..15].copy_from_slice(&lacks.bits().to_ne_bytes());
        // A record larger than the whole buffer (a very long path) is
        // cut: a log line is never worth a lost verdict.
        for part in [&head[..], sys, cmd, what] {
            let room = PENDING - self.bytes.len();
            let _ = self.bytes.extend_from_slice(&part[..part.len().min(room)]);
        }
    }

    /// Writes the lines held, and forgets them.
    pub fn flush(&mut self) {
        if self.bytes.is_empty() {
            // The usual case: nothing to write, and no 8 KiB line
            // buffer to clear for it on every call.
            return;
        }
        let mut at = 0;
        let bytes = &self.bytes;
        let mut out = Writer::<'_, 8192>::new(borrow_log_fd());
        while bytes.len() >= at + HEAD {
            let head = &bytes[at..at + HEAD];
            let sys_len = head[7] as usize;
            let cmd_len = head[8] as usize;
            let what_len = u16::from_ne_bytes([head[9], head[10]]) as usize;
            let end = (at + HEAD + sys_len + cmd_len + what_len).min(bytes.len());
            let cut =
                |from: usize, len: usize| &bytes[(at + from).min(end)..(at + from + len).min(end)];
            let sys = cut(HEAD, sys_len);
            let cmd = cut(HEAD + sys_len, cmd_len);
            let what = cut(HEAD + sys_len + cmd_len, what_len);
            at = end;
            let (Some(cap), Some(act)) = (Category::from_u8(head[0]), Action::from_u8(head[1]))
            else {
                continue;
            };
            let subject = match head[2] {
                0 => Subject::Path(what),
                1 => Subject::Addr(what),
                3 => Subject::Pinned(what),
                _ => Subject::Nowhere(what),
            };
            let pid = Pid::from_ne_bytes([head[3], head[4], head[5], head[6]]);
            let lacks =
                CatSet::from_bits(u32::from_ne_bytes([head[11], head[12], head[13], head[14]]));
            let entry = Entry {
                cap,
                lacks,
                act,
                sys: core::str::from_utf8(sys).unwrap_or("?"),
                subject,
                pid,
                cmd,
            };
            let _ = format(&mut out, &entry);
        }
        drop(out);
        self.bytes.clear();
    }
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
        Subject::Path(p) | Subject::Nowhere(p) | Subject::Pinned(p) => ("path", p),
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
        Subject::Pinned(_) => writeln!(
            out,
            "\"tip\":\"the kernel decides by a rule on this object or below it, which keeps it in place; `trace/kernel:off' lets husk decide instead\"}}"
        ),
        _ => {
            write!(out, "\"tip\":\"configure `allow/")?;
            let mut first = true;
            for c in e.lacks.union(CatSet::of(&[e.cap])).iter() {
                if !first {
                    out.write_str(",")?;
                }
                out.write_str(c.name())?;
                first = false;
            }
            writeln!(out, "+{}'\"}}", Json(value))
        }
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
            lacks: CatSet::EMPTY,
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
        let e = Entry {
            cap: Category::Delete,
            subject: Subject::Pinned(b"/srv/data"),
            ..e
        };
        let l = line(&e);
        assert!(l.contains("\"path\":\"/srv/data\""), "{l}");
        assert!(!l.contains("configure"), "no allow rule helps: {l}");
        assert!(l.contains("`trace/kernel:off'"), "{l}");
    }
}
