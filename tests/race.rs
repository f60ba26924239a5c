//! Time-of-check to time-of-use races (`tests/c/race.c`): a thread of
//! the sandboxed program, or another process, changes what a path names
//! between husk's check and the call. In notify mode husk performs the
//! call itself on exactly what it checked, so no attempt may reach the
//! denied file; each attack also has a control showing that it does get
//! through where nothing stops it (ptrace mode, or no sandbox at all),
//! so every test here can fail.
//!
//! The attacks run one at a time (they need every core), each for
//! `ATTACK_SECONDS`; a control stops at its first success.

mod common;

use common::{User, c_program_static, run, scratch};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long a notify-mode attack keeps trying.
const ATTACK_SECONDS: f64 = 2.0;
/// The most a control tries before it must have got through.
const CONTROL_SECONDS: f64 = 5.0;
/// A run that takes longer than this hangs.
const LIMIT: Duration = Duration::from_secs(60);

/// One attack at a time: they race on every core.
static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

fn race() -> PathBuf {
    c_program_static("race")
}

/// What one run of an attack counted.
#[derive(Debug, Default)]
struct Tally {
    attempts: u64,
    ok: u64,
    leaked: u64,
    refused: u64,
    killed: u64,
}

fn tally(o: &common::Outcome) -> Tally {
    assert!(o.success(), "the attack did not finish cleanly: {o:?}");
    let line = o.stdout.lines().last().unwrap_or_default();
    let mut t = Tally::default();
    for field in line.split_whitespace() {
        let (k, v) = field.split_once('=').unwrap_or_else(|| panic!("{line:?}"));
        let v: u64 = v.parse().unwrap_or_else(|_| panic!("{line:?}"));
        match k {
            "attempts" => t.attempts = v,
            "ok" => t.ok = v,
            "leaked" => t.leaked = v,
            "refused" => t.refused = v,
            "killed" => t.killed = v,
            _ => panic!("unknown field in {line:?}"),
        }
    }
    assert!(t.attempts > 0, "no attempts: {o:?}");
    t
}

fn p(dir: &Path, rel: &str) -> String {
    format!("{}/{rel}", dir.display())
}

/// DIR with `allowed/` and `denied/`, and every file an attack uses:
/// `f` ("ALLOWED" / "SECRET") on both sides, copies `p` of the race
/// program on both sides, `allowed/x/f` ("ALLOWED"), `allowed/y/f` (a
/// symlink to `denied/f`), `allowed/t` and `allowed/t.file`
/// ("ALLOWED"), `hidden/f` ("SECRET", its stat denied too), `allowed/h`
/// (a symlink to `hidden`).
fn tree(name: &str) -> PathBuf {
    let dir = scratch(name);
    for d in ["allowed", "denied", "hidden", "allowed/x", "allowed/y"] {
        std::fs::create_dir(dir.join(d)).unwrap();
    }
    std::fs::write(dir.join("allowed/f"), "ALLOWED").unwrap();
    std::fs::write(dir.join("denied/f"), "SECRET").unwrap();
    std::fs::write(dir.join("hidden/f"), "SECRET").unwrap();
    std::fs::write(dir.join("allowed/x/f"), "ALLOWED").unwrap();
    std::os::unix::fs::symlink(dir.join("denied/f"), dir.join("allowed/y/f")).unwrap();
    std::os::unix::fs::symlink(dir.join("hidden"), dir.join("allowed/h")).unwrap();
    std::fs::write(dir.join("allowed/t.file"), "ALLOWED").unwrap();
    std::fs::write(dir.join("allowed/t"), "ALLOWED").unwrap();
    for m in ["allowed/m", "denied/m"] {
        std::fs::write(dir.join(m), "M").unwrap();
        std::fs::set_permissions(dir.join(m), std::fs::Permissions::from_mode(0o644)).unwrap();
    }
    std::fs::copy(race(), dir.join("allowed/p")).unwrap();
    std::fs::copy(race(), dir.join("denied/p")).unwrap();
    dir
}

/// Everything allowed under `allowed/`, everything but stat denied
/// under `denied/`; the race program may run, and the marker `ran-denied`
/// may be created (by a denied program that got to run: the leak the
/// exec attack looks for).
fn rules(dir: &Path) -> Vec<String> {
    vec![
        "sandbox/all:off".into(),
        "sandbox/read,write,create,exec,stat,delete,rename,symlink,truncate,chmod:on".into(),
        format!("allow/all+{}", p(dir, "allowed/***")),
        format!("allow/exec,stat+{}", race().display()),
        format!("allow/write,create,stat+{}", p(dir, "ran-denied")),
        format!("deny/all+{}", p(dir, "denied/***")),
        // Visible, so a denial is EACCES (not a hidden file's ENOENT).
        format!("allow/stat+{}", p(dir, "denied/***")),
        // Readable (so the dup-flip attack can hold it), never chmod'ed.
        format!("allow/read+{}", p(dir, "denied/m")),
        // Hidden: not even its metadata may be seen.
        format!("deny/all+{}", p(dir, "hidden/***")),
    ]
}

fn husk(transport: &str, dir: &Path) -> Command {
    husk_as(User::Me, transport, dir)
}

fn husk_as(user: User, transport: &str, dir: &Path) -> Command {
    let mut c = common::as_user(user, common::husk());
    c.args(["-m", &format!("trace/transport:{transport}")]);
    for r in rules(dir) {
        c.arg("-m").arg(r);
    }
    c.arg("--").arg(race());
    c
}

/// Runs `race MODE DIR SECONDS [first]` under husk with `transport`
/// (or, with `None`, with no sandbox at all).
fn attack(transport: Option<&str>, dir: &Path, mode: &str, seconds: f64, first: bool) -> Tally {
    attack_as(User::Me, transport, dir, mode, seconds, first)
}

/// [`attack`] as `user`.
fn attack_as(
    user: User,
    transport: Option<&str>,
    dir: &Path,
    mode: &str,
    seconds: f64,
    first: bool,
) -> Tally {
    let mut c = match transport {
        Some(t) => husk_as(user, t, dir),
        None => common::as_user(user, race()),
    };
    c.arg(mode).arg(dir).arg(seconds.to_string());
    if first {
        c.arg("first");
    }
    let t = tally(&run(&mut c, LIMIT));
    eprintln!(
        "{mode} ({}, {user:?}): {t:?}",
        transport.unwrap_or("no sandbox, first success")
    );
    t
}

/// Whether a leak left a trace on disk: a file created in `denied/`,
/// or the marker of a denied program that ran.
fn leaked_on_disk(dir: &Path) -> bool {
    dir.join("denied/n").exists() || dir.join("ran-denied").exists()
}

/// The notify-mode run of an attack, as each user: nothing denied is
/// ever reached, the allowed side keeps working, and the attacker did
/// make the path name the denied file some of the time.
fn notify_blocks(name: &str, mode: &str) {
    if !common::notify_available("notify race test") {
        return;
    }
    let _serial = serial();
    for user in common::users() {
        let dir = tree(&format!("{name}-{user:?}"));
        common::hand_over(&dir, user);
        let t = attack_as(user, Some("notify"), &dir, mode, ATTACK_SECONDS, false);
        assert_eq!(
            t.leaked, 0,
            "{mode} ({user:?}): the race reached the denied file: {t:?}"
        );
        assert!(
            !leaked_on_disk(&dir),
            "{mode} ({user:?}): a denied file was made"
        );
        assert!(
            t.ok > 0,
            "{mode} ({user:?}): the allowed file never worked: {t:?}"
        );
        assert!(
            t.refused + t.killed > 0,
            "{mode} ({user:?}): never saw the denied side: {t:?}"
        );
    }
}

/// The ptrace-mode run of an attack, until it gets through; and
/// whether it left a trace on disk.
fn ptrace_leaks(name: &str, mode: &str) -> (Tally, bool) {
    let _serial = serial();
    let dir = tree(name);
    let t = attack(Some("ptrace"), &dir, mode, CONTROL_SECONDS, true);
    assert!(
        t.leaked > 0 || t.killed > 0,
        "{mode}: the control never got through in ptrace mode: {t:?}"
    );
    (t, leaked_on_disk(&dir))
}

#[test]
fn policy_denies_without_a_race() {
    let _serial = serial();
    let dir = tree("sanity");
    let once = |transport: &str, op: &str, rel: &str| {
        let mut c = husk(transport, &dir);
        c.args(["once", op, &p(&dir, rel)]).arg(&dir);
        let o = run(&mut c, LIMIT);
        assert!(o.success(), "{o:?}");
        o.stdout.trim().to_string()
    };
    let mut transports = vec!["ptrace"];
    if common::notify_available("the notify half of the sanity test") {
        transports.push("notify");
    }
    for t in transports {
        assert_eq!(once(t, "open", "allowed/f"), "ok ALLOWED", "{t}");
        assert_eq!(once(t, "open", "denied/f"), "EACCES", "{t}");
        assert_eq!(once(t, "open", "denied//f"), "EACCES", "{t}");
        assert_eq!(once(t, "open", "allowed/y/f"), "EACCES", "{t}");
        assert_eq!(once(t, "open", "allowed/t"), "ok ALLOWED", "{t}");
        assert_eq!(once(t, "creat", "allowed/n"), "ok", "{t}");
        assert_eq!(once(t, "creat", "denied//n"), "EACCES", "{t}");
        assert!(!dir.join("denied/n").exists(), "{t}");
        assert_eq!(once(t, "exec", "allowed/p"), "ok", "{t}");
        assert_eq!(once(t, "exec", "denied//p"), "EACCES", "{t}");
        assert!(!dir.join("ran-denied").exists(), "{t}");
    }
}

#[test]
fn notify_blocks_open_flip() {
    notify_blocks("open-flip", "open-flip");
}

#[test]
fn ptrace_leaks_open_flip() {
    assert!(ptrace_leaks("open-flip-ptrace", "open-flip").0.leaked > 0);
}

#[test]
fn notify_blocks_creat_flip() {
    notify_blocks("creat-flip", "creat-flip");
}

#[test]
fn ptrace_leaks_creat_flip() {
    let (t, on_disk) = ptrace_leaks("creat-flip-ptrace", "creat-flip");
    assert!(t.leaked > 0 && on_disk, "{t:?}, denied/n made: {on_disk}");
}

#[test]
fn notify_blocks_exec_flip() {
    notify_blocks("exec-flip", "exec-flip");
}

/// Both transports let an allowed execve continue in the kernel, which
/// reads the flipped path again: the denied program does get loaded.
/// It never runs an instruction: the exec event check finds it and
/// kills it (`killed`), in either transport. The control shows that
/// the race itself is won.
#[test]
fn ptrace_leaks_exec_flip() {
    let (t, on_disk) = ptrace_leaks("exec-flip-ptrace", "exec-flip");
    assert!(t.leaked == 0 && !on_disk, "a denied program ran: {t:?}");
    assert!(t.killed > 0, "{t:?}");
}

#[test]
fn notify_blocks_symlink_swap() {
    notify_blocks("symlink-swap", "symlink-swap");
}

#[test]
fn ptrace_leaks_symlink_swap() {
    assert!(ptrace_leaks("symlink-swap-ptrace", "symlink-swap").0.leaked > 0);
}

#[test]
fn notify_blocks_exchange() {
    notify_blocks("exchange", "exchange");
}

#[test]
fn ptrace_leaks_exchange() {
    assert!(ptrace_leaks("exchange-ptrace", "exchange").0.leaked > 0);
}

/// A stat is answered by husk in notify mode: the answer must describe
/// the object decided on, never one reached through a directory that
/// became a symlink between husk's look at it and its look at the file
/// (a hidden file's size, times and existence would leak).
#[test]
fn notify_blocks_stat_exchange() {
    notify_blocks("stat-exchange", "stat-exchange");
}

#[test]
fn ptrace_leaks_stat_exchange() {
    assert!(
        ptrace_leaks("stat-exchange-ptrace", "stat-exchange")
            .0
            .leaked
            > 0
    );
}

/// Another process, outside the sandbox, keeps renaming over
/// `allowed/t`: a copy of the allowed file, then a symlink to the
/// denied one.
fn with_outside_swapper<R>(dir: &Path, f: impl FnOnce() -> R) -> R {
    let stop = Arc::new(AtomicBool::new(false));
    let stop2 = stop.clone();
    let (file, t) = (dir.join("allowed/t.file"), dir.join("allowed/t"));
    let (tmp_file, tmp_link) = (dir.join("allowed/t.tmp1"), dir.join("allowed/t.tmp2"));
    let denied = dir.join("denied/f");
    let swapper = std::thread::spawn(move || {
        while !stop2.load(Ordering::Relaxed) {
            // A copy, not a hard link: renaming a link over another link
            // of the same file does nothing.
            std::fs::copy(&file, &tmp_file).unwrap();
            std::fs::rename(&tmp_file, &t).unwrap();
            std::os::unix::fs::symlink(&denied, &tmp_link).unwrap();
            std::fs::rename(&tmp_link, &t).unwrap();
        }
    });
    let r = f();
    stop.store(true, Ordering::SeqCst);
    swapper.join().unwrap();
    r
}

#[test]
fn notify_blocks_outside_swap() {
    if !common::notify_available("notify race test") {
        return;
    }
    let _serial = serial();
    let dir = tree("outside");
    let t = with_outside_swapper(&dir, || {
        attack(Some("notify"), &dir, "reader", ATTACK_SECONDS, false)
    });
    assert_eq!(t.leaked, 0, "the swap reached the denied file: {t:?}");
    assert!(t.ok > 0, "the allowed file never worked: {t:?}");
    assert!(t.refused > 0, "never saw the symlink: {t:?}");
}

#[test]
fn unsandboxed_reader_sees_outside_swap() {
    let _serial = serial();
    let dir = tree("outside-control");
    let t = with_outside_swapper(&dir, || attack(None, &dir, "reader", CONTROL_SECONDS, true));
    assert!(t.leaked > 0, "the swap never showed the denied file: {t:?}");
}

#[test]
fn ptrace_leaks_outside_swap() {
    let _serial = serial();
    let dir = tree("outside-ptrace");
    let t = with_outside_swapper(&dir, || {
        attack(Some("ptrace"), &dir, "reader", CONTROL_SECONDS, true)
    });
    assert!(t.leaked > 0, "the swap never got through: {t:?}");
}

/// An O_PATH open is run by the kernel in both transports (no worker
/// can make one for the caller); the object it really reached is
/// checked when it returns, and a process whose open reached a hidden
/// file is killed before it can look at it. Bare, the race is won.
#[test]
fn notify_blocks_opath_flip() {
    notify_blocks("opath-flip", "opath-flip");
}

#[test]
fn ptrace_kills_opath_flip() {
    let (t, _) = ptrace_leaks("opath-flip-ptrace", "opath-flip");
    assert_eq!(t.leaked, 0, "{t:?}");
}

#[test]
fn unsandboxed_opath_flip_sees_the_hidden_file() {
    let _serial = serial();
    let dir = tree("opath-flip-bare");
    let t = attack(None, &dir, "opath-flip", CONTROL_SECONDS, true);
    assert!(
        t.leaked > 0,
        "the flip never reached the hidden file: {t:?}"
    );
}

#[test]
fn notify_blocks_dup_flip() {
    notify_blocks("dup-flip", "dup-flip");
}

#[test]
fn ptrace_leaks_dup_flip() {
    ptrace_leaks("dup-flip-ptrace", "dup-flip");
}
