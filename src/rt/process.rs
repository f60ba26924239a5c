//! Running a function in a child process: forked, or sharing husk's
//! memory until it executes a program ([`spawn_shared`]).

use core::ffi::c_char;
use core::mem::ManuallyDrop;
use core::ptr::NonNull;
use core::sync::atomic::{AtomicI32, AtomicU32, Ordering};

use crate::sys::fd::OwnedFd;
use crate::sys::futex::{self, Scope};
use crate::sys::process::{self, WaitStatus};
use crate::sys::{Errno, Result, mm};

/// Forks and runs `child` in the child process, which exits with what
/// it returns; the parent gets the child's pid and must reap it. The
/// conditions of [`fork_run`] apply.
pub fn spawn(child: impl FnOnce() -> i32) -> Result<process::Pid> {
    if super::thread::live() != 0 {
        return Err(Errno::EBUSY);
    }
    // SAFETY: as in fork_run: no other husk thread exists, and the
    // child leaves through exit_group.
    match unsafe { process::fork() }? {
        0 => process::exit(child()),
        pid => Ok(pid),
    }
}

/// Forks, runs `child` in the child process and exits with what it
/// returns; the parent waits and returns how the child ended.
///
/// Only the calling thread exists in the child. husk has no allocator
/// and no hidden locks, so this cannot corrupt memory, but `child`
/// must not wait on anything another thread of the parent would have
/// released (it would wait forever). Refused with `EBUSY` while
/// threads started by [`super::thread::spawn`] are alive, except in
/// std unit tests, whose harness threads we cannot see.
pub fn fork_run(child: impl FnOnce() -> i32) -> Result<WaitStatus> {
    let pid = spawn(child)?;
    loop {
        if let Some((_, status)) = process::wait4(pid, libc::__WALL)? {
            return Ok(status);
        }
    }
}

/// What husk and a child started by [`spawn_shared`] say to each other
/// while they share memory and descriptors (a `static`: the kernel
/// writes the child's tid into it, and clears it, on its own).
pub struct Link {
    /// The child's tid until it has executed a program or exited; then
    /// zero, written and woken (a shared futex) by the kernel itself
    /// (`CLONE_CHILD_CLEARTID`, which a new program image also fires).
    tid: AtomicU32,
    /// husk's word: [`WAIT`], [`GO`] or [`GIVE_UP`].
    go: AtomicU32,
    /// A descriptor the child hands over, or -1.
    value: AtomicI32,
}

const WAIT: u32 = 0;
const GO: u32 = 1;
const GIVE_UP: u32 = 2;

impl Link {
    /// A link for one child.
    pub const fn new() -> Link {
        Link {
            tid: AtomicU32::new(0),
            go: AtomicU32::new(WAIT),
            value: AtomicI32::new(-1),
        }
    }

    /// Child: waits until husk says whether to go on (`true`).
    pub fn wait_go(&self) -> bool {
        loop {
            match self.go.load(Ordering::Acquire) {
                WAIT => {
                    let _ = futex::wait(&self.go, WAIT, None, Scope::Private);
                }
                word => return word == GO,
            }
        }
    }

    /// Child: hands `fd` (created in the table it shares with husk) to
    /// husk, and wakes whoever waits in [`Link::wait_fd`].
    pub fn report_fd(&self, fd: OwnedFd) {
        self.value.store(fd.into_raw(), Ordering::Release);
        // The waiters sleep on the tid word, which the kernel wakes
        // when the child dies or executes: one word covers all three.
        futex::wake(&self.tid, u32::MAX, Scope::Shared);
    }

    /// husk: lets the child go on (`true`) or makes it give up.
    pub fn go(&self, go: bool) {
        self.go
            .store(if go { GO } else { GIVE_UP }, Ordering::Release);
        futex::wake(&self.go, 1, Scope::Private);
    }

    /// husk: whether the child has executed a program or exited: it no
    /// longer uses husk's memory or descriptor table.
    pub fn gone(&self) -> bool {
        self.tid.load(Ordering::Acquire) == 0
    }

    /// husk: the child's pid while it is not gone.
    pub fn pid(&self) -> Option<process::Pid> {
        match self.tid.load(Ordering::Acquire) {
            0 => None,
            tid => Some(tid as process::Pid),
        }
    }

    /// husk: waits until the child is gone ([`Link::gone`]).
    pub fn wait_gone(&self) {
        loop {
            let tid = self.tid.load(Ordering::Acquire);
            if tid == 0 {
                return;
            }
            // Shared scope: the kernel's own wake is not private.
            let _ = futex::wait(&self.tid, tid, None, Scope::Shared);
        }
    }

    /// husk: waits until the child hands over a descriptor (returned,
    /// once), or is gone without one (`None`).
    pub fn wait_fd(&self) -> Option<OwnedFd> {
        loop {
            let tid = self.tid.load(Ordering::Acquire);
            let fd = self.value.swap(-1, Ordering::AcqRel);
            if fd >= 0 {
                // SAFETY: the child created `fd` in the descriptor table
                // it shares with husk and gave up its ownership
                // (`report_fd`); the swap makes this the only taker.
                return Some(unsafe { OwnedFd::from_raw(fd) });
            }
            if tid == 0 {
                return None;
            }
            // Shared scope: the kernel's own wake is not private.
            let _ = futex::wait(&self.tid, tid, None, Scope::Shared);
        }
    }
}

impl Default for Link {
    fn default() -> Link {
        Link::new()
    }
}

/// The stack (and exec table) of a child started by [`spawn_shared`],
/// husk's to unmap once the child is gone.
pub struct SharedStack {
    map: NonNull<u8>,
    len: usize,
}

impl SharedStack {
    /// Unmaps the child's stack if the child is gone (`link` says so);
    /// otherwise leaves it (the child may still be running on it).
    pub fn release(self, link: &Link) {
        if link.gone() {
            // SAFETY: the child executed a program or exited: nothing
            // runs on this stack or reads its table any more, and no
            // reference into the mapping outlives this handle.
            let _ = unsafe { mm::munmap(self.map, self.len) };
        }
    }
}

struct Start<F> {
    f: ManuallyDrop<F>,
    table: *mut *const c_char,
    slots: usize,
}

/// Starts `child` in a new process that shares husk's memory and
/// descriptor table (`CLONE_VM | CLONE_FILES`, like vfork's child, but
/// husk runs on meanwhile) until it executes a program, which gives it
/// both of its own. No page table is copied and no page of husk's is
/// made copy-on-write; what the child must tell husk (a descriptor it
/// created) is in husk's table already.
///
/// `child` runs on a fresh stack of `stack` bytes and gets a table of
/// `slots` pointers (for execve's arrays) in the same mapping; it exits
/// with what `child` returns. `link` must be a `static` used for no
/// other child at the same time; its tid word is the child's pid until
/// the child is gone. `child` runs after this function has returned:
/// what it borrows must outlive the child's use of husk's memory (a
/// `move` closure, holding no reference to the caller's locals). The
/// child must not take locks husk's threads take
/// (it could die holding one), and must write only to its own stack,
/// its table and `link`: everything else it changes, husk sees.
pub fn spawn_shared<F>(
    link: &'static Link,
    stack: usize,
    slots: usize,
    child: F,
) -> Result<(process::Pid, SharedStack)>
where
    F: FnOnce(&mut [*const c_char]) -> i32,
{
    let table_bytes = slots
        .checked_mul(size_of::<*const c_char>())
        .ok_or(Errno::E2BIG)?;
    let (map, len) = super::thread::map_stack(stack.checked_add(table_bytes).ok_or(Errno::E2BIG)?)?;
    let base = map.as_ptr() as usize;
    let top = base + len;
    let table_at = (top - table_bytes) & !(align_of::<*const c_char>() - 1);
    let start_at = (table_at - size_of::<Start<F>>()) & !(align_of::<Start<F>>() - 1);
    let stack_top = start_at & !15;
    let start = start_at as *mut Start<F>;
    // SAFETY: `start` lies inside our fresh writable mapping, aligned,
    // below the table; nobody else uses the mapping yet.
    unsafe {
        start.write(Start {
            f: ManuallyDrop::new(child),
            table: table_at as *mut *const c_char,
            slots,
        });
    }
    link.go.store(WAIT, Ordering::SeqCst);
    link.value.store(-1, Ordering::SeqCst);
    let flags = libc::CLONE_VM
        | libc::CLONE_FILES
        | libc::CLONE_PARENT_SETTID
        | libc::CLONE_CHILD_CLEARTID
        | libc::SIGCHLD;
    // SAFETY: the stack is a fresh mapping only the child uses; it
    // starts in `shared_main::<F>` with `start`, a valid `Start<F>`;
    // `link` is static, so its tid word outlives the child's use of it.
    let ret = unsafe {
        super::thread::clone_thread(
            flags as usize,
            stack_top as *mut u8,
            link.tid.as_ptr(),
            shared_main::<F>,
            start as *mut u8,
        )
    };
    match crate::sys::check(ret as usize) {
        Ok(pid) => Ok((pid as process::Pid, SharedStack { map, len })),
        Err(e) => {
            // SAFETY: no child was created: drop the closure we moved
            // into the mapping, then release it.
            unsafe {
                ManuallyDrop::drop(&mut (*start).f);
                let _ = mm::munmap(map, len);
            }
            Err(e)
        }
    }
}

/// The first Rust code of a [`spawn_shared`] child.
///
/// # Safety
/// `start` points to a `Start<F>` written by `spawn_shared`, used by no
/// one else, whose table lies in the same live mapping.
unsafe extern "C" fn shared_main<F>(start: *mut u8) -> !
where
    F: FnOnce(&mut [*const c_char]) -> i32,
{
    // SAFETY: per the contract; the closure is moved out exactly once,
    // and the table is ours alone for as long as we run.
    let (f, table) = unsafe {
        let start = &mut *(start as *mut Start<F>);
        (
            ManuallyDrop::take(&mut start.f),
            core::slice::from_raw_parts_mut(start.table, start.slots),
        )
    };
    process::exit(f(table))
}
