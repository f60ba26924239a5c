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

/// The caller's word (`size_t`, a pointer): husk's own, since the
/// sandbox filter kills every caller of another architecture. 8 bytes,
/// or 4 on 32-bit ARM.
const WORD: usize = core::mem::size_of::<usize>();

/// `sizeof(struct msghdr)`: name, namelen (padded to a word), iov,
/// iovlen, control, controllen, flags (padded): seven words (56 bytes
/// on 64-bit Linux, 28 on 32-bit).
pub const MSGHDR_SIZE: u64 = 7 * WORD as u64;
/// `sizeof(struct mmsghdr)`: the msghdr, then `unsigned msg_len` at
/// [`MSGHDR_SIZE`], padded to a word (64 bytes, or 32).
pub const MMSGHDR_SIZE: u64 = MSGHDR_SIZE + if WORD > 4 { WORD as u64 } else { 4 };

/// Reads a `struct msghdr`.
pub fn read_message(pid: Pid, at: RemoteAddr) -> Result<Message> {
    let mut raw = [0u8; MSGHDR_SIZE as usize];
    memory::read_exact(pid, at, &mut raw)?;
    let word = |i: usize| {
        let at = i * WORD;
        usize::from_ne_bytes(raw[at..at + WORD].try_into().unwrap_or([0; WORD])) as u64
    };
    Ok(Message {
        name: word(0),
        name_len: u32::from_ne_bytes(raw[WORD..WORD + 4].try_into().unwrap_or([0; 4])) as u64,
        iov: word(2),
        iov_len: word(3),
        control: word(4),
        control_len: word(5),
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
    // struct cmsghdr: size_t len; int level; int type; then the data,
    // each aligned to a word (CMSG_ALIGN): data at 16, or 12 on 32-bit.
    let align = |n: usize| n.saturating_add(WORD - 1) & !(WORD - 1);
    let head = align(WORD + 8);
    core::iter::from_fn(move || {
        while at + head <= len {
            let cmsg_len = usize::from_ne_bytes(buf[at..at + WORD].try_into().unwrap_or([0; WORD]));
            let level =
                i32::from_ne_bytes(buf[at + WORD..at + WORD + 4].try_into().unwrap_or([0; 4]));
            let kind = i32::from_ne_bytes(
                buf[at + WORD + 4..at + WORD + 8]
                    .try_into()
                    .unwrap_or([0; 4]),
            );
            if cmsg_len < head {
                return None;
            }
            let here = at;
            at = at.saturating_add(align(cmsg_len));
            if level == libc::SOL_SOCKET && kind == libc::SCM_RIGHTS {
                return Some(here + head..(here + cmsg_len).min(len));
            }
        }
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_layouts_are_the_c_librarys() {
        use core::mem::{offset_of, size_of};
        assert_eq!(MSGHDR_SIZE as usize, size_of::<libc::msghdr>());
        assert_eq!(MMSGHDR_SIZE as usize, size_of::<libc::mmsghdr>());
        assert_eq!(offset_of!(libc::mmsghdr, msg_len), MSGHDR_SIZE as usize);
        assert_eq!(offset_of!(libc::msghdr, msg_namelen), WORD);
        assert_eq!(offset_of!(libc::msghdr, msg_iov), 2 * WORD);
        assert_eq!(offset_of!(libc::msghdr, msg_iovlen), 3 * WORD);
        assert_eq!(offset_of!(libc::msghdr, msg_control), 4 * WORD);
        assert_eq!(offset_of!(libc::msghdr, msg_controllen), 5 * WORD);
        assert_eq!(
            size_of::<libc::cmsghdr>(),
            (WORD + 8).next_multiple_of(WORD)
        );
    }

    #[test]
    fn finds_the_rights_after_other_control_messages() {
        let head = core::mem::size_of::<libc::cmsghdr>();
        let push = |buf: &mut Vec<u8>, kind: i32, data: &[u8]| {
            let start = buf.len();
            let len = head + data.len();
            buf.extend_from_slice(&len.to_ne_bytes());
            buf.extend_from_slice(&libc::SOL_SOCKET.to_ne_bytes());
            buf.extend_from_slice(&kind.to_ne_bytes());
            buf.resize(start + head, 0);
            buf.extend_from_slice(data);
            buf.resize(start + len.next_multiple_of(WORD), 0);
        };
        let mut buf = Vec::new();
        push(&mut buf, libc::SCM_CREDENTIALS, &[0; 12]);
        let at = buf.len();
        push(&mut buf, libc::SCM_RIGHTS, &[1, 0, 0, 0, 2, 0, 0, 0]);
        let found: Vec<_> = rights(&buf).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0], at + head..at + head + 8);
        // A length too short for its header ends the walk.
        let mut bad = buf.clone();
        bad[..WORD].copy_from_slice(&(head - 1).to_ne_bytes());
        assert_eq!(rights(&bad).count(), 0);
    }

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
