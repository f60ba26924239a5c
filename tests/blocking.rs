//! Calls that block (`tests/c/blocking.c`): in notify mode husk performs
//! trapped calls itself, and hands those that may wait for someone else
//! (a FIFO open without `O_NONBLOCK`, a connect on a blocking socket) to
//! helper threads. A blocked call must hold up its caller only, never
//! husk's workers (so every other call, of this process or another one,
//! is served), must end as it would in the kernel when a signal
//! interrupts it (EINTR, or a restart with `SA_RESTART`), and must leave
//! nothing behind when its caller is killed.
//!
//! The single-blocker runs use `HUSK_WORKERS=1`: a worker that waited in
//! the call itself would then stop everything, and the test would fail
//! by its deadline. Where it means something, the same program runs bare
//! (or under the ptrace transport, where the kernel blocks the caller
//! itself) as a control, and must behave the same.

mod common;

use common::{Outcome, c_program_static, run, scratch};
use std::collections::HashMap;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A run that takes longer than this hangs.
const LIMIT: Duration = Duration::from_secs(30);

/// A permissive policy that still checks every call: every category on,
/// every path and address allowed by a rule (as in bench/macro.sh).
const POLICY: &[&str] = &[
    "sandbox/all:on",
    "allow/all+/***",
    "allow/net+any",
    "allow/net+/***",
    "allow/net+@**",
    "allow/net+!unnamed",
];

fn program() -> PathBuf {
    c_program_static("blocking")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    /// No sandbox at all.
    Bare,
    Notify,
    Ptrace,
}

/// `blocking ARGS`, bare or under husk with `mode`; `workers` sets
/// `HUSK_WORKERS`.
fn command(mode: Mode, workers: Option<u32>, args: &[&dyn AsRef<std::ffi::OsStr>]) -> Command {
    let mut c = match mode {
        Mode::Bare => Command::new(program()),
        Mode::Notify | Mode::Ptrace => {
            let mut c = Command::new(common::husk());
            let transport = if mode == Mode::Notify {
                "notify"
            } else {
                "ptrace"
            };
            c.arg("-m").arg(format!("trace/transport:{transport}"));
            for r in POLICY {
                c.arg("-m").arg(r);
            }
            if let Some(n) = workers {
                c.env("HUSK_WORKERS", n.to_string());
            }
            c.arg("--").arg(program());
            c
        }
    };
    for a in args {
        c.arg(a);
    }
    c
}

/// The KEY=VALUE fields of the last line the program printed.
fn fields(o: &Outcome) -> HashMap<String, String> {
    let line = o.stdout.lines().last().unwrap_or_default();
    line.split_whitespace()
        .filter_map(|f| f.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn field<'a>(f: &'a HashMap<String, String>, key: &str, o: &Outcome) -> &'a str {
    f.get(key)
        .unwrap_or_else(|| panic!("no {key}= in the output: {o:?}"))
}

fn seconds(f: &HashMap<String, String>, key: &str, o: &Outcome) -> f64 {
    field(f, key, o)
        .parse()
        .unwrap_or_else(|_| panic!("{key}= is not a number: {o:?}"))
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    let r = unsafe { libc::mkfifo(c.as_ptr(), 0o666) };
    assert_eq!(r, 0, "mkfifo {}", path.display());
}

/// A scratch directory with a FIFO `f` and a regular file `file`.
fn setup(test: &str) -> (PathBuf, PathBuf, PathBuf) {
    let dir = scratch(test);
    let fifo = dir.join("f");
    mkfifo(&fifo);
    let file = dir.join("file");
    std::fs::write(&file, "some data\n").unwrap();
    (dir, fifo, file)
}

/// Opens `fifo` for writing from outside any sandbox, once a reader is
/// there (O_NONBLOCK, retried on ENXIO for up to 10 s), and writes
/// `line`. Whether it got a reader.
fn write_fifo(fifo: &Path, line: &str) -> bool {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let end = Instant::now() + Duration::from_secs(10);
    loop {
        match std::fs::OpenOptions::new()
            .write(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(fifo)
        {
            Ok(mut f) => return f.write_all(line.as_bytes()).is_ok(),
            Err(e) if e.raw_os_error() == Some(libc::ENXIO) && Instant::now() < end => {
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(_) => return false,
        }
    }
}

/// The policy really checks the calls the tests make: the same policy
/// plus a rule denying the regular file makes the program fail on it.
#[test]
fn the_policy_checks_the_calls() {
    if !common::notify_available("the_policy_checks_the_calls") {
        return;
    }
    let (_dir, _fifo, file) = setup("policy");
    let o = run(&mut command(Mode::Notify, None, &[&"quick", &file]), LIMIT);
    assert!(o.success(), "allowed: {o:?}");
    let mut denied = Command::new(common::husk());
    denied.args(["-m", "trace/transport:notify"]);
    for r in POLICY {
        denied.arg("-m").arg(r);
    }
    // Last: the last matching rule wins.
    denied
        .arg("-m")
        .arg(format!("deny/read+{}", file.display()));
    denied.arg("--").arg(program()).arg("quick").arg(&file);
    let mut c = denied;
    let o = run(&mut c, LIMIT);
    assert!(!o.success(), "the denied file was read: {o:?}");
    assert!(o.stderr.contains("\"deny\""), "no denial logged: {o:?}");
}

/// One reader blocked on a FIFO open: the rest of its sandbox (its
/// parent's opens and stats), and another husk, are served meanwhile;
/// then a writer releases it and it reads the line.
#[test]
fn a_fifo_open_blocks_only_its_caller() {
    if !common::notify_available("a_fifo_open_blocks_only_its_caller") {
        return;
    }
    let (dir, fifo, file) = setup("one");
    let ready = dir.join("ready");
    let mut first = command(Mode::Notify, Some(1), &[&"one", &fifo, &file, &dir]);
    let first = std::thread::spawn(move || run(&mut first, LIMIT));
    // The parent creates `ready` once its reader is blocked and its own
    // calls are done.
    let start = Instant::now();
    while !ready.exists() && !first.is_finished() && start.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(5));
    }
    if !ready.exists() {
        std::fs::write(dir.join("go"), "").unwrap();
        panic!("the sandbox never got ready: {:?}", first.join());
    }
    // Another sandbox, while this one's reader is blocked.
    let second = run(
        &mut command(Mode::Notify, None, &[&"quick", &file]),
        Duration::from_secs(10),
    );
    std::fs::write(dir.join("go"), "").unwrap();
    let o = first.join().unwrap();
    eprintln!("first sandbox: {}", o.stdout.trim());
    eprintln!(
        "second sandbox, while the reader was blocked: {:?}",
        second.elapsed
    );
    assert!(second.success(), "the second sandbox failed: {second:?}");
    assert!(
        second.elapsed < Duration::from_secs(5),
        "the second sandbox was slow: {second:?}"
    );
    let f = fields(&o);
    assert!(o.success(), "{o:?}");
    assert_eq!(field(&f, "failed", &o), "0", "{o:?}");
    assert_eq!(field(&f, "still_blocked", &o), "1", "{o:?}");
    assert_eq!(
        field(&f, "reader", &o),
        "0",
        "the reader did not read the line: {o:?}"
    );
    let ops = seconds(&f, "ops", &o);
    assert!(ops < 2.0, "200 open+stat rounds took {ops} s: {o:?}");
}

/// A thousand readers blocked on FIFO opens in one sandbox (within
/// husk's 1024 blocked calls): the parent's opens are served all along,
/// and every reader gets its FIFO once a writer comes.
#[test]
fn a_thousand_blocked_readers_do_not_stop_others() {
    if !common::notify_available("a_thousand_blocked_readers_do_not_stop_others") {
        return;
    }
    for mode in [Mode::Bare, Mode::Notify] {
        let (_dir, fifo, file) = setup(&format!("many-{mode:?}"));
        let o = run(
            &mut command(mode, None, &[&"many", &fifo, &file, &"1000"]),
            LIMIT,
        );
        eprintln!("{mode:?}: {} (in {:?})", o.stdout.trim(), o.elapsed);
        let f = fields(&o);
        assert_eq!(field(&f, "open_failures", &o), "0", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "blocked", &o), "1000", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "readers_failed", &o), "0", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "readers_ok", &o), "1000", "{mode:?}: {o:?}");
        assert!(o.success(), "{mode:?}: {o:?}");
        let (base, busy) = (seconds(&f, "base", &o), seconds(&f, "busy", &o));
        let busy_max = seconds(&f, "busy_max", &o);
        eprintln!(
            "{mode:?}: 1000 opens took {base:.3} s before, {busy:.3} s with 1000 blocked \
             readers (x{:.1}; slowest {:.1} ms)",
            busy / base.max(1e-6),
            busy_max * 1e3
        );
        assert!(busy < 3.0, "{mode:?}: 1000 opens took {busy} s: {o:?}");
        assert!(
            busy_max < 0.5,
            "{mode:?}: one open took {busy_max} s: {o:?}"
        );
    }
}

/// `signal FIFO restart|norestart`, with a writer from outside after 2 s
/// for the restarting one.
fn signal_run(mode: Mode, restart: bool) -> Outcome {
    let (_dir, fifo, _file) = setup(&format!("signal-{mode:?}-{restart}"));
    let how = if restart { "restart" } else { "norestart" };
    let mut c = command(mode, Some(1), &[&"signal", &fifo, &how]);
    let writer = restart.then(|| {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(2));
            write_fifo(&fifo, "hello\n")
        })
    });
    let o = run(&mut c, LIMIT);
    if let Some(w) = writer {
        assert!(
            w.join().unwrap(),
            "{mode:?}: the writer found no reader: {o:?}"
        );
    }
    eprintln!("{mode:?} {how}: {}", o.stdout.trim());
    assert!(o.success(), "{mode:?} {how}: {o:?}");
    o
}

/// A handler without SA_RESTART: the blocked open fails with EINTR when
/// the alarm rings; with SA_RESTART it is restarted and succeeds when a
/// writer comes. Bare, notify and ptrace give the same outcome.
#[test]
fn a_signal_interrupts_a_blocked_fifo_open_with_eintr() {
    if !common::notify_available("a_signal_interrupts_a_blocked_fifo_open_with_eintr") {
        return;
    }
    let runs: Vec<_> = [
        (Mode::Bare, false),
        (Mode::Notify, false),
        (Mode::Ptrace, false),
        (Mode::Bare, true),
        (Mode::Notify, true),
    ]
    .into_iter()
    .map(|(mode, restart)| {
        (
            mode,
            restart,
            std::thread::spawn(move || signal_run(mode, restart)),
        )
    })
    .collect();
    let mut outcomes: HashMap<bool, Vec<(Mode, String)>> = HashMap::new();
    for (mode, restart, t) in runs {
        let o = t.join().unwrap();
        let f = fields(&o);
        let elapsed = seconds(&f, "elapsed", &o);
        let (expect, low, high) = if restart {
            ("result=ok line=hello handled=1", 1.5, 8.0)
        } else {
            ("result=EINTR line=- handled=1", 0.5, 5.0)
        };
        let got = format!(
            "result={} line={} handled={}",
            field(&f, "result", &o),
            field(&f, "line", &o),
            field(&f, "handled", &o)
        );
        assert!(
            (low..high).contains(&elapsed),
            "{mode:?} restart={restart}: the open took {elapsed} s: {o:?}"
        );
        assert_eq!(got, expect, "{mode:?} restart={restart}: {o:?}");
        outcomes.entry(restart).or_default().push((mode, got));
    }
    for (restart, list) in outcomes {
        assert!(
            list.windows(2).all(|w| w[0].1 == w[1].1),
            "restart={restart}: the outcomes differ: {list:?}"
        );
    }
}

/// `killed FIFO KILL|TERM` in `mode`.
fn killed_run(mode: Mode, sig: &str) -> Outcome {
    let (_dir, fifo, _file) = setup(&format!("killed-{mode:?}-{sig}"));
    let o = run(
        &mut command(mode, Some(1), &[&"killed", &fifo, &sig]),
        Duration::from_secs(20),
    );
    eprintln!(
        "{mode:?} {sig}: {} (run took {:?})",
        o.stdout.trim(),
        o.elapsed
    );
    o
}

fn check_killed(sig: &'static str, number: &str) {
    let runs: Vec<_> = [Mode::Bare, Mode::Notify, Mode::Ptrace]
        .into_iter()
        .map(|mode| (mode, std::thread::spawn(move || killed_run(mode, sig))))
        .collect();
    for (mode, t) in runs {
        let o = t.join().unwrap();
        let f = fields(&o);
        assert_eq!(
            field(&f, "reaped", &o),
            "1",
            "{mode:?}: the blocked reader did not die of SIG{sig} within 5 s: {o:?}"
        );
        assert_eq!(field(&f, "signal", &o), number, "{mode:?}: {o:?}");
        assert_eq!(
            field(&f, "writer", &o),
            "ENXIO",
            "{mode:?}: a reader is still there after the blocked one was killed: {o:?}"
        );
        assert!(o.success(), "{mode:?}: {o:?}");
        assert!(
            o.elapsed < Duration::from_secs(5),
            "{mode:?}: the sandbox took {:?} to end: {o:?}",
            o.elapsed
        );
    }
}

/// A reader blocked on a FIFO open is SIGKILLed by its parent: the
/// sandbox goes on and ends promptly, and husk's helper does not stay a
/// reader of the FIFO (a writer's non-blocking open gets ENXIO).
#[test]
fn a_killed_blocked_caller_frees_its_helper() {
    if !common::notify_available("a_killed_blocked_caller_frees_its_helper") {
        return;
    }
    check_killed("KILL", "9");
}

/// The same with SIGTERM and its default action: in the kernel the
/// blocked open is interrupted and the reader dies at once.
#[test]
fn a_terminated_blocked_caller_dies_as_bare() {
    if !common::notify_available("a_terminated_blocked_caller_dies_as_bare") {
        return;
    }
    check_killed("TERM", "15");
}

/// A connect that waits (a local listener whose accept queue is full
/// drops the SYN, and the client retries): the parent's calls are
/// served meanwhile, and the alarm interrupts the connect with EINTR,
/// bare and in notify mode alike.
#[test]
fn a_slow_connect_blocks_only_its_caller() {
    if !common::notify_available("a_slow_connect_blocks_only_its_caller") {
        return;
    }
    let runs: Vec<_> = [Mode::Bare, Mode::Notify]
        .into_iter()
        .map(|mode| {
            let (_dir, _fifo, file) = setup(&format!("connect-{mode:?}"));
            let mut c = command(mode, Some(1), &[&"connect", &file]);
            (mode, std::thread::spawn(move || run(&mut c, LIMIT)))
        })
        .collect();
    for (mode, t) in runs {
        let o = t.join().unwrap();
        eprintln!("{mode:?}: {}", o.stdout.trim());
        let f = fields(&o);
        assert_eq!(
            field(&f, "during", &o),
            "1",
            "{mode:?}: the connect did not block while the parent worked \
             (if Bare: this machine does not make such a connect wait): {o:?}"
        );
        assert_eq!(field(&f, "result", &o), "EINTR", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "handled", &o), "1", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "failed", &o), "0", "{mode:?}: {o:?}");
        assert!(o.success(), "{mode:?}: {o:?}");
        let ops = seconds(&f, "ops", &o);
        assert!(
            (0.0..2.0).contains(&ops),
            "{mode:?}: 200 open+stat rounds took {ops} s: {o:?}"
        );
        let elapsed = seconds(&f, "elapsed", &o);
        assert!(
            (1.0..6.0).contains(&elapsed),
            "{mode:?}: the connect took {elapsed} s (alarm after 2 s): {o:?}"
        );
    }
}

/// A sendmsg that waits for room waits in a helper, as a sendto does:
/// it holds no notify worker. With a single worker (before: held by the
/// sendmsg), the parent's calls must still be served at once, or the
/// parent never gets to read and free the room (a deadlock, caught by
/// the deadline).
#[test]
fn a_waiting_sendmsg_holds_no_worker() {
    if !common::notify_available("a_waiting_sendmsg_holds_no_worker") {
        return;
    }
    for mode in [Mode::Bare, Mode::Notify] {
        let (_dir, _fifo, file) = setup(&format!("sendmsg-{mode:?}"));
        let o = run(&mut command(mode, Some(1), &[&"sendmsg", &file]), LIMIT);
        eprintln!("{mode:?}: {}", o.stdout.trim());
        let f = fields(&o);
        assert_eq!(field(&f, "during", &o), "1", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "failed", &o), "0", "{mode:?}: {o:?}");
        assert_eq!(field(&f, "result", &o), "ok", "{mode:?}: {o:?}");
        assert!(o.success(), "{mode:?}: {o:?}");
        let ops = seconds(&f, "ops", &o);
        assert!(
            (0.0..2.0).contains(&ops),
            "{mode:?}: 200 open+stat rounds took {ops} s: {o:?}"
        );
        for key in ["first", "slowest"] {
            let s = seconds(&f, key, &o);
            assert!(
                s < 0.5,
                "{mode:?}: {key}={s} s: calls waited for a worker: {o:?}"
            );
        }
    }
}
