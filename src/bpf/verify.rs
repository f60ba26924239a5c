//! The kernel's rules for a seccomp filter, checked before install.
//!
//! seccomp(2) runs a filter through two checks, in this order, and
//! refuses it with EINVAL if either fails:
//!
//! 1. `bpf_check_classic` (`net/core/filter.c`), for any classic BPF:
//!    - length 1..=`BPF_MAXINSNS` (4096) (also `seccomp_prepare_filter`);
//!    - every opcode on the classic list (`chk_code_allowed`);
//!    - `DIV`/`MOD` by constant 0 refused;
//!    - `LSH`/`RSH` by constant >= 32 refused (a shift by X >= 32 is
//!      not refused; see `interp` for what it does at run time);
//!    - scratch slot `k < 16` for `LD/LDX MEM`, `ST`, `STX`;
//!    - `JA`: `k < len - pc - 1`; conditional jumps:
//!      `pc + jt + 1 < len` and `pc + jf + 1 < len` (jumps only go
//!      forward: offsets are unsigned);
//!    - the last instruction is `RET K` or `RET A`;
//!    - `check_load_and_stores`: every `LD/LDX MEM` reads a slot
//!      written on every path to it.
//! 2. `seccomp_check_filter` (`kernel/seccomp.c`):
//!    - only the opcodes in [`SECCOMP_OPCODES`]: no byte or half-word
//!      loads, no `IND`, no `MSH`, no `MOD`;
//!    - `LD W ABS k`: `k` 4-byte aligned and `k < 64`
//!      (`sizeof(struct seccomp_data)`).
//!
//! [`verify`] applies the same rules in the same order, so the first
//! error it reports is the first the kernel meets. Two deliberate
//! simplifications, both refusing exactly what the kernel refuses:
//! an `LD ABS` with `k >= SKF_AD_OFF` (a socket-filter ancillary load)
//! is reported by the seccomp rules (a load outside `seccomp_data`, or
//! a size seccomp refuses) rather than sorted into "known ancillary"
//! and "unknown" first; and the scratch-memory analysis is
//! the kernel's own linear pass, quirks included: `RET` does not reset
//! what is known, so an instruction after a `RET` that is reached only
//! by jumps inherits the `RET`'s knowledge as well (the kernel refuses
//! some safe programs this way; so do we, see the tests).
//!
//! Success yields a [`Verified`] view, the only input `install` and
//! `interp` accept.
//!
//! Must not: allocate, accept anything the kernel refuses, or refuse
//! anything it accepts.

#![forbid(unsafe_code)]

use core::fmt;

use super::data;
use super::insn::*;
use super::program::MAX_INSNS;

/// A program the kernel's rules accept. Only [`verify`] makes one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified<'a> {
    insns: &'a [Insn],
}

impl<'a> Verified<'a> {
    /// The instructions (at least one, at most `MAX_INSNS`).
    pub fn insns(&self) -> &'a [Insn] {
        self.insns
    }
}

/// Why a program was refused, and where.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VerifyError {
    /// Index of the offending instruction (0 for length errors).
    pub pc: usize,
    /// The rule it breaks.
    pub reason: Reason,
}

/// The rule a program breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// No instructions.
    Empty,
    /// More than `MAX_INSNS` instructions.
    TooLong {
        /// The length given.
        len: usize,
    },
    /// Not a classic-BPF opcode at all.
    UnknownOpcode {
        /// The opcode.
        code: u16,
    },
    /// `DIV` or `MOD` by the constant 0.
    DivisionByZero,
    /// `LSH` or `RSH` by a constant of 32 or more.
    ShiftTooLarge {
        /// The shift.
        k: u32,
    },
    /// A scratch slot outside 0..16.
    BadScratchSlot {
        /// The slot.
        k: u32,
    },
    /// A `JA` past the last instruction.
    JumpOutOfRange {
        /// The jump length.
        k: u32,
    },
    /// A conditional branch past the last instruction.
    BranchOutOfRange {
        /// Skip when true.
        jt: u8,
        /// Skip when false.
        jf: u8,
    },
    /// The last instruction is not a `RET`.
    NoFinalReturn,
    /// A scratch slot read before it is written on some path.
    UninitializedScratch {
        /// The slot.
        k: u32,
    },
    /// A classic opcode seccomp does not allow.
    NotForSeccomp {
        /// The opcode.
        code: u16,
    },
    /// `LD W ABS` at an offset that is not a multiple of 4.
    MisalignedLoad {
        /// The offset.
        k: u32,
    },
    /// `LD W ABS` at or past the end of `seccomp_data`.
    LoadOutOfBounds {
        /// The offset.
        k: u32,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Reason::Empty => f.write_str("empty program"),
            Reason::TooLong { len } => {
                write!(f, "{len} instructions, more than the kernel's {MAX_INSNS}")
            }
            Reason::UnknownOpcode { code } => write!(f, "opcode {code:#06x} is not classic BPF"),
            Reason::DivisionByZero => f.write_str("division by constant zero"),
            Reason::ShiftTooLarge { k } => write!(f, "shift by constant {k} (must be < 32)"),
            Reason::BadScratchSlot { k } => write!(f, "scratch slot M[{k}] (must be < 16)"),
            Reason::JumpOutOfRange { k } => write!(f, "jump by {k} goes past the end"),
            Reason::BranchOutOfRange { jt, jf } => {
                write!(f, "branch (jt {jt}, jf {jf}) goes past the end")
            }
            Reason::NoFinalReturn => f.write_str("last instruction is not a return"),
            Reason::UninitializedScratch { k } => {
                write!(f, "M[{k}] is read before it is written on some path")
            }
            Reason::NotForSeccomp { code } => {
                write!(f, "opcode {code:#06x} is not allowed in seccomp filters")
            }
            Reason::MisalignedLoad { k } => {
                write!(f, "load at offset {k} is not 4-byte aligned")
            }
            Reason::LoadOutOfBounds { k } => {
                write!(f, "load at offset {k} is outside seccomp_data (64 bytes)")
            }
        }
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "instruction {}: {}", self.pc, self.reason)
    }
}

/// Every opcode seccomp accepts, sorted: the classic list narrowed by
/// `seccomp_check_filter`'s switch, plus `LD W ABS` and the two `LEN`
/// loads it rewrites.
pub const SECCOMP_OPCODES: [u16; 41] = [
    BPF_LD | BPF_IMM,
    BPF_LDX | BPF_IMM,
    BPF_ST,
    BPF_STX,
    BPF_ALU | BPF_ADD | BPF_K,
    BPF_JMP | BPF_JA,
    BPF_RET | BPF_K,
    BPF_MISC | BPF_TAX,
    BPF_ALU | BPF_ADD | BPF_X,
    BPF_ALU | BPF_SUB | BPF_K,
    BPF_JMP | BPF_JEQ | BPF_K,
    BPF_RET | BPF_A,
    BPF_ALU | BPF_SUB | BPF_X,
    BPF_JMP | BPF_JEQ | BPF_X,
    BPF_LD | BPF_W | BPF_ABS,
    BPF_ALU | BPF_MUL | BPF_K,
    BPF_JMP | BPF_JGT | BPF_K,
    BPF_ALU | BPF_MUL | BPF_X,
    BPF_JMP | BPF_JGT | BPF_X,
    BPF_ALU | BPF_DIV | BPF_K,
    BPF_JMP | BPF_JGE | BPF_K,
    BPF_ALU | BPF_DIV | BPF_X,
    BPF_JMP | BPF_JGE | BPF_X,
    BPF_ALU | BPF_OR | BPF_K,
    BPF_JMP | BPF_JSET | BPF_K,
    BPF_ALU | BPF_OR | BPF_X,
    BPF_JMP | BPF_JSET | BPF_X,
    BPF_ALU | BPF_AND | BPF_K,
    BPF_ALU | BPF_AND | BPF_X,
    BPF_LD | BPF_MEM,
    BPF_LDX | BPF_MEM,
    BPF_ALU | BPF_LSH | BPF_K,
    BPF_ALU | BPF_LSH | BPF_X,
    BPF_ALU | BPF_RSH | BPF_K,
    BPF_ALU | BPF_RSH | BPF_X,
    BPF_LD | BPF_W | BPF_LEN,
    BPF_LDX | BPF_W | BPF_LEN,
    BPF_ALU | BPF_NEG,
    BPF_MISC | BPF_TXA,
    BPF_ALU | BPF_XOR | BPF_K,
    BPF_ALU | BPF_XOR | BPF_X,
];

/// The rest of classic BPF's list (`chk_code_allowed`): the
/// socket-filter packet loads and `MOD`, which seccomp refuses.
pub const SOCKET_ONLY_OPCODES: [u16; 8] = [
    BPF_LD | BPF_H | BPF_ABS,
    BPF_LD | BPF_B | BPF_ABS,
    BPF_LD | BPF_W | BPF_IND,
    BPF_LD | BPF_H | BPF_IND,
    BPF_LD | BPF_B | BPF_IND,
    BPF_LDX | BPF_B | BPF_MSH,
    BPF_ALU | BPF_MOD | BPF_K,
    BPF_ALU | BPF_MOD | BPF_X,
];

const fn contains(list: &[u16], code: u16) -> bool {
    let mut i = 0;
    while i < list.len() {
        if list[i] == code {
            return true;
        }
        i += 1;
    }
    false
}

/// Whether `code` is on classic BPF's list (`chk_code_allowed`). The
/// match is on the whole 16-bit value: stray bits make it unknown.
pub const fn is_classic(code: u16) -> bool {
    is_seccomp(code) || contains(&SOCKET_ONLY_OPCODES, code)
}

/// Whether seccomp accepts `code` (a member of [`SECCOMP_OPCODES`]).
pub const fn is_seccomp(code: u16) -> bool {
    contains(&SECCOMP_OPCODES, code)
}

/// Checks `insns` against the kernel's rules for seccomp filters.
pub fn verify(insns: &[Insn]) -> Result<Verified<'_>, VerifyError> {
    let len = insns.len();
    let fail = |pc: usize, reason: Reason| Err(VerifyError { pc, reason });
    if len == 0 {
        return fail(0, Reason::Empty);
    }
    if len > MAX_INSNS {
        return fail(0, Reason::TooLong { len });
    }

    // Pass 1: bpf_check_classic's per-instruction rules.
    for (pc, insn) in insns.iter().enumerate() {
        if !is_classic(insn.code) {
            return fail(pc, Reason::UnknownOpcode { code: insn.code });
        }
        if let Some(reason) = classic_rule(insn, len - pc - 1) {
            return fail(pc, reason);
        }
    }
    if class(insns[len - 1].code) != BPF_RET {
        return fail(len - 1, Reason::NoFinalReturn);
    }
    check_scratch(insns)?;

    // Pass 2: seccomp_check_filter.
    for (pc, insn) in insns.iter().enumerate() {
        let (code, k) = (insn.code, insn.k);
        if !is_seccomp(code) {
            return fail(pc, Reason::NotForSeccomp { code });
        }
        if code == BPF_LD | BPF_W | BPF_ABS {
            if k >= data::SIZE {
                return fail(pc, Reason::LoadOutOfBounds { k });
            }
            if k % 4 != 0 {
                return fail(pc, Reason::MisalignedLoad { k });
            }
        }
    }
    Ok(Verified { insns })
}

/// The operand rules of `bpf_check_classic` for one (classic)
/// instruction with `left` instructions after it.
fn classic_rule(insn: &Insn, left: usize) -> Option<Reason> {
    const DIV_K: u16 = BPF_ALU | BPF_DIV | BPF_K;
    const MOD_K: u16 = BPF_ALU | BPF_MOD | BPF_K;
    const LSH_K: u16 = BPF_ALU | BPF_LSH | BPF_K;
    const RSH_K: u16 = BPF_ALU | BPF_RSH | BPF_K;
    const LD_MEM: u16 = BPF_LD | BPF_MEM;
    const LDX_MEM: u16 = BPF_LDX | BPF_MEM;
    const JA: u16 = BPF_JMP | BPF_JA;
    let Insn { code, jt, jf, k } = *insn;
    match code {
        DIV_K | MOD_K if k == 0 => Some(Reason::DivisionByZero),
        LSH_K | RSH_K if k >= 32 => Some(Reason::ShiftTooLarge { k }),
        LD_MEM | LDX_MEM | BPF_ST | BPF_STX if k >= MEMWORDS => Some(Reason::BadScratchSlot { k }),
        // Offsets count from the next instruction and are unsigned:
        // every jump goes forward and must land on an instruction.
        JA if k as usize >= left => Some(Reason::JumpOutOfRange { k }),
        _ if insn.is_conditional_jump() && (jt as usize >= left || jf as usize >= left) => {
            Some(Reason::BranchOutOfRange { jt, jf })
        }
        _ => None,
    }
}

/// The kernel's `check_load_and_stores`, as a linear pass: `known` is
/// the set of slots written on every path reaching `pc` so far; a jump
/// narrows what its targets may assume (`masks`) and, since nothing
/// falls through it, resets `known` to "everything" for the next
/// instruction, which then keeps only what its own incoming jumps
/// guarantee. Requires pass 1 to have bounded every jump.
fn check_scratch(insns: &[Insn]) -> Result<(), VerifyError> {
    let mut masks = [u16::MAX; MAX_INSNS];
    let mut known: u16 = 0;
    for (pc, insn) in insns.iter().enumerate() {
        known &= masks[pc];
        let code = insn.code;
        if code == BPF_ST || code == BPF_STX {
            known |= 1 << insn.k; // k < 16: checked in pass 1
        } else if code == BPF_LD | BPF_MEM || code == BPF_LDX | BPF_MEM {
            if known & (1 << insn.k) == 0 {
                return Err(VerifyError {
                    pc,
                    reason: Reason::UninitializedScratch { k: insn.k },
                });
            }
        } else if code == BPF_JMP | BPF_JA {
            masks[pc + 1 + insn.k as usize] &= known;
            known = u16::MAX;
        } else if insn.is_conditional_jump() {
            masks[pc + 1 + insn.jt as usize] &= known;
            masks[pc + 1 + insn.jf as usize] &= known;
            known = u16::MAX;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    fn reason(insns: &[Insn]) -> (usize, Reason) {
        let e = verify(insns).expect_err("must be refused");
        (e.pc, e.reason)
    }

    fn ok(insns: &[Insn]) {
        if let Err(e) = verify(insns) {
            panic!("refused: {e}");
        }
    }

    const ALLOW: Insn = Insn::ret_allow();

    // --- One test per rejection rule. ---

    #[test]
    fn rejects_empty() {
        assert_eq!(reason(&[]), (0, Reason::Empty));
    }

    #[test]
    fn rejects_more_than_4096() {
        let long = [ALLOW; MAX_INSNS + 1];
        assert_eq!(reason(&long), (0, Reason::TooLong { len: 4097 }));
    }

    #[test]
    fn rejects_unknown_opcode() {
        // LD DW ABS is eBPF only; 0x0e is RET with the X bit (not classic).
        assert_eq!(
            reason(&[Insn::new(0x38, 0, 0, 0), ALLOW]),
            (0, Reason::UnknownOpcode { code: 0x38 })
        );
        assert_eq!(
            reason(&[ALLOW, Insn::new(0x0e, 0, 0, 0)]),
            (1, Reason::UnknownOpcode { code: 0x0e })
        );
        // Stray high bits make a known opcode unknown.
        assert_eq!(
            reason(&[Insn::new(0x0106, 0, 0, 0)]),
            (0, Reason::UnknownOpcode { code: 0x0106 })
        );
    }

    #[test]
    fn rejects_division_by_constant_zero() {
        assert_eq!(
            reason(&[Insn::div_k(0), ALLOW]),
            (0, Reason::DivisionByZero)
        );
        // MOD is refused by seccomp later, but classic BPF refuses a zero
        // modulus first, as the kernel does.
        assert_eq!(
            reason(&[Insn::alu_k(BPF_MOD, 0), ALLOW]),
            (0, Reason::DivisionByZero)
        );
    }

    #[test]
    fn rejects_constant_shift_of_32_or_more() {
        assert_eq!(
            reason(&[Insn::lsh_k(32), ALLOW]),
            (0, Reason::ShiftTooLarge { k: 32 })
        );
        assert_eq!(
            reason(&[Insn::rsh_k(u32::MAX), ALLOW]),
            (0, Reason::ShiftTooLarge { k: u32::MAX })
        );
        ok(&[Insn::lsh_k(31), Insn::rsh_k(31), ALLOW]);
    }

    #[test]
    fn rejects_scratch_slot_16() {
        for bad in [
            Insn::st(16),
            Insn::stx(16),
            Insn::ld_mem(16),
            Insn::ldx_mem(99),
        ] {
            assert_eq!(
                reason(&[bad, ALLOW]),
                (0, Reason::BadScratchSlot { k: bad.k })
            );
        }
    }

    #[test]
    fn rejects_ja_past_the_end() {
        // ja 1 from pc 0 of 2 would land on pc 2 == len.
        assert_eq!(
            reason(&[Insn::ja(1), ALLOW]),
            (0, Reason::JumpOutOfRange { k: 1 })
        );
        assert_eq!(
            reason(&[Insn::ja(u32::MAX), ALLOW]),
            (0, Reason::JumpOutOfRange { k: u32::MAX })
        );
        ok(&[Insn::ja(0), ALLOW]);
    }

    #[test]
    fn rejects_branch_past_the_end() {
        assert_eq!(
            reason(&[Insn::jeq_k(0, 1, 0), ALLOW]),
            (0, Reason::BranchOutOfRange { jt: 1, jf: 0 })
        );
        assert_eq!(
            reason(&[Insn::jset_x(0, 1), ALLOW]),
            (0, Reason::BranchOutOfRange { jt: 0, jf: 1 })
        );
        // A conditional jump as the last instruction has nowhere to go.
        assert_eq!(
            reason(&[ALLOW, Insn::jeq_k(0, 0, 0)]),
            (1, Reason::BranchOutOfRange { jt: 0, jf: 0 })
        );
    }

    #[test]
    fn rejects_missing_final_return() {
        assert_eq!(
            reason(&[ALLOW, Insn::ld_abs(0)]),
            (1, Reason::NoFinalReturn)
        );
    }

    #[test]
    fn rejects_reading_unwritten_scratch() {
        assert_eq!(
            reason(&[Insn::ld_mem(0), ALLOW]),
            (0, Reason::UninitializedScratch { k: 0 })
        );
        // Written on one path only.
        let one_path = [
            Insn::ld_abs(data::NR),
            Insn::jeq_k(1, 0, 1),
            Insn::st(3),
            Insn::ldx_mem(3),
            ALLOW,
        ];
        assert_eq!(
            reason(&one_path),
            (3, Reason::UninitializedScratch { k: 3 })
        );
        // Written on both paths.
        ok(&[
            Insn::ld_abs(data::NR),
            Insn::jeq_k(1, 0, 2),
            Insn::st(3),
            Insn::ja(1),
            Insn::stx(3),
            Insn::ldx_mem(3),
            ALLOW,
        ]);
    }

    #[test]
    fn scratch_analysis_keeps_the_kernels_ret_quirk() {
        // pc 5 is reached only from the JA at 3, after M[0] was written,
        // but the kernel's pass carries "nothing known" over from the
        // RET at 4 (RET does not reset the set), so it refuses this
        // safe program. We must refuse it too: the kernel would.
        let quirk = [
            Insn::ld_imm(0),
            Insn::jeq_k(0, 2, 0),
            Insn::st(0),
            Insn::ja(1),
            Insn::ret_k(0),
            Insn::ld_mem(0),
            Insn::ret_a(),
        ];
        assert_eq!(reason(&quirk), (5, Reason::UninitializedScratch { k: 0 }));
    }

    #[test]
    fn rejects_opcodes_seccomp_does_not_allow() {
        for code in [0x28u16, 0x30, 0x40, 0x48, 0x50, 0xb1] {
            assert_eq!(
                reason(&[Insn::new(code, 0, 0, 0), ALLOW]),
                (0, Reason::NotForSeccomp { code })
            );
        }
        // MOD by a non-zero constant or by X: classic, not seccomp.
        for insn in [Insn::alu_k(BPF_MOD, 3), Insn::alu_x(BPF_MOD)] {
            assert_eq!(
                reason(&[insn, ALLOW]),
                (0, Reason::NotForSeccomp { code: insn.code })
            );
        }
    }

    #[test]
    fn rejects_misaligned_load() {
        assert_eq!(
            reason(&[Insn::ld_abs(2), ALLOW]),
            (0, Reason::MisalignedLoad { k: 2 })
        );
    }

    #[test]
    fn rejects_load_outside_seccomp_data() {
        assert_eq!(
            reason(&[Insn::ld_abs(64), ALLOW]),
            (0, Reason::LoadOutOfBounds { k: 64 })
        );
        // A socket filter's ancillary load (SKF_AD_OFF + SKF_AD_PROTOCOL).
        assert_eq!(
            reason(&[Insn::ld_abs(0xffff_f000), ALLOW]),
            (0, Reason::LoadOutOfBounds { k: 0xffff_f000 })
        );
    }

    #[test]
    fn classic_rules_are_checked_before_seccomp_rules() {
        // The kernel runs bpf_check_classic over the whole program
        // before seccomp_check_filter: a later classic error wins over
        // an earlier seccomp-only one.
        let p = [Insn::new(0x30, 0, 0, 0), Insn::div_k(0), ALLOW];
        assert_eq!(reason(&p), (1, Reason::DivisionByZero));
    }

    // --- Acceptance. ---

    #[test]
    fn accepts_every_seccomp_opcode() {
        for code in SECCOMP_OPCODES {
            // k = 1 keeps DIV K and shifts legal; slot 1 is written first.
            let insn = Insn::new(code, 0, 0, if class(code) == BPF_JMP { 0 } else { 1 });
            let p = [Insn::st(1), Insn::stx(1), insn, ALLOW];
            let p = if code == BPF_LD | BPF_W | BPF_ABS {
                [p[0], p[1], Insn::ld_abs(4), ALLOW]
            } else {
                p
            };
            if let Err(e) = verify(&p) {
                panic!("opcode {code:#06x} refused: {e}");
            }
        }
    }

    #[test]
    fn accepts_exactly_the_seccomp_list() {
        let mut listed = Vec::new();
        for code in 0..=u16::MAX {
            if is_seccomp(code) {
                assert!(is_classic(code), "{code:#x}");
                listed.push(code);
            }
        }
        assert!(SECCOMP_OPCODES.windows(2).all(|w| w[0] < w[1]), "sorted");
        assert_eq!(listed, SECCOMP_OPCODES);
        assert_eq!((0..=u16::MAX).filter(|&c| is_classic(c)).count(), 41 + 8);
    }

    #[test]
    fn accepts_maximum_length_and_every_field() {
        let long = [ALLOW; MAX_INSNS];
        ok(&long);
        for off in (0..data::SIZE).step_by(4) {
            ok(&[Insn::ld_abs(off), Insn::ret_a()]);
        }
        ok(&[Insn::ld_len(), Insn::ldx_len(), Insn::ret_a()]);
    }

    #[test]
    fn accepts_the_longest_jumps() {
        // JA to the last instruction; conditional branches of 255.
        let mut p = [ALLOW; 300];
        p[0] = Insn::ja(298);
        ok(&p);
        p[0] = Insn::jeq_k(0, 255, 255);
        ok(&p);
        p[0] = Insn::jeq_k(0, 0, 255);
        p[44] = Insn::jgt_k(0, 255, 0);
        assert_eq!(
            reason(&p),
            (44, Reason::BranchOutOfRange { jt: 255, jf: 0 })
        );
    }

    #[test]
    fn errors_read_well() {
        let e = verify(&[Insn::div_k(0), ALLOW]).unwrap_err();
        assert_eq!(
            std::format!("{e}"),
            "instruction 0: division by constant zero"
        );
        let e = verify(&[Insn::new(0x30, 0, 0, 0), ALLOW]).unwrap_err();
        assert_eq!(
            std::format!("{e}"),
            "instruction 0: opcode 0x0030 is not allowed in seccomp filters"
        );
    }
}
