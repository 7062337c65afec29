//! Mixtures and heavy tails: eight Gaussians on a circle, Gaussians on a
//! grid, the 1-D mixture of two Gaussians, and Student's t with 0.5 degrees
//! of freedom.
//!
//! ```text
//! 8gaussians    c_k = 5 (cos kπ/4, sin kπ/4), k ~ U{0..7};  x = c_k + √(√0.1) z   (torchcfm's covariance √0.1 I)
//! 25gaussians   c_k = (2i, 2j), i, j ∈ {−2, …, 2}, k = 5(i + 2) + (j + 2) ~ U{0..24};  x = c_k + 0.05 z
//! 4gaussians    c_k ∈ {(0, 0), (0, 4), (4, 0), (4, 4)}, k ~ U{0..3};  x = c_k + 0.5 z
//! twogaussians  x = r + 0.5 z,  r = ±1 with probability ½
//! student-t     x, y independent t(0.5)
//! ```
//! References: Tong et al. 2024 (torchcfm) `sample_8gaussians`; the grid
//! of Gulrajani et al. 2017 ("Improved training of Wasserstein GANs", its
//! toy `25gaussians` before the division by 2.828); the 4-Gaussian mixture
//! of the Lipschitz-regularised particle examples; the
//! two-Gaussian mixture of the generative-modelling survey's 1-D examples;
//! the Student's t target of the Lipschitz-regularised particle examples.

use crate::Sample;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal, StudentT};

/// Eight Gaussians at radius 5.
pub(crate) fn eight_gaussians(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let sd = 0.1f64.sqrt().sqrt();
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let k: u32 = rng.random_range(0..8);
        let angle = f64::from(k) * std::f64::consts::FRAC_PI_4;
        let (zx, zy): (f64, f64) = (StandardNormal.sample(rng), StandardNormal.sample(rng));
        x.push(5.0 * angle.cos() + sd * zx);
        y.push(5.0 * angle.sin() + sd * zy);
        codes.push(k);
    }
    Sample {
        coords: vec![x, y],
        labels: Some((codes, (0..8).map(|k| format!("g{k}")).collect())),
    }
}

/// The WGAN-GP grid's centres `(2i, 2j)`, `i, j ∈ {−2, …, 2}`, row by row.
pub(crate) fn grid25() -> Vec<(f64, f64)> {
    let at = |i: i32| 2.0 * f64::from(i);
    (-2..=2)
        .flat_map(|i| (-2..=2).map(move |j| (at(i), at(j))))
        .collect()
}

/// The particle algorithm's mixture: the corners of `[0, 4]²`.
pub(crate) const FOUR: [(f64, f64); 4] = [(0.0, 0.0), (0.0, 4.0), (4.0, 0.0), (4.0, 4.0)];

/// `n` rows of the equal-weight mixture of Gaussians of standard deviation
/// `sd` around `centres`, labelled `g0`, `g1`, … in the centres' order.
pub(crate) fn gaussians(n: usize, rng: &mut ChaCha8Rng, centres: &[(f64, f64)], sd: f64) -> Sample {
    let mut x = Vec::with_capacity(n);
    let mut y = Vec::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let k = rng.random_range(0..centres.len());
        let (cx, cy) = centres[k];
        let (zx, zy): (f64, f64) = (StandardNormal.sample(rng), StandardNormal.sample(rng));
        x.push(cx + sd * zx);
        y.push(cy + sd * zy);
        codes.push(k as u32);
    }
    Sample {
        coords: vec![x, y],
        labels: Some((codes, (0..centres.len()).map(|k| format!("g{k}")).collect())),
    }
}

/// ½ N(−1, 0.5²) + ½ N(1, 0.5²).
pub(crate) fn two_gaussians(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let mut x = Vec::with_capacity(n);
    let mut codes = Vec::with_capacity(n);
    for _ in 0..n {
        let right = rng.random::<bool>();
        let z: f64 = StandardNormal.sample(rng);
        x.push(if right { 1.0 } else { -1.0 } + 0.5 * z);
        codes.push(u32::from(right));
    }
    Sample {
        coords: vec![x],
        labels: Some((codes, vec!["left".to_owned(), "right".to_owned()])),
    }
}

/// Two independent t(0.5) coordinates.
pub(crate) fn student_t(n: usize, rng: &mut ChaCha8Rng) -> Sample {
    let t = StudentT::new(0.5).unwrap_or_else(|e| unreachable!("t(0.5): {e}"));
    let x = (0..n).map(|_| t.sample(rng)).collect();
    let y = (0..n).map(|_| t.sample(rng)).collect();
    Sample {
        coords: vec![x, y],
        labels: None,
    }
}
