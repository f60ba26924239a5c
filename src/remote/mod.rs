//! remote: reading the tracee, from outside.
//!
//! Memory of another process is not memory of ours: an address there is
//! a [`RemoteAddr`], which cannot be dereferenced, and it is read
//! through exactly one function ([`memory::read`]) into fixed buffers
//! of ours. `/proc/PID/...` gives the rest: the working directory, the
//! files behind descriptors, the executable. [`resolve`] turns a path
//! as the caller wrote it into the path the kernel will use, from the
//! caller's point of view.
//!
//! Must not: allocate, trust a byte of the tracee's memory beyond its
//! bounds, or follow a magic link into another process.
#![forbid(unsafe_code)]

pub mod creds;
pub mod memory;
pub mod object;
pub mod path;
pub mod proc;
pub mod resolve;

/// `n` in decimal, written at the end of `buf`; returns the digits.
pub fn decimal(n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut n = n;
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &buf[i..]
}

/// An address in a tracee's memory. Not a pointer: it can only be read
/// through [`memory::read`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RemoteAddr(pub u64);

impl RemoteAddr {
    /// NULL.
    pub fn is_null(self) -> bool {
        self.0 == 0
    }

    /// The address `bytes` further on (wrapping is a fault, not a jump).
    pub fn offset(self, bytes: u64) -> Option<RemoteAddr> {
        self.0.checked_add(bytes).map(RemoteAddr)
    }
}
