//! Memory mappings: anonymous maps (thread stacks), protection changes,
//! sealing.

use core::ptr::NonNull;

use super::{Result, check, nr, raw};

/// Maps `len` bytes of fresh, zeroed anonymous memory.
pub fn mmap_anonymous(len: usize, prot: i32, flags: i32) -> Result<NonNull<u8>> {
    let flags = flags | libc::MAP_PRIVATE | libc::MAP_ANONYMOUS;
    // SAFETY: with no address hint and no MAP_FIXED the kernel picks
    // an unused range, so no existing memory is affected.
    let addr = check(unsafe {
        raw::syscall6(
            nr::MMAP,
            0,
            len,
            prot as usize,
            flags as usize,
            usize::MAX,
            0,
        )
    })?;
    NonNull::new(addr as *mut u8).ok_or(super::Errno::ENOMEM)
}

/// Unmaps `[addr, addr + len)`.
///
/// # Safety
/// Nothing may use the range afterwards (no live references into it).
pub unsafe fn munmap(addr: NonNull<u8>, len: usize) -> Result<()> {
    // SAFETY: the caller guarantees the range is no longer used.
    check(unsafe { raw::syscall2(nr::MUNMAP, addr.as_ptr() as usize, len) }).map(drop)
}

/// Changes the protection of `[addr, addr + len)`.
///
/// # Safety
/// Removing access must not break live references: memory made
/// read-only must not be written through Rust references afterwards,
/// and memory made inaccessible must not be touched at all.
pub unsafe fn mprotect(addr: NonNull<u8>, len: usize, prot: i32) -> Result<()> {
    // SAFETY: the caller upholds the contract above.
    check(unsafe { raw::syscall3(nr::MPROTECT, addr.as_ptr() as usize, len, prot as usize) })
        .map(drop)
}

/// Seals `[addr, addr + len)` against later mprotect/munmap/mremap
/// (Linux 6.10+; `ENOSYS` on older kernels, `EPERM` where sealing is
/// unavailable to this process).
pub fn mseal(addr: NonNull<u8>, len: usize) -> Result<()> {
    // SAFETY: sealing changes no protection and no contents; it only
    // forbids later changes to the mapping.
    check(unsafe { raw::syscall3(nr::MSEAL, addr.as_ptr() as usize, len, 0) }).map(drop)
}

/// Test helper: a writable page followed by an inaccessible one (never
/// unmapped). Returns the writable page and its address.
#[cfg(test)]
pub fn test_guarded_page() -> (&'static mut [u8], u64) {
    let map = mmap_anonymous(8192, libc::PROT_READ | libc::PROT_WRITE, 0).unwrap();
    let second = NonNull::new(map.as_ptr().wrapping_add(4096)).unwrap();
    // SAFETY: the second page of a fresh mapping, referenced by nothing.
    unsafe { mprotect(second, 4096, libc::PROT_NONE).unwrap() };
    // SAFETY: the first page is ours alone, writable, and never unmapped.
    let page = unsafe { core::slice::from_raw_parts_mut(map.as_ptr(), 4096) };
    (page, map.as_ptr() as u64)
}
