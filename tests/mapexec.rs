//! Code from a file that runs without an `execve` of it: the dynamic
//! loader asked to run a program (`ld.so PROG`), and a file mapped
//! executable (`mmap` with `PROT_EXEC`, `mprotect` adding it). Each is
//! checked as `exec` of the file, in both transports, as root and as
//! `nobody`; each attack is first shown to work without husk, and the
//! same run under husk with the file allowed shows husk denies only what
//! the policy denies.

mod common;

use common::{User, c_program_static, run, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);

fn mapexec() -> PathBuf {
    c_program_static("mapexec")
}

/// D with `bin/forbidden` and `bin/ok`, copies of a dynamically linked
/// program that prints its uid (`id -u`).
fn tree(name: &str, user: User) -> PathBuf {
    let dir = scratch(name);
    std::fs::create_dir(dir.join("bin")).unwrap();
    for f in ["bin/forbidden", "bin/ok"] {
        std::fs::copy("/usr/bin/id", dir.join(f)).unwrap();
    }
    common::hand_over(&dir, user);
    dir
}

/// The policy, in short: everything under D, but `bin/forbidden`
/// may not run.
fn husk(user: User, transport: &str, dir: &Path, deny: bool) -> Command {
    let d = dir.display();
    let mut c = common::as_user(user, common::husk());
    c.args(["-m", &format!("trace/transport:{transport}")]);
    c.args(["-p", "linux", "-m", &format!("allow/all+{d}/***")]);
    if deny {
        c.args(["-m", &format!("deny/exec+{d}/bin/forbidden")]);
    }
    c.args(["-m", &format!("allow/exec,stat+{}", mapexec().display())]);
    c.arg("--");
    c
}

/// The dynamic loader of this system's programs (`PT_INTERP`).
fn loader() -> String {
    let out = Command::new("readelf")
        .args(["-lW", "/usr/bin/id"])
        .output()
        .expect("readelf (binutils) is needed");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.contains("program interpreter"))
        .expect("/usr/bin/id is dynamically linked");
    let start = line.find(": ").unwrap() + 2;
    line[start..].trim_end_matches(']').to_string()
}

#[test]
fn the_loader_does_not_run_a_denied_program() {
    let ld = loader();
    for user in common::users() {
        let dir = tree(&format!("loader-{user:?}"), user);
        let prog = dir.join("bin/forbidden");
        // Without husk the loader runs it.
        let bare = run(common::as_user(user, &ld).arg(&prog).arg("-u"), LIMIT);
        assert!(bare.success() && !bare.stdout.trim().is_empty(), "{bare:?}");
        for transport in common::transports() {
            let who = format!("{user:?}, {transport}");
            let o = run(
                husk(user, transport, &dir, true)
                    .arg(&ld)
                    .arg(&prog)
                    .arg("-u"),
                LIMIT,
            );
            assert!(!o.success(), "{who}: the denied program ran: {o:?}");
            assert!(o.stdout.trim().is_empty(), "{who}: {o:?}");
            assert!(
                o.stderr.contains("\"cap\":\"exec\"") && o.stderr.contains("\"sys\":\"mmap\""),
                "{who}: no exec denial of the mapping logged: {o:?}"
            );
            // Allowed, it runs: the denial was the policy's.
            let o = run(
                husk(user, transport, &dir, false)
                    .arg(&ld)
                    .arg(&prog)
                    .arg("-u"),
                LIMIT,
            );
            assert!(
                o.success() && o.stdout.trim() == bare.stdout.trim(),
                "{who}: {o:?}"
            );
            // And running it as usual is denied as before.
            let o = run(
                husk(user, transport, &dir, true).arg(&prog).arg("-u"),
                LIMIT,
            );
            assert_eq!(o.code, Some(126), "{who}: {o:?}");
        }
    }
}

#[test]
fn executable_mappings_of_a_denied_file_are_refused() {
    for user in common::users() {
        let dir = tree(&format!("mappings-{user:?}"), user);
        let forbidden = dir.join("bin/forbidden");
        let ok = dir.join("bin/ok");
        for mode in ["mmap", "mprotect"] {
            let bare = run(
                common::as_user(user, mapexec()).arg(mode).arg(&forbidden),
                LIMIT,
            );
            assert_eq!(bare.stdout.trim(), "mapped", "{mode} bare: {bare:?}");
            for transport in common::transports() {
                let who = format!("{mode}, {user:?}, {transport}");
                let o = run(
                    husk(user, transport, &dir, true)
                        .arg(mapexec())
                        .arg(mode)
                        .arg(&forbidden),
                    LIMIT,
                );
                assert!(o.success(), "{who}: {o:?}");
                assert_eq!(o.stdout.trim(), "EACCES", "{who}: {o:?}");
                let o = run(
                    husk(user, transport, &dir, true)
                        .arg(mapexec())
                        .arg(mode)
                        .arg(&ok),
                    LIMIT,
                );
                assert_eq!(o.stdout.trim(), "mapped", "{who}, allowed file: {o:?}");
            }
        }
        // Anonymous memory is the program's own: a JIT keeps working.
        for transport in common::transports() {
            let o = run(
                husk(user, transport, &dir, true).arg(mapexec()).arg("anon"),
                LIMIT,
            );
            assert_eq!(o.stdout.trim(), "mapped", "{user:?}, {transport}: {o:?}");
        }
    }
}

/// The ELF interpreter the kernel loads with a program (`PT_INTERP`:
/// mapped by `execve` itself, with no `mmap` to check) is checked as
/// `exec` at the exec event: a program whose loader may not run is
/// killed before its first instruction. (Found by the boot test's musl
/// root, where the loader is the whole C library: tests/boot/musl.sh.)
#[test]
fn the_elf_interpreter_is_checked_as_exec() {
    let ld = std::fs::canonicalize(loader()).unwrap();
    for user in common::users() {
        let dir = tree(&format!("interp-{user:?}"), user);
        let prog = dir.join("bin/ok");
        for transport in common::transports() {
            let who = format!("{user:?}, {transport}");
            let d = dir.display();
            let mut c2 = common::as_user(user, common::husk());
            c2.args(["-m", &format!("trace/transport:{transport}")]);
            c2.args(["-p", "linux", "-m", &format!("allow/all+{d}/***")]);
            c2.args(["-m", &format!("deny/exec+{}", ld.display())]);
            c2.arg("--").arg(&prog).arg("-u");
            let o = run(&mut c2, LIMIT);
            assert!(!o.success(), "{who}: ran with its loader denied: {o:?}");
            assert!(o.stdout.trim().is_empty(), "{who}: {o:?}");
            assert!(
                o.stderr.contains("\"cap\":\"exec\"")
                    && o.stderr.contains(&format!("\"path\":\"{}\"", ld.display())),
                "{who}: no exec denial of the loader logged: {o:?}"
            );
            // The loader allowed (the linux profile), it runs.
            let o = run(
                husk(user, transport, &dir, false).arg(&prog).arg("-u"),
                LIMIT,
            );
            assert!(o.success() && !o.stdout.trim().is_empty(), "{who}: {o:?}");
        }
    }
}
