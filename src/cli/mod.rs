//! cli: the command line.
#![forbid(unsafe_code)]

/// Runs husk with the process arguments; returns the exit status.
pub fn main() -> i32 {
    crate::outln!("husk {}", env!("CARGO_PKG_VERSION"));
    0
}
