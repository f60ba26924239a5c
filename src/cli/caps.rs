//! `husk -C`: what the running kernel supports, and husk's capacities.
//!
//! Every answer comes from asking the kernel (a probe), except where a
//! feature can only be seen while in use; those lines say they are
//! inferred from the kernel version.

use crate::outln;
use crate::rt::io::Bytes;
use crate::sys::process::{self, WaitStatus};
use crate::sys::{Errno, landlock, mm, ptrace, seccomp};

/// Prints the report to stdout.
pub fn report(choice: crate::policy::rules::TransportChoice) {
    let uname = process::uname();
    let (major, minor) = uname.version();
    let at_least = |a: u32, b: u32| (major, minor) >= (a, b);
    let yes_no = |v: bool| if v { "yes" } else { "no" };

    super::version_line();
    outln!(
        "kernel: {} {} ({})",
        Bytes(uname.sysname()),
        Bytes(uname.release()),
        Bytes(uname.machine())
    );

    outln!("seccomp:");
    match seccomp::action_available(libc::SECCOMP_RET_ALLOW) {
        Ok(()) => outln!("  filter mode: yes"),
        Err(e) => outln!("  filter mode: no ({e})"),
    }
    if seccomp::mode() == Ok(2) {
        outln!("  note: husk itself already runs under a seccomp filter (nested sandbox)");
    }
    let actions = [
        ("kill_process", libc::SECCOMP_RET_KILL_PROCESS),
        ("kill_thread", libc::SECCOMP_RET_KILL_THREAD),
        ("trap", libc::SECCOMP_RET_TRAP),
        ("errno", libc::SECCOMP_RET_ERRNO),
        ("user_notif", libc::SECCOMP_RET_USER_NOTIF),
        ("trace", libc::SECCOMP_RET_TRACE),
        ("log", libc::SECCOMP_RET_LOG),
        ("allow", libc::SECCOMP_RET_ALLOW),
    ];
    {
        let mut out = crate::rt::io::stdout();
        out.bytes(b"  actions:");
        for (name, action) in actions {
            if seccomp::action_available(action).is_ok() {
                out.bytes(b" ");
                out.bytes(name.as_bytes());
            }
        }
        out.bytes(b"\n");
    }
    let notif = seccomp::action_available(libc::SECCOMP_RET_USER_NOTIF).is_ok()
        && seccomp::notif_sizes().is_ok();
    outln!("  user notification: {}", yes_no(notif));
    outln!(
        "  notify ADDFD: {} (inferred: Linux 5.9+)",
        yes_no(notif && at_least(5, 9))
    );
    outln!(
        "  notify ADDFD_FLAG_SEND: {} (inferred: Linux 5.14+)",
        yes_no(notif && at_least(5, 14))
    );
    outln!(
        "  notify WAIT_KILLABLE_RECV: {} (inferred: Linux 5.19+)",
        yes_no(notif && at_least(5, 19))
    );
    outln!(
        "  notify SYNC_WAKE_UP: {} (inferred: Linux 6.6+; without, hand-overs between a caller and husk are slower)",
        yes_no(notif && at_least(6, 6))
    );

    outln!("ptrace:");
    match probe_ptrace() {
        Ok((get, set)) => {
            outln!("  PTRACE_SEIZE: yes");
            outln!("  PTRACE_GET_SYSCALL_INFO: {}", yes_no(get));
            outln!("  PTRACE_SET_SYSCALL_INFO: {}", yes_no(set));
        }
        Err(e) => outln!("  PTRACE_SEIZE: no ({e})"),
    }
    match process::vm_read(process::getpid(), probe_address(), &mut [0u8; 8]) {
        Ok(_) => outln!("cross-memory attach (process_vm_readv): yes"),
        Err(e) => outln!("cross-memory attach (process_vm_readv): no ({e}); /proc/PID/mem is used"),
    }
    // The main thread leads its group: a thread pidfd of it is allowed
    // exactly where the flag is known.
    match crate::sys::notify::pidfd_open_thread(process::getpid()) {
        Ok(_) => outln!("pidfd PIDFD_THREAD: yes"),
        Err(e) => outln!(
            "pidfd PIDFD_THREAD: no ({e}); a descriptor of a thread with a descriptor table of its own is refused (EOPNOTSUPP) in notify mode"
        ),
    }
    match landlock::abi_version() {
        Ok(v) => outln!("landlock: ABI {v}"),
        Err(e) => outln!("landlock: no ({e})"),
    }
    match probe_mseal() {
        Ok(()) => outln!("mseal: yes"),
        Err(e) => outln!("mseal: no ({e}); the policy region is read-only but not sealed"),
    }
    let best = crate::supervisor::Transport::best();
    match super::run::transport_quiet(choice) {
        Some(t) => outln!(
            "transport: {} ({}; the best this kernel offers: {})",
            t.name(),
            match choice {
                crate::policy::rules::TransportChoice::Auto => "trace/transport:auto",
                crate::policy::rules::TransportChoice::Notify => "trace/transport:notify",
                crate::policy::rules::TransportChoice::Ptrace => "trace/transport:ptrace",
            },
            best.name()
        ),
        None => outln!(
            "transport: none (trace/transport:notify, but this kernel offers only {})",
            best.name()
        ),
    }

    outln!("capacities:");
    for (name, value, what) in crate::limits::ALL {
        outln!("  {name}: {value} ({what})");
    }
}

/// An address in our own memory, for the process_vm_readv probe.
fn probe_address() -> u64 {
    static PROBE: u64 = 0x6875_736b;
    &PROBE as *const u64 as u64
}

/// mseal on a fresh one-page mapping (which is then sealed for good:
/// harmless, it is never used again).
fn probe_mseal() -> Result<(), Errno> {
    let page = crate::rt::args::page_size();
    let map = mm::mmap_anonymous(page, libc::PROT_READ, 0)?;
    mm::mseal(map, page)
}

/// Seizes a throw-away child and asks for its syscall info, then tries
/// to set it: `EIO` means the kernel does not know the request.
fn probe_ptrace() -> Result<(bool, bool), Errno> {
    let child = crate::rt::process::spawn(|| {
        loop {
            let _ = crate::sys::time::sleep(&crate::sys::time::Timespec::from_millis(1000));
        }
    })?;
    let result = (|| {
        ptrace::seize(child, 0)?;
        ptrace::interrupt(child)?;
        loop {
            match process::wait4(child, libc::__WALL)? {
                Some((_, WaitStatus::Stopped(..))) => break,
                Some(_) => return Err(Errno::ECHILD),
                None => {}
            }
        }
        let info = ptrace::syscall_info(child);
        let get = info.is_ok();
        let set = !matches!(
            ptrace::set_syscall_info(child, &info.unwrap_or_default()),
            Err(Errno::EIO)
        );
        Ok((get, set))
    })();
    let _ = process::kill(child, libc::SIGKILL);
    let _ = process::wait4(child, libc::__WALL);
    result
}
