//! Link flags for the freestanding binaries (`husk`, `husk-selftest`).
//!
//! The library itself is ordinary Rust; only the binaries are linked
//! without the C runtime. The flags below make them static executables
//! with no interpreter, no shared libraries, no dynamic relocations, a
//! non-executable stack and a read-only-after-start region placed by
//! `linker/husk.ld`.
//!
//! Two linker set-ups are understood: the native C compiler driver
//! (`cc`, the default), and `rust-lld`/`ld.lld` called directly, which
//! is how husk is cross-built for other architectures without a cross
//! C toolchain (`make cross ARCH=aarch64`).
//!
//! It also names the git commit being built (`HUSK_COMMIT`, printed by
//! `husk -V`), so a binary found on some machine can be traced back to
//! its source.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let script = manifest.join("linker").join("husk.ld");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", script.display());
    println!("cargo:rerun-if-env-changed=RUSTC_LINKER");
    // Cargo sets RUSTC_LINKER itself, from the target's linker setting:
    // watching it alone misses a change of that setting (a plain build
    // for a target, then one with `make cross`'s rust-lld).
    if let Ok(target) = env::var("TARGET") {
        let key = target.to_uppercase().replace('-', "_");
        println!("cargo:rerun-if-env-changed=CARGO_TARGET_{key}_LINKER");
    }
    println!("cargo:rustc-env=HUSK_COMMIT={}", commit(&manifest));

    // The `libc` crate asks for -lc, -lm, -lrt, -lpthread, -lutil and
    // -ldl. Empty archives of those names, searched before the system
    // directories, satisfy the request with nothing: a libc *function*
    // referenced by mistake is an undefined symbol at link time instead
    // of a silently linked libc.
    let out = PathBuf::from(env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    let nolibc = out.join("nolibc");
    std::fs::create_dir_all(&nolibc).expect("create OUT_DIR/nolibc");
    for lib in ["c", "m", "rt", "pthread", "util", "dl", "gcc_s", "gcc"] {
        std::fs::write(nolibc.join(format!("lib{lib}.a")), b"!<arch>\n")
            .expect("write empty archive");
    }

    let direct_lld = env::var("RUSTC_LINKER")
        .ok()
        .and_then(|l| {
            Path::new(&l)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .is_some_and(|name| {
            name.contains("lld") && !name.contains("clang") && !name.contains("gcc")
        });

    // Each flag once, in the linker's own syntax (`ld`), and wrapped
    // for a compiler driver otherwise.
    let ld_flags = [
        // A static, position-dependent executable: no PT_INTERP, no
        // DT_NEEDED, no dynamic relocations to apply at start-up.
        "-static".to_string(),
        "--no-pie".to_string(),
        "-z".to_string(),
        "noexecstack".to_string(),
        "-z".to_string(),
        "separate-code".to_string(),
        "-z".to_string(),
        "relro".to_string(),
        "--gc-sections".to_string(),
        "--build-id=none".to_string(),
        "-T".to_string(),
        script.display().to_string(),
    ];
    if direct_lld {
        for flag in ld_flags.iter().chain(&[format!("-L{}", nolibc.display())]) {
            println!("cargo:rustc-link-arg-bins={flag}");
        }
        return;
    }
    let driver_flags = [
        // No crt1.o/crti.o: `rt::entry` provides `_start`.
        "-nostartfiles".to_string(),
        // No libc, no libgcc by default.
        "-nostdlib".to_string(),
        "-static".to_string(),
        "-no-pie".to_string(),
        // A driver -L (not -Wl,-L) so it is searched before the system
        // directories: no libc.so is ever opened, which also keeps the
        // linker from giving the executable a .dynamic section.
        format!("-L{}", nolibc.display()),
    ];
    for flag in driver_flags {
        println!("cargo:rustc-link-arg-bins={flag}");
    }
    // The ld flags, passed through the driver in pairs where they take
    // a value (`-z relro` becomes `-Wl,-z,relro`).
    let mut i = 2; // -static and --no-pie are driver flags above
    while i < ld_flags.len() {
        let flag = &ld_flags[i];
        if flag == "-z" || flag == "-T" {
            println!("cargo:rustc-link-arg-bins=-Wl,{},{}", flag, ld_flags[i + 1]);
            i += 2;
        } else {
            println!("cargo:rustc-link-arg-bins=-Wl,{flag}");
            i += 1;
        }
    }
}

/// `git -C DIR ARGS...`'s trimmed output, or `None` if git is absent or
/// fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    out.status.success().then(|| text.trim().to_string())
}

/// The commit of the checkout at `manifest`: 12 hex digits, with
/// `-dirty` if the tree differs from it (untracked files count), or
/// `unknown` outside a git checkout (a source tarball) or without git.
///
/// The build script runs again when HEAD moves (a commit, a checkout),
/// when the index changes, and when anything under `src/` does, so the
/// answer stays true for the code compiled. `--no-optional-locks` keeps
/// `git status` from rewriting the index, which would make every build
/// a rebuild.
fn commit(manifest: &Path) -> String {
    // Only this tree's own repository: a tarball unpacked inside some
    // other checkout must not take that checkout's commit.
    let top = git(manifest, &["rev-parse", "--show-toplevel"]).map(PathBuf::from);
    let same = |top: &Path| match (top.canonicalize(), manifest.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    let Some(hash) = top
        .filter(|t| same(t))
        .and_then(|_| git(manifest, &["rev-parse", "--short=12", "HEAD"]))
    else {
        return "unknown".to_string();
    };
    // In a linked worktree `.git` is a file: HEAD and the index are in
    // the worktree's own git directory, branches and packed-refs in the
    // common one. Paths come back relative to `manifest` or absolute.
    let git_dir = git(manifest, &["rev-parse", "--git-dir"]).map(|d| manifest.join(d));
    let common = git(manifest, &["rev-parse", "--git-common-dir"]).map(|d| manifest.join(d));
    let mut watch = vec![manifest.join("src")];
    if let (Some(git_dir), Some(common)) = (git_dir, common) {
        let head = git_dir.join("HEAD");
        if let Some(name) = std::fs::read_to_string(&head)
            .ok()
            .and_then(|h| h.strip_prefix("ref:").map(|r| r.trim().to_string()))
        {
            // The branch: a loose ref, or a line of packed-refs.
            watch.push(common.join(&name));
            watch.push(common.join("packed-refs"));
        }
        // HEAD's reflog also catches a commit on a branch that was
        // packed (its loose ref is a new file, which nothing watched).
        watch.push(git_dir.join("logs").join("HEAD"));
        watch.push(head);
        watch.push(git_dir.join("index"));
    }
    // A path that does not exist would make cargo run this script (and
    // rebuild husk) every time.
    for path in watch.iter().filter(|p| p.exists()) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let dirty = git(manifest, &["--no-optional-locks", "status", "--porcelain"])
        .is_some_and(|changes| !changes.is_empty());
    if dirty { format!("{hash}-dirty") } else { hash }
}
