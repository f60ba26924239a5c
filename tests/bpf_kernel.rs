//! The BPF interpreter against the running kernel.
//!
//! Runs `husk-selftest bpf-kernel` (see `src/bin/selftest/bpf.rs`),
//! which installs every conformance program in a forked child and
//! compares each kernel verdict with `husk::bpf::interp`, and its
//! negative control `bpf-kernel-mutant`, which must report mismatches:
//! if it passed, the comparison could not fail.

use std::process::{Command, Output};

fn selftest(name: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_husk-selftest"))
        .arg(name)
        .output()
        .expect("run husk-selftest")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn interpreter_agrees_with_the_kernel() {
    let out = selftest("bpf-kernel");
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        out.status.success(),
        "bpf-kernel failed ({:?})\nstdout:\n{stdout}\nstderr:\n{stderr}",
        out.status
    );
    assert!(
        stdout.contains("agree with the kernel"),
        "stdout:\n{stdout}"
    );
    assert!(!stderr.contains("MISMATCH"), "stderr:\n{stderr}");
}

#[test]
fn a_program_the_kernel_runs_differently_is_reported() {
    let out = selftest("bpf-kernel-mutant");
    let stderr = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the negative control must fail\nstderr:\n{stderr}"
    );
    // The first mutated program: `A = args[0].lo; A += 1` became
    // `A -= 1` in the kernel only; with A = 0 the low 12 bits are
    // 0xfff in the kernel and 1 in the interpreter.
    assert!(
        stderr.contains(
            "MISMATCH add_k_1 chunk 0 input 0 args [0x0, 0x0, 0x0, 0x0, 0x0, 0x0]: \
             kernel returned -4095, interpreter returned -1"
        ),
        "stderr:\n{stderr}"
    );
    assert!(stderr.contains("FAILED: the kernel and the interpreter disagree"));
}
