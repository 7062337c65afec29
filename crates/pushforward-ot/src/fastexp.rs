//! A branch-free `exp` for the log-sum-exp of the Sinkhorn iterations,
//! written so that loops over slices of it auto-vectorise.
//!
//! ```text
//! x = k ln2 + r,   k = round(x / ln2),   |r| ≤ ln2 / 2
//! e^x = 2^k · p(r),   p = degree-10 near-minimax polynomial of e^r on [−0.3466, 0.3466]
//! 2^k built from the exponent bits (k + 1023) << 52;   e^x := 0 for x < −700
//! ```
//! `k` is rounded by adding and subtracting `1.5 · 2^52` (the low bits of the
//! sum then hold `k`), `r` is reduced with the two-part `ln2` of fdlibm
//! (Cody and Waite 1980, "Software Manual for the Elementary Functions"),
//! and the coefficients are the Chebyshev fit of `e^r` (`mpmath.chebyfit`,
//! 11 terms) rounded to `f64`: the polynomial is within `3.4e-16` of `e^r`
//! relative, so the result is within a few units in the last place of
//! `f64::exp` (see the test below).
//!
//! Why not `f64::exp`: it is a call into libm, one value at a time, and it
//! is most of the cost of a Sinkhorn iteration. No crate offers a
//! vectorisable `f64` exponential without `unsafe` SIMD or nightly
//! `std::simd`; this one is 20 lines of plain arithmetic that LLVM turns
//! into SIMD code. All products go through `mul_add`, so the value is the
//! same on every machine (fused multiply-add is exactly rounded).

/// Below this `e^x` is flushed to zero: `e^−700 ≈ 1e−304` is far below the
/// precision of a sum that holds a term equal to one.
const FLUSH: f64 = -700.0;

/// Polynomial coefficients, highest degree first.
const COEFFS: [f64; 11] = [
    2.7626367775723217e-07,
    2.7640193442207173e-06,
    2.4801504321690158e-05,
    0.00019841170240059446,
    0.0013888888932508548,
    0.00833333338569173,
    0.041666666666573086,
    0.16666666666554336,
    0.5000000000000006,
    1.0000000000000067,
    1.0,
];

/// `e^x` for `x ≤ 0` (and up to about `700`), `0` below `−700`; no branch,
/// so it vectorises inside loops.
#[inline(always)]
pub(crate) fn exp_neg(x: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 · 2^52
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    // Clamped so that 2^k stays a normal number; flushed at the end.
    let xc = if x < -708.0 { -708.0 } else { x };
    let t = xc.mul_add(std::f64::consts::LOG2_E, SHIFT);
    let k = t - SHIFT;
    let r = k.mul_add(-LN2_HI, xc);
    let r = k.mul_add(-LN2_LO, r);
    let mut p = COEFFS[0];
    for &c in &COEFFS[1..] {
        p = p.mul_add(r, c);
    }
    // The low bits of `t` hold k; shifting drops the bits of SHIFT.
    let scale = f64::from_bits(t.to_bits().wrapping_add(1023) << 52);
    let y = p * scale;
    if x < FLUSH { 0.0 } else { y }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    /// Relative error against `f64::exp` over `[−700, 0]` and at the edges.
    #[test]
    fn exp_neg_matches_std_exp() {
        let mut worst: f64 = 0.0;
        let n = 2_000_000;
        for i in 0..=n {
            let x = -700.0 * f64::from(i) / f64::from(n);
            let (a, b) = (exp_neg(x), x.exp());
            worst = worst.max(((a - b) / b).abs());
        }
        // Small arguments, where r = x.
        for i in 0..=10_000 {
            let x = -f64::from(i) * 1e-5;
            worst = worst.max(((exp_neg(x) - x.exp()) / x.exp()).abs());
        }
        assert!(worst < 4.0 * f64::EPSILON, "worst relative error {worst:e}");
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(exp_neg(-700.5), 0.0);
        assert_eq!(exp_neg(f64::NEG_INFINITY), 0.0);
        assert_eq!(exp_neg(-1e300), 0.0);
        let v = exp_neg(-699.9);
        assert!(((v - (-699.9f64).exp()) / v).abs() < 4.0 * f64::EPSILON);
    }
}
