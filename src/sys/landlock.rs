//! Landlock (Linux 5.13+): the ABI question `-C` asks, and the one
//! domain husk puts the sandbox in: signals scoped to it (ABI 6).

use super::{Result, check, nr, raw};

/// `LANDLOCK_CREATE_RULESET_VERSION`.
const CREATE_RULESET_VERSION: usize = 1 << 0;

/// The Landlock ABI version the kernel offers (`ENOSYS` without
/// Landlock, `EOPNOTSUPP` when built in but disabled at boot).
pub fn abi_version() -> Result<u32> {
    // SAFETY: with a NULL attribute pointer, size 0 and the VERSION
    // flag, the kernel reads and writes no memory.
    check(unsafe { raw::syscall3(nr::LANDLOCK_CREATE_RULESET, 0, 0, CREATE_RULESET_VERSION) })
        .map(|v| v as u32)
}

/// `struct landlock_ruleset_attr` (ABI 6: with `scoped`).
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// `LANDLOCK_SCOPE_SIGNAL` (ABI 6, Linux 6.12).
pub const SCOPE_SIGNAL: u64 = 1 << 1;

/// Puts the calling thread (and all it starts from now on) in a new
/// Landlock domain that handles no file or network access and scopes
/// signals: it may signal only processes of its own domain (and those
/// it nests). Needs no-new-privs; `EINVAL`/`E2BIG` before ABI 6.
pub fn scope_signals() -> Result<()> {
    let attr = RulesetAttr {
        handled_access_fs: 0,
        handled_access_net: 0,
        scoped: SCOPE_SIGNAL,
    };
    // SAFETY: `attr` is a live ruleset attribute of the size passed;
    // the kernel only reads it. A success is a new descriptor.
    let fd = check(unsafe {
        raw::syscall3(
            nr::LANDLOCK_CREATE_RULESET,
            &attr as *const RulesetAttr as usize,
            core::mem::size_of::<RulesetAttr>(),
            0,
        )
    })?;
    // SAFETY: a fresh descriptor, ours to close.
    let fd = unsafe { super::fd::OwnedFd::from_raw(fd as super::fd::RawFd) };
    // SAFETY: no memory is passed.
    check(unsafe {
        raw::syscall2(
            nr::LANDLOCK_RESTRICT_SELF,
            super::fd::AsFd::as_fd(&fd).raw() as usize,
            0,
        )
    })
    .map(drop)
}
