//! check: system calls as data: which are trapped, allowed or refused,
//! and (with the policy) how their arguments become requests.
#![forbid(unsafe_code)]

pub mod filter;
pub mod table;
