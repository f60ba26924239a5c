//! Memory through `/proc`: no sandboxed process reads or writes memory
//! other than its own, whatever the path rules say; its own follows the
//! rules under every spelling (`/proc/self/mem`, `/proc/thread-self/mem`,
//! `/proc/self/task/TID/mem`, `/proc/PID/mem`). (`process_vm_readv` and
//! `process_vm_writev` are refused in the filter: tests/escape.rs.) Each
//! attack works without husk; under husk it fails, in both transports,
//! as root and as `nobody`.

mod common;

use common::{c_program, run};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn memory() -> std::path::PathBuf {
    c_program("memory")
}

fn sandboxed(who: common::Who, policy: &[&str], args: &[&str]) -> common::Outcome {
    let mut c = common::husk_as(who);
    c.args(policy).arg("--").arg(memory()).args(args);
    let o = run(&mut c, LIMIT);
    assert!(o.success(), "{who:?} {args:?}: {o:?}");
    o
}

/// The `linux` profile denies `/proc/self/mem`: every spelling of the
/// caller's own memory is that path.
#[test]
fn own_memory_follows_the_rules_under_every_spelling() {
    let linux = [
        "-p",
        "linux",
        "-m",
        &format!("allow/exec,read,stat+{}", memory().display()),
    ];
    for spelling in ["self", "thread", "task", "pid"] {
        let bare = run(
            std::process::Command::new(memory()).args(["own", spelling]),
            LIMIT,
        );
        assert_eq!(
            bare.stdout.trim(),
            "ESCAPED read own memory",
            "control: {bare:?}"
        );
        for who in common::everyone() {
            let o = sandboxed(who, &linux, &["own", spelling]);
            assert!(!o.stdout.contains("ESCAPED"), "{spelling}, {who:?}: {o:?}");
            assert!(
                o.stderr.contains("\"path\":\"/proc/self/mem\""),
                "{spelling}, {who:?}: not denied as /proc/self/mem: {o:?}"
            );
        }
        // Allowed, it reads: the denial was the rule's.
        let who = common::everyone()[0];
        let o = sandboxed(who, &["-p", "off"], &["own", spelling]);
        assert_eq!(
            o.stdout.trim(),
            "ESCAPED read own memory",
            "{spelling}: {o:?}"
        );
    }
}

/// Another process's memory is never reached, even where the rules
/// allow every path.
#[test]
fn another_processs_memory_is_never_reached() {
    let all = ["-m", "allow/all+/***", "-m", "allow/net+any"];
    for user in common::users() {
        let bare = run(common::as_user(user, memory()).arg("child"), LIMIT);
        assert_eq!(
            bare.stdout.trim(),
            "ESCAPED wrote a child's memory",
            "{user:?}: {bare:?}"
        );
    }
    // As root, a process may read its parent's (husk's, under husk).
    if common::am_root() {
        let bare = run(std::process::Command::new(memory()).arg("parent"), LIMIT);
        assert_eq!(
            bare.stdout.trim(),
            "ESCAPED read the parent's memory",
            "{bare:?}"
        );
    }
    for who in common::everyone() {
        for what in ["child", "parent"] {
            let o = sandboxed(who, &all, &[what]);
            assert!(!o.stdout.contains("ESCAPED"), "{what}, {who:?}: {o:?}");
            assert!(
                o.stdout.trim() == "EACCES" || o.stdout.trim() == "EPERM",
                "{what}, {who:?}: {o:?}"
            );
        }
    }
}

/// husk's own `/proc/PID` is never reached, whatever the rules say: in
/// notify mode a worker (one of husk's threads) would open husk's
/// `environ` past the ptrace-mode checks that stop the sandbox's own
/// open (found by the boot test on Linux 6.12: tests/boot/smoke.sh,
/// `environ-husk-refused`).
#[test]
fn husks_own_proc_files_are_never_reached() {
    let mark = "HUSK_PROC_MARK=m4rk";
    let read = "cat /proc/$PPID/environ; cat /proc/$PPID/status";
    // Without husk, a root child reads its parent's environment.
    if common::am_root() {
        // (The outer shell stands where husk would.)
        let bare = run(
            std::process::Command::new("/bin/sh")
                .args(["-c", "/bin/sh -c \"$R\"; :"])
                .env("R", read)
                .env("HUSK_PROC_MARK", "m4rk"),
            LIMIT,
        );
        assert!(bare.stdout.contains(mark), "control: {bare:?}");
    }
    for who in common::everyone() {
        let mut c = common::husk_as(who);
        c.env("HUSK_PROC_MARK", "m4rk").args([
            "-p",
            "off",
            "-m",
            "sandbox/read,stat:on",
            "-m",
            "allow/read,stat+/***",
            "--",
            "/bin/sh",
            "-c",
            read,
        ]);
        let o = run(&mut c, LIMIT);
        assert!(!o.stdout.contains(mark), "{who:?}: {o:?}");
        assert!(!o.stdout.contains("Name:"), "{who:?}: {o:?}");
        assert_eq!(
            o.stderr.matches("Permission denied").count(),
            2,
            "{who:?}: {o:?}"
        );
    }
}
