//! Acting as the caller: the credentials a notify worker (or a
//! blocking-call helper) takes on while it performs a call for a
//! sandboxed thread, so the kernel judges permissions as it would have
//! for the caller. (In ptrace mode the caller makes its own calls.)
//!
//! A sandboxed process has husk's credentials unless it changes them:
//! no-new-privs stops set-id programs, so only the set-id and capset
//! calls can. The notify transport watches those ([`CHANGING`]); until
//! one has been made, credentials are not looked at. After that, every
//! performed call first reads the caller's (`/proc/TID/status`), and
//! where they differ from husk's the thread switches its effective and
//! file system ids, groups and effective capabilities (all per thread),
//! and switches back afterwards. The effective ids are what a peer
//! sees of a connection husk makes for the caller (`SO_PEERCRED`);
//! the pid it sees is husk's. A husk that is not root cannot act as
//! another user: the call is refused with EACCES (closed).

use core::sync::atomic::{AtomicBool, Ordering};

use super::proc::{self, Creds};
use crate::sys::process::{self, Caps, Pid};
use crate::sys::{Errno, Result};

/// The calls that change credentials.
pub const CHANGING: &[&str] = &[
    "setuid",
    "setgid",
    "setreuid",
    "setregid",
    "setresuid",
    "setresgid",
    "setfsuid",
    "setfsgid",
    "setgroups",
    "capset",
];

/// Whether any sandboxed process may have changed its credentials.
static CHANGED: AtomicBool = AtomicBool::new(false);
/// husk's own, read before any thread switched.
static HUSK: spin::Once<Option<Creds>> = spin::Once::new();

/// A credential-changing call is about to run: from now on, look.
pub fn changing() {
    HUSK.call_once(|| proc::creds(None).ok());
    CHANGED.store(true, Ordering::SeqCst);
}

/// Whether every sandboxed thread still has husk's own credentials (no
/// call that changes them has been made): a look husk takes for a
/// caller then sees what the caller would.
pub fn unchanged() -> bool {
    !CHANGED.load(Ordering::SeqCst)
}

/// Gives a new thread husk's own credentials back: a thread inherits
/// its creator's, and helpers are started by workers that may be acting
/// as a caller at that moment. Called first thing by every thread that
/// performs calls; stops husk if it cannot (closed).
pub fn thread_start() {
    // Never set: nobody has acted as anyone, the creator included.
    if !CHANGED.load(Ordering::SeqCst) {
        return;
    }
    let Some(husk) = HUSK.get().and_then(Option::as_ref) else {
        panic!("husk's own credentials are unknown");
    };
    let Ok(mine) = process::caps() else {
        panic!("a thread cannot read its capabilities");
    };
    // The permitted set is never changed by acting: husk's effective
    // set is within it.
    let mut guard = AsCaller {
        saved: Some(Caps {
            effective: husk.cap_effective,
            ..mine
        }),
    };
    guard.restore();
}

/// Acting as a caller, until dropped.
pub struct AsCaller {
    saved: Option<Caps>,
}

impl AsCaller {
    /// Takes on the credentials of `tid` where they differ from husk's
    /// (`real`: its real ids, as `access` checks with).
    pub fn enter(tid: Pid, real: bool) -> Result<AsCaller> {
        let none = AsCaller { saved: None };
        if !CHANGED.load(Ordering::SeqCst) {
            return Ok(none);
        }
        let husk = HUSK.get().and_then(Option::as_ref).ok_or(Errno::EACCES)?;
        let caller = proc::creds(Some(tid))?;
        let (uid, gid) = if real {
            (caller.uid[0], caller.gid[0])
        } else {
            (caller.uid[3], caller.gid[3])
        };
        let caps = if real && uid != 0 {
            0
        } else {
            caller.cap_effective
        };
        // A husk that is not root holds no capabilities to lend; a caller
        // can only have gained some inside a user namespace of its own,
        // where they do not reach husk's files. Only ids matter then.
        let caps_matter = husk.uid[1] == 0;
        let (euid, egid) = (caller.uid[1], caller.gid[1]);
        if uid == husk.uid[3]
            && gid == husk.gid[3]
            && euid == husk.uid[1]
            && egid == husk.gid[1]
            && caller.groups == husk.groups
            && (!caps_matter || caps == husk.cap_effective)
        {
            return Ok(none);
        }
        if husk.uid[1] != 0 {
            return Err(Errno::EACCES);
        }
        let mine = process::caps()?;
        let mut guard = AsCaller { saved: Some(mine) };
        process::set_groups(&caller.groups)?;
        // The effective ids first: a user id leaving 0 clears the
        // effective capabilities, given back before the rest.
        if process::set_effective_gid(egid)
            .and_then(|()| process::set_effective_uid(euid))
            .and_then(|()| process::set_caps(mine))
            .is_err()
        {
            guard.restore();
            return Err(Errno::EPERM);
        }
        process::set_fs_gid(gid);
        process::set_fs_uid(uid);
        // CAP_SYS_PTRACE stays: it decides no file permission, and the
        // worker still needs it to reach the caller's descriptors and
        // /proc entries.
        const SYS_PTRACE: u64 = 1 << 19;
        process::set_caps(Caps {
            effective: (caps & mine.permitted) | (mine.effective & SYS_PTRACE),
            ..mine
        })?;
        // Confirm: setfsuid reports failure only by not changing.
        if process::set_fs_uid(uid) != uid || process::set_fs_gid(gid) != gid {
            guard.restore();
            return Err(Errno::EPERM);
        }
        Ok(guard)
    }

    /// Whether the thread took on other credentials than husk's.
    pub fn switched(&self) -> bool {
        self.saved.is_some()
    }

    fn restore(&mut self) {
        let Some(mine) = self.saved.take() else {
            return;
        };
        let Some(husk) = HUSK.get().and_then(Option::as_ref) else {
            panic!("husk's own credentials are unknown");
        };
        // The effective ids first (husk's real and saved ids are
        // untouched, so no capability is needed, and the permitted set
        // is intact), then capabilities: setgroups needs CAP_SETGID back.
        let ids = process::set_effective_uid(husk.uid[1])
            .and_then(|()| process::set_effective_gid(husk.gid[1]));
        let caps = process::set_caps(mine);
        process::set_fs_uid(husk.uid[3]);
        process::set_fs_gid(husk.gid[3]);
        // A thread left with a caller's credentials must not serve the
        // next caller: stop husk (and the sandbox with it) instead.
        if ids.is_err()
            || caps.is_err()
            || process::set_groups(&husk.groups).is_err()
            || process::set_fs_uid(husk.uid[3]) != husk.uid[3]
            || process::set_fs_gid(husk.gid[3]) != husk.gid[3]
        {
            panic!("a worker cannot return to husk's credentials");
        }
    }
}

impl Drop for AsCaller {
    fn drop(&mut self) {
        self.restore();
    }
}
