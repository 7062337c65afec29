//! The standard normal distribution: density, CDF and quantile, accurate in
//! both tails.
//!
//! ```text
//! φ(z) = exp(−z²/2) / √(2π)
//! Φ(z) = erfc(−z/√2) / 2
//! Φ⁻¹(p) = −√2 · erfc⁻¹(2p)
//! ```
//! `erfc` is libm's (a port of musl's, within an ulp or two; statrs' `erfc` is
//! off by up to 1e-10 relative), so `Φ(z)` keeps full relative precision deep
//! in the lower tail, and the upper tail is reached through `Φ(−z)` rather
//! than `1 − Φ(z)`. The quantile starts from statrs' `erfc_inv`.

use libm::erfc;
use statrs::function::erf::erfc_inv;
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

/// Standard normal quantile Φ⁻¹(p) for p in \[0, 1\] (±∞ at the ends, NaN
/// outside).
///
/// statrs' `erfc_inv` alone is good to about 5e-11; one Halley step on the
/// lower tail (the upper half by symmetry, `1 − p` being exact there) brings
/// it to rounding.
pub fn quantile(p: f64) -> f64 {
    if p > 0.5 {
        return -lower_quantile(1.0 - p);
    }
    lower_quantile(p)
}

fn lower_quantile(p: f64) -> f64 {
    if p.is_nan() || p < 0.0 {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    let z = -SQRT_2 * erfc_inv(2.0 * p);
    let d = pdf(z);
    if d.is_nan() || d <= 0.0 {
        return z;
    }
    let u = (cdf(z) - p) / d;
    z - u / (1.0 + 0.5 * z * u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_keep_relative_precision() {
        // Φ(−10) = 7.619853024160527e-24 (Abramowitz & Stegun, 26.2).
        let lower = cdf(-10.0);
        assert!((lower / 7.619853024160527e-24 - 1.0).abs() < 1e-12, "{lower}");
        for &z in &[-30.0, -8.0, -3.0, -1.0, -0.5, 0.0] {
            let p = cdf(z);
            assert!((quantile(p) - z).abs() < 4e-15 * (1.0 + z.abs()), "z={z}");
        }
        // 1 − q is exact for q ≥ 1/2: the upper half mirrors the lower.
        for &q in &[0.5, 0.6, 0.75, 0.99, 1.0 - 1e-12] {
            assert_eq!(quantile(q), -quantile(1.0 - q), "q={q}");
        }
        assert!((quantile(cdf(-35.0)) + 35.0).abs() < 1e-8);
    }
}
