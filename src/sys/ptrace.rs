//! ptrace(2) requests. Only the tracer thread may issue them on a given
//! tracee (a kernel rule); the types here do not know about threads,
//! the supervisor enforces that.

use super::process::Pid;
use super::{Result, check, nr, raw};

/// `PTRACE_GET_SYSCALL_INFO` (Linux 5.3).
pub const GET_SYSCALL_INFO: u32 = 0x420e;
/// `PTRACE_SET_SYSCALL_INFO` (Linux 6.16).
pub const SET_SYSCALL_INFO: u32 = 0x4212;
/// `PTRACE_SET_SYSCALL`: 32-bit ARM's way to change the system call
/// number of a stopped tracee (the number is not in its registers).
#[cfg(target_arch = "arm")]
pub const SET_SYSCALL: u32 = 23;

/// `ptrace_syscall_info.op` values.
pub mod op {
    /// Not in a system call stop.
    pub const NONE: u8 = 0;
    /// System call entry.
    pub const ENTRY: u8 = 1;
    /// System call exit.
    pub const EXIT: u8 = 2;
    /// `SECCOMP_RET_TRACE` stop.
    pub const SECCOMP: u8 = 3;
}

/// `struct ptrace_syscall_info`: the union is flattened into `nr`,
/// `args` and `ret_data` (entry/seccomp views) which overlap the exit
/// view read by [`SyscallInfo::exit_value`].
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallInfo {
    /// One of [`op`].
    pub op: u8,
    /// Must be zero.
    pub reserved: u8,
    /// Must be zero (Linux 6.16 names the field).
    pub flags: u16,
    /// `AUDIT_ARCH_*` of the call.
    pub arch: u32,
    /// Instruction pointer.
    pub instruction_pointer: u64,
    /// Stack pointer.
    pub stack_pointer: u64,
    /// Entry/seccomp: the system call number. Exit: the return value.
    pub nr: u64,
    /// Entry/seccomp: the arguments. Exit: `args[0] & 0xff` is is_error.
    pub args: [u64; 6],
    /// Seccomp: `SECCOMP_RET_DATA` of the filter's verdict.
    pub ret_data: u32,
    /// Padding to the kernel's size.
    pub pad: u32,
}

impl SyscallInfo {
    /// At an exit stop: the return value, as signed.
    pub fn exit_value(&self) -> i64 {
        self.nr as i64
    }
}

fn request(req: u32, pid: Pid, addr: usize, data: usize) -> Result<usize> {
    // SAFETY: every caller below passes `addr`/`data` that are either
    // integers or pointers valid for the request they make.
    check(unsafe { raw::syscall4(nr::PTRACE, req as usize, pid as usize, addr, data) })
}

/// `PTRACE_SEIZE` with `options` (`PTRACE_O_*`).
pub fn seize(pid: Pid, options: u32) -> Result<()> {
    request(libc::PTRACE_SEIZE, pid, 0, options as usize).map(drop)
}

/// `PTRACE_INTERRUPT`: stop a seized tracee.
pub fn interrupt(pid: Pid) -> Result<()> {
    request(libc::PTRACE_INTERRUPT, pid, 0, 0).map(drop)
}

/// `PTRACE_CONT`, delivering `sig` (0 for none).
pub fn cont(pid: Pid, sig: i32) -> Result<()> {
    request(libc::PTRACE_CONT, pid, 0, sig as usize).map(drop)
}

/// `PTRACE_SYSCALL`: continue to the next syscall entry or exit stop.
pub fn cont_syscall(pid: Pid, sig: i32) -> Result<()> {
    request(libc::PTRACE_SYSCALL, pid, 0, sig as usize).map(drop)
}

/// `PTRACE_LISTEN`: leave a group-stopped tracee stopped, but let the
/// kernel report when it is continued (job control keeps working).
pub fn listen(pid: Pid) -> Result<()> {
    request(libc::PTRACE_LISTEN, pid, 0, 0).map(drop)
}

/// `PTRACE_GETEVENTMSG`: the new pid of a fork event, the status of an
/// exit event, the former tid of an exec event.
pub fn event_msg(pid: Pid) -> Result<u64> {
    let mut msg = 0u64;
    request(
        libc::PTRACE_GETEVENTMSG,
        pid,
        0,
        &mut msg as *mut u64 as usize,
    )?;
    Ok(msg)
}

/// `PTRACE_GET_SYSCALL_INFO`.
pub fn syscall_info(pid: Pid) -> Result<SyscallInfo> {
    let mut info = SyscallInfo::default();
    request(
        GET_SYSCALL_INFO,
        pid,
        core::mem::size_of::<SyscallInfo>(),
        &mut info as *mut SyscallInfo as usize,
    )?;
    Ok(info)
}

/// `PTRACE_SET_SYSCALL_INFO` (Linux 6.16+; `EIO` before).
pub fn set_syscall_info(pid: Pid, info: &SyscallInfo) -> Result<()> {
    request(
        SET_SYSCALL_INFO,
        pid,
        core::mem::size_of::<SyscallInfo>(),
        info as *const SyscallInfo as usize,
    )
    .map(drop)
}

impl SyscallInfo {
    /// The exit view with `value` as the return value (a negative
    /// errno is an error, as the kernel returns them).
    pub fn exit_with(value: i64) -> SyscallInfo {
        let mut info = SyscallInfo {
            op: op::EXIT,
            ..SyscallInfo::default()
        };
        info.nr = value as u64;
        info.args[0] = (-4095..0).contains(&value) as u64;
        info
    }
}

/// `PTRACE_GETREGSET`/`PTRACE_SETREGSET` for one register set.
fn regset<T>(req: u32, pid: Pid, kind: u32, value: *mut T) -> Result<()> {
    let iov = libc::iovec {
        iov_base: value.cast(),
        iov_len: core::mem::size_of::<T>(),
    };
    request(req, pid, kind as usize, &iov as *const libc::iovec as usize).map(drop)
}

/// The general registers of a stopped tracee (`NT_PRSTATUS`), with the
/// accessors husk needs on kernels without `PTRACE_SET_SYSCALL_INFO`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct Regs {
    #[cfg(target_arch = "x86_64")]
    words: [u64; 27],
    #[cfg(target_arch = "aarch64")]
    words: [u64; 34],
    #[cfg(target_arch = "riscv64")]
    words: [u64; 32],
    /// `struct pt_regs` of 32-bit ARM: r0..r15, cpsr, ORIG_r0.
    #[cfg(target_arch = "arm")]
    words: [u32; 18],
}

impl Regs {
    #[cfg(target_arch = "x86_64")]
    const RETURN: usize = 10; // rax
    #[cfg(target_arch = "aarch64")]
    const RETURN: usize = 0; // x0
    #[cfg(target_arch = "riscv64")]
    const RETURN: usize = 10; // a0
    #[cfg(target_arch = "arm")]
    const RETURN: usize = 0; // r0

    /// Reads the tracee's registers.
    pub fn get(pid: Pid) -> Result<Regs> {
        let mut regs = Regs { words: [0; _] };
        regset(
            libc::PTRACE_GETREGSET,
            pid,
            libc::NT_PRSTATUS as u32,
            &mut regs,
        )?;
        Ok(regs)
    }

    /// Writes the registers back.
    pub fn set(&self, pid: Pid) -> Result<()> {
        let mut copy = *self;
        regset(
            libc::PTRACE_SETREGSET,
            pid,
            libc::NT_PRSTATUS as u32,
            &mut copy,
        )
    }

    /// Sets the return value register (read at a syscall-exit stop).
    pub fn set_return(&mut self, value: i64) {
        // On 32-bit ARM the register keeps the low half, as the kernel's
        // own 32-bit return values are.
        self.words[Self::RETURN] = value as _;
    }
}

/// At a syscall-entry or seccomp stop, changes the system call number
/// the kernel will run; -1 skips the call. For kernels without
/// `PTRACE_SET_SYSCALL_INFO`.
pub fn set_syscall_nr(pid: Pid, nr: i64) -> Result<()> {
    #[cfg(target_arch = "x86_64")]
    {
        let mut regs = Regs::get(pid)?;
        regs.words[15] = nr as u64; // orig_rax
        regs.set(pid)
    }
    #[cfg(target_arch = "riscv64")]
    {
        let mut regs = Regs::get(pid)?;
        regs.words[17] = nr as u64; // a7
        regs.set(pid)
    }
    #[cfg(target_arch = "aarch64")]
    {
        // The number lives in its own register set on arm64.
        const NT_ARM_SYSTEM_CALL: u32 = 0x404;
        let mut value = nr as i32;
        regset(libc::PTRACE_SETREGSET, pid, NT_ARM_SYSTEM_CALL, &mut value)
    }
    #[cfg(target_arch = "arm")]
    {
        // 32-bit ARM keeps the number outside the registers (r7 is only
        // where the caller put it): `PTRACE_SET_SYSCALL` sets it.
        request(SET_SYSCALL, pid, 0, nr as usize).map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syscall_info_has_the_kernel_size() {
        // 24 bytes of header, 7 u64 of entry/seccomp data, ret_data and
        // padding: the size PTRACE_GET_SYSCALL_INFO fills for seccomp.
        assert_eq!(core::mem::size_of::<SyscallInfo>(), 88);
    }
}
