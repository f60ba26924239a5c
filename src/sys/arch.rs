//! Per-architecture facts the rest of husk needs: the audit
//! architecture seccomp reports, the x32 bit, the syscall-number range.
//!
//! Supported: x86_64, aarch64, riscv64, 32-bit ARM (EABI, armv7).
//! Anything else stops the build.

/// `AUDIT_ARCH_*` values as seen in `seccomp_data.arch`.
pub mod audit {
    /// i386 (`int 0x80` on x86_64 reports this).
    pub const I386: u32 = 0x4000_0003;
    /// x86_64 (also x32, told apart by [`super::X32_SYSCALL_BIT`]).
    pub const X86_64: u32 = 0xc000_003e;
    /// 32-bit ARM (EABI, little-endian).
    pub const ARM: u32 = 0x4000_0028;
    /// 64-bit ARM, little-endian.
    pub const AARCH64: u32 = 0xc000_00b7;
    /// 64-bit RISC-V, little-endian.
    pub const RISCV64: u32 = 0xc000_00f3;
}

/// Set in the syscall number of x32 calls on x86_64.
pub const X32_SYSCALL_BIT: u32 = 0x4000_0000;

#[cfg(target_arch = "x86_64")]
mod native {
    pub const AUDIT_ARCH: u32 = super::audit::X86_64;
    pub const NAME: &str = "x86_64";
    pub const HAS_X32: bool = true;
}

#[cfg(target_arch = "aarch64")]
mod native {
    pub const AUDIT_ARCH: u32 = super::audit::AARCH64;
    pub const NAME: &str = "aarch64";
    pub const HAS_X32: bool = false;
}

#[cfg(target_arch = "riscv64")]
mod native {
    pub const AUDIT_ARCH: u32 = super::audit::RISCV64;
    pub const NAME: &str = "riscv64";
    pub const HAS_X32: bool = false;
}

#[cfg(target_arch = "arm")]
mod native {
    pub const AUDIT_ARCH: u32 = super::audit::ARM;
    pub const NAME: &str = "arm";
    pub const HAS_X32: bool = false;
}

#[cfg(not(any(
    target_arch = "x86_64",
    target_arch = "aarch64",
    target_arch = "riscv64",
    target_arch = "arm"
)))]
compile_error!("husk supports x86_64, aarch64, riscv64 and 32-bit ARM Linux only");

/// The audit architecture of the running build.
pub const AUDIT_ARCH: u32 = native::AUDIT_ARCH;
/// The architecture's name, for messages.
pub const NAME: &str = native::NAME;
/// Whether the native architecture has an x32 ABI that shares its
/// audit value and must be refused by number.
pub const HAS_X32: bool = native::HAS_X32;

/// Little-endian targets only: seccomp_data argument halves.
#[cfg(target_endian = "big")]
compile_error!("husk assumes a little-endian target");
