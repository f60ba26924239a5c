//! The policy end to end: every category allowed and denied, with the
//! log line where one is due; evaluation order; path equivalence;
//! bypass attempts; exec; network; configuration errors. Each test runs
//! as root and, where `setpriv` exists, again as `nobody` (root skips
//! permission checks a policy must not rely on), and each of those in
//! both transports (ptrace, and seccomp notify where the kernel has it).

mod common;

use common::{User, Who, c_program_static, husk_as, run, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn ops() -> PathBuf {
    c_program_static("ops")
}

/// Runs `ops ARGS` under husk with `rules` (each a -m command) as `who`.
fn op(who: Who, rules: &[String], args: &[&str]) -> common::Outcome {
    let mut cmd = husk_as(who);
    for r in rules {
        cmd.arg("-m").arg(r);
    }
    // The program itself may be seen (a hidden one would not run).
    cmd.arg("-m").arg(format!("allow/stat+{}", ops().display()));
    // husk decides (and logs) every call here, including the categories
    // Landlock could decide silently: these tests check husk's verdicts
    // and log lines; tests/kernel.rs checks that the kernel's verdicts
    // are the same.
    cmd.arg("-m").arg("trace/kernel:off");
    cmd.arg("--").arg(ops()).args(args);
    run(&mut cmd, LIMIT)
}

/// Only `cats` are checked.
fn only(cats: &str) -> Vec<String> {
    vec!["sandbox/all:off".into(), format!("sandbox/{cats}:on")]
}

fn with(mut rules: Vec<String>, more: &[String]) -> Vec<String> {
    rules.extend_from_slice(more);
    rules
}

/// A scratch directory with `a` (contents "A"), `b` (contents "B") and a
/// sub-directory `d` holding `x` (contents "X"), all world-writable.
fn tree(name: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch(name);
    std::fs::write(dir.join("a"), "A").unwrap();
    std::fs::write(dir.join("b"), "B").unwrap();
    std::fs::create_dir(dir.join("d")).unwrap();
    std::fs::write(dir.join("d/x"), "X").unwrap();
    for p in ["a", "b", "d", "d/x"] {
        let mode = if p == "d" { 0o777 } else { 0o666 };
        std::fs::set_permissions(dir.join(p), std::fs::Permissions::from_mode(mode)).unwrap();
    }
    dir
}

fn p(dir: &Path, rel: &str) -> String {
    format!("{}/{rel}", dir.display())
}

fn assert_out(o: &common::Outcome, want: &str, who: Who) {
    assert!(o.success(), "{who:?}: {o:?}");
    assert_eq!(o.stdout.trim(), want, "{who:?}: {o:?}");
}

/// Asserts a JSON log line for this denial.
fn assert_logged(o: &common::Outcome, cap: &str, act: &str, path: &str) {
    let want = format!("\"cap\":\"{cap}\",\"act\":\"{act}\"");
    let line = o
        .stderr
        .lines()
        .find(|l| l.contains(&want) && l.contains(&format!("\"path\":\"{path}\"")));
    let line =
        line.unwrap_or_else(|| panic!("no {cap}/{act} log line for {path} in {:?}", o.stderr));
    assert!(line.starts_with("{\"ctx\":\"access\""), "{line}");
    assert!(
        line.contains(&format!("\"tip\":\"configure `allow/{cap}+{path}'\"")),
        "{line}"
    );
    assert!(
        line.contains("\"pid\":") && line.contains("\"cmd\":\"ops"),
        "{line}"
    );
}

fn no_log(o: &common::Outcome) {
    assert!(
        !o.stderr.contains("\"ctx\""),
        "unexpected log line: {:?}",
        o.stderr
    );
}

#[test]
fn read_write_create_truncate() {
    for who in common::everyone() {
        let dir = tree("rw");
        let (a, b) = (p(&dir, "a"), p(&dir, "b"));
        let rules = with(
            only("read,write,create,truncate"),
            &[format!("allow/read+{a}")],
        );
        assert_out(&op(who, &rules, &["open", &a, "r"]), "ok A", who);
        let o = op(who, &rules, &["open", &b, "r"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "read", "deny", &b);
        // The descriptor's status flags are the caller's (husk opens
        // without waiting, then gives the caller its own mode back).
        let w = with(rules.clone(), &[format!("allow/write+{a}")]);
        assert_out(&op(who, &w, &["openflags", &a]), "append=1 nonblock=0", who);
        // O_RDWR needs read and write.
        let o = op(who, &rules, &["open", &a, "rw"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "write", "deny", &a);
        let rw = with(rules.clone(), &[format!("allow/write+{a}")]);
        assert_out(&op(who, &rw, &["open", &a, "rw"]), "ok A", who);
        // O_TRUNC on a write-denied file: refused, contents intact.
        let o = op(who, &rules, &["open", &a, "rt"]);
        assert_out(&o, "EACCES", who);
        assert_eq!(
            std::fs::read_to_string(&a).unwrap(),
            "A",
            "O_RDONLY|O_TRUNC emptied a write-denied file"
        );
        // Truncate allowed but write not: still refused (stricter than Syd).
        let t = with(rules.clone(), &[format!("allow/truncate+{a}")]);
        assert_out(&op(who, &t, &["open", &a, "rt"]), "EACCES", who);
        assert_eq!(std::fs::read_to_string(&a).unwrap(), "A");
        // Create.
        let new = p(&dir, "new");
        let o = op(
            who,
            &with(rules.clone(), &[format!("allow/write+{new}")]),
            &["open", &new, "wc"],
        );
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "create", "deny", &new);
        assert!(!Path::new(&new).exists());
        let c = with(rules.clone(), &[format!("allow/write,create+{new}")]);
        assert_out(&op(who, &c, &["open", &new, "wc"]), "ok", who);
        assert!(Path::new(&new).exists());
        // O_CREAT creates only where nothing is, O_TRUNC empties only a
        // regular file: on an existing file `>` needs write and
        // truncate, not create; on a device only write.
        let w = with(rules.clone(), &[format!("allow/write+{b}")]);
        assert_out(&op(who, &w, &["open", &b, "wc"]), "ok", who);
        let o = op(who, &w, &["open", &b, "wct"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "truncate", "deny", &b);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "B");
        let wt = with(w.clone(), &[format!("allow/truncate+{b}")]);
        assert_out(&op(who, &wt, &["open", &b, "wct"]), "ok", who);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "");
        let null = with(rules.clone(), &["allow/write+/dev/null".to_string()]);
        assert_out(&op(who, &null, &["open", "/dev/null", "wct"]), "ok", who);
    }
}

/// Ordinary shell work runs under the base profiles: output thrown
/// away with `>/dev/null` (an O_CREAT|O_TRUNC open of a device) and a
/// pipe made with `socketpair` (which names no address).
#[test]
fn base_profiles_allow_dev_null_and_socketpairs() {
    let sh = "echo x >/dev/null && echo y 2>/dev/null >>/dev/null && echo ok";
    for who in common::everyone() {
        for profiles in [&["linux"][..], &["user"], &["linux", "ro"]] {
            let mut cmd = husk_as(who);
            // A plain environment (not cargo's LD_LIBRARY_PATH), from /.
            cmd.env_clear()
                .env("PATH", "/usr/bin:/bin")
                .env("HOME", "/nonexistent");
            cmd.current_dir("/");
            for profile in profiles {
                cmd.args(["-p", profile]);
            }
            cmd.args(["--", "sh", "-c", sh]);
            let o = run(&mut cmd, LIMIT);
            assert_out(&o, "ok", who);
            assert!(o.stderr.is_empty(), "{who:?} {profiles:?}: {o:?}");
        }
        let mut cmd = husk_as(who);
        cmd.env_clear().current_dir("/");
        cmd.args([
            "-p",
            "linux",
            "-m",
            &format!("allow/exec,read,stat+{}", ops().display()),
        ]);
        cmd.arg("--").arg(ops()).arg("socketpair");
        let o = run(&mut cmd, LIMIT);
        assert_out(&o, "ok", who);
        assert!(o.stderr.is_empty(), "{who:?}: {o:?}");
    }
}

#[test]
fn stat_denials_hide_the_file_everywhere() {
    for who in common::everyone() {
        let dir = tree("hide");
        let (a, d) = (p(&dir, "a"), p(&dir, "d"));
        let rules = with(
            only("stat,read,mkdir"),
            &[
                format!("allow/stat+{}/***", dir.display()),
                format!("deny/stat+{a}"),
                format!("deny/stat+{d}"),
            ],
        );
        let o = op(who, &rules, &["stat", &a]);
        assert_out(&o, "ENOENT", who);
        assert_logged(&o, "stat", "deny", &a);
        assert_out(&op(who, &rules, &["open", &a, "r"]), "ENOENT", who);
        // mkdir of an existing hidden directory: ENOENT, not EEXIST.
        assert_out(&op(who, &rules, &["mkdir", &d]), "ENOENT", who);
        // Visible files still say EACCES.
        let b = p(&dir, "b");
        assert_out(&op(who, &rules, &["stat", &b]), "ok", who);
        assert_out(&op(who, &rules, &["open", &b, "r"]), "EACCES", who);
        assert_out(&op(who, &rules, &["access", &a]), "ENOENT", who);
        assert_out(&op(who, &rules, &["lstat", &a]), "ENOENT", who);
        // Calls by empty path name the descriptor: the file's own rules.
        // (fstatat(AT_FDCWD, "") is a stat of the working directory.)
        let cwd = std::env::current_dir().unwrap();
        let all = with(
            only("stat,read,chown,chmod,utime"),
            &[
                format!("allow/stat,read,chown,chmod,utime+{}/***", dir.display()),
                format!("allow/stat+{}", cwd.display()),
            ],
        );
        // (nobody may not chown root's file: the kernel says so.)
        let want = if who.user == User::Me { "ok" } else { "EPERM" };
        assert_out(&op(who, &all, &["emptypaths", &b]), want, who);
        let no_chown = with(all.clone(), &[format!("deny/chown+{b}")]);
        assert_out(&op(who, &no_chown, &["emptypaths", &b]), "EACCES", who);
        // A descriptor of a thread with a table of its own is that
        // thread's, not its process's (notify mode copies it).
        assert_out(&op(who, &all, &["threadfchmod", &b]), want, who);
        let no_chmod = with(all.clone(), &[format!("deny/chmod+{b}")]);
        assert_out(&op(who, &no_chmod, &["threadfchmod", &b]), "EACCES", who);
        // Watching is looking: inotify needs stat.
        assert_out(&op(who, &rules, &["inotify", &a]), "ENOENT", who);
        assert_out(&op(who, &rules, &["inotify", &b]), "ok", who);
    }
}

/// A stat-hidden file answers every call as a missing one would, with
/// every other category allowed: no errno (EEXIST, ENOTEMPTY, an open
/// that works...) tells the two apart. And entering a hidden directory
/// fails too with `chdir` unchecked. Bare, the existing file answers
/// differently from the missing one (so the test can fail).
#[test]
fn a_hidden_file_answers_as_a_missing_one() {
    let calls: &[&[&str]] = &[
        &["open", "X", "r"],
        &["open", "X", "w"],
        &["open", "X", "wcx"],
        &["mkdir", "X"],
        &["rmdir", "X"],
        &["unlink", "X"],
        // A dangling target: a later call through the link must reach
        // nothing (a link to /tmp let the bare run chmod /tmp itself).
        &["symlink", "husk-nowhere", "X"],
        &["chdir", "X"],
        &["exec", "X"],
        &["handle", "X"],
        &["truncate", "X"],
        &["chmod", "X"],
        &["rename", "X", "NEW"],
        &["link", "X", "NEW"],
    ];
    let answers = |who: Option<Who>, dir: &Path, name: &str| -> Vec<String> {
        let rules = vec![
            "sandbox/all:on".to_string(),
            "sandbox/chdir:off".to_string(),
            format!("allow/exec+{}", ops().display()),
            format!("allow/all+{}/***", dir.display()),
            format!("deny/stat+{}/h", dir.display()),
            format!("deny/stat+{}/m", dir.display()),
            format!("deny/stat+{}/hd", dir.display()),
            format!("deny/stat+{}/md", dir.display()),
        ];
        calls
            .iter()
            .map(|call| {
                let args: Vec<String> = call
                    .iter()
                    .map(|a| match *a {
                        "X" => p(dir, name),
                        "NEW" => p(dir, "new"),
                        other => other.to_string(),
                    })
                    .collect();
                let args: Vec<&str> = args.iter().map(String::as_str).collect();
                let o = match who {
                    Some(who) => op(who, &rules, &args),
                    None => run(Command::new(ops()).args(&args), LIMIT),
                };
                format!("{call:?}: {}", o.stdout.trim())
            })
            .collect()
    };
    let setup = |name: &str| {
        let dir = tree(name);
        // An executable hidden file, and a hidden directory with content.
        std::fs::copy("/bin/true", dir.join("h")).unwrap();
        std::fs::create_dir(dir.join("hd")).unwrap();
        std::fs::write(dir.join("hd/f"), "F").unwrap();
        common::hand_over(&dir, User::Nobody);
        dir
    };
    // Bare: existing and missing differ.
    let dir = setup("hidden-bare");
    assert_ne!(answers(None, &dir, "h"), answers(None, &dir, "m"));
    assert_ne!(answers(None, &dir, "hd"), answers(None, &dir, "md"));
    for who in common::everyone() {
        let dir = setup("hidden");
        let missing = answers(Some(who), &dir, "m");
        // What a path that is not there answers: ENOENT, but for
        // file handles, which are refused for every path.
        for answer in &missing {
            let want = if answer.contains("handle") {
                "EOPNOTSUPP"
            } else {
                "ENOENT"
            };
            assert!(answer.ends_with(want), "{who:?}: {answer}");
        }
        assert_eq!(answers(Some(who), &dir, "h"), missing, "{who:?}");
        assert_eq!(
            answers(Some(who), &dir, "hd"),
            answers(Some(who), &dir, "md"),
            "{who:?}"
        );
        assert!(
            dir.join("h").exists() && dir.join("hd/f").exists(),
            "{who:?}"
        );
        assert!(
            !dir.join("m").exists() && !dir.join("new").exists(),
            "{who:?}"
        );
    }
}

#[test]
fn a_listing_does_not_show_hidden_entries() {
    let setup = || {
        let dir = scratch("listing");
        // Far more hidden entries than shown ones: whole batches of a
        // small buffer are hidden, and the listing must go on past them.
        for i in 0..400 {
            std::fs::write(dir.join(format!("h-{i:03}")), "").unwrap();
        }
        for i in 0..5 {
            std::fs::write(dir.join(format!("v-{i}")), "").unwrap();
        }
        std::fs::create_dir(dir.join("hd")).unwrap();
        std::fs::write(dir.join("hd/f"), "").unwrap();
        dir
    };
    let shown: Vec<String> = [".", ".."]
        .iter()
        .map(|s| s.to_string())
        .chain((0..5).map(|i| format!("v-{i}")))
        .chain(["end".to_string()])
        .collect();
    let mut kinds = vec![("4096", ""), ("1024", ""), ("65536", "")];
    if cfg!(target_arch = "x86_64") {
        kinds.push(("1024", "old"));
    }
    let list = |dir: &Path, size: &str, old: &str| {
        let mut args = vec!["list".to_string(), p(dir, ""), size.to_string()];
        if !old.is_empty() {
            args.push(old.into());
        }
        args
    };
    // Bare: every entry is listed.
    let dir = setup();
    for (size, old) in &kinds {
        let args = list(&dir, size, old);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let o = run(Command::new(ops()).args(&args), LIMIT);
        assert_eq!(o.stdout.lines().count(), 2 + 400 + 5 + 1 + 1, "{o:?}");
        assert!(
            o.stdout.contains("h-399\n") && o.stdout.contains("hd\n"),
            "{o:?}"
        );
    }
    for who in common::everyone() {
        let dir = setup();
        common::hand_over(&dir, who.user);
        let rules = vec![
            "sandbox/all:on".to_string(),
            "sandbox/chdir:off".to_string(),
            format!("allow/exec+{}", ops().display()),
            format!("allow/all+{}/***", dir.display()),
            format!("deny/stat+{}/h-*", dir.display()),
            format!("deny/stat+{}/hd", dir.display()),
        ];
        for (size, old) in &kinds {
            let args = list(&dir, size, old);
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            let o = op(who, &rules, &args);
            let got: Vec<&str> = o.stdout.lines().collect();
            assert_eq!(got, shown, "{who:?} {size} {old}: {o:?}");
        }
        // A buffer too small for one entry: the kernel's EINVAL.
        let o = op(who, &rules, &["list", &p(&dir, ""), "16"]);
        assert_eq!(o.stdout.trim(), "EINVAL", "{who:?}: {o:?}");
        // A hidden directory cannot be listed: it is not there.
        let o = op(who, &rules, &["list", &p(&dir, "hd"), "4096"]);
        assert_eq!(o.stdout.trim(), "ENOENT", "{who:?}: {o:?}");
        // A shell's own listing agrees.
        let mut cmd = husk_as(who);
        for r in &rules {
            cmd.arg("-m").arg(r);
        }
        cmd.args(["-m", "allow/exec,read,stat,readdir+/***"]);
        cmd.args(["-m", &format!("deny/stat+{}/h-*", dir.display())]);
        cmd.args(["-m", &format!("deny/stat+{}/hd", dir.display())]);
        cmd.args(["--", "ls", "-a"]).arg(&dir);
        let o = run(&mut cmd, LIMIT);
        assert_eq!(
            o.stdout, ".\n..\nv-0\nv-1\nv-2\nv-3\nv-4\n",
            "{who:?}: {o:?}"
        );
    }
}

#[test]
fn directory_categories() {
    for who in common::everyone() {
        let dir = tree("dirs");
        let (d, e) = (p(&dir, "d"), p(&dir, "e"));
        let rules = with(
            only("readdir,mkdir,rmdir,chdir,read"),
            &[format!("allow/read+{d}/x")],
        );
        let o = op(who, &rules, &["open", &d, "r"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "readdir", "deny", &d);
        assert_out(
            &op(
                who,
                &with(rules.clone(), &[format!("allow/readdir+{d}")]),
                &["open", &d, "r"],
            ),
            "ok dir",
            who,
        );
        let o = op(who, &rules, &["mkdir", &e]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "mkdir", "deny", &e);
        assert_out(
            &op(
                who,
                &with(rules.clone(), &[format!("allow/mkdir+{e}")]),
                &["mkdir", &e],
            ),
            "ok",
            who,
        );
        let o = op(who, &rules, &["rmdir", &e]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "rmdir", "deny", &e);
        assert_out(
            &op(
                who,
                &with(rules.clone(), &[format!("allow/rmdir+{e}")]),
                &["rmdir", &e],
            ),
            "ok",
            who,
        );
        // chdir: checked on the directory really entered.
        let o = op(who, &rules, &["chdir", &d, "x"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "chdir", "deny", &d);
        assert_out(
            &op(
                who,
                &with(rules.clone(), &[format!("allow/chdir+{d}")]),
                &["chdir", &d, "x"],
            ),
            "ok X",
            who,
        );
    }
}

#[test]
fn delete_rename_link_symlink_readlink() {
    for who in common::everyone() {
        let dir = tree("names");
        let (a, b, d) = (p(&dir, "a"), p(&dir, "b"), p(&dir, "d"));
        let base = only("delete,rename,create,symlink,readlink");
        let o = op(who, &base, &["unlink", &b]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "delete", "deny", &b);
        assert!(Path::new(&b).exists());
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/delete+{b}")]),
                &["unlink", &b],
            ),
            "ok",
            who,
        );
        // rename: rename on the source, create on the destination.
        let target = p(&dir, "d/a2");
        let o = op(
            who,
            &with(base.clone(), &[format!("allow/create+{target}")]),
            &["rename", &a, &target],
        );
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "rename", "deny", &a);
        let o = op(
            who,
            &with(base.clone(), &[format!("allow/rename+{a}")]),
            &["rename", &a, &target],
        );
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "create", "deny", &target);
        let both = with(
            base.clone(),
            &[
                format!("allow/rename+{a}"),
                format!("allow/create+{target}"),
            ],
        );
        // Over an existing destination: delete is needed there too.
        std::fs::write(&target, "old").unwrap();
        let o = op(who, &both, &["rename", &a, &target]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "delete", "deny", &target);
        let all = with(both.clone(), &[format!("allow/delete+{target}")]);
        assert_out(&op(who, &all, &["rename", &a, &target]), "ok", who);
        // link: rename on the source, create on the new name.
        let x = p(&dir, "d/x");
        let l = p(&dir, "xl");
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/create+{l}")]),
                &["link", &x, &l],
            ),
            "EACCES",
            who,
        );
        assert_out(
            &op(
                who,
                &with(
                    base.clone(),
                    &[format!("allow/rename+{x}"), format!("allow/create+{l}")],
                ),
                &["link", &x, &l],
            ),
            "ok",
            who,
        );
        // symlink and readlink.
        let s = p(&dir, "s");
        let o = op(who, &base, &["symlink", "d/x", &s]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "symlink", "deny", &s);
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/symlink+{s}")]),
                &["symlink", "d/x", &s],
            ),
            "ok",
            who,
        );
        let o = op(who, &base, &["readlink", &s]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "readlink", "deny", &s);
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/readlink+{s}")]),
                &["readlink", &s],
            ),
            "ok d/x",
            who,
        );
        let _ = d;
    }
}

#[test]
fn attribute_categories() {
    for who in common::everyone() {
        let dir = tree("attrs");
        let a = p(&dir, "a");
        for (cat, opname) in [
            ("truncate", "truncate"),
            ("chmod", "chmod"),
            ("chown", "chown"),
            ("chgrp", "chgrp"),
            ("utime", "utime"),
            ("chattr", "setxattr"),
        ] {
            let rules = only(cat);
            let o = op(who, &rules, &[opname, &a]);
            assert_out(&o, "EACCES", who);
            assert_logged(&o, cat, "deny", &a);
            let o = op(
                who,
                &with(rules.clone(), &[format!("allow/{cat}+{a}")]),
                &[opname, &a],
            );
            // Allowed by husk: the kernel decides (nobody may not chown a
            // file of root's; setxattr may be unsupported here).
            let out = o.stdout.trim();
            let kernel_refusal = out == "EPERM" && who.user == User::Nobody
                || cat == "chattr" && out == "EOPNOTSUPP";
            assert!(out == "ok" || kernel_refusal, "{who:?} {cat}: {o:?}");
            no_log(&o);
        }
        // getxattr is read.
        let o = op(who, &only("read"), &["getxattr", &a]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "read", "deny", &a);
        // file_getattr is stat, file_setattr chattr (Linux 6.17+).
        let fa = op(who, &only("stat"), &["fileattr", &a]);
        if fa.stdout.trim() != "ENOSYS" {
            assert_out(&fa, "ENOENT", who);
            let get = with(only("stat,chattr"), &[format!("allow/stat+{a}")]);
            assert_out(&op(who, &get, &["fileattr", &a]), "EACCES", who);
            let both = with(get, &[format!("allow/chattr+{a}")]);
            let out = op(who, &both, &["fileattr", &a]);
            let kernel = ["ok", "EOPNOTSUPP", "ENOTTY", "EPERM"];
            assert!(kernel.contains(&out.stdout.trim()), "{who:?}: {out:?}");
        }
        // The *xattrat calls (Linux 6.13+): chattr to set, read to get.
        let set = op(who, &only("chattr"), &["setxattrat", &a]);
        if set.stdout.trim() != "ENOSYS" {
            assert_out(&set, "EACCES", who);
            let both = with(only("chattr,read"), &[format!("allow/chattr,read+{a}")]);
            let set = op(who, &both, &["setxattrat", &a]);
            if set.stdout.trim() == "ok" {
                assert_out(&op(who, &both, &["getxattrat", &a]), "ok 1", who);
            }
            assert_out(&op(who, &only("read"), &["getxattrat", &a]), "EACCES", who);
        }
    }
}

#[test]
fn special_files_by_type() {
    for who in common::everyone() {
        let dir = tree("nodes");
        let f = p(&dir, "fifo");
        let o = op(who, &only("mkfifo"), &["mkfifo", &f]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "mkfifo", "deny", &f);
        assert_out(
            &op(
                who,
                &with(only("mkfifo"), &[format!("allow/mkfifo+{f}")]),
                &["mkfifo", &f],
            ),
            "ok",
            who,
        );
        for (cat, opname) in [("mkbdev", "mkbdev"), ("mkcdev", "mkcdev")] {
            let n = p(&dir, cat);
            let o = op(who, &only(cat), &[opname, &n]);
            assert_out(&o, "EACCES", who);
            assert_logged(&o, cat, "deny", &n);
            // Allowed by husk; the kernel still wants CAP_MKNOD.
            let o = op(
                who,
                &with(only(cat), &[format!("allow/{cat}+{n}")]),
                &[opname, &n],
            );
            let want = if who.user == User::Me { "ok" } else { "EPERM" };
            assert_out(&o, want, who);
        }
        // O_TMPFILE is mktemp, on the directory.
        let d = p(&dir, "d");
        let o = op(who, &only("mktemp"), &["open", &d, "tmp"]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "mktemp", "deny", &d);
        let o = op(
            who,
            &with(only("mktemp"), &[format!("allow/mktemp+{d}")]),
            &["open", &d, "tmp"],
        );
        assert!(
            o.stdout.trim() == "ok" || o.stdout.trim() == "EOPNOTSUPP",
            "{o:?}"
        );
    }
}

#[test]
fn last_match_wins_in_both_orders_and_across_sources() {
    for who in common::everyone() {
        let dir = tree("order");
        let a = p(&dir, "a");
        let base = only("read");
        let allow_then_deny = with(
            base.clone(),
            &[
                format!("allow/read+{}/***", dir.display()),
                format!("deny/read+{a}"),
            ],
        );
        assert_out(
            &op(who, &allow_then_deny, &["open", &a, "r"]),
            "EACCES",
            who,
        );
        let deny_then_allow = with(
            base.clone(),
            &[
                format!("deny/read+{a}"),
                format!("allow/read+{}/***", dir.display()),
            ],
        );
        assert_out(&op(who, &deny_then_allow, &["open", &a, "r"]), "ok A", who);
        // -p, then -P, then -m: each later source overrides the earlier.
        let file = dir.join("policy.conf");
        std::fs::write(
            &file,
            format!("sandbox/all:off\nsandbox/read:on\ndeny/read+{a}\n"),
        )
        .unwrap();
        let run_with = |args: &[&str]| {
            let mut cmd = husk_as(who);
            cmd.args(args).arg("--").arg(ops()).args(["open", &a, "r"]);
            run(&mut cmd, LIMIT)
        };
        let allow = format!("allow/read+{a}");
        let f = file.display().to_string();
        assert_out(&run_with(&["-p", "off", "-P", &f]), "EACCES", who);
        assert_out(
            &run_with(&["-p", "off", "-P", &f, "-m", &allow]),
            "ok A",
            who,
        );
        assert_out(&run_with(&["-m", &allow, "-P", &f]), "EACCES", who);
        // Removing rules: - the latest equal one, ^ all of them.
        let twice = with(
            base.clone(),
            &[allow.clone(), allow.clone(), format!("allow/read-{a}")],
        );
        assert_out(&op(who, &twice, &["open", &a, "r"]), "ok A", who);
        let gone = with(
            base.clone(),
            &[allow.clone(), allow.clone(), format!("allow/read^{a}")],
        );
        assert_out(&op(who, &gone, &["open", &a, "r"]), "EACCES", who);
    }
}

#[test]
fn equivalent_paths_get_the_same_verdict() {
    for who in common::everyone() {
        let dir = tree("equiv");
        let x = p(&dir, "d/x");
        std::os::unix::fs::symlink(&x, dir.join("to-x")).unwrap();
        std::os::unix::fs::symlink(dir.join("d"), dir.join("to-d")).unwrap();
        let deny = with(
            only("read"),
            &[
                format!("allow/read+{}/***", dir.display()),
                format!("deny/read+{x}"),
            ],
        );
        let dstr = dir.display().to_string();
        let spellings = [
            x.clone(),
            format!("/{x}"),
            format!("{dstr}/d/./x"),
            format!("{dstr}/d/../d/x"),
            format!("{dstr}//d//x"),
            format!("{dstr}/to-x"),
            // A link on the way, whose own spelling the rules allow.
            format!("{dstr}/to-d/x"),
        ];
        for s in &spellings {
            let o = op(who, &deny, &["open", s, "r"]);
            assert_out(&o, "EACCES", who);
            assert_logged(&o, "read", "deny", &x);
        }
        // And the other way: a spelling through a link that the rules
        // deny, of a file they allow.
        let deny_link = with(
            only("read"),
            &[
                format!("allow/read+{}/***", dir.display()),
                format!("deny/read+{dstr}/to-d/***"),
            ],
        );
        assert_out(
            &op(who, &deny_link, &["open", &format!("{dstr}/to-d/x"), "r"]),
            "ok X",
            who,
        );
        // Relative to a directory descriptor, and to the working directory.
        assert_out(
            &op(who, &deny, &["openat", &p(&dir, "d"), "x", "r"]),
            "EACCES",
            who,
        );
        let cwd_rules = with(deny.clone(), &["sandbox/chdir:off".to_string()]);
        assert_out(
            &op(who, &cwd_rules, &["chdir", &p(&dir, "d"), "./x"]),
            "EACCES",
            who,
        );
        assert_out(
            &op(who, &cwd_rules, &["chdir", &p(&dir, "d"), "x"]),
            "EACCES",
            who,
        );
        assert_out(
            &op(who, &cwd_rules, &["cwdopen", &p(&dir, "d"), "x"]),
            "EACCES",
            who,
        );
        // Reopening an O_PATH descriptor through /proc/self/fd.
        let reopen = with(deny.clone(), &["sandbox/stat:off".to_string()]);
        let o = op(who, &reopen, &["reopen", &x]);
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "read", "deny", &x);
        // Control: the allowed sibling reads fine by every road.
        let a = p(&dir, "a");
        assert_out(&op(who, &deny, &["open", &a, "r"]), "ok A", who);
        assert_out(&op(who, &reopen, &["reopen", &a]), "ok A", who);
    }
}

#[test]
fn bypass_attempts_are_blocked() {
    for who in common::everyone() {
        let dir = tree("bypass");
        let secret = p(&dir, "d/x");
        let open_dir = p(&dir, "pub");
        std::fs::create_dir(&open_dir).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&open_dir, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        let rules = with(
            only("read,rename,create,delete"),
            &[
                format!("allow/read,rename,create,delete+{open_dir}/***"),
                format!("allow/rename,create,delete+{}/d/***", dir.display()),
                format!("deny/read+{secret}"),
            ],
        );
        // Hard link or rename of the denied file into the allowed directory.
        let copy = format!("{open_dir}/x");
        let o = op(who, &rules, &["link", &secret, &copy]);
        assert_out(&o, "EACCES", who);
        assert!(!Path::new(&copy).exists());
        assert_out(&op(who, &rules, &["rename", &secret, &copy]), "EACCES", who);
        assert!(Path::new(&secret).exists());
        // Renaming the directory that holds it: refused too.
        let moved = format!("{open_dir}/d2");
        assert_out(
            &op(who, &rules, &["rename", &p(&dir, "d"), &moved]),
            "EACCES",
            who,
        );
        // Control: a file readable where it is moves freely.
        std::fs::write(dir.join("d/free"), "F").unwrap();
        let free = with(
            rules.clone(),
            &[format!("allow/read+{}", p(&dir, "d/free"))],
        );
        assert_out(
            &op(
                who,
                &free,
                &["rename", &p(&dir, "d/free"), &format!("{open_dir}/free")],
            ),
            "ok",
            who,
        );
        // Other processes' magic links: a sibling of the same user, which
        // the kernel itself would let us reach (shown bare first).
        let mut sibling = match who.user {
            User::Me => Command::new("sleep"),
            User::Nobody => {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "sleep"]);
                c
            }
        };
        let mut sibling = sibling.arg("30").current_dir("/").spawn().unwrap();
        std::thread::sleep(Duration::from_millis(100));
        let sib = sibling.id();
        let all = with(only("read"), &["allow/read+/***".to_string()]);
        for foreign in [
            format!("/proc/{sib}/root/etc/hostname"),
            format!("/proc/{sib}/cwd/etc/hostname"),
            format!("/proc/{sib}/exe"),
            format!("/proc/{sib}/task/{sib}/root/etc/hostname"),
        ] {
            let mut bare = match who.user {
                User::Me => Command::new(ops()),
                User::Nobody => {
                    let mut c = Command::new("setpriv");
                    c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                        .arg(ops());
                    c
                }
            };
            let b = run(bare.args(["open", &foreign, "r"]), LIMIT);
            assert!(
                b.stdout.starts_with("ok"),
                "{who:?}: the attack does not work bare: {foreign}: {b:?}"
            );
            let o = op(who, &all, &["open", &foreign, "r"]);
            assert_out(&o, "EACCES", who);
            assert!(
                o.stderr.contains("\"cap\":\"read\",\"act\":\"deny\""),
                "{o:?}"
            );
        }
        let _ = sibling.kill();
        let _ = sibling.wait();
        // Control: our own /proc/self entries follow to the real file.
        assert!(
            op(who, &all, &["open", "/proc/self/exe", "r"])
                .stdout
                .starts_with("ok")
        );
    }
}

#[test]
fn exec_of_denied_programs_and_interpreters() {
    for who in common::everyone() {
        let dir = tree("exec");
        let marker = p(&dir, "ran");
        let script = p(&dir, "script.sh");
        std::fs::write(&script, format!("#!/bin/sh\ntouch {marker}\n")).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        let sh = std::fs::canonicalize("/bin/sh")
            .unwrap()
            .display()
            .to_string();
        let ops = ops().display().to_string();
        let base = with(only("exec"), &[format!("allow/exec+{ops}")]);
        // The binary is denied: its code never runs.
        let o = op(who, &base, &["exec", "/usr/bin/touch", &marker]);
        assert_out(&o, "EACCES", who);
        assert_logged(
            &o,
            "exec",
            "deny",
            &std::fs::canonicalize("/usr/bin/touch")
                .unwrap()
                .display()
                .to_string(),
        );
        assert!(!Path::new(&marker).exists());
        // A script allowed, its interpreter denied.
        let o = op(
            who,
            &with(base.clone(), &[format!("allow/exec+{script}")]),
            &["exec", &script],
        );
        assert_out(&o, "EACCES", who);
        assert_logged(&o, "exec", "deny", &sh);
        assert!(!Path::new(&marker).exists());
        // The interpreter allowed, the script denied.
        let o = op(
            who,
            &with(base.clone(), &[format!("allow/exec+{sh}")]),
            &["exec", &script],
        );
        assert_out(&o, "EACCES", who);
        assert!(!Path::new(&marker).exists());
        // Both allowed: it runs (touch must be allowed too, and the
        // shared libraries both map executable: their code runs).
        let touch = std::fs::canonicalize("/usr/bin/touch")
            .unwrap()
            .display()
            .to_string();
        let all = with(
            base.clone(),
            &[
                format!("allow/exec+{sh}"),
                format!("allow/exec+{script}"),
                format!("allow/exec+{touch}"),
                "allow/exec+/usr/lib/***".into(),
                "allow/exec+/lib/***".into(),
                "allow/exec+/lib64/***".into(),
            ],
        );
        let o = op(who, &all, &["exec", &script]);
        assert!(o.success(), "{o:?}");
        assert!(Path::new(&marker).exists(), "{o:?}");
        // The initial command itself is checked.
        let mut cmd = husk_as(who);
        cmd.args([
            "-m",
            "sandbox/all:off",
            "-m",
            "sandbox/exec:on",
            "--",
            "/usr/bin/touch",
            &marker,
        ]);
        let _ = std::fs::remove_file(&marker);
        let o = run(&mut cmd, LIMIT);
        assert_eq!(o.code, Some(126), "{o:?}");
        assert!(!Path::new(&marker).exists());
    }
}

#[test]
fn network_bind_and_connect() {
    for who in common::everyone() {
        let dir = tree("net");
        let port = 20000 + (std::process::id() % 20000) as u16;
        let base = only("net");
        let v4 = format!("127.0.0.1:{port}");
        let o = op(who, &base, &["bind", &v4]);
        assert_out(&o, "EADDRNOTAVAIL", who);
        assert!(o.stderr.contains(&format!("\"cap\":\"net/bind\",\"act\":\"deny\",\"sys\":\"bind\",\"addr\":\"127.0.0.1!{port}\"")), "{o:?}");
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/net/bind+loopback!{port}")]),
                &["bind", &v4],
            ),
            "ok",
            who,
        );
        // IPv6, and IPv4-mapped IPv6 matched as IPv4.
        let v6 = format!("[::1]:{port}");
        assert_out(&op(who, &base, &["bind", &v6]), "EADDRNOTAVAIL", who);
        assert_out(
            &op(
                who,
                &with(base.clone(), &[format!("allow/net/bind+::1!{port}")]),
                &["bind", &v6],
            ),
            "ok",
            who,
        );
        let mapped = format!("[::ffff:127.0.0.1]:{port}");
        let o = op(
            who,
            &with(
                base.clone(),
                &[format!("allow/net/connect+127.0.0.0/8!{}", port + 1)],
            ),
            &["connect", &format!("[::ffff:127.0.0.1]:{}", port + 1)],
        );
        assert_out(&o, "ECONNREFUSED", who); // allowed by husk; nobody listens
        assert!(
            !o.stderr.contains("\"ctx\""),
            "the mapped address did not match the IPv4 rule: {o:?}"
        );
        let o = op(who, &base, &["connect", &mapped]);
        assert!(
            o.stderr.contains(&format!("\"addr\":\"127.0.0.1!{port}\"")),
            "{o:?}"
        );
        // connect denied: ECONNREFUSED and a log line.
        let o = op(who, &base, &["connect", &format!("127.0.0.1:{port}")]);
        assert_out(&o, "ECONNREFUSED", who);
        assert!(
            o.stderr
                .contains("\"cap\":\"net/connect\",\"act\":\"deny\""),
            "{o:?}"
        );
        // UNIX sockets: path, abstract, unnamed.
        let sock = p(&dir, "s.sock");
        let o = op(who, &base, &["bind", &format!("unix:{sock}")]);
        assert_out(&o, "EADDRNOTAVAIL", who);
        assert!(!Path::new(&sock).exists());
        assert_out(
            &op(
                who,
                &with(
                    base.clone(),
                    &[format!("allow/net/bind+{}/*.sock", dir.display())],
                ),
                &["bind", &format!("unix:{sock}")],
            ),
            "ok",
            who,
        );
        assert_out(
            &op(who, &base, &["connect", &format!("unix:{sock}")]),
            "ECONNREFUSED",
            who,
        );
        let name = format!("husk-test-{port}");
        assert_out(
            &op(who, &base, &["bind", &format!("abstract:{name}")]),
            "EADDRNOTAVAIL",
            who,
        );
        assert_out(
            &op(
                who,
                &with(base.clone(), &["allow/net/bind+@husk-test-*".to_string()]),
                &["bind", &format!("abstract:{name}")],
            ),
            "ok",
            who,
        );
        assert_out(&op(who, &base, &["socketpair"]), "EADDRNOTAVAIL", who);
        assert_out(
            &op(
                who,
                &with(base.clone(), &["allow/net/bind+!unnamed".to_string()]),
                &["socketpair"],
            ),
            "ok",
            who,
        );
    }
}

/// `listen` on a socket never bound binds it to the wildcard address:
/// decided as that bind. Raw and packet sockets, whose destination is in
/// their data, are refused where the network is checked. A socket file
/// gets the caller's umask.
#[test]
fn listen_raw_sockets_and_socket_files() {
    let root = common::am_root();
    // Without husk: both listens work, and so do raw sockets for root.
    for family in ["4", "6"] {
        let bare = run(Command::new(ops()).args(["listen", family]), LIMIT);
        assert_eq!(bare.stdout.trim(), "ok", "{bare:?}");
    }
    if root {
        for kind in ["raw", "packet"] {
            let bare = run(Command::new(ops()).args(["rawsocket", kind]), LIMIT);
            assert_eq!(bare.stdout.trim(), "ok", "{kind}: {bare:?}");
        }
    }
    for who in common::everyone() {
        let dir = tree("listen");
        let base = only("net");
        for (family, any) in [("4", "0.0.0.0!0"), ("6", "::!0")] {
            let o = op(who, &base, &["listen", family]);
            assert_out(&o, "EADDRNOTAVAIL", who);
            assert!(
                o.stderr
                    .contains(&format!("\"sys\":\"listen\",\"addr\":\"{any}\"")),
                "{who:?}: {o:?}"
            );
            let allowed = with(base.clone(), &["allow/net/bind+any!0".to_string()]);
            assert_out(&op(who, &allowed, &["listen", family]), "ok", who);
        }
        // Refused when the network is checked, whoever asks; bare, only
        // root may (so nobody's EPERM is the kernel's too).
        for kind in ["raw", "packet"] {
            assert_out(&op(who, &base, &["rawsocket", kind]), "EPERM", who);
            let off = only("read");
            let want = if who.user == User::Me && root {
                "ok"
            } else {
                "EPERM"
            };
            assert_out(&op(who, &off, &["rawsocket", kind]), want, who);
        }
        // A socket file bound under umask 022 is 0755, as bare.
        let sock = p(&dir, "s.sock");
        let bind = with(base.clone(), &[format!("allow/net/bind+{sock}")]);
        assert_out(
            &op(who, &bind, &["bindmode", &format!("unix:{sock}")]),
            "mode 755",
            who,
        );
    }
    let dir = tree("listen-bare");
    let sock = p(&dir, "s.sock");
    let bare = run(
        Command::new(ops()).args(["bindmode", &format!("unix:{sock}")]),
        LIMIT,
    );
    assert_eq!(bare.stdout.trim(), "mode 755", "{bare:?}");
}

/// A connection husk makes for a sandboxed caller (notify mode) shows
/// the peer the caller's user and group, not husk's: here a sandbox
/// that dropped from root to uid 1003 first (as root), or nobody's own.
#[test]
fn a_peer_sees_the_callers_identity() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::io::AsRawFd;
    use std::os::unix::net::UnixListener;
    let peer = |listener: &UnixListener| -> (u32, u32) {
        listener.set_nonblocking(true).unwrap();
        let (stream, _) = listener.accept().expect("no connection came");
        let mut cred = libc::ucred {
            pid: 0,
            uid: 0,
            gid: 0,
        };
        let mut len = std::mem::size_of::<libc::ucred>() as libc::socklen_t;
        // SAFETY: the kernel writes one struct ucred into `cred`.
        let r = unsafe {
            libc::getsockopt(
                stream.as_raw_fd(),
                libc::SOL_SOCKET,
                libc::SO_PEERCRED,
                &mut cred as *mut libc::ucred as *mut libc::c_void,
                &mut len,
            )
        };
        assert_eq!(r, 0);
        (cred.uid, cred.gid)
    };
    let root = common::am_root();
    for who in common::everyone() {
        let dir = scratch("peercred");
        let sock = dir.join("s.sock");
        let listener = UnixListener::bind(&sock).unwrap();
        std::fs::set_permissions(&sock, std::fs::Permissions::from_mode(0o777)).unwrap();
        let mut cmd = husk_as(who);
        for r in with(
            only("net"),
            &[format!("allow/net/connect+{}", sock.display())],
        ) {
            cmd.arg("-m").arg(r);
        }
        cmd.arg("--");
        let want = if who.user == User::Me && root {
            cmd.args(["setpriv", "--reuid=1003", "--regid=1003", "--clear-groups"]);
            (1003, 1003)
        } else {
            (65534, 65534)
        };
        cmd.arg(ops())
            .args(["connect", &format!("unix:{}", sock.display())]);
        let o = run(&mut cmd, LIMIT);
        assert_out(&o, "ok", who);
        assert_eq!(peer(&listener), want, "{who:?}: {o:?}");
    }
}

/// openat2 in notify mode is performed by husk with flags of its own:
/// what the kernel refuses in a `struct open_how` (unknown bits, a mode
/// without O_CREAT, a non-zero tail, a size over a page...) husk must
/// refuse with the kernel's errno, and accept what it accepts.
#[test]
fn openat2_refuses_what_the_kernel_refuses() {
    let dir = tree("openat2");
    let a = p(&dir, "a");
    let cases: &[[&str; 5]] = &[
        ["0", "0", "0", "24", "0"],           // plain: ok
        ["0", "0", "0", "32", "0"],           // a larger struct, zero tail: ok
        ["0", "0", "0", "32", "1"],           // non-zero tail: E2BIG
        ["0", "0", "0", "8192", "0"],         // over a page: E2BIG
        ["0", "0", "0", "16", "0"],           // too small: EINVAL
        ["0x80000000", "0", "0", "24", "0"],  // unknown flag bit: EINVAL
        ["0x100000000", "0", "0", "24", "0"], // upper half: EINVAL
        ["0", "0644", "0", "24", "0"],        // mode without O_CREAT: EINVAL
        ["0x40", "010000", "0", "24", "0"],   // O_CREAT, mode past 07777: EINVAL
        ["0", "0", "0x40", "24", "0"],        // unknown RESOLVE_ bit: EINVAL
        ["0", "0", "0x18", "24", "0"],        // BENEATH|IN_ROOT: EINVAL
        ["0x200002", "0", "0", "24", "0"],    // O_PATH|O_RDWR: EINVAL
        ["0x200", "0", "0x20", "24", "0"],    // O_TRUNC|RESOLVE_CACHED: EAGAIN
    ];
    let want: Vec<String> = cases
        .iter()
        .map(|c| {
            let args = [&["openat2", a.as_str()][..], &c[..]].concat();
            let o = run(Command::new(ops()).args(&args), LIMIT);
            assert!(o.success(), "{o:?}");
            o.stdout.trim().to_string()
        })
        .collect();
    assert_eq!(want[0], "ok");
    assert_eq!(want[2], "E2BIG");
    assert_eq!(want[5], "EINVAL");
    let rules = with(
        only("read,write,create,truncate,stat"),
        &[format!("allow/all+{}/***", dir.display())],
    );
    for who in common::everyone() {
        for (case, want) in cases.iter().zip(&want) {
            let args = [&["openat2", a.as_str()][..], &case[..]].concat();
            assert_out(&op(who, &rules, &args), want, who);
        }
    }
}

/// A path longer than PATH_MAX once made absolute is a documented
/// capacity (README): the kernel takes it relative to a deep working
/// directory, husk refuses it with ENAMETOOLONG, in both transports.
#[test]
fn paths_longer_than_path_max_are_refused() {
    let dir = tree("deep");
    // About 4600 bytes below the scratch directory (made step by step:
    // the whole path is too long for one call).
    let d = dir.display().to_string();
    let bare = run(Command::new(ops()).args(["deep", &d, "23", "make"]), LIMIT);
    assert_eq!(bare.stdout.trim(), "ok F", "control: {bare:?}");
    for who in common::everyone() {
        let mut c = husk_as(who);
        c.args(["-m", "sandbox/all:off", "-m", "sandbox/read:on"]);
        c.args(["-m", "allow/read+/***", "--"]);
        c.arg(ops()).args(["deep", &d, "23"]);
        let o = run(&mut c, LIMIT);
        assert_eq!(o.stdout.trim(), "ENAMETOOLONG", "{who:?}: {o:?}");
    }
}

#[test]
fn sending_descriptors_needs_net_sendfd() {
    for who in common::everyone() {
        let dir = tree("sendfd");
        let path = dir.join("recv.sock");
        let receiver = std::os::unix::net::UnixDatagram::bind(&path).unwrap();
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o777)).unwrap();
        }
        receiver
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let sock = path.display().to_string();
        let addr = format!("unix:{sock}");
        let connect = with(only("net"), &[format!("allow/net/connect+{sock}")]);
        let o = op(who, &connect, &["sendfd", &addr]);
        assert_out(&o, "ENOTCONN", who);
        assert!(
            o.stderr.contains(&format!(
                "\"cap\":\"net/sendfd\",\"act\":\"deny\",\"sys\":\"sendmsg\",\"addr\":\"{sock}\""
            )),
            "{o:?}"
        );
        let mut buf = [0u8; 8];
        assert!(
            receiver.recv(&mut buf).is_err(),
            "a message with a denied descriptor arrived"
        );
        let both = with(connect.clone(), &[format!("allow/net/sendfd+{sock}")]);
        assert_out(&op(who, &both, &["sendfd", &addr]), "ok", who);
        assert!(
            receiver.recv(&mut buf).is_ok(),
            "the allowed message did not arrive"
        );
    }
}

#[test]
fn a_denied_udp_sendto_delivers_nothing() {
    for who in common::everyone() {
        let receiver = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        receiver
            .set_read_timeout(Some(Duration::from_millis(300)))
            .unwrap();
        let port = receiver.local_addr().unwrap().port();
        let addr = format!("127.0.0.1:{port}");
        let o = op(who, &only("net"), &["sendto", &addr, "secret"]);
        assert_out(&o, "ENOTCONN", who);
        let mut buf = [0u8; 64];
        assert!(
            receiver.recv(&mut buf).is_err(),
            "a denied datagram arrived"
        );
        // Control: allowed, it arrives.
        let o = op(
            who,
            &with(
                only("net"),
                &[format!("allow/net/connect+127.0.0.1!{port}")],
            ),
            &["sendto", &addr, "hello"],
        );
        assert_out(&o, "ok", who);
        let n = receiver
            .recv(&mut buf)
            .expect("the allowed datagram did not arrive");
        assert_eq!(&buf[..n], b"hello");
        // sendmmsg: every message is checked, and sent as checked.
        let o = op(who, &only("net"), &["sendmmsg", &addr, "secret"]);
        assert_out(&o, "ENOTCONN", who);
        assert!(
            receiver.recv(&mut buf).is_err(),
            "a denied datagram arrived (sendmmsg)"
        );
        let o = op(
            who,
            &with(
                only("net"),
                &[format!("allow/net/connect+127.0.0.1!{port}")],
            ),
            &["sendmmsg", &addr, "twice"],
        );
        assert_out(&o, "ok", who);
        for _ in 0..2 {
            let n = receiver.recv(&mut buf).expect("a datagram did not arrive");
            assert_eq!(&buf[..n], b"twice");
        }
    }
}

#[test]
fn configuration_errors_stop_husk_before_the_command() {
    let dir = tree("config");
    let marker = p(&dir, "ran");
    let touch = format!("touch {marker}");
    let loop_file = dir.join("loop.conf");
    std::fs::write(&loop_file, "include loop.conf\n").unwrap();
    let bad_file = dir.join("bad.conf");
    std::fs::write(&bad_file, "sandbox/all:off\n\nallow/raed+/tmp\n").unwrap();
    let lf = loop_file.display().to_string();
    let bf = bad_file.display().to_string();
    let missing = p(&dir, "missing.conf");
    let nul_file = dir.join("nul.conf");
    std::fs::write(&nul_file, "allow/read+/tmp\0/x\n").unwrap();
    let nf = nul_file.display().to_string();
    // A FIFO nobody writes: reading it would wait for ever.
    let fifo = p(&dir, "fifo.conf");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["-m", "allow/read+relative/path"],
            "-m 'allow/read+relative/path': path pattern 'relative/path' is not absolute".into(),
        ),
        (
            vec!["-m", "allow/reed+/tmp"],
            "unknown category or set in 'reed'".into(),
        ),
        (vec!["-m", "permit/read+/tmp"], "unknown command".into()),
        (
            vec!["-m", "allow/read+/tmp/[oops"],
            "'[' without a closing ']'".into(),
        ),
        (
            vec!["-m", "allow/net/connect+300.0.0.1!80"],
            "bad address pattern".into(),
        ),
        (
            vec!["-m", "allow/read+${HUSK_SURELY_UNSET}/x"],
            "'HUSK_SURELY_UNSET' is not set".into(),
        ),
        (
            vec!["-p", "nonesuch"],
            "-p nonesuch: no such profile".into(),
        ),
        (
            vec!["-P", &missing],
            format!("{missing}: cannot read: ENOENT"),
        ),
        (vec!["-P", &lf], "include loop".into()),
        (
            vec!["-P", &bf],
            format!("{bf}:3: unknown category or set in 'raed'"),
        ),
        // A comment after a rule would become part of its pattern, and
        // the rule would never match.
        (
            vec!["-m", "deny/read+/etc/***   # no reading"],
            "comments go on lines of their own".into(),
        ),
        (vec!["-m", ""], "-m '': empty command".into()),
        (vec!["-P", &nf], format!("{nf}:1: a NUL byte")),
        (
            vec!["-m", "allow/read+${A:-${B}}"],
            "'${' inside '${...}'".into(),
        ),
        (vec!["-P", &fifo], format!("{fifo}: not a regular file")),
    ];
    for (args, message) in cases {
        let mut cmd = Command::new(common::husk());
        cmd.args(&args).args(["--", "sh", "-c", &touch]);
        let o = run(&mut cmd, LIMIT);
        assert_eq!(o.code, Some(125), "{args:?}: {o:?}");
        assert!(
            o.stderr.contains(&message),
            "{args:?}: expected {message:?} in {:?}",
            o.stderr
        );
        assert!(!Path::new(&marker).exists(), "{args:?}: the command ran");
    }
    // Control: the same command with a good policy does run.
    let mut cmd = Command::new(common::husk());
    cmd.args(["-p", "off", "--", "sh", "-c", &touch]);
    assert!(run(&mut cmd, LIMIT).success());
    assert!(Path::new(&marker).exists());
}

#[test]
fn filter_denies_silently_and_warn_allows_with_a_log() {
    for who in common::everyone() {
        let dir = tree("actions");
        let a = p(&dir, "a");
        let o = op(
            who,
            &with(only("read"), &[format!("filter/read+{a}")]),
            &["open", &a, "r"],
        );
        assert_out(&o, "EACCES", who);
        no_log(&o);
        let o = op(
            who,
            &with(only("read"), &[format!("warn/read+{a}")]),
            &["open", &a, "r"],
        );
        assert_out(&o, "ok A", who);
        assert_logged(&o, "read", "warn", &a);
        // kill: only the offending process.
        let o = op(
            who,
            &with(only("read"), &[format!("kill/read+{a}")]),
            &["open", &a, "r"],
        );
        assert_eq!(o.signal, Some(libc::SIGKILL), "{o:?}");
        // -x: every default becomes warn, explicit rules still apply.
        let mut cmd = husk_as(who);
        cmd.args(["-x", "-m", &format!("deny/read+{a}"), "--"])
            .arg(ops())
            .args(["open", &p(&dir, "b"), "r"]);
        let o = run(&mut cmd, LIMIT);
        assert_out(&o, "ok B", who);
        assert_logged(&o, "read", "warn", &p(&dir, "b"));
        let mut cmd = husk_as(who);
        cmd.args(["-x", "-m", &format!("deny/read+{a}"), "--"])
            .arg(ops())
            .args(["open", &a, "r"]);
        assert_out(&run(&mut cmd, LIMIT), "EACCES", who);
    }
}

#[test]
fn exit_action_ends_husk_and_the_sandbox() {
    let dir = tree("exit");
    let a = p(&dir, "a");
    let mut cmd = Command::new(common::husk());
    cmd.args([
        "-m",
        "sandbox/all:off",
        "-m",
        "sandbox/read:on",
        "-m",
        &format!("exit/read+{a}"),
        "--",
    ])
    .arg(ops())
    .args(["open", &a, "r"]);
    let o = run(&mut cmd, LIMIT);
    assert_eq!(o.code, Some(13), "exit uses the errno as the status: {o:?}");
    assert!(o.stdout.is_empty(), "the call returned: {o:?}");
    assert!(o.stderr.contains("\"act\":\"exit\""), "{o:?}");
}

#[test]
fn log_lines_go_to_husk_log_fd() {
    let dir = tree("logfd");
    let a = p(&dir, "a");
    let log = dir.join("log");
    let script = format!(
        "exec 7>{}; HUSK_LOG_FD=7 {} -m sandbox/all:off -m sandbox/read:on -- {} open {a} r",
        log.display(),
        common::husk(),
        ops().display()
    );
    let o = run(Command::new("sh").args(["-c", &script]), LIMIT);
    assert_eq!(o.stdout.trim(), "EACCES", "{o:?}");
    assert!(!o.stderr.contains("\"ctx\""), "logged to stderr: {o:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(text.contains(&format!("\"path\":\"{a}\"")), "{text}");
    // A descriptor that is not open is a configuration error.
    let o = run(
        Command::new(common::husk())
            .env("HUSK_LOG_FD", "77")
            .args(["-p", "off", "--", "true"]),
        LIMIT,
    );
    assert_eq!(o.code, Some(125), "{o:?}");
}

#[test]
fn profiles_run_real_programs() {
    for who in common::everyone() {
        let dir = tree("profiles");
        // linux: a dynamically linked coreutils program reads /etc.
        let mut cmd = husk_as(who);
        cmd.args(["-p", "linux", "--", "cat", "/etc/passwd"])
            .env_remove("LD_LIBRARY_PATH");
        let o = run(&mut cmd, LIMIT);
        assert!(o.success(), "{who:?}: {o:?}");
        assert!(o.stdout.contains("root:"), "{o:?}");
        assert!(
            !o.stderr.contains("\"ctx\""),
            "the linux profile needs more: {o:?}"
        );
        // ro: writing anywhere is refused.
        let mut cmd = husk_as(who);
        cmd.args([
            "-p",
            "linux",
            "-p",
            "ro",
            "-m",
            &format!("allow/read,write,create+{}/***", dir.display()),
            "--",
            "sh",
            "-c",
        ])
        .arg(format!("echo x > {}/new", dir.display()))
        .env_remove("LD_LIBRARY_PATH");
        let o = run(&mut cmd, LIMIT);
        assert!(!o.success(), "{o:?}");
        assert!(!dir.join("new").exists());
        // Printed profiles are plain commands husk accepts back.
        let o = run(
            Command::new(common::husk()).args(["-E", "profile:linux"]),
            LIMIT,
        );
        assert!(o.success());
        let file = dir.join("linux.conf");
        std::fs::write(&file, &o.stdout).unwrap();
        let mut cmd = husk_as(who);
        cmd.arg("-P")
            .arg(&file)
            .args(["--", "cat", "/etc/passwd"])
            .env_remove("LD_LIBRARY_PATH");
        assert!(run(&mut cmd, LIMIT).success());
    }
}
