//! 32-bit ARM system call entry (EABI), in place of the `sc` crate,
//! whose arm backend needs nightly Rust (`llvm_asm!`).
//!
//! The EABI convention: the number in r7, arguments in r0..r5, `svc 0`,
//! the result (or `-errno`) in r0; every other register is preserved.
//! The functions have `sc`'s names and signatures, so `raw` forwards to
//! either unchanged.
//!
//! r7 is an operand here, which rustc accepts only when r7 is not the
//! frame pointer: in ARM (A32) state, the default of
//! `armv7-unknown-linux-gnueabihf` (its frame pointer is r11). LLVM
//! saves and restores r7 around the call as a callee-saved register. A
//! Thumb build (`-C target-feature=+thumb-mode`, where r7 is the frame
//! pointer) fails to compile here rather than miscompile.
//!
//! Must not: be used on any other architecture (the module is compiled
//! for arm only).

use core::arch::asm;

/// Issues system call `n` with no argument.
///
/// # Safety
/// As `raw::syscall0`: the call must have no effect Rust cannot see.
#[inline(always)]
pub unsafe fn syscall0(n: usize) -> usize {
    let ret;
    // SAFETY: `svc 0` enters the kernel, which clobbers only r0 (the
    // result); the caller vouches for the call's effects. No stack is
    // touched in user space.
    unsafe { asm!("svc 0", in("r7") n, lateout("r0") ret, options(nostack)) };
    ret
}

/// Issues system call `n` with one argument.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall1(n: usize, a: usize) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe { asm!("svc 0", in("r7") n, inlateout("r0") a => ret, options(nostack)) };
    ret
}

/// Issues system call `n` with two arguments.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall2(n: usize, a: usize, b: usize) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe { asm!("svc 0", in("r7") n, inlateout("r0") a => ret, in("r1") b, options(nostack)) };
    ret
}

/// Issues system call `n` with three arguments.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall3(n: usize, a: usize, b: usize, c: usize) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe {
        asm!("svc 0", in("r7") n, inlateout("r0") a => ret, in("r1") b, in("r2") c,
            options(nostack))
    };
    ret
}

/// Issues system call `n` with four arguments.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall4(n: usize, a: usize, b: usize, c: usize, d: usize) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe {
        asm!("svc 0", in("r7") n, inlateout("r0") a => ret, in("r1") b, in("r2") c, in("r3") d,
            options(nostack))
    };
    ret
}

/// Issues system call `n` with five arguments.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall5(n: usize, a: usize, b: usize, c: usize, d: usize, e: usize) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe {
        asm!("svc 0", in("r7") n, inlateout("r0") a => ret, in("r1") b, in("r2") c, in("r3") d,
            in("r4") e, options(nostack))
    };
    ret
}

/// Issues system call `n` with six arguments.
///
/// # Safety
/// As [`syscall0`]; pointer arguments must be valid for the call.
#[inline(always)]
pub unsafe fn syscall6(
    n: usize,
    a: usize,
    b: usize,
    c: usize,
    d: usize,
    e: usize,
    f: usize,
) -> usize {
    let ret;
    // SAFETY: as syscall0.
    unsafe {
        asm!("svc 0", in("r7") n, inlateout("r0") a => ret, in("r1") b, in("r2") c, in("r3") d,
            in("r4") e, in("r5") f, options(nostack))
    };
    ret
}
