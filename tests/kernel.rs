//! Deciding in the kernel (`trace/kernel:on`, README "Deciding in the
//! kernel"): for a policy whose categories Landlock can decide exactly,
//! the sandbox must see the same results with the kernel deciding them
//! as with husk deciding every call (`trace/kernel:off`), as root and as
//! an unprivileged user.
//!
//! `tests/c/kdiff.c` runs a table of file operations (opens of every
//! flag kind, creations, truncations, directories, links, links between
//! regions) in regions the policy treats differently; the two runs must
//! print the same lines. The kernel run must also really leave those
//! categories to the kernel (`-E landlock` says so, and its denials are
//! not logged), and the policy must really deny something (the runs
//! differ from a bare one).

mod common;

use common::{User, Who, c_program_static, husk_as, run, scratch};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(60);

/// Regions, each with the same fixtures.
const REGIONS: &[&str] = &["rw", "ro", "wo", "mk", "md", "none", "lit"];

/// The fixture tree for one run (owned by `user`).
fn fixtures(user: User, name: &str) -> PathBuf {
    let base = scratch(&format!("kernel-{name}"));
    let dir = base.join("d");
    std::fs::create_dir(&dir).unwrap();
    for r in REGIONS {
        let rd = dir.join(r);
        std::fs::create_dir_all(rd.join("sub")).unwrap();
        for f in ["f", "t1", "t2", "t3", "t4", "h"] {
            std::fs::write(rd.join(f), format!("{r}-{f}\n")).unwrap();
        }
        std::fs::write(rd.join("sub/g"), format!("{r}-g\n")).unwrap();
    }
    symlink("../none/f", dir.join("rw/tonone")).unwrap();
    symlink("../rw/f", dir.join("none/torw")).unwrap();
    common::hand_over(&base, user);
    dir
}

/// The policy: every category Landlock can decide is checked, each
/// region allows a different part of them.
fn policy(dir: &Path, program: &Path, default: &str, truncate: bool) -> Vec<String> {
    let d = dir.display();
    let p = program.display();
    let on = if truncate { ",truncate" } else { "" };
    vec![
        format!("sandbox/read,readdir,write,create{on},mkdir,symlink,exec:on"),
        format!("default/read,readdir,write,create,truncate,mkdir,symlink:{default}"),
        "allow/read,readdir,exec+/usr/***".into(),
        format!("allow/read,exec+{p}"),
        format!("allow/read,readdir,write,create,truncate,mkdir,symlink+{d}/rw/***"),
        format!("allow/read,readdir+{d}/ro/***"),
        format!("allow/write,truncate+{d}/wo/***"),
        format!("allow/read,write,create,mkdir,symlink+{d}/mk/***"),
        format!("allow/mkdir,symlink+{d}/md/***"),
        format!("allow/read+{d}/lit/f"),
        // Taken back and given back whole: still exact.
        format!("deny/write+{d}/rw/sub/***"),
        format!("allow/write+{d}/rw/***"),
    ]
}

fn husk_with(who: Who, rules: &[String], kernel: &str) -> Command {
    let mut cmd = husk_as(who);
    cmd.args(["-p", "off"]);
    for r in rules {
        cmd.args(["-m", r]);
    }
    cmd.args(["-m", &format!("trace/kernel:{kernel}")]);
    cmd
}

fn lines(out: &str, dir: &Path) -> Vec<String> {
    let lines: Vec<String> = out
        .replace(&dir.display().to_string(), "<D>")
        .lines()
        .map(str::to_string)
        .collect();
    let want = format!("end {} lines", lines.len().saturating_sub(1));
    assert_eq!(lines.last(), Some(&want), "the table did not finish: {out}");
    lines
}

/// Whether Landlock here can decide truncation (ABI 3, Linux 6.2).
fn landlock_abi() -> u32 {
    let o = run(Command::new(common::husk()).arg("-C"), LIMIT);
    o.stdout
        .lines()
        .find_map(|l| l.strip_prefix("landlock: ABI ")?.trim().parse().ok())
        .unwrap_or(0)
}

#[test]
fn kernel_decisions_answer_as_husk_does() {
    if !common::notify_available("deciding in the kernel") {
        return;
    }
    let abi = landlock_abi();
    if abi == 0 {
        eprintln!("note: no Landlock here: nothing to compare");
        return;
    }
    let program = c_program_static("kdiff");
    // With truncate checked or not (off, it is no reason to stop an
    // O_TRUNC open: the kernel still checks its write access).
    for (default, truncate) in [("deny", true), ("filter", true), ("deny", false)] {
        for user in common::users() {
            let who = Who {
                user,
                transport: "notify",
            };
            // The routing: every category of the table in the kernel.
            let dir = fixtures(user, &format!("{user:?}-{default}-{truncate}-E"));
            let rules = policy(&dir, &program, default, truncate);
            let o = run(husk_with(who, &rules, "on").args(["-E", "landlock"]), LIMIT);
            assert!(o.success(), "-E landlock: {o:?}");
            let mut want = vec!["read", "readdir", "write", "create", "mkdir", "symlink"];
            if abi >= 3 && truncate {
                want.push("truncate");
            }
            for cat in want {
                assert!(
                    o.stdout
                        .lines()
                        .any(|l| l.split_whitespace().collect::<Vec<_>>() == [cat, "kernel"]),
                    "{user:?}: {cat} is not decided in the kernel:\n{}",
                    o.stdout
                );
            }

            let mut runs = Vec::new();
            for kernel in ["on", "off"] {
                let dir = fixtures(user, &format!("{user:?}-{default}-{truncate}-{kernel}"));
                let rules = policy(&dir, &program, default, truncate);
                let mut cmd = husk_with(who, &rules, kernel);
                cmd.arg("--").arg(&program).arg(&dir);
                let o = run(&mut cmd, LIMIT);
                assert!(o.success(), "{user:?} kernel:{kernel}: {o:?}");
                runs.push((lines(&o.stdout, &dir), o.stderr));
            }
            let (on, off) = (&runs[0], &runs[1]);
            let differ: Vec<String> =
                on.0.iter()
                    .zip(&off.0)
                    .filter(|(a, b)| a != b)
                    .map(|(a, b)| format!("kernel: {a:<60} husk: {b}"))
                    .collect();
            assert!(
                differ.is_empty() && on.0.len() == off.0.len(),
                "{user:?}, default {default}, truncate {truncate}: {} lines differ:\n{}",
                differ.len(),
                differ.join("\n")
            );
            // The policy denies: without it the table runs otherwise.
            let denied = on.0.iter().filter(|l| l.ends_with(": EACCES")).count();
            let allowed = on.0.iter().filter(|l| l.contains(": ok")).count();
            assert!(
                denied >= 40 && allowed >= 40,
                "{user:?}: {denied} denied and {allowed} allowed: the table tests too little"
            );
            // The kernel decided: its opens were not stopped, so not
            // logged (but for read-only truncation, `t2`, which stays
            // with husk: Landlock asks no write right for it).
            let logged = |e: &str| {
                e.lines()
                    .filter(|l| l.contains("\"sys\":\"openat\"") && l.contains("\"act\":\"deny\""))
                    .filter(|l| !l.contains("/t2\""))
                    .count()
            };
            if default == "deny" {
                assert!(
                    logged(&off.1) > 10,
                    "{user:?}: husk's own run logs its denials: {}",
                    off.1
                );
            }
            assert_eq!(
                logged(&on.1),
                0,
                "{user:?}: an open denial was logged, so husk, not the kernel, decided it: {}",
                on.1
            );
        }
    }
    // And bare, nothing is denied (the runs above show the policy).
    let dir = fixtures(User::Me, "bare");
    let o = run(Command::new(&program).arg(&dir), LIMIT);
    assert!(o.success(), "bare: {o:?}");
    let bare = lines(&o.stdout, &dir);
    assert!(
        !bare.iter().any(|l| l.ends_with(": EACCES")),
        "a bare run as the suite's user is denied something: {bare:?}"
    );
}

/// A Landlock rule stays with its object, a policy rule with its path:
/// while the kernel decides, moving a ruled directory would carry its
/// rights to another path (and leave the old path with none). husk
/// refuses to move, remove or replace a ruled object or a directory
/// above one; with husk deciding (`trace/kernel:off`) the same calls
/// are allowed, as the policy says.
#[test]
fn ruled_objects_stay_where_the_rules_name_them() {
    if !common::notify_available("ruled objects") || landlock_abi() == 0 {
        return;
    }
    for user in common::users() {
        let who = Who {
            user,
            transport: "notify",
        };
        for kernel in ["on", "off"] {
            let base = scratch(&format!("kernel-move-{user:?}-{kernel}"));
            let dir = base.join("d");
            for sub in ["a/x", "b", "c"] {
                std::fs::create_dir_all(dir.join(sub)).unwrap();
            }
            common::hand_over(&base, user);
            let d = dir.display();
            let rules = vec![
                "sandbox/read,readdir,write,create,mkdir,exec,rename,delete,rmdir:on".to_string(),
                "allow/read,readdir,exec+/usr/***".into(),
                format!("allow/read,readdir,write,create,mkdir+{d}/a/***"),
                format!("allow/read,write,create,mkdir+{d}/b/***"),
                format!("allow/read,write,create,mkdir+{d}/c/***"),
                format!("allow/rename,delete,rmdir+{d}/***"),
            ];
            let o = run(
                husk_with(who, &rules, kernel).args(["-E", "landlock"]),
                LIMIT,
            );
            assert!(
                kernel == "off"
                    || o.stdout
                        .lines()
                        .any(|l| l.starts_with("readdir") && l.ends_with("kernel")),
                "{user:?}: readdir is not the kernel's: {}",
                o.stdout
            );
            let mut cmd = husk_with(who, &rules, kernel);
            cmd.arg("--").arg("/bin/sh").arg("-c").arg(format!(
                "cd {d} && rmdir a/x; echo inner=$?; mv a b/moved; echo mv=$?; rmdir c; echo rmdir=$?"
            ));
            let o = run(&mut cmd, LIMIT);
            let moved = o.stdout.contains("mv=0");
            let removed = o.stdout.contains("rmdir=0");
            // Not ruled, not above a ruled object: removed either way.
            assert!(
                o.stdout.contains("inner=0"),
                "{user:?} kernel:{kernel}: {o:?}"
            );
            if kernel == "on" {
                assert!(
                    !moved && dir.join("a").is_dir(),
                    "{user:?}: a ruled directory was moved: {o:?}"
                );
                assert!(
                    !removed && dir.join("c").is_dir(),
                    "{user:?}: a ruled directory was removed: {o:?}"
                );
                assert!(
                    o.stderr.contains("\"cap\":\"rename\"")
                        && o.stderr.contains("\"cap\":\"rmdir\""),
                    "{user:?}: the refusals are logged: {o:?}"
                );
                assert!(
                    o.stderr.contains("`trace/kernel:off' lets husk decide")
                        && !o.stderr.contains("configure `allow/"),
                    "{user:?}: the tip says what helps (no allow rule does): {o:?}"
                );
            } else {
                assert!(
                    moved && removed,
                    "{user:?}, husk deciding: the policy allows both: {o:?}"
                );
            }
        }
    }
}
