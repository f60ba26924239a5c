//! Built-in profiles (POLICY.md, "Profiles"): named lists of ordinary
//! policy commands. `husk -E profile:NAME` prints one, so a user can
//! copy it into a file and edit it.
//!
//! `cwd` uses `${HUSK_CWD}`, which husk sets from its own working
//! directory (not from `$PWD`, which can be stale or absent); `user`
//! uses `${HOME}` and fails without it rather than guess.

/// `(name, one-line summary, commands)`.
pub const PROFILES: &[(&str, &str, &str)] = &[
    ("off", "check nothing", "sandbox/all:off\n"),
    (
        "trace",
        "allow everything, log what a policy would need",
        "default/all:warn\n",
    ),
    ("quiet", "deny without logging", "default/all:filter\n"),
    (
        "enforce",
        "deny and log (the default)",
        "default/all:deny\n",
    ),
    (
        "ro",
        "no writing, creating, deleting or renaming anywhere, but output to terminals and /dev/null",
        "deny/cpath,wpath+/***\nallow/write+/dev/null\nallow/write+/dev/full\nallow/write+/dev/tty\nallow/write+/dev/pts/*\n",
    ),
    (
        "cwd",
        "allow everything under the working directory, and the way to it",
        "allow/all+${HUSK_CWD}/***\nwalk+${HUSK_CWD}\n",
    ),
    ("noipv4", "no IPv4 networking", "deny/net+any4\n"),
    ("noipv6", "no IPv6 networking", "deny/net+any6\n"),
    (
        "linux",
        "a base system: run and read /usr, /etc basics, /dev/null and friends, /proc/self",
        LINUX,
    ),
    (
        "user",
        "linux, plus the home and temporary directories",
        USER,
    ),
];

const LINUX: &str = "\
# husk profile `linux': what an ordinary dynamically linked program needs
# to start and run. Extend it with rules for your own files.

# Walking from the root: stat and readlink of every directory on the way
# to an allowed file, and listing / itself.
allow/stat,readlink+/
allow/stat,readlink+/*
allow/readdir+/

# The system: programs, libraries, shared data.
allow/stat,readdir,readlink,read,exec+/usr/***
allow/stat,readdir,readlink,read,exec+/bin/***
allow/stat,readdir,readlink,read,exec+/sbin/***
allow/stat,readdir,readlink,read,exec+/lib/***
allow/stat,readdir,readlink,read,exec+/lib32/***
allow/stat,readdir,readlink,read,exec+/lib64/***
allow/stat,readdir,readlink,read,exec+/libx32/***

# /etc basics: the loader, users and groups, name resolution, time,
# locales, terminals, certificates.
allow/stat,readdir+/etc
allow/stat,read+/etc/ld.so.cache
allow/stat+/etc/ld.so.preload
allow/stat,readdir,read+/etc/ld.so.conf.d/***
allow/stat,read+/etc/ld.so.conf
allow/stat,read+/etc/passwd
allow/stat,read+/etc/group
allow/stat,read+/etc/nsswitch.conf
allow/stat,read+/etc/host.conf
allow/stat,read+/etc/hosts
allow/stat,read+/etc/resolv.conf
allow/stat,read+/etc/gai.conf
allow/stat,read+/etc/services
allow/stat,read+/etc/protocols
allow/stat,readlink,read+/etc/localtime
allow/stat,read+/etc/timezone
allow/stat,read+/etc/locale.alias
allow/stat,read+/etc/locale.conf
allow/stat,read+/etc/os-release
allow/stat,read+/etc/inputrc
allow/stat,read+/etc/environment
allow/stat,readdir,readlink,read+/etc/alternatives/***
allow/stat,readdir,readlink,read+/etc/ssl/***
allow/stat,readdir,readlink,read+/etc/ca-certificates/***
allow/stat,readdir,readlink,read+/etc/terminfo/***
# System-wide settings of common tools and language runtimes.
allow/stat,readdir,readlink,read+/etc/python3*/***
allow/stat,readdir,readlink,read+/etc/perl/***
allow/stat,read+/etc/gitconfig
allow/stat,read+/etc/mime.types

# Devices every program may use.
allow/stat,read,write+/dev/null
allow/stat,read,write+/dev/zero
allow/stat,read,write+/dev/full
allow/stat,read+/dev/random
allow/stat,read+/dev/urandom
allow/stat,read,write+/dev/tty
allow/stat,readdir+/dev
allow/stat,readlink+/dev/fd
allow/stat,readlink+/dev/stdin
allow/stat,readlink+/dev/stdout
allow/stat,readlink+/dev/stderr
allow/stat,read,write+/dev/pts/*
allow/stat,readdir+/dev/pts

# A socketpair (a pipe between processes) names no address; glibc asks
# nscd, where it runs, for users and hosts.
allow/net/bind+!unnamed
allow/net/connect+/run/nscd/socket

# The caller's own /proc entries, but never its memory.
allow/stat,readdir+/proc
allow/stat,readdir,readlink,read+/proc/self/***
allow/stat,readdir,readlink,read+/proc/thread-self/***
deny/read,write+/proc/self/mem
deny/read,write+/proc/thread-self/mem
allow/stat,read+/proc/cpuinfo
allow/stat,read+/proc/meminfo
allow/stat,read+/proc/stat
allow/stat,read+/proc/filesystems
allow/stat,read+/proc/loadavg
allow/stat,read+/proc/uptime
allow/stat,read+/proc/version
allow/stat,readdir,read+/proc/sys/kernel/***
allow/stat,readdir,readlink,read+/sys/devices/system/cpu/***
";

const USER: &str = "\
# husk profile `user': `linux', plus read and write (no execute) of the
# home directory and the temporary directories.
include_profile linux
allow/stat,readdir+/home
walk+${HOME}
allow/stat,read,write,create,delete,rename,symlink,readlink,truncate,readdir,mkdir,rmdir,chmod,chattr,utime,mktemp,mkfifo+${HOME}/***
allow/stat,read,write,create,delete,rename,symlink,readlink,truncate,readdir,mkdir,rmdir,chmod,chattr,utime,mktemp,mkfifo+/tmp/***
allow/stat,read,write,create,delete,rename,symlink,readlink,truncate,readdir,mkdir,rmdir,chmod,chattr,utime,mktemp,mkfifo+/var/tmp/***
allow/stat,read,write,create,delete,rename,symlink,readlink,truncate,readdir,mkdir,rmdir,chmod,chattr,utime,mktemp,mkfifo+/dev/shm/***
";

/// The commands of profile `name`.
pub fn get(name: &[u8]) -> Option<&'static str> {
    PROFILES
        .iter()
        .find(|(n, _, _)| n.as_bytes() == name)
        .map(|(_, _, text)| *text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::command;

    #[test]
    fn every_profile_line_parses() {
        for (name, _, text) in PROFILES {
            for line in text
                .lines()
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
            {
                let mut out = [0u8; command::LINE_MAX];
                let env = |n: &[u8]| -> Option<&'static [u8]> {
                    match n {
                        b"HOME" => Some(b"/home/u"),
                        b"HUSK_CWD" => Some(b"/work"),
                        _ => None,
                    }
                };
                let expanded = command::expand(line.as_bytes(), &env, &mut out).unwrap();
                assert!(command::parse(expanded).is_ok(), "profile {name}: {line}");
            }
        }
    }

    #[test]
    fn the_required_profiles_exist() {
        for name in [
            "off", "trace", "quiet", "enforce", "ro", "cwd", "noipv4", "noipv6", "linux", "user",
        ] {
            assert!(get(name.as_bytes()).is_some(), "{name}");
        }
        assert!(get(b"nope").is_none());
    }
}
