//! A fixed-capacity sequence of instructions.
//!
//! [`Program`] holds at most `N` instructions, `N <= MAX_INSNS` (the
//! kernel's `BPF_MAXINSNS`, checked at build time). Pushing past the
//! capacity is an error the caller sees, never a panic and never a
//! silently shortened program. Whether the instructions make a valid
//! filter is `verify`'s question, not this type's.
//!
//! Must not: allocate, or hand out a program that lost instructions.

#![forbid(unsafe_code)]

use core::fmt;
use core::ops::Deref;

use super::insn::Insn;
use super::verify::{self, Verified, VerifyError};

/// The kernel's limit on a filter's length (`BPF_MAXINSNS`).
pub const MAX_INSNS: usize = 4096;

/// The program is full: the instruction(s) were not added.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProgramFull {
    /// The capacity that was reached.
    pub capacity: usize,
}

impl fmt::Display for ProgramFull {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "program full ({} instructions)", self.capacity)
    }
}

/// Up to `N` instructions.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Program<const N: usize = MAX_INSNS> {
    insns: heapless::Vec<Insn, N>,
}

impl<const N: usize> Program<N> {
    const CAPACITY_FITS_THE_KERNEL: () = assert!(N <= MAX_INSNS, "N exceeds BPF_MAXINSNS");

    /// An empty program.
    pub const fn new() -> Self {
        #[allow(clippy::let_unit_value)]
        let () = Self::CAPACITY_FITS_THE_KERNEL;
        Program {
            insns: heapless::Vec::new(),
        }
    }

    /// A program holding a copy of `insns`.
    pub fn from_slice(insns: &[Insn]) -> Result<Self, ProgramFull> {
        let mut p = Self::new();
        p.extend(insns)?;
        Ok(p)
    }

    /// Makes this program a copy of `insns` (all of them, or none if
    /// they do not fit). Unlike assigning a whole program, this writes
    /// only the instructions' own bytes: a program has room for 4096,
    /// and a copy of the whole struct touches (makes resident) all 32 KiB
    /// of it, where a filter of a few hundred instructions needs a few.
    pub fn set(&mut self, insns: &[Insn]) -> Result<(), ProgramFull> {
        if insns.len() > N {
            return Err(ProgramFull { capacity: N });
        }
        self.insns.clear();
        self.extend(insns)
    }

    /// Appends one instruction.
    pub fn push(&mut self, insn: Insn) -> Result<(), ProgramFull> {
        self.insns
            .push(insn)
            .map_err(|_| ProgramFull { capacity: N })
    }

    /// Appends all of `insns`, or none of them if they do not fit.
    pub fn extend(&mut self, insns: &[Insn]) -> Result<(), ProgramFull> {
        self.insns
            .extend_from_slice(insns)
            .map_err(|_| ProgramFull { capacity: N })
    }

    /// The instructions.
    pub fn as_slice(&self) -> &[Insn] {
        &self.insns
    }

    /// The most instructions this program can hold.
    pub const fn capacity(&self) -> usize {
        N
    }

    /// Checks the program against the kernel's rules for seccomp.
    pub fn verify(&self) -> Result<Verified<'_>, VerifyError> {
        verify::verify(&self.insns)
    }
}

impl<const N: usize> Deref for Program<N> {
    type Target = [Insn];

    fn deref(&self) -> &[Insn] {
        &self.insns
    }
}

impl<const N: usize> AsRef<[Insn]> for Program<N> {
    fn as_ref(&self) -> &[Insn] {
        &self.insns
    }
}

impl<const N: usize> fmt::Debug for Program<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.insns.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_until_full_is_an_error_not_a_truncation() {
        let mut p = Program::<3>::new();
        for _ in 0..3 {
            p.push(Insn::ret_allow()).unwrap();
        }
        assert_eq!(p.push(Insn::ret_a()), Err(ProgramFull { capacity: 3 }));
        assert_eq!(p.len(), 3);
        assert!(p.iter().all(|i| *i == Insn::ret_allow()));
    }

    #[test]
    fn extend_is_all_or_nothing() {
        let mut p = Program::<4>::new();
        p.push(Insn::ld_abs(0)).unwrap();
        let four = [Insn::ret_a(); 4];
        assert_eq!(p.extend(&four), Err(ProgramFull { capacity: 4 }));
        assert_eq!(p.as_slice(), &[Insn::ld_abs(0)]);
        p.extend(&four[..3]).unwrap();
        assert_eq!(p.len(), 4);
    }

    #[test]
    fn set_replaces_the_whole_program_or_leaves_it() {
        let mut p = Program::<3>::from_slice(&[Insn::ld_abs(0), Insn::ret_a()]).unwrap();
        p.set(&[Insn::ret_allow()]).unwrap();
        assert_eq!(p.as_slice(), &[Insn::ret_allow()]);
        assert_eq!(p.set(&[Insn::ret_a(); 4]), Err(ProgramFull { capacity: 3 }));
        assert_eq!(p.as_slice(), &[Insn::ret_allow()]);
    }

    #[test]
    fn default_capacity_is_the_kernel_limit() {
        let mut p: Program = Program::new();
        assert_eq!(p.capacity(), MAX_INSNS);
        assert_eq!(MAX_INSNS as i32, libc::BPF_MAXINSNS);
        for _ in 0..MAX_INSNS {
            p.push(Insn::ret_allow()).unwrap();
        }
        assert!(p.push(Insn::ret_allow()).is_err());
    }

    #[test]
    fn programs_compare_as_data() {
        let a = Program::<8>::from_slice(&[Insn::ld_abs(0), Insn::ret_a()]).unwrap();
        let b = Program::<8>::from_slice(&[Insn::ld_abs(0), Insn::ret_a()]).unwrap();
        let c = Program::<8>::from_slice(&[Insn::ld_abs(4), Insn::ret_a()]).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            Program::<1>::from_slice(&[Insn::ret_a(); 2])
                .unwrap_err()
                .capacity,
            1
        );
    }
}
