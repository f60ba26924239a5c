//! The generated filters, installed for real: the kernel must do what
//! the table (and our interpreter) says.
//!
//! `sandbox-filter`: a child installs the sandbox filter with no tracer
//! attached and issues system calls whose outcome shows the verdict
//! without running anything harmful:
//!
//! - ERRNO(e) returns `-e` without running the call;
//! - TRACE with no tracer returns `-ENOSYS` without running the call;
//! - ALLOW runs the call: checked on harmless calls (getpid...).
//!
//! Every trapped and refused number, and every number the table does
//! not know (up to 64 past its end, past the private calls, and the
//! old-ABI range of 32-bit ARM), is tried: they never run. Then on
//! x86_64 a child makes an i386 `int 0x80` call and must die of SIGSYS.
//!
//! `worker-filter`: a child installs the worker role filter and makes an
//! allowed call, then a forbidden one (`getuid`): it must die of SIGSYS.
//!
//! `helper-signal`: a child installs the interrupting handler of the
//! blocking-call helpers, confines itself as a notify worker (whose
//! helpers inherit its filter) and sends itself that signal: the
//! handler's return must be a call the filter allows (32-bit ARM's old
//! `sigreturn` is not).

use husk::bpf::action;
use husk::bpf::install;
use husk::check::{filter, table};
use husk::supervisor::confine::{self, Fds, Role};
use husk::sys::process::WaitStatus;
use husk::sys::{Errno, nr, raw};
use husk::{errln, outln};

/// The tests of this module.
pub const TESTS: &[(&str, super::Test)] = &[
    ("sandbox-filter", sandbox_filter),
    ("worker-filter", worker_filter),
    ("helper-signal", helper_signal),
];

/// `TCGETS`, a harmless terminal query (the libc type varies by target).
const TCGETS: u64 = 0x5401;

/// Issues `nr` with `args`; returns the raw result.
fn call(nr: usize, args: [u64; 6]) -> isize {
    // SAFETY: only numbers the filter refuses or traps (which then never
    // run: no tracer is attached, so TRACE fails with ENOSYS) or calls
    // without side effects reach this point, with integer arguments.
    unsafe {
        raw::syscall6(
            nr,
            args[0] as usize,
            args[1] as usize,
            args[2] as usize,
            args[3] as usize,
            args[4] as usize,
            args[5] as usize,
        ) as isize
    }
}

fn run_sandbox_checks() -> i32 {
    let program = match filter::sandbox() {
        Ok(p) => p,
        Err(_) => return 90,
    };
    let Ok(verified) = program.verify() else {
        return 91;
    };
    if install::install(&verified, 0).is_err() {
        return 92;
    }
    let mut checked = 0u32;
    // The third set is an untraced clone (garbage in the upper half):
    // refused. Were it let through, CLONE_THREAD without CLONE_SIGHAND
    // makes the kernel fail it with EINVAL instead of forking.
    let untraced = 0xdead_0000_0000 | (libc::CLONE_UNTRACED | libc::CLONE_THREAD) as u64;
    // Beyond the ordinary numbers: the architecture-private ones and 64
    // past them (32-bit ARM's 0x0f0000 up; nothing elsewhere), and the
    // old-ABI range (0x900000 up on 32-bit ARM, where a kernel with
    // OABI_COMPAT runs old calls): ENOSYS, never run.
    let private = table::private_range();
    let oabi = 0x90_0000u32;
    let numbers = (0..table::NATIVE_LIMIT as u32 + 64)
        .chain(private.start..private.end + 64)
        .chain(oabi..oabi + table::NATIVE_LIMIT as u32 + 64);
    for nr in numbers {
        for args in [
            [0u64; 6],
            [7, 1 << 33, 5, 0, 0xdead_0000_0000, 0],
            [untraced, 0, 0, 0, 0, 0],
        ] {
            // What a caller of this architecture can pass: on a 32-bit
            // one the upper halves never reach the filter.
            let args = args.map(|a| a as usize as u64);
            let expected = filter::expected(nr, &args);
            let observed = match expected & action::ACTION_FULL {
                action::ERRNO | action::TRACE => call(nr as usize, args),
                // Allowed calls would run: those are checked below.
                _ => continue,
            };
            let want = if expected & action::ACTION_FULL == action::TRACE {
                -(Errno::ENOSYS.0 as isize)
            } else {
                -((expected & action::DATA) as isize)
            };
            if observed != want {
                errln!(
                    "nr {nr} ({}) args {args:x?}: kernel returned {observed}, table says {want}",
                    table::name(nr).unwrap_or("?")
                );
                return 1;
            }
            checked += 1;
        }
    }
    // Allowed calls run: harmless ones prove it (not ENOSYS, not EPERM).
    let pid = call(nr::GETPID, [0; 6]);
    if pid <= 0 || call(nr::GETPPID, [0; 6]) <= 0 || call(nr::SCHED_YIELD, [0; 6]) != 0 {
        errln!("allowed calls did not run");
        return 1;
    }
    // An allowed ioctl request reaches the kernel (ENOTTY on a pipe's
    // fd number that is not open: EBADF), a refused one does not.
    if call(nr::IOCTL, [999, TCGETS, 0, 0, 0, 0]) != -(Errno::EBADF.0 as isize) {
        errln!("an allowed ioctl was stopped");
        return 1;
    }
    outln!("sandbox-filter: {checked} refused or trapped calls checked against the kernel");
    0
}

fn sandbox_filter() -> Result<(), &'static str> {
    match husk::rt::process::fork_run(run_sandbox_checks) {
        Ok(WaitStatus::Exited(0)) => {}
        Ok(WaitStatus::Exited(_)) => return Err("the kernel disagreed with the table"),
        Ok(other) => {
            errln!("child: {other:?}");
            return Err("the checking child died");
        }
        Err(_) => return Err("fork failed"),
    }
    #[cfg(target_arch = "x86_64")]
    {
        let status = husk::rt::process::fork_run(|| {
            let Ok(program) = filter::sandbox() else {
                return 90;
            };
            let Ok(verified) = program.verify() else {
                return 91;
            };
            if install::install(&verified, 0).is_err() {
                return 92;
            }
            // i386 getpid (20) through the compatibility entry.
            // SAFETY: a harmless call with no arguments; the filter is
            // expected to kill the process before it runs.
            unsafe { core::arch::asm!("int 0x80", inout("eax") 20u32 => _, options(nostack)) };
            0
        });
        if status != Ok(WaitStatus::Signaled(libc::SIGSYS, false)) {
            return Err("an int 0x80 call was not killed");
        }
    }
    Ok(())
}

fn worker_filter() -> Result<(), &'static str> {
    let status = husk::rt::process::fork_run(|| {
        let fds = Fds {
            learn: -1,
            signals: 100,
            wake: 101,
            log: 2,
        };
        let Ok(program) = confine::filter(Role::Worker, &fds) else {
            return 90;
        };
        let Ok(verified) = program.verify() else {
            return 91;
        };
        if install::install(&verified, 0).is_err() {
            return 92;
        }
        // Allowed: writing to stderr.
        if husk::sys::file::write(
            husk::sys::BorrowedFd::STDERR,
            b"worker-filter: write allowed\n",
        )
        .is_err()
        {
            return 93;
        }
        // Forbidden: anything else, e.g. getuid.
        call(nr::GETUID, [0; 6]);
        94
    });
    match status {
        Ok(WaitStatus::Signaled(libc::SIGSYS, _)) => Ok(()),
        _ => Err("a forbidden call in a worker was not fatal"),
    }
}

fn helper_signal() -> Result<(), &'static str> {
    let status = husk::rt::process::fork_run(|| {
        use husk::supervisor::blocking::SIGNAL;
        use husk::sys::{process, signal};
        if signal::set_interrupting(SIGNAL).is_err() {
            return 89;
        }
        let fds = Fds {
            learn: -1,
            signals: 100,
            wake: 101,
            log: 2,
        };
        let Ok(program) = confine::filter(Role::Notifier, &fds) else {
            return 90;
        };
        let Ok(verified) = program.verify() else {
            return 91;
        };
        if install::install(&verified, 0).is_err() {
            return 92;
        }
        if process::tgkill(process::getpid(), process::gettid(), SIGNAL).is_err() {
            return 93;
        }
        // Still here: the handler ran and returned.
        let _ = husk::sys::file::write(
            husk::sys::BorrowedFd::STDERR,
            b"helper-signal: handled, returned\n",
        );
        0
    });
    match status {
        Ok(WaitStatus::Exited(0)) => Ok(()),
        Ok(WaitStatus::Signaled(libc::SIGSYS, _)) => {
            Err("returning from the helpers' signal handler was fatal")
        }
        _ => Err("the helper-signal child failed"),
    }
}
