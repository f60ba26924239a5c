//! Programs and inputs that pin the interpreter to the kernel.
//!
//! Each [`Case`] is a small body that leaves a value in A, computed
//! from the syscall arguments, for a list of argument vectors. Together
//! the cases use every opcode the verifier accepts (a test checks it),
//! with edge values: wrapping, shifts by X of 32 and more, division by
//! X = 0, comparisons against constants with the top bit set, every
//! `seccomp_data` word, every scratch slot, initial register values,
//! every return action, a branch the builder must trampoline.
//!
//! [`Case::program`] wraps a body so that the kernel's verdict reveals
//! the value:
//!
//! ```text
//!   A = seccomp_data.nr
//!   if (A == TEST_NR) goto body else goto next
//!   return ALLOW                      every other syscall runs as usual
//! body:
//!   ...                               leaves a value in A
//!   A >>= 12 * chunk                  ERRNO data is capped at 4095, so
//!   A &= 0xfff                        a 32-bit value takes three
//!   A |= ERRNO                        programs, 12 bits each
//!   return A
//! ```
//!
//! `husk-selftest bpf-kernel` installs each program in a child, issues
//! `TEST_NR` (getppid: harmless if allowed, and its allowed result, the
//! parent's pid, differs from every errno) with each vector, and checks
//! the raw return against [`expected`] applied to the interpreter's
//! verdict for the same program. Bodies that return a verdict
//! themselves ([`Body::RetK`], [`Body::RetA`]) check the mapping from
//! verdicts to what a process sees, kills included. [`REJECTS`] are
//! programs the kernel must refuse, one per verifier rule.
//!
//! Must not: issue system calls (it is data and pure functions), or
//! hold a case the kernel could not run in a single-threaded child.

#![forbid(unsafe_code)]

use super::action;
use super::builder::{BuildError, Builder, Cmp, NEXT};
use super::data::{self, SeccompData, arg_hi, arg_lo};
use super::insn::*;
use super::program::Program;
use super::verify::Reason;

/// The syscall the programs test: getppid.
pub const TEST_NR: u32 = crate::sys::nr::GETPPID as u32;
/// Bits of A one program reveals (errno data stops at 4095).
pub const CHUNK_BITS: u32 = 12;
/// Programs needed to reveal all 32 bits of A.
pub const CHUNKS: u32 = 3;
/// Instruction capacity of a conformance program.
pub const CAPACITY: usize = 512;
/// The most input vectors a case has.
pub const MAX_INPUTS: usize = 16;

/// Syscall arguments of one test call.
pub type Args = [u64; data::ARGS];

/// What a body computes. `a0`/`x0` below are `args[0].lo`/`args[1].lo`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Body {
    /// `A = a0; A <op>= k`.
    AluK(u16, u32),
    /// `A = a0; X = x0; A <op>= X`.
    AluX(u16),
    /// `A = a0; A = -A`.
    Neg,
    /// `A = a0; A = (A <cmp> k) ? 1 : 2`.
    JmpK(Cmp, u32),
    /// `A = a0; X = x0; A = (A <cmp> X) ? 1 : 2`.
    JmpX(Cmp),
    /// `A = 1; ja over n instructions that add 100; ` (A stays 1).
    Ja(u8),
    /// `A = seccomp_data[off]`.
    LdAbs(u32),
    /// `A = len`.
    LdLen,
    /// `X = len; A = X`.
    LdxLen,
    /// `A = k`.
    LdImm(u32),
    /// `X = k; A = X`.
    LdxImm(u32),
    /// `A = a0; M[s] = A; A = 0; A = M[s]`.
    StLdMem(u32),
    /// `A = a0; X = A; M[s] = X; X = 0; X = M[s]; A = X`.
    StxLdxMem(u32),
    /// M[0] written with 10 or 20 on two paths by a0's low bit, read
    /// after they join.
    MemJoin,
    /// The value of A when the program starts (saved before the
    /// prologue).
    InitialA,
    /// The value of X when the program starts.
    InitialX,
    /// `A = a0; if (A == 7) goto far (> 255 away)`: 2 if taken, else 1.
    FarJump,
    /// `return k`.
    RetK(u32),
    /// `A = a0; return A`.
    RetA,
}

impl Body {
    /// Whether the body returns a verdict itself (no epilogue).
    pub const fn returns(&self) -> bool {
        matches!(self, Body::RetK(_) | Body::RetA)
    }

    /// Programs needed to reveal the body's value: one when it is
    /// known to fit 12 bits (or the body returns itself), else three.
    pub const fn chunks(&self) -> u32 {
        match self {
            Body::RetK(_) | Body::RetA => 1,
            Body::JmpK(..) | Body::JmpX(_) | Body::Ja(_) | Body::FarJump | Body::MemJoin => 1,
            Body::LdLen | Body::LdxLen => 1,
            _ => CHUNKS,
        }
    }

    fn emit(&self, b: &mut CaseBuilder) {
        let a0 = Insn::ld_abs(arg_lo(0));
        let x0 = [Insn::ld_abs(arg_lo(1)), Insn::tax(), a0];
        match *self {
            Body::AluK(op, k) => b.emit_all(&[a0, Insn::alu_k(op, k)]),
            Body::AluX(op) => {
                b.emit_all(&x0);
                b.emit(Insn::alu_x(op));
            }
            Body::Neg => b.emit_all(&[a0, Insn::neg()]),
            Body::JmpK(cmp, k) => {
                b.emit(a0);
                let (yes, end) = (b.label("yes"), b.label("end"));
                b.jmp_k(cmp, k, yes, NEXT);
                select(b, yes, end);
            }
            Body::JmpX(cmp) => {
                b.emit_all(&x0);
                let (yes, end) = (b.label("yes"), b.label("end"));
                b.jmp_x(cmp, yes, NEXT);
                select(b, yes, end);
            }
            Body::Ja(n) => {
                b.emit(Insn::ld_imm(1));
                let over = b.label("over");
                b.ja(over);
                for _ in 0..n {
                    b.emit(Insn::add_k(100));
                }
                b.bind(over);
            }
            Body::LdAbs(off) => b.emit(Insn::ld_abs(off)),
            Body::LdLen => b.emit(Insn::ld_len()),
            Body::LdxLen => b.emit_all(&[Insn::ldx_len(), Insn::txa()]),
            Body::LdImm(k) => b.emit(Insn::ld_imm(k)),
            Body::LdxImm(k) => b.emit_all(&[Insn::ldx_imm(k), Insn::txa()]),
            Body::StLdMem(s) => {
                b.emit_all(&[a0, Insn::st(s), Insn::ld_imm(0), Insn::ld_mem(s)]);
            }
            Body::StxLdxMem(s) => b.emit_all(&[
                a0,
                Insn::tax(),
                Insn::stx(s),
                Insn::ldx_imm(0),
                Insn::ldx_mem(s),
                Insn::txa(),
            ]),
            Body::MemJoin => {
                let (odd, join) = (b.label("odd"), b.label("join"));
                b.emit(a0);
                b.jset_k(1, odd, NEXT);
                b.emit_all(&[Insn::ld_imm(10), Insn::st(0)]);
                b.ja(join);
                b.bind(odd);
                b.emit_all(&[Insn::ldx_imm(20), Insn::stx(0)]);
                b.bind(join);
                b.emit_all(&[Insn::ld_imm(0), Insn::ld_mem(0)]);
            }
            Body::InitialA | Body::InitialX => b.emit(Insn::ld_mem(0)),
            Body::FarJump => {
                let (far, end) = (b.label("far"), b.label("end"));
                b.emit(a0);
                b.jeq_k(7, far, NEXT);
                for _ in 0..300 {
                    b.emit(Insn::ldx_imm(0));
                }
                b.emit(Insn::ld_imm(1));
                b.ja(end);
                b.bind(far);
                b.emit(Insn::ld_imm(2));
                b.bind(end);
            }
            Body::RetK(k) => b.emit(Insn::ret_k(k)),
            Body::RetA => b.emit_all(&[a0, Insn::ret_a()]),
        }
    }
}

type CaseBuilder = Builder<CAPACITY, 8>;

/// `A = 2; goto end; yes: A = 1; end:`.
fn select(b: &mut CaseBuilder, yes: super::builder::Label, end: super::builder::Label) {
    b.emit(Insn::ld_imm(2));
    b.ja(end);
    b.bind(yes);
    b.emit(Insn::ld_imm(1));
    b.bind(end);
}

/// One body and the argument vectors to run it with.
#[derive(Clone, Copy, Debug)]
pub struct Case {
    /// Name for messages.
    pub name: &'static str,
    /// What the program computes.
    pub body: Body,
    /// Argument vectors (at most [`MAX_INPUTS`]).
    pub inputs: &'static [Args],
}

impl Case {
    /// Programs needed for this case (see [`Body::chunks`]).
    pub const fn chunks(&self) -> u32 {
        self.body.chunks()
    }

    /// The whole program revealing bits `12 * chunk ..` of the body's
    /// value (or returning the body's own verdict).
    pub fn program(&self, chunk: u32) -> Result<Program<CAPACITY>, BuildError> {
        let mut b = CaseBuilder::new();
        match self.body {
            Body::InitialA => b.emit(Insn::st(0)),
            Body::InitialX => b.emit(Insn::stx(0)),
            _ => {}
        }
        let body = b.label("body");
        b.emit(Insn::ld_abs(data::NR));
        b.jeq_k(TEST_NR, body, NEXT);
        b.emit(Insn::ret_allow());
        b.bind(body);
        self.body.emit(&mut b);
        if !self.body.returns() {
            b.emit_all(&[
                Insn::rsh_k(CHUNK_BITS * chunk),
                Insn::and_k((1 << CHUNK_BITS) - 1),
                Insn::or_k(action::ERRNO),
                Insn::ret_a(),
            ]);
        }
        b.finish()
    }
}

/// The filter input for `args` as the kernel fills it for the test
/// call on this machine, given the call's instruction pointer.
pub fn input(args: &Args, instruction_pointer: u64) -> SeccompData {
    SeccompData {
        nr: TEST_NR as i32,
        arch: crate::sys::arch::AUDIT_ARCH,
        instruction_pointer,
        args: *args,
    }
}

/// What a single-threaded process sees when its filter returns a
/// verdict for a call whose allowed result is `allowed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The call returns this raw value (negative: an errno).
    Returns(i64),
    /// The process dies of SIGSYS.
    Killed,
}

/// The kernel's handling of each action (`kernel/seccomp.c`,
/// `__seccomp_filter`) for a process with no tracer and no listener.
/// `known` says whether the running kernel knows an action value
/// (`SECCOMP_GET_ACTION_AVAIL`); it treats one it does not know, as any
/// undefined value, like a kill.
pub fn expected(verdict: u32, allowed: i64, known: impl Fn(u32) -> bool) -> Outcome {
    let data = verdict & action::DATA;
    let act = verdict & action::ACTION_FULL;
    if !known(act) {
        return Outcome::Killed;
    }
    match act {
        // "Set low-order bits as an errno, capped at MAX_ERRNO."
        action::ERRNO => Outcome::Returns(-i64::from(data.min(u32::from(action::MAX_ERRNO)))),
        action::ALLOW | action::LOG => Outcome::Returns(allowed),
        // No tracer attached / no listener: the call fails with ENOSYS.
        action::TRACE | action::USER_NOTIF => Outcome::Returns(-i64::from(libc::ENOSYS)),
        // TRAP's SIGSYS is fatal by default; KILL_THREAD kills the only
        // thread; an undefined action is treated as KILL_PROCESS.
        _ => Outcome::Killed,
    }
}

/// The value a program for `chunk` reveals when A is `value`.
pub const fn chunk_of(value: u32, chunk: u32) -> u32 {
    (value >> (CHUNK_BITS * chunk)) & ((1 << CHUNK_BITS) - 1)
}

const fn args1(a: u64) -> Args {
    [a, 0, 0, 0, 0, 0]
}

const fn args2(a: u64, x: u64) -> Args {
    [a, x, 0, 0, 0, 0]
}

/// No arguments.
const NONE: &[Args] = &[args1(0)];

/// Values for A, with garbage in the upper half of the last.
const A_VALUES: &[Args] = &[
    args1(0),
    args1(1),
    args1(2),
    args1(0x7fff_ffff),
    args1(0x8000_0000),
    args1(0x8000_0001),
    args1(0xffff_fffe),
    args1(0xffff_ffff),
    args1(0x1234_5678),
    args1(0xdead_beef_0000_0005),
];

/// (A, X) pairs.
const AX_VALUES: &[Args] = &[
    args2(0, 0),
    args2(1, 1),
    args2(5, 3),
    args2(3, 5),
    args2(0xffff_ffff, 1),
    args2(1, 0xffff_ffff),
    args2(0x8000_0000, 0x8000_0000),
    args2(0x7fff_ffff, 0x8000_0000),
    args2(0x1234_5678, 0xff),
    args2(0xdead_beef_0000_0009, 0xffff_ffff_0000_0003),
];

/// (A, X) pairs for shifts: amounts around and beyond 32.
const SHIFT_VALUES: &[Args] = &[
    args2(1, 0),
    args2(1, 1),
    args2(1, 31),
    args2(1, 32),
    args2(1, 33),
    args2(0x8000_0001, 63),
    args2(0xdead_beef, 4),
    args2(0xdead_beef, 36),
    args2(0xdead_beef, 0xffff_ffff),
    args2(0xdead_beef, 0x8000_0010),
];

/// (A, X) pairs for division, X = 0 among them (twice, so a run goes
/// on after the first kill).
const DIV_VALUES: &[Args] = &[
    args2(7, 2),
    args2(7, 0),
    args2(100, 7),
    args2(0xffff_ffff, 0xffff_ffff),
    args2(0, 0),
    args2(0xffff_ffff, 2),
    args2(5, 7),
];

/// Every argument distinct, both halves.
const ARG_VALUES: &[Args] = &[
    [
        0x0123_4567_89ab_cdef,
        0xfedc_ba98_7654_3210,
        0x8000_0000_0000_0001,
        0xffff_ffff_0000_0000,
        0x0000_0000_ffff_ffff,
        0xa5a5_a5a5_5a5a_5a5a,
    ],
    [
        0x1111_1111_2222_2222,
        0x3333_3333_4444_4444,
        0x5555_5555_6666_6666,
        0x7777_7777_8888_8888,
        0x9999_9999_aaaa_aaaa,
        0xbbbb_bbbb_cccc_cccc,
    ],
];

/// Verdicts for `RET A`, in args[0].
const VERDICTS: &[Args] = &[
    args1(action::errno(5) as u64),
    args1(action::ERRNO as u64),
    args1(action::errno(4095) as u64),
    args1(action::errno(4096) as u64),
    args1(action::errno(0xffff) as u64),
    args1(action::ALLOW as u64),
    args1((action::ALLOW | 0x1234) as u64),
    args1(action::LOG as u64),
    args1(action::trace(3) as u64),
    args1(action::USER_NOTIF as u64),
    args1(action::trap(1) as u64),
    args1(action::KILL_THREAD as u64),
    args1(action::KILL_PROCESS as u64),
    args1(0x0001_0000),
    args1(0x7ffe_0000),
    args1(0xffff_ffff_0005_0007),
];

macro_rules! case {
    ($name:expr, $body:expr, $inputs:expr) => {
        Case {
            name: $name,
            body: $body,
            inputs: $inputs,
        }
    };
}

/// The conformance set.
pub static CASES: &[Case] = &[
    // ALU with a constant.
    case!("add_k_1", Body::AluK(BPF_ADD, 1), A_VALUES),
    case!("add_k_max", Body::AluK(BPF_ADD, 0xffff_ffff), A_VALUES),
    case!("sub_k_1", Body::AluK(BPF_SUB, 1), A_VALUES),
    case!("sub_k_sign", Body::AluK(BPF_SUB, 0x8000_0000), A_VALUES),
    case!("mul_k_3", Body::AluK(BPF_MUL, 3), A_VALUES),
    case!("mul_k_wrap", Body::AluK(BPF_MUL, 0x0001_0001), A_VALUES),
    case!("mul_k_max", Body::AluK(BPF_MUL, 0xffff_ffff), A_VALUES),
    case!("div_k_1", Body::AluK(BPF_DIV, 1), A_VALUES),
    case!("div_k_3", Body::AluK(BPF_DIV, 3), A_VALUES),
    case!("div_k_sign", Body::AluK(BPF_DIV, 0x8000_0000), A_VALUES),
    case!("div_k_max", Body::AluK(BPF_DIV, 0xffff_ffff), A_VALUES),
    case!("and_k", Body::AluK(BPF_AND, 0xf0f0_f0f0), A_VALUES),
    case!("or_k", Body::AluK(BPF_OR, 0x0f0f_0f0f), A_VALUES),
    case!("xor_k", Body::AluK(BPF_XOR, 0xffff_ffff), A_VALUES),
    case!("lsh_k_0", Body::AluK(BPF_LSH, 0), A_VALUES),
    case!("lsh_k_1", Body::AluK(BPF_LSH, 1), A_VALUES),
    case!("lsh_k_31", Body::AluK(BPF_LSH, 31), A_VALUES),
    case!("rsh_k_1", Body::AluK(BPF_RSH, 1), A_VALUES),
    case!("rsh_k_31", Body::AluK(BPF_RSH, 31), A_VALUES),
    case!("neg", Body::Neg, A_VALUES),
    // ALU with X.
    case!("add_x", Body::AluX(BPF_ADD), AX_VALUES),
    case!("sub_x", Body::AluX(BPF_SUB), AX_VALUES),
    case!("mul_x", Body::AluX(BPF_MUL), AX_VALUES),
    case!("div_x", Body::AluX(BPF_DIV), DIV_VALUES),
    case!("and_x", Body::AluX(BPF_AND), AX_VALUES),
    case!("or_x", Body::AluX(BPF_OR), AX_VALUES),
    case!("xor_x", Body::AluX(BPF_XOR), AX_VALUES),
    case!("lsh_x", Body::AluX(BPF_LSH), SHIFT_VALUES),
    case!("rsh_x", Body::AluX(BPF_RSH), SHIFT_VALUES),
    // Jumps.
    case!("ja_0", Body::Ja(0), NONE),
    case!("ja_3", Body::Ja(3), NONE),
    case!("jeq_k_0", Body::JmpK(Cmp::Eq, 0), A_VALUES),
    case!("jeq_k_sign", Body::JmpK(Cmp::Eq, 0x8000_0000), A_VALUES),
    case!("jeq_k_max", Body::JmpK(Cmp::Eq, 0xffff_ffff), A_VALUES),
    case!("jgt_k_1", Body::JmpK(Cmp::Gt, 1), A_VALUES),
    case!("jgt_k_sign", Body::JmpK(Cmp::Gt, 0x7fff_ffff), A_VALUES),
    case!("jge_k_sign", Body::JmpK(Cmp::Ge, 0x8000_0000), A_VALUES),
    case!("jge_k_max", Body::JmpK(Cmp::Ge, 0xffff_ffff), A_VALUES),
    case!("jset_k_low", Body::JmpK(Cmp::Set, 0x0000_0003), A_VALUES),
    case!("jset_k_sign", Body::JmpK(Cmp::Set, 0x8000_0000), A_VALUES),
    case!("jset_k_0", Body::JmpK(Cmp::Set, 0), A_VALUES),
    case!("jeq_x", Body::JmpX(Cmp::Eq), AX_VALUES),
    case!("jgt_x", Body::JmpX(Cmp::Gt), AX_VALUES),
    case!("jge_x", Body::JmpX(Cmp::Ge), AX_VALUES),
    case!("jset_x", Body::JmpX(Cmp::Set), AX_VALUES),
    case!(
        "far_jump",
        Body::FarJump,
        &[args1(7), args1(8), args1(0xffff_ffff_0000_0007)]
    ),
    // Loads: every word of seccomp_data.
    case!("ld_nr", Body::LdAbs(data::NR), NONE),
    case!("ld_arch", Body::LdAbs(data::ARCH), NONE),
    case!("ld_ip_lo", Body::LdAbs(data::IP_LO), NONE),
    case!("ld_ip_hi", Body::LdAbs(data::IP_HI), NONE),
    case!("ld_arg0_lo", Body::LdAbs(arg_lo(0)), ARG_VALUES),
    case!("ld_arg0_hi", Body::LdAbs(arg_hi(0)), ARG_VALUES),
    case!("ld_arg1_lo", Body::LdAbs(arg_lo(1)), ARG_VALUES),
    case!("ld_arg1_hi", Body::LdAbs(arg_hi(1)), ARG_VALUES),
    case!("ld_arg2_lo", Body::LdAbs(arg_lo(2)), ARG_VALUES),
    case!("ld_arg2_hi", Body::LdAbs(arg_hi(2)), ARG_VALUES),
    case!("ld_arg3_lo", Body::LdAbs(arg_lo(3)), ARG_VALUES),
    case!("ld_arg3_hi", Body::LdAbs(arg_hi(3)), ARG_VALUES),
    case!("ld_arg4_lo", Body::LdAbs(arg_lo(4)), ARG_VALUES),
    case!("ld_arg4_hi", Body::LdAbs(arg_hi(4)), ARG_VALUES),
    case!("ld_arg5_lo", Body::LdAbs(arg_lo(5)), ARG_VALUES),
    case!("ld_arg5_hi", Body::LdAbs(arg_hi(5)), ARG_VALUES),
    case!("ld_len", Body::LdLen, NONE),
    case!("ldx_len", Body::LdxLen, NONE),
    case!("ld_imm", Body::LdImm(0xdead_beef), NONE),
    case!("ldx_imm", Body::LdxImm(0x8765_4321), NONE),
    // Registers and scratch memory.
    case!("initial_a", Body::InitialA, NONE),
    case!("initial_x", Body::InitialX, NONE),
    case!("mem_0", Body::StLdMem(0), ARG_VALUES),
    case!("mem_1", Body::StLdMem(1), ARG_VALUES),
    case!("mem_2", Body::StLdMem(2), ARG_VALUES),
    case!("mem_3", Body::StLdMem(3), ARG_VALUES),
    case!("mem_4", Body::StLdMem(4), ARG_VALUES),
    case!("mem_5", Body::StLdMem(5), ARG_VALUES),
    case!("mem_6", Body::StLdMem(6), ARG_VALUES),
    case!("mem_7", Body::StLdMem(7), ARG_VALUES),
    case!("mem_8", Body::StLdMem(8), ARG_VALUES),
    case!("mem_9", Body::StLdMem(9), ARG_VALUES),
    case!("mem_10", Body::StLdMem(10), ARG_VALUES),
    case!("mem_11", Body::StLdMem(11), ARG_VALUES),
    case!("mem_12", Body::StLdMem(12), ARG_VALUES),
    case!("mem_13", Body::StLdMem(13), ARG_VALUES),
    case!("mem_14", Body::StLdMem(14), ARG_VALUES),
    case!("mem_15", Body::StLdMem(15), ARG_VALUES),
    case!("memx_0", Body::StxLdxMem(0), ARG_VALUES),
    case!("memx_15", Body::StxLdxMem(15), ARG_VALUES),
    case!(
        "mem_join",
        Body::MemJoin,
        &[args1(0), args1(1), args1(2), args1(3)]
    ),
    // Verdicts.
    case!("ret_errno_0", Body::RetK(action::ERRNO), NONE),
    case!("ret_errno_1", Body::RetK(action::errno(1)), NONE),
    case!("ret_errno_4095", Body::RetK(action::errno(4095)), NONE),
    case!("ret_errno_capped", Body::RetK(action::errno(4096)), NONE),
    case!("ret_errno_ffff", Body::RetK(action::errno(0xffff)), NONE),
    case!("ret_allow", Body::RetK(action::ALLOW), NONE),
    case!("ret_log", Body::RetK(action::LOG), NONE),
    case!("ret_trace", Body::RetK(action::trace(1)), NONE),
    case!("ret_user_notif", Body::RetK(action::USER_NOTIF), NONE),
    case!("ret_trap", Body::RetK(action::trap(0)), NONE),
    case!("ret_kill_thread", Body::RetK(action::KILL_THREAD), NONE),
    case!("ret_kill_process", Body::RetK(action::KILL_PROCESS), NONE),
    case!("ret_unknown", Body::RetK(0x0001_0000), NONE),
    case!("ret_a", Body::RetA, VERDICTS),
];

/// A program seccomp must refuse, and the rule it breaks.
#[derive(Clone, Copy, Debug)]
pub struct Reject {
    /// Name for messages.
    pub name: &'static str,
    /// The instructions.
    pub insns: &'static [Insn],
    /// What the verifier must say.
    pub reason: Reason,
}

const ALLOW: Insn = Insn::ret_allow();

macro_rules! reject {
    ($name:expr, $insns:expr, $reason:expr) => {
        Reject {
            name: $name,
            insns: $insns,
            reason: $reason,
        }
    };
}

/// One program per verifier rule (the kernel answers EINVAL to each).
pub static REJECTS: &[Reject] = &[
    reject!("empty", &[], Reason::Empty),
    reject!("too_long", &[ALLOW; 4097], Reason::TooLong { len: 4097 }),
    reject!(
        "ld_dw_abs",
        &[Insn::new(0x38, 0, 0, 0), ALLOW],
        Reason::UnknownOpcode { code: 0x38 }
    ),
    reject!(
        "ret_x",
        &[Insn::new(0x0e, 0, 0, 0)],
        Reason::UnknownOpcode { code: 0x0e }
    ),
    reject!("div_k_0", &[Insn::div_k(0), ALLOW], Reason::DivisionByZero),
    reject!(
        "lsh_k_32",
        &[Insn::lsh_k(32), ALLOW],
        Reason::ShiftTooLarge { k: 32 }
    ),
    reject!(
        "rsh_k_32",
        &[Insn::rsh_k(32), ALLOW],
        Reason::ShiftTooLarge { k: 32 }
    ),
    reject!(
        "st_16",
        &[Insn::st(16), ALLOW],
        Reason::BadScratchSlot { k: 16 }
    ),
    reject!(
        "ja_past_end",
        &[Insn::ja(1), ALLOW],
        Reason::JumpOutOfRange { k: 1 }
    ),
    reject!(
        "jeq_past_end",
        &[Insn::jeq_k(0, 0, 1), ALLOW],
        Reason::BranchOutOfRange { jt: 0, jf: 1 }
    ),
    reject!(
        "no_final_ret",
        &[ALLOW, Insn::ld_imm(0)],
        Reason::NoFinalReturn
    ),
    reject!(
        "ld_mem_unwritten",
        &[Insn::ld_mem(0), ALLOW],
        Reason::UninitializedScratch { k: 0 }
    ),
    reject!(
        "ld_mem_after_ret_quirk",
        &[
            Insn::ld_imm(0),
            Insn::jeq_k(0, 2, 0),
            Insn::st(0),
            Insn::ja(1),
            Insn::ret_k(0),
            Insn::ld_mem(0),
            Insn::ret_a(),
        ],
        Reason::UninitializedScratch { k: 0 }
    ),
    reject!(
        "ld_h_abs",
        &[Insn::new(0x28, 0, 0, 0), ALLOW],
        Reason::NotForSeccomp { code: 0x28 }
    ),
    reject!(
        "ld_b_abs",
        &[Insn::new(0x30, 0, 0, 0), ALLOW],
        Reason::NotForSeccomp { code: 0x30 }
    ),
    reject!(
        "ld_w_ind",
        &[Insn::new(0x40, 0, 0, 0), ALLOW],
        Reason::NotForSeccomp { code: 0x40 }
    ),
    reject!(
        "ldx_msh",
        &[Insn::new(0xb1, 0, 0, 0), ALLOW],
        Reason::NotForSeccomp { code: 0xb1 }
    ),
    reject!(
        "mod_k",
        &[Insn::alu_k(BPF_MOD, 3), ALLOW],
        Reason::NotForSeccomp { code: 0x94 }
    ),
    reject!(
        "mod_x",
        &[Insn::alu_x(BPF_MOD), ALLOW],
        Reason::NotForSeccomp { code: 0x9c }
    ),
    reject!(
        "ld_abs_2",
        &[Insn::ld_abs(2), ALLOW],
        Reason::MisalignedLoad { k: 2 }
    ),
    reject!(
        "ld_abs_64",
        &[Insn::ld_abs(64), ALLOW],
        Reason::LoadOutOfBounds { k: 64 }
    ),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::interp;
    use crate::bpf::verify::{SECCOMP_OPCODES, verify};
    use std::collections::BTreeSet;
    use std::vec::Vec;

    #[test]
    fn every_program_builds_and_verifies() {
        for case in CASES {
            assert!(
                !case.inputs.is_empty() && case.inputs.len() <= MAX_INPUTS,
                "{}",
                case.name
            );
            for chunk in 0..case.chunks() {
                let p = case
                    .program(chunk)
                    .unwrap_or_else(|e| panic!("{}: {e}", case.name));
                if let Err(e) = verify(&p) {
                    panic!("{} chunk {chunk}: {e}", case.name);
                }
            }
        }
    }

    #[test]
    fn names_are_unique() {
        let names: BTreeSet<&str> = CASES.iter().map(|c| c.name).collect();
        assert_eq!(names.len(), CASES.len());
        let names: BTreeSet<&str> = REJECTS.iter().map(|r| r.name).collect();
        assert_eq!(names.len(), REJECTS.len());
    }

    #[test]
    fn cases_cover_every_accepted_opcode() {
        let mut used = BTreeSet::new();
        for case in CASES {
            for chunk in 0..case.chunks() {
                used.extend(case.program(chunk).unwrap().iter().map(|i| i.code));
            }
        }
        let missing: Vec<u16> = SECCOMP_OPCODES
            .iter()
            .copied()
            .filter(|c| !used.contains(c))
            .collect();
        assert!(missing.is_empty(), "not exercised: {missing:#x?}");
    }

    #[test]
    fn rejects_fail_verification_for_their_reason() {
        for r in REJECTS {
            match verify(r.insns) {
                Ok(_) => panic!("{} verified", r.name),
                Err(e) => assert_eq!(e.reason, r.reason, "{}", r.name),
            }
        }
    }

    fn value(case: &Case, args: &Args) -> u32 {
        // Reassemble the body's value from its chunk programs, as the
        // kernel test sees it.
        let mut v = 0u32;
        for chunk in 0..case.chunks() {
            let p = case.program(chunk).unwrap();
            let verdict = interp::run(&verify(&p).unwrap(), &input(args, 0x40_1000));
            match expected(verdict, 4242, |_| true) {
                Outcome::Returns(r) => v |= ((-r) as u32) << (CHUNK_BITS * chunk),
                Outcome::Killed => panic!("{} killed", case.name),
            }
        }
        v
    }

    fn case(name: &str) -> &'static Case {
        CASES.iter().find(|c| c.name == name).unwrap()
    }

    #[test]
    fn chunked_programs_reveal_the_value() {
        assert_eq!(value(case("add_k_max"), &args1(5)), 4);
        assert_eq!(value(case("ld_imm"), &args1(0)), 0xdead_beef);
        assert_eq!(
            value(case("ld_arch"), &args1(0)),
            crate::sys::arch::AUDIT_ARCH
        );
        assert_eq!(value(case("ld_nr"), &args1(0)), TEST_NR);
        assert_eq!(value(case("ld_ip_lo"), &args1(0)), 0x40_1000);
        assert_eq!(value(case("ld_arg5_hi"), &ARG_VALUES[0]), 0xa5a5_a5a5);
        assert_eq!(value(case("far_jump"), &args1(7)), 2);
        assert_eq!(value(case("far_jump"), &args1(8)), 1);
        assert_eq!(value(case("mem_join"), &args1(3)), 20);
        assert_eq!(value(case("initial_x"), &args1(3)), 0);
        assert_eq!(value(case("lsh_x"), &args2(1, 33)), 2);
        assert_eq!(value(case("ld_len"), &args1(0)), 64);
    }

    #[test]
    fn a_program_allows_other_syscalls() {
        let p = case("ret_kill_process").program(0).unwrap();
        let v = verify(&p).unwrap();
        let mut d = input(&args1(0), 0);
        assert_eq!(interp::run(&v, &d), action::KILL_PROCESS);
        d.nr = 1;
        assert_eq!(interp::run(&v, &d), action::ALLOW);
    }

    #[test]
    fn the_far_jump_needs_a_trampoline() {
        let p = case("far_jump").program(0).unwrap();
        // A branch offset of 0 or 1 followed by a JA is a trampoline.
        assert!(p.windows(2).any(|w| w[0].is_conditional_jump()
            && w[0].k == 7
            && w[0].jt == 0
            && w[1].is_jump()
            && !w[1].is_conditional_jump()
            && w[1].k > 255));
    }

    #[test]
    fn expected_outcomes() {
        use Outcome::*;
        let all = |_| true;
        assert_eq!(expected(action::errno(13), 99, all), Returns(-13));
        assert_eq!(expected(action::ERRNO, 99, all), Returns(0));
        assert_eq!(expected(action::errno(5000), 99, all), Returns(-4095));
        assert_eq!(expected(action::ALLOW | 5, 99, all), Returns(99));
        assert_eq!(expected(action::LOG, 99, all), Returns(99));
        assert_eq!(expected(action::trace(1), 99, all), Returns(-38));
        assert_eq!(expected(action::USER_NOTIF, 99, all), Returns(-38));
        assert_eq!(expected(action::trap(1), 99, all), Killed);
        assert_eq!(expected(action::KILL_THREAD, 99, all), Killed);
        assert_eq!(expected(action::KILL_PROCESS, 99, all), Killed);
        assert_eq!(expected(0x0001_0000, 99, all), Killed);
        // A kernel older than the action (LOG is 4.14, USER_NOTIF 5.0).
        let old = |a| a != action::LOG && a != action::USER_NOTIF;
        assert_eq!(expected(action::LOG, 99, old), Killed);
        assert_eq!(expected(action::USER_NOTIF, 99, old), Killed);
        assert_eq!(expected(action::ALLOW, 99, old), Returns(99));
        assert_eq!(chunk_of(0xdead_beef, 0), 0xeef);
        assert_eq!(chunk_of(0xdead_beef, 1), 0xadb);
        assert_eq!(chunk_of(0xdead_beef, 2), 0xde);
    }
}
