//! bpf: classic BPF for seccomp filters.
//!
//! ```text
//! insn         one instruction (= struct sock_filter), opcode fields
//! action       SECCOMP_RET_* verdicts
//! data         struct seccomp_data: offsets and a value type
//! program      a fixed-capacity instruction sequence (<= 4096)
//! builder      labels and forward jumps; long branches via trampolines
//! verify       the kernel's acceptance rules; yields `Verified`
//! interp       runs a verified program: the test oracle
//! disasm       readable listing (`husk -E pfc`)
//! install      seccomp(2) for a `Verified` program: the one unsafe call
//! conformance  programs and inputs that pin `interp` to the kernel
//! ```
//!
//! Programs are built with [`Builder`], checked with [`verify`] and
//! installed with [`install()`]; the types make that order the only
//! one: `install` takes a [`Verified`], which only `verify` makes.
//! `husk-selftest bpf-kernel` runs every [`conformance`] program in the
//! kernel and compares each verdict with [`interp`].
//!
//! Must not: allocate (every container has a declared capacity), or use
//! `unsafe` outside `install.rs`: every other file forbids it.

#![deny(unsafe_code)]

pub mod action;
pub mod builder;
pub mod conformance;
pub mod data;
pub mod disasm;
pub mod insn;
#[allow(unsafe_code)]
pub mod install;
pub mod interp;
pub mod program;
pub mod verify;

pub use action::Action;
pub use builder::{BuildError, Builder, Cmp, Label, NEXT, Target};
pub use data::SeccompData;
pub use disasm::Disasm;
pub use insn::Insn;
pub use install::install;
pub use interp::run;
pub use program::{MAX_INSNS, Program, ProgramFull};
pub use verify::{Reason, Verified, VerifyError, verify};
