//! The freestanding runtime, tested under itself: threads, futex
//! waiting, queues, the read-only region and the panic path all run in
//! `husk-selftest`, built with husk's own `_start`, linker layout and
//! no libc.

mod common;

use common::{run, selftest};
use std::process::Command;
use std::time::Duration;

fn selftest_run(name: &str) -> common::Outcome {
    run(Command::new(selftest()).arg(name), Duration::from_secs(60))
}

fn passes(name: &str) {
    let o = selftest_run(name);
    assert!(o.success(), "self-test {name} failed: {o:?}");
}

#[test]
fn threads_run_and_join() {
    passes("threads");
}

#[test]
fn thread_stacks_are_unmapped_on_join() {
    passes("thread-churn");
}

#[test]
fn futex_ping_pong_loses_no_wakeup() {
    passes("futex-pingpong");
}

#[test]
fn queue_under_stress_loses_and_duplicates_nothing() {
    let o = selftest_run("queue-stress");
    assert!(o.success(), "{o:?}");
    assert!(o.stdout.contains("400000 items"), "{o:?}");
}

#[test]
fn queue_full_and_closed_outcomes() {
    passes("queue-full-closed");
}

#[test]
fn lockdown_region_is_read_only_and_sealed() {
    let o = selftest_run("lockdown");
    assert!(o.success(), "{o:?}");
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let mut parts = kernel
        .trim()
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    let version = (parts.next().unwrap_or(0), parts.next().unwrap_or(0));
    if version >= (6, 10) {
        assert!(
            o.stdout.contains("sealed with mseal"),
            "mseal exists on this kernel but was not used: {o:?}"
        );
    }
}

#[test]
fn writing_the_lockdown_region_after_start_faults() {
    let o = selftest_run("lockdown-fault");
    assert_eq!(o.signal, Some(libc_sigsegv()), "expected SIGSEGV: {o:?}");
    assert!(!o.stdout.contains("succeeded"), "{o:?}");
}

#[test]
fn stack_overflow_hits_the_guard_page() {
    let o = selftest_run("thread-guard-fault");
    assert_eq!(o.signal, Some(libc_sigsegv()), "expected SIGSEGV: {o:?}");
}

#[test]
fn a_panic_on_any_thread_ends_the_process_with_101() {
    let o = selftest_run("panic-thread");
    assert_eq!(o.code, Some(101), "{o:?}");
    assert!(
        o.stderr
            .contains("husk: internal error: deliberate test panic 42"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("fatal hook ran"),
        "the fatal hook did not run: {o:?}"
    );
    assert!(
        o.elapsed < Duration::from_millis(900),
        "the process lingered after the panic: {o:?}"
    );
}

#[test]
fn unknown_selftest_is_an_error() {
    let o = selftest_run("no-such-test");
    assert_eq!(o.code, Some(2), "{o:?}");
}

fn libc_sigsegv() -> i32 {
    11
}
