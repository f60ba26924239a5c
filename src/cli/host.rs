//! What the policy loader needs from the system: the environment (with
//! `HUSK_CWD`, husk's real working directory), and policy files.

use crate::policy::load::Host;
use crate::rt;
use crate::sys::Errno;
use crate::sys::file::{self, Dir};

/// The loader's view of the system.
pub struct System {
    cwd: [u8; 4096],
    cwd_len: usize,
}

impl System {
    /// Reads husk's working directory once.
    pub fn new() -> System {
        let mut s = System {
            cwd: [0; 4096],
            cwd_len: 0,
        };
        let mut buf = [0u8; 4096];
        if let Ok(path) = file::getcwd(&mut buf) {
            s.cwd_len = path.len();
            s.cwd[..path.len()].copy_from_slice(path);
        }
        s
    }
}

fn with_nul(path: &[u8], buf: &mut [u8; 4097]) -> Option<usize> {
    if path.len() >= buf.len() || path.contains(&0) {
        return None;
    }
    buf[..path.len()].copy_from_slice(path);
    buf[path.len()] = 0;
    Some(path.len())
}

impl Host for System {
    fn var(&self, name: &[u8]) -> Option<&[u8]> {
        if name == b"HUSK_CWD" {
            return (self.cwd_len > 0).then_some(&self.cwd[..self.cwd_len]);
        }
        rt::args::var(name)
    }

    fn read<'b>(&self, path: &[u8], buf: &'b mut [u8]) -> Result<&'b [u8], Errno> {
        let mut name = [0u8; 4097];
        let n = with_nul(path, &mut name).ok_or(Errno::ENAMETOOLONG)?;
        let cstr = core::ffi::CStr::from_bytes_with_nul(&name[..=n]).map_err(|_| Errno::EINVAL)?;
        // Without waiting (a FIFO would block until a writer came), and
        // only a regular file: a FIFO or device is refused.
        let fd = file::openat(Dir::Cwd, cstr, libc::O_RDONLY | libc::O_NONBLOCK, 0)?;
        if file::fstat_raw(&fd)?.st_mode & libc::S_IFMT != libc::S_IFREG {
            return Err(Errno::EINVAL);
        }
        let len = file::read_full(&fd, buf)?;
        if len == buf.len() {
            // Full: is there more?
            let mut probe = [0u8; 1];
            if file::read(&fd, &mut probe)? != 0 {
                return Err(Errno::ENOBUFS);
            }
        }
        Ok(&buf[..len])
    }

    fn identity(&self, path: &[u8]) -> Option<(u64, u64)> {
        let mut name = [0u8; 4097];
        let n = with_nul(path, &mut name)?;
        let cstr = core::ffi::CStr::from_bytes_with_nul(&name[..=n]).ok()?;
        file::stat_at(Dir::Cwd, cstr, true)
            .ok()
            .map(|i| (i.dev, i.ino))
    }
}
