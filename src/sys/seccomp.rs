//! seccomp(2) queries. Installing a filter is the BPF layer's one
//! sanctioned raw call (`bpf::install`), which needs a verified
//! program; here live only the questions husk asks the kernel.

use super::{Result, check, nr, raw};

/// `SECCOMP_GET_ACTION_AVAIL`: whether the kernel knows `action`
/// (a `SECCOMP_RET_*` value).
pub fn action_available(action: u32) -> Result<()> {
    let value = action;
    // SAFETY: the kernel reads one u32 from `value`.
    check(unsafe {
        raw::syscall3(
            nr::SECCOMP,
            libc::SECCOMP_GET_ACTION_AVAIL as usize,
            0,
            &value as *const u32 as usize,
        )
    })
    .map(drop)
}

/// Sizes of the user-notification structures (`SECCOMP_GET_NOTIF_SIZES`),
/// present since Linux 5.0.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct NotifSizes {
    /// `sizeof(struct seccomp_notif)`.
    pub notif: u16,
    /// `sizeof(struct seccomp_notif_resp)`.
    pub resp: u16,
    /// `sizeof(struct seccomp_data)`.
    pub data: u16,
}

/// Asks the kernel for the user-notification structure sizes.
pub fn notif_sizes() -> Result<NotifSizes> {
    let mut sizes = NotifSizes::default();
    // SAFETY: the kernel writes one seccomp_notif_sizes into `sizes`.
    check(unsafe {
        raw::syscall3(
            nr::SECCOMP,
            libc::SECCOMP_GET_NOTIF_SIZES as usize,
            0,
            &mut sizes as *mut NotifSizes as usize,
        )
    })?;
    Ok(sizes)
}

/// The seccomp mode of the calling thread (`PR_GET_SECCOMP`): 0 none,
/// 2 filter.
pub fn mode() -> Result<u32> {
    // SAFETY: PR_GET_SECCOMP takes no pointers.
    check(unsafe { raw::syscall5(nr::PRCTL, libc::PR_GET_SECCOMP as usize, 0, 0, 0, 0) })
        .map(|v| v as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_actions_are_available() {
        action_available(libc::SECCOMP_RET_KILL_PROCESS).unwrap();
        action_available(libc::SECCOMP_RET_ALLOW).unwrap();
        assert!(action_available(0x1234_0000).is_err());
        let sizes = notif_sizes().unwrap();
        assert_eq!(sizes.data, 64);
    }
}
