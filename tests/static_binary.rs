//! The release binary is what the design card promises: a static ELF
//! executable with no interpreter, no shared libraries, no dynamic
//! relocations, no writable-and-executable segment, a non-executable
//! stack, the lockdown region, and a small size.

mod common;

use std::time::Duration;

const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
const PT_LOAD: u32 = 1;
const PT_GNU_STACK: u32 = 0x6474_e551;
const PF_X: u32 = 1;
const PF_W: u32 = 2;
const SHT_RELA: u32 = 4;
const SHT_DYNAMIC: u32 = 6;
const SHT_NOBITS: u32 = 8;
const SHT_REL: u32 = 9;

/// The size we promise users (a headline number; README says about
/// what it is today).
/// (256 KiB since the Landlock compiler, `check::kernel`, came in.)
const SIZE_LIMIT: u64 = 256 * 1024;

struct Segment {
    kind: u32,
    flags: u32,
}

struct Section {
    name: String,
    kind: u32,
    addr: u64,
    size: u64,
}

struct Elf {
    kind: u16,
    segments: Vec<Segment>,
    sections: Vec<Section>,
}

fn u16_at(b: &[u8], o: usize) -> u16 {
    u16::from_le_bytes(b[o..o + 2].try_into().unwrap())
}
fn u32_at(b: &[u8], o: usize) -> u32 {
    u32::from_le_bytes(b[o..o + 4].try_into().unwrap())
}
fn u64_at(b: &[u8], o: usize) -> u64 {
    u64::from_le_bytes(b[o..o + 8].try_into().unwrap())
}

fn parse(b: &[u8]) -> Elf {
    assert_eq!(&b[..4], b"\x7fELF", "not an ELF file");
    assert_eq!(b[4], 2, "not ELF64");
    assert_eq!(b[5], 1, "not little-endian");
    let kind = u16_at(b, 16);
    let (phoff, shoff) = (u64_at(b, 32) as usize, u64_at(b, 40) as usize);
    let (phentsize, phnum) = (u16_at(b, 54) as usize, u16_at(b, 56) as usize);
    let (shentsize, shnum, shstrndx) = (
        u16_at(b, 58) as usize,
        u16_at(b, 60) as usize,
        u16_at(b, 62) as usize,
    );
    let segments = (0..phnum)
        .map(|i| {
            let o = phoff + i * phentsize;
            Segment {
                kind: u32_at(b, o),
                flags: u32_at(b, o + 4),
            }
        })
        .collect();
    let raw: Vec<(u32, u32, u64, u64, u64)> = (0..shnum)
        .map(|i| {
            let o = shoff + i * shentsize;
            (
                u32_at(b, o),
                u32_at(b, o + 4),
                u64_at(b, o + 16),
                u64_at(b, o + 24),
                u64_at(b, o + 32),
            )
        })
        .collect();
    let strtab = raw.get(shstrndx).map(|s| s.3 as usize).unwrap_or(0);
    let sections = raw
        .iter()
        .map(|&(name, kind, addr, _offset, size)| {
            let start = strtab + name as usize;
            let end = start + b[start..].iter().position(|&c| c == 0).unwrap();
            Section {
                name: String::from_utf8_lossy(&b[start..end]).into_owned(),
                kind,
                addr,
                size,
            }
        })
        .collect();
    Elf {
        kind,
        segments,
        sections,
    }
}

fn husk_elf() -> (Elf, u64) {
    let bytes = std::fs::read(common::husk()).expect("read the husk binary");
    (parse(&bytes), bytes.len() as u64)
}

#[test]
fn is_a_static_executable_without_interpreter_or_dynamic_section() {
    let (elf, _) = husk_elf();
    assert_eq!(
        elf.kind, 2,
        "ELF type is not ET_EXEC (a PIE would need relocating)"
    );
    assert!(
        !elf.segments.iter().any(|s| s.kind == PT_INTERP),
        "has PT_INTERP"
    );
    // No PT_DYNAMIC means no DT_NEEDED and nothing for a loader to do.
    assert!(
        !elf.segments.iter().any(|s| s.kind == PT_DYNAMIC),
        "has PT_DYNAMIC"
    );
    assert!(
        !elf.sections.iter().any(|s| s.kind == SHT_DYNAMIC),
        "has a .dynamic section"
    );
}

#[test]
fn has_no_dynamic_relocations() {
    let (elf, _) = husk_elf();
    let relocs: Vec<&str> = elf
        .sections
        .iter()
        .filter(|s| (s.kind == SHT_RELA || s.kind == SHT_REL) && s.addr != 0)
        .map(|s| s.name.as_str())
        .collect();
    assert!(relocs.is_empty(), "loaded relocation sections: {relocs:?}");
}

#[test]
fn no_segment_is_writable_and_executable_and_the_stack_is_not_executable() {
    let (elf, _) = husk_elf();
    for s in elf.segments.iter().filter(|s| s.kind == PT_LOAD) {
        assert!(
            s.flags & (PF_W | PF_X) != (PF_W | PF_X),
            "a LOAD segment is W+X"
        );
    }
    let stack = elf
        .segments
        .iter()
        .find(|s| s.kind == PT_GNU_STACK)
        .expect("no PT_GNU_STACK: the stack would be executable");
    assert_eq!(stack.flags & PF_X, 0, "executable stack");
}

#[test]
fn has_the_page_aligned_nobits_lockdown_region() {
    let (elf, _) = husk_elf();
    let region = elf
        .sections
        .iter()
        .find(|s| s.name == ".husk_lockdown")
        .expect("no .husk_lockdown section");
    assert_eq!(
        region.kind, SHT_NOBITS,
        "the region must not take file space"
    );
    assert_eq!(region.addr % 4096, 0, "region not page-aligned");
    assert_eq!(region.size % 4096, 0, "region size not a page multiple");
}

#[test]
fn is_small() {
    let (_, size) = husk_elf();
    println!("husk binary: {size} bytes");
    if cfg!(debug_assertions) {
        println!("(debug build: size not checked; `make test` checks the release build)");
        return;
    }
    assert!(
        size <= SIZE_LIMIT,
        "husk is {size} bytes, over the {SIZE_LIMIT}-byte budget"
    );
}

#[test]
fn runs_with_an_empty_environment() {
    let o = common::run(
        std::process::Command::new(common::husk())
            .arg("-V")
            .env_clear(),
        Duration::from_secs(10),
    );
    assert!(o.success(), "{o:?}");
    assert!(o.stdout.starts_with("husk "), "{o:?}");
}

#[test]
fn depends_only_on_the_design_card_crates() {
    let manifest =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml")).unwrap();
    let mut in_deps = false;
    let mut deps = Vec::new();
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            // Run-time dependencies, for every target or some (`sc` is
            // not used on 32-bit ARM).
            in_deps = line == "[dependencies]"
                || (line.starts_with("[target.") && line.ends_with(".dependencies]"));
            continue;
        }
        if in_deps && !line.is_empty() && !line.starts_with('#') {
            deps.push(line.split(['=', ' ']).next().unwrap().to_string());
        }
    }
    deps.sort();
    assert_eq!(deps, ["heapless", "libc", "sc", "spin"]);
}
