//! The command line: help, version, capabilities, and clear errors
//! that never run the command.

mod common;

use common::{husk, run};
use std::process::Command;
use std::time::Duration;

fn husk_run(args: &[&str]) -> common::Outcome {
    run(Command::new(husk()).args(args), Duration::from_secs(20))
}

#[test]
fn version() {
    let o = husk_run(&["-V"]);
    assert!(o.success(), "{o:?}");
    assert_eq!(
        o.stdout.trim(),
        format!(
            "husk {} ({}) commit {}",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::ARCH,
            env!("HUSK_COMMIT")
        )
    );
}

#[test]
fn help_matches_the_policy_synopsis() {
    let o = husk_run(&["-h"]);
    assert!(o.success(), "{o:?}");
    for needle in [
        "[-h] [-V] [-C] [-x] [-p NAME]... [-P FILE]... [-m COMMAND]...",
        "[-o FILE] [-a ARGV0] [-e VAR=VAL | -e VAR]... [-E pfc|bpf|landlock|profile:NAME] [--] COMMAND [ARG]...",
        "-x           trace mode",
    ] {
        assert!(
            o.stdout.contains(needle),
            "help lacks {needle:?}: {}",
            o.stdout
        );
    }
}

#[test]
fn capabilities_report_the_kernel_and_capacities() {
    let o = husk_run(&["-C"]);
    assert!(o.success(), "{o:?}");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    assert!(o.stdout.contains(release.trim()), "{}", o.stdout);
    // The answers depend on the kernel; the questions must be there.
    for needle in [
        "actions: kill_process",
        "user notification: ",
        "PTRACE_GET_SYSCALL_INFO: ",
        "PTRACE_SET_SYSCALL_INFO: ",
        "cross-memory attach (process_vm_readv): ",
        "notify SYNC_WAKE_UP: ",
        "pidfd PIDFD_THREAD: ",
        "landlock: ",
        "mseal: ",
        "request-queue: 128",
        "bpf-insns: 1024",
        "rules: 4096",
    ] {
        assert!(
            o.stdout.contains(needle),
            "-C lacks {needle:?}:\n{}",
            o.stdout
        );
    }
}

#[test]
fn bad_options_fail_before_anything_runs() {
    let marker = std::env::temp_dir().join(format!("husk-cli-marker-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    let touch = format!("touch {}", marker.display());
    for (args, message) in [
        (vec!["-q", "--", "sh", "-c", &touch], "unknown option -q"),
        (vec!["-E", "json"], "-E: unknown format 'json'"),
        (
            vec!["-e", "=x", "sh", "-c", &touch],
            "-e: '=x' is not VAR or VAR=VALUE",
        ),
        (vec!["-m"], "option -m needs an argument"),
        (vec![], "no command given"),
    ] {
        let o = husk_run(&args);
        assert_eq!(o.code, Some(125), "{args:?}: {o:?}");
        assert!(
            o.stderr.contains(message),
            "{args:?}: expected {message:?} in {:?}",
            o.stderr
        );
        assert!(o.stderr.starts_with("husk: "), "{o:?}");
    }
    assert!(!marker.exists(), "a command ran despite a bad option");
}
