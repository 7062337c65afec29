//! The standard normal distribution: density, CDF and quantile, accurate in
//! both tails.
//!
//! ```text
//! φ(z) = exp(−z²/2) / √(2π)
//! Φ(z) = erfc(−z/√2) / 2
//! Φ⁻¹(p) = −√2 · erfc⁻¹(2p)
//! ```
//! The error functions are statrs' (rational approximations after Boost), so
//! `Φ(z)` keeps full relative precision deep in the lower tail and the upper
//! tail is reached through `Φ(−z)` rather than `1 − Φ(z)`.

use statrs::function::erf::{erfc, erfc_inv};
use std::f64::consts::{PI, SQRT_2};

/// Standard normal density φ(z).
#[inline]
pub fn pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * PI).sqrt()
}

/// Standard normal CDF Φ(z), with full relative precision for z < 0.
#[inline]
pub fn cdf(z: f64) -> f64 {
    0.5 * erfc(-z / SQRT_2)
}

/// Standard normal quantile Φ⁻¹(p) for p in \[0, 1\] (±∞ at the ends).
#[inline]
pub fn quantile(p: f64) -> f64 {
    -SQRT_2 * erfc_inv(2.0 * p)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_keep_relative_precision() {
        // Φ(−10) = 7.619853024160527e-24 (Abramowitz & Stegun, 26.2).
        let lower = cdf(-10.0);
        assert!((lower / 7.619853024160527e-24 - 1.0).abs() < 1e-12, "{lower}");
        for &z in &[-8.0, -3.0, -0.5, 0.0, 1.2, 5.0] {
            let p = cdf(z);
            assert!((quantile(p) - z).abs() < 1e-9 * (1.0 + z.abs()), "z={z}");
        }
        assert!((quantile(cdf(-35.0)) + 35.0).abs() < 1e-8);
    }
}
