//! Gauss rules for expectations under the standard normal.
//!
//! `E[f(Z)] ≈ Σ wᵢ f(zᵢ)` with the Gauss–Hermite rule rescaled from the
//! weight `e^{−x²}` to the normal density (`zᵢ = √2 xᵢ`, `wᵢ → wᵢ/√π`), and a
//! Gauss–Legendre rule for smooth integrals on a finite interval. Nodes come
//! from the `gauss-quad` crate (Golub–Welsch).

use gauss_quad::hermite::GaussHermite;
use gauss_quad::legendre::GaussLegendre;
use std::f64::consts::{PI, SQRT_2};
use std::num::NonZeroUsize;

/// Normal-weight nodes below this weight are dropped, and so are node pairs
/// whose product weight is below it: they cannot move a result by more than
/// about 1e-30 of its scale, and dropping them keeps every argument of a
/// latent map inside its table (|z| ≤ 12.1).
const WEIGHT_FLOOR: f64 = 1e-32;

/// A normal-weight rule and a Legendre rule.
#[derive(Debug, Clone)]
pub(crate) struct Quadrature {
    /// `(zᵢ, wᵢ)` with Σ wᵢ = 1.
    pub(crate) normal: Vec<(f64, f64)>,
    /// Index pairs `(i, j, wᵢwⱼ)` of the product rule on ℝ².
    pub(crate) product: Vec<(u32, u32, f64)>,
    /// `(xᵢ, wᵢ)` on `[−1, 1]`.
    pub(crate) legendre: Vec<(f64, f64)>,
}

impl Quadrature {
    /// Rules with `hermite` normal nodes and `legendre` Legendre nodes.
    pub(crate) fn new(hermite: usize, legendre: usize) -> Self {
        let n = NonZeroUsize::new(hermite.max(1)).unwrap_or(NonZeroUsize::MIN);
        let gh = GaussHermite::new(n);
        let normal: Vec<(f64, f64)> = gh
            .iter()
            .map(|(x, w)| (SQRT_2 * x, w / PI.sqrt()))
            .filter(|&(_, w)| w >= WEIGHT_FLOOR)
            .collect();
        let mut product = Vec::new();
        for (i, &(_, wi)) in normal.iter().enumerate() {
            for (j, &(_, wj)) in normal.iter().enumerate() {
                if wi * wj >= WEIGHT_FLOOR {
                    product.push((i as u32, j as u32, wi * wj));
                }
            }
        }
        let m = NonZeroUsize::new(legendre.max(1)).unwrap_or(NonZeroUsize::MIN);
        let legendre = GaussLegendre::new(m).iter().map(|(x, w)| (*x, *w)).collect();
        Quadrature {
            normal,
            product,
            legendre,
        }
    }

    /// `E[f(Z)]`.
    pub(crate) fn expect(&self, f: impl Fn(f64) -> f64) -> f64 {
        self.normal.iter().map(|&(z, w)| w * f(z)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_moments_are_exact() {
        let q = Quadrature::new(64, 8);
        assert!((q.expect(|_| 1.0) - 1.0).abs() < 1e-13);
        assert!((q.expect(|z| z * z) - 1.0).abs() < 1e-12);
        assert!((q.expect(|z| z.powi(4)) - 3.0).abs() < 1e-11);
        // E[e^Z] = e^{1/2}.
        assert!((q.expect(f64::exp) - 0.5f64.exp()).abs() < 1e-12);
        let total: f64 = q.legendre.iter().map(|&(_, w)| w).sum();
        assert!((total - 2.0).abs() < 1e-13);
    }
}
