//! Installing a verified filter on the calling thread: seccomp(2).
//!
//! The one `unsafe` block of the BPF layer. [`install`] accepts only a
//! [`Verified`] program, so the kernel never sees something husk did
//! not check, and sets `PR_SET_NO_NEW_PRIVS` itself first: the kernel
//! requires it (or CAP_SYS_ADMIN, which husk never relies on), it can
//! only be turned on, and husk wants it on wherever it installs a
//! filter, so asking callers to remember it would only add a way to
//! fail. Installing again stacks a new filter; the kernel keeps the
//! most restrictive verdict of all of them.
//!
//! `SECCOMP_FILTER_FLAG_TSYNC` without `SECCOMP_FILTER_FLAG_TSYNC_ESRCH`
//! is refused with EINVAL before any call: on failure it makes the
//! kernel return a thread id instead of an error, which this function's
//! result cannot express.
//!
//! Must not: install an unverified program, or leave the caller
//! unconfined while reporting success.

use super::insn::Insn;
use super::verify::Verified;
use crate::sys::{self, Errno, OwnedFd, nr, raw};

/// `SECCOMP_FILTER_FLAG_TSYNC`: install on every thread of the process.
pub const FLAG_TSYNC: u32 = 1 << 0;
/// `SECCOMP_FILTER_FLAG_LOG`: log every action except ALLOW.
pub const FLAG_LOG: u32 = 1 << 1;
/// `SECCOMP_FILTER_FLAG_SPEC_ALLOW`: keep speculative-store-bypass
/// mitigation off.
pub const FLAG_SPEC_ALLOW: u32 = 1 << 2;
/// `SECCOMP_FILTER_FLAG_NEW_LISTENER`: return a user-notification fd.
pub const FLAG_NEW_LISTENER: u32 = 1 << 3;
/// `SECCOMP_FILTER_FLAG_TSYNC_ESRCH`: a TSYNC failure is ESRCH.
pub const FLAG_TSYNC_ESRCH: u32 = 1 << 4;
/// `SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV`: a notified task waits
/// killably once its notification was received.
pub const FLAG_WAIT_KILLABLE_RECV: u32 = 1 << 5;

// `struct sock_fprog` points at `struct sock_filter`s; ours are `Insn`s.
const _: () = {
    use core::mem::{align_of, offset_of, size_of};
    assert!(size_of::<Insn>() == size_of::<libc::sock_filter>());
    assert!(align_of::<Insn>() == align_of::<libc::sock_filter>());
    assert!(offset_of!(Insn, code) == offset_of!(libc::sock_filter, code));
    assert!(offset_of!(Insn, jt) == offset_of!(libc::sock_filter, jt));
    assert!(offset_of!(Insn, jf) == offset_of!(libc::sock_filter, jf));
    assert!(offset_of!(Insn, k) == offset_of!(libc::sock_filter, k));
};

/// Installs `prog` on the calling thread (all threads with TSYNC)
/// after setting no-new-privs. Returns the listener fd when `flags`
/// has [`FLAG_NEW_LISTENER`], else `None`.
pub fn install(prog: &Verified<'_>, flags: u32) -> Result<Option<OwnedFd>, Errno> {
    if flags & FLAG_TSYNC != 0 && flags & FLAG_TSYNC_ESRCH == 0 {
        return Err(Errno::EINVAL);
    }
    sys::process::set_no_new_privs()?;
    let insns = prog.insns();
    let fprog = libc::sock_fprog {
        // A verified program has 1..=4096 instructions: fits u16.
        len: insns.len() as u16,
        filter: insns.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: `fprog` points at `len` instructions that live, unmoved,
    // in `prog` for the duration of the call; `Insn` has the layout of
    // `sock_filter` (checked at build time above). The kernel only
    // reads them (copy_from_user), despite the `*mut` in the C type.
    // Installing a filter changes no memory Rust can see; its effect,
    // confining this thread, is what the caller asked for.
    let ret = unsafe {
        raw::syscall3(
            nr::SECCOMP,
            libc::SECCOMP_SET_MODE_FILTER as usize,
            flags as usize,
            &fprog as *const libc::sock_fprog as usize,
        )
    };
    let fd = sys::check(ret)?;
    if flags & FLAG_NEW_LISTENER != 0 {
        // SAFETY: with NEW_LISTENER a successful call returns a new
        // descriptor that nothing else owns.
        Ok(Some(unsafe { OwnedFd::from_raw(fd as sys::RawFd) }))
    } else {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_match_libc() {
        let pairs = [
            (FLAG_TSYNC, libc::SECCOMP_FILTER_FLAG_TSYNC),
            (FLAG_LOG, libc::SECCOMP_FILTER_FLAG_LOG),
            (FLAG_SPEC_ALLOW, libc::SECCOMP_FILTER_FLAG_SPEC_ALLOW),
            (FLAG_NEW_LISTENER, libc::SECCOMP_FILTER_FLAG_NEW_LISTENER),
            (FLAG_TSYNC_ESRCH, libc::SECCOMP_FILTER_FLAG_TSYNC_ESRCH),
            (
                FLAG_WAIT_KILLABLE_RECV,
                libc::SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV,
            ),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(ours as libc::c_ulong, theirs);
        }
    }

    #[test]
    fn tsync_without_esrch_is_refused_before_any_call() {
        let p = [Insn::ret_allow()];
        let v = crate::bpf::verify::verify(&p).unwrap();
        // Nothing is installed (this is the test process): EINVAL comes
        // from the check, not the kernel, and no-new-privs stays as it was.
        let before = crate::sys::process::no_new_privs().unwrap();
        assert_eq!(install(&v, FLAG_TSYNC).unwrap_err(), Errno::EINVAL);
        assert_eq!(crate::sys::process::no_new_privs().unwrap(), before);
    }

    // Installing for real confines the process; that is tested in a
    // forked child by `husk-selftest bpf-kernel`.
}
