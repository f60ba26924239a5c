//! husk: a minimal, static, no-libc Linux application sandbox.
//!
//! The library holds everything; `src/main.rs` is a thin freestanding
//! binary around [`cli::main`]. Layers, each in its own folder, depend
//! only on the layers below them:
//!
//! ```text
//! cli         argument parsing, -E/-C, exit status, wiring
//! supervisor  tracer thread, worker pool, queues, self-confinement
//! bpf         classic-BPF builder, verifier, interpreter, disassembler
//! sys         the only place that issues system calls
//! rt          _start, panic path, threads, futex waiting, lockdown
//! ```
//!
//! `unsafe` is confined to `rt`, `sys` and the one seccomp install call
//! in `bpf::install`; every other module forbids it.

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
