//! `struct seccomp_data`: the 64 bytes a seccomp filter reads.
//!
//! ```text
//! offset  field                         (include/uapi/linux/seccomp.h)
//!      0  int   nr
//!      4  __u32 arch                    AUDIT_ARCH_*
//!      8  __u64 instruction_pointer     low half at 8, high half at 12
//!     16  __u64 args[6]                 args[i]: low at 16+8i, high at 20+8i
//! ```
//!
//! The halves are where they are because husk targets little-endian
//! machines only (big-endian builds stop below and in `sys::arch`). A
//! filter loads 32-bit words only; a 64-bit argument is two loads.
//!
//! Must not: read real kernel data (the interpreter and tests build
//! values of [`SeccompData`] by hand).

#![forbid(unsafe_code)]

#[cfg(target_endian = "big")]
compile_error!("seccomp_data word offsets below assume a little-endian target");

/// `seccomp_data.nr`.
pub const NR: u32 = 0;
/// `seccomp_data.arch`.
pub const ARCH: u32 = 4;
/// Low 32 bits of `seccomp_data.instruction_pointer`.
pub const IP_LO: u32 = 8;
/// High 32 bits of `seccomp_data.instruction_pointer`.
pub const IP_HI: u32 = 12;
/// `sizeof(struct seccomp_data)`: what `LD LEN` yields.
pub const SIZE: u32 = 64;
/// Number of syscall arguments.
pub const ARGS: usize = 6;

/// Offset of the low 32 bits of `args[i]`.
///
/// # Panics
/// If `i >= 6` (a constant in every caller: a build-time mistake).
pub const fn arg_lo(i: usize) -> u32 {
    assert!(i < ARGS, "seccomp_data has six arguments");
    16 + 8 * i as u32
}

/// Offset of the high 32 bits of `args[i]`.
///
/// # Panics
/// If `i >= 6`.
pub const fn arg_hi(i: usize) -> u32 {
    arg_lo(i) + 4
}

/// The filter's input, field by field.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SeccompData {
    /// System call number.
    pub nr: i32,
    /// `AUDIT_ARCH_*` of the calling convention used.
    pub arch: u32,
    /// Address after the system call instruction.
    pub instruction_pointer: u64,
    /// The six argument registers, zero-extended to 64 bits.
    pub args: [u64; ARGS],
}

impl SeccompData {
    /// The 32-bit word at byte offset `off`, as `LD W ABS off` reads
    /// it, or `None` if `off` is not a 4-byte aligned offset inside the
    /// structure (the verifier refuses such loads).
    pub const fn word(&self, off: u32) -> Option<u32> {
        if off >= SIZE || off % 4 != 0 {
            return None;
        }
        let word = match off {
            NR => self.nr as u32,
            ARCH => self.arch,
            IP_LO => self.instruction_pointer as u32,
            IP_HI => (self.instruction_pointer >> 32) as u32,
            _ => {
                let arg = self.args[((off - 16) / 8) as usize];
                if (off - 16) % 8 == 0 {
                    arg as u32
                } else {
                    (arg >> 32) as u32
                }
            }
        };
        Some(word)
    }
}

/// The name of the field at `off` as the disassembler prints it, or
/// `None` if no aligned word starts there.
pub fn field_name(off: u32) -> Option<FieldName> {
    match off {
        NR => Some(FieldName::Nr),
        ARCH => Some(FieldName::Arch),
        IP_LO => Some(FieldName::IpLo),
        IP_HI => Some(FieldName::IpHi),
        16..SIZE if off % 4 == 0 => {
            let i = ((off - 16) / 8) as u8;
            if (off - 16) % 8 == 0 {
                Some(FieldName::ArgLo(i))
            } else {
                Some(FieldName::ArgHi(i))
            }
        }
        _ => None,
    }
}

/// A `seccomp_data` word, for printing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldName {
    /// `seccomp_data.nr`.
    Nr,
    /// `seccomp_data.arch`.
    Arch,
    /// Low half of the instruction pointer.
    IpLo,
    /// High half of the instruction pointer.
    IpHi,
    /// Low half of an argument.
    ArgLo(u8),
    /// High half of an argument.
    ArgHi(u8),
}

impl core::fmt::Display for FieldName {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            FieldName::Nr => f.write_str("seccomp_data.nr"),
            FieldName::Arch => f.write_str("seccomp_data.arch"),
            FieldName::IpLo => f.write_str("instruction_pointer.lo"),
            FieldName::IpHi => f.write_str("instruction_pointer.hi"),
            FieldName::ArgLo(i) => write!(f, "args[{i}].lo"),
            FieldName::ArgHi(i) => write!(f, "args[{i}].hi"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{offset_of, size_of};

    #[test]
    fn offsets_match_the_kernel_struct() {
        assert_eq!(size_of::<SeccompData>(), SIZE as usize);
        assert_eq!(size_of::<libc::seccomp_data>(), SIZE as usize);
        assert_eq!(offset_of!(libc::seccomp_data, nr) as u32, NR);
        assert_eq!(offset_of!(libc::seccomp_data, arch) as u32, ARCH);
        assert_eq!(
            offset_of!(libc::seccomp_data, instruction_pointer) as u32,
            IP_LO
        );
        assert_eq!(offset_of!(libc::seccomp_data, args) as u32, arg_lo(0));
        assert_eq!(arg_lo(5), 56);
        assert_eq!(arg_hi(5), 60);
    }

    #[test]
    fn words_are_read_little_endian() {
        let d = SeccompData {
            nr: -1,
            arch: 0xc000_003e,
            instruction_pointer: 0x1122_3344_5566_7788,
            args: [0x0000_0001_0000_0002, 0, 0, 0, 0, 0xaaaa_bbbb_cccc_dddd],
        };
        // Compare against the bytes of the #[repr(C)] value itself.
        let bytes = as_bytes(&d);
        for off in (0..SIZE).step_by(4) {
            let o = off as usize;
            let expect = u32::from_le_bytes([bytes[o], bytes[o + 1], bytes[o + 2], bytes[o + 3]]);
            assert_eq!(d.word(off), Some(expect), "offset {off}");
        }
        assert_eq!(d.word(NR), Some(u32::MAX));
        assert_eq!(d.word(arg_lo(0)), Some(2));
        assert_eq!(d.word(arg_hi(0)), Some(1));
        assert_eq!(d.word(arg_hi(5)), Some(0xaaaa_bbbb));
        assert_eq!(d.word(2), None);
        assert_eq!(d.word(64), None);
    }

    fn as_bytes(d: &SeccompData) -> [u8; 64] {
        let mut out = [0u8; 64];
        out[0..4].copy_from_slice(&d.nr.to_le_bytes());
        out[4..8].copy_from_slice(&d.arch.to_le_bytes());
        out[8..16].copy_from_slice(&d.instruction_pointer.to_le_bytes());
        for (i, a) in d.args.iter().enumerate() {
            out[16 + 8 * i..24 + 8 * i].copy_from_slice(&a.to_le_bytes());
        }
        out
    }

    #[test]
    fn field_names() {
        assert_eq!(field_name(0), Some(FieldName::Nr));
        assert_eq!(field_name(20), Some(FieldName::ArgHi(0)));
        assert_eq!(field_name(24), Some(FieldName::ArgLo(1)));
        assert_eq!(field_name(60), Some(FieldName::ArgHi(5)));
        assert_eq!(field_name(62), None);
        assert_eq!(field_name(64), None);
        assert_eq!(std::format!("{}", FieldName::ArgLo(1)), "args[1].lo");
    }
}
