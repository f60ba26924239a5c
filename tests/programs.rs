//! Real programs under the built-in profiles, as README's recipe runs
//! them: `husk -p user -p cwd -- COMMAND` in a project directory deep
//! under /tmp (the `cwd` profile allows the project and the way to it,
//! `user` the home and temporary directories). Each must do its work
//! with no denial logged, in both transports, as root and as an
//! unprivileged user.

mod common;

use common::{User, Who, run};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// A project directory four levels below a fresh directory in /tmp,
/// with a C program and its Makefile, owned by `user`; and a home.
fn project(who: Who, tag: &str) -> (PathBuf, PathBuf) {
    let top = PathBuf::from(format!(
        "/tmp/husk-{tag}-{}-{}-{:?}",
        std::process::id(),
        who.transport,
        who.user
    ));
    let _ = std::fs::remove_dir_all(&top);
    let dir = top.join("deep/under/the/project");
    let home = top.join("home");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        dir.join("hello.c"),
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("Makefile"),
        "hello: hello.c\n\tcc -o hello hello.c\n",
    )
    .unwrap();
    if who.user == User::Nobody {
        for p in [
            &top,
            &top.join("deep"),
            &top.join("deep/under"),
            &top.join("deep/under/the"),
        ] {
            std::os::unix::fs::chown(p, Some(65534), Some(65534)).unwrap();
        }
        for p in [&dir, &home] {
            chown_tree(p);
        }
    }
    (dir, home)
}

fn chown_tree(p: &Path) {
    std::os::unix::fs::lchown(p, Some(65534), Some(65534)).unwrap();
    if p.is_dir() {
        for e in std::fs::read_dir(p).unwrap() {
            chown_tree(&e.unwrap().path());
        }
    }
}

/// Runs `script` with bash under `-p user -p cwd` in `dir`.
fn sandboxed(who: Who, dir: &Path, home: &Path, script: &str) -> common::Outcome {
    let mut cmd = common::husk_as(who);
    cmd.env_clear()
        .env("PATH", PATH)
        .env("HOME", home)
        .env("LANG", "C")
        .current_dir(dir);
    cmd.args(["-p", "user", "-p", "cwd", "--", "bash", "-c", script]);
    run(&mut cmd, LIMIT)
}

/// Whether `program` is on the sandbox's PATH (the system's own).
fn have(program: &str) -> bool {
    Command::new("sh")
        .env("PATH", PATH)
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The sandbox's PATH.
const PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// Whether a run did its work (`want` on stdout) with no denial logged.
fn clean(o: &common::Outcome, want: &str) -> bool {
    o.success()
        && o.stdout.trim() == want
        && !o.stderr.lines().any(|l| l.contains("\"ctx\":\"access\""))
}

/// The matrix: (program needed, script, what stdout must hold).
const MATRIX: &[(&str, &str, &str)] = &[
    ("make", "make -s && ./hello", "hello"),
    (
        "git",
        "git init -q . && git add hello.c Makefile \
         && git -c user.name=t -c user.email=t@example.org commit -qm init \
         && git log --oneline | wc -l && git status --short hello.c Makefile | wc -l",
        "1\n0",
    ),
    (
        "python3",
        "python3 -c 'import json, os, tempfile; print(json.dumps({\"ok\": os.getcwd() != \"\"}))' \
         && python3 -m venv --without-pip venv && venv/bin/python -c 'print(\"venv\")'",
        "{\"ok\": true}\nvenv",
    ),
    (
        "perl",
        "perl -MFile::Temp=tempfile -e '($fh, $n) = tempfile(); print $fh \"abc\"; \
         close $fh; print -s $n, \"\\n\"; unlink $n'",
        "3",
    ),
    ("sort", "seq 200000 | sort -S 64k -rn | head -1", "200000"),
    (
        "bash",
        "echo abc | tr a-c x-z; cat <<EOF\nhere\nEOF\n\
         diff <(echo same) <(echo same) && echo same",
        "xyz\nhere\nsame",
    ),
    (
        "gzip",
        "tar czf t.tgz hello.c Makefile && tar tzf t.tgz | sort | tr '\\n' ' '",
        "Makefile hello.c",
    ),
];

#[test]
fn real_programs_run_under_the_profiles() {
    for who in common::everyone() {
        let (dir, home) = project(who, "programs");
        for (program, script, want) in MATRIX {
            if !have(program) {
                println!("note: {program} is not installed: skipped");
                continue;
            }
            let o = sandboxed(who, &dir, &home, script);
            assert!(clean(&o, want), "{who:?} {program}: {o:?}");
        }
        let _ = std::fs::remove_dir_all(dir.ancestors().nth(4).unwrap());
    }
}

/// Learning mode: `husk -o FILE -p linux -- COMMAND` runs the command
/// allowing what the profile does not, and writes a policy with which
/// `husk -p linux -P FILE -- COMMAND` runs it again, in a fresh copy of
/// the project, with no denial.
#[test]
fn a_learned_policy_runs_the_programs_again() {
    for who in common::everyone() {
        for (program, script, want) in MATRIX {
            if !have(program) {
                continue;
            }
            let (dir, home) = project(who, "learned");
            let policy = home.join("learned.conf");
            let learn = |extra: &[&str]| {
                let mut cmd = common::husk_as(who);
                cmd.env_clear()
                    .env("PATH", PATH)
                    .env("HOME", &home)
                    .env("LANG", "C")
                    .current_dir(&dir);
                cmd.args(extra).args(["-p", "linux"]);
                cmd.args(["--", "bash", "-c", script]);
                run(&mut cmd, LIMIT)
            };
            let o = learn(&["-o", policy.to_str().unwrap()]);
            assert!(
                o.success() && o.stdout.trim() == *want,
                "{who:?} {program}: learning: {o:?}"
            );
            let text = std::fs::read_to_string(&policy).unwrap();
            // A fresh project at the same place, and the policy kept.
            let keep = std::fs::read(&policy).unwrap();
            let (dir2, _) = project(who, "learned");
            assert_eq!(dir, dir2);
            std::fs::write(&policy, keep).unwrap();
            let o = learn(&["-P", policy.to_str().unwrap()]);
            assert!(
                clean(&o, want),
                "{who:?} {program}: with the learned policy:\n{text}\n{o:?}"
            );
            let _ = std::fs::remove_dir_all(dir.ancestors().nth(4).unwrap());
        }
    }
}
