//! Runtime self-tests: threads, futex waiting, queues, lockdown.

/// The tests of this module.
pub const TESTS: &[(&str, super::Test)] = &[];
