//! policy: the rule language, globs, addresses, profiles. Pure: no
//! system calls.
#![forbid(unsafe_code)]

pub mod action;
pub mod addr;
pub mod category;
pub mod command;
pub mod glob;
pub mod load;
pub mod profiles;
pub mod rules;
