//! Helpers shared by the integration tests: run a binary with a
//! deadline and capture what it did.
#![allow(dead_code)]

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The release (or test-profile) husk binary under test.
pub fn husk() -> &'static str {
    env!("CARGO_BIN_EXE_husk")
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
