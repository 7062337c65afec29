//! Mixtures and heavy tails: eight Gaussians on a circle, the 1-D mixture of
//! two Gaussians, and Student's t with 0.5 degrees of freedom.
//!
//! ```text
//! 8gaussians    c_k = 5 (cos kπ/4, sin kπ/4), k ~ U{0..7};  x = c_k + √(√0.1) z   (torchcfm's covariance √0.1 I)
//! twogaussians  x = r + 0.5 z,  r = ±1 with probability ½
//! student-t     x, y independent t(0.5)
//! ```
//! References: Tong et al. 2024 (torchcfm) `sample_8gaussians`; the
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
