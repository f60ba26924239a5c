//! Landlock (Linux 5.13+). For now only the ABI question `-C` asks.

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
