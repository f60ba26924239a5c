//! The tracer: husk's main thread, owner of every ptrace request.
//!
//! It waits for tracee stops (`wait4(-1, __WALL)`), handles the cheap
//! ones inline (fork/clone registration, exits, group-stops, signals),
//! hands trapped calls and exec events to the workers through the
//! request queue, and applies the verdicts that come back: continue,
//! skip the call with an errno, or kill.
//!
//! Rules it keeps:
//! - A stop is never dropped. If the request queue is full or closed, a
//!   trapped call is denied here with EACCES and an exec event is
//!   killed: no tracee ever waits for a verdict that will not come.
//! - Any ptrace failure other than "the task is gone" (ESRCH) kills the
//!   task: when in doubt, deny.
//! - A verdict applies only to the task it was made for (tid and
//!   generation), and only while that task waits for one.
//!
//! Denying a call: at the seccomp stop the system call number is set to
//! -1 (the kernel skips the call) and the tracee is resumed to its
//! syscall-exit stop, where the return value is set to `-errno`. With
//! `PTRACE_SET_SYSCALL_INFO` (Linux 6.16) both steps use that request;
//! older kernels get the same through the architecture's registers
//! ([`ptrace::set_syscall_nr`], [`ptrace::Regs`]).
#![forbid(unsafe_code)]

use super::channels::channels;
use super::message::{Request, Response, TaskRef, Verdict};
use super::queue::PushError;
use super::tasks::{State, Tasks};
use crate::errln;
use crate::sys::fd::{AsFd, OwnedFd};
use crate::sys::file;
use crate::sys::poll::{self, PollFd};
use crate::sys::process::{self, Pid, WaitStatus};
use crate::sys::ptrace::{self, SyscallInfo};
use crate::sys::signal;
use crate::sys::{Errno, Result};

/// The signals husk passes on to the sandbox.
pub const FORWARDED: [i32; 4] = [libc::SIGHUP, libc::SIGINT, libc::SIGQUIT, libc::SIGTERM];

/// How the tracer changes a call's number and return value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `PTRACE_SET_SYSCALL_INFO` (Linux 6.16+).
    SyscallInfo,
    /// The architecture's register sets (any kernel).
    Registers,
}

/// The tracer's state.
pub struct Tracer {
    /// The one table ([`TASKS`]), held for as long as this tracer runs.
    tasks: spin::MutexGuard<'static, Tasks>,
    eldest: Pid,
    wait_all: bool,
    /// The eldest's status, once it has ended.
    status: Option<i32>,
    access: Access,
    signals: OwnedFd,
    /// An `exit` verdict ended the run.
    exiting: bool,
    /// Decisions the tracer may take itself.
    fast: Fast,
}

/// The traced tasks. A static, not a field built on the main thread's
/// stack: it holds [`crate::limits::TASKS`] entries (about 144 KiB), and a
/// stack frame that size is touched whole (stack probes, and moving the
/// tracer copies it), where a static's pages are touched only as the
/// table fills (the peak RSS target is 1 MiB).
static TASKS: spin::Mutex<Tasks> = spin::Mutex::new(Tasks::new());

/// A decision from the registers alone (`None`: ask the workers).
pub type Fast = fn(&SyscallInfo) -> Option<Verdict>;

/// Everything a ptrace stop can be.
fn is_group_stop_signal(sig: i32) -> bool {
    matches!(
        sig,
        libc::SIGSTOP | libc::SIGTSTP | libc::SIGTTIN | libc::SIGTTOU
    )
}

impl Tracer {
    /// A tracer for the already-seized `eldest`.
    pub fn new(
        eldest: Pid,
        wait_all: bool,
        access: Access,
        signals: OwnedFd,
        fast: Fast,
    ) -> Result<Tracer> {
        // One tracer at a time owns the table.
        let mut tasks = TASKS.try_lock().ok_or(Errno::EBUSY)?;
        tasks.clear();
        tasks.register(eldest).map_err(|_| Errno::ENOMEM)?;
        Ok(Tracer {
            tasks,
            eldest,
            wait_all,
            status: None,
            access,
            signals,
            exiting: false,
            fast,
        })
    }

    /// Runs until the eldest ends (or, with `wait_all`, until every
    /// tracee has); returns the eldest's exit status.
    pub fn run(&mut self) -> i32 {
        // Stops are announced by SIGCHLD on the signalfd: wait4 is only
        // drained when one may be waiting (and once at the start).
        let mut stops_pending = true;
        loop {
            while let Some(response) = channels().responses.try_pop() {
                self.apply(response);
            }
            if let Some(status) = channels().exit_requested() {
                if !self.exiting {
                    self.exit_all(status);
                }
            }
            if self.exiting {
                break;
            }
            if stops_pending {
                match self.reap() {
                    Ok(false) => {}
                    Ok(true) => break,
                    Err(e) => {
                        errln!("husk: waiting for the sandbox failed: {e}");
                        crate::rt::panic::run_fatal_hook();
                        return super::EXIT_CONFIG;
                    }
                }
            }
            stops_pending = self.sleep();
        }
        self.status.unwrap_or(super::EXIT_CONFIG)
    }

    /// Drains every pending stop; `Ok(true)` once the run is over.
    fn reap(&mut self) -> Result<bool> {
        loop {
            match process::wait4(-1, libc::__WALL | libc::WNOHANG) {
                Ok(Some((pid, status))) => {
                    self.handle(pid, status);
                    if self.status.is_some() && !self.wait_all {
                        return Ok(true);
                    }
                }
                Ok(None) => return Ok(false),
                // No child left at all.
                Err(Errno::ECHILD) => return Ok(true),
                Err(e) => return Err(e),
            }
        }
    }

    /// Blocks until a stop or a verdict may be waiting; returns whether
    /// a stop may be (SIGCHLD arrived).
    fn sleep(&mut self) -> bool {
        channels().tracer_sleeping();
        // The last look, after announcing the sleep (see channels.rs).
        if let Some(response) = channels().responses.try_pop() {
            channels().tracer_awake();
            self.apply(response);
            return false;
        }
        let Some(wake) = channels().wake_fd() else {
            return true;
        };
        let mut fds = [
            PollFd::readable(self.signals.as_fd()),
            PollFd::readable(wake.as_fd()),
        ];
        let polled = poll::poll(&mut fds, None);
        channels().tracer_awake();
        if polled.is_err() {
            // Cannot tell what is ready: look at everything.
            let _ = file::eventfd_take(wake);
            return true;
        }
        if fds[1].ready() {
            let _ = file::eventfd_take(wake);
        }
        if !fds[0].ready() {
            return false;
        }
        // One read: SIGCHLD does not queue, and anything else still
        // pending keeps the signalfd readable for the next poll.
        if let Ok(Some(info)) = signal::read_signalfd(self.signals.as_fd()) {
            let sig = info.signo as i32;
            // Not what husk itself sent to the command's group, when
            // husk is in that group too.
            if FORWARDED.contains(&sig) && info.pid as Pid != process::getpid() {
                self.forward(sig);
            }
        }
        true
    }

    /// Passes a signal sent to husk on to the command's process group:
    /// every sandboxed process in the eldest's group (or, once it is
    /// gone, every remaining one). Never to the group itself, which may
    /// hold husk and processes outside the sandbox (the rest of a
    /// pipeline).
    fn forward(&self, sig: i32) {
        let group = match self.status {
            None => process::getpgid(self.eldest).ok(),
            Some(_) => None,
        };
        if self.status.is_none() {
            let _ = process::kill(self.eldest, sig);
        }
        for tid in self.tasks.tids() {
            let ours = match group {
                Some(g) => tid != self.eldest && process::getpgid(tid) == Ok(g),
                None => self.status.is_some(),
            };
            if ours {
                // A thread's id names its whole process here.
                let _ = process::kill(tid, sig);
            }
        }
    }

    fn handle(&mut self, pid: Pid, status: WaitStatus) {
        match status {
            WaitStatus::Exited(code) => self.ended(pid, code),
            WaitStatus::Signaled(sig, _) => {
                if pid == self.eldest && self.status.is_none() {
                    super::DIED_OF.store(sig, core::sync::atomic::Ordering::SeqCst);
                }
                self.ended(pid, 128 + sig)
            }
            WaitStatus::Stopped(sig, event) => self.stopped(pid, sig, event),
            WaitStatus::Continued => {}
        }
    }

    fn ended(&mut self, pid: Pid, status: i32) {
        self.tasks.remove(pid);
        if pid == self.eldest {
            self.status = Some(status);
        }
    }

    fn stopped(&mut self, pid: Pid, sig: i32, event: i32) {
        // A stop from a task we have not heard of: a new task whose
        // first stop beat its parent's fork event. It is ours (only our
        // tracees report to us), so track it.
        if self.tasks.get_mut(pid).is_none() && self.tasks.register(pid).is_err() {
            errln!(
                "husk: too many tasks ({} at most): killing new task {pid}",
                crate::limits::TASKS
            );
            // SIGKILL ends its whole process (a thread cannot be killed
            // alone), but only once the task leaves this stop: let it
            // go on, into the signal. Left stopped, it would hold its
            // process, and husk, for ever.
            kill(pid);
            resume(pid, ptrace::cont(pid, 0));
            return;
        }
        match event {
            libc::PTRACE_EVENT_SECCOMP => self.seccomp_stop(pid),
            libc::PTRACE_EVENT_FORK | libc::PTRACE_EVENT_VFORK | libc::PTRACE_EVENT_CLONE => {
                self.new_task(pid)
            }
            libc::PTRACE_EVENT_EXEC => self.exec_stop(pid),
            // Group-stop (job control): stay stopped, but let the kernel
            // tell us when it ends.
            libc::PTRACE_EVENT_STOP if is_group_stop_signal(sig) => {
                resume(pid, ptrace::listen(pid))
            }
            // A new task's first stop, or PTRACE_INTERRUPT.
            libc::PTRACE_EVENT_STOP => resume(pid, ptrace::cont(pid, 0)),
            // Exit events: nothing to decide; the exit is reaped later.
            libc::PTRACE_EVENT_EXIT => resume(pid, ptrace::cont(pid, 0)),
            0 if sig == libc::SIGTRAP | 0x80 => self.syscall_exit_stop(pid),
            // A signal on its way to the tracee: deliver it.
            0 => resume(pid, ptrace::cont(pid, sig)),
            _ => resume(pid, ptrace::cont(pid, 0)),
        }
    }

    fn seccomp_stop(&mut self, pid: Pid) {
        let info = match ptrace::syscall_info(pid) {
            Ok(info) => info,
            Err(Errno::ESRCH) => return,
            Err(_) => return kill(pid),
        };
        // A decision that needs neither memory nor /proc is made here,
        // without a round trip to a worker.
        if let Some(verdict) = (self.fast)(&info) {
            return match verdict {
                Verdict::Allow => resume(pid, ptrace::cont(pid, 0)),
                Verdict::Deny(errno) => self.deny(pid, errno),
                _ => kill(pid),
            };
        }
        let Some(task) = self.pending(pid) else {
            return;
        };
        match channels()
            .requests
            .try_push(Request::Syscall { task, info })
        {
            Ok(()) => {}
            // Back-pressure: deny it here rather than wait.
            Err(PushError::Full(_) | PushError::Closed(_)) => self.deny(pid, Errno::EACCES),
        }
    }

    fn exec_stop(&mut self, pid: Pid) {
        // After an exec by a non-leader thread, the thread takes over
        // the leader's tid; its former tid is gone.
        if let Ok(former) = ptrace::event_msg(pid) {
            if former as Pid != pid {
                self.tasks.remove(former as Pid);
            }
        }
        // A new program: a new generation, so no verdict made for the
        // old image can apply to the new one.
        self.tasks.remove(pid);
        if self.tasks.register(pid).is_err() {
            return kill(pid);
        }
        // No checked category for an exec (the fast path's answer for
        // execve): nothing to look at, no round trip to a worker.
        let execve = SyscallInfo {
            op: ptrace::op::SECCOMP,
            arch: crate::sys::arch::AUDIT_ARCH,
            nr: crate::sys::nr::EXECVE as u64,
            ..SyscallInfo::default()
        };
        if (self.fast)(&execve) == Some(Verdict::Allow) {
            return resume(pid, ptrace::cont(pid, 0));
        }
        let Some(task) = self.pending(pid) else {
            return;
        };
        if channels()
            .requests
            .try_push(Request::Exec { task })
            .is_err()
        {
            // An exec cannot be denied after the fact.
            kill(pid);
        }
    }

    fn new_task(&mut self, pid: Pid) {
        match ptrace::event_msg(pid) {
            Ok(child) => {
                if self.tasks.register(child as Pid).is_err() {
                    errln!(
                        "husk: too many tasks ({} at most): killing new task {child}",
                        crate::limits::TASKS
                    );
                    kill(child as Pid);
                }
            }
            Err(Errno::ESRCH) => return,
            Err(_) => return kill(pid),
        }
        resume(pid, ptrace::cont(pid, 0));
    }

    fn syscall_exit_stop(&mut self, pid: Pid) {
        let state = self.tasks.get_mut(pid).map(|t| t.state);
        if let Some(State::PostCheck(nr)) = state {
            let ret = match ptrace::syscall_info(pid) {
                Ok(info) if info.op == ptrace::op::EXIT => info.exit_value(),
                Ok(_) => -1,
                Err(Errno::ESRCH) => return,
                Err(_) => return kill(pid),
            };
            if ret < 0 {
                if let Some(task) = self.tasks.get_mut(pid) {
                    task.state = State::Running;
                }
                return resume(pid, ptrace::cont(pid, 0));
            }
            let Some(task) = self.pending(pid) else {
                return;
            };
            if channels()
                .requests
                .try_push(Request::PostCheck { task, nr, ret })
                .is_err()
            {
                // The outcome cannot be checked: it cannot stand.
                kill(pid);
            }
            return;
        }
        if let Some(State::Skipping(value)) = state {
            if let Some(task) = self.tasks.get_mut(pid) {
                task.state = State::Running;
            }
            if let Err(e) = self.set_return(pid, value) {
                if e != Errno::ESRCH {
                    return kill(pid);
                }
                return;
            }
        }
        resume(pid, ptrace::cont(pid, 0));
    }

    /// Marks `pid` as waiting for a verdict; its reference for the request.
    fn pending(&mut self, pid: Pid) -> Option<TaskRef> {
        let task = self.tasks.get_mut(pid)?;
        task.state = State::Pending;
        Some(TaskRef {
            tid: pid,
            generation: task.generation,
        })
    }

    fn apply(&mut self, response: Response) {
        let Some(task) = self.tasks.get_current(response.task) else {
            return;
        };
        if task.state != State::Pending {
            return;
        }
        task.state = State::Running;
        let pid = response.task.tid;
        match response.verdict {
            Verdict::Allow => resume(pid, ptrace::cont(pid, 0)),
            Verdict::AllowThenCheck if response.syscall => match ptrace::syscall_info(pid) {
                Ok(info) => {
                    task.state = State::PostCheck(info.nr as u32);
                    resume(pid, ptrace::cont_syscall(pid, 0));
                }
                Err(Errno::ESRCH) => {}
                Err(_) => kill(pid),
            },
            Verdict::Deny(errno) if response.syscall => self.deny(pid, errno),
            Verdict::Value(value) if response.syscall => self.skip_with(pid, value),
            Verdict::Exit(status) => self.exit_all(status),
            Verdict::AllowThenCheck | Verdict::Deny(_) | Verdict::Value(_) | Verdict::Kill => {
                kill(pid)
            }
        }
    }

    /// `exit` action: end every tracee; husk then exits with `status`.
    fn exit_all(&mut self, status: i32) {
        kill(self.eldest);
        for tid in self.tasks.tids() {
            kill(tid);
        }
        self.status = Some(status);
        self.exiting = true;
    }

    /// Skips the call `pid` is stopped in; it will return `-errno`.
    fn deny(&mut self, pid: Pid, errno: Errno) {
        self.skip_with(pid, -(errno.0 as i64));
    }

    /// Skips the call `pid` is stopped in; it will return `value`.
    fn skip_with(&mut self, pid: Pid, value: i64) {
        match self.skip(pid) {
            Ok(()) => {}
            Err(Errno::ESRCH) => return,
            Err(_) => return kill(pid),
        }
        if let Some(task) = self.tasks.get_mut(pid) {
            task.state = State::Skipping(value);
        }
        resume(pid, ptrace::cont_syscall(pid, 0));
    }

    fn skip(&mut self, pid: Pid) -> Result<()> {
        if self.access == Access::SyscallInfo {
            let mut info = ptrace::syscall_info(pid)?;
            info.nr = u64::MAX; // -1
            match ptrace::set_syscall_info(pid, &info) {
                // The kernel does not know the request: registers from now on.
                Err(Errno::EIO) => self.access = Access::Registers,
                other => return other,
            }
        }
        ptrace::set_syscall_nr(pid, -1)
    }

    fn set_return(&mut self, pid: Pid, value: i64) -> Result<()> {
        if self.access == Access::SyscallInfo {
            return ptrace::set_syscall_info(pid, &SyscallInfo::exit_with(value));
        }
        let mut regs = ptrace::Regs::get(pid)?;
        regs.set_return(value);
        regs.set(pid)
    }
}

/// Acts on the result of a resuming request: a vanished task is fine
/// (its exit will be reaped); any other failure kills it.
fn resume(pid: Pid, result: Result<()>) {
    match result {
        Ok(()) | Err(Errno::ESRCH) => {}
        Err(_) => kill(pid),
    }
}

/// SIGKILLs the process `pid` belongs to (SIGKILL is process-wide).
fn kill(pid: Pid) {
    let _ = process::kill(pid, libc::SIGKILL);
}
