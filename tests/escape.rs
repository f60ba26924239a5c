//! Escapes through the sandbox filter. Each attack is first run bare,
//! where it must work (so the test can fail), then under husk, where it
//! must not.

mod common;

use common::{c_program, run};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);
const SIGSYS: i32 = 31;

fn bare(args: &[&str]) -> common::Outcome {
    run(Command::new(c_program("escape")).args(args), LIMIT)
}

fn sandboxed(args: &[&str]) -> common::Outcome {
    // A permissive policy: the filter alone stands in the way.
    run(
        Command::new(common::husk())
            .args(["-p", "off", "--"])
            .arg(c_program("escape"))
            .args(args),
        LIMIT,
    )
}

fn works_bare(args: &[&str]) {
    let o = bare(args);
    assert!(
        o.success() && o.stdout.contains("ESCAPED"),
        "the attack does not even work without husk: {o:?}"
    );
}

fn blocked(args: &[&str]) -> common::Outcome {
    let o = sandboxed(args);
    assert!(!o.stdout.contains("ESCAPED"), "escaped under husk: {o:?}");
    o
}

#[test]
#[cfg(target_arch = "x86_64")]
fn open_through_int_0x80_is_killed() {
    works_bare(&["int80", "/etc/hostname"]);
    let o = blocked(&["int80", "/etc/hostname"]);
    // husk reports the command's death by SIGSYS as 128 + 31.
    assert_eq!(o.code, Some(128 + SIGSYS), "{o:?}");
    assert!(!o.stdout.contains("read"), "the file was read: {o:?}");
}

#[test]
#[cfg(target_arch = "x86_64")]
fn open_through_the_x32_bit_is_killed() {
    // Most kernels are built without x32, where the call fails with
    // ENOSYS bare: the attack cannot be shown to work here, but husk
    // must still kill the caller (a different, observable outcome).
    let o = bare(&["x32", "/etc/hostname"]);
    let x32_kernel = o.stdout.contains("ESCAPED");
    assert!(
        x32_kernel || o.stdout.contains("Function not implemented"),
        "{o:?}"
    );
    let o = blocked(&["x32", "/etc/hostname"]);
    assert_eq!(o.code, Some(128 + SIGSYS), "{o:?}");
}

#[test]
fn io_uring_setup_is_refused() {
    works_bare(&["io_uring"]);
    let o = blocked(&["io_uring"]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.stdout.contains("Function not implemented"), "{o:?}");
}

#[test]
fn ptrace_attach_of_a_sibling_is_refused() {
    works_bare(&["ptrace-attach"]);
    let o = blocked(&["ptrace-attach"]);
    assert!(
        o.stdout
            .contains("blocked: PTRACE_ATTACH: Operation not permitted"),
        "{o:?}"
    );
}

#[test]
fn process_vm_writev_is_refused() {
    works_bare(&["vm-write"]);
    let o = blocked(&["vm-write"]);
    assert!(
        o.stdout
            .contains("blocked: process_vm_writev: Operation not permitted"),
        "{o:?}"
    );
}

#[test]
fn stacking_a_seccomp_filter_is_refused() {
    // Bare, the filter installs and the next call dies of SIGSYS.
    let o = bare(&["seccomp-trap"]);
    assert_eq!(
        o.signal,
        Some(SIGSYS),
        "the stacked filter did not take effect bare: {o:?}"
    );
    let o = blocked(&["seccomp-trap"]);
    assert!(
        o.stdout
            .contains("blocked: seccomp(SET_MODE_FILTER): Operation not permitted"),
        "{o:?}"
    );
}

#[test]
fn ptrace_traceme_succeeds_and_attaches_nothing() {
    works_bare(&["traceme"]);
    let o = blocked(&["traceme"]);
    assert!(o.stdout.contains("PTRACE_TRACEME returned 0"), "{o:?}");
}

/// A sandboxed root process that gives up root must not get root's
/// file access back through husk, which performs file calls itself in
/// notify mode (as root). Runs only as root.
#[test]
fn dropped_privileges_stay_dropped_when_husk_performs_the_calls() {
    if !std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    {
        eprintln!("note: not root: nothing to drop");
        return;
    }
    if !std::path::Path::new("/usr/bin/setpriv").exists()
        && !std::path::Path::new("/bin/setpriv").exists()
    {
        eprintln!("note: no setpriv here: cannot drop privileges");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = common::scratch("dropped");
    let secret = dir.join("secret");
    std::fs::write(&secret, "SECRET\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let made = dir.join("made");
    let script = format!(
        "cat {s}; mkdir {m} && stat -c %U {m}; test -w {s} && echo writable",
        s = secret.display(),
        m = made.display()
    );
    let drop_to_nobody = |cmd: &mut Command| {
        cmd.args([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sh",
            "-c",
            &script,
        ]);
    };
    // Control: root itself may read the file, and bare the dropped
    // process may not.
    assert!(std::fs::read_to_string(&secret).unwrap().contains("SECRET"));
    let mut bare = Command::new("env");
    drop_to_nobody(&mut bare);
    let b = run(&mut bare, LIMIT);
    assert!(!b.stdout.contains("SECRET"), "{b:?}");
    assert!(b.stdout.contains("nobody"), "{b:?}");
    std::fs::remove_dir(&made).unwrap();
    for transport in ["ptrace", "notify"] {
        let mut cmd = Command::new(common::husk());
        cmd.args([
            "-m",
            &format!("trace/transport:{transport}"),
            "-m",
            "sandbox/all:on",
            "-m",
            "allow/all+/***",
            "--",
        ]);
        drop_to_nobody(&mut cmd);
        let o = run(&mut cmd, LIMIT);
        assert!(
            !o.stdout.contains("SECRET"),
            "{transport}: read as root: {o:?}"
        );
        assert!(!o.stdout.contains("writable"), "{transport}: {o:?}");
        assert!(o.stderr.contains("Permission denied"), "{transport}: {o:?}");
        assert!(
            o.stdout.contains("nobody"),
            "{transport}: created as someone else: {o:?}"
        );
        std::fs::remove_dir(&made).unwrap();
    }
}
