//! Links the `pushforward` executable as position-dependent (`-no-pie`).
//!
//! A position-independent executable of this size carries about 34,000
//! relative relocations that the dynamic loader applies at every start, and
//! the pages they touch are copied on write: a bare start
//! (`pushforward --version`) took 1.9 ms of task clock and 309 page faults
//! against 1.0 ms and 192 linked this way (`perf stat -r 30`). A command on
//! a small table is a few milliseconds, so this is a measurable share of it
//! (BENCHMARKS.md, "Real mixed tables"). The cost is that the executable's
//! own code is not placed at a random address; the libraries it loads
//! still are. Only the binary is linked so: tests and the Python extension
//! keep the default.

fn main() {
    println!("cargo:rustc-link-arg-bins=-no-pie");
}
