//! Executing the sandboxed command: argv and environment arrays built
//! without an allocator, and a `PATH` search like execvp(3).
//!
//! Runs in the child, just before `execve`. The arrays are built in a
//! table the caller provides ([`slots`] pointers long): the child's
//! memory is husk's until the exec, so it maps nothing of its own.

use core::ffi::{CStr, c_char};

use crate::sys::{Errno, process};

/// One change to the command's environment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EnvChange<'a> {
    /// `NAME=value`: set (replacing any earlier value).
    Set(&'a CStr),
    /// `NAME`: remove.
    Unset(&'a [u8]),
}

/// The longest path husk builds (the kernel's PATH_MAX).
const PATH_MAX: usize = 4096;

fn name_of(entry: &[u8]) -> &[u8] {
    entry.split(|&b| b == b'=').next().unwrap_or(entry)
}

/// The pointers [`exec_command`] needs for argv[`first`..] of husk's
/// own arguments and husk's environment changed by `env`.
pub fn slots(first: usize, env: &[EnvChange<'static>]) -> usize {
    let argc = super::args::count().saturating_sub(first);
    let envc = super::args::env().count();
    argc + 1 + envc + env.len() + 1
}

/// Executes argv[`first`..] of husk's own arguments (with `argv0` in
/// place of the first one, if given) in husk's environment changed by
/// `env`, building the argv and environment arrays in `table` (at
/// least [`slots`] pointers). Returns only on failure, with the error
/// execvp(3) would give.
pub fn exec_command(
    first: usize,
    argv0: Option<&'static CStr>,
    env: &[EnvChange<'static>],
    table: &mut [*const c_char],
) -> Errno {
    let Some(program) = super::args::arg(first) else {
        return Errno::ENOENT;
    };
    let argc = super::args::count() - first;
    if table.len() < slots(first, env) {
        return Errno::E2BIG;
    }
    let (argv, envp) = table.split_at_mut(argc + 1);

    for (i, slot) in argv.iter_mut().take(argc).enumerate() {
        let arg = if i == 0 {
            argv0.unwrap_or(program)
        } else {
            super::args::arg(first + i).unwrap_or(c"")
        };
        *slot = arg.as_ptr();
    }
    argv[argc] = core::ptr::null();

    // Keep every variable no change names, then append the `Set`s.
    let changed = |entry: &[u8]| {
        env.iter().any(|c| match c {
            EnvChange::Set(kv) => name_of(kv.to_bytes()) == name_of(entry),
            EnvChange::Unset(name) => *name == name_of(entry),
        })
    };
    let mut n = 0;
    for var in super::args::env().filter(|v| !changed(v.to_bytes())) {
        envp[n] = var.as_ptr();
        n += 1;
    }
    for change in env {
        if let EnvChange::Set(kv) = change {
            // A later -e for the same name wins: drop earlier copies.
            let name = name_of(kv.to_bytes());
            let mut k = 0;
            while k < n {
                // SAFETY: every pointer stored so far came from a CStr
                // that lives for the whole process.
                let existing = unsafe { CStr::from_ptr(envp[k]) };
                if name_of(existing.to_bytes()) == name {
                    envp.copy_within(k + 1..n, k);
                    n -= 1;
                } else {
                    k += 1;
                }
            }
            envp[n] = kv.as_ptr();
            n += 1;
        }
    }
    envp[n] = core::ptr::null();

    let (argv, envp) = (argv.as_ptr(), envp.as_ptr());
    let program = program.to_bytes();
    if program.contains(&b'/') {
        // SAFETY: argv and envp are NULL-terminated arrays of pointers
        // to NUL-terminated strings that outlive the call.
        return unsafe { process::execve(super::args::arg(first).unwrap_or(c""), argv, envp) };
    }
    // SAFETY: as above: the environment array is NULL-terminated.
    let path = unsafe { find_var(envp, b"PATH") }.unwrap_or(b"/usr/local/bin:/usr/bin:/bin");
    let mut denied = false;
    let mut buf = [0u8; PATH_MAX];
    for dir in path.split(|&b| b == b':') {
        let dir: &[u8] = if dir.is_empty() { b"." } else { dir };
        let len = dir.len() + 1 + program.len();
        if len + 1 > PATH_MAX {
            continue;
        }
        buf[..dir.len()].copy_from_slice(dir);
        buf[dir.len()] = b'/';
        buf[dir.len() + 1..len].copy_from_slice(program);
        buf[len] = 0;
        let Ok(candidate) = CStr::from_bytes_with_nul(&buf[..=len]) else {
            continue;
        };
        // SAFETY: as above.
        match unsafe { process::execve(candidate, argv, envp) } {
            Errno::ENOENT | Errno::ENOTDIR | Errno::ESTALE | Errno::ELOOP | Errno::ENAMETOOLONG => {
            }
            Errno::EACCES => denied = true,
            e => return e,
        }
    }
    if denied { Errno::EACCES } else { Errno::ENOENT }
}

/// The value of `name` in a NULL-terminated environment array.
///
/// # Safety
/// `envp` must be NULL-terminated and its strings live for `'static`.
unsafe fn find_var(mut envp: *const *const c_char, name: &[u8]) -> Option<&'static [u8]> {
    // SAFETY: per the contract, every entry up to the NULL is a valid
    // NUL-terminated string that outlives the process image.
    unsafe {
        while !(*envp).is_null() {
            let entry = CStr::from_ptr(*envp).to_bytes();
            if let Some(value) = entry
                .strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(b"="))
            {
                return Some(value);
            }
            envp = envp.add(1);
        }
    }
    None
}
