//! check: system calls as data (which are trapped, allowed or refused),
//! and the checker that decides trapped calls by the policy.
//!
//! (`deny`, not `forbid`, of unsafe code: the `locked!` policy static
//! carries a `link_section` attribute, which the lint counts as unsafe
//! and the macro alone allows.)
#![deny(unsafe_code)]

pub mod decide;
pub mod filter;
pub mod log;
pub mod net;
pub mod table;

use crate::locked;
use crate::policy::rules::Policy;
use crate::supervisor::message::{Request, Verdict};

locked! {
    /// The policy in force: written while husk starts, read-only after.
    static POLICY: Policy = Policy::new();
}

/// Fills in the policy (before the region is sealed).
pub fn configure<R>(f: impl FnOnce(&mut Policy) -> R) -> R {
    POLICY.with_mut(f)
}

/// The policy in force (after sealing).
pub fn policy() -> &'static Policy {
    POLICY.get()
}

/// Decides a request by the policy in force: the workers' checker.
pub fn decide(request: &Request) -> Verdict {
    decide::decide(policy(), request)
}
