//! Sandbox categories (POLICY.md, "Categories") and sets of them.

use core::fmt;

/// One category of checked operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Category {
    /// stat, lstat, access, statfs...
    Stat,
    /// Opening for reading; reading extended attributes.
    Read,
    /// Opening for writing.
    Write,
    /// Executing a program (and a script's interpreter).
    Exec,
    /// Creating a file.
    Create,
    /// Removing a file.
    Delete,
    /// Renaming or hard-linking.
    Rename,
    /// Creating a symbolic link.
    Symlink,
    /// Reading a symbolic link.
    Readlink,
    /// Truncating.
    Truncate,
    /// Changing directory.
    Chdir,
    /// Opening a directory.
    Readdir,
    /// Creating a directory.
    Mkdir,
    /// Removing a directory.
    Rmdir,
    /// Changing the owner.
    Chown,
    /// Changing the group.
    Chgrp,
    /// Changing the mode.
    Chmod,
    /// Changing extended attributes.
    Chattr,
    /// Changing times.
    Utime,
    /// Creating a FIFO.
    Mkfifo,
    /// Creating a block device.
    Mkbdev,
    /// Creating a character device.
    Mkcdev,
    /// Creating an unnamed temporary file (O_TMPFILE).
    Mktemp,
    /// Binding a socket.
    NetBind,
    /// Connecting or sending to an address.
    NetConnect,
    /// Sending file descriptors (SCM_RIGHTS).
    NetSendfd,
}

impl Category {
    /// The category whose `as u8` is `n` (a log record's).
    pub fn from_u8(n: u8) -> Option<Category> {
        ALL.iter().copied().find(|&c| c as u8 == n)
    }
}

/// Every category, in order.
pub const ALL: [Category; 26] = [
    Category::Stat,
    Category::Read,
    Category::Write,
    Category::Exec,
    Category::Create,
    Category::Delete,
    Category::Rename,
    Category::Symlink,
    Category::Readlink,
    Category::Truncate,
    Category::Chdir,
    Category::Readdir,
    Category::Mkdir,
    Category::Rmdir,
    Category::Chown,
    Category::Chgrp,
    Category::Chmod,
    Category::Chattr,
    Category::Utime,
    Category::Mkfifo,
    Category::Mkbdev,
    Category::Mkcdev,
    Category::Mktemp,
    Category::NetBind,
    Category::NetConnect,
    Category::NetSendfd,
];

/// The number of categories.
pub const COUNT: usize = ALL.len();

impl Category {
    /// The name used in rules and logs (`net/bind`...).
    pub fn name(self) -> &'static str {
        match self {
            Category::Stat => "stat",
            Category::Read => "read",
            Category::Write => "write",
            Category::Exec => "exec",
            Category::Create => "create",
            Category::Delete => "delete",
            Category::Rename => "rename",
            Category::Symlink => "symlink",
            Category::Readlink => "readlink",
            Category::Truncate => "truncate",
            Category::Chdir => "chdir",
            Category::Readdir => "readdir",
            Category::Mkdir => "mkdir",
            Category::Rmdir => "rmdir",
            Category::Chown => "chown",
            Category::Chgrp => "chgrp",
            Category::Chmod => "chmod",
            Category::Chattr => "chattr",
            Category::Utime => "utime",
            Category::Mkfifo => "mkfifo",
            Category::Mkbdev => "mkbdev",
            Category::Mkcdev => "mkcdev",
            Category::Mktemp => "mktemp",
            Category::NetBind => "net/bind",
            Category::NetConnect => "net/connect",
            Category::NetSendfd => "net/sendfd",
        }
    }

    /// Whether rules of this category name addresses rather than paths.
    pub fn is_network(self) -> bool {
        matches!(
            self,
            Category::NetBind | Category::NetConnect | Category::NetSendfd
        )
    }

    const fn bit(self) -> u32 {
        1 << self as u8
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A set of categories.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CatSet(u32);

impl CatSet {
    /// The empty set.
    pub const EMPTY: CatSet = CatSet(0);

    /// The set as bits (one per category), to store it.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// A set stored with [`CatSet::bits`] (unknown bits dropped).
    pub fn from_bits(bits: u32) -> CatSet {
        CatSet(bits & CatSet::all().0)
    }

    /// Every category.
    pub const fn all() -> CatSet {
        CatSet((1 << COUNT) - 1)
    }

    /// A set of the given categories.
    pub const fn of(cats: &[Category]) -> CatSet {
        let mut bits = 0;
        let mut i = 0;
        while i < cats.len() {
            bits |= cats[i].bit();
            i += 1;
        }
        CatSet(bits)
    }

    /// Whether `cat` is in the set.
    pub fn contains(self, cat: Category) -> bool {
        self.0 & cat.bit() != 0
    }

    /// Adds `cat`.
    pub fn insert(&mut self, cat: Category) {
        self.0 |= cat.bit();
    }

    /// Removes `cat`.
    pub fn remove(&mut self, cat: Category) {
        self.0 &= !cat.bit();
    }

    /// The union.
    pub fn union(self, other: CatSet) -> CatSet {
        CatSet(self.0 | other.0)
    }

    /// Whether the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The categories in the set, in order.
    pub fn iter(self) -> impl Iterator<Item = Category> {
        ALL.into_iter().filter(move |c| self.contains(*c))
    }

    /// Parses one category or set name.
    pub fn parse_one(name: &[u8]) -> Option<CatSet> {
        use Category::*;
        Some(match name {
            b"all" => CatSet::all(),
            b"rpath" => CatSet::of(&[Read, Readdir]),
            b"wpath" => CatSet::of(&[Write, Truncate]),
            b"cpath" => CatSet::of(&[Create, Delete, Rename]),
            b"tpath" => CatSet::of(&[Mkdir, Rmdir]),
            b"spath" => CatSet::of(&[Mkfifo, Symlink]),
            b"fown" => CatSet::of(&[Chown, Chgrp]),
            b"fattr" => CatSet::of(&[Chmod, Chattr, Utime]),
            b"net" => CatSet::of(&[NetBind, NetConnect, NetSendfd]),
            _ => CatSet::of(&[*ALL.iter().find(|c| c.name().as_bytes() == name)?]),
        })
    }

    /// Parses a comma-separated list of categories and sets.
    pub fn parse(list: &[u8]) -> Option<CatSet> {
        if list.is_empty() {
            return None;
        }
        let mut set = CatSet::EMPTY;
        for name in list.split(|&b| b == b',') {
            set = set.union(CatSet::parse_one(name)?);
        }
        Some(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for cat in ALL {
            assert_eq!(
                CatSet::parse_one(cat.name().as_bytes()),
                Some(CatSet::of(&[cat]))
            );
        }
        assert_eq!(CatSet::all().iter().count(), COUNT);
    }

    #[test]
    fn sets_and_lists() {
        use Category::*;
        assert_eq!(CatSet::parse(b"rpath"), Some(CatSet::of(&[Read, Readdir])));
        assert_eq!(
            CatSet::parse(b"read,write,net/bind"),
            Some(CatSet::of(&[Read, Write, NetBind]))
        );
        assert_eq!(
            CatSet::parse(b"wpath,cpath"),
            Some(CatSet::of(&[Write, Truncate, Create, Delete, Rename]))
        );
        assert_eq!(CatSet::parse(b"read,bogus"), None);
        assert_eq!(CatSet::parse(b""), None);
        assert_eq!(CatSet::parse(b"read,"), None);
        assert!(CatSet::parse(b"all").unwrap().contains(NetSendfd));
    }
}
