//! The process entry point, panic handler and unwinding stub.
//!
//! This file is compiled into each freestanding binary (`src/main.rs`,
//! `src/bin/husk-selftest.rs` include it with `#[path]`), never into
//! the library: symbols with fixed names (`_start`, the panic handler)
//! must not reach the std-linked unit and integration test programs.
//!
//! `_start` gets the initial stack pointer from the kernel (argc, argv,
//! envp, auxv), aligns the stack, and calls [`rust_start`], which sets
//! up the runtime and runs the binary's `main`.

use core::arch::global_asm;

#[cfg(target_arch = "x86_64")]
global_asm!(
    ".globl _start",
    ".type _start,@function",
    "_start:",
    // Mark the outermost frame for debuggers and unwinders.
    "xor ebp, ebp",
    // The kernel's stack pointer points at argc.
    "mov rdi, rsp",
    // The ABI wants a 16-byte aligned stack before `call`.
    "and rsp, -16",
    "call {entry}",
    "ud2",
    entry = sym rust_start,
);

#[cfg(target_arch = "aarch64")]
global_asm!(
    ".globl _start",
    ".type _start,%function",
    "_start:",
    "mov x29, #0",
    "mov x30, #0",
    "mov x0, sp",
    "and x1, x0, #-16",
    "mov sp, x1",
    "bl {entry}",
    "brk #0",
    entry = sym rust_start,
);

#[cfg(target_arch = "riscv64")]
global_asm!(
    ".globl _start",
    ".type _start,@function",
    "_start:",
    // The global pointer must be set before any gp-relative access the
    // linker may have relaxed code into.
    ".option push",
    ".option norelax",
    "lla gp, __global_pointer$",
    ".option pop",
    "mv a0, sp",
    "andi sp, sp, -16",
    "call {entry}",
    "unimp",
    entry = sym rust_start,
);

/// Runs the binary: runtime set-up, `crate::main`, process exit.
///
/// # Safety
/// Called once, by `_start`, with the kernel's initial stack pointer.
unsafe extern "C" fn rust_start(sp: *const usize) -> ! {
    // SAFETY: `sp` is the initial stack pointer the kernel gave
    // `_start`, and this is the only call.
    unsafe { husk::rt::start(sp) };
    let code = crate::main();
    husk::sys::process::exit(code)
}

#[panic_handler]
fn panic(info: &core::panic::PanicInfo<'_>) -> ! {
    husk::rt::panic::report(info)
}

/// Referenced by the precompiled `core` of unwinding targets in
/// unoptimised builds. husk aborts on panic, so no frame is ever
/// unwound and this is never called.
#[unsafe(no_mangle)]
extern "C" fn rust_eh_personality() {}
