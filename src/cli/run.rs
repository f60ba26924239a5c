//! `husk [options] -- COMMAND`: from parsed options to a supervised run.
//!
//! The whole policy is read and checked first; any error stops husk
//! before the command is started (exit 125), naming the source.

use heapless::Vec;

use super::host::System;
use super::options::{EnvOp, Options, Source};
use crate::check;
use crate::errln;
use crate::limits;
use crate::policy::load::Loader;
use crate::policy::rules::TransportChoice;
use crate::rt::exec::EnvChange;
use crate::rt::io::Bytes;
use crate::supervisor::child::Command;
use crate::supervisor::{self, Config, Transport, workers};
use crate::sys::fd::AsFd;

/// Policy files are read into this arena (declared capacity).
static CONFIG: spin::Mutex<[u8; limits::CONFIG_BYTES]> =
    spin::Mutex::new([0; limits::CONFIG_BYTES]);

/// Applies every `-m`, `-p`, `-P` in order, and `-x`.
pub fn load_policy(opts: &Options) -> Result<(), ()> {
    let system = System::new();
    let mut arena = CONFIG.lock();
    check::configure(|policy| {
        let mut loader = Loader::new(&system);
        for source in &opts.sources {
            let result = match *source {
                Source::Command(text) => loader.command(policy, text.to_bytes()),
                Source::Profile(name) => loader.profile(policy, name.to_bytes()),
                Source::File(path) => loader.file(policy, path.to_bytes(), &mut arena[..]),
            };
            if let Err(e) = result {
                errln!("husk: {e}");
                return Err(());
            }
        }
        // -x: every default becomes warn, wherever it was set.
        policy.trace |= opts.trace;
        Ok(())
    })
}

/// Runs the command at argv `index`; returns husk's exit status.
pub fn run(opts: &Options, index: usize) -> i32 {
    if let Some(text) = crate::rt::args::var(b"HUSK_LOG_FD") {
        match parse_count(text) {
            // husk's own: the command must not write forged lines into
            // the log, so the descriptor is not passed on (stdout and
            // stderr are the command's too: a log there is shared).
            Some(fd @ 0..=2) if crate::sys::file::fd_flags(fd as i32).is_ok() => {
                check::log::set_fd(fd as i32)
            }
            Some(fd) if crate::sys::file::set_cloexec(fd as i32).is_ok() => {
                check::log::set_fd(fd as i32)
            }
            _ => {
                errln!(
                    "husk: HUSK_LOG_FD={}: not an open file descriptor",
                    Bytes(text)
                );
                return super::EXIT_CONFIG;
            }
        }
    }
    let workers = match crate::rt::args::var(b"HUSK_WORKERS") {
        None => workers::default_count(),
        Some(text) => match parse_count(text) {
            Some(n) if (1..=limits::WORKERS).contains(&n) => n,
            _ => {
                errln!(
                    "husk: HUSK_WORKERS={}: not a number from 1 to {}",
                    Bytes(text),
                    limits::WORKERS
                );
                return super::EXIT_CONFIG;
            }
        },
    };
    if load_policy(opts).is_err() {
        return super::EXIT_CONFIG;
    }
    // -o FILE: made (or emptied) before the command runs, so a path
    // that cannot be written stops husk now, not after the work.
    let learned = match opts.output {
        None => None,
        Some(path) => {
            let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_TRUNC | libc::O_CLOEXEC;
            match crate::sys::file::openat(crate::sys::file::Dir::Cwd, path, flags, 0o644) {
                Ok(fd) => {
                    check::learn::start();
                    Some(fd)
                }
                Err(e) => {
                    errln!("husk: -o {}: cannot write: {e}", Bytes(path.to_bytes()));
                    return super::EXIT_CONFIG;
                }
            }
        }
    };
    let mut env: Vec<EnvChange<'static>, { limits::CLI_ENV + 1 }> = Vec::new();
    // The log descriptor is husk's alone (it is not passed on either).
    let _ = env.push(EnvChange::Unset(b"HUSK_LOG_FD"));
    for op in &opts.env {
        // Same capacity as the options they come from.
        let _ = env.push(match *op {
            EnvOp::Set(kv) => EnvChange::Set(kv),
            EnvOp::Unset(name) => EnvChange::Unset(name.to_bytes()),
        });
    }
    let command = Command {
        argv_index: index,
        argv0: opts.argv0,
        env: &env,
    };
    let wait_all = check::configure(|p| p.exit_wait_all);
    let transport = match transport(check::configure(|p| p.transport)) {
        Ok(t) => t,
        Err(()) => return super::EXIT_CONFIG,
    };
    let config = Config {
        transport,
        emulate: check::emulate,
        workers,
        wait_all,
        request_limit: limits::REQUEST_QUEUE,
        access: None,
        sandbox: check::sandbox,
        restrict: check::kernel::ruleset,
        decide: check::decide,
        decided: check::decided,
        answered: check::answered,
        fast: check::fast,
        log_fd: check::log::fd(),
        learn_fd: learned.as_ref().map_or(-1, |fd| fd.as_fd().raw()),
    };
    // Read now: once the command runs, husk's own calls are few.
    let system = System::new();
    let status = supervisor::run(&command, &config);
    check::flush_logs(workers);
    if let Some(fd) = &learned {
        if let Err(why) = write_learned(fd, &system, opts, index) {
            let path = opts.output.map_or(&b""[..], |p| p.to_bytes());
            match why {
                check::learn::Full::Table => errln!(
                    "husk: -o {}: more than {} paths or {} bytes of them: the policy is incomplete (marked so in the file)",
                    Bytes(path),
                    check::learn::PATHS,
                    check::learn::BYTES
                ),
                check::learn::Full::Write => {
                    errln!("husk: -o {}: the policy could not be written", Bytes(path))
                }
            }
            return super::EXIT_CONFIG;
        }
    }
    supervisor::die_as_the_command();
    status
}

/// Writes the policy learned (`-o`) for the command at argv `index`.
fn write_learned(
    fd: &crate::sys::fd::OwnedFd,
    system: &System,
    opts: &Options,
    index: usize,
) -> Result<(), check::learn::Full> {
    use crate::policy::load::Host;
    let mut command: Vec<&[u8], 16> = Vec::new();
    let mut i = index;
    while let Some(arg) = crate::rt::args::arg(i) {
        if command.push(arg.to_bytes()).is_err() {
            break;
        }
        i += 1;
    }
    let mut profiles: Vec<&[u8], { limits::CLI_SOURCES }> = Vec::new();
    for source in &opts.sources {
        if let Source::Profile(name) = source {
            let _ = profiles.push(name.to_bytes());
        }
    }
    let run = check::learn::Run {
        cwd: system.var(b"HUSK_CWD").unwrap_or(b"/"),
        home: crate::rt::args::var(b"HOME"),
        tmpdir: crate::rt::args::var(b"TMPDIR"),
        command: &command,
        profiles: &profiles,
    };
    check::learn::write(fd.as_fd(), &run)
}

/// The transport the policy asks for, if this kernel has it.
pub fn transport_quiet(choice: TransportChoice) -> Option<Transport> {
    match choice {
        TransportChoice::Ptrace => Some(Transport::Ptrace),
        TransportChoice::Auto => Some(Transport::best()),
        TransportChoice::Notify if Transport::best() == Transport::Notify => {
            Some(Transport::Notify)
        }
        TransportChoice::Notify => None,
    }
}

/// As [`transport_quiet`], saying why there is none.
fn transport(choice: TransportChoice) -> Result<Transport, ()> {
    transport_quiet(choice).ok_or_else(|| {
        errln!(
            "husk: trace/transport:notify: this kernel lacks seccomp user notification with ADDFD_FLAG_SEND (Linux 5.14)"
        );
    })
}

fn parse_count(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 4 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |n, &b| n * 10 + (b - b'0') as usize))
}
