//! husk: a minimal, static, no-libc Linux application sandbox.
//!
//! The library holds everything; `src/main.rs` is a thin freestanding
//! binary around [`cli::main`]. Layers, each in its own folder, depend
//! only on the layers below them:
//!
//! ```text
//! cli         argument parsing, -E/-C, exit status, wiring
//! policy      rule language, globs, addresses, profiles (pure)
//! check       syscall table, sandbox filter, the checker, log lines
//! supervisor  tracer thread, worker pool, queues, self-confinement
//! remote      the tracee from outside: memory, /proc, path resolution
//! bpf         classic-BPF builder, verifier, interpreter, disassembler
//! rt          _start, panic path, threads, futex waiting, lockdown
//! sys         the only place that issues system calls
//! ```
//!
//! `unsafe` is confined to `rt`, `sys` and the one seccomp install call
//! in `bpf::install`. Every other module forbids it, except `check` and
//! `supervisor`, which deny it so that the `locked!` macro alone may put
//! its `link_section` attribute (which the lint counts as unsafe) on
//! their read-only-after-start statics. The self-test binary's unsafe
//! blocks are test code (raw calls, the deliberate fault), each with a
//! `// SAFETY:` reason.

#![cfg_attr(not(test), no_std)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(clippy::undocumented_unsafe_blocks)]
#![warn(missing_docs)]

pub mod bpf;
pub mod check;
pub mod cli;
pub mod limits;
pub mod policy;
pub mod remote;
pub mod rt;
pub mod supervisor;
pub mod sys;
