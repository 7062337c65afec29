#![allow(clippy::unwrap_used)]
//! A fuzz harness for the `pushforward` binary: seeded random specs
//! (marginals with extreme parameters, random correlation targets), mutated
//! model files (bit flips, truncation, header field edits of a small fitted
//! model), mutated tables (huge, NaN and empty cells, ragged rows, long
//! cells) and random flag combinations, each run as a process with a time
//! limit. Every case must
//!
//! ```text
//! exit with 0, 1 or 2    (no panic: 101; no death by a signal; no hang past the case limit)
//! leave no output file after a failure, and no temporary file at all
//! leave every input file byte-identical
//! ```
//!
//! `cargo test` runs it with a fixed seed for about 45 seconds. Longer or
//! other runs: `PF_FUZZ_SECONDS=600 PF_FUZZ_SEED=7 cargo test -p
//! pushforward-cli --test fuzz`. A failing case is kept in the directory
//! printed with it (inputs and the command line).

#[path = "fuzz/cases.rs"]
mod cases;
#[path = "fuzz/runner.rs"]
mod runner;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn fuzz_the_binary() {
    let seed: u64 = env_or("PF_FUZZ_SEED", 20_261_204);
    let budget = Duration::from_secs(env_or("PF_FUZZ_SECONDS", 45));
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let base = std::env::temp_dir().join(format!("pushforward-fuzz-{seed}-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let fixture = cases::Fixture::new(&base);
    let start = Instant::now();
    let mut failures = Vec::new();
    let mut ran = 0;
    while start.elapsed() < budget {
        let case = cases::draw(&mut rng, &fixture, ran);
        if let Err(e) = runner::check(&case, &base, ran) {
            failures.push(e);
        }
        ran += 1;
    }
    if failures.is_empty() {
        std::fs::remove_dir_all(&base).unwrap();
    }
    assert!(ran >= 10, "only {ran} cases in {budget:?}");
    assert!(
        failures.is_empty(),
        "{} of {ran} cases failed (seed {seed}):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
