//! Freestanding self-tests (placeholder).
#![no_std]
#![no_main]
#![no_builtins]

#[path = "../rt/entry.rs"]
mod entry;
#[path = "../rt/mem.rs"]
mod mem;

fn main() -> i32 {
    0
}
