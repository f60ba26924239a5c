//! Starting the sandboxed command (DESIGN.md, "Starting the command").
//!
//! 1. Fork. The child asks for SIGKILL when husk dies and stops itself.
//! 2. husk seizes it with every tracing option and lets it go on.
//! 3. The child restores the signal mask, sets no-new-privs, enters its
//!    Landlock domain, installs the sandbox filter and calls execve, which the filter traps: the
//!    supervisor checks the initial command like any other, so a
//!    denied command never runs.
//!
//! If the command cannot be executed the child says why and exits 127
//! (not found) or 126 (found but not executable); that becomes husk's
//! status like any other exit of the eldest.
#![forbid(unsafe_code)]

use core::ffi::CStr;

use crate::errln;
use crate::rt::exec::{self, EnvChange};
use crate::rt::io::Bytes;
use crate::sys::process::{self, Pid, WaitStatus};
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

/// Installs the sandbox filter in the child, just before exec.
pub type Confine<'a> = &'a dyn Fn() -> Result<()>;

/// Forks the command, stopped and seized; returns its pid.
pub fn start(command: &Command<'_>, confine: Confine<'_>) -> Result<Pid> {
    let husk = process::getpid();
    let pid = crate::rt::process::spawn(|| run_child(husk, command, confine))?;
    // Wait for the child to stop itself, then seize it while stopped,
    // so it cannot run a single instruction of its own untraced.
    loop {
        match process::wait4(pid, libc::__WALL | libc::WUNTRACED)? {
            Some((_, WaitStatus::Stopped(..))) => break,
            Some((_, _)) => return Err(Errno::ECHILD),
            None => {}
        }
    }
    if let Err(e) = ptrace::seize(pid, PTRACE_OPTIONS) {
        let _ = process::kill(pid, libc::SIGKILL);
        return Err(e);
    }
    process::kill(pid, libc::SIGCONT)?;
    Ok(pid)
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
fn run_child(husk: Pid, command: &Command<'_>, confine: Confine<'_>) -> i32 {
    // Die with husk; and if husk is already gone, do not go on alone.
    if process::set_parent_death_signal(libc::SIGKILL).is_err() || process::getppid() != husk {
        return super::EXIT_CONFIG;
    }
    // Wait here until husk has seized us.
    let _ = process::kill(process::getpid(), libc::SIGSTOP);
    // husk blocks the signals it reads from a signalfd; the command
    // must start with an empty mask.
    if signal::set_mask(How::Set, SigSet::EMPTY).is_err() {
        return super::EXIT_CONFIG;
    }
    // Where the program is, looked up before the filter applies: if it
    // then cannot be run, the policy is why, and the message says so.
    let mut found = [0u8; 4097];
    let found_len = locate(command.argv_index, &mut found);
    if let Err(e) = process::set_no_new_privs().and_then(|()| confine()) {
        errln!("husk: cannot confine the command: {e}");
        return super::EXIT_CONFIG;
    }
    let errno = exec::exec_command(command.argv_index, command.argv0, command.env);
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
