//! Seeded inputs shared by the benchmarks.

use pushforward_metrics::Points;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// `n` points with independent `N(shift, 1)` coordinates.
pub(crate) fn gaussian(n: usize, d: usize, shift: f64, seed: u64) -> Points {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let v = (0..n * d)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            z + shift
        })
        .collect();
    Points::new(d, v).unwrap_or_else(|e| panic!("{e}"))
}
