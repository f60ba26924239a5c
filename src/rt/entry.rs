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

#[cfg(target_arch = "arm")]
global_asm!(
    ".globl _start",
    ".type _start,%function",
    // A32 state, whatever the crate's default: the kernel enters here
    // in the state of the ELF entry address's low bit (0: A32).
    ".arm",
    "_start:",
    // No caller frame (r11 is the frame pointer in A32 code).
    "mov r11, #0",
    "mov lr, #0",
    "mov r0, sp",
    // The AAPCS asks for 8-byte alignment at calls; 16 costs nothing.
    "bic r1, r0, #15",
    "mov sp, r1",
    "bl {entry}",
    "udf #0",
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
    run_constructors();
    let code = crate::main();
    husk::sys::process::exit(code)
}

unsafe extern "C" {
    // Bounds of the constructor array, defined by the linker.
    static __init_array_start: [Option<unsafe extern "C" fn()>; 0];
    static __init_array_end: [Option<unsafe extern "C" fn()>; 0];
}

/// Runs the `.init_array` constructors, as a C runtime would. husk has
/// none of its own; compiler-builtins registers CPU-feature probes
/// there (on aarch64 the one that lets atomics use LSE instructions),
/// which read the auxiliary vector through [`getauxval`].
fn run_constructors() {
    let start = &raw const __init_array_start as *const Option<unsafe extern "C" fn()>;
    let end = &raw const __init_array_end as *const Option<unsafe extern "C" fn()>;
    let mut p = start;
    while p < end {
        // SAFETY: the linker laid out an array of function pointers
        // between the two symbols; each entry is a constructor that
        // takes no arguments and is meant to run once, now.
        unsafe {
            if let Some(ctor) = *p {
                ctor();
            }
            p = p.add(1);
        }
    }
}

/// C's `getauxval`, for the compiler-builtins constructors above.
#[unsafe(no_mangle)]
extern "C" fn getauxval(key: core::ffi::c_ulong) -> core::ffi::c_ulong {
    husk::rt::args::aux(key).unwrap_or(0) as core::ffi::c_ulong
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
