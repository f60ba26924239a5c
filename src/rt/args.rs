//! The process arguments, environment and auxiliary vector, as the
//! kernel laid them out on the initial stack.
//!
//! Everything here is read-only after [`init`] and lives for the whole
//! process (`'static`). Unit tests, which run under std without our
//! `_start`, see an empty argument list.

use core::ffi::{CStr, c_char};
use core::sync::atomic::{AtomicUsize, Ordering};

// Addresses recorded by `init`; zero until then.
static ARGC: AtomicUsize = AtomicUsize::new(0);
static ARGV: AtomicUsize = AtomicUsize::new(0);
static ENVP: AtomicUsize = AtomicUsize::new(0);
static AUXV: AtomicUsize = AtomicUsize::new(0);

/// Records the initial stack's layout.
///
/// # Safety
/// `sp` must be the kernel's initial stack pointer: `argc`, then argc
/// argument pointers and a NULL, environment pointers and a NULL, then
/// the auxiliary vector ending in `AT_NULL`. Called once.
pub(super) unsafe fn init(sp: *const usize) {
    // SAFETY: the layout is the kernel's execve contract (see above);
    // every pointer we step over stays within it.
    unsafe {
        let argc = *sp;
        let argv = sp.add(1);
        let envp = argv.add(argc + 1);
        let mut p = envp;
        while *p != 0 {
            p = p.add(1);
        }
        let auxv = p.add(1);
        ARGC.store(argc, Ordering::Relaxed);
        ARGV.store(argv as usize, Ordering::Relaxed);
        ENVP.store(envp as usize, Ordering::Relaxed);
        AUXV.store(auxv as usize, Ordering::Release);
    }
}

/// Reads entry `i` of a NULL-terminated pointer array recorded by init.
fn entry(base: usize, i: usize) -> Option<&'static CStr> {
    if base == 0 {
        return None;
    }
    // SAFETY: `base` is argv or envp as recorded from the kernel's
    // stack; callers stop at the NULL terminator (or at argc), and
    // the strings live for the whole process.
    unsafe {
        let ptr = *(base as *const *const c_char).add(i);
        if ptr.is_null() {
            None
        } else {
            Some(CStr::from_ptr(ptr))
        }
    }
}

/// The number of arguments, including `argv[0]`.
pub fn count() -> usize {
    ARGC.load(Ordering::Relaxed)
}

/// Argument `i` (`argv[i]`), if it exists.
pub fn arg(i: usize) -> Option<&'static CStr> {
    if i >= count() {
        None
    } else {
        entry(ARGV.load(Ordering::Relaxed), i)
    }
}

/// The arguments, `argv[0]` first.
pub fn args() -> impl Iterator<Item = &'static CStr> {
    (0..count()).map_while(arg)
}

/// The raw `argv` array (for handing to execve), or null before init.
pub fn argv_ptr() -> *const *const c_char {
    ARGV.load(Ordering::Relaxed) as *const *const c_char
}

/// The environment, as `NAME=value` strings.
pub fn env() -> impl Iterator<Item = &'static CStr> {
    let base = ENVP.load(Ordering::Relaxed);
    (0..).map_while(move |i| entry(base, i))
}

/// The raw `envp` array (for handing to execve), or null before init.
pub fn envp_ptr() -> *const *const c_char {
    ENVP.load(Ordering::Relaxed) as *const *const c_char
}

/// The value of environment variable `name`, if set.
pub fn var(name: &[u8]) -> Option<&'static [u8]> {
    env().find_map(|kv| {
        let kv = kv.to_bytes();
        match kv.strip_prefix(name) {
            Some([b'=', value @ ..]) => Some(value),
            _ => None,
        }
    })
}

/// The value of auxiliary-vector entry `key` (`AT_PAGESZ`...), if the
/// kernel supplied it.
pub fn aux(key: core::ffi::c_ulong) -> Option<usize> {
    let base = AUXV.load(Ordering::Acquire);
    if base == 0 {
        return None;
    }
    let mut p = base as *const usize;
    loop {
        // SAFETY: the auxiliary vector is a sequence of (key, value)
        // pairs ending with AT_NULL, recorded by init from the stack.
        let (k, v) = unsafe { (*p, *p.add(1)) };
        if k == libc::AT_NULL as usize {
            return None;
        }
        if k == key as usize {
            return Some(v);
        }
        // SAFETY: not yet at AT_NULL, so the next pair exists.
        p = unsafe { p.add(2) };
    }
}

/// The system page size (4096 unless the kernel says otherwise).
pub fn page_size() -> usize {
    aux(libc::AT_PAGESZ)
        .filter(|s| s.is_power_of_two())
        .unwrap_or(4096)
}

/// A program header of this binary's ELF class.
#[cfg(target_pointer_width = "64")]
type Phdr = libc::Elf64_Phdr;
/// A program header of this binary's ELF class.
#[cfg(target_pointer_width = "32")]
type Phdr = libc::Elf32_Phdr;

/// The page-aligned range of this binary's `PT_GNU_RELRO` segment, if
/// it has one, read from its program headers (`AT_PHDR`).
pub(super) fn relro_range() -> Option<(usize, usize)> {
    let phdr = aux(libc::AT_PHDR)?;
    let phnum = aux(libc::AT_PHNUM)?;
    let phent = aux(libc::AT_PHENT)?;
    if phent != core::mem::size_of::<Phdr>() {
        return None;
    }
    // A non-PIE binary runs at its link address, so the headers'
    // virtual addresses are the real ones.
    let page = page_size();
    (0..phnum).find_map(|i| {
        // SAFETY: AT_PHDR points to the loaded program header table of
        // `phnum` entries of `phent` bytes, mapped for the whole run.
        let ph = unsafe { &*((phdr + i * phent) as *const Phdr) };
        if ph.p_type != libc::PT_GNU_RELRO {
            return None;
        }
        let start = ph.p_vaddr as usize & !(page - 1);
        // Only whole pages can be protected: round the end down, as
        // the remainder of the last page shares it with writable data.
        let end = (ph.p_vaddr + ph.p_memsz) as usize & !(page - 1);
        (end > start).then(|| (start, end - start))
    })
}
