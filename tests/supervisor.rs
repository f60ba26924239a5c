//! The supervisor end to end: real programs under the real binary on
//! the real kernel — exit statuses, real workloads, job control,
//! signals, back-pressure, denials through both register paths.

mod common;

use common::{c_program, run, scratch, selftest};
use std::process::Command;
use std::time::{Duration, Instant};

const LIMIT: Duration = Duration::from_secs(60);

/// `husk [permissive policy] --`, ready for the command's words.
fn husk() -> Command {
    let mut cmd = Command::new(common::husk());
    cmd.args(sandbox_args());
    cmd
}

/// The options that make husk allow everything while still trapping
/// every call it would check.
fn sandbox_args() -> Vec<&'static str> {
    vec!["-p", "off", "--"]
}

/// The self-test supervisor with test knobs.
fn knobs(options: &[&str]) -> Command {
    let mut cmd = Command::new(selftest());
    cmd.arg("supervise").args(options).arg("--");
    cmd
}

fn sh(script: &str) -> common::Outcome {
    run(husk().args(["sh", "-c", script]), LIMIT)
}

#[test]
fn exit_statuses_pass_through() {
    assert_eq!(run(husk().arg("true"), LIMIT).code, Some(0));
    assert_eq!(run(husk().arg("false"), LIMIT).code, Some(1));
    assert_eq!(sh("exit 42").code, Some(42));
    // Killed by a signal: husk dies of the same one (a shell says
    // 128 + N). See tests/signals.rs for both transports and users.
    assert_eq!(sh("kill -INT $$").signal, Some(libc::SIGINT));
    assert_eq!(sh("kill -KILL $$").signal, Some(libc::SIGKILL));
    assert_eq!(sh("kill -SEGV $$").signal, Some(libc::SIGSEGV));
}

#[test]
fn the_eldest_decides_over_eight_children() {
    let o = sh("for i in 1 2 3 4 5 6 7 8; do (sleep 0.0$i; exit $i) & done; wait; exit 23");
    assert_eq!(o.code, Some(23), "{o:?}");
    // Children outliving the eldest do not change its status.
    let o = sh("(sleep 0.3; exit 9) & exit 4");
    assert_eq!(o.code, Some(4), "{o:?}");
}

#[test]
fn the_eldest_decides_over_eight_threads() {
    let threads = c_program("threads");
    let o = run(husk().arg(&threads).args(["exit-from-thread", "7"]), LIMIT);
    assert_eq!(o.code, Some(7), "{o:?}");
    let o = run(husk().arg(&threads).args(["leader-exits", "9"]), LIMIT);
    assert_eq!(o.code, Some(9), "{o:?}");
}

#[test]
fn a_shell_pipeline_produces_the_right_output() {
    let o = sh("printf 'b\\na\\nc\\n' | sort | tr a-z A-Z | head -n 2");
    assert!(o.success(), "{o:?}");
    assert_eq!(o.stdout, "A\nB\n");
}

#[test]
fn a_shell_runs_true_300_times() {
    let o = sh("i=0; while [ $i -lt 300 ]; do /bin/true || exit 1; i=$((i+1)); done; echo done $i");
    assert!(o.success(), "{o:?}");
    assert_eq!(o.stdout, "done 300\n");
}

/// More threads than husk tracks at once (4096): the process that makes
/// the surplus one is killed (SIGKILL ends a whole process), cleanly and
/// at once, and the rest of the sandbox goes on. (Before: husk left the
/// surplus thread stopped and waited for ever, deaf to SIGTERM.) Bare,
/// the same program runs them all.
#[test]
fn more_threads_than_husk_tracks() {
    let threads = c_program("threads");
    let n = (husk_tasks() + 100).to_string();
    let bare = run(Command::new(&threads).args(["many", &n]), LIMIT);
    assert_eq!(
        bare.stdout.trim(),
        format!("started {n}"),
        "control: {bare:?}"
    );
    for who in common::everyone() {
        let script = format!("{} many {n}; echo \"after $?\"", threads.display());
        let mut cmd = common::husk_as(who);
        cmd.args(["-p", "off", "--", "sh", "-c", &script]);
        let o = run(&mut cmd, Duration::from_secs(30));
        assert!(o.success(), "{who:?}: {o:?}");
        // Killed by SIGKILL (137 from the shell), and the shell went on.
        assert_eq!(o.stdout.trim(), "after 137", "{who:?}: {o:?}");
        assert!(o.stderr.contains("too many tasks"), "{who:?}: {o:?}");
        assert!(o.elapsed < Duration::from_secs(10), "{who:?}: {o:?}");
    }
}

/// The tasks husk tracks at once (`husk -C`).
fn husk_tasks() -> usize {
    let o = run(Command::new(common::husk()).arg("-C"), LIMIT);
    o.stdout
        .lines()
        .find_map(|l| l.trim().strip_prefix("tasks: "))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("husk -C names its task capacity")
}

#[test]
fn sixty_four_threads_opening_files() {
    let threads = c_program("threads");
    let o = run(
        husk()
            .arg(&threads)
            .args(["open", "64", "50", "/etc/passwd"]),
        LIMIT,
    );
    assert!(o.success(), "{o:?}");
    assert_eq!(o.stdout.trim(), "ok 3200");
}

#[test]
fn make_j2_builds_a_small_c_project() {
    let dir = scratch("make");
    for i in 0..6 {
        std::fs::write(
            dir.join(format!("f{i}.c")),
            format!("int f{i}(void) {{ return {i}; }}\n"),
        )
        .unwrap();
    }
    let decls: String = (0..6).map(|i| format!("int f{i}(void);\n")).collect();
    let sum: Vec<String> = (0..6).map(|i| format!("f{i}()")).collect();
    std::fs::write(
        dir.join("main.c"),
        format!(
            "#include <stdio.h>\n{decls}int main(void) {{ printf(\"%d\\n\", {}); return 0; }}\n",
            sum.join(" + ")
        ),
    )
    .unwrap();
    let objs: Vec<String> = (0..6).map(|i| format!("f{i}.o")).collect();
    std::fs::write(
        dir.join("Makefile"),
        format!(
            "prog: main.o {objs}\n\tcc -o $@ $^\n%.o: %.c\n\tcc -c -O1 -o $@ $<\n",
            objs = objs.join(" ")
        ),
    )
    .unwrap();
    let o = run(
        husk().args(["make", "-j2", "-C"]).arg(&dir),
        Duration::from_secs(120),
    );
    assert!(o.success(), "{o:?}");
    let o = run(&mut Command::new(dir.join("prog")), LIMIT);
    assert_eq!(o.stdout.trim(), "15");
}

#[test]
fn job_control_stop_and_continue() {
    let o = sh("sleep 5 & p=$!; kill -STOP $p; sleep 0.2; \
                s1=$(awk '/^State/ {print $2}' /proc/$p/status); \
                kill -CONT $p; sleep 0.2; \
                s2=$(awk '/^State/ {print $2}' /proc/$p/status); \
                kill $p; wait $p; echo $s1 $s2");
    assert!(o.success(), "{o:?}");
    let states: Vec<&str> = o.stdout.split_whitespace().collect();
    // A stopped tracee shows as "t (tracing stop)": husk holds it in a
    // group-stop with PTRACE_LISTEN.
    assert!(
        matches!(states.first(), Some(&"T") | Some(&"t")),
        "not stopped: {o:?}"
    );
    assert!(
        matches!(states.get(1), Some(&"S") | Some(&"R")),
        "not resumed: {o:?}"
    );
}

/// husk itself stopped and continued (Ctrl-Z, `kill -STOP`): its
/// threads' interrupted sleeps are resumed by the kernel's
/// `restart_syscall`, which its own filters must allow, and the command
/// goes on to its end. (Before: husk died of SIGSYS, and the command
/// with it.)
#[test]
fn husk_stopped_and_continued_keeps_supervising() {
    for transport in common::transports() {
        let mut cmd = Command::new(common::husk());
        cmd.args(["-m", &format!("trace/transport:{transport}"), "-p", "linux"]);
        cmd.args([
            "--",
            "sh",
            "-c",
            "sleep 1; cat /etc/hostname > /dev/null; echo done",
        ]);
        let child = cmd
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let pid = child.id() as i32;
        std::thread::sleep(Duration::from_millis(300));
        for sig in [libc_sig::SIGSTOP, libc_sig::SIGCONT] {
            unsafe_kill(pid, sig);
            std::thread::sleep(Duration::from_millis(200));
        }
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{transport}: {out:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            "done",
            "{transport}"
        );
    }
}

mod libc_sig {
    pub const SIGSTOP: i32 = 19;
    pub const SIGCONT: i32 = 18;
}

#[test]
fn signals_sent_to_husk_reach_the_command() {
    let dir = scratch("signals");
    let ready = dir.join("ready");
    let script = format!(
        "trap 'echo got TERM; exit 3' TERM; touch {}; while :; do sleep 0.05; done",
        ready.display()
    );
    let child = husk()
        .args(["sh", "-c", &script])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !ready.exists() {
        assert!(start.elapsed() < LIMIT, "command never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    unsafe_kill(child.id() as i32, 15);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "got TERM\n");
}

#[test]
fn kill_9_of_husk_leaves_nothing_running() {
    let dir = scratch("kill9");
    let ready = dir.join("ready");
    let marker = format!("husk-kill9-{}", std::process::id());
    // Several processes, each with the marker in its command line.
    let script = format!(
        "for i in 1 2 3; do sh -c 'sleep 100; : {marker}' & done; touch {}; sleep 100; : {marker}",
        ready.display()
    );
    let mut child = husk().args(["sh", "-c", &script]).spawn().unwrap();
    let start = Instant::now();
    while !ready.exists() {
        assert!(start.elapsed() < LIMIT, "command never started");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        count_processes_with(&marker) >= 4,
        "the sandbox did not start its processes"
    );
    unsafe_kill(child.id() as i32, 9);
    let _ = child.wait();
    let start = Instant::now();
    while count_processes_with(&marker) > 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "sandboxed processes survived kill -9 of husk"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn a_missing_command_is_127_with_a_message() {
    let o = run(husk().arg("/nonexistent/husk-test"), LIMIT);
    assert_eq!(o.code, Some(127), "{o:?}");
    assert!(
        o.stderr
            .contains("cannot run /nonexistent/husk-test: ENOENT"),
        "{o:?}"
    );
    let o = run(husk().arg("husk-no-such-command"), LIMIT);
    assert_eq!(o.code, Some(127), "{o:?}");
    let o = run(husk().arg("/etc/passwd"), LIMIT);
    assert_eq!(o.code, Some(126), "{o:?}");
}

/// A program the policy does not let run is not reported as missing:
/// the message says the policy refused it, and names the rule.
#[test]
fn a_denied_command_says_denied_by_policy() {
    for who in common::everyone() {
        let mut cmd = common::husk_as(who);
        cmd.args(["--", "true"]);
        let o = run(&mut cmd, LIMIT);
        assert_eq!(o.code, Some(126), "{who:?}: {o:?}");
        assert!(
            o.stderr.contains("cannot run true: denied by policy")
                && o.stderr.contains("allow/stat,exec+/"),
            "{who:?}: {o:?}"
        );
        // A missing one is still missing.
        let mut cmd = common::husk_as(who);
        cmd.args(["--", "husk-no-such-command"]);
        let o = run(&mut cmd, LIMIT);
        assert_eq!(o.code, Some(127), "{who:?}: {o:?}");
        assert!(!o.stderr.contains("denied by policy"), "{who:?}: {o:?}");
    }
}

#[test]
fn argv0_and_environment_options() {
    let mut cmd = Command::new(common::husk());
    cmd.args(["-a", "renamed", "-e", "HUSK_SET=yes", "-e", "HUSK_GONE"])
        .args(sandbox_args())
        .args([
            "sh",
            "-c",
            "cat /proc/$$/cmdline | tr '\\0' ' '; echo; echo ${HUSK_SET-unset} ${HUSK_GONE-unset}",
        ])
        .env("HUSK_GONE", "present");
    let o = run(&mut cmd, LIMIT);
    assert!(o.success(), "{o:?}");
    let lines: Vec<&str> = o.stdout.lines().collect();
    assert!(lines[0].starts_with("renamed -c "), "{o:?}");
    assert_eq!(lines[1], "yes unset");
}

#[test]
fn denials_work_through_syscall_info_and_through_registers() {
    let dir = scratch("deny");
    let mkdir_nr = mkdir_number().to_string();
    for regs in [false, true] {
        let target = dir.join(format!("d-{regs}"));
        let deny = format!("{mkdir_nr}:13");
        let mut options = vec!["--deny", &deny];
        if regs {
            options.push("--regs");
        }
        let o = run(knobs(&options).arg("mkdir").arg(&target), LIMIT);
        assert_eq!(o.code, Some(1), "{o:?}");
        assert!(o.stderr.contains("Permission denied"), "regs={regs}: {o:?}");
        assert!(!target.exists(), "the denied mkdir ran");
        // A different errno makes it through unchanged.
        let deny = format!("{mkdir_nr}:28");
        let mut options = vec!["--deny", &deny];
        if regs {
            options.push("--regs");
        }
        let o = run(knobs(&options).arg("mkdir").arg(&target), LIMIT);
        assert!(
            o.stderr.contains("No space left on device"),
            "regs={regs}: {o:?}"
        );
        // Control: allowed, it is created.
        let o = run(
            knobs(if regs { &["--regs"] } else { &[] })
                .arg("mkdir")
                .arg(&target),
            LIMIT,
        );
        assert!(o.success() && target.exists(), "{o:?}");
        std::fs::remove_dir(&target).unwrap();
    }
}

#[test]
fn a_kill_verdict_kills_only_the_offending_process() {
    let mkdir_nr = mkdir_number().to_string();
    let o = run(
        knobs(&["--kill", &mkdir_nr]).args(["sh", "-c", "mkdir /tmp/husk-kill-test; echo $?"]),
        LIMIT,
    );
    assert!(o.success(), "{o:?}");
    assert_eq!(o.stdout.trim(), "137", "{o:?}");
}

#[test]
fn back_pressure_denies_instead_of_hanging() {
    // One slot, one slow worker, 8 processes and 64 threads opening
    // files: the tracer must deny what it cannot queue (EACCES, even an
    // execve) and every tracee must finish.
    let threads = c_program("threads");
    let t = threads.display();
    let script = format!(
        "for i in 1 2 3 4 5 6 7 8; do {t} open 8 20 /etc/passwd & done; {t} open 64 20 /etc/passwd; wait; echo finished"
    );
    let o = run(
        knobs(&["--queue", "1", "--workers", "1", "--delay-us", "200"]).args(["sh", "-c", &script]),
        LIMIT,
    );
    assert!(o.success(), "{o:?}");
    assert!(o.stdout.ends_with("finished\n"), "{o:?}");
    let total: u64 = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert!(total > 0, "nothing got through: {o:?}");
    assert!(
        total < 8 * 8 * 20 + 64 * 20,
        "nothing was denied: the queue was never full: {o:?}"
    );
    assert!(o.stderr.contains("Permission denied"), "{o:?}");
    // Control: with the normal queue everything goes through. (At most
    // 64 threads at once here: 128 callers at once could fill even the
    // normal queue on a loaded machine, and then be denied, rightly.)
    let control = format!(
        "for i in 1 2 3 4 5 6 7 8; do {t} open 8 20 /etc/passwd & done; wait; {t} open 64 20 /etc/passwd; echo finished"
    );
    let o = run(
        knobs(&["--workers", "1"]).args(["sh", "-c", &control]),
        LIMIT,
    );
    let total: u64 = o
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("ok "))
        .map(|n| n.parse::<u64>().unwrap())
        .sum();
    assert_eq!(total, 8 * 8 * 20 + 64 * 20, "{o:?}");
}

#[test]
fn no_lost_wakeup_with_a_slow_worker() {
    // One tracee making 3000 trapped calls one after the other: each
    // waits for its verdict, and nothing else happens that could wake
    // the tracer. A lost wake-up would hang here until the deadline.
    let threads = c_program("threads");
    for delay in ["0", "20"] {
        let o = run(
            knobs(&["--workers", "1", "--delay-us", delay])
                .arg(&threads)
                .args(["open", "1", "3000", "/etc/passwd"]),
            LIMIT,
        );
        assert!(o.success(), "{o:?}");
        assert_eq!(o.stdout.trim(), "ok 3000");
    }
}

fn mkdir_number() -> u32 {
    if cfg!(target_arch = "x86_64") {
        83
    } else {
        34 /* mkdirat */
    }
}

fn count_processes_with(marker: &str) -> usize {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .chars()
                .all(|c| c.is_ascii_digit())
        })
        .filter(|e| {
            std::fs::read(e.path().join("cmdline"))
                .is_ok_and(|c| String::from_utf8_lossy(&c).contains(marker))
        })
        .count()
}

fn unsafe_kill(pid: i32, sig: i32) {
    let status = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn exit_wait_all_waits_for_every_process() {
    let dir = scratch("waitall");
    let marker = dir.join("late");
    let script = format!("(sleep 0.5; touch {}) & exit 4", marker.display());
    // Without it: husk ends with the eldest and the rest die with it.
    let o = run(husk().args(["sh", "-c", &script]), LIMIT);
    assert_eq!(o.code, Some(4), "{o:?}");
    std::thread::sleep(Duration::from_millis(800));
    assert!(!marker.exists(), "a sandboxed process outlived husk");
    // With it: husk waits, and still reports the eldest's status.
    let mut cmd = Command::new(common::husk());
    cmd.args([
        "-p",
        "off",
        "-m",
        "trace/exit_wait_all:1",
        "--",
        "sh",
        "-c",
        &script,
    ]);
    let o = run(&mut cmd, LIMIT);
    assert_eq!(o.code, Some(4), "{o:?}");
    assert!(
        marker.exists(),
        "husk did not wait for the background process"
    );
    assert!(o.elapsed >= Duration::from_millis(450), "{o:?}");
}

/// `HUSK_LOG_FD=N` is husk's audit log: the command neither inherits
/// the descriptor (so it cannot write forged lines into the log) nor
/// sees the variable. Without husk, the same command does write there.
#[test]
fn the_log_descriptor_is_not_passed_on() {
    let dir = common::scratch("log-fd");
    let attack = "echo '{\"ctx\":\"forged\"}' >&3; echo ${HUSK_LOG_FD:-unset}; cat /etc/shadow";
    let log = dir.join("log");
    let bare = run(
        Command::new("sh")
            .arg("-c")
            .arg(format!(
                "sh -c '{}' 3>{}",
                attack.replace('\'', "'\\''"),
                log.display()
            ))
            .env("HUSK_LOG_FD", "3"),
        LIMIT,
    );
    assert!(
        std::fs::read_to_string(&log).unwrap().contains("forged"),
        "{bare:?}"
    );
    for user in common::users() {
        for transport in common::transports() {
            let who = format!("{user:?}, {transport}");
            let log = dir.join(format!("log-{user:?}-{transport}"));
            std::fs::write(&log, "").unwrap();
            common::hand_over(&dir, user);
            let script = format!(
                "HUSK_LOG_FD=3 exec {} -m trace/transport:{transport} -p linux -- sh -c '{}' 3>>{}",
                common::husk(),
                attack.replace('\'', "'\\''"),
                log.display()
            );
            let o = run(common::as_user(user, "sh").arg("-c").arg(script), LIMIT);
            assert_eq!(o.stdout.trim(), "unset", "{who}: {o:?}");
            assert!(o.stderr.contains("Bad file descriptor"), "{who}: {o:?}");
            let logged = std::fs::read_to_string(&log).unwrap();
            assert!(!logged.contains("forged"), "{who}: {logged}");
            // husk's own line for the denied read is there.
            assert!(
                logged.contains("\"path\":\"/etc/shadow\""),
                "{who}: {logged}"
            );
        }
    }
}

/// The status lines of every thread of process `pid`: (name, Seccomp,
/// Seccomp_filters, NoNewPrivs).
fn thread_confinement(pid: u32) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return out;
    };
    for task in tasks.flatten() {
        let Ok(status) = std::fs::read_to_string(task.path().join("status")) else {
            continue;
        };
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        out.push((
            field("Name:"),
            field("Seccomp:"),
            field("Seccomp_filters:"),
            field("NoNewPrivs:"),
        ));
    }
    out
}

/// Every thread of husk runs under exactly one filter of its own (mode
/// 2, one filter, no-new-privs): the tracer under its own, the workers
/// started by the first worker (with the first request) and the notify
/// workers, watcher and blocking-call helpers started by the first
/// notify worker (with the first call) under the one they inherit,
/// never none and never one stacked on another.
/// Looked at from outside while a blocked FIFO open keeps a helper and
/// the watcher alive (notify mode), as root and as a user.
#[test]
fn every_husk_thread_is_confined_once() {
    for who in common::everyone() {
        let dir = scratch(&format!("confined-{}-{:?}", who.transport, who.user));
        let fifo = dir.join("fifo");
        let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        common::hand_over(&dir, who.user);
        let mut cmd = common::husk_as(who);
        cmd.args([
            "-p",
            "off",
            "-m",
            "sandbox/read:on",
            "-m",
            "allow/read+/***",
            // An exec to check: the first request, with which the first
            // worker starts the others.
            "-m",
            "sandbox/exec:on",
            "-m",
            "allow/exec+/usr/***",
            "-m",
            "allow/exec+/bin/***",
            "-m",
            "trace/kernel:off",
            "--",
            "cat",
        ])
        .arg(&fifo)
        .env("HUSK_WORKERS", "3")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        let pid = child.id();
        // Until every thread it will have is there: the workers, and in
        // notify mode the notify workers, the watcher and a helper
        // waiting in the FIFO's open.
        let wanted: &[&str] = if who.transport == "notify" {
            &[
                "husk-worker-2",
                "husk-notify-2",
                "husk-watcher",
                "husk-blocked",
            ]
        } else {
            &["husk-worker-2"]
        };
        let start = Instant::now();
        let threads = loop {
            let threads = thread_confinement(pid);
            let all = wanted.iter().all(|w| threads.iter().any(|t| t.0 == *w));
            // The tracer confines itself once the workers are started.
            let settled = threads.iter().all(|t| t.1 == "2");
            if all && settled || start.elapsed() > Duration::from_secs(10) {
                break threads;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        // Done looking: end the run (husk passes SIGTERM on to cat).
        // Writing into the FIFO would race with cat's open of it.
        sigterm(pid);
        let status = child.wait().unwrap();
        assert!(
            std::os::unix::process::ExitStatusExt::signal(&status) == Some(15)
                || status.code() == Some(143),
            "{who:?}: {status:?}"
        );
        for w in wanted {
            assert!(
                threads.iter().any(|t| t.0 == *w),
                "{who:?}: no thread {w}: {threads:?}"
            );
        }
        assert!(threads.len() > wanted.len(), "{who:?}: {threads:?}");
        for (name, mode, filters, nnp) in &threads {
            assert_eq!(
                (mode.as_str(), filters.as_str(), nnp.as_str()),
                ("2", "1", "1"),
                "{who:?}: thread {name} is not confined exactly once: {threads:?}"
            );
        }
    }
}

/// SIGTERM to `pid`, through kill(1).
fn sigterm(pid: u32) {
    let sent = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}
