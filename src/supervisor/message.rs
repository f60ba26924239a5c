//! What travels on the queues: requests from the tracer to the
//! workers, verdicts back.
//!
//! Every message names its task by thread id *and* generation: a tid
//! can be reused by a new task once the old one is gone, and a verdict
//! meant for the old one must never be applied to the new one.
#![forbid(unsafe_code)]

use crate::sys::Errno;
use crate::sys::process::Pid;
use crate::sys::ptrace::SyscallInfo;

/// A task as the tracer tracks it: thread id plus the generation the
/// tracer gave it when it first saw it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TaskRef {
    /// Thread id.
    pub tid: Pid,
    /// Generation, unique for the tracer's lifetime.
    pub generation: u32,
}

/// A stop the tracer cannot decide alone.
#[derive(Clone, Copy, Debug)]
pub enum Request {
    /// A trapped system call, at its seccomp stop (not yet run).
    Syscall {
        /// Who made the call.
        task: TaskRef,
        /// The call: number, arguments, architecture.
        info: SyscallInfo,
    },
    /// An execve that has happened (the exec event stop): the new
    /// program is in place but has not run an instruction.
    Exec {
        /// Who exec'd (now the thread-group leader).
        task: TaskRef,
    },
    /// A call that succeeded and must be checked again on its outcome
    /// (chdir: the directory really entered; an `O_PATH` open: the
    /// object really opened).
    PostCheck {
        /// Who made the call.
        task: TaskRef,
        /// The system call number.
        nr: u32,
        /// What it returned (a descriptor, for an open).
        ret: i64,
    },
}

impl Request {
    /// The task the request is about.
    pub fn task(&self) -> TaskRef {
        match *self {
            Request::Syscall { task, .. }
            | Request::Exec { task }
            | Request::PostCheck { task, .. } => task,
        }
    }

    /// Whether it is a trapped call (which can be denied) as opposed to
    /// an event that can only be allowed or killed.
    pub fn is_syscall(&self) -> bool {
        matches!(self, Request::Syscall { .. })
    }
}

/// A decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Let the call run (or the process go on).
    Allow,
    /// Skip the call; the caller sees this error.
    Deny(Errno),
    /// Let the call run, then check its outcome (a `PostCheck` request
    /// once it has succeeded).
    AllowThenCheck,
    /// SIGKILL the calling process.
    Kill,
    /// End husk, and with it the whole sandbox, with this status.
    Exit(i32),
    /// Skip the call: the checker performed it, and the caller sees
    /// this return value.
    Value(i64),
}

/// A verdict on its way back to the tracer.
#[derive(Clone, Copy, Debug)]
pub struct Response {
    /// The request's task.
    pub task: TaskRef,
    /// Whether the request was a trapped call (see [`Request::is_syscall`]).
    pub syscall: bool,
    /// The decision.
    pub verdict: Verdict,
}
