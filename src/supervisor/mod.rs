//! supervisor: the tracer thread, worker pool and the queues between them.
#![forbid(unsafe_code)]

pub mod queue;
