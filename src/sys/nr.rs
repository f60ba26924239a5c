//! System call numbers: `sc`'s per-architecture tables (husk's own
//! `nr_arm.rs` on 32-bit ARM) plus the newer calls they lack.
//!
//! Since Linux 5.1 (424, `pidfd_send_signal`) new calls get the same
//! number on every architecture, so one small table covers the calls
//! added after `sc` was last updated (it stops at 442).

#[cfg(not(target_arch = "arm"))]
pub use sc::nr::*;

#[cfg(target_arch = "arm")]
#[path = "nr_arm.rs"]
mod arm;
#[cfg(target_arch = "arm")]
pub use arm::*;

/// 32-bit ARM under the names husk's wrappers use elsewhere: the calls
/// with full-width ids, 64-bit offsets and 64-bit `stat` fields. The
/// kernel's calls of these names on arm take 16-bit ids (`getuid` is 24
/// there), or do not exist (`newfstatat`, `mmap`); husk never issues
/// those.
#[cfg(target_arch = "arm")]
#[allow(missing_docs)]
mod arm_full_width {
    pub const GETUID: usize = super::GETUID32;
    pub const SETRESUID: usize = super::SETRESUID32;
    pub const SETRESGID: usize = super::SETRESGID32;
    pub const SETGROUPS: usize = super::SETGROUPS32;
    pub const SETFSUID: usize = super::SETFSUID32;
    pub const SETFSGID: usize = super::SETFSGID32;
    pub const FCHOWN: usize = super::FCHOWN32;
    /// `fstatat64`: `struct stat64`, not `struct stat`.
    pub const NEWFSTATAT: usize = super::FSTATAT64;
    /// `mmap2`: the offset counts 4096-byte units (husk maps at 0 only).
    pub const MMAP: usize = super::MMAP2;
}
#[cfg(target_arch = "arm")]
pub use arm_full_width::*;

/// Linux 5.14.
pub const QUOTACTL_FD: usize = 443;
/// Linux 5.13.
pub const LANDLOCK_CREATE_RULESET: usize = 444;
/// Linux 5.13.
pub const LANDLOCK_ADD_RULE: usize = 445;
/// Linux 5.13.
pub const LANDLOCK_RESTRICT_SELF: usize = 446;
/// Linux 5.14.
pub const MEMFD_SECRET: usize = 447;
/// Linux 5.15.
pub const PROCESS_MRELEASE: usize = 448;
/// Linux 5.16.
pub const FUTEX_WAITV: usize = 449;
/// Linux 5.17.
pub const SET_MEMPOLICY_HOME_NODE: usize = 450;
/// Linux 6.5.
pub const CACHESTAT: usize = 451;
/// Linux 6.6.
pub const FCHMODAT2: usize = 452;
/// Linux 6.6.
pub const MAP_SHADOW_STACK: usize = 453;
/// Linux 6.7.
pub const FUTEX_WAKE: usize = 454;
/// Linux 6.7.
pub const FUTEX_WAIT: usize = 455;
/// Linux 6.7.
pub const FUTEX_REQUEUE: usize = 456;
/// Linux 6.8.
pub const STATMOUNT: usize = 457;
/// Linux 6.8.
pub const LISTMOUNT: usize = 458;
/// Linux 6.8.
pub const LSM_GET_SELF_ATTR: usize = 459;
/// Linux 6.8.
pub const LSM_SET_SELF_ATTR: usize = 460;
/// Linux 6.8.
pub const LSM_LIST_MODULES: usize = 461;
/// Linux 6.10.
pub const MSEAL: usize = 462;
/// Linux 6.13.
pub const SETXATTRAT: usize = 463;
/// Linux 6.13.
pub const GETXATTRAT: usize = 464;
/// Linux 6.13.
pub const LISTXATTRAT: usize = 465;
/// Linux 6.13.
pub const REMOVEXATTRAT: usize = 466;
/// Linux 6.15.
pub const OPEN_TREE_ATTR: usize = 467;
/// Linux 6.17.
pub const FILE_GETATTR: usize = 468;
/// Linux 6.17.
pub const FILE_SETATTR: usize = 469;

/// The highest system call number husk knows on any supported
/// architecture. The sandbox filter answers ENOSYS above the native
/// table, so a libc probing a call newer than husk falls back.
pub const HIGHEST_KNOWN: usize = FILE_SETATTR;

/// The old `getdents` where the architecture has it (x86_64, arm);
/// elsewhere `getdents64` again, so one table covers both.
#[cfg(any(target_arch = "x86_64", target_arch = "arm"))]
pub const GETDENTS_OLD: usize = GETDENTS;
/// The old `getdents` where the architecture has it (x86_64, arm);
/// elsewhere `getdents64` again, so one table covers both.
#[cfg(not(any(target_arch = "x86_64", target_arch = "arm")))]
pub const GETDENTS_OLD: usize = GETDENTS64;
