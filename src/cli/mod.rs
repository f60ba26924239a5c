//! cli: the command line, `-h`, `-V`, `-C`, and wiring to the rest.
//!
//! Exit statuses husk itself produces (the sandboxed command's own
//! status passes through otherwise): 125 when husk cannot start the
//! command as asked (bad option, bad policy, internal failure), 126
//! when the command cannot be executed, 127 when it does not exist —
//! the convention of env(1) and timeout(1).
#![forbid(unsafe_code)]

mod caps;
mod export;
mod host;
pub mod options;
mod run;

use crate::rt;
use crate::{errln, outln};
use options::{Mode, Options};

/// husk could not do what it was asked (configuration or internal
/// error); the command never ran.
pub const EXIT_CONFIG: i32 = crate::supervisor::EXIT_CONFIG;

/// Runs husk with the process arguments; returns the exit status.
pub fn main() -> i32 {
    let opts = match Options::parse(rt::args::arg) {
        Ok(opts) => opts,
        Err(e) => {
            errln!("husk: {e}");
            return EXIT_CONFIG;
        }
    };
    match opts.mode {
        Mode::Help => {
            usage();
            0
        }
        Mode::Version => {
            version_line();
            0
        }
        Mode::Capabilities => {
            // The policy given with -C may choose the transport.
            if run::load_policy(&opts).is_err() {
                return EXIT_CONFIG;
            }
            let choice = crate::check::configure(|p| p.transport);
            caps::report(choice);
            0
        }
        Mode::Export(format) => {
            // The filter depends on the policy (and its transport).
            if run::load_policy(&opts).is_err() {
                return EXIT_CONFIG;
            }
            let choice = crate::check::configure(|p| p.transport);
            let transport =
                run::transport_quiet(choice).unwrap_or(crate::supervisor::Transport::Ptrace);
            export::export(format, transport)
        }
        Mode::Run(index) => run::run(&opts, index),
    }
}

/// `husk VERSION (ARCH) commit COMMIT`, the first line of `-V` and
/// `-C`. The commit (`build.rs`: 12 hex digits, `-dirty` if the tree
/// had changes, `unknown` outside a git checkout) tells a bug report
/// which source it is about, which the version alone cannot.
pub(crate) fn version_line() {
    outln!(
        "husk {} ({}) commit {}",
        env!("CARGO_PKG_VERSION"),
        crate::sys::arch::NAME,
        env!("HUSK_COMMIT")
    );
}

fn usage() {
    outln!(
        "\
usage: husk [-h] [-V] [-C] [-x] [-p NAME]... [-P FILE]... [-m COMMAND]...
            [-o FILE] [-a ARGV0] [-e VAR=VAL | -e VAR]... [-E pfc|bpf|landlock|profile:NAME] [--] COMMAND [ARG]...

Run COMMAND under a supervisor that decides every system call naming a
file, an address or a program by policy, and lets all others run freely.

  -m COMMAND   apply one policy command (e.g. allow/read+/usr/***)
  -p NAME      apply a built-in profile
  -P FILE      apply a file of policy commands, one per line
               (-m, -p and -P apply in the order given; the last
               matching rule wins)
  -x           trace mode: every default becomes warn (allow and log)
  -a ARGV0     run COMMAND with this argv[0]
  -e VAR=VAL   set VAR in the command's environment
  -e VAR       remove VAR from the command's environment
  -E pfc|bpf   print the seccomp programs husk would install
               (pfc: readable pseudo-code, bpf: raw) and exit
  -E landlock  print where each category is decided (the kernel, by
               Landlock, or husk, and why) and the ruleset, and exit
  -E profile:NAME
               print a built-in profile as plain commands
               (profile:list lists them) and exit
  -C           print what this kernel supports and husk's capacities
  -V, --version
               print the version and the commit husk was built from
  -h, --help   print this help

Policy commands: sandbox/CATS:on|off, default/CATS:ACTION,
ACTION/CATS+PATTERN (-PATTERN removes the latest equal rule, ^PATTERN
all of them), include PATH and include_profile NAME (in files),
trace/exit_wait_all:1, trace/transport:auto|notify|ptrace,
trace/kernel:on|off.
Actions: allow warn filter deny kill exit.
Everything is denied until allowed (chdir is off by default).
A file that looks missing may be hidden: a path whose stat is denied
answers ENOENT to every call, and its log line says \"cap\":\"stat\".

Environment: HUSK_LOG_FD=N sends log lines to descriptor N (default
stderr; N > 2 is not passed to COMMAND); HUSK_WORKERS=N sets the
worker threads (default: CPUs, 2-8).

Exit status: COMMAND's own; 128+N if it was killed by signal N;
125 if husk could not start it as asked, 126 if it could not be
executed, 127 if it was not found.

Manual: husk(1), and husk(5) for the rule language."
    );
}
