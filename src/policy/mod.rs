//! policy: the rule language, globs, addresses, profiles. Pure: no
//! system calls.
#![forbid(unsafe_code)]

pub mod glob;
