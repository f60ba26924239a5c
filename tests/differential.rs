//! Differential test: every call husk traps answers exactly as the
//! kernel does when the policy allows it.
//!
//! In notify mode husk performs most trapped calls itself (opens, the
//! stat family, creations, removals, renames, links, attributes,
//! extended attributes, inotify watches, binds, connects, sends,
//! listings) and writes the results back into the caller; in ptrace
//! mode it decides some answers before the kernel runs the call. Either
//! way, a call the policy allows must get what the kernel gives it:
//! the same return value, the same errno, the same effect.
//!
//! `tests/c/diff.c` makes its own fixtures in an empty directory and
//! runs a table of calls, one line per call (`NAME CASE: RESULT`). It
//! runs bare, then under husk with policies that allow everything but
//! still check every category (so every call is trapped and, in notify
//! mode, performed by husk), each run in a fresh directory of its own,
//! as each user and over each transport; every line must equal the bare
//! run's. Two policies: `allow` (the open fast path, listings left to
//! the kernel) and `warn, hiding` (every call logged, so opens take the
//! full resolution, and a `stat` denial that matches nothing here, so
//! listings are read by husk).

mod common;

use common::{User, Who, c_program_static, husk_as, run, scratch};
use std::path::{Path, PathBuf};
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// The table must not shrink unnoticed: a case that stops printing is
/// a case that stops being compared.
const MIN_LINES: usize = 900;

/// A policy that allows everything while checking every category
/// (docs/rules.md: `all` is every category, network ones included;
/// `chdir` is off by default and turned on here too).
struct Policy {
    label: &'static str,
    rules: &'static [&'static str],
    /// Whether the policy denies `stat` somewhere. An object with no
    /// path (a removed directory, an `O_TMPFILE` file) then gets the
    /// verdict of no path, a denial, so it is hidden (README, "Known
    /// limits": "Files with no path"): the cases on such objects, named
    /// "(no path)", are compared under the other policies only.
    hides: bool,
}

const POLICIES: &[Policy] = &[
    Policy {
        label: "allow",
        rules: &["sandbox/all:on", "sandbox/chdir:on", "default/all:allow"],
        hides: false,
    },
    Policy {
        label: "warn, hiding",
        rules: &[
            "sandbox/all:on",
            "sandbox/chdir:on",
            "default/all:warn",
            // Matches nothing the table makes, but may match anything
            // below any directory: every listing is read and filtered
            // by husk.
            "deny/stat+/**/husk-differential-never-*",
        ],
        hides: true,
    },
];

fn program() -> PathBuf {
    c_program_static("diff")
}

/// A fresh, empty directory for one run, owned by `user`, inside a
/// scratch directory that is not `user`'s (the table changes `..` only
/// where it may).
fn fresh(user: User, run_name: &str) -> PathBuf {
    let base = scratch(&format!("differential-{run_name}"));
    let dir = base.join("d");
    std::fs::create_dir(&dir).unwrap();
    common::hand_over(&base, user);
    dir
}

/// One run's lines, with its directory's path (were it printed) as
/// `<D>`.
fn lines(o: &common::Outcome, dir: &Path, what: &str) -> Vec<String> {
    let shown = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let out = o
        .stdout
        .replace(&shown.display().to_string(), "<D>")
        .replace(&dir.display().to_string(), "<D>");
    let lines: Vec<String> = out.lines().map(str::to_string).collect();
    // The program prints "end N lines" once it has run every case.
    let want = format!("end {} lines", lines.len().saturating_sub(1));
    assert_eq!(
        lines.last(),
        Some(&want),
        "{what}: the table did not run to its end: {o:?}"
    );
    lines
}

fn key(line: &str) -> &str {
    line.split_once(": ").map_or(line, |(k, _)| k)
}

fn result(line: &str) -> &str {
    line.split_once(": ").map_or("", |(_, r)| r)
}

/// The bare run as `user` (twice: a line that differs between two bare
/// runs cannot be compared).
fn bare(user: User) -> Vec<String> {
    let mut runs = Vec::new();
    for i in 0..2 {
        let dir = fresh(user, &format!("{user:?}-bare{i}"));
        let mut cmd = common::as_user(user, program());
        cmd.arg(&dir);
        let o = run(&mut cmd, LIMIT);
        assert!(o.success(), "bare run as {user:?}: {o:?}");
        runs.push(lines(&o, &dir, &format!("bare, {user:?}")));
    }
    assert_eq!(
        runs[0], runs[1],
        "two bare runs as {user:?} differ: the table is not deterministic"
    );
    let table = runs.pop().unwrap();
    assert!(
        table.len() >= MIN_LINES,
        "the table has {} lines, fewer than {MIN_LINES}",
        table.len()
    );
    table
}

#[test]
fn every_emulated_call_answers_as_the_kernel() {
    let mut mismatches: Vec<String> = Vec::new();
    let mut runs = 0;
    for user in common::users() {
        let table = bare(user);
        for transport in common::transports() {
            for (p, policy) in POLICIES.iter().enumerate() {
                let who = Who { user, transport };
                let dir = fresh(user, &format!("{user:?}-{transport}-{p}"));
                let mut cmd = husk_as(who);
                cmd.args(["-p", "off"]);
                for rule in policy.rules {
                    cmd.args(["-m", rule]);
                }
                cmd.arg("--").arg(program()).arg(&dir);
                let o = run(&mut cmd, LIMIT);
                let what = format!("{user:?}, {transport}, {}", policy.label);
                assert!(o.success(), "{what}: husk run failed: {o:?}");
                let got = lines(&o, &dir, &what);
                runs += 1;
                for (i, (want, have)) in table.iter().zip(&got).enumerate() {
                    if key(want) != key(have) {
                        mismatches.push(format!(
                            "{what}: line {}: the table went out of step: bare {want:?}, husk {have:?}",
                            i + 1
                        ));
                        break;
                    }
                    if policy.hides && key(want).ends_with("(no path)") {
                        continue;
                    }
                    if want != have {
                        mismatches.push(format!(
                            "{user:?} {transport:<6} {:<12} | {:<50} | bare: {:<30} | husk: {}",
                            policy.label,
                            key(want),
                            result(want),
                            result(have)
                        ));
                    }
                }
                if got.len() != table.len() {
                    mismatches.push(format!("{what}: {} lines, bare {}", got.len(), table.len()));
                }
            }
        }
    }
    assert!(runs > 0);
    assert!(
        mismatches.is_empty(),
        "{} lines differ from the kernel's answers \
         (user transport policy | case | bare | husk):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}
