//! Threads on mmap'd stacks, started with a raw `clone` and joined
//! through `CLONE_CHILD_CLEARTID`.
//!
//! Each thread gets one private anonymous mapping:
//!
//! ```text
//! low                                                         high
//! | guard page (PROT_NONE) | <- stack grows down | start | control |
//! ```
//!
//! `start` holds the closure to run; `control` holds the result slot
//! and the tid word. The kernel writes the new thread's id into the
//! tid word before `clone` returns (`CLONE_PARENT_SETTID`), clears it
//! once the thread has exited and wakes it as a futex
//! (`CLONE_CHILD_CLEARTID`). That wake is issued *without*
//! `FUTEX_PRIVATE_FLAG`, so `join` waits on the shared futex or it
//! would never be woken. Once the word is zero the thread no longer
//! touches its stack, and `join` unmaps it.
//!
//! A stack overflow runs into the guard page and kills the process
//! with SIGSEGV; a panic on any thread ends the whole process (see
//! [`super::panic`]). husk threads use no thread-local storage.

use core::cell::UnsafeCell;
use core::ffi::CStr;
use core::mem::{ManuallyDrop, MaybeUninit};
use core::ptr::NonNull;
use core::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use crate::sys::futex::{self, Scope};
use crate::sys::{Errno, Result, mm, process};

/// The default stack size: ample for path buffers and formatting.
pub const DEFAULT_STACK: usize = 256 * 1024;
/// The smallest stack husk accepts.
pub const MIN_STACK: usize = 16 * 1024;

static LIVE: AtomicUsize = AtomicUsize::new(0);

/// How many threads started by [`spawn`] have not been joined.
pub fn live() -> usize {
    LIVE.load(Ordering::SeqCst)
}

/// Shared by the thread and its handle, at the top of the mapping.
struct Control<T> {
    /// The thread id while it runs; zero once it has exited.
    tid: AtomicU32,
    /// Written by the thread before it exits, read by `join` after.
    result: UnsafeCell<MaybeUninit<T>>,
}

/// What the new thread reads first, just below its control block.
struct Start<F, T> {
    f: ManuallyDrop<F>,
    name: Option<&'static CStr>,
    control: *const Control<T>,
}

/// A running thread; [`join`](JoinHandle::join) waits for it and returns
/// its result. Dropping the handle detaches the thread (its stack is
/// then never reclaimed).
#[must_use = "dropping a JoinHandle detaches the thread and leaks its stack"]
pub struct JoinHandle<T> {
    map: NonNull<u8>,
    map_len: usize,
    control: NonNull<Control<T>>,
    tid: process::Pid,
}

// SAFETY: through the handle only the atomic tid word is touched while
// the thread runs; the `T` result is read once, after the thread has
// exited, and `T: Send` allows that from any thread.
unsafe impl<T: Send> Send for JoinHandle<T> {}

impl<T> JoinHandle<T> {
    /// The thread's id.
    pub fn tid(&self) -> process::Pid {
        self.tid
    }

    /// Waits for the thread to exit and returns what it returned.
    pub fn join(self) -> T {
        // SAFETY: the control block is inside our mapping, which stays
        // mapped until the munmap below.
        let control = unsafe { self.control.as_ref() };
        loop {
            let tid = control.tid.load(Ordering::Acquire);
            if tid == 0 {
                break;
            }
            // Shared scope: the kernel's exit-time wake is not private.
            let _ = futex::wait(&control.tid, tid, None, Scope::Shared);
        }
        // SAFETY: tid is zero only after the thread ran to completion:
        // the result was written before its final `exit`, and nothing
        // else reads it.
        let result = unsafe { (*control.result.get()).assume_init_read() };
        // SAFETY: the thread has exited and no longer uses its stack;
        // `control` is not used after this point.
        let _ = unsafe { mm::munmap(self.map, self.map_len) };
        LIVE.fetch_sub(1, Ordering::SeqCst);
        result
    }
}

/// The `clone` flags of every husk thread (self-confinement filters
/// that let a thread start helpers allow exactly these).
pub const CLONE_FLAGS: i32 = libc::CLONE_VM
    | libc::CLONE_FS
    | libc::CLONE_FILES
    | libc::CLONE_SIGHAND
    | libc::CLONE_THREAD
    | libc::CLONE_SYSVSEM
    | libc::CLONE_PARENT_SETTID
    | libc::CLONE_CHILD_CLEARTID;

/// Starts `f` on a new thread with a `stack_size`-byte stack (plus a
/// guard page) and an optional name (shown in /proc, at most 15 bytes).
pub fn spawn<F, T>(stack_size: usize, name: Option<&'static CStr>, f: F) -> Result<JoinHandle<T>>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    let page = super::args::page_size();
    let (map, map_len) = map_stack(stack_size)?;
    let base = map.as_ptr() as usize;

    // Carve the control block and the start record off the top.
    let top = base + map_len;
    let control_at = (top - size_of::<Control<T>>()) & !(align_of::<Control<T>>() - 1);
    let start_at = (control_at - size_of::<Start<F, T>>()) & !(align_of::<Start<F, T>>() - 1);
    let stack_top = start_at & !15;
    if stack_top < base + page + MIN_STACK / 2 {
        // SAFETY: nothing uses the mapping yet.
        let _ = unsafe { mm::munmap(map, map_len) };
        return Err(Errno::EINVAL);
    }
    let control = control_at as *mut Control<T>;
    let start = start_at as *mut Start<F, T>;
    // SAFETY: both addresses are inside our writable mapping, suitably
    // aligned and not overlapping (start ends at or below control_at).
    unsafe {
        control.write(Control {
            tid: AtomicU32::new(0),
            result: UnsafeCell::new(MaybeUninit::uninit()),
        });
        start.write(Start {
            f: ManuallyDrop::new(f),
            name,
            control,
        });
    }

    let flags = CLONE_FLAGS;
    // SAFETY: `control` was just initialised in our mapping.
    let tid_word = unsafe { (*control).tid.as_ptr() };
    LIVE.fetch_add(1, Ordering::SeqCst);
    // SAFETY: the stack is a fresh mapping nobody else uses; the new
    // thread starts in `thread_main::<F, T>` with `start`, which holds
    // a valid `Start<F, T>`; the tid word outlives the thread (it is
    // unmapped only by join, after the kernel cleared it).
    let ret = unsafe {
        clone_thread(
            flags as usize,
            stack_top as *mut u8,
            tid_word,
            thread_main::<F, T>,
            start as *mut u8,
        )
    };
    match crate::sys::check(ret as usize) {
        Ok(tid) => Ok(JoinHandle {
            map,
            map_len,
            // SAFETY: non-null, inside our mapping.
            control: unsafe { NonNull::new_unchecked(control) },
            tid: tid as process::Pid,
        }),
        Err(e) => {
            LIVE.fetch_sub(1, Ordering::SeqCst);
            // SAFETY: no thread was created; drop the closure we moved
            // into the mapping, then release it.
            unsafe {
                ManuallyDrop::drop(&mut (*start).f);
                let _ = mm::munmap(map, map_len);
            }
            Err(e)
        }
    }
}

/// A fresh mapping for a stack of at least `stack_size` bytes (and
/// [`MIN_STACK`]), its lowest page a guard (`PROT_NONE`): the mapping
/// and its length.
pub(super) fn map_stack(stack_size: usize) -> Result<(NonNull<u8>, usize)> {
    let page = super::args::page_size();
    let stack_size = stack_size
        .max(MIN_STACK)
        .checked_next_multiple_of(page)
        .ok_or(Errno::EINVAL)?;
    let map_len = stack_size.checked_add(page).ok_or(Errno::EINVAL)?;
    let map = mm::mmap_anonymous(
        map_len,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_STACK | libc::MAP_NORESERVE,
    )?;
    // SAFETY: the first page of our fresh mapping is the guard; no
    // reference into it exists.
    if let Err(e) = unsafe { mm::mprotect(map, page, libc::PROT_NONE) } {
        // SAFETY: nothing uses the mapping yet.
        let _ = unsafe { mm::munmap(map, map_len) };
        return Err(e);
    }
    Ok((map, map_len))
}

/// The first Rust code of a new thread.
///
/// # Safety
/// `start` points to a `Start<F, T>` written by `spawn`, used by no one
/// else.
unsafe extern "C" fn thread_main<F, T>(start: *mut u8) -> !
where
    F: FnOnce() -> T,
{
    // SAFETY: per the contract; the closure is moved out exactly once.
    let (f, name, control) = unsafe {
        let start = &mut *(start as *mut Start<F, T>);
        (ManuallyDrop::take(&mut start.f), start.name, start.control)
    };
    if let Some(name) = name {
        let _ = process::set_thread_name(name);
    }
    let result = f();
    // SAFETY: the control block stays mapped while we run; join reads
    // the result only after we exit.
    unsafe { (*(*control).result.get()).write(result) };
    process::exit_thread(0)
}

/// `clone` with a new stack, returning in the parent only. The child
/// calls `entry(arg)` on the new stack and never returns.
///
/// # Safety
/// `stack` is the 16-byte-aligned top of memory the child may use as
/// its stack; `entry` never returns; `tid` stays valid until cleared.
#[cfg(target_arch = "x86_64")]
pub(super) unsafe fn clone_thread(
    flags: usize,
    stack: *mut u8,
    tid: *mut u32,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> isize {
    let ret: isize;
    // SAFETY: see the function contract. The child resumes after
    // `syscall` with rax = 0 on the new stack; r12/r13 survive the
    // syscall, so it can call entry(arg) without touching the parent's
    // frame. The parent jumps over that code.
    unsafe {
        core::arch::asm!(
            "syscall",
            "test rax, rax",
            "jnz 2f",
            "xor ebp, ebp",
            "mov rdi, r13",
            "call r12",
            "ud2",
            "2:",
            inlateout("rax") crate::sys::nr::CLONE => ret,
            in("rdi") flags,
            in("rsi") stack,
            in("rdx") tid,
            in("r10") tid,
            in("r8") 0usize,
            in("r12") entry,
            in("r13") arg,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    ret
}

/// See the x86_64 version. aarch64's clone takes (flags, stack,
/// parent_tid, tls, child_tid).
///
/// # Safety
/// As the x86_64 version.
#[cfg(target_arch = "aarch64")]
pub(super) unsafe fn clone_thread(
    flags: usize,
    stack: *mut u8,
    tid: *mut u32,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> isize {
    let ret: isize;
    // SAFETY: as x86_64; `svc` preserves every register but x0, so the
    // child finds entry/arg in x9/x10.
    unsafe {
        core::arch::asm!(
            "svc #0",
            "cbnz x0, 2f",
            "mov x29, xzr",
            "mov x30, xzr",
            "mov x0, x10",
            "blr x9",
            "brk #0",
            "2:",
            inlateout("x0") flags => ret,
            in("x1") stack,
            in("x2") tid,
            in("x3") 0usize,
            in("x4") tid,
            in("x8") crate::sys::nr::CLONE,
            in("x9") entry,
            in("x10") arg,
            options(nostack),
        );
    }
    ret
}

/// See the x86_64 version. 32-bit ARM's clone takes (flags, stack,
/// parent_tid, tls, child_tid), like aarch64's.
///
/// # Safety
/// As the x86_64 version.
#[cfg(target_arch = "arm")]
pub(super) unsafe fn clone_thread(
    flags: usize,
    stack: *mut u8,
    tid: *mut u32,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> isize {
    let ret: isize;
    // SAFETY: as x86_64; `svc 0` preserves every register but r0, so
    // the child finds entry/arg in r5/r8 (r6 and r11 are reserved by
    // the compiler; r7 holds the number, see sys::svc).
    unsafe {
        core::arch::asm!(
            "svc 0",
            "cmp r0, #0",
            "bne 2f",
            "mov r11, #0",
            "mov lr, #0",
            "mov r0, r8",
            "blx r5",
            "udf #0",
            "2:",
            inlateout("r0") flags => ret,
            in("r1") stack,
            in("r2") tid,
            in("r3") 0usize,
            in("r4") tid,
            in("r7") crate::sys::nr::CLONE,
            in("r5") entry,
            in("r8") arg,
            options(nostack),
        );
    }
    ret
}

/// See the x86_64 version. riscv64's clone takes (flags, stack,
/// parent_tid, tls, child_tid).
///
/// # Safety
/// As the x86_64 version.
#[cfg(target_arch = "riscv64")]
pub(super) unsafe fn clone_thread(
    flags: usize,
    stack: *mut u8,
    tid: *mut u32,
    entry: unsafe extern "C" fn(*mut u8) -> !,
    arg: *mut u8,
) -> isize {
    let ret: isize;
    // SAFETY: as x86_64; `ecall` preserves every register but a0, so
    // the child finds entry/arg in t0/t1.
    unsafe {
        core::arch::asm!(
            "ecall",
            "bnez a0, 2f",
            "mv s0, zero",
            "mv a0, t1",
            "jalr t0",
            "unimp",
            "2:",
            inlateout("a0") flags => ret,
            in("a1") stack,
            in("a2") tid,
            in("a3") 0usize,
            in("a4") tid,
            in("a7") crate::sys::nr::CLONE,
            in("t0") entry,
            in("t1") arg,
            options(nostack),
        );
    }
    ret
}
