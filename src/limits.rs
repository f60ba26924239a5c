//! Every capacity husk has, in one place.
//!
//! husk allocates nothing at run time: each table is sized here, `-C`
//! prints this list, and reaching a limit is a clear error with a
//! fail-closed outcome (the call is denied or the process killed),
//! never a silent truncation.
#![forbid(unsafe_code)]

/// Slots in the tracer-to-worker request queue (heapless mpmc, power
/// of two, at most 128).
pub const REQUEST_QUEUE: usize = 128;
/// Slots in the worker-to-tracer response queue.
pub const RESPONSE_QUEUE: usize = 128;
/// Threads the tracer tracks at once (a power of two). A task beyond
/// this is killed as it appears.
pub const TASKS: usize = 4096;
/// Worker threads at most (`HUSK_WORKERS`); the default is the CPU
/// count, at least 2 and at most 8.
pub const WORKERS: usize = 64;
/// Calls that may block at once (a FIFO open, a connect), each
/// performed by its own helper thread so it blocks only its caller.
pub const BLOCKED_CALLS: usize = 1024;
/// Stack size of each blocking-call helper, in bytes (room for one
/// 64 KiB datagram; only what a helper touches is ever resident).
pub const BLOCKER_STACK: usize = 128 * 1024;
/// Bytes one performed send carries: a stream send sends at most this
/// much (a partial send, as the kernel may do too); a larger datagram
/// is refused with EMSGSIZE.
pub const SEND_BYTES: usize = 64 * 1024;
/// Decisions the notify transport makes for one call whose object keeps
/// changing between the check and the call (another inode or type at
/// the path, a name that appeared); then the call fails with ESTALE.
pub const DECISIONS_PER_CALL: usize = 4;
/// Callers' pidfds each worker keeps for copying their descriptors
/// (per table: each resolver slot and the emulator have one); more
/// callers replace the oldest (one `pidfd_open` more, never a failure).
pub const CALLER_PIDFDS: usize = crate::remote::object::HANDLES;
/// Bytes of the absolute path husk decides on (the kernel's PATH_MAX,
/// NUL included): a call whose path, made absolute, is longer fails
/// with ENAMETOOLONG, though the kernel would take it relative.
pub const PATH_BYTES: usize = crate::remote::path::PATH_MAX;
/// Instructions in each seccomp program husk builds (the sandbox's,
/// each role's): a few hundred at most (the filter tests show the
/// margin). Below the kernel's limit (4096), so that building one, on
/// the main thread's stack at start-up, touches 8 KiB per copy, not 32.
pub const BPF_INSNS: usize = 1024;
/// Stack size of each husk thread, in bytes.
pub const THREAD_STACK: usize = crate::rt::thread::DEFAULT_STACK;
/// `-m`, `-p` and `-P` options on one command line.
pub const CLI_SOURCES: usize = 256;
/// `-e` options on one command line.
pub const CLI_ENV: usize = 128;

/// Policy rules at most.
pub const RULES: usize = crate::policy::rules::MAX_RULES;
/// Bytes of rule patterns at most.
pub const PATTERN_BYTES: usize = crate::policy::rules::PATTERN_BYTES;
/// Nested `include`s at most.
pub const INCLUDE_DEPTH: usize = crate::policy::load::MAX_DEPTH;
/// Bytes of policy files (all of them together) at most.
pub const CONFIG_BYTES: usize = 1 << 20;
/// Bytes in one policy command, after `${VAR}` expansion.
pub const LINE_BYTES: usize = crate::policy::command::LINE_MAX;
/// Bytes in one path pattern.
pub const PATTERN_MAX: usize = crate::policy::glob::MAX_PATTERN;

/// Paths (and addresses) learning mode (`-o`) remembers.
pub const LEARN_PATHS: usize = crate::check::learn::PATHS;
/// Bytes of those paths.
pub const LEARN_BYTES: usize = crate::check::learn::BYTES;

/// Landlock rules (objects) the kernel-decided categories may use; a
/// policy needing more stays with husk.
pub const KERNEL_RULES: usize = crate::check::kernel::ANCHORS;
/// Objects (ruled ones and the directories above them) the sandbox may
/// not move while the kernel decides; beyond, husk decides everything.
pub const KERNEL_PINNED: usize = crate::check::kernel::PINNED;

/// `(name, value, what it bounds)` for `-C`.
pub const ALL: &[(&str, usize, &str)] = &[
    (
        "kernel-rules",
        KERNEL_RULES,
        "Landlock rules for kernel-decided categories (beyond: husk decides them)",
    ),
    (
        "kernel-pinned",
        KERNEL_PINNED,
        "ruled objects and directories above them kept in place (beyond: husk decides)",
    ),
    (
        "learn-paths",
        LEARN_PATHS,
        "paths and addresses learning mode (-o) remembers",
    ),
    (
        "learn-bytes",
        LEARN_BYTES,
        "bytes of the paths learning mode remembers",
    ),
    (
        "request-queue",
        REQUEST_QUEUE,
        "pending trapped calls between the tracer and the workers",
    ),
    (
        "response-queue",
        RESPONSE_QUEUE,
        "pending verdicts between the workers and the tracer",
    ),
    ("tasks", TASKS, "threads traced at once"),
    ("workers", WORKERS, "worker threads at most (HUSK_WORKERS)"),
    (
        "blocked-calls",
        BLOCKED_CALLS,
        "sandboxed calls blocked at once in husk (FIFO opens, connects)",
    ),
    (
        "decisions-per-call",
        DECISIONS_PER_CALL,
        "decisions for one call whose object keeps changing (notify; then ESTALE)",
    ),
    (
        "caller-pidfds",
        CALLER_PIDFDS,
        "callers' pidfds kept per table (more: the oldest replaced)",
    ),
    (
        "path-bytes",
        PATH_BYTES,
        "bytes of an absolute path decided on (longer: ENAMETOOLONG)",
    ),
    (
        "bpf-insns",
        BPF_INSNS,
        "instructions per seccomp program husk builds",
    ),
    (
        "thread-stack",
        THREAD_STACK,
        "bytes of stack per husk thread",
    ),
    (
        "cli-sources",
        CLI_SOURCES,
        "-m/-p/-P options per command line",
    ),
    ("cli-env", CLI_ENV, "-e options per command line"),
    ("rules", RULES, "policy rules"),
    (
        "pattern-bytes",
        PATTERN_BYTES,
        "bytes of all rule patterns together",
    ),
    ("pattern-max", PATTERN_MAX, "bytes in one path pattern"),
    (
        "include-depth",
        INCLUDE_DEPTH,
        "nested include and include_profile",
    ),
    (
        "config-bytes",
        CONFIG_BYTES,
        "bytes of policy files together",
    ),
    (
        "line-bytes",
        LINE_BYTES,
        "bytes in one policy command after expansion",
    ),
];
