//! Starting the sandboxed command (DESIGN.md, "Starting the command").
//!
//! 1. Start the child sharing husk's memory and descriptor table until
//!    it executes the command (`rt::process::spawn_shared`): nothing
//!    is copied, and the descriptors it creates are husk's at once.
//!    It asks for SIGKILL when husk dies, then waits on its link.
//! 2. husk seizes it with every tracing option, then tells it to go on
//!    (the child cannot reach its filter or execve untraced: it waits
//!    until husk has seized it, or gives up).
//! 3. The child restores the signal mask, sets no-new-privs, enters its
//!    Landlock domain (the ruleset husk prepared), installs the sandbox
//!    filter and calls execve; the exec event is checked like any
//!    other, so a denied command never runs its first instruction.
//!
//! If the command cannot be executed the child says why and exits 127
//! (not found) or 126 (found but not executable); that becomes husk's
//! status like any other exit of the eldest.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use crate::errln;
use crate::rt::exec::{self, EnvChange};
use crate::rt::io::Bytes;
use crate::rt::process::{Link, SharedStack};
use crate::sys::process::{self, Pid};
use crate::sys::signal::{self, How, SigSet};
use crate::sys::{Errno, Result, ptrace};

/// Options for `PTRACE_SEIZE`: every event husk needs, and SIGKILL for
/// every tracee if husk goes away.
pub const PTRACE_OPTIONS: u32 = (libc::PTRACE_O_TRACESECCOMP
    | libc::PTRACE_O_TRACEFORK
    | libc::PTRACE_O_TRACEVFORK
    | libc::PTRACE_O_TRACECLONE
    | libc::PTRACE_O_TRACEEXEC
    | libc::PTRACE_O_TRACEEXIT
    | libc::PTRACE_O_TRACESYSGOOD
    | libc::PTRACE_O_EXITKILL) as u32;

/// What to run, and how.
pub struct Command<'a> {
    /// Index of the command in husk's argv.
    pub argv_index: usize,
    /// `-a ARGV0`.
    pub argv0: Option<&'static CStr>,
    /// `-e` changes, in order.
    pub env: &'a [EnvChange<'static>],
}

/// Confines the child, just before exec (its Landlock domain, the
/// sandbox filter); it gets the child's link to report the listener.
pub type Confine<'a> = &'a dyn Fn(&Link) -> Result<()>;

/// The link to the child while it runs husk's code (one child per husk).
pub static LINK: Link = Link::new();

/// The child's stack: room for the path searches and the filter's
/// install (it is husk's memory until the exec; only what the child
/// touches is ever resident).
const CHILD_STACK: usize = 128 * 1024;

/// Starts the command, seized; returns its pid, and its stack, to be
/// released once [`LINK`] says the child is gone.
pub fn start(command: &Command<'_>, confine: Confine<'_>) -> Result<(Pid, SharedStack)> {
    let husk = process::getpid();
    let slots = exec::slots(command.argv_index, command.env);
    // `move`: the closure runs in the child after this function has
    // returned, so it holds copies, not references to these locals
    // (`command` and `confine` borrow from frames that outlive it).
    let (pid, stack) = crate::rt::process::spawn_shared(&LINK, CHILD_STACK, slots, move |table| {
        run_child(husk, command, confine, table)
    })?;
    // Seized before it may go on: it cannot run a single instruction
    // of the command, nor install its filter, untraced.
    if let Err(e) = ptrace::seize(pid, PTRACE_OPTIONS) {
        LINK.go(false);
        let _ = process::kill(pid, libc::SIGKILL);
        return Err(e);
    }
    LINK.go(true);
    Ok((pid, stack))
}

/// The program at argv `index` as the kernel would find it (a path, or
/// the first executable regular file of that name in husk's `PATH`),
/// into `buf`: its length, or `None` if there is none.
fn locate(index: usize, buf: &mut [u8; 4097]) -> Option<usize> {
    use crate::sys::file::{self, Dir};
    let program = crate::rt::args::arg(index)?.to_bytes();
    let runnable = |buf: &[u8]| {
        let path = CStr::from_bytes_with_nul(buf).ok()?;
        let st = file::stat_at_raw(Dir::Cwd, path, true).ok()?;
        let mode = st.0.st_mode;
        (mode & libc::S_IFMT == libc::S_IFREG && mode & 0o111 != 0).then_some(())
    };
    if program.contains(&b'/') {
        let n = program.len();
        if n >= buf.len() {
            return None;
        }
        buf[..n].copy_from_slice(program);
        buf[n] = 0;
        return runnable(&buf[..=n]).map(|()| n);
    }
    let path = crate::rt::args::var(b"PATH").unwrap_or(b"/usr/local/bin:/usr/bin:/bin");
    for dir in path
        .split(|&b| b == b':')
        .filter(|d| d.first() == Some(&b'/'))
    {
        let n = dir.len() + 1 + program.len();
        if n >= buf.len() {
            continue;
        }
        buf[..dir.len()].copy_from_slice(dir);
        buf[dir.len()] = b'/';
        buf[dir.len() + 1..n].copy_from_slice(program);
        buf[n] = 0;
        if runnable(&buf[..=n]).is_some() {
            return Some(n);
        }
    }
    None
}

/// The child's side, up to execve.
fn run_child(
    husk: Pid,
    command: &Command<'_>,
    confine: Confine<'_>,
    table: &mut [*const core::ffi::c_char],
) -> i32 {
    // Die with husk; and if husk is already gone, do not go on alone.
    if process::set_parent_death_signal(libc::SIGKILL).is_err() || process::getppid() != husk {
        return super::EXIT_CONFIG;
    }
    // Wait here until husk has seized us.
    if !LINK.wait_go() {
        return super::EXIT_CONFIG;
    }
    // husk blocks the signals it reads from a signalfd; the command
    // must start with an empty mask.
    if signal::set_mask(How::Set, SigSet::EMPTY).is_err() {
        return super::EXIT_CONFIG;
    }
    // Where the program is, looked up before the filter applies: if it
    // then cannot be run, the policy is why, and the message says so.
    let mut found = [0u8; 4097];
    let found_len = locate(command.argv_index, &mut found);
    if let Err(e) = process::set_no_new_privs().and_then(|()| confine(&LINK)) {
        errln!("husk: cannot confine the command: {e}");
        return super::EXIT_CONFIG;
    }
    let errno = exec::exec_command(command.argv_index, command.argv0, command.env, table);
    let name = crate::rt::args::arg(command.argv_index).map_or(&b""[..], |c| c.to_bytes());
    if let (Some(n), Errno::ENOENT | Errno::EACCES) = (found_len, errno) {
        let path = &found[..n];
        errln!(
            "husk: cannot run {}: denied by policy ({} is there; allow it with `allow/stat,exec+{}', and see the log line above)",
            Bytes(name),
            Bytes(path),
            Bytes(path)
        );
        return 126;
    }
    errln!("husk: cannot run {}: {errno}", Bytes(name));
    match errno {
        Errno::ENOENT | Errno::ENOTDIR => 127,
        _ => 126,
    }
}
