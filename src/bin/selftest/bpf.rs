//! BPF self-tests run under the freestanding runtime: the kernel is the
//! oracle for `husk::bpf::interp`, and the interpreter for everything
//! else.
//!
//! `bpf-kernel` runs every `bpf::conformance` program in a forked child:
//! the child installs it, issues the test syscall once per argument
//! vector and writes each raw return value to a pipe; a verdict that
//! kills the child ends that run, and the next vector starts in a new
//! child. The parent compares each result (or the kill) with what
//! `bpf::interp` says for the same program and input, and reports
//! every difference with the program, the input and both values. It
//! also checks that the kernel shows the `seccomp_data` the interpreter
//! assumes (arch, nr, each argument half, an instruction pointer inside
//! the function that made the call), that it refuses each
//! `conformance::REJECTS` program with EINVAL as the verifier does, and
//! what `bpf::install` promises (no-new-privs, filter mode, listener).
//!
//! `bpf-kernel-mutant` is the negative control: the same run, but the
//! kernel gets each program with its first `A += k` turned into
//! `A -= k` while the interpreter keeps the original. It must fail with
//! a mismatch; `tests/bpf_kernel.rs` checks that it does.
//!
//! Raw system calls here: the test syscall (any arguments, so it cannot
//! go through a typed wrapper) and seccomp(2) with programs that must
//! be refused (so they cannot be `Verified`).

use core::fmt;

use husk::bpf::conformance::{self, Args, Body, CAPACITY, CASES, Case, MAX_INPUTS, Outcome};
use husk::bpf::insn::{BPF_ADD, BPF_ALU, BPF_K, BPF_SUB};
use husk::bpf::install::{FLAG_NEW_LISTENER, FLAG_TSYNC};
use husk::bpf::{Disasm, Insn, Verified, action, data, install, verify};
use husk::rt::process::fork_run;
use husk::sys::fd::OwnedFd;
use husk::sys::process::{self, WaitStatus};
use husk::sys::{Errno, file, nr, raw};
use husk::{errln, outln};

/// The tests of this module.
pub const TESTS: &[(&str, super::Test)] =
    &[("bpf-kernel", kernel), ("bpf-kernel-mutant", kernel_mutant)];

/// Mismatches printed in full; the rest are only counted.
const MAX_REPORTS: usize = 20;

/// Child exit codes for failures before or between the test calls.
const CHILD_SETUP_FAILED: i32 = 90;
const CHILD_INSTALL_FAILED: i32 = 91;
const CHILD_WRITE_FAILED: i32 = 92;

fn kernel() -> Result<(), &'static str> {
    Run::new(false).all()
}

fn kernel_mutant() -> Result<(), &'static str> {
    Run::new(true).all()
}

/// Issues the test syscall. Never inlined: every call comes from the
/// same instruction, whose address the filter sees.
#[inline(never)]
fn test_syscall(args: &Args) -> i64 {
    // SAFETY: TEST_NR is getppid: it takes no pointers and changes
    // nothing; the arguments only feed the filter. A filter verdict
    // either skips the call with an errno or kills this child.
    unsafe {
        raw::syscall6(
            conformance::TEST_NR as usize,
            args[0] as usize,
            args[1] as usize,
            args[2] as usize,
            args[3] as usize,
            args[4] as usize,
            args[5] as usize,
        ) as isize as i64
    }
}

/// seccomp(SECCOMP_SET_MODE_FILTER) with any instructions, for the
/// programs the kernel must refuse.
fn seccomp_unchecked(insns: &[Insn]) -> Result<(), Errno> {
    let fprog = libc::sock_fprog {
        len: insns.len() as u16,
        filter: insns.as_ptr() as *mut libc::sock_filter,
    };
    // SAFETY: `fprog` points at `len` instructions (layout checked by
    // `bpf::install`) that outlive the call; the kernel only reads them.
    // Should it accept one, it confines only this forked child.
    let ret = unsafe {
        raw::syscall3(
            nr::SECCOMP,
            libc::SECCOMP_SET_MODE_FILTER as usize,
            0,
            &fprog as *const libc::sock_fprog as usize,
        )
    };
    husk::sys::check(ret).map(drop)
}

/// What the kernel did with one test call.
#[derive(Clone, Copy)]
enum Observed {
    Returned(i64),
    Killed(i32),
}

impl fmt::Display for Observed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Observed::Returned(r) => write!(f, "returned {r}"),
            Observed::Killed(sig) => write!(f, "killed by signal {sig}"),
        }
    }
}

struct Expected(Outcome);

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Outcome::Returns(r) => write!(f, "returned {r}"),
            Outcome::Killed => write!(f, "killed by signal {}", libc::SIGSYS),
        }
    }
}

struct Hex<'a>(&'a Args);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[")?;
        for (i, a) in self.0.iter().enumerate() {
            write!(f, "{}{a:#x}", if i > 0 { ", " } else { "" })?;
        }
        f.write_str("]")
    }
}

/// The raw returns a child wrote before it ended, and how it ended.
struct Report {
    rets: [i64; MAX_INPUTS],
    count: usize,
    status: WaitStatus,
}

/// Installs `prog` in a child and makes the test call with each of
/// `inputs`.
fn run_in_kernel(prog: &Verified<'_>, inputs: &[Args]) -> Result<Report, &'static str> {
    let (rd, wr) = file::pipe(0).map_err(|_| "pipe failed")?;
    let status = fork_run(|| child(prog, inputs, &wr)).map_err(|_| "fork failed")?;
    drop(wr);
    // At most MAX_INPUTS * 8 bytes: less than a pipe holds, so the child
    // never blocks and reading after it ended is safe.
    let mut buf = [0u8; 8 * MAX_INPUTS];
    let got = file::read_full(&rd, &mut buf).map_err(|_| "reading the child's results failed")?;
    let mut report = Report {
        rets: [0; MAX_INPUTS],
        count: got / 8,
        status,
    };
    for (ret, bytes) in report.rets.iter_mut().zip(buf[..got].chunks_exact(8)) {
        let mut word = [0u8; 8];
        word.copy_from_slice(bytes);
        *ret = i64::from_le_bytes(word);
    }
    Ok(report)
}

fn child(prog: &Verified<'_>, inputs: &[Args], wr: &OwnedFd) -> i32 {
    // A killed child must not leave core dumps behind.
    if process::set_dumpable(false).is_err() {
        return CHILD_SETUP_FAILED;
    }
    if install(prog, 0).is_err() {
        return CHILD_INSTALL_FAILED;
    }
    for args in inputs {
        let ret = test_syscall(args);
        if file::write_all(wr, &ret.to_le_bytes()).is_err() {
            return CHILD_WRITE_FAILED;
        }
    }
    0
}

/// Turns the first `A += k` into `A -= k`; whether it did.
fn mutate(insns: &mut [Insn]) -> bool {
    match insns
        .iter_mut()
        .find(|i| i.code == BPF_ALU | BPF_ADD | BPF_K)
    {
        Some(insn) => {
            insn.code = BPF_ALU | BPF_SUB | BPF_K;
            true
        }
        None => false,
    }
}

struct Run {
    mutant: bool,
    /// The actions this kernel knows (newer ones are kills on older
    /// kernels).
    known: [(u32, bool); 8],
    /// What the test call returns when allowed: our pid, the child's ppid.
    allowed: i64,
    /// The instruction pointer the kernel reports for the test call.
    ip: u64,
    programs: usize,
    calls: usize,
    rejects: usize,
    kills: usize,
    mismatches: usize,
}

impl Run {
    fn new(mutant: bool) -> Run {
        let known = [
            action::KILL_PROCESS,
            action::KILL_THREAD,
            action::TRAP,
            action::ERRNO,
            action::USER_NOTIF,
            action::TRACE,
            action::LOG,
            action::ALLOW,
        ]
        .map(|a| (a, action_known(a)));
        Run {
            mutant,
            known,
            allowed: i64::from(process::getpid()),
            ip: 0,
            programs: 0,
            calls: 0,
            rejects: 0,
            kills: 0,
            mismatches: 0,
        }
    }

    fn all(mut self) -> Result<(), &'static str> {
        self.ip = probe_ip()?;
        for case in CASES {
            for chunk in 0..case.chunks() {
                self.program(case, chunk)?;
            }
        }
        self.rejects()?;
        check_install()?;
        if self.mismatches > 0 {
            errln!(
                "bpf-kernel: {} of {} calls differ between the kernel and the interpreter",
                self.mismatches,
                self.calls
            );
            return Err("the kernel and the interpreter disagree");
        }
        outln!(
            "bpf-kernel: {} programs, {} calls ({} killed) and {} refusals agree with the kernel",
            self.programs,
            self.calls,
            self.kills,
            self.rejects
        );
        Ok(())
    }

    /// Runs one conformance program for all its inputs.
    fn program(&mut self, case: &Case, chunk: u32) -> Result<(), &'static str> {
        let prog = case.program(chunk).map_err(|e| {
            errln!("bpf-kernel: {} does not build: {e}", case.name);
            "a conformance program does not build"
        })?;
        let verified = verify(&prog).map_err(|e| {
            errln!("bpf-kernel: {} is refused: {e}", case.name);
            "a conformance program does not verify"
        })?;
        // The kernel's copy, mutated in the negative control.
        let mut copy = [Insn::default(); CAPACITY];
        let copy = &mut copy[..prog.len()];
        copy.copy_from_slice(&prog);
        if self.mutant {
            mutate(copy);
        }
        let for_kernel = verify(copy).map_err(|_| "a mutated program does not verify")?;
        self.programs += 1;

        let before = self.mismatches;
        let inputs = case.inputs;
        let mut start = 0;
        while start < inputs.len() {
            let report = run_in_kernel(&for_kernel, &inputs[start..])?;
            for (j, &ret) in report.rets[..report.count].iter().enumerate() {
                self.compare(case, chunk, start + j, &verified, Observed::Returned(ret));
            }
            let next = start + report.count;
            match report.status {
                WaitStatus::Exited(0) if next == inputs.len() => break,
                WaitStatus::Signaled(sig, _) if next < inputs.len() => {
                    self.kills += 1;
                    self.compare(case, chunk, next, &verified, Observed::Killed(sig));
                    start = next + 1;
                }
                status => {
                    errln!(
                        "bpf-kernel: {} chunk {chunk}: child ended with {status:?}{} after {} of {} calls",
                        case.name,
                        match status {
                            WaitStatus::Exited(CHILD_SETUP_FAILED) => " (setup failed)",
                            WaitStatus::Exited(CHILD_INSTALL_FAILED) => " (install failed)",
                            WaitStatus::Exited(CHILD_WRITE_FAILED) => " (pipe write failed)",
                            _ => "",
                        },
                        next,
                        inputs.len()
                    );
                    return Err("a test child failed");
                }
            }
        }
        if self.mismatches > before && before < MAX_REPORTS {
            errln!("bpf-kernel: the program of {} chunk {chunk}:", case.name);
            errln!("{}", Disasm::new(&prog));
        }
        Ok(())
    }

    fn compare(&mut self, case: &Case, chunk: u32, i: usize, prog: &Verified<'_>, seen: Observed) {
        self.calls += 1;
        let args = &case.inputs[i];
        let verdict = husk::bpf::run(prog, &conformance::input(args, self.ip));
        let known = |a: u32| self.known.iter().any(|&(k, yes)| k == a && yes);
        let want = conformance::expected(verdict, self.allowed, known);
        let agree = match (want, seen) {
            (Outcome::Returns(a), Observed::Returned(b)) => a == b,
            (Outcome::Killed, Observed::Killed(sig)) => sig == libc::SIGSYS,
            _ => false,
        };
        if agree {
            return;
        }
        self.mismatches += 1;
        if self.mismatches <= MAX_REPORTS {
            errln!(
                "bpf-kernel: MISMATCH {} chunk {chunk} input {i} args {}: kernel {seen}, interpreter {} (verdict {verdict:#010x})",
                case.name,
                Hex(args),
                Expected(want)
            );
        }
    }

    /// Every REJECTS program: our verifier refuses it for its reason,
    /// and so does the kernel (EINVAL).
    fn rejects(&mut self) -> Result<(), &'static str> {
        for r in conformance::REJECTS {
            self.rejects += 1;
            match verify(r.insns) {
                Err(e) if e.reason == r.reason => {}
                Err(e) => {
                    self.mismatches += 1;
                    errln!("bpf-kernel: MISMATCH reject {}: verifier says {e}", r.name);
                }
                Ok(_) => {
                    self.mismatches += 1;
                    errln!(
                        "bpf-kernel: MISMATCH reject {}: verifier accepts it",
                        r.name
                    );
                }
            }
            let status = fork_run(|| {
                if process::set_no_new_privs().is_err() {
                    return CHILD_SETUP_FAILED;
                }
                match seccomp_unchecked(r.insns) {
                    Ok(()) => 0,
                    Err(e) => e.0,
                }
            })
            .map_err(|_| "fork failed")?;
            if status != WaitStatus::Exited(Errno::EINVAL.0) {
                self.mismatches += 1;
                errln!(
                    "bpf-kernel: MISMATCH reject {}: kernel {status:?} (exit 0: accepted), want EINVAL",
                    r.name
                );
            }
        }
        Ok(())
    }
}

/// Whether the kernel knows `action`. The first five predate
/// `SECCOMP_GET_ACTION_AVAIL` (Linux 4.14), which cannot be asked on
/// older kernels.
fn action_known(action: u32) -> bool {
    const SINCE_3_5: [u32; 5] = [
        action::KILL_THREAD,
        action::TRAP,
        action::ERRNO,
        action::TRACE,
        action::ALLOW,
    ];
    SINCE_3_5.contains(&action) || husk::sys::seccomp::action_available(action).is_ok()
}

/// Reads the instruction pointer the kernel reports for the test call,
/// 12 bits per program, and checks it lies inside `test_syscall`.
fn probe_ip() -> Result<u64, &'static str> {
    let mut ip = 0u64;
    for (off, shift) in [(data::IP_LO, 0), (data::IP_HI, 32)] {
        let case = CASES
            .iter()
            .find(|c| c.body == Body::LdAbs(off))
            .ok_or("no instruction pointer case")?;
        for chunk in 0..case.chunks() {
            let prog = case.program(chunk).map_err(|_| "ip probe does not build")?;
            let v = verify(&prog).map_err(|_| "ip probe does not verify")?;
            let report = run_in_kernel(&v, &case.inputs[..1])?;
            let ret = report.rets[0];
            if report.count != 1
                || report.status != WaitStatus::Exited(0)
                || !(-4095..=0).contains(&ret)
            {
                errln!(
                    "bpf-kernel: ip probe: child {:?}, {} results, first {ret}",
                    report.status,
                    report.count
                );
                return Err("the instruction pointer probe failed");
            }
            ip |= ((-ret) as u64) << (shift + conformance::CHUNK_BITS * chunk);
        }
    }
    let site = test_syscall as *const () as usize as u64;
    if !(site < ip && ip <= site + 256) {
        errln!(
            "bpf-kernel: seccomp_data.instruction_pointer {ip:#x} is not in test_syscall ({site:#x})"
        );
        return Err("the kernel reports an unexpected instruction pointer");
    }
    Ok(ip)
}

/// What `bpf::install` promises, in a child: no-new-privs set, filter
/// mode on, a listener fd when asked, TSYNC without ESRCH refused,
/// stacking allowed.
fn check_install() -> Result<(), &'static str> {
    let allow = [Insn::ret_allow()];
    let v = verify(&allow).map_err(|_| "ALLOW does not verify")?;
    let listener = action_known(action::USER_NOTIF); // Linux 5.0
    let status = fork_run(|| {
        match install(&v, if listener { FLAG_NEW_LISTENER } else { 0 }) {
            Ok(Some(fd)) if listener && fd.raw() >= 0 => {}
            Ok(None) if !listener => {}
            _ => return 1,
        }
        if process::no_new_privs() != Ok(true) {
            return 2;
        }
        if husk::sys::seccomp::mode() != Ok(2) {
            return 3;
        }
        if !matches!(install(&v, FLAG_TSYNC), Err(Errno::EINVAL)) {
            return 4;
        }
        if !matches!(install(&v, 0), Ok(None)) {
            return 5;
        }
        0
    })
    .map_err(|_| "fork failed")?;
    if status != WaitStatus::Exited(0) {
        errln!("bpf-kernel: install check failed: {status:?}");
        return Err("bpf::install does not behave as documented");
    }
    Ok(())
}
