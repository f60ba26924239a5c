//! `memcpy`, `memmove`, `memset`, `memcmp`, `bcmp`, `strlen`.
//!
//! The compiler emits calls to these for copies, fills and
//! comparisons; with no libc someone must define them, and
//! `compiler_builtins` does not on Linux targets. This file is compiled
//! into each freestanding binary whose crate root is `#![no_builtins]`,
//! so the loops below are never turned back into calls to themselves.
//! (The library and the std test programs use libc's versions.)
//!
//! x86_64 uses `rep movsb`/`rep stosb`, fast on every CPU with ERMS;
//! the other architectures copy a word at a time where they can.

#[cfg(target_arch = "x86_64")]
mod imp {
    use core::arch::asm;

    /// # Safety
    /// `dst` and `src` valid for `n` bytes and not overlapping.
    pub unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: the caller guarantees both ranges are valid; rep movsb
        // copies exactly `n` bytes upward (the direction flag is clear
        // per the ABI).
        unsafe {
            asm!("rep movsb", inout("rcx") n => _, inout("rdi") dst => _, inout("rsi") src => _,
                options(nostack, preserves_flags));
        }
    }

    /// # Safety
    /// `dst` and `src` valid for `n` bytes; may overlap with dst > src.
    pub unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
        // SAFETY: with the direction flag set rep movsb copies downward
        // from the last byte, which is correct for dst above src; the
        // flag is cleared again before returning, as the ABI requires.
        unsafe {
            asm!("std", "rep movsb", "cld",
                inout("rcx") n => _,
                inout("rdi") dst.add(n).wrapping_sub(1) => _,
                inout("rsi") src.add(n).wrapping_sub(1) => _,
                options(nostack));
        }
    }

    /// # Safety
    /// `dst` valid for `n` bytes.
    pub unsafe fn fill(dst: *mut u8, byte: u8, n: usize) {
        // SAFETY: the caller guarantees `dst..dst+n` is writable.
        unsafe {
            asm!("rep stosb", inout("rcx") n => _, inout("rdi") dst => _, in("al") byte,
                options(nostack, preserves_flags));
        }
    }
}

#[cfg(not(target_arch = "x86_64"))]
mod imp {
    const WORD: usize = core::mem::size_of::<usize>();

    /// # Safety
    /// `dst` and `src` valid for `n` bytes, dst not above an overlapping src.
    pub unsafe fn copy_forward(dst: *mut u8, src: *const u8, n: usize) {
        let mut i = 0;
        // SAFETY: every access is inside `0..n` of ranges the caller
        // guarantees valid; unaligned word accesses are allowed on the
        // supported targets through read/write_unaligned.
        unsafe {
            while i + WORD <= n {
                let w = (src.add(i) as *const usize).read_unaligned();
                (dst.add(i) as *mut usize).write_unaligned(w);
                i += WORD;
            }
            while i < n {
                *dst.add(i) = *src.add(i);
                i += 1;
            }
        }
    }

    /// # Safety
    /// `dst` and `src` valid for `n` bytes; may overlap with dst > src.
    pub unsafe fn copy_backward(dst: *mut u8, src: *const u8, n: usize) {
        let mut i = n;
        // SAFETY: as copy_forward, walking down so an overlapping source
        // is read before it is overwritten.
        unsafe {
            while i >= WORD {
                i -= WORD;
                let w = (src.add(i) as *const usize).read_unaligned();
                (dst.add(i) as *mut usize).write_unaligned(w);
            }
            while i > 0 {
                i -= 1;
                *dst.add(i) = *src.add(i);
            }
        }
    }

    /// # Safety
    /// `dst` valid for `n` bytes.
    pub unsafe fn fill(dst: *mut u8, byte: u8, n: usize) {
        let word = usize::from_ne_bytes([byte; WORD]);
        let mut i = 0;
        // SAFETY: every access is inside `dst..dst+n`.
        unsafe {
            while i + WORD <= n {
                (dst.add(i) as *mut usize).write_unaligned(word);
                i += WORD;
            }
            while i < n {
                *dst.add(i) = byte;
                i += 1;
            }
        }
    }
}

/// # Safety
/// C's contract: both ranges valid for `n` bytes, not overlapping.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded to the caller's contract.
    unsafe { imp::copy_forward(dst, src, n) };
    dst
}

/// # Safety
/// C's contract: both ranges valid for `n` bytes; they may overlap.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // A forward copy is correct unless the destination starts inside
    // the source.
    // SAFETY: forwarded to the caller's contract; the direction is
    // chosen so overlapping bytes are read before they are written.
    unsafe {
        if (dst as usize).wrapping_sub(src as usize) >= n {
            imp::copy_forward(dst, src, n);
        } else {
            imp::copy_backward(dst, src, n);
        }
    }
    dst
}

/// # Safety
/// C's contract: `dst` valid for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memset(dst: *mut u8, c: i32, n: usize) -> *mut u8 {
    // SAFETY: forwarded to the caller's contract.
    unsafe { imp::fill(dst, c as u8, n) };
    dst
}

/// # Safety
/// C's contract: both ranges readable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn memcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    let mut i = 0;
    while i < n {
        // SAFETY: `i < n` and both ranges are readable for `n` bytes.
        let (x, y) = unsafe { (*a.add(i), *b.add(i)) };
        if x != y {
            return x as i32 - y as i32;
        }
        i += 1;
    }
    0
}

/// # Safety
/// C's contract: both ranges readable for `n` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn bcmp(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY: same contract as memcmp; only zero/non-zero matters.
    unsafe { memcmp(a, b, n) }
}

/// # Safety
/// C's contract: `s` points to a NUL-terminated string.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn strlen(s: *const u8) -> usize {
    let mut n = 0;
    // SAFETY: the string is NUL-terminated, so every byte up to and
    // including the terminator is readable.
    while unsafe { *s.add(n) } != 0 {
        n += 1;
    }
    n
}
