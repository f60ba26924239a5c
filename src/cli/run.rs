//! `husk [options] -- COMMAND`: from parsed options to a supervised run.

use heapless::Vec;

use super::options::{EnvOp, Options, Source};
use crate::errln;
use crate::limits;
use crate::rt::exec::EnvChange;
use crate::rt::io::Bytes;
use crate::supervisor::child::Command;
use crate::supervisor::message::{Request, Verdict};
use crate::supervisor::{self, Config, workers};

/// Until the policy is enforced, every trapped call is allowed (the
/// round trip through the tracer and the workers still happens).
fn allow_all(_: &Request) -> Verdict {
    Verdict::Allow
}

/// Runs the command at argv `index`; returns husk's exit status.
pub fn run(opts: &Options, index: usize) -> i32 {
    let mut wait_all = false;
    for source in &opts.sources {
        match source {
            Source::Command(c) if c.to_bytes() == b"trace/exit_wait_all:1" => wait_all = true,
            Source::Command(c) if c.to_bytes() == b"trace/exit_wait_all:0" => wait_all = false,
            other => {
                let text = match other {
                    Source::Command(c) | Source::Profile(c) | Source::File(c) => c.to_bytes(),
                };
                errln!(
                    "husk: {}: policy rules are not enforced yet; refusing to run",
                    Bytes(text)
                );
                return super::EXIT_CONFIG;
            }
        }
    }
    let workers = match crate::rt::args::var(b"HUSK_WORKERS") {
        None => workers::default_count(),
        Some(text) => match parse_count(text) {
            Some(n) if (1..=limits::WORKERS).contains(&n) => n,
            _ => {
                errln!(
                    "husk: HUSK_WORKERS={}: not a number from 1 to {}",
                    Bytes(text),
                    limits::WORKERS
                );
                return super::EXIT_CONFIG;
            }
        },
    };
    let mut env: Vec<EnvChange<'static>, { limits::CLI_ENV }> = Vec::new();
    for op in &opts.env {
        // Same capacity as the options they come from.
        let _ = env.push(match *op {
            EnvOp::Set(kv) => EnvChange::Set(kv),
            EnvOp::Unset(name) => EnvChange::Unset(name.to_bytes()),
        });
    }
    let command = Command {
        argv_index: index,
        argv0: opts.argv0,
        env: &env,
    };
    let config = Config {
        workers,
        wait_all,
        request_limit: limits::REQUEST_QUEUE,
        access: None,
        decide: allow_all,
    };
    supervisor::run(&command, &config)
}

fn parse_count(text: &[u8]) -> Option<usize> {
    if text.is_empty() || text.len() > 4 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(text.iter().fold(0, |n, &b| n * 10 + (b - b'0') as usize))
}
