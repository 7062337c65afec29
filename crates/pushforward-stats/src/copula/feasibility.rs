//! Attainable correlation intervals and the report of targets outside them.
//!
//! Under any joint law with fixed marginals, a pair's correlation lies between
//! its value under the countermonotone coupling `(F₁⁻¹(U), F₂⁻¹(1−U))` and the
//! comonotone one `(F₁⁻¹(U), F₂⁻¹(U))` (Fréchet–Hoeffding bounds). The
//! Gaussian copula reaches both at latent correlation −1 and +1, so the
//! interval is `[g(−1), g(1)]` of the pair's map, computed by the same
//! quadrature (no sampling, so it does not vary from run to run).

use std::fmt;

/// A pair's attainable interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairBound {
    /// Smallest attainable correlation.
    pub low: f64,
    /// Largest attainable correlation.
    pub high: f64,
}

impl PairBound {
    /// Distance from `value` to the interval (0 inside it).
    pub fn distance(&self, value: f64) -> f64 {
        (self.low - value).max(value - self.high).max(0.0)
    }
}

/// A target outside its attainable interval.
#[derive(Debug, Clone, PartialEq)]
pub struct InfeasiblePair {
    /// First column.
    pub a: String,
    /// Second column.
    pub b: String,
    /// The requested correlation.
    pub target: f64,
    /// What the marginals allow.
    pub bound: PairBound,
}

impl fmt::Display for InfeasiblePair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ~ {}: target {:.4} is outside the attainable interval [{:.4}, {:.4}]",
            self.a,
            self.b,
            self.target,
            self.bound.low + 0.0,
            self.bound.high + 0.0
        )
    }
}
