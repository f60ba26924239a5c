//! Link flags for the freestanding binaries (`husk`, `husk-selftest`).
//!
//! The library itself is ordinary Rust; only the binaries are linked
//! without the C runtime. The flags below make them static executables
//! with no interpreter, no shared libraries, no dynamic relocations, a
//! non-executable stack and a read-only-after-start region placed by
//! `linker/husk.ld`.

use std::env;
use std::path::PathBuf;

fn main() {
    let manifest =
        PathBuf::from(env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let script = manifest.join("linker").join("husk.ld");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={}", script.display());

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

    let flags = [
        // No crt1.o/crti.o: `rt::entry` provides `_start`.
        "-nostartfiles".to_string(),
        // No libc, no libgcc: a libc function reference becomes a link error.
        "-nostdlib".to_string(),
        // A static, position-dependent executable: no PT_INTERP, no
        // DT_NEEDED, no dynamic relocations to apply at start-up.
        "-static".to_string(),
        "-no-pie".to_string(),
        "-Wl,-z,noexecstack".to_string(),
        "-Wl,-z,separate-code".to_string(),
        "-Wl,-z,relro".to_string(),
        "-Wl,--gc-sections".to_string(),
        "-Wl,--build-id=none".to_string(),
        format!("-Wl,-T,{}", script.display()),
        // A driver -L (not -Wl,-L) so it is searched before the
        // system directories: no libc.so is ever opened, which also
        // keeps the linker from giving the executable a .dynamic section.
        format!("-L{}", nolibc.display()),
    ];
    for flag in flags {
        println!("cargo:rustc-link-arg-bins={flag}");
    }
}
