//! `husk -E pfc|bpf|landlock`: the seccomp programs husk would install,
//! and where each category is decided.
//!
//! `pfc` prints every filter as readable pseudo-code: the sandbox filter
//! (installed in the command) and husk's own (the tracer's, the
//! workers', and in notify mode the notify workers': its
//! self-confinement). `bpf` writes the sandbox filter alone as
//! raw `struct sock_filter` records, the form `seccomp(2)` takes, like
//! `syd -Ebpf` does.

use core::fmt::Write;

use super::options::Export;
use crate::bpf::disasm::Disasm;
use crate::check::table;
use crate::rt::io;
use crate::supervisor;
use crate::supervisor::Filter;
use crate::sys::BorrowedFd;

/// Prints a built-in profile (or the list of them).
fn profile(name: &[u8]) -> i32 {
    use crate::policy::profiles::{self, PROFILES};
    if name == b"list" {
        for (name, summary, _) in PROFILES {
            crate::outln!("{name:<8} {summary}");
        }
        return 0;
    }
    match profiles::get(name) {
        Some(text) => {
            crate::out!("{text}");
            0
        }
        None => {
            crate::errln!(
                "husk: -E profile:{}: no such profile (see -E profile:list)",
                crate::rt::io::Bytes(name)
            );
            super::EXIT_CONFIG
        }
    }
}

/// Prints the programs; returns the exit status.
pub fn export(format: Export, transport: supervisor::Transport) -> i32 {
    if let Export::Profile(name) = format {
        return profile(name);
    }
    if format == Export::Landlock {
        crate::check::configure(|p| crate::check::kernel::compile(p, transport));
        let mut out = io::stdout();
        let _ = crate::check::kernel::print(&mut out);
        return 0;
    }
    let setup = match supervisor::setup(2, -1) {
        Ok(setup) => setup,
        Err(e) => {
            crate::errln!("husk: cannot set up: {e}");
            return super::EXIT_CONFIG;
        }
    };
    let built = crate::check::sandbox(transport)
        .and_then(|sandbox| supervisor::build_filters(&setup.fds, sandbox));
    if let Err(e) = built {
        crate::errln!("husk: internal error: a filter does not build: {e:?}");
        return super::EXIT_CONFIG;
    }
    if crate::rt::lockdown::seal().is_err() {
        crate::errln!("husk: cannot seal the filters");
        return super::EXIT_CONFIG;
    }
    let filters = supervisor::filters();
    match format {
        Export::Pfc => {
            let names = |nr: u32| table::name(nr);
            let mut out = io::stdout();
            for (what, program) in [
                (
                    match transport {
                        supervisor::Transport::Notify => {
                            "sandbox filter (notify transport): installed in the sandboxed command"
                        }
                        supervisor::Transport::Ptrace => {
                            "sandbox filter (ptrace transport): installed in the sandboxed command"
                        }
                    },
                    &filters.sandbox,
                ),
                (
                    "tracer filter: husk's main thread confines itself",
                    &filters.tracer,
                ),
                (
                    "worker filter: the first worker confines itself, the others inherit it",
                    &filters.worker,
                ),
                (
                    "notifier filter: the first notify worker confines itself, the others (and blocking-call helpers) inherit it",
                    &filters.notifier,
                ),
            ] {
                let _ = writeln!(
                    out,
                    "# husk {what} ({} instructions)",
                    program.as_slice().len()
                );
                let _ = writeln!(out, "{}", Disasm::with_names(program.as_slice(), &names));
            }
        }
        Export::Bpf => raw(&filters.sandbox),
        Export::Profile(_) | Export::Landlock => {}
    }
    0
}

fn raw(program: &Filter) {
    let mut out = io::Writer::<'_, 4096>::new(BorrowedFd::STDOUT);
    for insn in program.as_slice() {
        out.bytes(&insn.code.to_ne_bytes());
        out.bytes(&[insn.jt, insn.jf]);
        out.bytes(&insn.k.to_ne_bytes());
    }
}
