//! The latent-to-output correlation map of one pair of columns.
//!
//! For latent normals `(Z₁, Z₂)` with correlation `r` and latent maps
//! `x₁ = h₁(Z₁)`, `x₂ = h₂(Z₂)`, the output correlation is
//! `g(r) = Cov(h₁(Z₁), h₂(Z₂)) / (σ₁σ₂)`, increasing in `r`, with
//! `g(0) = 0` and the attainable interval `[g(−1), g(1)]` (countermonotone
//! and comonotone couplings; Fréchet–Hoeffding bounds). Its derivative follows
//! from Price's theorem, `d/dr E[h₁(Z₁)h₂(Z₂)] = E[h₁′(Z₁)h₂′(Z₂)]`.
//!
//! The covariance is integrated three ways, each exact where the others are not:
//! * **smooth × smooth**: the product Gauss–Hermite rule on
//!   `E[h₁(Z)h₂(rZ + √(1−r²)W)]`;
//! * **steps × steps** (Cario & Nelson 1997, by rectangles):
//!   `Σₖ Σₗ Δ₁ₖ Δ₂ₗ [P(Z₁>aₖ, Z₂>bₗ) − Φ(−aₖ)Φ(−bₗ)]` with the bivariate normal
//!   tail from `owens-t` (Owen's T, accurate to ~1e-10);
//! * **smooth × steps**: Price's derivative
//!   `Σₗ Δₗ φ(bₗ) E[h₁′(r bₗ + √(1−r²)W)]` is smooth in `θ = asin r`, so
//!   `Cov(r) = ∫₀^{asin r} g′(sin θ) cos θ dθ` by Gauss–Legendre.
//!
//! Means and variances come from the same rules, so identical columns reach
//! `g(1) = 1` to rounding.

use super::kendall::KendallPair;
use crate::latent::{LatentMap, SmoothMap, StepMap};
use crate::normal;
use crate::quadrature::Quadrature;
use std::f64::consts::{FRAC_PI_2, PI};

/// Step of the finite differences of maps without an analytic slope.
const FINITE_STEP: f64 = 1e-6;
use std::sync::Arc;

/// Standard deviation of a latent map's output, by the rule its pairs use.
pub(crate) fn std_of(map: &LatentMap, quad: &Quadrature) -> f64 {
    {
        let (_, m2) = match map {
            LatentMap::Smooth(s) => {
                let m1 = quad.expect(|z| s.value(z));
                (m1, quad.expect(|z| (s.value(z) - m1).powi(2)))
            }
            LatentMap::Exact(m) => {
                let (mean, std) = m.moments();
                (mean, std * std)
            }
            LatentMap::Steps(s) => {
                let m1: f64 = s.atoms().map(|(p, v)| p * v).sum();
                (m1, s.atoms().map(|(p, v)| p * (v - m1).powi(2)).sum())
            }
        };
        m2.max(0.0).sqrt()
    }
}

/// `E[Z h(Z)]` of a latent map `h`, the slope of `Cov(Z₁, h(Z₂))` in the
/// latent correlation (Stein's lemma): `Σₗ Δₗ φ(bₗ)` over a step map's
/// jumps (exact), the Gauss–Hermite rule otherwise.
pub(crate) fn stein_slope(map: &LatentMap, quad: &Quadrature) -> f64 {
    match map {
        LatentMap::Steps(s) => s.jumps().map(|(t, d)| d * normal::pdf(t)).sum(),
        other => quad.expect(|z| z * other.value(z)),
    }
}

/// A pair's map from latent to output correlation.
#[derive(Debug, Clone)]
pub(crate) enum PairMap {
    /// `g(r) = (6/π) asin(r/2)`: Spearman's rho of a continuous pair.
    SpearmanContinuous,
    /// `g(r) = (2/π) asin r`: Kendall's tau of a continuous pair.
    KendallContinuous,
    /// Integrated numerically.
    Numeric(Box<NumericPair>),
    /// Kendall's tau-b with a discrete column.
    Kendall(Box<KendallPair>),
    /// `g(r) = s·r`: Pearson's correlation of a pair with a normal column.
    Linear(f64),
}

/// Two latent maps with their moments.
#[derive(Debug, Clone)]
pub(crate) struct NumericPair {
    a: Arc<LatentMap>,
    b: Arc<LatentMap>,
    scale: f64,
    quad: Arc<Quadrature>,
}

impl PairMap {
    /// The numeric map of two columns, each with its [`std_of`].
    pub(crate) fn numeric(a: (Arc<LatentMap>, f64), b: (Arc<LatentMap>, f64), quad: Arc<Quadrature>) -> Self {
        // Keep a smooth map first when the pair is mixed.
        let (a, b) = match (&*a.0, &*b.0) {
            (LatentMap::Steps(_), LatentMap::Smooth(_)) => (b, a),
            _ => (a, b),
        };
        let denom = a.1 * b.1;
        let scale = if denom > 0.0 { 1.0 / denom } else { 0.0 };
        PairMap::Numeric(Box::new(NumericPair {
            a: a.0,
            b: b.0,
            scale,
            quad,
        }))
    }

    /// `g(r)`.
    pub(crate) fn corr(&self, r: f64) -> f64 {
        let r = r.clamp(-1.0, 1.0);
        match self {
            PairMap::SpearmanContinuous => 6.0 / PI * (0.5 * r).asin(),
            PairMap::KendallContinuous => 2.0 / PI * r.asin(),
            PairMap::Numeric(p) => p.scale * p.cov(r),
            PairMap::Kendall(k) => k.tau(r),
            PairMap::Linear(s) => s * r,
        }
    }

    /// `g′(r)` (infinite at ±1 for Kendall).
    pub(crate) fn slope(&self, r: f64) -> f64 {
        let r = r.clamp(-1.0, 1.0);
        match self {
            PairMap::SpearmanContinuous => 6.0 / PI * 0.5 / (1.0 - 0.25 * r * r).sqrt(),
            PairMap::KendallContinuous => 2.0 / PI / (1.0 - r * r).sqrt(),
            PairMap::Numeric(p) => p.scale * p.dcov(r),
            PairMap::Kendall(k) => {
                let h = FINITE_STEP;
                let (lo, hi) = ((r - h).max(-1.0), (r + h).min(1.0));
                (k.tau(hi) - k.tau(lo)) / (hi - lo)
            }
            PairMap::Linear(s) => *s,
        }
    }

    /// `g′(sin θ) · cos θ`, finite on the whole closed interval.
    pub(crate) fn slope_theta(&self, theta: f64) -> f64 {
        match self {
            PairMap::Numeric(p) => p.scale * p.dcov_theta(theta),
            PairMap::Kendall(k) => {
                let h = FINITE_STEP;
                let (lo, hi) = ((theta - h).max(-FRAC_PI_2), (theta + h).min(FRAC_PI_2));
                (k.tau(hi.sin()) - k.tau(lo.sin())) / (hi - lo)
            }
            _ => {
                let c = theta.cos();
                if c <= 0.0 {
                    // Kendall: (2/π)·cosθ/cosθ; Spearman: slope × 0.
                    if matches!(self, PairMap::KendallContinuous) {
                        2.0 / PI
                    } else {
                        0.0
                    }
                } else {
                    self.slope(theta.sin()) * c
                }
            }
        }
    }

    /// The attainable interval `[g(−1), g(1)]`.
    pub(crate) fn bounds(&self) -> (f64, f64) {
        (self.corr(-1.0), self.corr(1.0))
    }

    /// Whether `g` is identically zero (a constant column).
    pub(crate) fn is_degenerate(&self) -> bool {
        match self {
            PairMap::Numeric(p) => p.scale == 0.0,
            PairMap::Kendall(k) => k.is_degenerate(),
            PairMap::Linear(s) => *s == 0.0,
            _ => false,
        }
    }
}

/// `√(1 − r²)` for `r = sin θ`, exact near ±1.
fn cos_of(r: f64) -> f64 {
    ((1.0 - r) * (1.0 + r)).max(0.0).sqrt()
}

/// Bivariate normal density at `(a, b)` with correlation `sin θ`, times `cos θ`.
fn phi2_cos(a: f64, b: f64, theta: f64) -> f64 {
    let (r, c) = (theta.sin(), theta.cos());
    if c <= 1e-300 {
        // Limit of the density times cos θ as the correlation reaches ±1.
        let same = if r > 0.0 { a == b } else { a == -b };
        return if same {
            (-0.5 * a * a).exp() / (2.0 * PI)
        } else {
            0.0
        };
    }
    let q = (a * a - 2.0 * r * a * b + b * b) / (2.0 * c * c);
    (-q).exp() / (2.0 * PI)
}

impl NumericPair {
    fn cov(&self, r: f64) -> f64 {
        match (&*self.a, &*self.b) {
            (LatentMap::Smooth(a), LatentMap::Smooth(b)) => self.cov_smooth(a, b, r),
            (LatentMap::Steps(a), LatentMap::Steps(b)) => cov_steps(a, b, r),
            (LatentMap::Smooth(a), LatentMap::Steps(b)) => self.cov_mixed(a, b, r.asin()),
            (LatentMap::Steps(_), LatentMap::Smooth(_)) => 0.0, // ordered away in `numeric`
            // `fit_copula` forms no pair with a fitted marginal.
            (LatentMap::Exact(_), _) | (_, LatentMap::Exact(_)) => 0.0,
        }
    }

    fn dcov(&self, r: f64) -> f64 {
        let c = cos_of(r);
        if c == 0.0 {
            return f64::INFINITY;
        }
        self.dcov_theta(r.asin()) / c
    }

    fn dcov_theta(&self, theta: f64) -> f64 {
        let (r, s) = (theta.sin(), theta.cos().max(0.0));
        match (&*self.a, &*self.b) {
            (LatentMap::Smooth(a), LatentMap::Smooth(b)) => {
                let q = &self.quad;
                let d: f64 = q
                    .product
                    .iter()
                    .map(|&(i, j, w)| {
                        let (z, u) = (q.normal[i as usize].0, q.normal[j as usize].0);
                        w * a.slope(z) * b.slope(r * z + s * u)
                    })
                    .sum();
                d * s
            }
            (LatentMap::Steps(a), LatentMap::Steps(b)) => a
                .jumps()
                .map(|(ta, da)| {
                    b.jumps()
                        .map(|(tb, db)| da * db * phi2_cos(ta, tb, theta))
                        .sum::<f64>()
                })
                .sum(),
            (LatentMap::Smooth(a), LatentMap::Steps(b)) => self.mixed_slope_theta(a, b, theta),
            (LatentMap::Steps(_), LatentMap::Smooth(_)) => 0.0,
            (LatentMap::Exact(_), _) | (_, LatentMap::Exact(_)) => 0.0,
        }
    }

    fn cov_smooth(&self, a: &SmoothMap, b: &SmoothMap, r: f64) -> f64 {
        let q = &self.quad;
        let s = cos_of(r);
        let (mut exy, mut ex, mut ey) = (0.0, 0.0, 0.0);
        for &(i, j, w) in &q.product {
            let (z, u) = (q.normal[i as usize].0, q.normal[j as usize].0);
            let x = a.value(z);
            let y = b.value(r * z + s * u);
            exy += w * x * y;
            ex += w * x;
            ey += w * y;
        }
        // Centring by the rule's own means makes g(0) = 0 exactly.
        exy - ex * ey
    }

    /// `g′(sin θ)·cos θ` times σ₁σ₂ for a smooth and a step map.
    fn mixed_slope_theta(&self, a: &SmoothMap, b: &StepMap, theta: f64) -> f64 {
        let (r, c) = (theta.sin(), theta.cos().max(0.0));
        b.jumps()
            .map(|(t, d)| {
                let inner = self.quad.expect(|w| a.slope(r * t + c * w));
                d * normal::pdf(t) * inner
            })
            .sum::<f64>()
            * c
    }

    fn cov_mixed(&self, a: &SmoothMap, b: &StepMap, theta_end: f64) -> f64 {
        let half = 0.5 * theta_end;
        self.quad
            .legendre
            .iter()
            .map(|&(x, w)| w * half * self.mixed_slope_theta(a, b, half * (1.0 + x)))
            .sum()
    }
}

fn cov_steps(a: &StepMap, b: &StepMap, r: f64) -> f64 {
    let rho = owens_t::BivNormRho::from(r);
    let bs: Vec<(owens_t::BivNormArg, f64, f64)> = b
        .jumps()
        .map(|(t, d)| (owens_t::BivNormArg::from(t), normal::cdf(-t), d))
        .collect();
    a.jumps()
        .map(|(ta, da)| {
            let arg = owens_t::BivNormArg::from(ta);
            let sa = normal::cdf(-ta);
            da * bs
                .iter()
                .map(|&(tb, sb, db)| db * (owens_t::biv_norm_inner(arg, tb, rho) - sa * sb))
                .sum::<f64>()
        })
        .sum()
}
