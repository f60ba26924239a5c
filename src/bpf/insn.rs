//! One classic-BPF instruction, its opcode fields and constructors.
//!
//! [`Insn`] has the layout of the kernel's `struct sock_filter`
//! (`include/uapi/linux/filter.h`), so a slice of them is what
//! seccomp(2) reads, and it compares by value, so tests compare whole
//! programs as data. The opcode constants are those of
//! `include/uapi/linux/bpf_common.h`, spelled as there so an auditor can
//! grep both.
//!
//! Must not: decide whether an instruction is valid (that is
//! `verify`), or know about labels (that is `builder`). Constructors
//! build any encoding, valid or not, because tests need invalid ones.

#![forbid(unsafe_code)]

// Instruction classes: `code & 0x07`.
/// Load into A.
pub const BPF_LD: u16 = 0x00;
/// Load into X.
pub const BPF_LDX: u16 = 0x01;
/// Store A into scratch memory.
pub const BPF_ST: u16 = 0x02;
/// Store X into scratch memory.
pub const BPF_STX: u16 = 0x03;
/// Arithmetic on A.
pub const BPF_ALU: u16 = 0x04;
/// Jumps.
pub const BPF_JMP: u16 = 0x05;
/// Return a verdict.
pub const BPF_RET: u16 = 0x06;
/// Register transfers (TAX, TXA).
pub const BPF_MISC: u16 = 0x07;

// Load sizes: `code & 0x18`.
/// 32-bit word.
pub const BPF_W: u16 = 0x00;
/// 16-bit half word (refused by seccomp).
pub const BPF_H: u16 = 0x08;
/// Byte (refused by seccomp).
pub const BPF_B: u16 = 0x10;

// Load modes: `code & 0xe0`.
/// Immediate `k`.
pub const BPF_IMM: u16 = 0x00;
/// Absolute offset `k` into the input (`seccomp_data`).
pub const BPF_ABS: u16 = 0x20;
/// Offset `X + k` into the input (refused by seccomp).
pub const BPF_IND: u16 = 0x40;
/// Scratch memory slot `k`.
pub const BPF_MEM: u16 = 0x60;
/// Length of the input.
pub const BPF_LEN: u16 = 0x80;
/// IP header length helper (refused by seccomp).
pub const BPF_MSH: u16 = 0xa0;

// ALU operations: `code & 0xf0`.
/// `A += v`.
pub const BPF_ADD: u16 = 0x00;
/// `A -= v`.
pub const BPF_SUB: u16 = 0x10;
/// `A *= v`.
pub const BPF_MUL: u16 = 0x20;
/// `A /= v` (unsigned).
pub const BPF_DIV: u16 = 0x30;
/// `A |= v`.
pub const BPF_OR: u16 = 0x40;
/// `A &= v`.
pub const BPF_AND: u16 = 0x50;
/// `A <<= v`.
pub const BPF_LSH: u16 = 0x60;
/// `A >>= v` (logical).
pub const BPF_RSH: u16 = 0x70;
/// `A = -A`.
pub const BPF_NEG: u16 = 0x80;
/// `A %= v` (classic BPF has it; seccomp refuses it).
pub const BPF_MOD: u16 = 0x90;
/// `A ^= v`.
pub const BPF_XOR: u16 = 0xa0;

// Jump operations: `code & 0xf0`.
/// Unconditional jump by `k`.
pub const BPF_JA: u16 = 0x00;
/// `A == v`.
pub const BPF_JEQ: u16 = 0x10;
/// `A > v` (unsigned).
pub const BPF_JGT: u16 = 0x20;
/// `A >= v` (unsigned).
pub const BPF_JGE: u16 = 0x30;
/// `A & v != 0`.
pub const BPF_JSET: u16 = 0x40;

// Operand source: `code & 0x08`.
/// The operand is the constant `k`.
pub const BPF_K: u16 = 0x00;
/// The operand is register X.
pub const BPF_X: u16 = 0x08;

// Return value source: `code & 0x18`.
/// `RET A` returns the accumulator (`RET K` uses [`BPF_K`]).
pub const BPF_A: u16 = 0x10;

// MISC operations: `code & 0xf8`.
/// `X = A`.
pub const BPF_TAX: u16 = 0x00;
/// `A = X`.
pub const BPF_TXA: u16 = 0x80;

/// Number of 32-bit scratch memory slots (`BPF_MEMWORDS`).
pub const MEMWORDS: u32 = 16;

/// The class field of an opcode.
pub const fn class(code: u16) -> u16 {
    code & 0x07
}

/// The size field of a load opcode.
pub const fn size(code: u16) -> u16 {
    code & 0x18
}

/// The mode field of a load opcode.
pub const fn mode(code: u16) -> u16 {
    code & 0xe0
}

/// The operation field of an ALU or jump opcode.
pub const fn op(code: u16) -> u16 {
    code & 0xf0
}

/// The source field of an ALU or jump opcode.
pub const fn src(code: u16) -> u16 {
    code & 0x08
}

/// The return-value source of a RET opcode.
pub const fn rval(code: u16) -> u16 {
    code & 0x18
}

/// The operation of a MISC opcode.
pub const fn miscop(code: u16) -> u16 {
    code & 0xf8
}

/// One instruction, laid out exactly as `struct sock_filter`.
#[repr(C)]
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Insn {
    /// Opcode: class | size/op | mode/src.
    pub code: u16,
    /// Conditional jumps: instructions to skip when true.
    pub jt: u8,
    /// Conditional jumps: instructions to skip when false.
    pub jf: u8,
    /// Constant operand (immediate, offset, slot, jump length, verdict).
    pub k: u32,
}

impl Insn {
    /// Any encoding, as is.
    pub const fn new(code: u16, jt: u8, jf: u8, k: u32) -> Insn {
        Insn { code, jt, jf, k }
    }

    const fn stmt(code: u16, k: u32) -> Insn {
        Insn::new(code, 0, 0, k)
    }

    /// `A = seccomp_data[off]` (32-bit word at byte offset `off`).
    pub const fn ld_abs(off: u32) -> Insn {
        Insn::stmt(BPF_LD | BPF_W | BPF_ABS, off)
    }

    /// `A = k`.
    pub const fn ld_imm(k: u32) -> Insn {
        Insn::stmt(BPF_LD | BPF_IMM, k)
    }

    /// `X = k`.
    pub const fn ldx_imm(k: u32) -> Insn {
        Insn::stmt(BPF_LDX | BPF_IMM, k)
    }

    /// `A = M[slot]`.
    pub const fn ld_mem(slot: u32) -> Insn {
        Insn::stmt(BPF_LD | BPF_MEM, slot)
    }

    /// `X = M[slot]`.
    pub const fn ldx_mem(slot: u32) -> Insn {
        Insn::stmt(BPF_LDX | BPF_MEM, slot)
    }

    /// `A = sizeof(seccomp_data)`.
    pub const fn ld_len() -> Insn {
        Insn::stmt(BPF_LD | BPF_W | BPF_LEN, 0)
    }

    /// `X = sizeof(seccomp_data)`.
    pub const fn ldx_len() -> Insn {
        Insn::stmt(BPF_LDX | BPF_W | BPF_LEN, 0)
    }

    /// `M[slot] = A`.
    pub const fn st(slot: u32) -> Insn {
        Insn::stmt(BPF_ST, slot)
    }

    /// `M[slot] = X`.
    pub const fn stx(slot: u32) -> Insn {
        Insn::stmt(BPF_STX, slot)
    }

    /// `A = A <op> k`, `op` one of `BPF_ADD`..`BPF_XOR`.
    pub const fn alu_k(op: u16, k: u32) -> Insn {
        Insn::stmt(BPF_ALU | op | BPF_K, k)
    }

    /// `A = A <op> X`.
    pub const fn alu_x(op: u16) -> Insn {
        Insn::stmt(BPF_ALU | op | BPF_X, 0)
    }

    /// `A += k`.
    pub const fn add_k(k: u32) -> Insn {
        Insn::alu_k(BPF_ADD, k)
    }

    /// `A -= k`.
    pub const fn sub_k(k: u32) -> Insn {
        Insn::alu_k(BPF_SUB, k)
    }

    /// `A *= k`.
    pub const fn mul_k(k: u32) -> Insn {
        Insn::alu_k(BPF_MUL, k)
    }

    /// `A /= k`.
    pub const fn div_k(k: u32) -> Insn {
        Insn::alu_k(BPF_DIV, k)
    }

    /// `A &= k`.
    pub const fn and_k(k: u32) -> Insn {
        Insn::alu_k(BPF_AND, k)
    }

    /// `A |= k`.
    pub const fn or_k(k: u32) -> Insn {
        Insn::alu_k(BPF_OR, k)
    }

    /// `A ^= k`.
    pub const fn xor_k(k: u32) -> Insn {
        Insn::alu_k(BPF_XOR, k)
    }

    /// `A <<= k`.
    pub const fn lsh_k(k: u32) -> Insn {
        Insn::alu_k(BPF_LSH, k)
    }

    /// `A >>= k`.
    pub const fn rsh_k(k: u32) -> Insn {
        Insn::alu_k(BPF_RSH, k)
    }

    /// `A = -A`.
    pub const fn neg() -> Insn {
        Insn::stmt(BPF_ALU | BPF_NEG, 0)
    }

    /// `X = A`.
    pub const fn tax() -> Insn {
        Insn::stmt(BPF_MISC | BPF_TAX, 0)
    }

    /// `A = X`.
    pub const fn txa() -> Insn {
        Insn::stmt(BPF_MISC | BPF_TXA, 0)
    }

    /// Jump forward over `k` instructions.
    pub const fn ja(k: u32) -> Insn {
        Insn::stmt(BPF_JMP | BPF_JA, k)
    }

    /// `if (A <op> k)` skip `jt` else skip `jf`.
    pub const fn jmp_k(op: u16, k: u32, jt: u8, jf: u8) -> Insn {
        Insn::new(BPF_JMP | op | BPF_K, jt, jf, k)
    }

    /// `if (A <op> X)` skip `jt` else skip `jf`.
    pub const fn jmp_x(op: u16, jt: u8, jf: u8) -> Insn {
        Insn::new(BPF_JMP | op | BPF_X, jt, jf, 0)
    }

    /// `if (A == k)`.
    pub const fn jeq_k(k: u32, jt: u8, jf: u8) -> Insn {
        Insn::jmp_k(BPF_JEQ, k, jt, jf)
    }

    /// `if (A > k)`.
    pub const fn jgt_k(k: u32, jt: u8, jf: u8) -> Insn {
        Insn::jmp_k(BPF_JGT, k, jt, jf)
    }

    /// `if (A >= k)`.
    pub const fn jge_k(k: u32, jt: u8, jf: u8) -> Insn {
        Insn::jmp_k(BPF_JGE, k, jt, jf)
    }

    /// `if (A & k)`.
    pub const fn jset_k(k: u32, jt: u8, jf: u8) -> Insn {
        Insn::jmp_k(BPF_JSET, k, jt, jf)
    }

    /// `if (A == X)`.
    pub const fn jeq_x(jt: u8, jf: u8) -> Insn {
        Insn::jmp_x(BPF_JEQ, jt, jf)
    }

    /// `if (A > X)`.
    pub const fn jgt_x(jt: u8, jf: u8) -> Insn {
        Insn::jmp_x(BPF_JGT, jt, jf)
    }

    /// `if (A >= X)`.
    pub const fn jge_x(jt: u8, jf: u8) -> Insn {
        Insn::jmp_x(BPF_JGE, jt, jf)
    }

    /// `if (A & X)`.
    pub const fn jset_x(jt: u8, jf: u8) -> Insn {
        Insn::jmp_x(BPF_JSET, jt, jf)
    }

    /// `return k` (a `SECCOMP_RET_*` verdict; see `bpf::action`).
    pub const fn ret_k(k: u32) -> Insn {
        Insn::stmt(BPF_RET | BPF_K, k)
    }

    /// `return A`.
    pub const fn ret_a() -> Insn {
        Insn::stmt(BPF_RET | BPF_A, 0)
    }

    /// `return ERRNO(errno)`; the kernel caps the value at 4095.
    pub const fn ret_errno(errno: u16) -> Insn {
        Insn::ret_k(super::action::errno(errno))
    }

    /// `return TRACE(data)`: stop for a ptrace tracer with `data`.
    pub const fn ret_trace(data: u16) -> Insn {
        Insn::ret_k(super::action::trace(data))
    }

    /// `return TRAP(data)`: SIGSYS with `si_errno = data`.
    pub const fn ret_trap(data: u16) -> Insn {
        Insn::ret_k(super::action::trap(data))
    }

    /// `return ALLOW`.
    pub const fn ret_allow() -> Insn {
        Insn::ret_k(super::action::ALLOW)
    }

    /// `return KILL_PROCESS`.
    pub const fn ret_kill_process() -> Insn {
        Insn::ret_k(super::action::KILL_PROCESS)
    }

    /// Whether this is a jump (class JMP, conditional or not).
    pub const fn is_jump(&self) -> bool {
        class(self.code) == BPF_JMP
    }

    /// Whether this is a conditional jump (class JMP, not JA).
    pub const fn is_conditional_jump(&self) -> bool {
        self.is_jump() && op(self.code) != BPF_JA
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::mem::{align_of, offset_of, size_of};

    #[test]
    fn layout_is_sock_filter() {
        assert_eq!(size_of::<Insn>(), size_of::<libc::sock_filter>());
        assert_eq!(align_of::<Insn>(), align_of::<libc::sock_filter>());
        assert_eq!(offset_of!(Insn, code), offset_of!(libc::sock_filter, code));
        assert_eq!(offset_of!(Insn, jt), offset_of!(libc::sock_filter, jt));
        assert_eq!(offset_of!(Insn, jf), offset_of!(libc::sock_filter, jf));
        assert_eq!(offset_of!(Insn, k), offset_of!(libc::sock_filter, k));
    }

    #[test]
    fn opcode_constants_match_libc() {
        let pairs: [(u16, u32); 36] = [
            (BPF_LD, libc::BPF_LD),
            (BPF_LDX, libc::BPF_LDX),
            (BPF_ST, libc::BPF_ST),
            (BPF_STX, libc::BPF_STX),
            (BPF_ALU, libc::BPF_ALU),
            (BPF_JMP, libc::BPF_JMP),
            (BPF_RET, libc::BPF_RET),
            (BPF_MISC, libc::BPF_MISC),
            (BPF_W, libc::BPF_W),
            (BPF_H, libc::BPF_H),
            (BPF_B, libc::BPF_B),
            (BPF_IMM, libc::BPF_IMM),
            (BPF_ABS, libc::BPF_ABS),
            (BPF_IND, libc::BPF_IND),
            (BPF_MEM, libc::BPF_MEM),
            (BPF_LEN, libc::BPF_LEN),
            (BPF_MSH, libc::BPF_MSH),
            (BPF_ADD, libc::BPF_ADD),
            (BPF_SUB, libc::BPF_SUB),
            (BPF_MUL, libc::BPF_MUL),
            (BPF_DIV, libc::BPF_DIV),
            (BPF_OR, libc::BPF_OR),
            (BPF_AND, libc::BPF_AND),
            (BPF_LSH, libc::BPF_LSH),
            (BPF_RSH, libc::BPF_RSH),
            (BPF_NEG, libc::BPF_NEG),
            (BPF_MOD, libc::BPF_MOD),
            (BPF_XOR, libc::BPF_XOR),
            (BPF_JA, libc::BPF_JA),
            (BPF_JEQ, libc::BPF_JEQ),
            (BPF_JGT, libc::BPF_JGT),
            (BPF_JGE, libc::BPF_JGE),
            (BPF_JSET, libc::BPF_JSET),
            (BPF_K, libc::BPF_K),
            (BPF_X, libc::BPF_X),
            (BPF_A, libc::BPF_A),
        ];
        for (ours, theirs) in pairs {
            assert_eq!(u32::from(ours), theirs);
        }
        assert_eq!(u32::from(BPF_TAX), libc::BPF_TAX);
        assert_eq!(u32::from(BPF_TXA), libc::BPF_TXA);
        assert_eq!(MEMWORDS as i32, libc::BPF_MEMWORDS);
    }

    #[test]
    fn constructors_encode_as_the_kernel_macros() {
        // BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 4) and friends, by hand.
        assert_eq!(Insn::ld_abs(4), Insn::new(0x20, 0, 0, 4));
        assert_eq!(
            Insn::jeq_k(0xc000_003e, 1, 0),
            Insn::new(0x15, 1, 0, 0xc000_003e)
        );
        assert_eq!(Insn::jset_x(2, 3), Insn::new(0x4d, 2, 3, 0));
        assert_eq!(Insn::ret_k(0x7fff_0000), Insn::new(0x06, 0, 0, 0x7fff_0000));
        assert_eq!(Insn::ret_a(), Insn::new(0x16, 0, 0, 0));
        assert_eq!(Insn::ret_errno(13), Insn::ret_k(0x0005_000d));
        assert_eq!(Insn::ret_trace(1), Insn::ret_k(0x7ff0_0001));
        assert_eq!(Insn::ld_len(), Insn::new(0x80, 0, 0, 0));
        assert_eq!(Insn::ldx_len(), Insn::new(0x81, 0, 0, 0));
        assert_eq!(Insn::ld_mem(3), Insn::new(0x60, 0, 0, 3));
        assert_eq!(Insn::ldx_mem(3), Insn::new(0x61, 0, 0, 3));
        assert_eq!(Insn::st(3), Insn::new(0x02, 0, 0, 3));
        assert_eq!(Insn::stx(3), Insn::new(0x03, 0, 0, 3));
        assert_eq!(Insn::tax(), Insn::new(0x07, 0, 0, 0));
        assert_eq!(Insn::txa(), Insn::new(0x87, 0, 0, 0));
        assert_eq!(Insn::neg(), Insn::new(0x84, 0, 0, 0));
        assert_eq!(Insn::alu_x(BPF_XOR), Insn::new(0xac, 0, 0, 0));
        assert_eq!(Insn::ja(7), Insn::new(0x05, 0, 0, 7));
        assert!(Insn::ja(0).is_jump() && !Insn::ja(0).is_conditional_jump());
        assert!(Insn::jgt_k(1, 0, 0).is_conditional_jump());
        assert!(!Insn::ret_a().is_jump());
    }
}
