//! The documentation that ships with husk: the man pages render without
//! warnings, say what the option parser and the rule language really
//! accept, and `make install` puts them in place; `--help` and
//! `--version` work and the version names the commit.

mod common;

use common::{husk, run};
use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

const PAGES: [&str; 2] = ["docs/husk.1", "docs/husk.5"];

/// `make install` may (re)link the binary the other tests run: one at
/// a time.
static BINARY: Mutex<()> = Mutex::new(());

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn exists(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn husk_run(args: &[&str]) -> common::Outcome {
    let _one = BINARY.lock().unwrap_or_else(|e| e.into_inner());
    run(Command::new(husk()).args(args), Duration::from_secs(20))
}

#[test]
fn man_pages_render_without_warnings() {
    let (man, groff) = (exists("man"), exists("groff"));
    if !man && !groff {
        eprintln!("note: neither man nor groff is installed: the pages were not rendered");
        return;
    }
    for page in PAGES {
        let path = root().join(page);
        let mut runs = Vec::new();
        if man {
            let mut cmd = Command::new("man");
            cmd.env("MANWIDTH", "80")
                .env_remove("MANPAGER")
                .env_remove("PAGER")
                .args(["--warnings", "-l"])
                .arg(&path);
            runs.push(cmd);
        }
        if groff {
            for device in ["-Tutf8", "-Tascii"] {
                let mut cmd = Command::new("groff");
                cmd.args(["-man", device, "-ww", "-z"]).arg(&path);
                runs.push(cmd);
            }
        }
        for mut cmd in runs {
            let o = run(&mut cmd, Duration::from_secs(60));
            assert!(
                o.success() && o.stderr.is_empty(),
                "{cmd:?}: status {:?}, stderr:\n{}",
                o.code,
                o.stderr
            );
        }
    }
}

/// The option letters and long options `Options::parse` accepts, read
/// from its source so that a new option cannot go undocumented.
fn parser_options() -> (BTreeSet<char>, BTreeSet<String>) {
    let source = read("src/cli/options.rs");
    let start = source
        .find("match c {")
        .expect("the parser's `match c {` over option letters");
    let end = start
        + source[start..]
            .find("Error::UnknownOption(")
            .expect("the parser's unknown-option arm");
    let mut letters = BTreeSet::new();
    let mut rest = &source[start..end];
    while let Some(i) = rest.find("b'") {
        let c = rest[i + 2..].chars().next().unwrap();
        assert_eq!(&rest[i + 2 + c.len_utf8()..][..1], "'", "{}", &rest[i..]);
        letters.insert(c);
        rest = &rest[i + 3..];
    }
    let parse = &source[source.find("pub fn parse(").unwrap()..start];
    let long: BTreeSet<String> = parse
        .split('"')
        .filter(|s| s.starts_with("--") && s.len() > 2)
        .map(str::to_string)
        .collect();
    // A parser rewritten so that this reading finds nothing must fail
    // here, not pass with nothing to check.
    for c in ['h', 'V', 'C', 'x', 'm', 'p', 'P', 'a', 'e', 'E'] {
        assert!(letters.contains(&c), "-{c} not found in the parser");
    }
    for l in ["--help", "--version"] {
        assert!(long.contains(l), "{l} not found in the parser");
    }
    (letters, long)
}

/// Whether `word` is, in bold, the tag of a `.TP` paragraph of the roff
/// source (`.B \-m`, `.BI \-m " COMMAND"`, `.BR \-V ", " \-\-version`):
/// where the pages define options, commands and names, not merely
/// mention them.
fn defined(page: &str, word: &str) -> bool {
    let lines: Vec<&str> = page.lines().collect();
    lines.windows(2).any(|pair| {
        let mut tokens = pair[1].split_whitespace();
        pair[0] == ".TP"
            && matches!(tokens.next(), Some(".B" | ".BR" | ".BI" | ".RB" | ".IB"))
            && tokens.any(|t| t.trim_matches('"') == word)
    })
}

fn roff_option(option: &str) -> String {
    option.replace('-', "\\-")
}

#[test]
fn husk_1_documents_every_option_the_parser_accepts() {
    let page = read("docs/husk.1");
    let (letters, long) = parser_options();
    let help = husk_run(&["-h"]);
    assert!(help.success(), "{help:?}");
    let mut missing = Vec::new();
    for option in letters
        .iter()
        .map(|c| format!("-{c}"))
        .chain(long.iter().cloned())
    {
        if !defined(&page, &roff_option(&option)) {
            missing.push(format!("{option} (not in husk.1)"));
        }
        if !help.stdout.contains(&option) {
            missing.push(format!("{option} (not in husk -h)"));
        }
    }
    for var in ["HUSK_LOG_FD", "HUSK_WORKERS"] {
        if !page.contains(var) {
            missing.push(var.to_string());
        }
    }
    assert!(missing.is_empty(), "undocumented: {missing:?}");
    for section in ["OPTIONS", "ENVIRONMENT", "EXIT STATUS", "EXAMPLES"] {
        assert!(
            page.contains(&format!("\n.SH {section}\n")),
            "husk.1 lacks {section}"
        );
    }
}

/// The names the rule language accepts, read from its source: the
/// quoted names of `src/policy/category.rs` (categories and sets) and
/// of `Action::parse`.
fn rule_names() -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let categories = read("src/policy/category.rs");
    let name_fn = &categories[categories.find("pub fn name(self)").unwrap()..];
    let name_fn = &name_fn[..name_fn.find("\n    }\n").unwrap()];
    let sets = &categories[categories.find("pub fn parse_one(").unwrap()..];
    let sets = &sets[..sets.find("\n    }\n").unwrap()];
    let actions = read("src/policy/action.rs");
    let parse = &actions[actions.find("pub fn parse(").unwrap()..];
    let parse = &parse[..parse.find("\n    }\n").unwrap()];
    for (text, open) in [(name_fn, "=> \""), (sets, "b\""), (parse, "b\"")] {
        let mut rest = text;
        while let Some(i) = rest.find(open) {
            rest = &rest[i + open.len()..];
            let end = rest.find('"').unwrap();
            names.insert(rest[..end].to_string());
            rest = &rest[end..];
        }
    }
    for name in ["stat", "net/sendfd", "rpath", "net", "allow", "exit"] {
        assert!(names.contains(name), "{name} not found in src/policy");
    }
    names
}

#[test]
fn husk_5_documents_every_command_category_action_and_profile() {
    let page = read("docs/husk.5");
    let mut missing: Vec<String> = rule_names()
        .into_iter()
        .filter(|name| !defined(&page, name))
        .collect();
    let profiles = husk_run(&["-E", "profile:list"]);
    assert!(profiles.success(), "{profiles:?}");
    let profiles: Vec<&str> = profiles
        .stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(profiles.contains(&"linux"), "{profiles:?}");
    for profile in profiles {
        if !defined(&page, profile) {
            missing.push(format!("profile {profile}"));
        }
    }
    for command in [
        "sandbox/",
        "default/",
        "include",
        "include_profile",
        "trace/exit_wait_all:1",
        "trace/transport:auto",
    ] {
        if !defined(&page, command) {
            missing.push(command.to_string());
        }
    }
    assert!(missing.is_empty(), "husk.5 lacks {missing:?}");
}

#[test]
fn make_install_puts_the_binary_and_the_pages_in_place() {
    let dest =
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("install-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dest);
    let o = {
        let _one = BINARY.lock().unwrap_or_else(|e| e.into_inner());
        let mut make = Command::new("make");
        make.current_dir(root())
            .arg("install")
            .arg(format!("DESTDIR={}", dest.display()))
            .arg("PREFIX=/usr")
            // Not the caller's: the paths checked are the defaults'.
            .env_remove("BINDIR")
            .env_remove("MANDIR")
            .env_remove("MAKEFLAGS")
            .env_remove("MAKELEVEL")
            .env_remove("MFLAGS");
        run(&mut make, Duration::from_secs(900))
    };
    assert!(o.success(), "make install: {o:?}");
    let built = root().join("target/release/husk");
    for (installed, mode, from) in [
        ("usr/bin/husk", 0o755, built.as_path()),
        ("usr/share/man/man1/husk.1", 0o644, &root().join(PAGES[0])),
        ("usr/share/man/man5/husk.5", 0o644, &root().join(PAGES[1])),
    ] {
        let path = dest.join(installed);
        let meta = std::fs::metadata(&path).unwrap_or_else(|e| panic!("{installed}: {e}"));
        assert!(meta.is_file(), "{installed} is not a file");
        assert_eq!(
            meta.permissions().mode() & 0o7777,
            mode,
            "{installed}: mode {:o}",
            meta.permissions().mode()
        );
        assert!(
            std::fs::read(&path).unwrap() == std::fs::read(from).unwrap(),
            "{installed} differs from {}",
            from.display()
        );
    }
    std::fs::remove_dir_all(&dest).unwrap();
}

#[test]
fn long_help_and_version() {
    let help = husk_run(&["--help"]);
    assert!(help.success(), "{help:?}");
    assert_eq!(help.stdout, husk_run(&["-h"]).stdout);
    assert!(help.stdout.contains("--help") && help.stdout.contains("--version"));

    let version = husk_run(&["--version"]);
    assert!(version.success(), "{version:?}");
    assert_eq!(version.stdout, husk_run(&["-V"]).stdout);
    let line = version.stdout.trim_end();
    let prefix = format!(
        "husk {} ({}) commit ",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH
    );
    let commit = line
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("{line:?} does not start with {prefix:?}"));
    // 12 hex digits (more only if 12 were ambiguous in the repository).
    let hash = commit.strip_suffix("-dirty").unwrap_or(commit);
    assert!(
        commit == "unknown" || (hash.len() >= 12 && hash.bytes().all(|b| b.is_ascii_hexdigit())),
        "not a commit: {commit:?}"
    );

    // Built from this checkout (not another binary given in HUSK_BIN):
    // it must name this checkout's commit.
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(root())
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let ours = git(&["rev-parse", "--show-toplevel"])
        .is_some_and(|top| Path::new(&top).canonicalize().ok() == root().canonicalize().ok());
    if std::env::var_os("HUSK_BIN").is_none() && ours {
        let head = git(&["rev-parse", "--short=12", "HEAD"]).unwrap();
        assert_eq!(hash, head, "husk --version: {line:?}");
    }
}
