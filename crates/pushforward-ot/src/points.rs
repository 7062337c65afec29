//! Shape checks for point clouds given as row-major slices, and the
//! squared Euclidean distance.

use crate::error::OtError;

/// The number of points of each of two clouds with `d` coordinates per
/// point, after checking that `d ≥ 1` and both lengths are multiples of `d`.
pub(crate) fn sizes(x: &[f64], y: &[f64], d: usize) -> Result<(usize, usize), OtError> {
    if d == 0 {
        return Err(OtError::BadParameter {
            name: "dimension",
            value: 0.0,
            expected: "at least 1 coordinate per point",
        });
    }
    for (name, p) in [("first cloud", x), ("second cloud", y)] {
        if p.len() % d != 0 {
            return Err(OtError::Shape {
                name,
                len: p.len(),
                expected: format!("a multiple of the dimension {d}"),
            });
        }
    }
    Ok((x.len() / d, y.len() / d))
}

/// Squared Euclidean distance.
#[inline]
pub(crate) fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// `n` seeded standard normal draws: the test data of this crate's unit
/// tests.
#[cfg(test)]
pub(crate) fn standard_normals(n: usize, seed: u64) -> Vec<f64> {
    use rand::{Rng, SeedableRng};
    use rand_distr::StandardNormal;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    (0..n).map(|_| rng.sample(StandardNormal)).collect()
}
