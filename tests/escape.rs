//! Escapes through the sandbox filter. Each attack is first run bare,
//! where it must work (so the test can fail), then under husk, where it
//! must not.

mod common;

use common::{User, am_root, as_user, c_program, run, transports, users};
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(30);
const SIGSYS: i32 = 31;

fn bare(args: &[&str]) -> common::Outcome {
    run(Command::new(c_program("escape")).args(args), LIMIT)
}

fn sandboxed(args: &[&str]) -> common::Outcome {
    // A permissive policy: the filter alone stands in the way.
    run(
        Command::new(common::husk())
            .args(["-p", "off", "--"])
            .arg(c_program("escape"))
            .args(args),
        LIMIT,
    )
}

fn works_bare(args: &[&str]) {
    let o = bare(args);
    assert!(
        o.success() && o.stdout.contains("ESCAPED"),
        "the attack does not even work without husk: {o:?}"
    );
}

fn blocked(args: &[&str]) -> common::Outcome {
    let o = sandboxed(args);
    assert!(!o.stdout.contains("ESCAPED"), "escaped under husk: {o:?}");
    o
}

#[test]
#[cfg(target_arch = "x86_64")]
fn open_through_int_0x80_is_killed() {
    works_bare(&["int80", "/etc/hostname"]);
    let o = blocked(&["int80", "/etc/hostname"]);
    // The command dies of SIGSYS, and husk of the same signal.
    assert_eq!(o.signal, Some(SIGSYS), "{o:?}");
    assert!(!o.stdout.contains("read"), "the file was read: {o:?}");
}

#[test]
#[cfg(target_arch = "x86_64")]
fn open_through_the_x32_bit_is_killed() {
    // Most kernels are built without x32, where the call fails with
    // ENOSYS bare: the attack cannot be shown to work here, but husk
    // must still kill the caller (a different, observable outcome).
    let o = bare(&["x32", "/etc/hostname"]);
    let x32_kernel = o.stdout.contains("ESCAPED");
    assert!(
        x32_kernel || o.stdout.contains("Function not implemented"),
        "{o:?}"
    );
    let o = blocked(&["x32", "/etc/hostname"]);
    assert_eq!(o.signal, Some(SIGSYS), "{o:?}");
}

#[test]
fn io_uring_setup_is_refused() {
    works_bare(&["io_uring"]);
    let o = blocked(&["io_uring"]);
    assert_eq!(o.code, Some(1), "{o:?}");
    assert!(o.stdout.contains("Function not implemented"), "{o:?}");
}

#[test]
fn ptrace_attach_of_a_sibling_is_refused() {
    works_bare(&["ptrace-attach"]);
    let o = blocked(&["ptrace-attach"]);
    assert!(
        o.stdout
            .contains("blocked: PTRACE_ATTACH: Operation not permitted"),
        "{o:?}"
    );
}

#[test]
fn process_vm_writev_is_refused() {
    works_bare(&["vm-write"]);
    let o = blocked(&["vm-write"]);
    assert!(
        o.stdout
            .contains("blocked: process_vm_writev: Operation not permitted"),
        "{o:?}"
    );
}

/// Another process's memory (husk's, or any process of the user's
/// outside the sandbox) is never read: the filter refuses the call.
#[test]
fn process_vm_readv_is_refused() {
    refused_everywhere(
        &["vm-read"],
        "blocked: process_vm_readv: Operation not permitted",
    );
}

#[test]
fn stacking_a_seccomp_filter_is_refused() {
    // Bare, the filter installs and the next call dies of SIGSYS.
    let o = bare(&["seccomp-trap"]);
    assert_eq!(
        o.signal,
        Some(SIGSYS),
        "the stacked filter did not take effect bare: {o:?}"
    );
    let o = blocked(&["seccomp-trap"]);
    assert!(
        o.stdout
            .contains("blocked: seccomp(SET_MODE_FILTER): Operation not permitted"),
        "{o:?}"
    );
}

#[test]
fn ptrace_traceme_succeeds_and_attaches_nothing() {
    works_bare(&["traceme"]);
    let o = blocked(&["traceme"]);
    assert!(o.stdout.contains("PTRACE_TRACEME returned 0"), "{o:?}");
}

/// A sandboxed root process that gives up root must not get root's
/// file access back through husk, which performs file calls itself in
/// notify mode (as root). Runs only as root.
#[test]
fn dropped_privileges_stay_dropped_when_husk_performs_the_calls() {
    if !std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
    {
        eprintln!("note: not root: nothing to drop");
        return;
    }
    if !std::path::Path::new("/usr/bin/setpriv").exists()
        && !std::path::Path::new("/bin/setpriv").exists()
    {
        eprintln!("note: no setpriv here: cannot drop privileges");
        return;
    }
    use std::os::unix::fs::PermissionsExt;
    let dir = common::scratch("dropped");
    let secret = dir.join("secret");
    std::fs::write(&secret, "SECRET\n").unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let made = dir.join("made");
    let script = format!(
        "cat {s}; mkdir {m} && stat -c %U {m}; test -w {s} && echo writable",
        s = secret.display(),
        m = made.display()
    );
    let drop_to_nobody = |cmd: &mut Command| {
        cmd.args([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "sh",
            "-c",
            &script,
        ]);
    };
    // Control: root itself may read the file, and bare the dropped
    // process may not.
    assert!(std::fs::read_to_string(&secret).unwrap().contains("SECRET"));
    let mut bare = Command::new("env");
    drop_to_nobody(&mut bare);
    let b = run(&mut bare, LIMIT);
    assert!(!b.stdout.contains("SECRET"), "{b:?}");
    assert!(b.stdout.contains("nobody"), "{b:?}");
    std::fs::remove_dir(&made).unwrap();
    for transport in ["ptrace", "notify"] {
        let mut cmd = Command::new(common::husk());
        cmd.args([
            "-m",
            &format!("trace/transport:{transport}"),
            "-m",
            "sandbox/all:on",
            "-m",
            "allow/all+/***",
            "--",
        ]);
        drop_to_nobody(&mut cmd);
        let o = run(&mut cmd, LIMIT);
        assert!(
            !o.stdout.contains("SECRET"),
            "{transport}: read as root: {o:?}"
        );
        assert!(!o.stdout.contains("writable"), "{transport}: {o:?}");
        assert!(o.stderr.contains("Permission denied"), "{transport}: {o:?}");
        assert!(
            o.stdout.contains("nobody"),
            "{transport}: created as someone else: {o:?}"
        );
        std::fs::remove_dir(&made).unwrap();
    }
}

fn bare_as(user: User, args: &[&str]) -> common::Outcome {
    run(as_user(user, c_program("escape")).args(args), LIMIT)
}

fn sandboxed_as(user: User, transport: &str, args: &[&str]) -> common::Outcome {
    run(
        as_user(user, common::husk())
            .args(["-m", &format!("trace/transport:{transport}")])
            .args(["-p", "off", "--"])
            .arg(c_program("escape"))
            .args(args),
        LIMIT,
    )
}

/// Runs `args` bare (it must escape) and under husk in every transport,
/// as every user: it must not, and must print `refusal`.
fn refused_everywhere(args: &[&str], refusal: &str) {
    for user in users() {
        let b = bare_as(user, args);
        assert!(
            b.success() && b.stdout.contains("ESCAPED"),
            "{user:?}: the attack does not even work without husk: {b:?}"
        );
        for transport in transports() {
            let o = sandboxed_as(user, transport, args);
            assert!(
                !o.stdout.contains("ESCAPED"),
                "{user:?} {transport}: escaped under husk: {o:?}"
            );
            assert!(
                o.code == Some(1) && o.stdout.contains(refusal),
                "{user:?} {transport}: {o:?}"
            );
        }
    }
}

/// A child cloned with CLONE_UNTRACED would be out of the tracer's
/// sight: no exec-event re-check, and no PTRACE_O_EXITKILL when husk
/// dies. The filter refuses the flag.
#[test]
fn an_untraced_clone_is_refused() {
    refused_everywhere(
        &["clone-untraced"],
        "blocked: clone(CLONE_UNTRACED): Operation not permitted",
    );
}

/// clone3 keeps its flags in memory, where the filter cannot look: it
/// is refused whole, with the ENOSYS that makes a libc fall back to
/// clone (the control test below relies on that).
#[test]
fn an_untraced_clone3_is_refused() {
    refused_everywhere(
        &["clone3-untraced"],
        "blocked: clone3(CLONE_UNTRACED): Function not implemented",
    );
}

/// Control: ordinary process and thread creation still works under
/// husk (glibc's pthread_create and posix_spawn try clone3 first), and
/// every child is traced.
#[test]
fn fork_clone_threads_and_spawn_still_work_and_are_traced() {
    for user in users() {
        for transport in transports() {
            let o = sandboxed_as(user, transport, &["clone-plain"]);
            assert!(o.success(), "{user:?} {transport}: {o:?}");
            for line in ["clone child TracerPid ", "fork child TracerPid "] {
                let tracer: i64 = o
                    .stdout
                    .lines()
                    .find_map(|l| l.strip_prefix(line))
                    .unwrap_or_else(|| panic!("{user:?} {transport}: no {line:?}: {o:?}"))
                    .parse()
                    .unwrap();
                assert!(tracer > 0, "{user:?} {transport}: untraced child: {o:?}");
            }
            assert!(o.stdout.contains("thread ran"), "{o:?}");
            assert!(o.stdout.contains("posix_spawn status 0"), "{o:?}");
        }
    }
}

/// A process sitting in namespaces of its own, killed when dropped.
struct Target(std::process::Child);

impl Target {
    /// Root gets a mount namespace (`unshare -m`); anyone else, and
    /// `nobody`, a user namespace owning one (`unshare -Urm`). Returns
    /// the target and the namespaces to join, or None where this kernel
    /// or system refuses to make them.
    fn start(user: User) -> Option<(Target, &'static str)> {
        let privileged = user == User::Me && am_root();
        let (args, ns, which): (&[&str], _, _) = if privileged {
            (&["-m", "sleep", "30"], "mnt", "mnt")
        } else {
            (&["-Urm", "sleep", "30"], "user", "user+mnt")
        };
        // unshare execs sleep in the same process: its pid is ours.
        let child = as_user(user, "unshare")
            .args(args)
            .current_dir("/")
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let target = Target(child);
        let pid = target.0.id();
        let mine = std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap();
        for _ in 0..200 {
            match std::fs::read_link(format!("/proc/{pid}/ns/{ns}")) {
                Ok(theirs) if theirs != mine => return Some((target, which)),
                Ok(_) => {}
                // Gone: unshare failed (unprivileged namespaces off).
                Err(_) => break,
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        eprintln!("note: {user:?}: cannot make a {ns} namespace here: setns test skipped");
        None
    }
}

impl Drop for Target {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// setns into another process's namespaces would make husk resolve
/// the caller's paths in namespaces it is no longer in. The test makes
/// the target itself, through a pidfd and through /proc/PID/ns.
#[test]
fn setns_into_another_process_is_refused() {
    for user in users() {
        let Some((target, which)) = Target::start(user) else {
            continue;
        };
        let pid = target.0.id().to_string();
        for how in ["pidfd", "nsfd"] {
            let args = ["setns", how, &pid, which];
            let b = bare_as(user, &args);
            assert!(
                b.success() && b.stdout.contains("ESCAPED"),
                "{user:?} {how}: the attack does not even work without husk: {b:?}"
            );
            for transport in transports() {
                let o = sandboxed_as(user, transport, &args);
                assert!(
                    !o.stdout.contains("ESCAPED"),
                    "{user:?} {transport} {how}: escaped under husk: {o:?}"
                );
                // Refused by the filter; or, through /proc/PID/ns, even
                // before: the Landlock domain the sandbox runs in (for
                // signals) bars ptrace-mode access to any process outside.
                let refused = o.stdout.contains("blocked: setns: Operation not permitted")
                    || (how == "nsfd" && o.stdout.contains(": Permission denied"));
                assert!(
                    o.code == Some(1) && refused,
                    "{user:?} {transport} {how}: {o:?}"
                );
            }
        }
        drop(target);
    }
}
