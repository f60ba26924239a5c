//! An interpreter for verified seccomp filters: the test oracle.
//!
//! [`run`] computes the verdict the kernel would return for a
//! `seccomp_data`. The kernel does not run classic BPF itself: it
//! rewrites the program to eBPF (`bpf_convert_filter`,
//! `net/core/filter.c`) and interprets or JIT-compiles that. Each
//! choice below follows what that rewrite does; `husk-selftest
//! bpf-kernel` installs programs exercising every accepted opcode in a
//! real kernel and compares, so a wrong choice here fails a test.
//!
//! - A and X start at 0: the rewrite's prologue clears both ("Classic
//!   BPF expects A and X to be reset first").
//! - Arithmetic is on 32 bits, wrapping: classic ALU becomes eBPF ALU32,
//!   whose results are zero-extended. `NEG` is `0 - A`.
//! - `DIV` by X when X is 0 ends the program with verdict 0 (the rewrite
//!   inserts "if X == 0 return 0": "For cBPF programs, this was always
//!   return 0"). 0 is `SECCOMP_RET_KILL_THREAD`. Division by constant 0
//!   never runs: the verifier refuses it.
//! - `LSH`/`RSH` by X use `X & 31`: the eBPF interpreter masks ALU32
//!   shift amounts (`kernel/bpf/core.c`), and the JITs of the
//!   architectures husk supports use the hardware's 32-bit shifts,
//!   which take the amount modulo 32 (x86-64 `shl/shr r32, cl`, arm64
//!   `lslv/lsrv Wd`, riscv64 `sllw/srlw`). Constant shifts of 32 or
//!   more never run: the verifier refuses them.
//! - Comparisons are unsigned 32-bit, also against constants with the
//!   top bit set (the rewrite moves such a `k` into a zero-extended
//!   register rather than use eBPF's sign-extended immediate).
//! - `LD W ABS k` reads the native-endian word at byte `k` of
//!   `seccomp_data`; `LD/LDX LEN` yield 64 (`seccomp_check_filter`
//!   rewrites them to immediates of `sizeof(struct seccomp_data)`).
//! - Scratch memory starts at 0 here; in the kernel it is uninitialised
//!   stack, but the verifier's store-before-load rule makes the
//!   difference unobservable.
//!
//! A verified program only jumps forward, so the loop runs at most
//! `len` steps. Opcodes the verifier refuses are not interpreted; if
//! one were ever met (it cannot be: [`Verified`] is the only input),
//! the result is `KILL_PROCESS`, failing closed.
//!
//! Must not: allocate, panic, or accept an unverified program.

#![forbid(unsafe_code)]

use super::action;
use super::data::{self, SeccompData};
use super::insn::*;
use super::verify::Verified;

/// The verdict of `prog` for `input`.
pub fn run(prog: &Verified<'_>, input: &SeccompData) -> u32 {
    let insns = prog.insns();
    let mut a: u32 = 0;
    let mut x: u32 = 0;
    let mut mem = [0u32; MEMWORDS as usize];
    let mut pc = 0usize;
    while let Some(&Insn { code, jt, jf, k }) = insns.get(pc) {
        pc += 1;
        match class(code) {
            BPF_RET => {
                return if rval(code) == BPF_A { a } else { k };
            }
            BPF_LD => {
                a = match mode(code) {
                    BPF_IMM => k,
                    BPF_MEM => mem[slot(k)],
                    BPF_LEN => data::SIZE,
                    BPF_ABS => match input.word(k) {
                        Some(w) => w,
                        None => return action::KILL_PROCESS,
                    },
                    _ => return action::KILL_PROCESS,
                }
            }
            BPF_LDX => {
                x = match mode(code) {
                    BPF_IMM => k,
                    BPF_MEM => mem[slot(k)],
                    BPF_LEN => data::SIZE,
                    _ => return action::KILL_PROCESS,
                }
            }
            BPF_ST => mem[slot(k)] = a,
            BPF_STX => mem[slot(k)] = x,
            BPF_ALU => {
                let v = if src(code) == BPF_X { x } else { k };
                a = match op(code) {
                    BPF_ADD => a.wrapping_add(v),
                    BPF_SUB => a.wrapping_sub(v),
                    BPF_MUL => a.wrapping_mul(v),
                    BPF_DIV => match a.checked_div(v) {
                        Some(q) => q,
                        None => return 0,
                    },
                    BPF_AND => a & v,
                    BPF_OR => a | v,
                    BPF_XOR => a ^ v,
                    BPF_LSH => a << (v & 31),
                    BPF_RSH => a >> (v & 31),
                    BPF_NEG => a.wrapping_neg(),
                    _ => return action::KILL_PROCESS,
                }
            }
            BPF_JMP => {
                if op(code) == BPF_JA {
                    pc += k as usize;
                    continue;
                }
                let v = if src(code) == BPF_X { x } else { k };
                let taken = match op(code) {
                    BPF_JEQ => a == v,
                    BPF_JGT => a > v,
                    BPF_JGE => a >= v,
                    BPF_JSET => a & v != 0,
                    _ => return action::KILL_PROCESS,
                };
                pc += usize::from(if taken { jt } else { jf });
            }
            BPF_MISC => match miscop(code) {
                BPF_TAX => x = a,
                BPF_TXA => a = x,
                _ => return action::KILL_PROCESS,
            },
            _ => return action::KILL_PROCESS,
        }
    }
    // Unreachable for a verified program (it ends with RET and jumps
    // stay inside it); fail closed regardless.
    action::KILL_PROCESS
}

/// A scratch slot index; the verifier bounds `k` by 16, and the mask
/// keeps indexing total without a panic path.
fn slot(k: u32) -> usize {
    (k % MEMWORDS) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::data::{arg_hi, arg_lo};
    use crate::bpf::verify::{SECCOMP_OPCODES, verify};
    use std::collections::BTreeSet;
    use std::vec::Vec;

    const INPUT: SeccompData = SeccompData {
        nr: 257,
        arch: 0xc000_003e,
        instruction_pointer: 0x0000_7fff_1234_5678,
        args: [
            0x1111_1111_2222_2222,
            0x3333_3333_4444_4444,
            0x5555_5555_6666_6666,
            0x7777_7777_8888_8888,
            0x9999_9999_aaaa_aaaa,
            0xbbbb_bbbb_cccc_cccc,
        ],
    };

    /// Runs `insns` (which must verify) on [`INPUT`] and records which
    /// opcodes the test used, to prove every accepted one is covered.
    fn eval(insns: &[Insn]) -> u32 {
        let v = verify(insns).unwrap_or_else(|e| panic!("{e}: {insns:?}"));
        COVERED.with(|c| c.borrow_mut().extend(insns.iter().map(|i| i.code)));
        run(&v, &INPUT)
    }

    std::thread_local! {
        static COVERED: core::cell::RefCell<BTreeSet<u16>> = const {
            core::cell::RefCell::new(BTreeSet::new())
        };
    }

    /// `A = a; X = x; <insn>; return A`.
    fn alu(a: u32, x: u32, insn: Insn) -> u32 {
        eval(&[Insn::ldx_imm(x), Insn::ld_imm(a), insn, Insn::ret_a()])
    }

    /// Which way `insn` (a conditional jump with jt = 1, jf = 0) goes
    /// with A = a, X = x: 1 taken, 0 not.
    fn branch(a: u32, x: u32, insn: Insn) -> u32 {
        eval(&[
            Insn::ldx_imm(x),
            Insn::ld_imm(a),
            insn,
            Insn::ret_k(0),
            Insn::ret_k(1),
        ])
    }

    #[test]
    fn ret_k_and_ret_a() {
        assert_eq!(eval(&[Insn::ret_k(0x7fff_0000)]), 0x7fff_0000);
        assert_eq!(
            eval(&[Insn::ld_imm(0x0005_000d), Insn::ret_a()]),
            0x0005_000d
        );
    }

    #[test]
    fn registers_start_at_zero() {
        assert_eq!(eval(&[Insn::ret_a()]), 0);
        assert_eq!(eval(&[Insn::txa(), Insn::ret_a()]), 0);
    }

    #[test]
    fn ld_imm_ldx_imm_tax_txa() {
        assert_eq!(eval(&[Insn::ld_imm(7), Insn::ret_a()]), 7);
        assert_eq!(eval(&[Insn::ldx_imm(9), Insn::txa(), Insn::ret_a()]), 9);
        assert_eq!(
            eval(&[
                Insn::ld_imm(5),
                Insn::tax(),
                Insn::ld_imm(0),
                Insn::txa(),
                Insn::ret_a()
            ]),
            5
        );
    }

    #[test]
    fn ld_abs_reads_every_field() {
        let expect = [
            (data::NR, 257),
            (data::ARCH, 0xc000_003e),
            (data::IP_LO, 0x1234_5678),
            (data::IP_HI, 0x0000_7fff),
            (arg_lo(0), 0x2222_2222),
            (arg_hi(0), 0x1111_1111),
            (arg_lo(3), 0x8888_8888),
            (arg_hi(5), 0xbbbb_bbbb),
        ];
        for (off, want) in expect {
            assert_eq!(
                eval(&[Insn::ld_abs(off), Insn::ret_a()]),
                want,
                "offset {off}"
            );
        }
        for off in (0..data::SIZE).step_by(4) {
            assert_eq!(
                eval(&[Insn::ld_abs(off), Insn::ret_a()]),
                INPUT.word(off).unwrap()
            );
        }
    }

    #[test]
    fn ld_len_and_ldx_len_are_64() {
        assert_eq!(eval(&[Insn::ld_len(), Insn::ret_a()]), 64);
        assert_eq!(eval(&[Insn::ldx_len(), Insn::txa(), Insn::ret_a()]), 64);
    }

    #[test]
    fn st_ld_mem_stx_ldx_mem() {
        for slot in 0..MEMWORDS {
            assert_eq!(
                eval(&[
                    Insn::ld_imm(100 + slot),
                    Insn::st(slot),
                    Insn::ld_imm(0),
                    Insn::ld_mem(slot),
                    Insn::ret_a(),
                ]),
                100 + slot
            );
            assert_eq!(
                eval(&[
                    Insn::ldx_imm(200 + slot),
                    Insn::stx(slot),
                    Insn::ldx_imm(0),
                    Insn::ldx_mem(slot),
                    Insn::txa(),
                    Insn::ret_a(),
                ]),
                200 + slot
            );
        }
        // Slots are independent.
        assert_eq!(
            eval(&[
                Insn::ld_imm(1),
                Insn::st(0),
                Insn::ld_imm(2),
                Insn::st(15),
                Insn::ld_mem(0),
                Insn::ret_a(),
            ]),
            1
        );
    }

    #[test]
    fn add_wraps() {
        assert_eq!(alu(1, 0, Insn::add_k(2)), 3);
        assert_eq!(alu(u32::MAX, 0, Insn::add_k(2)), 1);
        assert_eq!(alu(u32::MAX, 2, Insn::alu_x(BPF_ADD)), 1);
    }

    #[test]
    fn sub_wraps() {
        assert_eq!(alu(5, 0, Insn::sub_k(3)), 2);
        assert_eq!(alu(0, 0, Insn::sub_k(1)), u32::MAX);
        assert_eq!(alu(0, 1, Insn::alu_x(BPF_SUB)), u32::MAX);
    }

    #[test]
    fn mul_wraps() {
        assert_eq!(alu(6, 0, Insn::mul_k(7)), 42);
        assert_eq!(alu(0x1_0001, 0, Insn::mul_k(0x1_0001)), 0x0002_0001);
        assert_eq!(alu(0x8000_0000, 2, Insn::alu_x(BPF_MUL)), 0);
    }

    #[test]
    fn div_is_unsigned_and_by_x_zero_returns_zero() {
        assert_eq!(alu(7, 0, Insn::div_k(2)), 3);
        assert_eq!(alu(u32::MAX, 0, Insn::div_k(2)), 0x7fff_ffff);
        assert_eq!(alu(7, 7, Insn::alu_x(BPF_DIV)), 1);
        // The program ends with verdict 0 (KILL_THREAD), not "A = 0".
        let p = [
            Insn::ldx_imm(0),
            Insn::ld_imm(7),
            Insn::alu_x(BPF_DIV),
            Insn::ret_allow(),
        ];
        assert_eq!(eval(&p), action::KILL_THREAD);
    }

    #[test]
    fn and_or_xor() {
        assert_eq!(alu(0xff00_ff00, 0, Insn::and_k(0x0ff0_0ff0)), 0x0f00_0f00);
        assert_eq!(
            alu(0xff00_ff00, 0x0ff0_0ff0, Insn::alu_x(BPF_AND)),
            0x0f00_0f00
        );
        assert_eq!(alu(0xff00_0000, 0, Insn::or_k(0xff)), 0xff00_00ff);
        assert_eq!(alu(0xff00_0000, 0xff, Insn::alu_x(BPF_OR)), 0xff00_00ff);
        assert_eq!(alu(0xffff_0000, 0, Insn::xor_k(0xff00_ff00)), 0x00ff_ff00);
        assert_eq!(
            alu(0xffff_0000, 0xff00_ff00, Insn::alu_x(BPF_XOR)),
            0x00ff_ff00
        );
    }

    #[test]
    fn shifts_by_k() {
        assert_eq!(alu(1, 0, Insn::lsh_k(31)), 0x8000_0000);
        assert_eq!(alu(0x8000_0001, 0, Insn::lsh_k(1)), 2);
        assert_eq!(alu(0x8000_0000, 0, Insn::rsh_k(31)), 1);
        assert_eq!(alu(0x8000_0000, 0, Insn::rsh_k(0)), 0x8000_0000);
    }

    #[test]
    fn shifts_by_x_use_the_low_five_bits() {
        assert_eq!(alu(1, 4, Insn::alu_x(BPF_LSH)), 16);
        assert_eq!(alu(1, 32, Insn::alu_x(BPF_LSH)), 1);
        assert_eq!(alu(1, 33, Insn::alu_x(BPF_LSH)), 2);
        assert_eq!(alu(0x8000_0000, 4, Insn::alu_x(BPF_RSH)), 0x0800_0000);
        assert_eq!(alu(0x8000_0000, 32, Insn::alu_x(BPF_RSH)), 0x8000_0000);
        assert_eq!(alu(0x8000_0000, u32::MAX, Insn::alu_x(BPF_RSH)), 1);
    }

    #[test]
    fn neg_wraps() {
        assert_eq!(alu(1, 0, Insn::neg()), u32::MAX);
        assert_eq!(alu(0, 0, Insn::neg()), 0);
        assert_eq!(alu(0x8000_0000, 0, Insn::neg()), 0x8000_0000);
    }

    #[test]
    fn ja_skips() {
        assert_eq!(eval(&[Insn::ja(1), Insn::ret_k(1), Insn::ret_k(2)]), 2);
        assert_eq!(eval(&[Insn::ja(0), Insn::ret_k(1)]), 1);
    }

    #[test]
    fn jeq_k_and_x() {
        assert_eq!(branch(5, 0, Insn::jeq_k(5, 1, 0)), 1);
        assert_eq!(branch(6, 0, Insn::jeq_k(5, 1, 0)), 0);
        assert_eq!(branch(5, 5, Insn::jeq_x(1, 0)), 1);
        assert_eq!(branch(5, 6, Insn::jeq_x(1, 0)), 0);
    }

    #[test]
    fn jgt_k_and_x_are_unsigned() {
        assert_eq!(branch(0x8000_0000, 0, Insn::jgt_k(0x7fff_ffff, 1, 0)), 1);
        assert_eq!(branch(0x7fff_ffff, 0, Insn::jgt_k(0x8000_0000, 1, 0)), 0);
        assert_eq!(branch(5, 0, Insn::jgt_k(5, 1, 0)), 0);
        assert_eq!(branch(u32::MAX, 1, Insn::jgt_x(1, 0)), 1);
        assert_eq!(branch(1, u32::MAX, Insn::jgt_x(1, 0)), 0);
    }

    #[test]
    fn jge_k_and_x_are_unsigned() {
        assert_eq!(branch(5, 0, Insn::jge_k(5, 1, 0)), 1);
        assert_eq!(branch(4, 0, Insn::jge_k(5, 1, 0)), 0);
        assert_eq!(branch(0xffff_ffff, 0, Insn::jge_k(0x8000_0000, 1, 0)), 1);
        assert_eq!(branch(0x8000_0000, 0x8000_0000, Insn::jge_x(1, 0)), 1);
        assert_eq!(branch(0x7fff_ffff, 0x8000_0000, Insn::jge_x(1, 0)), 0);
    }

    #[test]
    fn jset_k_and_x() {
        assert_eq!(branch(0b1010, 0, Insn::jset_k(0b0010, 1, 0)), 1);
        assert_eq!(branch(0b1010, 0, Insn::jset_k(0b0101, 1, 0)), 0);
        assert_eq!(branch(0x8000_0000, 0x8000_0000, Insn::jset_x(1, 0)), 1);
        assert_eq!(branch(0x8000_0000, 0x7fff_ffff, Insn::jset_x(1, 0)), 0);
    }

    #[test]
    fn jump_offsets_count_from_the_next_instruction() {
        let p = [
            Insn::ld_imm(1),
            Insn::jeq_k(1, 2, 0),
            Insn::ret_k(10),
            Insn::ret_k(11),
            Insn::ret_k(12),
        ];
        assert_eq!(eval(&p), 12);
    }

    #[test]
    fn every_accepted_opcode_has_a_test() {
        // Run the per-opcode tests on this thread so their coverage
        // lands in this thread's set.
        ret_k_and_ret_a();
        registers_start_at_zero();
        ld_imm_ldx_imm_tax_txa();
        ld_abs_reads_every_field();
        ld_len_and_ldx_len_are_64();
        st_ld_mem_stx_ldx_mem();
        add_wraps();
        sub_wraps();
        mul_wraps();
        div_is_unsigned_and_by_x_zero_returns_zero();
        and_or_xor();
        shifts_by_k();
        shifts_by_x_use_the_low_five_bits();
        neg_wraps();
        ja_skips();
        jeq_k_and_x();
        jgt_k_and_x_are_unsigned();
        jge_k_and_x_are_unsigned();
        jset_k_and_x();
        let covered = COVERED.with(|c| c.borrow().clone());
        let missing: Vec<u16> = SECCOMP_OPCODES
            .iter()
            .copied()
            .filter(|c| !covered.contains(c))
            .collect();
        assert!(missing.is_empty(), "opcodes without a test: {missing:#x?}");
    }
}
