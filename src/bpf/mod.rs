//! bpf: classic-BPF toolkit for seccomp filters (in progress).
#![forbid(unsafe_code)]
