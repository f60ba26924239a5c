//! BPF self-tests run under the freestanding runtime.

/// The tests of this module.
pub const TESTS: &[(&str, super::Test)] = &[];
