//! Kendall's tau-b of a Gaussian-copula pair with a discrete column.
//!
//! With two independent draws `(X₁, Y₁)`, `(X₂, Y₂)` of the pair,
//! `τ_a = E[sgn(X₁ − X₂) sgn(Y₁ − Y₂)]`. Conditioning on the first draw, whose
//! latent point lies in the cell `(lo_x, hi_x] × (lo_y, hi_y]` of its steps
//! (a continuous column's cell is the single point `z`), the inner expectation
//! is a sum of bivariate normal orthant probabilities `B` at latent correlation
//! `r`:
//!
//! ```text
//! s = B(Z<lo_x, W<lo_y) + B(Z>hi_x, W>hi_y) − B(Z<lo_x, W>hi_y) − B(Z>hi_x, W<lo_y)
//! τ_a = E[s]            (a finite sum over cells for two discrete columns,
//!                        Gauss–Hermite over z for a continuous one)
//! τ_b = τ_a / √((1 − Σ pᵢ²)(1 − Σ qⱼ²))   (ties of each column removed)
//! ```
//! Orthant probabilities come from `owens-t`. `τ_b` is what `scipy.stats.kendalltau`
//! and pandas compute from data with ties.

use crate::latent::{LatentMap, StepMap};
use crate::normal;
use crate::quadrature::Quadrature;
use std::sync::Arc;

/// A column seen through its steps, or continuous.
#[derive(Debug, Clone)]
enum Side {
    Continuous,
    /// `(lo, hi, mass)` of each step.
    Steps(Vec<(f64, f64, f64)>),
}

impl Side {
    fn of(map: &LatentMap) -> Self {
        match map {
            // A fitted marginal joins no pair (see `fit_copula`).
            LatentMap::Smooth(_) | LatentMap::Exact(_) => Side::Continuous,
            LatentMap::Steps(s) => Side::Steps(cells(s)),
        }
    }

    /// `1 − Σ p²`: the share of pairs of draws not tied in this column.
    fn untied(&self) -> f64 {
        match self {
            Side::Continuous => 1.0,
            Side::Steps(c) => 1.0 - c.iter().map(|&(_, _, p)| p * p).sum::<f64>(),
        }
    }
}

fn cells(s: &StepMap) -> Vec<(f64, f64, f64)> {
    s.cells().filter(|&(_, _, p)| p > 0.0).collect()
}

/// `P(Z < x, W < y)` for standard normals of correlation `r`.
fn lower(x: f64, y: f64, r: f64) -> f64 {
    if x == f64::NEG_INFINITY || y == f64::NEG_INFINITY {
        0.0
    } else if x == f64::INFINITY {
        normal::cdf(y)
    } else if y == f64::INFINITY {
        normal::cdf(x)
    } else {
        owens_t::biv_norm(-x, -y, r).clamp(0.0, 1.0)
    }
}

/// The conditional sign expectation `s` for a first draw in the cell.
fn sign_given(x: (f64, f64), y: (f64, f64), r: f64) -> f64 {
    let (lo_x, hi_x) = x;
    let (lo_y, hi_y) = y;
    let ll = lower(lo_x, lo_y, r);
    let uu = lower(-hi_x, -hi_y, r);
    let lu = normal::cdf(lo_x) - lower(lo_x, hi_y, r);
    let ul = normal::cdf(lo_y) - lower(hi_x, lo_y, r);
    ll + uu - lu - ul
}

/// Kendall's tau-b of a pair, at least one of whose columns is discrete.
#[derive(Debug, Clone)]
pub(crate) struct KendallPair {
    a: Side,
    b: Side,
    norm: f64,
    quad: Arc<Quadrature>,
}

impl KendallPair {
    pub(crate) fn new(a: &LatentMap, b: &LatentMap, quad: Arc<Quadrature>) -> Self {
        let (a, b) = (Side::of(a), Side::of(b));
        // Keep a continuous side first.
        let (a, b) = match (&a, &b) {
            (Side::Steps(_), Side::Continuous) => (b, a),
            _ => (a, b),
        };
        let d = (a.untied() * b.untied()).sqrt();
        KendallPair {
            norm: if d > 0.0 { 1.0 / d } else { 0.0 },
            a,
            b,
            quad,
        }
    }

    /// Whether one column is constant.
    pub(crate) fn is_degenerate(&self) -> bool {
        self.norm == 0.0
    }

    /// `τ_b` at latent correlation `r`.
    pub(crate) fn tau(&self, r: f64) -> f64 {
        let r = r.clamp(-1.0, 1.0);
        let tau_a = match (&self.a, &self.b) {
            (Side::Steps(xs), Side::Steps(ys)) => xs
                .iter()
                .map(|&(lx, hx, _)| {
                    ys.iter()
                        .map(|&(ly, hy, _)| {
                            let mass =
                                lower(hx, hy, r) - lower(lx, hy, r) - lower(hx, ly, r) + lower(lx, ly, r);
                            mass.max(0.0) * sign_given((lx, hx), (ly, hy), r)
                        })
                        .sum::<f64>()
                })
                .sum(),
            (Side::Continuous, Side::Steps(ys)) => {
                let s = ((1.0 - r) * (1.0 + r)).max(0.0).sqrt();
                self.quad.expect(|z| {
                    ys.iter()
                        .map(|&(ly, hy, _)| {
                            // P(W in (ly, hy] | Z = z) with W | z ~ N(rz, s²).
                            let p = if s > 0.0 {
                                normal::cdf((hy - r * z) / s) - normal::cdf((ly - r * z) / s)
                            } else if ly < r * z && r * z <= hy {
                                1.0
                            } else {
                                0.0
                            };
                            p.max(0.0) * sign_given((z, z), (ly, hy), r)
                        })
                        .sum::<f64>()
                })
            }
            // Ordered away in `new`; two continuous columns use the closed form.
            _ => 2.0 / std::f64::consts::PI * r.asin(),
        };
        self.norm * tau_a
    }
}
