//! A fixed-capacity absolute path buffer (PATH_MAX bytes and a NUL).

use core::ffi::CStr;

use crate::sys::{Errno, Result};

/// The kernel's PATH_MAX, NUL included.
pub const PATH_MAX: usize = 4096;

/// An absolute path being built, component by component.
pub struct PathBuf {
    buf: [u8; PATH_MAX + 1],
    len: usize,
}

impl Default for PathBuf {
    fn default() -> Self {
        Self::new()
    }
}

impl PathBuf {
    /// `/` (stored as all zeros, so a `PathBuf` can live in zeroed
    /// memory: an empty buffer reads as the root).
    pub const fn new() -> PathBuf {
        PathBuf {
            buf: [0u8; PATH_MAX + 1],
            len: 0,
        }
    }

    /// The path's bytes.
    pub fn as_bytes(&self) -> &[u8] {
        if self.len == 0 {
            b"/"
        } else {
            &self.buf[..self.len]
        }
    }

    /// The path as a C string, for system calls.
    pub fn as_cstr(&mut self) -> &CStr {
        if self.len == 0 {
            return c"/";
        }
        self.buf[self.len] = 0;
        CStr::from_bytes_with_nul(&self.buf[..=self.len]).unwrap_or(c"/")
    }

    /// Replaces the contents with `bytes` (which must be absolute).
    pub fn set(&mut self, bytes: &[u8]) -> Result<()> {
        if bytes.first() != Some(&b'/') {
            return Err(Errno::ENOENT);
        }
        if bytes.len() > PATH_MAX - 1 {
            return Err(Errno::ENAMETOOLONG);
        }
        self.buf[..bytes.len()].copy_from_slice(bytes);
        self.len = bytes.len();
        // No trailing slash except for the root itself.
        while self.len > 1 && self.buf[self.len - 1] == b'/' {
            self.len -= 1;
        }
        Ok(())
    }

    /// Appends one component (no `/` in it).
    pub fn push(&mut self, component: &[u8]) -> Result<()> {
        if self.len == 0 {
            self.buf[0] = b'/';
            self.len = 1;
        }
        let sep = usize::from(self.len > 1);
        if self.len + sep + component.len() > PATH_MAX - 1 {
            return Err(Errno::ENAMETOOLONG);
        }
        if sep == 1 {
            self.buf[self.len] = b'/';
            self.len += 1;
        }
        self.buf[self.len..self.len + component.len()].copy_from_slice(component);
        self.len += component.len();
        Ok(())
    }

    /// Removes the last component (`/` stays `/`, as `..` does there).
    pub fn pop(&mut self) {
        if self.len <= 1 {
            return;
        }
        let cut = self.buf[..self.len]
            .iter()
            .rposition(|&b| b == b'/')
            .unwrap_or(0);
        self.len = cut.max(1);
    }

    /// The last component (empty for `/`).
    pub fn last(&self) -> &[u8] {
        if self.len == 0 {
            return b"";
        }
        let bytes = self.as_bytes();
        let start = bytes.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
        &bytes[start..]
    }
}

/// Splits the first component off a relative path; `None` when only
/// slashes (or nothing) remain.
pub fn next_component(rest: &[u8]) -> Option<(&[u8], &[u8])> {
    let start = rest.iter().position(|&b| b != b'/')?;
    let rest = &rest[start..];
    let end = rest.iter().position(|&b| b == b'/').unwrap_or(rest.len());
    Some((&rest[..end], &rest[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::boxed::Box;

    #[test]
    fn push_pop_set() {
        let mut p = Box::new(PathBuf::new());
        assert_eq!(p.as_bytes(), b"/");
        p.push(b"usr").unwrap();
        p.push(b"bin").unwrap();
        assert_eq!(p.as_bytes(), b"/usr/bin");
        assert_eq!(p.last(), b"bin");
        p.pop();
        assert_eq!(p.as_bytes(), b"/usr");
        p.pop();
        p.pop();
        assert_eq!(p.as_bytes(), b"/");
        p.set(b"/a/b///").unwrap();
        assert_eq!(p.as_bytes(), b"/a/b");
        assert_eq!(p.as_cstr().to_bytes(), b"/a/b");
        assert_eq!(p.set(b"rel"), Err(Errno::ENOENT));
        let long = [b'x'; PATH_MAX];
        assert_eq!(p.push(&long), Err(Errno::ENAMETOOLONG));
    }

    #[test]
    fn components() {
        assert_eq!(next_component(b"//a//b/"), Some((&b"a"[..], &b"//b/"[..])));
        assert_eq!(next_component(b"b/"), Some((&b"b"[..], &b"/"[..])));
        assert_eq!(next_component(b"///"), None);
        assert_eq!(next_component(b""), None);
    }
}
