//! `husk-selftest supervise [OPTIONS] -- COMMAND ARGS`: the real
//! supervisor with test knobs a production binary should not carry.
//!
//! - `--queue N`: use only N request-queue slots (back-pressure tests)
//! - `--workers N`: worker count
//! - `--regs`: change registers the old way even if the kernel has
//!   `PTRACE_SET_SYSCALL_INFO` (tests the path old kernels take)
//! - `--deny NR:ERRNO`: the checker denies system call NR with ERRNO
//! - `--kill NR`: the checker kills callers of NR
//! - `--delay-us N`: the checker takes N microseconds per request
//! - `--wait-all`: `trace/exit_wait_all:1`

use core::sync::atomic::{AtomicI32, AtomicU32, AtomicU64, Ordering};

use husk::supervisor::child::Command;
use husk::supervisor::message::{Request, Verdict};
use husk::supervisor::tracer::Access;
use husk::supervisor::{self, Config};
use husk::sys::Errno;
use husk::{errln, rt};

static DENY_NR: AtomicU32 = AtomicU32::new(u32::MAX);
static DENY_ERRNO: AtomicI32 = AtomicI32::new(0);
static KILL_NR: AtomicU32 = AtomicU32::new(u32::MAX);
static DELAY_US: AtomicU64 = AtomicU64::new(0);

fn decide(request: &Request, _worker: usize) -> Verdict {
    let delay = DELAY_US.load(Ordering::Relaxed);
    if delay > 0 {
        let _ = husk::sys::time::sleep(&husk::sys::time::Timespec {
            sec: (delay / 1_000_000) as i64,
            nsec: ((delay % 1_000_000) * 1000) as i64,
        });
    }
    if let Request::Syscall { info, .. } = request {
        let nr = info.nr as u32;
        if nr == DENY_NR.load(Ordering::Relaxed) {
            return Verdict::Deny(Errno(DENY_ERRNO.load(Ordering::Relaxed)));
        }
        if nr == KILL_NR.load(Ordering::Relaxed) {
            return Verdict::Kill;
        }
    }
    Verdict::Allow
}

fn number(arg: Option<&core::ffi::CStr>) -> Option<u64> {
    let bytes = arg?.to_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u64, |n, &b| n * 10 + (b - b'0') as u64))
}

/// Entry point (argv[1] is "supervise").
pub fn main() -> i32 {
    let mut config = Config {
        transport: husk::supervisor::Transport::Ptrace,
        emulate: |_, _, _| husk::supervisor::notify::Reply::Error(husk::sys::Errno::ENOSYS),
        workers: 2,
        wait_all: false,
        request_limit: husk::limits::REQUEST_QUEUE,
        access: None,
        sandbox: |_| husk::check::filter::sandbox(),
        restrict: husk::supervisor::signals_ruleset,
        decide,
        decided: |_| {},
        answered: |_| {},
        fast: |_| None,
        log_fd: 2,
        learn_fd: -1,
    };
    let mut i = 2;
    while let Some(arg) = rt::args::arg(i) {
        i += 1;
        match arg.to_bytes() {
            b"--" => break,
            b"--queue" => config.request_limit = number(rt::args::arg(i)).unwrap_or(1) as usize,
            b"--workers" => config.workers = number(rt::args::arg(i)).unwrap_or(1) as usize,
            b"--delay-us" => {
                DELAY_US.store(number(rt::args::arg(i)).unwrap_or(0), Ordering::Relaxed)
            }
            b"--kill" => KILL_NR.store(
                number(rt::args::arg(i)).unwrap_or(0) as u32,
                Ordering::Relaxed,
            ),
            b"--deny" => {
                let spec = rt::args::arg(i).map_or(&b""[..], |a| a.to_bytes());
                let mut parts = spec.split(|&b| b == b':');
                let nr = parts.next().and_then(parse).unwrap_or(u32::MAX);
                let errno = parts.next().and_then(parse).unwrap_or(13);
                DENY_NR.store(nr, Ordering::Relaxed);
                DENY_ERRNO.store(errno as i32, Ordering::Relaxed);
            }
            b"--regs" => {
                config.access = Some(Access::Registers);
                continue;
            }
            b"--wait-all" => {
                config.wait_all = true;
                continue;
            }
            _ => {
                errln!(
                    "husk-selftest supervise: bad option {}",
                    rt::io::Bytes(arg.to_bytes())
                );
                return 2;
            }
        }
        i += 1;
    }
    if rt::args::arg(i).is_none() {
        errln!("husk-selftest supervise: no command");
        return 2;
    }
    let command = Command {
        argv_index: i,
        argv0: None,
        env: &[],
    };
    supervisor::run(&command, &config)
}

fn parse(bytes: &[u8]) -> Option<u32> {
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(bytes.iter().fold(0u32, |n, &b| {
        n.wrapping_mul(10).wrapping_add((b - b'0') as u32)
    }))
}
