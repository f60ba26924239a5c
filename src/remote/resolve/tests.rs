//! Resolution tests on this process's own view (the caller is us).

use super::*;
use crate::sys::process;
use std::boxed::Box;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::io::AsRawFd;
use std::path::PathBuf as StdPath;
extern crate std;

fn scratch(name: &str) -> StdPath {
    let dir = std::env::temp_dir().join(format!("husk-resolve-{name}-{}", process::getpid()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("d/sub")).unwrap();
    std::fs::write(dir.join("d/x"), b"x").unwrap();
    std::os::unix::fs::symlink("d/x", dir.join("link-rel")).unwrap();
    std::os::unix::fs::symlink(dir.join("d/x"), dir.join("link-abs")).unwrap();
    std::os::unix::fs::symlink("d", dir.join("dirlink")).unwrap();
    std::os::unix::fs::symlink("nowhere/new", dir.join("dangling")).unwrap();
    std::os::unix::fs::symlink("loop2", dir.join("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", dir.join("loop2")).unwrap();
    dir
}

/// This test's thread as the caller. It gets a working directory of
/// its own first, as husk's workers do: placing a directory enters it,
/// which must not move the other tests' threads.
fn me_caller() -> Caller {
    me()
}

fn me() -> Caller {
    let _ = process::unshare(libc::CLONE_FS);
    Caller::new(process::gettid())
}

fn resolve_str(raw: &[u8], how: How) -> Result<(std::string::String, bool)> {
    let mut out = Box::new(Resolved::new());
    resolve(&me(), raw, how, &mut out)?;
    Ok((
        std::string::String::from_utf8_lossy(out.real.as_bytes()).into_owned(),
        out.exists(),
    ))
}

fn abs(dir: &StdPath, rel: &str) -> std::vec::Vec<u8> {
    let mut v = dir.as_os_str().as_bytes().to_vec();
    v.push(b'/');
    v.extend_from_slice(rel.as_bytes());
    v
}

#[test]
fn equivalent_spellings_resolve_alike() {
    let dir = scratch("equiv");
    let want = format!("{}/d/x", dir.display());
    let how = How::at(Start::Cwd, true);
    for spelling in [
        "d/x",
        "d/./x",
        "d/../d/x",
        "d//x",
        "./d/x",
        "link-rel",
        "link-abs",
        "dirlink/x",
        "d/sub/../x",
    ] {
        let (got, exists) = resolve_str(&abs(&dir, spelling), how).unwrap();
        assert_eq!(got, want, "{spelling}");
        assert!(exists, "{spelling}");
    }
    // Leading double slash, and relative to a directory descriptor.
    let mut doubled = b"/".to_vec();
    doubled.extend_from_slice(&abs(&dir, "d/x"));
    assert_eq!(resolve_str(&doubled, how).unwrap().0, want);
    let dfd = std::fs::File::open(&dir).unwrap();
    let at = How::at(Start::Fd(dfd.as_raw_fd()), true);
    assert_eq!(resolve_str(b"d/x", at).unwrap().0, want);
    assert_eq!(resolve_str(b"link-rel", at).unwrap().0, want);
}

#[test]
fn final_links_follow_the_flags() {
    let dir = scratch("nofollow");
    let nofollow = How::at(Start::Cwd, false);
    let (got, exists) = resolve_str(&abs(&dir, "link-rel"), nofollow).unwrap();
    assert_eq!(got, format!("{}/link-rel", dir.display()));
    assert!(exists, "the link itself exists");
    // A trailing slash follows anyway.
    let (got, _) = resolve_str(&abs(&dir, "dirlink/"), nofollow).unwrap();
    assert_eq!(got, format!("{}/d", dir.display()));
    // Intermediate links are always followed.
    let (got, _) = resolve_str(&abs(&dir, "dirlink/x"), nofollow).unwrap();
    assert_eq!(got, format!("{}/d/x", dir.display()));
}

#[test]
fn dangling_links_and_missing_paths() {
    let dir = scratch("dangling");
    let (got, exists) = resolve_str(&abs(&dir, "dangling"), How::at(Start::Cwd, true)).unwrap();
    assert_eq!(got, format!("{}/nowhere/new", dir.display()));
    assert!(!exists);
    let (got, exists) =
        resolve_str(&abs(&dir, "d/missing/../x"), How::at(Start::Cwd, true)).unwrap();
    assert_eq!(
        got,
        format!("{}/d/x", dir.display()),
        "lexical after a missing component"
    );
    let _ = exists;
}

#[test]
fn loops_and_limits() {
    let dir = scratch("loops");
    assert_eq!(
        resolve_str(&abs(&dir, "loop1"), How::at(Start::Cwd, true)),
        Err(Errno::ELOOP)
    );
    // Not following the final link: no loop.
    assert!(resolve_str(&abs(&dir, "loop1"), How::at(Start::Cwd, false)).is_ok());
    let mut how = How::at(Start::Cwd, true);
    how.no_symlinks = true;
    assert_eq!(resolve_str(&abs(&dir, "link-rel"), how), Err(Errno::ELOOP));
    assert_eq!(
        resolve_str(b"", How::at(Start::Cwd, true)),
        Err(Errno::ENOENT)
    );
    let long = [b'a'; PATH_MAX + 1];
    assert_eq!(
        resolve_str(&long, How::at(Start::Cwd, true)),
        Err(Errno::ENAMETOOLONG)
    );
    assert_eq!(
        resolve_str(b"x", How::at(Start::Fd(9999), true)),
        Err(Errno::EBADF)
    );
}

#[test]
fn proc_self_is_the_caller_and_magic_links_are_followed() {
    let dir = scratch("proc");
    let file = std::fs::File::open(dir.join("d/x")).unwrap();
    let fd = file.as_raw_fd();
    let want = format!("{}/d/x", dir.display());
    let how = How::at(Start::Cwd, true);
    let spelled = format!("/proc/self/fd/{fd}");
    assert_eq!(resolve_str(spelled.as_bytes(), how).unwrap().0, want);
    let spelled = format!("/proc/thread-self/fd/{fd}");
    assert_eq!(resolve_str(spelled.as_bytes(), how).unwrap().0, want);
    let spelled = format!("/dev/fd/{fd}");
    assert_eq!(resolve_str(spelled.as_bytes(), how).unwrap().0, want);
    let cwd = std::env::current_dir().unwrap();
    assert_eq!(
        resolve_str(b"/proc/self/cwd", how).unwrap().0,
        cwd.display().to_string()
    );
    // AT_EMPTY_PATH on the descriptor.
    let mut empty = How::at(Start::Fd(fd), true);
    empty.empty_path = true;
    assert_eq!(resolve_str(b"", empty).unwrap().0, want);
    // Shown as /proc/self.
    let mut out = Box::new(Resolved::new());
    resolve(&me(), b"/proc/self/status", how, &mut out).unwrap();
    assert_eq!(out.shown.as_bytes(), b"/proc/self/status");
    assert_ne!(out.real.as_bytes(), b"/proc/self/status");
}

#[test]
fn magic_links_of_other_processes_are_refused() {
    // pid 1 is never us.
    let how = How::at(Start::Cwd, true);
    assert_eq!(
        resolve_str(b"/proc/1/root/etc/passwd", how),
        Err(Errno::EACCES)
    );
    assert_eq!(resolve_str(b"/proc/1/cwd", how), Err(Errno::EACCES));
    // Not following the final one: refused too (its text is news).
    assert_eq!(
        resolve_str(b"/proc/1/exe", How::at(Start::Cwd, false)),
        Err(Errno::EACCES)
    );
    // Another process's memory, under any spelling; ours is /proc/self/mem.
    assert_eq!(resolve_str(b"/proc/1/mem", how), Err(Errno::EACCES));
    assert_eq!(resolve_str(b"/proc/1/task/1/mem", how), Err(Errno::EACCES));
    let me = process::getpid();
    let tid = process::gettid();
    for spelled in [
        format!("/proc/{me}/mem"),
        format!("/proc/self/task/{tid}/mem"),
        "/proc/thread-self/mem".to_string(),
        "/proc/self/mem".to_string(),
    ] {
        let mut out = Box::new(Resolved::new());
        resolve(&me_caller(), spelled.as_bytes(), how, &mut out).unwrap();
        assert_eq!(out.shown.as_bytes(), b"/proc/self/mem", "{spelled}");
    }
    // Ordinary /proc/1 files are just paths.
    assert_eq!(
        resolve_str(b"/proc/1/status", how).unwrap().0,
        "/proc/1/status"
    );
}

#[test]
fn pipes_behind_descriptors_are_anonymous() {
    let (r, _w) = crate::sys::file::pipe(0).unwrap();
    let mut out = Box::new(Resolved::new());
    let spelled = format!("/proc/self/fd/{}", r.raw());
    resolve(
        &me(),
        spelled.as_bytes(),
        How::at(Start::Cwd, true),
        &mut out,
    )
    .unwrap();
    assert!(out.anonymous);
    assert_eq!(out.shown.as_bytes(), spelled.as_bytes());
    let _ = CString::new("x");
}

#[test]
fn beneath_and_in_root() {
    let dir = scratch("root");
    let dfd = std::fs::File::open(dir.join("d")).unwrap();
    let mut beneath = How::at(Start::Fd(dfd.as_raw_fd()), true);
    beneath.beneath = true;
    assert_eq!(resolve_str(b"../x", beneath), Err(Errno::EXDEV));
    assert_eq!(resolve_str(b"/etc/passwd", beneath), Err(Errno::EXDEV));
    assert_eq!(
        resolve_str(b"sub/../x", beneath).unwrap().0,
        format!("{}/d/x", dir.display())
    );
    let mut in_root = How::at(Start::Fd(dfd.as_raw_fd()), true);
    in_root.in_root = true;
    assert_eq!(
        resolve_str(b"/x", in_root).unwrap().0,
        format!("{}/d/x", dir.display())
    );
    assert_eq!(
        resolve_str(b"../../x", in_root).unwrap().0,
        format!("{}/d/x", dir.display())
    );
}

/// The stat look of the notify transport: `(decided, real path, what
/// was there)`; `decided` false means "resolve in full".
fn look(raw: &[u8], how: How) -> (bool, std::string::String, Option<FileInfo>) {
    let mut out = Box::new(Resolved::new());
    let decided = looked(&me(), raw, how, &mut out).unwrap();
    let real = std::string::String::from_utf8_lossy(out.real.as_bytes()).into_owned();
    (decided, real, out.info)
}

fn lstat_of(p: &StdPath) -> FileInfo {
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    crate::sys::file::stat_at(Dir::Cwd, &c, false).unwrap()
}

#[test]
fn a_stat_look_meets_no_link_on_the_way() {
    let dir = scratch("look");
    let x = dir.join("d/x");
    let at_dir = std::fs::File::open(&dir).unwrap();
    let in_dir = How::at(Start::Fd(at_dir.as_raw_fd()), true);
    let nofollow = How::at(Start::Cwd, false);
    let follow = How::at(Start::Cwd, true);

    // A path with no link: decided, and the object is the one there.
    let (decided, real, info) = look(&abs(&dir, "d/x"), follow);
    assert!(decided);
    assert_eq!(real, x.display().to_string());
    assert_eq!(info, Some(lstat_of(&x)));
    // The same from a directory descriptor, one name or several.
    let (decided, real, info) = look(b"d/x", in_dir);
    assert!(decided);
    assert_eq!(real, x.display().to_string());
    assert_eq!(info, Some(lstat_of(&x)));
    let (decided, real, info) = look(b"./d", in_dir);
    assert!(decided);
    assert_eq!(real, dir.join("d").display().to_string());
    assert_eq!(info, Some(lstat_of(&dir.join("d"))));
    // Nothing there: decided too (the kernel's own ENOENT).
    let (decided, _, info) = look(&abs(&dir, "d/missing"), follow);
    assert!(decided && info.is_none());
    let (decided, _, info) = look(b"missing", in_dir);
    assert!(decided && info.is_none());
    // A missing directory on the way: the full resolution says.
    assert!(!look(&abs(&dir, "nothing/missing"), follow).0);
    let (decided, _, info) = look(b"d/sub/missing", in_dir);
    assert!(decided && info.is_none());
    // A name under the root.
    let (decided, real, info) = look(b"/etc", follow);
    assert!(decided);
    assert_eq!(real, "/etc");
    assert_eq!(info, Some(lstat_of(&StdPath::from("/etc"))));
    // A final link not followed is described itself.
    let (decided, _, info) = look(&abs(&dir, "link-rel"), nofollow);
    assert!(decided);
    assert!(info.is_some_and(|i| i.is_symlink()));

    // Left to the full resolution: a link on the way, a final link
    // followed, dots, /proc, a trailing slash.
    assert!(!look(&abs(&dir, "dirlink/x"), follow).0);
    assert!(!look(b"dirlink/x", in_dir).0);
    assert!(!look(&abs(&dir, "link-rel"), follow).0);
    assert!(!look(b"link-rel", in_dir).0);
    assert!(!look(&abs(&dir, "d/../d/x"), follow).0);
    assert!(!look(b"/proc/self/status", follow).0);
    assert!(!look(&abs(&dir, "d/"), follow).0);
    assert_eq!(
        looked(
            &me(),
            b"x",
            How::at(Start::Fd(9999), true),
            &mut Box::new(Resolved::new())
        ),
        Err(Errno::EBADF)
    );
}

/// A look stays in the directory it entered, and never trusts it for
/// the path it had: a directory moved away, and another made at its
/// path, is found as the new one.
#[test]
fn a_stat_look_confirms_where_it_stands() {
    let dir = scratch("look-moved");
    let follow = How::at(Start::Cwd, true);
    let x = abs(&dir, "d/x");
    let (decided, _, info) = look(&x, follow);
    assert!(decided && info == Some(lstat_of(&dir.join("d/x"))));
    // Again, from where the last look left the thread.
    let (decided, _, info) = look(&x, follow);
    assert!(decided && info == Some(lstat_of(&dir.join("d/x"))));
    std::fs::rename(dir.join("d"), dir.join("moved")).unwrap();
    std::fs::create_dir(dir.join("d")).unwrap();
    let (decided, real, info) = look(&x, follow);
    assert!(decided, "{real}");
    assert_eq!(info, None, "the old directory's x, at its old path");
    std::fs::remove_dir(dir.join("d")).unwrap();
    // No directory there at all: the full resolution says.
    assert!(!look(&x, follow).0);
    // A link where the directory was: never looked through.
    std::os::unix::fs::symlink(dir.join("moved"), dir.join("d")).unwrap();
    assert!(!look(&x, follow).0);
    let (decided, real, info) = look(&abs(&dir, "moved/x"), follow);
    assert!(decided);
    assert_eq!(real, dir.join("moved/x").display().to_string());
    assert_eq!(info, Some(lstat_of(&dir.join("moved/x"))));
}
