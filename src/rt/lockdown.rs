//! The read-only-after-start region.
//!
//! State that husk fills in while it starts (the parsed policy, every
//! seccomp filter) lives in [`Locked`] cells placed in the
//! `.husk_lockdown` section (see `linker/husk.ld`). Before the sandboxed
//! command runs, [`seal`] makes the whole section read-only and, where
//! the kernel has mseal(2) (Linux 6.10+), seals it so it can never be
//! made writable again. From then on a stray write, or an attacker's
//! write primitive, faults instead of changing the policy.
//!
//! Declare a cell with [`locked!`](crate::locked):
//!
//! ```ignore
//! locked! { static POLICY: Policy = Policy::new(); }
//! ```
//!
//! The initial value must be all zero bytes (the section is NOBITS: it
//! takes no file space), which the heapless containers and integers of
//! husk's tables are.
//!
//! Rules, enforced at run time: [`Locked::with_mut`] works only before
//! sealing and never re-entrantly; [`Locked::get`] works only after.
//! A shared `&T` therefore never coexists with a `&mut T`.

use core::cell::UnsafeCell;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use crate::sys::{Errno, mm};

/// A cell in the read-only-after-start region.
#[repr(transparent)]
pub struct Locked<T>(UnsafeCell<T>);

// SAFETY: mutable access is confined to the start-up phase and
// serialised by WRITER (one `with_mut` at a time, from any thread);
// afterwards the memory is read-only and only shared references exist.
unsafe impl<T: Sync> Sync for Locked<T> {}

/// Set while a `with_mut` closure runs.
static WRITER: AtomicBool = AtomicBool::new(false);

const OPEN: u8 = 0;
const SEALED: u8 = 1;
static STATE: AtomicU8 = AtomicU8::new(OPEN);

/// How the region was protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sealing {
    /// Read-only and sealed with mseal(2).
    Sealed,
    /// Read-only; this kernel cannot seal (errno says why).
    ReadOnly(Errno),
}

impl<T> Locked<T> {
    /// A cell holding `value`. Use through [`locked!`](crate::locked),
    /// which places it in the region.
    pub const fn new(value: T) -> Locked<T> {
        Locked(UnsafeCell::new(value))
    }

    /// Runs `f` with write access, before [`seal`]. Panics if the
    /// region is sealed or another `with_mut` is running: both are bugs.
    pub fn with_mut<R>(&'static self, f: impl FnOnce(&mut T) -> R) -> R {
        assert!(
            STATE.load(Ordering::Acquire) == OPEN,
            "lockdown region written after sealing"
        );
        assert!(
            !WRITER.swap(true, Ordering::Acquire),
            "lockdown region written re-entrantly"
        );
        // SAFETY: the region is still writable (not sealed), WRITER
        // guarantees this is the only live `&mut`, and no `&T` exists
        // because `get` refuses to run before sealing.
        let result = f(unsafe { &mut *self.0.get() });
        WRITER.store(false, Ordering::Release);
        result
    }

    /// Reads the cell, after [`seal`]. Panics before: reading while
    /// start-up may still write would be a bug.
    pub fn get(&'static self) -> &'static T {
        assert!(
            STATE.load(Ordering::Acquire) == SEALED,
            "lockdown region read before sealing"
        );
        // SAFETY: after sealing no `&mut` can be created again
        // (`with_mut` refuses) and the memory is read-only.
        unsafe { &*self.0.get() }
    }
}

/// Declares statics in the read-only-after-start region.
#[macro_export]
macro_rules! locked {
    ($($(#[$meta:meta])* $vis:vis static $name:ident: $ty:ty = $init:expr;)+) => {$(
        $(#[$meta])*
        // The section holds nothing but these zero-initialised cells;
        // linker/husk.ld places it on its own pages.
        #[allow(unsafe_code)]
        #[unsafe(link_section = ".bss.husk_lockdown")]
        $vis static $name: $crate::rt::lockdown::Locked<$ty> = $crate::rt::lockdown::Locked::new($init);
    )+};
}

// Defined by linker/husk.ld around the region; only their addresses
// are used. The std-linked unit tests have no such script.
#[cfg(not(test))]
unsafe extern "C" {
    static __husk_lockdown_start: u8;
    static __husk_lockdown_end: u8;
}

/// The region's address range (page-aligned), empty if not linked in.
#[cfg(not(test))]
pub fn region() -> (usize, usize) {
    // Taking the address of a linker-defined symbol reads no memory.
    (
        &raw const __husk_lockdown_start as usize,
        &raw const __husk_lockdown_end as usize,
    )
}

/// The region's address range: empty in unit tests.
#[cfg(test)]
pub fn region() -> (usize, usize) {
    (0, 0)
}

/// Whether [`seal`] has run.
pub fn is_sealed() -> bool {
    STATE.load(Ordering::Acquire) == SEALED
}

/// Makes the region read-only, and seals it where the kernel can.
/// Idempotent. An mprotect failure is returned: the caller must not
/// start the sandbox with a writable policy.
pub fn seal() -> Result<Sealing, Errno> {
    assert!(
        !WRITER.load(Ordering::Acquire),
        "lockdown region sealed during a write"
    );
    let (start, end) = region();
    let sealing = match NonNull::new(start as *mut u8) {
        Some(addr) if end > start => {
            // SAFETY: no `&mut` into the region exists (WRITER is
            // clear); after this, `with_mut` refuses to create one.
            unsafe { mm::mprotect(addr, end - start, libc::PROT_READ)? };
            match mm::mseal(addr, end - start) {
                Ok(()) => Sealing::Sealed,
                Err(e) => Sealing::ReadOnly(e),
            }
        }
        // Nothing linked into the region (e.g. the std test build).
        _ => Sealing::ReadOnly(Errno::ENOSYS),
    };
    STATE.store(SEALED, Ordering::Release);
    Ok(sealing)
}
