//! Network address patterns (POLICY.md, "Patterns"): IPv4 and IPv6
//! CIDR blocks with port lists, the aliases, and the socket addresses
//! they are matched against.
//!
//! `ADDR[/PREFIX][!PORTS]` where PORTS is `PORT[-PORT][,PORT[-PORT]]...`
//! (no `!PORTS`: any port). ADDR may be an alias: `any`, `any4`,
//! `any6`, `loopback`, `loopback4`, `loopback6`. IPv4-mapped IPv6
//! (`::ffff:a.b.c.d`), in a pattern or in a request, is treated as the
//! IPv4 address it carries, so one rule covers both spellings.

use core::fmt;

/// An IP address, normalised: IPv4 (including IPv4-mapped IPv6) is
/// `V4`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ip {
    /// IPv4.
    V4([u8; 4]),
    /// IPv6 (never IPv4-mapped).
    V6([u8; 16]),
}

impl Ip {
    /// Normalises an IPv6 address: IPv4-mapped becomes IPv4.
    pub fn from_v6(octets: [u8; 16]) -> Ip {
        if octets[..10] == [0; 10] && octets[10] == 0xff && octets[11] == 0xff {
            Ip::V4([octets[12], octets[13], octets[14], octets[15]])
        } else {
            Ip::V6(octets)
        }
    }
}

impl fmt::Display for Ip {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ip::V4(o) => write!(f, "{}.{}.{}.{}", o[0], o[1], o[2], o[3]),
            Ip::V6(o) => {
                // Plain eight groups; the longest zero run compressed.
                let groups: [u16; 8] =
                    core::array::from_fn(|i| u16::from_be_bytes([o[2 * i], o[2 * i + 1]]));
                let (mut best, mut best_len, mut i) = (8, 0, 0);
                while i < 8 {
                    if groups[i] == 0 {
                        let start = i;
                        while i < 8 && groups[i] == 0 {
                            i += 1;
                        }
                        if i - start > best_len && i - start > 1 {
                            best = start;
                            best_len = i - start;
                        }
                    } else {
                        i += 1;
                    }
                }
                let mut g = 0;
                while g < 8 {
                    if g == best {
                        f.write_str(if g == 0 { "::" } else { ":" })?;
                        g += best_len;
                        continue;
                    }
                    write!(f, "{:x}", groups[g])?;
                    if g < 7 {
                        f.write_str(":")?;
                    }
                    g += 1;
                }
                Ok(())
            }
        }
    }
}

/// One IP block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cidr {
    /// The network address.
    pub ip: Ip,
    /// Prefix length in bits.
    pub prefix: u8,
}

impl Cidr {
    /// Whether `ip` is inside the block.
    pub fn contains(&self, ip: Ip) -> bool {
        match (self.ip, ip) {
            (Ip::V4(net), Ip::V4(addr)) => prefix_eq(&net, &addr, self.prefix),
            (Ip::V6(net), Ip::V6(addr)) => prefix_eq(&net, &addr, self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let full = (prefix / 8) as usize;
    if a[..full] != b[..full] {
        return false;
    }
    let rest = prefix % 8;
    rest == 0 || {
        let mask = 0xffu8 << (8 - rest);
        a[full] & mask == b[full] & mask
    }
}

/// Why an address pattern is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddrError {
    /// Not an address or alias.
    BadAddress,
    /// A prefix longer than the address, or not a number.
    BadPrefix,
    /// A port that is not 0-65535, or a range whose end is below its start.
    BadPort,
}

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddrError::BadAddress => "not an IPv4/IPv6 address or an alias (any, any4, any6, loopback, loopback4, loopback6)",
            AddrError::BadPrefix => "bad prefix length",
            AddrError::BadPort => "bad port or port range",
        })
    }
}

/// A parsed `ADDR[/PREFIX][!PORTS]` pattern: up to two blocks (an
/// alias may name one IPv4 and one IPv6 block) and the port text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpPattern<'a> {
    blocks: [Option<Cidr>; 2],
    ports: Option<&'a [u8]>,
}

const V4_ANY: Cidr = Cidr {
    ip: Ip::V4([0; 4]),
    prefix: 0,
};
const V6_ANY: Cidr = Cidr {
    ip: Ip::V6([0; 16]),
    prefix: 0,
};
const V4_LOOPBACK: Cidr = Cidr {
    ip: Ip::V4([127, 0, 0, 0]),
    prefix: 8,
};
const V6_LOOPBACK: Cidr = Cidr {
    ip: Ip::V6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]),
    prefix: 128,
};

impl<'a> IpPattern<'a> {
    /// Parses a pattern.
    pub fn parse(text: &'a [u8]) -> Result<IpPattern<'a>, AddrError> {
        let (addr, ports) = match text.iter().position(|&b| b == b'!') {
            Some(i) => (&text[..i], Some(&text[i + 1..])),
            None => (text, None),
        };
        if let Some(ports) = ports {
            check_ports(ports)?;
        }
        let blocks = match addr {
            b"any" => [Some(V4_ANY), Some(V6_ANY)],
            b"any4" => [Some(V4_ANY), None],
            b"any6" => [Some(V6_ANY), None],
            b"loopback" => [Some(V4_LOOPBACK), Some(V6_LOOPBACK)],
            b"loopback4" => [Some(V4_LOOPBACK), None],
            b"loopback6" => [Some(V6_LOOPBACK), None],
            _ => [Some(parse_cidr(addr)?), None],
        };
        Ok(IpPattern { blocks, ports })
    }

    /// Whether `ip` port `port` matches.
    pub fn matches(&self, ip: Ip, port: u16) -> bool {
        self.blocks.iter().flatten().any(|b| b.contains(ip))
            && self.ports.is_none_or(|p| port_in(p, port))
    }
}

fn parse_cidr(text: &[u8]) -> Result<Cidr, AddrError> {
    let (addr, prefix) = match text.iter().position(|&b| b == b'/') {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let ip = parse_ip(addr).ok_or(AddrError::BadAddress)?;
    let (ip, max, shift) = match ip {
        // An IPv4-mapped pattern becomes an IPv4 one: its prefix counts
        // the 96 bits of the mapping prefix.
        Ip::V4(_) if addr.contains(&b':') => (ip, 128, 96),
        Ip::V4(_) => (ip, 32, 0),
        Ip::V6(_) => (ip, 128, 0),
    };
    let prefix = match prefix {
        None => max,
        Some(p) => {
            let n = parse_u32(p)
                .filter(|&n| n <= max as u32)
                .ok_or(AddrError::BadPrefix)? as u8;
            if n < shift {
                return Err(AddrError::BadPrefix);
            }
            n
        }
    };
    Ok(Cidr {
        ip,
        prefix: prefix - shift,
    })
}

fn parse_u32(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 10 || !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    text.iter().try_fold(0u32, |n, &b| {
        n.checked_mul(10)?.checked_add((b - b'0') as u32)
    })
}

fn parse_port(text: &[u8]) -> Option<u16> {
    parse_u32(text).and_then(|n| u16::try_from(n).ok())
}

fn check_ports(list: &[u8]) -> Result<(), AddrError> {
    for item in list.split(|&b| b == b',') {
        let (lo, hi) = port_range(item).ok_or(AddrError::BadPort)?;
        if lo > hi {
            return Err(AddrError::BadPort);
        }
    }
    Ok(())
}

fn port_range(item: &[u8]) -> Option<(u16, u16)> {
    match item.iter().position(|&b| b == b'-') {
        Some(i) => Some((parse_port(&item[..i])?, parse_port(&item[i + 1..])?)),
        None => parse_port(item).map(|p| (p, p)),
    }
}

fn port_in(list: &[u8], port: u16) -> bool {
    list.split(|&b| b == b',')
        .filter_map(port_range)
        .any(|(lo, hi)| lo <= port && port <= hi)
}

/// Parses a dotted-quad IPv4 or an IPv6 address (with `::` and an
/// optional embedded IPv4 tail); IPv4-mapped IPv6 comes back as IPv4.
pub fn parse_ip(text: &[u8]) -> Option<Ip> {
    if text.contains(&b':') {
        parse_v6(text).map(Ip::from_v6)
    } else {
        parse_v4(text).map(Ip::V4)
    }
}

fn parse_v4(text: &[u8]) -> Option<[u8; 4]> {
    let mut out = [0u8; 4];
    let mut parts = text.split(|&b| b == b'.');
    for slot in &mut out {
        let part = parts.next()?;
        // No empty parts, no leading zeros (they mean octal elsewhere).
        if part.is_empty() || part.len() > 3 || (part.len() > 1 && part[0] == b'0') {
            return None;
        }
        *slot = u8::try_from(parse_u32(part)?).ok()?;
    }
    parts.next().is_none().then_some(out)
}

fn parse_v6(text: &[u8]) -> Option<[u8; 16]> {
    let mut head = [0u16; 8];
    let mut tail = [0u16; 8];
    let (mut nh, mut nt) = (0, 0);
    let (before, after) = match text.windows(2).position(|w| w == b"::") {
        Some(i) => (&text[..i], Some(&text[i + 2..])),
        None => (text, None),
    };
    if after.is_some_and(|a| a.windows(2).any(|w| w == b"::")) {
        return None;
    }
    fn groups(part: &[u8], out: &mut [u16; 8], n: &mut usize, allow_v4: bool) -> Option<()> {
        if part.is_empty() {
            return Some(());
        }
        let pieces: heapless::Vec<&[u8], 9> = part.split(|&b| b == b':').collect();
        if pieces.len() > 8 {
            return None;
        }
        for (i, piece) in pieces.iter().enumerate() {
            if i + 1 == pieces.len() && allow_v4 && piece.contains(&b'.') {
                let v4 = parse_v4(piece)?;
                for pair in v4.chunks(2) {
                    *out.get_mut(*n)? = u16::from_be_bytes([pair[0], pair[1]]);
                    *n += 1;
                }
                continue;
            }
            if piece.is_empty() || piece.len() > 4 || !piece.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            let value = piece.iter().fold(0u16, |v, &c| {
                (v << 4) | (c as char).to_digit(16).unwrap_or(0) as u16
            });
            *out.get_mut(*n)? = value;
            *n += 1;
        }
        Some(())
    }
    groups(before, &mut head, &mut nh, after.is_none())?;
    if let Some(after) = after {
        groups(after, &mut tail, &mut nt, true)?;
        if nh + nt > 7 {
            return None;
        }
    } else if nh != 8 {
        return None;
    }
    let mut words = [0u16; 8];
    words[..nh].copy_from_slice(&head[..nh]);
    words[8 - nt..].copy_from_slice(&tail[..nt]);
    let mut out = [0u8; 16];
    for (i, w) in words.iter().enumerate() {
        out[2 * i..2 * i + 2].copy_from_slice(&w.to_be_bytes());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    extern crate std;
    use std::format;

    fn ip(s: &str) -> Ip {
        parse_ip(s.as_bytes()).unwrap_or_else(|| panic!("{s}"))
    }

    #[test]
    fn parses_addresses() {
        assert_eq!(ip("127.0.0.1"), Ip::V4([127, 0, 0, 1]));
        assert_eq!(
            ip("::1"),
            Ip::V6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])
        );
        assert_eq!(ip("::ffff:10.1.2.3"), Ip::V4([10, 1, 2, 3]));
        assert_eq!(ip("::FFFF:a01:203"), Ip::V4([10, 1, 2, 3]));
        assert_eq!(
            ip("2001:db8::8:800:200c:417a").to_string_for_test(),
            "2001:db8::8:800:200c:417a"
        );
        assert_eq!(ip("fe80::").to_string_for_test(), "fe80::");
        assert_eq!(
            ip("1:2:3:4:5:6:7:8").to_string_for_test(),
            "1:2:3:4:5:6:7:8"
        );
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "01.2.3.4",
            "1.2.3.-4",
            ":::",
            "1::2::3",
            "1:2:3:4:5:6:7:8:9",
            "12345::",
            "g::",
            "1:2:3:4:5:6:7::8:9",
        ] {
            assert!(parse_ip(bad.as_bytes()).is_none(), "{bad} parsed");
        }
    }

    impl Ip {
        fn to_string_for_test(self) -> std::string::String {
            format!("{self}")
        }
    }

    #[test]
    fn cidr_and_ports() {
        let p = IpPattern::parse(b"10.0.0.0/8!80,443,8000-8080").unwrap();
        assert!(p.matches(ip("10.2.3.4"), 80));
        assert!(p.matches(ip("10.2.3.4"), 8042));
        assert!(!p.matches(ip("10.2.3.4"), 22));
        assert!(!p.matches(ip("11.0.0.1"), 80));
        assert!(
            p.matches(ip("::ffff:10.9.9.9"), 443),
            "IPv4-mapped requests match IPv4 rules"
        );
        let p = IpPattern::parse(b"::ffff:192.168.0.0/112!53").unwrap();
        assert!(
            p.matches(ip("192.168.7.7"), 53),
            "IPv4-mapped patterns are IPv4 rules"
        );
        assert!(!p.matches(ip("192.169.0.1"), 53));
        let p = IpPattern::parse(b"2001:db8::/32").unwrap();
        assert!(p.matches(ip("2001:db8:1::1"), 1));
        assert!(!p.matches(ip("2001:db9::1"), 1));
        assert!(!p.matches(ip("32.1.13.184"), 1));
        let p = IpPattern::parse(b"10.1.2.3/31!1").unwrap();
        assert!(
            p.matches(ip("10.1.2.2"), 1)
                && p.matches(ip("10.1.2.3"), 1)
                && !p.matches(ip("10.1.2.4"), 1)
        );
    }

    #[test]
    fn aliases() {
        let any = IpPattern::parse(b"any!0-65535").unwrap();
        assert!(any.matches(ip("1.2.3.4"), 9) && any.matches(ip("::2"), 65535));
        let lo = IpPattern::parse(b"loopback").unwrap();
        assert!(
            lo.matches(ip("127.5.5.5"), 1) && lo.matches(ip("::1"), 1) && !lo.matches(ip("::2"), 1)
        );
        assert!(
            !IpPattern::parse(b"loopback4")
                .unwrap()
                .matches(ip("::1"), 1)
        );
        assert!(!IpPattern::parse(b"any6").unwrap().matches(ip("1.1.1.1"), 1));
        assert!(
            IpPattern::parse(b"any4!22")
                .unwrap()
                .matches(ip("::ffff:1.1.1.1"), 22)
        );
    }

    #[test]
    fn errors() {
        assert_eq!(
            IpPattern::parse(b"localhost!80"),
            Err(AddrError::BadAddress)
        );
        assert_eq!(IpPattern::parse(b"10.0.0.0/33"), Err(AddrError::BadPrefix));
        assert_eq!(IpPattern::parse(b"::/129"), Err(AddrError::BadPrefix));
        assert_eq!(
            IpPattern::parse(b"::ffff:1.2.3.4/64"),
            Err(AddrError::BadPrefix)
        );
        assert_eq!(IpPattern::parse(b"1.2.3.4!65536"), Err(AddrError::BadPort));
        assert_eq!(IpPattern::parse(b"1.2.3.4!90-80"), Err(AddrError::BadPort));
        assert_eq!(IpPattern::parse(b"1.2.3.4!"), Err(AddrError::BadPort));
        assert_eq!(IpPattern::parse(b"1.2.3.4!80,"), Err(AddrError::BadPort));
    }
}
