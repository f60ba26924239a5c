//! Signal masks. husk installs no signal handlers: signals it must
//! react to are blocked and read from a signalfd.

use super::{Result, check, nr, raw};

/// A kernel signal set (64 signals on every supported architecture).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SigSet(pub u64);

impl SigSet {
    /// The empty set.
    pub const EMPTY: SigSet = SigSet(0);

    /// A set holding `signals`.
    pub const fn of(signals: &[i32]) -> SigSet {
        let mut bits = 0u64;
        let mut i = 0;
        while i < signals.len() {
            bits |= 1 << (signals[i] - 1);
            i += 1;
        }
        SigSet(bits)
    }

    /// Whether `sig` is in the set.
    pub fn contains(self, sig: i32) -> bool {
        (1..=64).contains(&sig) && self.0 & (1 << (sig - 1)) != 0
    }
}

/// How [`set_mask`] changes the mask.
#[derive(Clone, Copy, Debug)]
pub enum How {
    /// Add the set.
    Block = libc::SIG_BLOCK as isize,
    /// Remove the set.
    Unblock = libc::SIG_UNBLOCK as isize,
    /// Replace the mask.
    Set = libc::SIG_SETMASK as isize,
}

/// Changes the calling thread's signal mask; returns the old one.
pub fn set_mask(how: How, set: SigSet) -> Result<SigSet> {
    let mut old = SigSet::EMPTY;
    // SAFETY: the kernel reads one sigset and writes one; size 8.
    check(unsafe {
        raw::syscall4(
            nr::RT_SIGPROCMASK,
            how as usize,
            &set as *const SigSet as usize,
            &mut old as *mut SigSet as usize,
            core::mem::size_of::<SigSet>(),
        )
    })?;
    Ok(old)
}

/// Resets `sig` to its default disposition (`SIG_DFL`). Installing a
/// handler is never needed: husk reads signals from a signalfd.
pub fn set_default(sig: i32) -> Result<()> {
    // SIG_DFL is 0, with no flags and an empty mask.
    sigaction(sig, &[0u64; 4])
}

/// `rt_sigaction(sig, act, NULL)` with a raw `struct k_sigaction`
/// (handler, flags, restorer, mask on x86_64 and aarch64; handler,
/// flags, mask on riscv64; on 32-bit ARM the same fields as aarch64,
/// each 4 bytes but the 8-byte mask, so only `[handler, 0, 0, 0]` and
/// zeroes, as the callers outside x86_64 pass, read as meant). Callers
/// pass only SIG_DFL or a handler that does nothing.
fn sigaction(sig: i32, act: &[u64; 4]) -> Result<()> {
    // SAFETY: the kernel reads one k_sigaction from `act` and writes
    // nothing (no old action requested). The only handler ever passed
    // does nothing (so it is async-signal-safe), and on x86_64 its
    // restorer only calls rt_sigreturn.
    check(unsafe {
        raw::syscall4(
            nr::RT_SIGACTION,
            sig as usize,
            act.as_ptr() as usize,
            0,
            core::mem::size_of::<SigSet>(),
        )
    })
    .map(drop)
}

extern "C" fn do_nothing(_signal: i32) {}

// x86_64 needs a user-space return path (`SA_RESTORER`); aarch64 and
// riscv64 use the vDSO's when none is given, 32-bit ARM the kernel's
// signal page.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl husk_signal_return",
    ".type husk_signal_return, @function",
    "husk_signal_return:",
    "mov eax, 15",
    "syscall",
    "ud2",
);

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    fn husk_signal_return();
}

/// Installs a handler that does nothing for `sig`, without
/// `SA_RESTART`: sending `sig` to a thread blocked in a system call
/// then makes the call fail with EINTR. The one handler husk installs
/// (for interrupting its blocking-call helpers).
pub fn set_interrupting(sig: i32) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    let act: [u64; 4] = [
        do_nothing as *const () as usize as u64,
        0x0400_0000, // SA_RESTORER
        husk_signal_return as *const () as usize as u64,
        0,
    ];
    #[cfg(not(any(target_arch = "x86_64", target_arch = "arm")))]
    let act: [u64; 4] = [do_nothing as *const () as usize as u64, 0, 0, 0];
    // 32-bit ARM: handler and flags, 4 bytes each, share the first
    // word. Without SA_SIGINFO the kernel would return from the handler
    // through the old `sigreturn`, which no thread filter of husk allows
    // (it would die of SIGSYS); with it, through `rt_sigreturn`, as on
    // every other architecture. The handler ignores the extra arguments.
    #[cfg(target_arch = "arm")]
    let act: [u64; 4] = [
        do_nothing as *const () as usize as u64 | (libc::SA_SIGINFO as u64) << 32,
        0,
        0,
        0,
    ];
    sigaction(sig, &act)
}

/// `struct signalfd_siginfo` (128 bytes): the fields husk reads.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct SignalfdInfo {
    /// Signal number.
    pub signo: u32,
    /// errno value (unused).
    pub errno: i32,
    /// Signal code.
    pub code: i32,
    /// Sending process.
    pub pid: u32,
    /// Sending user.
    pub uid: u32,
    rest: [u8; 108],
}

impl Default for SignalfdInfo {
    fn default() -> Self {
        SignalfdInfo {
            signo: 0,
            errno: 0,
            code: 0,
            pid: 0,
            uid: 0,
            rest: [0; 108],
        }
    }
}

/// A signalfd for `set` (close-on-exec, non-blocking).
pub fn signalfd(set: SigSet) -> Result<super::OwnedFd> {
    // SAFETY: the kernel reads one sigset of the given size.
    let ret = unsafe {
        raw::syscall4(
            nr::SIGNALFD4,
            usize::MAX, // -1: a new descriptor
            &set as *const SigSet as usize,
            core::mem::size_of::<SigSet>(),
            (libc::SFD_CLOEXEC | libc::SFD_NONBLOCK) as usize,
        )
    };
    // SAFETY: a new descriptor.
    check(ret).map(|fd| unsafe { super::OwnedFd::from_raw(fd as super::RawFd) })
}

/// Reads one pending signal from a non-blocking signalfd, if any.
pub fn read_signalfd(fd: super::BorrowedFd<'_>) -> Result<Option<SignalfdInfo>> {
    let mut info = SignalfdInfo::default();
    // SAFETY: the kernel writes at most one signalfd_siginfo (128
    // bytes) into `info`, which is exactly that size.
    let ret = unsafe {
        raw::syscall3(
            nr::READ,
            fd.raw() as usize,
            &mut info as *mut SignalfdInfo as usize,
            core::mem::size_of::<SignalfdInfo>(),
        )
    };
    match check(ret) {
        Ok(_) => Ok(Some(info)),
        Err(super::Errno::EAGAIN) => Ok(None),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_sets() {
        assert_eq!(core::mem::size_of::<SignalfdInfo>(), 128);
        let set = SigSet::of(&[libc::SIGCHLD, libc::SIGINT]);
        assert!(set.contains(libc::SIGCHLD) && set.contains(libc::SIGINT));
        assert!(!set.contains(libc::SIGTERM) && !set.contains(0) && !set.contains(65));
    }
}
