//! Buffered writers for stdout, stderr or any descriptor, over
//! `core::fmt`.
//!
//! A [`Writer`] collects formatted text in a fixed buffer on the stack
//! and writes it with as few `write(2)` calls as it can: a message that
//! fits the buffer leaves in one call, so lines from several threads do
//! not interleave (and a pipe write up to PIPE_BUF is atomic). Write
//! errors are swallowed: a closed stderr must never stop husk from
//! doing its job.

use core::fmt;

use crate::sys::fd::BorrowedFd;
use crate::sys::file;

/// A formatter that flushes to `fd` when full and when dropped.
pub struct Writer<'a, const N: usize> {
    fd: BorrowedFd<'a>,
    buf: [u8; N],
    len: usize,
}

impl<'a, const N: usize> Writer<'a, N> {
    /// A writer to `fd`.
    pub fn new(fd: BorrowedFd<'a>) -> Self {
        Writer {
            fd,
            buf: [0; N],
            len: 0,
        }
    }

    /// Sends what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            let _ = file::write_all(self.fd, &self.buf[..self.len]);
            self.len = 0;
        }
    }

    /// Appends raw bytes.
    pub fn bytes(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.len == N {
                self.flush();
            }
            let n = (N - self.len).min(data.len());
            self.buf[self.len..self.len + n].copy_from_slice(&data[..n]);
            self.len += n;
            data = &data[n..];
        }
    }
}

impl<const N: usize> fmt::Write for Writer<'_, N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.bytes(s.as_bytes());
        Ok(())
    }
}

impl<const N: usize> Drop for Writer<'_, N> {
    fn drop(&mut self) {
        self.flush();
    }
}

/// The buffer size of the writers behind the print macros.
pub const LINE: usize = 1024;

/// A stdout writer.
pub fn stdout() -> Writer<'static, LINE> {
    Writer::new(BorrowedFd::STDOUT)
}

/// A stderr writer.
pub fn stderr() -> Writer<'static, LINE> {
    Writer::new(BorrowedFd::STDERR)
}

/// Bytes shown as text: valid UTF-8 as is, other bytes as `\xNN`.
/// Paths and arguments are bytes; messages must not lie about them.
pub struct Bytes<'a>(pub &'a [u8]);

impl fmt::Display for Bytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for chunk in self.0.utf8_chunks() {
            f.write_str(chunk.valid())?;
            for b in chunk.invalid() {
                write!(f, "\\x{b:02x}")?;
            }
        }
        Ok(())
    }
}

/// Prints to stdout (one write per call when it fits [`LINE`]).
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {{
        use ::core::fmt::Write as _;
        let _ = ::core::write!($crate::rt::io::stdout(), $($arg)*);
    }};
}

/// Prints a line to stdout.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {{
        use ::core::fmt::Write as _;
        let _ = ::core::writeln!($crate::rt::io::stdout(), $($arg)*);
    }};
}

/// Prints a line to stderr.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use ::core::fmt::Write as _;
        let _ = ::core::writeln!($crate::rt::io::stderr(), $($arg)*);
    }};
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sys::fd::AsFd;
    use core::fmt::Write;
    extern crate std;
    use std::format;

    #[test]
    fn bytes_escapes_invalid_utf8() {
        assert_eq!(format!("{}", Bytes(b"/etc/\xffx")), "/etc/\\xffx");
        assert_eq!(format!("{}", Bytes("é".as_bytes())), "é");
    }

    #[test]
    fn writer_flushes_in_buffer_sized_chunks() {
        let (r, w) = file::pipe(0).unwrap();
        {
            let mut out = Writer::<'_, 8>::new(w.as_fd());
            write!(out, "0123456789abcdef!").unwrap();
        }
        drop(w);
        let mut buf = [0u8; 64];
        let n = file::read_full(&r, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"0123456789abcdef!");
    }
}
