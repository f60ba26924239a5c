//! A disassembler to readable pseudo-code, one line per instruction.
//!
//! ```text
//! 0000: A = seccomp_data.arch
//! 0001: if (A == 0xc000003e) goto 0003 else goto 0002
//! 0002: return KILL_PROCESS
//! 0003: A = seccomp_data.nr
//! 0004: if (A == 2) /* open */ goto 0005 else goto 0006
//! 0005: return ERRNO(13)
//! 0006: return ALLOW
//! ```
//!
//! Jump targets are absolute indices. Constants below 4096 (syscall
//! numbers, errnos, small masks) print in decimal, larger ones in hex.
//! With a name callback, comparisons of A against a constant while A
//! holds `seccomp_data.nr` on every path reaching them get the
//! syscall's name as a comment; a small forward pass tracks that
//! (classic BPF only jumps forward, so one pass in order sees every
//! predecessor first). Instructions seccomp does not accept print as
//! `invalid` with their raw fields, so any program can be shown.
//! This is what `husk -E pfc` prints.
//!
//! Must not: allocate, or print anything but what the instructions do.

#![forbid(unsafe_code)]

use core::fmt::{self, Write};

use super::action::Action;
use super::data::{self, field_name};
use super::insn::*;
use super::program::MAX_INSNS;
use super::verify::is_seccomp;

/// Names a syscall number for the native architecture, if known.
pub type SyscallNames<'a> = &'a dyn Fn(u32) -> Option<&'static str>;

/// Writes the listing of `insns` to `out`.
pub fn write(out: &mut impl Write, insns: &[Insn], names: Option<SyscallNames<'_>>) -> fmt::Result {
    let mut nr = NrTracker::new();
    for (pc, insn) in insns.iter().enumerate() {
        let a_is_nr = nr.visit(pc, insn);
        let name = match names {
            Some(lookup) if a_is_nr && compares_a_to_k(insn) => lookup(insn.k),
            _ => None,
        };
        write!(out, "{pc:04}: ")?;
        line(out, pc, insn, name)?;
        out.write_char('\n')?;
    }
    Ok(())
}

/// A listing as a `Display` value: `outln!("{}", Disasm::new(&prog))`.
pub struct Disasm<'a> {
    insns: &'a [Insn],
    names: Option<SyscallNames<'a>>,
}

impl<'a> Disasm<'a> {
    /// A listing without syscall names.
    pub fn new(insns: &'a [Insn]) -> Self {
        Disasm { insns, names: None }
    }

    /// A listing that names syscall numbers with `names`.
    pub fn with_names(insns: &'a [Insn], names: SyscallNames<'a>) -> Self {
        Disasm {
            insns,
            names: Some(names),
        }
    }
}

impl fmt::Display for Disasm<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write(f, self.insns, self.names)
    }
}

/// A constant: decimal below 4096, hex above.
struct Num(u32);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 < 4096 {
            write!(f, "{}", self.0)
        } else {
            write!(f, "{:#x}", self.0)
        }
    }
}

fn compares_a_to_k(insn: &Insn) -> bool {
    let c = insn.code;
    c == BPF_JMP | BPF_JEQ | BPF_K
        || c == BPF_JMP | BPF_JGT | BPF_K
        || c == BPF_JMP | BPF_JGE | BPF_K
}

fn line(out: &mut impl Write, pc: usize, insn: &Insn, name: Option<&str>) -> fmt::Result {
    let Insn { code, jt, jf, k } = *insn;
    if !is_seccomp(code) {
        return write!(out, "invalid: code={code:#06x} jt={jt} jf={jf} k={k:#x}");
    }
    let operand = |f: &mut dyn Write| -> fmt::Result {
        if src(code) == BPF_X {
            f.write_str("X")
        } else {
            write!(f, "{}", Num(k))
        }
    };
    match class(code) {
        BPF_LD => match mode(code) {
            BPF_ABS => match field_name(k) {
                Some(field) => write!(out, "A = {field}"),
                None => write!(out, "A = seccomp_data[{k}]"),
            },
            BPF_LEN => out.write_str("A = sizeof(seccomp_data)"),
            BPF_MEM => write!(out, "A = M[{k}]"),
            _ => write!(out, "A = {}", Num(k)),
        },
        BPF_LDX => match mode(code) {
            BPF_LEN => out.write_str("X = sizeof(seccomp_data)"),
            BPF_MEM => write!(out, "X = M[{k}]"),
            _ => write!(out, "X = {}", Num(k)),
        },
        BPF_ST => write!(out, "M[{k}] = A"),
        BPF_STX => write!(out, "M[{k}] = X"),
        BPF_ALU => {
            let sym = match op(code) {
                BPF_ADD => "+",
                BPF_SUB => "-",
                BPF_MUL => "*",
                BPF_DIV => "/",
                BPF_AND => "&",
                BPF_OR => "|",
                BPF_XOR => "^",
                BPF_LSH => "<<",
                BPF_RSH => ">>",
                _ => return out.write_str("A = -A"), // BPF_NEG
            };
            write!(out, "A {sym}= ")?;
            operand(out)
        }
        BPF_JMP => {
            let next = pc + 1;
            if op(code) == BPF_JA {
                return write!(out, "goto {:04}", next as u64 + u64::from(k));
            }
            let sym = match op(code) {
                BPF_JEQ => "==",
                BPF_JGT => ">",
                BPF_JGE => ">=",
                _ => "&", // BPF_JSET
            };
            write!(out, "if (A {sym} ")?;
            operand(out)?;
            out.write_char(')')?;
            if let Some(name) = name {
                write!(out, " /* {name} */")?;
            }
            write!(
                out,
                " goto {:04} else goto {:04}",
                next + usize::from(jt),
                next + usize::from(jf)
            )
        }
        BPF_RET => {
            if rval(code) == BPF_A {
                out.write_str("return A")
            } else {
                write!(out, "return {}", Action::from_verdict(k))
            }
        }
        _ => {
            if miscop(code) == BPF_TAX {
                out.write_str("X = A")
            } else {
                out.write_str("A = X")
            }
        }
    }
}

/// Tracks, instruction by instruction, whether A holds
/// `seccomp_data.nr` on every path that reaches it.
struct NrTracker {
    /// Some path reaches the instruction.
    reached: [u64; MAX_INSNS / 64],
    /// On every path seen so far, A holds nr there.
    nr: [u64; MAX_INSNS / 64],
}

impl NrTracker {
    fn new() -> Self {
        let mut t = NrTracker {
            reached: [0; MAX_INSNS / 64],
            nr: [0; MAX_INSNS / 64],
        };
        t.reached[0] = 1; // pc 0, with A = 0
        t
    }

    fn get(bits: &[u64], pc: usize) -> bool {
        bits.get(pc / 64).is_some_and(|w| w & (1 << (pc % 64)) != 0)
    }

    fn set(bits: &mut [u64], pc: usize, on: bool) {
        if let Some(w) = bits.get_mut(pc / 64) {
            if on {
                *w |= 1 << (pc % 64);
            } else {
                *w &= !(1 << (pc % 64));
            }
        }
    }

    fn flow(&mut self, to: usize, a_is_nr: bool) {
        if !Self::get(&self.reached, to) {
            Self::set(&mut self.reached, to, true);
            Self::set(&mut self.nr, to, a_is_nr);
        } else if !a_is_nr {
            Self::set(&mut self.nr, to, false);
        }
    }

    /// Whether A holds nr before `insn` at `pc`; records what holds
    /// after it at its successors.
    fn visit(&mut self, pc: usize, insn: &Insn) -> bool {
        let before = Self::get(&self.nr, pc);
        let code = insn.code;
        let after = match class(code) {
            BPF_LD => code == BPF_LD | BPF_W | BPF_ABS && insn.k == data::NR,
            BPF_ALU => false,
            BPF_MISC if miscop(code) == BPF_TXA => false,
            _ => before,
        };
        let next = pc + 1;
        match class(code) {
            BPF_RET => {}
            BPF_JMP if op(code) == BPF_JA => self.flow(next.saturating_add(insn.k as usize), after),
            BPF_JMP => {
                self.flow(next + usize::from(insn.jt), after);
                self.flow(next + usize::from(insn.jf), after);
            }
            _ => self.flow(next, after),
        }
        before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::builder::{Builder, NEXT};
    use crate::bpf::data::arg_lo;
    use std::string::String;

    fn listing(insns: &[Insn], names: Option<SyscallNames<'_>>) -> String {
        let mut s = String::new();
        write(&mut s, insns, names).unwrap();
        s
    }

    fn x86_names(nr: u32) -> Option<&'static str> {
        match nr {
            0 => Some("read"),
            1 => Some("write"),
            2 => Some("open"),
            257 => Some("openat"),
            _ => None,
        }
    }

    #[test]
    fn golden_filter_with_names() {
        let mut b: Builder<64, 4> = Builder::new();
        let (kill, allow, deny) = (b.label("kill"), b.label("allow"), b.label("deny"));
        b.emit(Insn::ld_abs(data::ARCH));
        b.jeq_k(0xc000_003e, NEXT, kill);
        b.emit(Insn::ld_abs(data::NR));
        b.jge_k(0x4000_0000, kill, NEXT);
        b.jeq_k(2, deny, NEXT);
        b.jeq_k(257, NEXT, allow);
        b.emit(Insn::ld_abs(arg_lo(2)));
        b.jset_k(0x3, deny, allow);
        b.bind(deny);
        b.emit(Insn::ret_errno(13));
        b.bind(allow);
        b.emit(Insn::ret_allow());
        b.bind(kill);
        b.emit(Insn::ret_kill_process());
        let p = b.finish().unwrap();
        let expect = "\
0000: A = seccomp_data.arch
0001: if (A == 0xc000003e) goto 0002 else goto 0010
0002: A = seccomp_data.nr
0003: if (A >= 0x40000000) goto 0010 else goto 0004
0004: if (A == 2) /* open */ goto 0008 else goto 0005
0005: if (A == 257) /* openat */ goto 0006 else goto 0009
0006: A = args[2].lo
0007: if (A & 3) goto 0008 else goto 0009
0008: return ERRNO(13)
0009: return ALLOW
0010: return KILL_PROCESS
";
        assert_eq!(listing(&p, Some(&x86_names)), expect);
        // Without names: the same lines, no comments.
        let plain = expect
            .replace(" /* open */", "")
            .replace(" /* openat */", "");
        assert_eq!(listing(&p, None), plain);
        assert_eq!(std::format!("{}", Disasm::new(&p)), plain);
    }

    #[test]
    fn golden_every_seccomp_opcode() {
        let p = [
            Insn::ld_abs(data::IP_LO),
            Insn::ld_abs(data::IP_HI),
            Insn::ld_abs(crate::bpf::data::arg_hi(5)),
            Insn::ld_len(),
            Insn::ldx_len(),
            Insn::ld_imm(5000),
            Insn::ldx_imm(7),
            Insn::st(3),
            Insn::stx(15),
            Insn::ld_mem(3),
            Insn::ldx_mem(15),
            Insn::add_k(1),
            Insn::alu_x(BPF_SUB),
            Insn::mul_k(3),
            Insn::div_k(0x1_0000),
            Insn::and_k(0xfff),
            Insn::or_k(0x0005_0000),
            Insn::alu_x(BPF_XOR),
            Insn::lsh_k(12),
            Insn::alu_x(BPF_RSH),
            Insn::neg(),
            Insn::tax(),
            Insn::txa(),
            Insn::ja(0),
            Insn::jgt_k(5, 0, 1),
            Insn::jge_x(1, 0),
            Insn::jeq_x(0, 0),
            Insn::jset_x(0, 0),
            Insn::ret_trace(1),
            Insn::ret_k(crate::bpf::action::trap(0)),
            Insn::ret_k(crate::bpf::action::KILL_THREAD),
            Insn::ret_k(crate::bpf::action::LOG),
            Insn::ret_k(crate::bpf::action::USER_NOTIF),
            Insn::ret_k(0x0001_0000),
            Insn::ret_a(),
        ];
        let expect = "\
0000: A = instruction_pointer.lo
0001: A = instruction_pointer.hi
0002: A = args[5].hi
0003: A = sizeof(seccomp_data)
0004: X = sizeof(seccomp_data)
0005: A = 0x1388
0006: X = 7
0007: M[3] = A
0008: M[15] = X
0009: A = M[3]
0010: X = M[15]
0011: A += 1
0012: A -= X
0013: A *= 3
0014: A /= 0x10000
0015: A &= 4095
0016: A |= 0x50000
0017: A ^= X
0018: A <<= 12
0019: A >>= X
0020: A = -A
0021: X = A
0022: A = X
0023: goto 0024
0024: if (A > 5) goto 0025 else goto 0026
0025: if (A >= X) goto 0027 else goto 0026
0026: if (A == X) goto 0027 else goto 0027
0027: if (A & X) goto 0028 else goto 0028
0028: return TRACE(0x1)
0029: return TRAP(0x0)
0030: return KILL_THREAD
0031: return LOG
0032: return USER_NOTIF
0033: return 0x00010000
0034: return A
";
        assert_eq!(listing(&p, None), expect);
    }

    #[test]
    fn invalid_instructions_print_raw() {
        let p = [
            Insn::new(0x30, 0, 0, 1),
            Insn::alu_k(BPF_MOD, 3),
            Insn::ld_abs(2),
            Insn::new(0xffff, 1, 2, 3),
        ];
        let expect = "\
0000: invalid: code=0x0030 jt=0 jf=0 k=0x1
0001: invalid: code=0x0094 jt=0 jf=0 k=0x3
0002: A = seccomp_data[2]
0003: invalid: code=0xffff jt=1 jf=2 k=0x3
";
        assert_eq!(listing(&p, None), expect);
    }

    #[test]
    fn names_only_where_a_holds_nr_on_every_path() {
        let p = [
            Insn::ld_abs(data::NR),        // 0
            Insn::jeq_k(0, 0, 2),          // 1: read; both ways keep nr
            Insn::ld_abs(data::arg_lo(0)), // 2: A = arg on this path
            Insn::jeq_k(1, 0, 0),          // 3: not nr: no name
            Insn::jeq_k(1, 0, 0),          // 4: merge of nr and arg: no name
            Insn::ld_abs(data::NR),        // 5
            Insn::tax(),                   // 6: X = A keeps A
            Insn::jeq_k(257, 1, 0),        // 7: openat
            Insn::add_k(0),                // 8: arithmetic forgets
            Insn::jeq_k(2, 0, 0),          // 9: no name
            Insn::ret_allow(),
        ];
        let out = listing(&p, Some(&x86_names));
        let lines: std::vec::Vec<&str> = out.lines().collect();
        assert!(lines[1].contains("/* read */"), "{out}");
        assert!(!lines[3].contains("/*"), "{out}");
        assert!(!lines[4].contains("/*"), "{out}");
        assert!(lines[7].contains("/* openat */"), "{out}");
        assert!(!lines[9].contains("/*"), "{out}");
    }
}
