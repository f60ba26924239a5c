//! Seccomp return values: what a filter's 32-bit verdict means.
//!
//! A verdict is an action in the high 16 bits (`SECCOMP_RET_ACTION_FULL`)
//! and data in the low 16 (`SECCOMP_RET_DATA`), per
//! `include/uapi/linux/seccomp.h`. [`Action`] decodes one for messages
//! and the disassembler. When several filters are stacked, the kernel
//! keeps the verdict whose action, read as a signed 32-bit number, is
//! lowest (`kernel/seccomp.c`, `seccomp_run_filters`): the constants
//! below are listed from most to least restrictive in that order.
//!
//! Must not: decide what husk does with a verdict; this is vocabulary.

#![forbid(unsafe_code)]

use core::fmt;

/// Kill the whole process (Linux 4.14+).
pub const KILL_PROCESS: u32 = 0x8000_0000;
/// Kill the calling thread (the whole process if it is the only one).
pub const KILL_THREAD: u32 = 0x0000_0000;
/// Send SIGSYS; the data goes to `si_errno`.
pub const TRAP: u32 = 0x0003_0000;
/// Fail the call with the data as errno (capped at 4095 by the kernel).
pub const ERRNO: u32 = 0x0005_0000;
/// Ask the listener fd's owner (Linux 5.0+). Without a listener the
/// call fails with ENOSYS.
pub const USER_NOTIF: u32 = 0x7fc0_0000;
/// Stop for a ptrace tracer with `PTRACE_EVENT_SECCOMP`, data as the
/// event message. Without a tracer the call fails with ENOSYS.
pub const TRACE: u32 = 0x7ff0_0000;
/// Allow and log (Linux 4.14+).
pub const LOG: u32 = 0x7ffc_0000;
/// Allow.
pub const ALLOW: u32 = 0x7fff_0000;

/// Mask of the action bits, sign bit included (`SECCOMP_RET_ACTION_FULL`).
pub const ACTION_FULL: u32 = 0xffff_0000;
/// Mask of the data bits (`SECCOMP_RET_DATA`).
pub const DATA: u32 = 0x0000_ffff;

/// The largest errno the kernel passes on (`MAX_ERRNO`); larger
/// `ERRNO` data is capped to it.
pub const MAX_ERRNO: u16 = 4095;

/// `ERRNO | errno`.
pub const fn errno(errno: u16) -> u32 {
    ERRNO | errno as u32
}

/// `TRACE | data`.
pub const fn trace(data: u16) -> u32 {
    TRACE | data as u32
}

/// `TRAP | data`.
pub const fn trap(data: u16) -> u32 {
    TRAP | data as u32
}

/// A decoded verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// `KILL_PROCESS` (data ignored).
    KillProcess,
    /// `KILL_THREAD` (data ignored).
    KillThread,
    /// `TRAP` with its data.
    Trap(u16),
    /// `ERRNO` with its data (before the kernel's cap).
    Errno(u16),
    /// `USER_NOTIF` (data ignored).
    UserNotif,
    /// `TRACE` with its data.
    Trace(u16),
    /// `LOG` (data ignored).
    Log,
    /// `ALLOW` (data ignored).
    Allow,
    /// An action value the kernel does not define: it kills the process.
    Unknown(u32),
}

impl Action {
    /// Decodes a 32-bit verdict.
    pub const fn from_verdict(verdict: u32) -> Action {
        let data = (verdict & DATA) as u16;
        match verdict & ACTION_FULL {
            KILL_PROCESS => Action::KillProcess,
            KILL_THREAD => Action::KillThread,
            TRAP => Action::Trap(data),
            ERRNO => Action::Errno(data),
            USER_NOTIF => Action::UserNotif,
            TRACE => Action::Trace(data),
            LOG => Action::Log,
            ALLOW => Action::Allow,
            _ => Action::Unknown(verdict),
        }
    }
}

/// Prints `ALLOW`, `ERRNO(13)`, `TRACE(0x1)`, `TRAP(0x0)`: errno in
/// decimal as errno tables are, other data in hex as it is a cookie.
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Action::KillProcess => f.write_str("KILL_PROCESS"),
            Action::KillThread => f.write_str("KILL_THREAD"),
            Action::Trap(d) => write!(f, "TRAP({d:#x})"),
            Action::Errno(e) => write!(f, "ERRNO({e})"),
            Action::UserNotif => f.write_str("USER_NOTIF"),
            Action::Trace(d) => write!(f, "TRACE({d:#x})"),
            Action::Log => f.write_str("LOG"),
            Action::Allow => f.write_str("ALLOW"),
            Action::Unknown(v) => write!(f, "{v:#010x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_match_libc() {
        assert_eq!(KILL_PROCESS, libc::SECCOMP_RET_KILL_PROCESS);
        assert_eq!(KILL_THREAD, libc::SECCOMP_RET_KILL_THREAD);
        assert_eq!(TRAP, libc::SECCOMP_RET_TRAP);
        assert_eq!(ERRNO, libc::SECCOMP_RET_ERRNO);
        assert_eq!(USER_NOTIF, libc::SECCOMP_RET_USER_NOTIF);
        assert_eq!(TRACE, libc::SECCOMP_RET_TRACE);
        assert_eq!(LOG, libc::SECCOMP_RET_LOG);
        assert_eq!(ALLOW, libc::SECCOMP_RET_ALLOW);
        assert_eq!(ACTION_FULL, libc::SECCOMP_RET_ACTION_FULL);
        assert_eq!(DATA, libc::SECCOMP_RET_DATA);
    }

    #[test]
    fn actions_are_ordered_most_restrictive_first() {
        // The kernel keeps the lowest action read as s32.
        let order = [
            KILL_PROCESS,
            KILL_THREAD,
            TRAP,
            ERRNO,
            USER_NOTIF,
            TRACE,
            LOG,
            ALLOW,
        ];
        assert!(order.windows(2).all(|w| (w[0] as i32) < (w[1] as i32)));
    }

    #[test]
    fn decodes_and_prints() {
        assert_eq!(Action::from_verdict(errno(13)), Action::Errno(13));
        assert_eq!(Action::from_verdict(ALLOW | 7), Action::Allow);
        assert_eq!(
            Action::from_verdict(0x0001_0000),
            Action::Unknown(0x0001_0000)
        );
        assert_eq!(
            std::format!("{}", Action::from_verdict(errno(13))),
            "ERRNO(13)"
        );
        assert_eq!(
            std::format!("{}", Action::from_verdict(trace(1))),
            "TRACE(0x1)"
        );
        assert_eq!(std::format!("{}", Action::from_verdict(0)), "KILL_THREAD");
        assert_eq!(
            std::format!("{}", Action::from_verdict(KILL_PROCESS)),
            "KILL_PROCESS"
        );
        assert_eq!(
            std::format!("{}", Action::Unknown(0x0001_0000)),
            "0x00010000"
        );
    }
}
