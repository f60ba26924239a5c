//! rt: the freestanding runtime.
//!
//! What a C runtime would give a program, and no more: the process
//! arguments, environment and auxiliary vector ([`args`]), stdout and
//! stderr writers over `core::fmt` ([`io`]), the panic path
//! ([`panic`]), threads on mmap'd stacks ([`thread`]), futex-based
//! waiting ([`sync`]) and the read-only-after-start region
//! ([`lockdown`]). The entry point and the `mem*` symbols live in
//! `entry.rs` and `mem.rs`, compiled into the binaries only.
//!
//! Must not: allocate, spin while waiting, or leave the sandbox running
//! after husk itself fails.

pub mod args;
pub mod exec;
pub mod io;
pub mod lockdown;
pub mod panic;
pub mod process;
pub mod sync;
pub mod thread;

use crate::sys::file::{self, Dir};

/// Sets the runtime up. Called once by `_start`, before any other husk
/// code runs.
///
/// 1. Records argc/argv/envp/auxv.
/// 2. Makes sure fds 0, 1 and 2 are open (on `/dev/null` if not), so a
///    file husk opens can never become its "stderr" by accident.
/// 3. Makes the RELRO segment read-only (a static binary has no dynamic
///    loader to do it).
///
/// # Safety
/// `sp` must be the initial stack pointer the kernel handed to `_start`,
/// and this must be the only call.
pub unsafe fn start(sp: *const usize) {
    // SAFETY: forwarded to our caller's contract.
    unsafe { args::init(sp) };
    ensure_standard_fds();
    protect_relro();
}

fn ensure_standard_fds() {
    for fd in 0..3 {
        if file::fd_flags(fd) == Err(crate::sys::Errno::EBADF) {
            // openat returns the lowest free number: exactly `fd`,
            // since the lower ones are open by now.
            match file::openat(Dir::Cwd, c"/dev/null", libc::O_RDWR, 0) {
                Ok(null) => {
                    let _ = null.into_raw();
                }
                // Without /dev/null there is no safe way to go on:
                // anything husk opened could land on a standard fd.
                Err(_) => crate::sys::process::exit(127),
            }
        }
    }
}

fn protect_relro() {
    let Some((start, len)) = args::relro_range() else {
        return;
    };
    let Some(addr) = core::ptr::NonNull::new(start as *mut u8) else {
        return;
    };
    // SAFETY: the RELRO range holds data the linker marked read-only
    // after relocation; a static non-PIE binary has no relocations to
    // apply, so nothing writes there after start-up.
    let _ = unsafe { crate::sys::mm::mprotect(addr, len, libc::PROT_READ) };
}
