//! Every command line of README's shell examples that runs husk is run
//! here, as written (`husk` on the PATH is the binary under test), in a
//! scratch project at `~/src/project` with a Makefile and a `build.sh`,
//! and must do what README says. A README example this test does not
//! know fails it: new examples come with their check.

mod common;

use common::run;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const LIMIT: Duration = Duration::from_secs(120);

/// The shell lines of README's code blocks that run husk (or prepare
/// for it), in order.
fn examples() -> Vec<String> {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut inside = false;
    let mut lines = Vec::new();
    // A line ending in `\` goes on on the next one.
    let mut joined: Vec<String> = Vec::new();
    let mut pending = String::new();
    for line in text.lines() {
        if let Some(head) = line.strip_suffix('\\') {
            pending.push_str(head);
            continue;
        }
        pending.push_str(line);
        joined.push(std::mem::take(&mut pending));
    }
    for line in &joined {
        if line.starts_with("```") {
            inside = line == "```sh";
            continue;
        }
        let command = line.split("  #").next().unwrap_or("").trim();
        if !inside || command.is_empty() || command.starts_with('#') {
            continue;
        }
        // Building, testing, installing, reading the manual, cross
        // tools are the Makefile's and CI's own business: only what runs
        // husk (and makes its files) is an example here.
        let runs_husk = command.split_whitespace().any(|w| w.ends_with("husk"));
        if !runs_husk && !command.starts_with("printf") {
            continue;
        }
        if command.starts_with("make") || command.starts_with("man ") {
            continue;
        }
        lines.push(command.to_string());
    }
    lines
}

/// What one example must do: exit status, text on stdout, on stderr.
fn expected(line: &str) -> Option<(i32, &'static str, &'static str)> {
    let table: &[(&str, (i32, &str, &str))] = &[
        ("-- cat /etc/passwd", (0, "root:", "")),
        ("-- cat /etc/shadow", (1, "", "\"path\":\"/etc/shadow\"")),
        ("husk --version", (0, "commit", "")),
        ("husk -- true", (126, "", "denied by policy")),
        ("husk -p linux -- true", (0, "", "")),
        ("husk -x -- make", (0, "", "")),
        ("husk -o make.conf", (0, "", "")),
        ("-- make test", (0, "tests pass", "")),
        ("/tmp/scratch/now", (0, "", "")),
        (
            "curl http://127.0.0.1:8080/",
            (0, "hello from the loopback", ""),
        ),
        ("printf 'include_profile", (0, "", "")),
        ("-P build.conf -- ./build.sh", (0, "built", "")),
        ("husk -E pfc", (0, "sandbox", "")),
        ("husk -E profile:list", (0, "linux", "")),
        ("husk -E profile:linux > my.conf", (0, "", "")),
        ("husk -C", (0, "transport", "")),
        ("trace/transport:ptrace -p linux -- ls /", (0, "usr", "")),
        ("-- find /usr/share/common-licenses", (0, "GPL", "")),
    ];
    table
        .iter()
        .find(|(key, _)| line.contains(key))
        .map(|(_, want)| *want)
}

fn have(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_readme_example_runs() {
    let top = common::scratch("readme");
    let home = top.join("home");
    let project = home.join("src/project");
    let bin = top.join("bin");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::create_dir_all("/tmp/scratch").unwrap();
    std::os::unix::fs::symlink(common::husk(), bin.join("husk")).unwrap();
    std::fs::write(
        project.join("hello.c"),
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    )
    .unwrap();
    std::fs::write(
        project.join("Makefile"),
        "hello: hello.c\n\tcc -o hello hello.c\ntest: hello\n\t./hello && echo tests pass\n",
    )
    .unwrap();
    std::fs::write(project.join("build.sh"), "#!/bin/sh\necho built\n").unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        let exec = std::fs::Permissions::from_mode(0o755);
        std::fs::set_permissions(project.join("build.sh"), exec).unwrap();
    }
    // The loopback server of the network example.
    let server = std::net::TcpListener::bind("127.0.0.1:8080").ok();
    if let Some(listener) = server.as_ref().and_then(|l| l.try_clone().ok()) {
        std::thread::spawn(move || {
            use std::io::{Read, Write};
            for stream in listener.incoming().flatten() {
                let mut stream = stream;
                let mut buf = [0u8; 1024];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(
                    b"HTTP/1.0 200 OK\r\nContent-Length: 24\r\n\r\nhello from the loopback\n",
                );
            }
        });
    }
    let path = format!("{}:/usr/local/bin:/usr/bin:/bin", bin.display());
    let lines = examples();
    assert!(lines.len() >= 15, "README lost its examples? {lines:?}");
    for line in &lines {
        let Some((code, out, err)) = expected(line) else {
            panic!("README example with no check in tests/readme.rs: {line}");
        };
        // README's own paths, and its pager left out.
        let command = line
            .replace("./target/release/husk", "husk")
            .replace(" | less", "");
        if command.contains("curl") && (!have("curl") || server.is_none()) {
            println!("note: curl or port 8080 not available: skipped `{line}`");
            continue;
        }
        let mut cmd = Command::new("sh");
        cmd.env_clear()
            .env("PATH", &path)
            .env("HOME", &home)
            .env("LANG", "C")
            .current_dir(&project)
            .args(["-c", &command]);
        let o = run(&mut cmd, LIMIT);
        println!("ran `{command}`: {:?}", o.code);
        assert!(
            o.code == Some(code) && o.stdout.contains(out) && o.stderr.contains(err),
            "`{line}`: {o:?}"
        );
    }
    // What the examples left behind says they did their work.
    assert!(project.join("needs.log").metadata().unwrap().len() > 0);
    let learned = std::fs::read_to_string(project.join("make.conf")).unwrap();
    assert!(learned.contains("allow/"), "{learned}");
    assert!(Path::new("/tmp/scratch/now").exists());
    assert!(
        std::fs::read_to_string(project.join("my.conf"))
            .unwrap()
            .contains("/usr/***")
    );
}
