//! A temporary hand-written sandbox filter for the supervisor tests,
//! until the generated one lands: traps a few calls, allows the rest.

use husk::sys::Result;

#[repr(C)]
struct SockFilter {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

const TRAPPED: [u32; 6] = [257, 59, 83, 110, 2, 87]; // openat execve mkdir getppid open unlink

/// Installs the filter in the calling process.
pub fn install() -> Result<()> {
    let mut prog: [SockFilter; 16] = core::array::from_fn(|_| SockFilter {
        code: 0,
        jt: 0,
        jf: 0,
        k: 0,
    });
    let mut n = 0;
    let mut push = |code: u16, jt: u8, jf: u8, k: u32| {
        prog[n] = SockFilter { code, jt, jf, k };
        n += 1;
    };
    push(0x20, 0, 0, 0); // A = nr
    for (i, nr) in TRAPPED.iter().enumerate() {
        let to_trace = (TRAPPED.len() - i) as u8; // skip the rest and the allow
        push(0x15, to_trace, 0, *nr);
    }
    push(0x06, 0, 0, 0x7fff_0000); // ALLOW
    push(0x06, 0, 0, 0x7ff0_0000); // TRACE
    #[repr(C)]
    struct Fprog {
        len: u16,
        filter: *const SockFilter,
    }
    let fprog = Fprog {
        len: n as u16,
        filter: prog.as_ptr(),
    };
    // SAFETY: the kernel reads `len` instructions from `prog`, which
    // outlives the call; no-new-privs is already set by the caller.
    husk::sys::check(unsafe {
        husk::sys::raw::syscall3(
            husk::sys::nr::SECCOMP,
            1,
            0,
            &fprog as *const Fprog as usize,
        )
    })
    .map(drop)
}
