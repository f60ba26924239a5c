//! Helpers shared by the integration tests: run a binary with a
//! deadline and capture what it did.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The husk binary under test: the one built with these tests, or
/// `HUSK_BIN` if set (to run the attacks against another build, say an
/// older one, and see them win).
pub fn husk() -> &'static str {
    static BIN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    BIN.get_or_init(|| {
        std::env::var("HUSK_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_husk").to_string())
    })
}

/// The freestanding self-test binary.
pub fn selftest() -> &'static str {
    env!("CARGO_BIN_EXE_husk-selftest")
}

/// How a run ended.
#[derive(Debug)]
pub struct Outcome {
    /// Exit code, if it exited.
    pub code: Option<i32>,
    /// Terminating signal, if killed.
    pub signal: Option<i32>,
    /// Whether it dumped core as it died.
    pub core: bool,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Outcome {
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `cmd`, killing it if it takes longer than `limit` (which fails
/// the test: a hang is a bug, never a pass).
pub fn run(cmd: &mut Command, limit: Duration) -> Outcome {
    let start = Instant::now();
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_t = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    Outcome {
        code: status.code(),
        signal: status.signal(),
        core: status.core_dumped(),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        elapsed: start.elapsed(),
    }
}

/// Compiles `tests/c/NAME.c` (once per test process) and returns the
/// program's path.
pub fn c_program(name: &str) -> std::path::PathBuf {
    c_program_with(name, &["-pthread"])
}

/// Compiles `tests/c/NAME.c` statically (no dynamic loader: a policy
/// test then need not allow the loader's own files).
pub fn c_program_static(name: &str) -> std::path::PathBuf {
    c_program_with(name, &["-static"])
}

fn c_program_with(name: &str, flags: &[&str]) -> std::path::PathBuf {
    use std::collections::HashMap;
    use std::path::PathBuf;
    use std::sync::{Mutex, OnceLock};
    static BUILT: OnceLock<Mutex<HashMap<String, PathBuf>>> = OnceLock::new();
    let key = format!("{name}{}", flags.join(""));
    let mut built = BUILT
        .get_or_init(|| Mutex::new(HashMap::new()))
        .lock()
        .unwrap();
    if let Some(path) = built.get(&key) {
        return path.clone();
    }
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/c")
        .join(format!("{name}.c"));
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("c");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join(format!("{key}-{}", std::process::id()));
    let status = Command::new("cc")
        .args(["-O2", "-Wall"])
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg(&src)
        .status()
        .expect("cc (install gcc) is needed to build the test programs");
    assert!(status.success(), "compiling {} failed", src.display());
    built.insert(key, out.clone());
    out
}

/// A fresh scratch directory for one test, writable by everyone (the
/// policy tests also run as an unprivileged user).
pub fn scratch(test: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("scratch")
        .join(format!("{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    dir
}

/// Whether this kernel has seccomp user notification; if not, says that
/// `what` is skipped (notify-mode tests then check nothing).
pub fn notify_available(what: &str) -> bool {
    let avail =
        std::fs::read_to_string("/proc/sys/kernel/seccomp/actions_avail").unwrap_or_default();
    let yes = avail.split_whitespace().any(|a| a == "user_notif");
    if !yes {
        eprintln!("note: no seccomp user notification here: {what} skipped");
    }
    yes
}

/// Who runs a test: the user running the suite, and `nobody` as well
/// where that user is root and `setpriv` exists (root passes permission
/// checks a policy must not rely on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum User {
    Me,
    Nobody,
}

/// Whether the suite runs as root.
pub fn am_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
}

/// The users a test runs as (see [`User`]).
pub fn users() -> Vec<User> {
    let setpriv = std::path::Path::new("/usr/bin/setpriv").exists()
        || std::path::Path::new("/bin/setpriv").exists();
    if am_root() && setpriv {
        vec![User::Me, User::Nobody]
    } else {
        eprintln!("note: not root, or no setpriv: the tests run as this user only");
        vec![User::Me]
    }
}

/// The transports this kernel has: ptrace always, notify where seccomp
/// user notification exists.
pub fn transports() -> Vec<&'static str> {
    if notify_available("notify mode") {
        vec!["ptrace", "notify"]
    } else {
        vec!["ptrace"]
    }
}

/// Who runs husk, and with which transport.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    pub user: User,
    pub transport: &'static str,
}

/// Every transport, each as every user: the runs a security test makes.
pub fn everyone() -> Vec<Who> {
    let mut out = Vec::new();
    for transport in transports() {
        for user in users() {
            out.push(Who { user, transport });
        }
    }
    out
}

/// husk, run as `who.user` with `who.transport`.
pub fn husk_as(who: Who) -> Command {
    let mut c = as_user(who.user, husk());
    c.args(["-m", &format!("trace/transport:{}", who.transport)]);
    c
}

/// `program` run as `user`.
pub fn as_user(user: User, program: impl AsRef<std::ffi::OsStr>) -> Command {
    match user {
        User::Me => Command::new(program),
        User::Nobody => {
            let mut c = Command::new("setpriv");
            c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                .arg(program);
            c
        }
    }
}

/// Hands everything under `dir` (made by the suite) to `user`: owned by
/// it, and readable and writable by everyone.
pub fn hand_over(dir: &std::path::Path, user: User) {
    use std::os::unix::fs::PermissionsExt;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let meta = std::fs::symlink_metadata(&path).unwrap();
        if user == User::Nobody {
            std::os::unix::fs::lchown(&path, Some(65534), Some(65534)).unwrap();
        }
        if meta.file_type().is_symlink() {
            continue;
        }
        let exec = meta.permissions().mode() & 0o111;
        let mode = if meta.is_dir() { 0o777 } else { 0o666 | exec };
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        if meta.is_dir() {
            hand_over(&path, user);
        }
    }
}
