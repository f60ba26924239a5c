//! A program builder with named labels and resolved jump offsets.
//!
//! Code says where to go, not how far: `let deny = b.label("deny")`
//! declares a label, `b.jeq_k(nr, deny, NEXT)` jumps to it, and
//! `b.bind(deny)` later places it before the next instruction emitted.
//! Classic BPF only jumps forward, so a label must be bound after every
//! jump to it: a jump to a label that is already bound is refused.
//!
//! # Long jumps and trampolines
//!
//! A conditional jump's offsets are 8 bits (at most 255 instructions);
//! `JA`'s is 32 bits. [`Builder::finish`] lays the program out and,
//! for each branch whose target is more than 255 instructions away,
//! inserts a trampoline, a `JA` to the target, directly after the
//! conditional jump, and points the branch at it (offset 0 or 1):
//!
//! ```text
//!   if (A == k) goto far else next        if (A == k) goto T else goto N
//!   next: ...                      =>     T: goto far          (JA, 32-bit)
//!                                         N: next: ...
//! ```
//!
//! Inserting instructions moves everything after them, which can push
//! another branch that crosses the insertion point past 255, so layout
//! repeats until no branch needs a new trampoline. It terminates: a
//! branch never loses its trampoline and each of the at most two
//! branches per jump gets at most one, so each round either adds one or
//! is the last. If the result exceeds the capacity, `finish` fails with
//! [`BuildError::ProgramFull`]. Offsets are never truncated.
//!
//! # Errors
//!
//! Errors are sticky: the first one (label misuse, overflow) is kept,
//! later calls are ignored, and `finish` reports it. Call sites stay
//! free of `?` and no error is lost.
//!
//! Must not: allocate, emit a jump whose offset does not fit, or emit a
//! backward jump.

#![forbid(unsafe_code)]

use core::fmt;

use super::insn::*;
use super::program::{MAX_INSNS, Program};

/// Labels a builder can hold unless told otherwise.
pub const DEFAULT_LABELS: usize = 64;

/// A place in the program, declared by [`Builder::label`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Label(u16);

/// Where a conditional branch goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The next instruction emitted.
    Next,
    /// A label.
    Label(Label),
}

/// Shorthand for [`Target::Next`].
pub const NEXT: Target = Target::Next;

impl From<Label> for Target {
    fn from(label: Label) -> Target {
        Target::Label(label)
    }
}

/// A comparison for a conditional jump.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    /// `A == v`.
    Eq,
    /// `A > v` (unsigned).
    Gt,
    /// `A >= v` (unsigned).
    Ge,
    /// `A & v != 0`.
    Set,
}

impl Cmp {
    const fn op(self) -> u16 {
        match self {
            Cmp::Eq => BPF_JEQ,
            Cmp::Gt => BPF_JGT,
            Cmp::Ge => BPF_JGE,
            Cmp::Set => BPF_JSET,
        }
    }
}

/// Why a program could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The instructions, trampolines included, exceed the capacity.
    ProgramFull {
        /// The capacity.
        capacity: usize,
    },
    /// More labels than the declared capacity.
    TooManyLabels {
        /// The capacity.
        capacity: usize,
    },
    /// A label was bound twice.
    BoundTwice {
        /// Its name.
        label: &'static str,
    },
    /// A jump to a label already bound (it would go backward).
    BackwardJump {
        /// The label's name.
        label: &'static str,
        /// Index of the jump among the emitted instructions.
        at: usize,
    },
    /// A label was declared but never bound.
    Unbound {
        /// Its name.
        label: &'static str,
    },
    /// A label was bound after the last instruction: it marks nothing.
    BoundAtEnd {
        /// Its name.
        label: &'static str,
    },
    /// A branch to "next" from the last instruction.
    FallsOffEnd {
        /// Index of the jump.
        at: usize,
    },
    /// A jump passed to [`Builder::emit`]; jumps take labels.
    RawJump {
        /// Index it would have had.
        at: usize,
    },
    /// A label that this builder did not declare.
    UnknownLabel {
        /// Index of the instruction that used it.
        at: usize,
    },
    /// A range dispatch with no range: A would fall in none.
    EmptyDispatch {
        /// Index of the instruction it would have started at.
        at: usize,
    },
    /// A branch offset did not fit after layout. Layout makes this
    /// impossible; it exists so that a bug here is an error, never a
    /// wrong jump.
    JumpTooFar {
        /// Index of the jump.
        at: usize,
    },
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            BuildError::ProgramFull { capacity } => {
                write!(f, "program exceeds {capacity} instructions")
            }
            BuildError::TooManyLabels { capacity } => {
                write!(f, "more than {capacity} labels")
            }
            BuildError::BoundTwice { label } => write!(f, "label '{label}' bound twice"),
            BuildError::BackwardJump { label, at } => {
                write!(f, "instruction {at} jumps back to label '{label}'")
            }
            BuildError::Unbound { label } => write!(f, "label '{label}' never bound"),
            BuildError::BoundAtEnd { label } => {
                write!(f, "label '{label}' bound after the last instruction")
            }
            BuildError::FallsOffEnd { at } => {
                write!(f, "instruction {at} branches past the end")
            }
            BuildError::RawJump { at } => {
                write!(f, "instruction {at}: jumps must use labels")
            }
            BuildError::UnknownLabel { at } => {
                write!(f, "instruction {at} uses a label from another builder")
            }
            BuildError::EmptyDispatch { at } => {
                write!(f, "instruction {at}: a range dispatch with no range")
            }
            BuildError::JumpTooFar { at } => {
                write!(
                    f,
                    "instruction {at}: branch offset does not fit (layout bug)"
                )
            }
        }
    }
}

/// "No label": a branch to the next instruction, or an unbound label.
const NONE: u16 = u16::MAX;

const TRAMP_T: u8 = 1;
const TRAMP_F: u8 = 2;

/// One emitted instruction before layout.
#[derive(Clone, Copy)]
struct Item {
    /// The instruction; for jumps, `jt`/`jf`/`k` are filled at layout.
    insn: Insn,
    /// Label index of the true branch (or JA's target), or [`NONE`].
    jt: u16,
    /// Label index of the false branch, or [`NONE`].
    jf: u16,
    /// Output position, from the latest layout round.
    pos: u16,
    /// Which branches go through a trampoline (`TRAMP_T | TRAMP_F`).
    tramps: u8,
}

impl Item {
    fn tramp_count(&self) -> usize {
        self.tramps.count_ones() as usize
    }
}

#[derive(Clone, Copy)]
struct LabelSlot {
    name: &'static str,
    /// Index of the item the label marks, or [`NONE`].
    bound: u16,
}

/// Builds a [`Program`] of at most `N` instructions with at most `L`
/// labels.
pub struct Builder<const N: usize = MAX_INSNS, const L: usize = DEFAULT_LABELS> {
    items: heapless::Vec<Item, N>,
    labels: heapless::Vec<LabelSlot, L>,
    error: Option<BuildError>,
}

impl<const N: usize, const L: usize> Default for Builder<N, L> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize, const L: usize> Builder<N, L> {
    const CAPACITIES_FIT: () = {
        assert!(N <= MAX_INSNS, "N exceeds BPF_MAXINSNS");
        assert!(L < NONE as usize, "too many labels for u16 indices");
    };

    /// An empty builder.
    pub const fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITIES_FIT;
        Builder {
            items: heapless::Vec::new(),
            labels: heapless::Vec::new(),
            error: None,
        }
    }

    fn fail(&mut self, e: BuildError) {
        if self.error.is_none() {
            self.error = Some(e);
        }
    }

    /// Declares a label named `name` (used in error messages).
    pub fn label(&mut self, name: &'static str) -> Label {
        let index = self.labels.len() as u16;
        if self.labels.push(LabelSlot { name, bound: NONE }).is_err() {
            self.fail(BuildError::TooManyLabels { capacity: L });
        }
        Label(index)
    }

    /// Places `label` before the next instruction emitted.
    pub fn bind(&mut self, label: Label) {
        let here = self.items.len() as u16;
        match self.labels.get_mut(label.0 as usize) {
            Some(slot) if slot.bound == NONE => slot.bound = here,
            Some(slot) => {
                let name = slot.name;
                self.fail(BuildError::BoundTwice { label: name });
            }
            None => self.fail(BuildError::UnknownLabel { at: here as usize }),
        }
    }

    /// Appends a non-jump instruction.
    pub fn emit(&mut self, insn: Insn) {
        if insn.is_jump() {
            self.fail(BuildError::RawJump {
                at: self.items.len(),
            });
            return;
        }
        self.push(insn, NONE, NONE);
    }

    /// Appends non-jump instructions.
    pub fn emit_all(&mut self, insns: &[Insn]) {
        for &insn in insns {
            self.emit(insn);
        }
    }

    /// `goto to`.
    pub fn ja(&mut self, to: Label) {
        let t = self.target(Target::Label(to));
        self.push(Insn::ja(0), t, NONE);
    }

    /// `if (A <cmp> k) goto jt else goto jf`.
    pub fn jmp_k(&mut self, cmp: Cmp, k: u32, jt: impl Into<Target>, jf: impl Into<Target>) {
        let (t, f) = (self.target(jt.into()), self.target(jf.into()));
        self.push(Insn::jmp_k(cmp.op(), k, 0, 0), t, f);
    }

    /// `if (A <cmp> X) goto jt else goto jf`.
    pub fn jmp_x(&mut self, cmp: Cmp, jt: impl Into<Target>, jf: impl Into<Target>) {
        let (t, f) = (self.target(jt.into()), self.target(jf.into()));
        self.push(Insn::jmp_x(cmp.op(), 0, 0), t, f);
    }

    /// `if (A == k) goto jt else goto jf`.
    pub fn jeq_k(&mut self, k: u32, jt: impl Into<Target>, jf: impl Into<Target>) {
        self.jmp_k(Cmp::Eq, k, jt, jf);
    }

    /// `if (A > k) goto jt else goto jf`.
    pub fn jgt_k(&mut self, k: u32, jt: impl Into<Target>, jf: impl Into<Target>) {
        self.jmp_k(Cmp::Gt, k, jt, jf);
    }

    /// `if (A >= k) goto jt else goto jf`.
    pub fn jge_k(&mut self, k: u32, jt: impl Into<Target>, jf: impl Into<Target>) {
        self.jmp_k(Cmp::Ge, k, jt, jf);
    }

    /// `if (A & k) goto jt else goto jf`.
    pub fn jset_k(&mut self, k: u32, jt: impl Into<Target>, jf: impl Into<Target>) {
        self.jmp_k(Cmp::Set, k, jt, jf);
    }

    /// Dispatches on A by ranges: `ranges` are `(first value, what)`,
    /// sorted by first value, the first starting at 0, each running up
    /// to the next (the last to `u32::MAX`); `label_of` gives the label
    /// to jump to for a `what` (it may declare one on first use). A
    /// balanced tree of `A >= first` comparisons: a path of about
    /// log2(ranges) jumps, which keeps both the filter's run and the
    /// kernel's check of it at install (it runs the filter for every
    /// system call number to fill its action cache) short.
    pub fn range_tree<T: Copy>(
        &mut self,
        ranges: &[(u32, T)],
        label_of: &mut impl FnMut(&mut Self, T) -> Label,
    ) {
        match ranges {
            [] => self.fail(BuildError::EmptyDispatch {
                at: self.items.len(),
            }),
            [(_, only)] => {
                let label = label_of(self, *only);
                self.ja(label);
            }
            _ => self.subtree(ranges, label_of),
        }
    }

    fn subtree<T: Copy>(
        &mut self,
        ranges: &[(u32, T)],
        label_of: &mut impl FnMut(&mut Self, T) -> Label,
    ) {
        let (left, right) = ranges.split_at(ranges.len() / 2);
        let right_target: Target = if right.len() == 1 {
            label_of(self, right[0].1).into()
        } else {
            self.label("subtree").into()
        };
        let left_target: Target = if left.len() == 1 {
            label_of(self, left[0].1).into()
        } else {
            NEXT
        };
        self.jge_k(right[0].0, right_target, left_target);
        if left.len() > 1 {
            self.subtree(left, label_of);
        }
        if right.len() > 1 {
            if let Target::Label(label) = right_target {
                self.bind(label);
            }
            self.subtree(right, label_of);
        }
    }

    /// The label index of a branch target, checking it can be jumped to
    /// from here.
    fn target(&mut self, t: Target) -> u16 {
        let Target::Label(label) = t else {
            return NONE;
        };
        let at = self.items.len();
        match self.labels.get(label.0 as usize) {
            Some(slot) if slot.bound == NONE => label.0,
            Some(slot) => {
                let name = slot.name;
                self.fail(BuildError::BackwardJump { label: name, at });
                NONE
            }
            None => {
                self.fail(BuildError::UnknownLabel { at });
                NONE
            }
        }
    }

    fn push(&mut self, insn: Insn, jt: u16, jf: u16) {
        let item = Item {
            insn,
            jt,
            jf,
            pos: 0,
            tramps: 0,
        };
        if self.items.push(item).is_err() {
            self.fail(BuildError::ProgramFull { capacity: N });
        }
    }

    /// Output position of the instruction `label` marks (after layout).
    fn label_pos(&self, label: u16) -> usize {
        // Bound to an existing item: checked before layout.
        self.items[self.labels[label as usize].bound as usize].pos as usize
    }

    /// Output position of a branch target of item `i`.
    fn target_pos(&self, i: usize, target: u16) -> usize {
        if target == NONE {
            let it = &self.items[i];
            it.pos as usize + 1 + it.tramp_count()
        } else {
            self.label_pos(target)
        }
    }

    /// Resolves every jump, inserting trampolines where needed, and
    /// returns the program. Reports the first error met while building.
    pub fn finish(&mut self) -> Result<Program<N>, BuildError> {
        if let Some(e) = self.error {
            return Err(e);
        }
        let count = self.items.len();
        for slot in &self.labels {
            if slot.bound == NONE {
                return Err(BuildError::Unbound { label: slot.name });
            }
            if slot.bound as usize == count {
                return Err(BuildError::BoundAtEnd { label: slot.name });
            }
        }
        if let Some(last) = self.items.last()
            && last.insn.is_conditional_jump()
            && (last.jt == NONE || last.jf == NONE)
        {
            return Err(BuildError::FallsOffEnd { at: count - 1 });
        }

        self.layout()?;

        let mut out = Program::new();
        for i in 0..count {
            let it = self.items[i];
            let here = it.pos as usize;
            let full = BuildError::ProgramFull { capacity: N };
            if !it.insn.is_jump() {
                out.push(it.insn).map_err(|_| full)?;
            } else if !it.insn.is_conditional_jump() {
                let k = self.label_pos(it.jt) - here - 1;
                out.push(Insn::ja(k as u32)).map_err(|_| full)?;
            } else {
                // Trampolines follow the jump: first the true branch's,
                // then the false branch's.
                let mut tramps = [0usize; 2];
                let mut n = 0;
                let mut offset = |bit: u8, target: u16| -> Result<u8, BuildError> {
                    if it.tramps & bit != 0 {
                        tramps[n] = self.target_pos(i, target);
                        n += 1;
                        Ok((n - 1) as u8)
                    } else {
                        let off = self.target_pos(i, target) - here - 1;
                        u8::try_from(off).map_err(|_| BuildError::JumpTooFar { at: i })
                    }
                };
                let jt = offset(TRAMP_T, it.jt)?;
                let jf = offset(TRAMP_F, it.jf)?;
                let mut jump = it.insn;
                jump.jt = jt;
                jump.jf = jf;
                out.push(jump).map_err(|_| full)?;
                for (s, &to) in tramps[..n].iter().enumerate() {
                    let from = here + 1 + s;
                    out.push(Insn::ja((to - from - 1) as u32))
                        .map_err(|_| full)?;
                }
            }
        }
        Ok(out)
    }

    /// Assigns output positions, adding trampolines until every
    /// conditional branch fits in 8 bits.
    fn layout(&mut self) -> Result<(), BuildError> {
        loop {
            let mut pos = 0usize;
            for it in self.items.iter_mut() {
                it.pos = pos as u16; // pos <= 3 * N <= 12288
                pos += 1 + it.tramp_count();
            }
            if pos > N {
                return Err(BuildError::ProgramFull { capacity: N });
            }
            let mut grew = false;
            for i in 0..self.items.len() {
                let it = self.items[i];
                if !it.insn.is_conditional_jump() {
                    continue;
                }
                for (bit, target) in [(TRAMP_T, it.jt), (TRAMP_F, it.jf)] {
                    if target == NONE || it.tramps & bit != 0 {
                        continue;
                    }
                    if self.label_pos(target) - (it.pos as usize + 1) > 255 {
                        self.items[i].tramps |= bit;
                        grew = true;
                    }
                }
            }
            if !grew {
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bpf::data::{self, SeccompData};
    use crate::bpf::interp;
    use std::vec::Vec;

    fn run(p: &[Insn], a0: u64) -> u32 {
        let v = crate::bpf::verify::verify(p).unwrap_or_else(|e| panic!("{e}"));
        let input = SeccompData {
            args: [a0, 0, 0, 0, 0, 0],
            ..SeccompData::default()
        };
        interp::run(&v, &input)
    }

    #[test]
    fn golden_arch_check_and_dispatch() {
        let mut b: Builder<32, 4> = Builder::new();
        let kill = b.label("kill");
        let allow = b.label("allow");
        b.emit(Insn::ld_abs(data::ARCH));
        b.jeq_k(0xc000_003e, NEXT, kill);
        b.emit(Insn::ld_abs(data::NR));
        b.jeq_k(0, allow, NEXT);
        b.jeq_k(1, allow, NEXT);
        b.emit(Insn::ret_errno(1));
        b.bind(allow);
        b.emit(Insn::ret_allow());
        b.bind(kill);
        b.emit(Insn::ret_kill_process());
        let p = b.finish().unwrap();
        assert_eq!(
            p.as_slice(),
            &[
                Insn::ld_abs(4),
                Insn::jeq_k(0xc000_003e, 0, 5),
                Insn::ld_abs(0),
                Insn::jeq_k(0, 2, 0),
                Insn::jeq_k(1, 1, 0),
                Insn::ret_errno(1),
                Insn::ret_allow(),
                Insn::ret_kill_process(),
            ]
        );
    }

    #[test]
    fn ja_resolves_to_a_32_bit_offset() {
        let mut b: Builder = Builder::new();
        let end = b.label("end");
        b.ja(end);
        for _ in 0..1000 {
            b.emit(Insn::ret_k(1));
        }
        b.bind(end);
        b.emit(Insn::ret_k(2));
        let p = b.finish().unwrap();
        assert_eq!(p[0], Insn::ja(1000));
        assert_eq!(p.len(), 1002);
        assert_eq!(run(&p, 0), 2);
    }

    /// `A = args[0].lo; if (A == 7) goto far; <gap fillers>; ret 1; far: ret 2`.
    fn far_branch(gap: usize) -> Program {
        let mut b: Builder = Builder::new();
        let far = b.label("far");
        b.emit(Insn::ld_abs(data::arg_lo(0)));
        b.jeq_k(7, far, NEXT);
        for _ in 0..gap {
            b.emit(Insn::ldx_imm(0));
        }
        b.emit(Insn::ret_k(1));
        b.bind(far);
        b.emit(Insn::ret_k(2));
        b.finish().unwrap()
    }

    #[test]
    fn a_branch_of_255_fits_without_a_trampoline() {
        let p = far_branch(254); // 254 fillers + ret 1 = 255 skipped
        assert_eq!(p[1], Insn::jeq_k(7, 255, 0));
        assert_eq!(p.len(), 2 + 254 + 2);
        assert_eq!(run(&p, 7), 2);
        assert_eq!(run(&p, 8), 1);
    }

    #[test]
    fn a_branch_of_256_goes_through_a_trampoline() {
        let p = far_branch(255);
        assert_eq!(p[1], Insn::jeq_k(7, 0, 1));
        // The trampoline sits right after the jump and lands on "far".
        assert_eq!(p[2], Insn::ja(256));
        assert_eq!(p[2 + 1 + 256], Insn::ret_k(2));
        assert_eq!(p.len(), 2 + 1 + 255 + 2);
        assert_eq!(run(&p, 7), 2);
        assert_eq!(run(&p, 8), 1);
    }

    #[test]
    fn both_branches_can_need_trampolines() {
        let mut b: Builder = Builder::new();
        let (t, f) = (b.label("t"), b.label("f"));
        b.emit(Insn::ld_abs(data::arg_lo(0)));
        b.jeq_k(1, t, f);
        for _ in 0..300 {
            b.emit(Insn::ret_k(0));
        }
        b.bind(t);
        b.emit(Insn::ret_k(10));
        for _ in 0..300 {
            b.emit(Insn::ret_k(0));
        }
        b.bind(f);
        b.emit(Insn::ret_k(20));
        let p = b.finish().unwrap();
        assert_eq!(
            &p[1..4],
            &[Insn::jeq_k(1, 0, 1), Insn::ja(301), Insn::ja(601)]
        );
        assert_eq!(run(&p, 1), 10);
        assert_eq!(run(&p, 2), 20);
    }

    #[test]
    fn trampolines_cascade_until_everything_fits() {
        // Jump 0 reaches "near" with exactly 255 to spare. Jump 1, just
        // after it, needs a trampoline, which lands between jump 0 and
        // "near" and pushes jump 0 to 256: it needs one too.
        let mut b: Builder = Builder::new();
        let (near, far) = (b.label("near"), b.label("far"));
        b.emit(Insn::ld_abs(data::arg_lo(0)));
        b.jeq_k(1, near, NEXT); // item 1
        b.jeq_k(2, far, NEXT); // item 2
        for _ in 0..254 {
            b.emit(Insn::ldx_imm(0));
        }
        b.bind(near);
        b.emit(Insn::ret_k(10));
        for _ in 0..10 {
            b.emit(Insn::ldx_imm(0));
        }
        b.emit(Insn::ret_k(30));
        b.bind(far);
        b.emit(Insn::ret_k(20));
        let p = b.finish().unwrap();
        assert_eq!(p[1], Insn::jeq_k(1, 0, 1), "jump 0 got a trampoline");
        assert_eq!(p[3], Insn::jeq_k(2, 0, 1), "jump 1 got a trampoline");
        assert_eq!(run(&p, 1), 10);
        assert_eq!(run(&p, 2), 20);
        assert_eq!(run(&p, 3), 10, "falls through to near");
    }

    #[test]
    fn overflow_is_an_error() {
        let mut b: Builder<4, 2> = Builder::new();
        for _ in 0..5 {
            b.emit(Insn::ret_k(0));
        }
        assert_eq!(b.finish(), Err(BuildError::ProgramFull { capacity: 4 }));
    }

    #[test]
    fn overflow_from_trampolines_is_an_error() {
        // 1 + 1 + 255 + 2 = 259 items fit 259, the trampoline does not.
        let mut b: Builder<259, 2> = Builder::new();
        let far = b.label("far");
        b.emit(Insn::ld_abs(0));
        b.jeq_k(7, far, NEXT);
        for _ in 0..255 {
            b.emit(Insn::ldx_imm(0));
        }
        b.emit(Insn::ret_k(1));
        b.bind(far);
        b.emit(Insn::ret_k(2));
        assert_eq!(b.finish(), Err(BuildError::ProgramFull { capacity: 259 }));
    }

    #[test]
    fn too_many_labels_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        b.label("a");
        b.label("b");
        b.label("c");
        assert_eq!(b.finish(), Err(BuildError::TooManyLabels { capacity: 2 }));
    }

    #[test]
    fn binding_twice_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        let l = b.label("twice");
        b.bind(l);
        b.emit(Insn::ret_k(0));
        b.bind(l);
        b.emit(Insn::ret_k(0));
        assert_eq!(b.finish(), Err(BuildError::BoundTwice { label: "twice" }));
    }

    #[test]
    fn jumping_backward_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        let top = b.label("top");
        b.bind(top);
        b.emit(Insn::ld_abs(0));
        b.jeq_k(0, top, NEXT);
        b.emit(Insn::ret_k(0));
        assert_eq!(
            b.finish(),
            Err(BuildError::BackwardJump {
                label: "top",
                at: 1
            })
        );
        // A jump to a label bound right here would target itself.
        let mut b: Builder<8, 2> = Builder::new();
        let here = b.label("here");
        b.bind(here);
        b.ja(here);
        assert_eq!(
            b.finish(),
            Err(BuildError::BackwardJump {
                label: "here",
                at: 0
            })
        );
    }

    #[test]
    fn unbound_label_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        let l = b.label("nowhere");
        b.ja(l);
        b.emit(Insn::ret_k(0));
        assert_eq!(b.finish(), Err(BuildError::Unbound { label: "nowhere" }));
    }

    #[test]
    fn label_at_end_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        let l = b.label("end");
        b.ja(l);
        b.emit(Insn::ret_k(0));
        b.bind(l);
        assert_eq!(b.finish(), Err(BuildError::BoundAtEnd { label: "end" }));
    }

    #[test]
    fn falling_off_the_end_is_an_error() {
        let mut b: Builder<8, 2> = Builder::new();
        let l = b.label("l");
        b.emit(Insn::ret_k(0));
        b.bind(l);
        b.emit(Insn::ld_abs(0));
        b.jeq_k(0, NEXT, NEXT);
        assert_eq!(b.finish(), Err(BuildError::FallsOffEnd { at: 2 }));
    }

    #[test]
    fn raw_jumps_are_refused() {
        let mut b: Builder<8, 2> = Builder::new();
        b.emit(Insn::ret_k(0));
        b.emit(Insn::jeq_k(0, 1, 0));
        assert_eq!(b.finish(), Err(BuildError::RawJump { at: 1 }));
    }

    #[test]
    fn foreign_labels_are_refused() {
        let mut other: Builder<8, 4> = Builder::new();
        other.label("a");
        let foreign = other.label("b");
        let mut b: Builder<8, 4> = Builder::new();
        b.emit(Insn::ld_abs(0));
        b.jeq_k(0, foreign, NEXT);
        assert_eq!(b.finish(), Err(BuildError::UnknownLabel { at: 1 }));
    }

    #[test]
    fn the_first_error_is_kept() {
        let mut b: Builder<2, 1> = Builder::new();
        let l = b.label("l");
        b.label("extra");
        b.bind(l);
        b.bind(l);
        assert_eq!(b.finish(), Err(BuildError::TooManyLabels { capacity: 1 }));
    }

    /// Random forward-jumping programs: the built, verified program run
    /// by the interpreter must agree with the source run symbolically
    /// (labels, not offsets). Long filler runs force trampolines.
    #[test]
    fn random_programs_match_their_source() {
        #[derive(Clone, Copy)]
        enum Src {
            Insn(Insn),
            Jeq(u32, Target, Target),
            Ja(Label),
            Bind(Label),
        }
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut rand = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut trampolined = 0;
        for round in 0..200 {
            let mut b: Builder<4096, 16> = Builder::new();
            let mut src: Vec<Src> = Vec::new();
            let labels: Vec<Label> = (0..16).map(|_| b.label("l")).collect();
            let mut next_bind = 0usize;
            let emit = |b: &mut Builder<4096, 16>, src: &mut Vec<Src>, s: Src| {
                match s {
                    Src::Insn(i) => b.emit(i),
                    Src::Jeq(k, t, f) => b.jeq_k(k, t, f),
                    Src::Ja(l) => b.ja(l),
                    Src::Bind(l) => b.bind(l),
                }
                src.push(s);
            };
            emit(&mut b, &mut src, Src::Insn(Insn::ld_abs(data::arg_lo(0))));
            while next_bind < labels.len() {
                let pick = |r: u64| {
                    if r == 0 {
                        NEXT
                    } else {
                        Target::Label(
                            labels[next_bind + (r as usize - 1) % (labels.len() - next_bind)],
                        )
                    }
                };
                match rand(10) {
                    0..=3 => {
                        let (t, f) = (pick(rand(4)), pick(rand(4)));
                        emit(&mut b, &mut src, Src::Jeq(rand(4) as u32, t, f));
                    }
                    4 => {
                        let l =
                            labels[next_bind + rand((labels.len() - next_bind) as u64) as usize];
                        emit(&mut b, &mut src, Src::Ja(l));
                    }
                    5 => {
                        let n = if rand(3) == 0 {
                            200 + rand(200)
                        } else {
                            rand(4)
                        };
                        for _ in 0..n {
                            emit(&mut b, &mut src, Src::Insn(Insn::ldx_imm(0)));
                        }
                    }
                    6 => emit(&mut b, &mut src, Src::Insn(Insn::ret_k(1000 + round))),
                    _ => {
                        emit(&mut b, &mut src, Src::Bind(labels[next_bind]));
                        emit(&mut b, &mut src, Src::Insn(Insn::add_k(next_bind as u32)));
                        next_bind += 1;
                    }
                }
            }
            emit(&mut b, &mut src, Src::Insn(Insn::ret_a()));
            let p = b.finish().unwrap_or_else(|e| panic!("round {round}: {e}"));
            let emitted = src.iter().filter(|s| !matches!(s, Src::Bind(_))).count();
            trampolined += usize::from(p.len() > emitted);

            // The symbolic reference: labels are positions in `src`.
            let reference = |a0: u32| -> u32 {
                let at = |l: Label| {
                    src.iter()
                        .position(|s| matches!(s, Src::Bind(x) if *x == l))
                        .unwrap()
                };
                let (mut a, mut pc) = (0u32, 0usize);
                loop {
                    match src[pc] {
                        Src::Insn(i) if i == Insn::ld_abs(data::arg_lo(0)) => a = a0,
                        Src::Insn(i) if i.code == BPF_RET | BPF_K => return i.k,
                        Src::Insn(i) if i.code == BPF_RET | BPF_A => return a,
                        Src::Insn(i) if i.code == BPF_ALU | BPF_ADD | BPF_K => {
                            a = a.wrapping_add(i.k)
                        }
                        Src::Insn(_) | Src::Bind(_) => {}
                        Src::Jeq(k, t, f) => {
                            let to = if a == k { t } else { f };
                            if let Target::Label(l) = to {
                                pc = at(l);
                                continue;
                            }
                        }
                        Src::Ja(l) => {
                            pc = at(l);
                            continue;
                        }
                    }
                    pc += 1;
                }
            };
            for a0 in 0..5u32 {
                assert_eq!(run(&p, a0 as u64), reference(a0), "round {round}, a0 {a0}");
            }
        }
        // The generator must exercise the trampolines, not just short jumps.
        assert!(
            trampolined > 20,
            "only {trampolined} programs needed trampolines"
        );
    }
}
