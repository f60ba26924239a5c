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

/// `struct landlock_ruleset_attr` (ABI 6: with `scoped`; older kernels
/// take the larger struct as long as the fields they lack are zero).
#[repr(C)]
struct RulesetAttr {
    handled_access_fs: u64,
    handled_access_net: u64,
    scoped: u64,
}

/// `LANDLOCK_SCOPE_SIGNAL` (ABI 6, Linux 6.12).
pub const SCOPE_SIGNAL: u64 = 1 << 1;

/// File-system access rights (`LANDLOCK_ACCESS_FS_*`), ABI 1 unless
/// noted.
pub mod access {
    /// Execute a file.
    pub const EXECUTE: u64 = 1 << 0;
    /// Open a file with write access.
    pub const WRITE_FILE: u64 = 1 << 1;
    /// Open a file with read access.
    pub const READ_FILE: u64 = 1 << 2;
    /// Open a directory or list its content.
    pub const READ_DIR: u64 = 1 << 3;
    /// Remove an empty directory or rename one.
    pub const REMOVE_DIR: u64 = 1 << 4;
    /// Unlink (or rename) a file.
    pub const REMOVE_FILE: u64 = 1 << 5;
    /// Create (or rename or link) a character device.
    pub const MAKE_CHAR: u64 = 1 << 6;
    /// Create (or rename) a directory.
    pub const MAKE_DIR: u64 = 1 << 7;
    /// Create (or rename or link) a regular file.
    pub const MAKE_REG: u64 = 1 << 8;
    /// Create (or rename or link) a UNIX domain socket.
    pub const MAKE_SOCK: u64 = 1 << 9;
    /// Create (or rename or link) a named pipe.
    pub const MAKE_FIFO: u64 = 1 << 10;
    /// Create (or rename or link) a block device.
    pub const MAKE_BLOCK: u64 = 1 << 11;
    /// Create (or rename or link) a symbolic link.
    pub const MAKE_SYM: u64 = 1 << 12;
    /// Link or rename a file from or to another directory (ABI 2).
    pub const REFER: u64 = 1 << 13;
    /// Truncate a file (ABI 3).
    pub const TRUNCATE: u64 = 1 << 14;
    /// The rights a rule on a file (not a directory) may carry.
    pub const FILE: u64 = EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE;
}

/// `LANDLOCK_RULE_PATH_BENEATH`.
const RULE_PATH_BENEATH: usize = 1;

/// `struct landlock_path_beneath_attr`: packed in the kernel's ABI.
#[repr(C, packed)]
struct PathBeneath {
    allowed_access: u64,
    parent_fd: i32,
}

/// A ruleset being built (a Landlock descriptor, close-on-exec).
pub struct Ruleset(super::fd::OwnedFd);

impl Ruleset {
    /// A ruleset that handles file-system rights `fs` (denied unless a
    /// rule grants them) and scopes `scoped` (`SCOPE_*`).
    pub fn new(fs: u64, scoped: u64) -> Result<Ruleset> {
        let attr = RulesetAttr {
            handled_access_fs: fs,
            handled_access_net: 0,
            scoped,
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
        Ok(Ruleset(unsafe {
            super::fd::OwnedFd::from_raw(fd as super::fd::RawFd)
        }))
    }

    /// Grants `access` on the object `dir` names (opened `O_PATH`):
    /// that file, or that directory and everything beneath it.
    pub fn allow(&self, dir: super::fd::BorrowedFd<'_>, access: u64) -> Result<()> {
        let attr = PathBeneath {
            allowed_access: access,
            parent_fd: dir.raw(),
        };
        // SAFETY: `attr` is a live path-beneath attribute; the kernel
        // only reads it.
        check(unsafe {
            raw::syscall4(
                nr::LANDLOCK_ADD_RULE,
                super::fd::AsFd::as_fd(&self.0).raw() as usize,
                RULE_PATH_BENEATH,
                &attr as *const PathBeneath as usize,
                0,
            )
        })
        .map(drop)
    }

    /// Puts the calling thread (and all it starts from now on) in the
    /// ruleset's domain. Needs no-new-privs.
    pub fn restrict_self(&self) -> Result<()> {
        // SAFETY: no memory is passed.
        check(unsafe {
            raw::syscall2(
                nr::LANDLOCK_RESTRICT_SELF,
                super::fd::AsFd::as_fd(&self.0).raw() as usize,
                0,
            )
        })
        .map(drop)
    }
}

/// Puts the calling thread (and all it starts from now on) in a new
/// Landlock domain that handles no file or network access and scopes
/// signals: it may signal only processes of its own domain (and those
/// it nests). Needs no-new-privs; `EINVAL`/`E2BIG` before ABI 6.
pub fn scope_signals() -> Result<()> {
    Ruleset::new(0, SCOPE_SIGNAL)?.restrict_self()
}
