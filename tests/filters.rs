//! The generated seccomp programs, installed in real children: the
//! kernel must agree with the system call table, and husk's own role
//! filters must kill on any call outside their allowlist.

mod common;

use common::{run, selftest};
use std::process::Command;
use std::time::Duration;

#[test]
fn the_kernel_agrees_with_the_table_for_the_sandbox_filter() {
    let o = run(
        Command::new(selftest()).arg("sandbox-filter"),
        Duration::from_secs(60),
    );
    assert!(o.success(), "{o:?}");
    assert!(
        o.stdout
            .contains("refused or trapped calls checked against the kernel"),
        "{o:?}"
    );
}

#[test]
fn a_worker_dies_on_a_call_outside_its_allowlist() {
    let o = run(
        Command::new(selftest()).arg("worker-filter"),
        Duration::from_secs(60),
    );
    assert!(o.success(), "{o:?}");
    assert!(o.stderr.contains("write allowed"), "{o:?}");
}

#[test]
fn pfc_lists_every_filter_with_names() {
    let o = run(
        Command::new(common::husk()).args(["-E", "pfc"]),
        Duration::from_secs(20),
    );
    assert!(o.success(), "{o:?}");
    for needle in [
        "# husk sandbox filter",
        "# husk tracer filter",
        "# husk worker filter",
        "A = seccomp_data.arch",
        "return KILL_PROCESS",
        "return TRACE",
        "/* openat */",
        // The untraced-clone block: the flags' low half, CLONE_UNTRACED.
        "/* clone */",
        "if (A & 0x800000)",
    ] {
        assert!(o.stdout.contains(needle), "-E pfc lacks {needle:?}");
    }
}

#[test]
fn bpf_writes_the_raw_sandbox_filter() {
    let o = run(
        Command::new(common::husk()).args(["-E", "bpf"]),
        Duration::from_secs(20),
    );
    assert!(o.success(), "{o:?}");
    let pfc = run(
        Command::new(common::husk()).args(["-E", "pfc"]),
        Duration::from_secs(20),
    );
    let first = pfc.stdout.lines().next().unwrap();
    let count: usize = first
        .rsplit('(')
        .next()
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    // 8 bytes per struct sock_filter. (Read through a lossy String: the
    // length in bytes is what matters, so count the raw bytes instead.)
    let raw = Command::new(common::husk())
        .args(["-E", "bpf"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(raw.len(), count * 8);
    // The first instruction loads the architecture: BPF_LD|BPF_W|BPF_ABS, k=4.
    assert_eq!(&raw[..8], &[0x20, 0, 0, 0, 4, 0, 0, 0]);
}
