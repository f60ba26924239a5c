//! Socket addresses and messages, read from the caller's memory and
//! decoded for the policy.
//!
//! - `AF_INET`/`AF_INET6` become an IP and a port (IPv4-mapped IPv6 as
//!   IPv4).
//! - `AF_UNIX` becomes a path (resolved like any other, by the caller
//!   of [`decode`]), an abstract name, or unnamed.
//! - `AF_UNSPEC` cannot slip through: the kernel treats it as `AF_INET`
//!   for `bind` and `sendto`, and so does husk; only `connect`, where it
//!   dissolves an association and reaches nothing, is let through.
//! - Other families (netlink, packet...) are outside the categories
//!   and pass.

use crate::policy::addr::Ip;
use crate::remote::{RemoteAddr, memory};
use crate::sys::process::Pid;
use crate::sys::{Errno, Result};

/// `sizeof(struct sockaddr_storage)`: the most the kernel reads.
pub const SOCKADDR_MAX: usize = 128;

/// A decoded socket address.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded<'a> {
    /// IPv4 or IPv6 (normalised), with the port.
    Inet(Ip, u16),
    /// A UNIX socket path as written (to be resolved).
    UnixPath(&'a [u8]),
    /// An abstract UNIX socket name (without the leading NUL).
    Abstract(&'a [u8]),
    /// A UNIX address with no name.
    Unnamed,
    /// A family the policy does not cover.
    Other,
    /// `connect` with `AF_UNSPEC`: a disconnect.
    Disconnect,
}

/// Which call the address is for (`AF_UNSPEC` depends on it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Use {
    /// bind
    Bind,
    /// connect
    Connect,
    /// sendto, sendmsg, sendmmsg
    Send,
}

/// Reads `len` bytes of address at `addr` into `buf` and decodes them.
pub fn read<'b>(
    pid: Pid,
    addr: RemoteAddr,
    len: u64,
    buf: &'b mut [u8; SOCKADDR_MAX],
    how: Use,
) -> Result<Decoded<'b>> {
    // The kernel refuses more than sockaddr_storage and fewer than a
    // family (EINVAL): so does husk, before reading anything.
    if len < 2 || len > SOCKADDR_MAX as u64 {
        return Err(Errno::EINVAL);
    }
    let len = len as usize;
    memory::read_exact(pid, addr, &mut buf[..len])?;
    Ok(decode(&buf[..len], how))
}

/// Decodes a socket address the caller gave.
pub fn decode(bytes: &[u8], how: Use) -> Decoded<'_> {
    let family = u16::from_ne_bytes([bytes[0], bytes[1]]) as i32;
    match family {
        libc::AF_INET => inet4(bytes),
        libc::AF_INET6 => {
            if bytes.len() < 24 {
                return Decoded::Inet(Ip::V6([0; 16]), 0);
            }
            let port = u16::from_be_bytes([bytes[2], bytes[3]]);
            let mut octets = [0u8; 16];
            octets.copy_from_slice(&bytes[8..24]);
            Decoded::Inet(Ip::from_v6(octets), port)
        }
        libc::AF_UNIX => {
            let path = &bytes[2..];
            if path.is_empty() {
                Decoded::Unnamed
            } else if path[0] == 0 {
                Decoded::Abstract(&path[1..])
            } else {
                let end = path.iter().position(|&b| b == 0).unwrap_or(path.len());
                Decoded::UnixPath(&path[..end])
            }
        }
        libc::AF_UNSPEC if how == Use::Connect => Decoded::Disconnect,
        libc::AF_UNSPEC => inet4(bytes),
        _ => Decoded::Other,
    }
}

fn inet4(bytes: &[u8]) -> Decoded<'_> {
    if bytes.len() < 8 {
        return Decoded::Inet(Ip::V4([0; 4]), 0);
    }
    let port = u16::from_be_bytes([bytes[2], bytes[3]]);
    Decoded::Inet(Ip::V4([bytes[4], bytes[5], bytes[6], bytes[7]]), port)
}

/// The parts of a `struct msghdr` husk checks.
#[derive(Clone, Copy, Debug, Default)]
pub struct Message {
    /// `msg_name` (destination), NULL for a connected socket.
    pub name: u64,
    /// `msg_namelen`.
    pub name_len: u64,
    /// `msg_control`.
    pub control: u64,
    /// `msg_controllen`.
    pub control_len: u64,
    /// `msg_iov`.
    pub iov: u64,
    /// `msg_iovlen`.
    pub iov_len: u64,
}

/// `sizeof(struct msghdr)` on 64-bit Linux.
pub const MSGHDR_SIZE: u64 = 56;
/// `sizeof(struct mmsghdr)` on 64-bit Linux.
pub const MMSGHDR_SIZE: u64 = 64;

/// Reads a `struct msghdr`.
pub fn read_message(pid: Pid, at: RemoteAddr) -> Result<Message> {
    let mut raw = [0u8; MSGHDR_SIZE as usize];
    memory::read_exact(pid, at, &mut raw)?;
    let word = |i: usize| u64::from_ne_bytes(raw[i..i + 8].try_into().unwrap_or([0; 8]));
    Ok(Message {
        name: word(0),
        name_len: u32::from_ne_bytes(raw[8..12].try_into().unwrap_or([0; 4])) as u64,
        control: word(32),
        control_len: word(40),
        iov: word(16),
        iov_len: word(24),
    })
}

/// The control bytes husk reads of a message at most (the kernel's own
/// limit for a send is larger, but 4096 holds every descriptor one
/// message may pass, 253).
pub const CONTROL_MAX: usize = 4096;

/// Reads a message's control data into `buf`; returns its length.
pub fn read_control(pid: Pid, msg: &Message, buf: &mut [u8; CONTROL_MAX]) -> Result<usize> {
    if msg.control == 0 || msg.control_len == 0 {
        return Ok(0);
    }
    if msg.control_len as usize > CONTROL_MAX {
        return Err(Errno::ENOBUFS);
    }
    let len = msg.control_len as usize;
    memory::read_exact(pid, RemoteAddr(msg.control), &mut buf[..len])?;
    Ok(len)
}

/// The byte ranges of the descriptor numbers in each `SCM_RIGHTS`
/// message of control data `buf`.
pub fn rights(buf: &[u8]) -> impl Iterator<Item = core::ops::Range<usize>> + '_ {
    let len = buf.len();
    let mut at = 0usize;
    core::iter::from_fn(move || {
        // struct cmsghdr: size_t len; int level; int type; data (8-aligned).
        while at + 16 <= len {
            let cmsg_len =
                u64::from_ne_bytes(buf[at..at + 8].try_into().unwrap_or([0; 8])) as usize;
            let level = i32::from_ne_bytes(buf[at + 8..at + 12].try_into().unwrap_or([0; 4]));
            let kind = i32::from_ne_bytes(buf[at + 12..at + 16].try_into().unwrap_or([0; 4]));
            if cmsg_len < 16 {
                return None;
            }
            let here = at;
            at += (cmsg_len + 7) & !7;
            if level == libc::SOL_SOCKET && kind == libc::SCM_RIGHTS {
                return Some(here + 16..(here + cmsg_len).min(len));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sockaddr_in(port: u16, ip: [u8; 4]) -> [u8; 16] {
        let mut b = [0u8; 16];
        b[..2].copy_from_slice(&(libc::AF_INET as u16).to_ne_bytes());
        b[2..4].copy_from_slice(&port.to_be_bytes());
        b[4..8].copy_from_slice(&ip);
        b
    }

    #[test]
    fn decodes_families() {
        assert_eq!(
            decode(&sockaddr_in(80, [127, 0, 0, 1]), Use::Connect),
            Decoded::Inet(Ip::V4([127, 0, 0, 1]), 80)
        );
        let mut v6 = [0u8; 28];
        v6[..2].copy_from_slice(&(libc::AF_INET6 as u16).to_ne_bytes());
        v6[2..4].copy_from_slice(&443u16.to_be_bytes());
        v6[8 + 10] = 0xff;
        v6[8 + 11] = 0xff;
        v6[8 + 12..8 + 16].copy_from_slice(&[10, 0, 0, 7]);
        assert_eq!(
            decode(&v6, Use::Connect),
            Decoded::Inet(Ip::V4([10, 0, 0, 7]), 443),
            "IPv4-mapped"
        );
        let mut unix = [0u8; 20];
        unix[..2].copy_from_slice(&(libc::AF_UNIX as u16).to_ne_bytes());
        unix[2..12].copy_from_slice(b"/run/x.sk\0");
        assert_eq!(decode(&unix, Use::Connect), Decoded::UnixPath(b"/run/x.sk"));
        unix[2] = 0;
        assert_eq!(decode(&unix[..8], Use::Bind), Decoded::Abstract(b"run/x"));
        assert_eq!(decode(&unix[..2], Use::Bind), Decoded::Unnamed);
    }

    #[test]
    fn af_unspec_cannot_slip_through() {
        let mut b = sockaddr_in(22, [10, 1, 1, 1]);
        b[..2].copy_from_slice(&(libc::AF_UNSPEC as u16).to_ne_bytes());
        assert_eq!(
            decode(&b, Use::Bind),
            Decoded::Inet(Ip::V4([10, 1, 1, 1]), 22)
        );
        assert_eq!(
            decode(&b, Use::Send),
            Decoded::Inet(Ip::V4([10, 1, 1, 1]), 22)
        );
        assert_eq!(decode(&b, Use::Connect), Decoded::Disconnect);
    }

    #[test]
    fn lengths_are_checked_before_reading() {
        let mut buf = [0u8; SOCKADDR_MAX];
        let pid = crate::sys::process::getpid();
        assert_eq!(
            read(pid, RemoteAddr(8), 1, &mut buf, Use::Bind),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            read(pid, RemoteAddr(8), 129, &mut buf, Use::Bind),
            Err(Errno::EINVAL)
        );
        assert_eq!(
            read(pid, RemoteAddr(8), 16, &mut buf, Use::Bind),
            Err(Errno::EFAULT)
        );
    }
}
