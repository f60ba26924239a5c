//! The husk binary: a freestanding entry point around `husk::cli::main`.
//!
//! Everything lives in the library; this file only supplies what must
//! be defined exactly once per program: the entry point and panic
//! handler (`rt/entry.rs`) and the memory functions (`rt/mem.rs`, which
//! need this crate to be `no_builtins`).

#![no_std]
#![no_main]
#![no_builtins]

#[path = "rt/entry.rs"]
mod entry;
#[path = "rt/mem.rs"]
mod mem;

fn main() -> i32 {
    husk::cli::main()
}
