//! Attacks on how husk names the objects it decides on
//! (`tests/c/objects.c`): a file that lost its name, whose kernel text
//! `PATH (deleted)` the sandboxed program gives to a look-alike of its
//! own (an exec-denied program run through its descriptor, a read- or
//! write-denied file reopened through `/proc/self/fd`, a removed
//! working directory); an object that changes type, or appears, between
//! the check and the call (races); a check that opens what it checks (a
//! FIFO); and a listener that would be handed every file others open
//! (fanotify).
//!
//! Every attack has a control showing it works where nothing stops it
//! (no sandbox, or ptrace mode for a documented time-of-check limit), so
//! each test can fail; under husk it runs in both transports (notify
//! where the kernel has it), as root and, where `setpriv` exists, as
//! `nobody`. Races run in notify mode only (ptrace is their control).
//!
//! `HUSK_BIN=/path/to/husk` runs the attacks against another husk
//! binary (an older build, to see them win); unset, the husk built
//! with these tests.

mod common;

use common::{User, Who, c_program_static, run, scratch};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// A run that takes longer than this hangs.
const LIMIT: Duration = Duration::from_secs(30);
/// How long a notify-mode race keeps trying.
const ATTACK_SECONDS: f64 = 2.0;
/// The most a control race tries before it must have got through.
const CONTROL_SECONDS: f64 = 5.0;

/// One attack at a time: the races need every core.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn objects() -> PathBuf {
    c_program_static("objects")
}

fn p(dir: &Path, rel: &str) -> String {
    format!("{}/{rel}", dir.display())
}

/// The scratch directory, as the attack program takes it.
fn d(dir: &Path) -> String {
    dir.display().to_string()
}

fn set_mode(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The scratch tree every attack uses, all of it open to `nobody`:
/// `bin/forbidden` and `bin/ok` (copies of the attack program),
/// `secret/k` ("SECRET"), `ro/w` ("RO", with a hard link `ro/w.alias`
/// to look at it by), `pub/x` ("PUBLIC"), an empty `wd/`, `t/p` (a
/// directory) and `t/f` ("SECRET"), `keep/precious` ("PRECIOUS"), an
/// empty `tmp/`.
fn tree(name: &str) -> PathBuf {
    let dir = scratch(name);
    for d in [
        "bin", "secret", "ro", "pub", "wd", "t", "t/p", "keep", "tmp",
    ] {
        std::fs::create_dir(dir.join(d)).unwrap();
        set_mode(&dir.join(d), 0o777);
    }
    for b in ["bin/forbidden", "bin/ok"] {
        std::fs::copy(objects(), dir.join(b)).unwrap();
        set_mode(&dir.join(b), 0o755);
    }
    // Writable by all, so that `nobody` may hard-link them
    // (fs.protected_hardlinks); the policy is what must stop it.
    for (f, text) in [
        ("secret/k", "SECRET"),
        ("ro/w", "RO"),
        ("pub/x", "PUBLIC"),
        ("t/f", "SECRET"),
        ("keep/precious", "PRECIOUS"),
    ] {
        std::fs::write(dir.join(f), text).unwrap();
        set_mode(&dir.join(f), 0o666);
    }
    std::fs::hard_link(dir.join("ro/w"), dir.join("ro/w.alias")).unwrap();
    dir
}

/// The policy: everything in D, but secret/ may not be read or
/// seen, ro/ not written, bin/forbidden not run; plus `more`.
fn rules(dir: &Path, more: &[String]) -> Vec<String> {
    let mut r = vec![
        format!("allow/exec,read,stat+{}", objects().display()),
        format!("allow/all+{}", p(dir, "***")),
        format!("deny/read,stat+{}", p(dir, "secret/***")),
        format!("deny/write+{}", p(dir, "ro/***")),
        format!("deny/exec+{}", p(dir, "bin/forbidden")),
    ];
    r.extend_from_slice(more);
    r
}

/// `objects ARGS` under husk with `rules(dir, more)`, as `who`.
fn husk(who: Who, dir: &Path, more: &[String], args: &[&str]) -> Command {
    let mut c = common::husk_as(who);
    c.args(["-p", "linux"]);
    for r in rules(dir, more) {
        c.arg("-m").arg(r);
    }
    c.arg("--").arg(objects()).args(args);
    c
}

fn sandboxed(who: Who, dir: &Path, more: &[String], args: &[&str]) -> common::Outcome {
    let o = run(&mut husk(who, dir, more, args), LIMIT);
    eprintln!("{who:?} {args:?}: {:?}", o.stdout.trim());
    o
}

fn bare(args: &[&str]) -> common::Outcome {
    let o = run(Command::new(objects()).args(args), LIMIT);
    eprintln!("bare {args:?}: {:?}", o.stdout.trim());
    o
}

/// The one result line of a finished run.
fn line(o: &common::Outcome) -> &str {
    assert!(o.success(), "the attack did not finish cleanly: {o:?}");
    o.stdout.trim()
}

/// An errno name, as the attack program prints a refused call.
fn is_errno(word: &str) -> bool {
    word.len() > 1 && word.starts_with('E') && word.bytes().all(|b| b.is_ascii_uppercase())
}

#[test]
fn exec_of_a_deleted_denied_program_through_its_descriptor() {
    let _serial = serial();
    for how in ["execveat", "proc-fd"] {
        for decoy in ["symlink", "file"] {
            let args = |dir: &Path| ["exec-deleted".into(), d(dir), how.into(), decoy.into()];
            let dir = tree("exec-deleted-bare");
            let a = args(&dir);
            let a: Vec<&str> = a.iter().map(String::as_str).collect();
            let o = bare(&a);
            assert_eq!(line(&o), "ESCAPED ran forbidden", "control: {o:?}");
            for who in common::everyone() {
                let dir = tree("exec-deleted");
                let a = args(&dir);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                let o = sandboxed(who, &dir, &[], &a);
                let l = line(&o);
                // Refused at the call, or killed at the exec event.
                assert!(
                    is_errno(l) || l.starts_with("killed"),
                    "{who:?} {how} {decoy}: the exec-denied program ran: {o:?}"
                );
            }
        }
    }
}

#[test]
fn reopen_of_a_deleted_read_denied_file_through_proc_fd() {
    let _serial = serial();
    // stat allowed in secret/, so that the O_PATH open works.
    let more = |dir: &Path| vec![format!("allow/stat+{}", p(dir, "secret/***"))];
    let dir = tree("reopen-read-bare");
    let o = bare(&["reopen-read", &d(&dir)]);
    assert!(
        line(&o).starts_with("ESCAPED read SECRET"),
        "control: {o:?}"
    );
    for who in common::everyone() {
        let dir = tree("reopen-read");
        let o = sandboxed(who, &dir, &more(&dir), &["reopen-read", &d(&dir)]);
        let l = line(&o);
        assert!(!l.contains("SECRET"), "{who:?}: the secret was read: {o:?}");
        // Nor the look-alike's target: the call names the secret, and
        // is refused (a husk that decided on the look-alike's text and
        // then opened that path read pub/x instead).
        let first = l.split_whitespace().next().unwrap_or_default();
        assert!(is_errno(first), "{who:?}: not refused: {o:?}");
    }
}

#[test]
fn reopen_of_a_deleted_write_denied_file_through_proc_fd() {
    let _serial = serial();
    let dir = tree("reopen-write-bare");
    let o = bare(&["reopen-write", &d(&dir)]);
    assert_eq!(line(&o), "ESCAPED wrote ro/w", "control: {o:?}");
    assert_eq!(
        std::fs::read_to_string(dir.join("ro/w.alias")).unwrap(),
        "PWNED"
    );
    for who in common::everyone() {
        let dir = tree("reopen-write");
        let o = sandboxed(who, &dir, &[], &["reopen-write", &d(&dir)]);
        let l = line(&o);
        assert!(is_errno(l), "{who:?}: not refused: {o:?}");
        assert_eq!(
            std::fs::read_to_string(dir.join("ro/w.alias")).unwrap(),
            "RO",
            "{who:?}: the write-denied file was written"
        );
        // Allowed, but not what the call named: a husk that acts on
        // the look-alike's text writes there.
        assert_eq!(
            std::fs::read_to_string(dir.join("pub/x")).unwrap(),
            "PUBLIC",
            "{who:?}: the look-alike's target was written instead"
        );
    }
}

#[test]
fn removed_working_directory_is_not_its_look_alike() {
    let _serial = serial();
    let want = "open=ENOENT mkdir=ENOENT symlink=ENOENT";
    let lookalike = |dir: &Path| {
        std::fs::read_dir(dir.join("wd (deleted)"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect::<Vec<_>>()
    };
    let dir = tree("gone-cwd-bare");
    let o = bare(&["gone-cwd", &d(&dir)]);
    assert_eq!(line(&o), want, "control: {o:?}");
    assert!(lookalike(&dir).is_empty());
    for who in common::everyone() {
        let dir = tree("gone-cwd");
        let o = sandboxed(who, &dir, &[], &["gone-cwd", &d(&dir)]);
        assert_eq!(line(&o), want, "{who:?}: {o:?}");
        assert!(
            lookalike(&dir).is_empty(),
            "{who:?}: made in the look-alike: {:?}",
            lookalike(&dir)
        );
    }
}

/// What one race counted.
#[derive(Debug, Default)]
struct Tally {
    attempts: u64,
    ok: u64,
    leaked: u64,
    refused: u64,
    swaps: u64,
    swapfails: u64,
}

fn tally(o: &common::Outcome) -> Tally {
    let l = line(o);
    let mut t = Tally::default();
    for field in l.split_whitespace() {
        let (k, v) = field.split_once('=').unwrap_or_else(|| panic!("{l:?}"));
        let v: u64 = v.parse().unwrap_or_else(|_| panic!("{l:?}"));
        match k {
            "attempts" => t.attempts = v,
            "ok" => t.ok = v,
            "leaked" => t.leaked = v,
            "refused" => t.refused = v,
            "swaps" => t.swaps = v,
            "swapfails" => t.swapfails = v,
            _ => panic!("unknown field in {l:?}"),
        }
    }
    assert!(t.attempts > 0, "no attempts: {o:?}");
    t
}

/// Runs race `mode` bare (`who` None) or under husk, with `more` rules.
fn race(who: Option<Who>, mode: &str, more: &[String], seconds: f64, first: bool) -> Tally {
    let dir = tree(mode);
    let mut args = vec![mode.to_string(), d(&dir), seconds.to_string()];
    if first {
        args.push("first".into());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let more: Vec<String> = more.iter().map(|r| r.replace("{D}", &d(&dir))).collect();
    let o = match who {
        Some(who) => sandboxed(who, &dir, &more, &args),
        None => bare(&args),
    };
    let t = tally(&o);
    if mode == "delete-race" && t.leaked == 0 {
        // Nothing lost: the precious file is at one of its two places.
        let at = |rel: &str| std::fs::read_to_string(dir.join(rel)).unwrap_or_default();
        assert!(
            at("keep/precious") == "PRECIOUS" || at("tmp/elsewhere") == "PRECIOUS",
            "{who:?}: the precious file is gone, uncounted"
        );
    }
    t
}

/// In notify mode as root and as nobody (`ATTACK_SECONDS` each).
fn notify_users() -> Vec<Who> {
    if !common::notify_available("notify race test") {
        return Vec::new();
    }
    common::users()
        .into_iter()
        .map(|user| Who {
            user,
            transport: "notify",
        })
        .collect()
}

const PTRACE_ROOT: Who = Who {
    user: User::Me,
    transport: "ptrace",
};

/// `open(t/p, O_RDONLY)` is `readdir` for a directory and `read` for a
/// file; t/ may be listed, not read. A thread exchanges t/p (a
/// directory) with t/f (a file holding "SECRET").
const TYPE_SWAP: &str = "deny/read+{D}/t/***";

#[test]
fn type_swap_never_reads_the_file_in_notify_mode() {
    let _serial = serial();
    for who in notify_users() {
        let t = race(
            Some(who),
            "type-swap",
            &[TYPE_SWAP.into()],
            ATTACK_SECONDS,
            false,
        );
        assert_eq!(t.leaked, 0, "{who:?}: the read-denied file was read: {t:?}");
        assert!(t.swaps > 0, "{who:?}: the exchange never ran: {t:?}");
        assert!(t.ok > 0, "{who:?}: never opened the directory: {t:?}");
        assert!(t.refused > 0, "{who:?}: never met the file: {t:?}");
    }
}

/// Controls: with no sandbox the swap reads the file at once; ptrace
/// mode lets the kernel resolve the path again after the check (the
/// documented time-of-check limit), so it reads it too.
#[test]
fn type_swap_control_reads_the_file() {
    let _serial = serial();
    let t = race(None, "type-swap", &[], CONTROL_SECONDS, true);
    assert!(t.leaked > 0, "bare: {t:?}");
    let t = race(
        Some(PTRACE_ROOT),
        "type-swap",
        &[TYPE_SWAP.into()],
        CONTROL_SECONDS,
        true,
    );
    assert!(t.leaked > 0, "ptrace: {t:?}");
}

/// Nothing at keep/precious may be deleted, so neither replaced by a
/// rename. The rule names a path, not a file: moving the file elsewhere
/// is allowed (and so is deleting it there). A thread moves it to
/// tmp/elsewhere and back, never replacing anything; main renames junk
/// onto keep/precious, which may be decided while the path is free and
/// performed once the file is back. Lost: the file's link count is 0.
const DELETE_RACE: &str = "deny/delete+{D}/keep/***";

#[test]
fn delete_race_never_replaces_a_delete_denied_file_in_notify_mode() {
    let _serial = serial();
    for who in notify_users() {
        let t = race(
            Some(who),
            "delete-race",
            &[DELETE_RACE.into()],
            ATTACK_SECONDS,
            false,
        );
        assert_eq!(
            t.leaked, 0,
            "{who:?}: the precious file was replaced: {t:?}"
        );
        assert!(t.ok > 0, "{who:?}: never renamed onto the free path: {t:?}");
        assert!(t.refused > 0, "{who:?}: never met the precious file: {t:?}");
    }
}

#[test]
fn delete_race_control_replaces_the_file() {
    let _serial = serial();
    let t = race(None, "delete-race", &[], CONTROL_SECONDS, true);
    assert!(t.leaked > 0, "bare: {t:?}");
    let t = race(
        Some(PTRACE_ROOT),
        "delete-race",
        &[DELETE_RACE.into()],
        CONTROL_SECONDS,
        true,
    );
    assert!(t.leaked > 0, "ptrace: {t:?}");
}

/// An exec of a FIFO fails in the kernel with EACCES; a husk that opened
/// it to look for `#!` waited there for a writer, and with enough of
/// them every worker waited: the sandbox froze.
#[test]
fn exec_of_a_fifo_does_not_freeze_husk() {
    let _serial = serial();
    let want = "execs EACCES=20 other=0 pending=0 open=ok";
    let dir = tree("fifo-exec-bare");
    let o = bare(&["fifo-exec", &d(&dir)]);
    assert_eq!(line(&o), want, "control: {o:?}");
    for who in common::everyone() {
        let dir = tree("fifo-exec");
        // A short deadline: a frozen husk ignores SIGTERM, and `run`
        // kills it when this passes.
        let o = run(
            &mut husk(who, &dir, &[], &["fifo-exec", &d(&dir)]),
            Duration::from_secs(10),
        );
        eprintln!("{who:?}: {:?} in {:?}", o.stdout.trim(), o.elapsed);
        assert_eq!(line(&o), want, "{who:?}: {o:?}");
        assert!(o.elapsed < Duration::from_secs(5), "{who:?}: slow: {o:?}");
    }
}

/// Whether this process has CAP_SYS_ADMIN (fanotify_init needs it).
fn has_sys_admin() -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let eff = status
        .lines()
        .find_map(|l| l.strip_prefix("CapEff:"))
        .map(|v| u64::from_str_radix(v.trim(), 16).unwrap())
        .unwrap_or(0);
    eff & (1 << 21) != 0
}

fn root_users() -> Vec<Who> {
    common::transports()
        .into_iter()
        .map(|transport| Who {
            user: User::Me,
            transport,
        })
        .collect()
}

/// A file of another mount namespace, whose kernel text names a
/// different file (a look-alike) in husk's: it has no path there, so it
/// gets the verdict of no path, whatever the look-alike's rules say.
/// The outer shell (root) mounts a tmpfs in a mount namespace of its
/// own and opens a file in it, then runs husk back in the test's
/// namespace (as root or as nobody) with that descriptor as 3. The
/// kernel names such a file by its path inside the tmpfs; the test puts
/// it at D/pub/look *inside the tmpfs*, so that the text is D/pub/look,
/// where this namespace has a readable look-alike.
#[test]
fn an_object_of_another_mount_namespace_has_no_path() {
    if !common::am_root() {
        eprintln!("note: not root: the mount namespace test is skipped");
        return;
    }
    let _serial = serial();
    let dir = tree("foreign-ns");
    std::fs::create_dir(dir.join("ns")).unwrap();
    // The look-alike in this namespace: readable by the policy.
    std::fs::write(dir.join("pub/look"), "PUBLIC\n").unwrap();
    common::hand_over(&dir, User::Nobody);
    let ns = p(&dir, "ns");
    let inside = format!("{ns}{}", p(&dir, "pub"));
    let outer = std::process::id();
    let script = |inner: &str| {
        format!(
            "unshare -m --propagation private sh -c 'mount -t tmpfs none {ns} && mkdir -p {inside} && echo SECRET > {inside}/look && chmod 644 {inside}/look && exec 3<{inside}/look && exec nsenter --mount=/proc/{outer}/ns/mnt {inner}'"
        )
    };
    let bare = run(
        Command::new("sh").arg("-c").arg(script(&format!(
            "{} reopen-fd {} 3",
            objects().display(),
            d(&dir)
        ))),
        LIMIT,
    );
    assert_eq!(line(&bare), "read SECRET", "control: {bare:?}");
    for who in common::everyone() {
        let setpriv = match who.user {
            User::Me => String::new(),
            User::Nobody => "setpriv --reuid=65534 --regid=65534 --clear-groups".into(),
        };
        let mut inner = format!(
            "{setpriv} {} -m trace/transport:{} -p linux",
            common::husk(),
            who.transport
        );
        for r in rules(&dir, &[]) {
            inner.push_str(&format!(" -m '\''{r}'\''"));
        }
        inner.push_str(&format!(
            " -- {} reopen-fd {} 3",
            objects().display(),
            d(&dir)
        ));
        let o = run(Command::new("sh").arg("-c").arg(script(&inner)), LIMIT);
        let out = line(&o);
        assert!(
            !out.contains("SECRET") && !out.contains("read"),
            "{who:?}: {o:?}"
        );
        assert!(is_errno(out), "{who:?}: {o:?}");
        assert!(o.stderr.contains("no path"), "{who:?}: not logged: {o:?}");
    }
}

#[test]
fn fanotify_init_is_refused() {
    if !has_sys_admin() {
        eprintln!("note: no CAP_SYS_ADMIN: fanotify test skipped");
        return;
    }
    let _serial = serial();
    let o = bare(&["fanotify"]);
    assert_eq!(line(&o), "ESCAPED fanotify_init", "control: {o:?}");
    for who in root_users() {
        let dir = tree("fanotify");
        let o = sandboxed(who, &dir, &[], &["fanotify"]);
        assert_eq!(line(&o), "EPERM", "{who:?}: {o:?}");
    }
}

/// Opens D/secret/k (outside the sandbox) every 20 ms while `f` runs.
fn with_secret_reader<R>(dir: &Path, f: impl FnOnce() -> R) -> R {
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let k = dir.join("secret/k");
    let reader = std::thread::spawn(move || {
        while !stop2.load(Ordering::Relaxed) {
            let _ = std::fs::read(&k);
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let r = f();
    stop.store(true, Ordering::SeqCst);
    reader.join().unwrap();
    r
}

/// The leak fanotify_init opens: a listener marks the read-denied
/// directory and reads the secret through the descriptor of another
/// process's open.
#[test]
fn fanotify_listener_reads_nothing() {
    if !has_sys_admin() {
        eprintln!("note: no CAP_SYS_ADMIN: fanotify test skipped");
        return;
    }
    let _serial = serial();
    let dir = tree("fanotify-listen-bare");
    let o = with_secret_reader(&dir, || bare(&["fanotify-listen", &d(&dir), "3"]));
    assert_eq!(
        line(&o),
        "ESCAPED read SECRET through fanotify",
        "control: {o:?}"
    );
    for who in root_users() {
        let dir = tree("fanotify-listen");
        let o = with_secret_reader(&dir, || {
            sandboxed(who, &dir, &[], &["fanotify-listen", &d(&dir), "1"])
        });
        assert_eq!(line(&o), "fanotify_init:EPERM", "{who:?}: {o:?}");
    }
}
