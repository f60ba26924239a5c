//! `husk-selftest`: tests that must run under husk's own freestanding
//! runtime, linker layout and `_start`, not under std.
//!
//! Usage: `husk-selftest NAME` runs one test; exit 0 means it passed.
//! A test that must die (a fault test) says so in its docs, and the
//! integration test that runs it checks the signal. `tests/*.rs` drive
//! this program; it is not installed and `make` does not build it.

#![no_std]
#![no_main]
#![no_builtins]

#[path = "../../rt/entry.rs"]
mod entry;
#[path = "../../rt/mem.rs"]
mod mem;

mod bpf;
mod filters;
mod runtime;
mod supervise;

use husk::{errln, rt};

/// One named test: returns normally on success, panics (exit 101) or
/// returns an error message on failure.
type Test = fn() -> Result<(), &'static str>;

const TESTS: &[(&str, Test)] = &[];

fn main() -> i32 {
    let Some(name) = rt::args::arg(1) else {
        errln!("usage: husk-selftest NAME");
        for (name, _) in TESTS
            .iter()
            .chain(runtime::TESTS)
            .chain(bpf::TESTS)
            .chain(filters::TESTS)
        {
            errln!("  {name}");
        }
        return 2;
    };
    let name = name.to_bytes();
    if name == b"supervise" {
        return supervise::main();
    }
    let Some((_, test)) = TESTS
        .iter()
        .chain(runtime::TESTS)
        .chain(bpf::TESTS)
        .chain(filters::TESTS)
        .find(|(n, _)| n.as_bytes() == name)
    else {
        errln!("husk-selftest: no test named {}", rt::io::Bytes(name));
        return 2;
    };
    match test() {
        Ok(()) => 0,
        Err(msg) => {
            errln!("husk-selftest: FAILED: {msg}");
            1
        }
    }
}
