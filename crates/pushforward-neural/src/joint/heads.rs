//! Output heads that put a network's raw output `x` inside a marginal's
//! support, with their derivatives:
//!
//! | support | head `y(x)` | `y'(x)` |
//! |---|---|---|
//! | `ℝ` | `x` | `1` |
//! | `[a, ∞)` | `a + softplus(x)` | `σ(x)` |
//! | `(−∞, b]` | `b − softplus(−x)` | `σ(−x)` |
//! | `[a, b]` | `a + (b − a)·σ(x)` | `(b − a)·σ(x)(1 − σ(x))` |
//!
//! `softplus(x) = ln(1 + eˣ)` and `σ` is the logistic function. The seed used
//! `relu` for half-lines, which has no gradient below the bound, and its
//! upper-bounded head `clamp(relu(x), max = b)` maps into `[0, b]`, not
//! `(−∞, b]`; both heads here are smooth, increasing and onto their support.

use pushforward_stats::{Family, Marginal};

/// A support-shaped output head.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Head {
    /// The whole real line.
    Real,
    /// `[low, ∞)`.
    Lower(f64),
    /// `(−∞, high]`.
    Upper(f64),
    /// `[low, high]`.
    Interval(f64, f64),
}

impl Head {
    /// The head for `marginal`'s support: its quantiles at 0 and 1, except
    /// that counts without an upper bound (Poisson, negative binomial,
    /// geometric, whose step tables stop far in the tail) are unbounded above.
    ///
    /// ```
    /// use pushforward_neural::joint::Head;
    /// use pushforward_stats::{Family, Marginal};
    /// let gamma = Marginal::new(Family::Gamma { shape: 2.0, rate: 1.0 }).unwrap();
    /// assert_eq!(Head::for_marginal(&gamma), Head::Lower(0.0));
    /// ```
    pub fn for_marginal(marginal: &Marginal) -> Head {
        let unbounded_count = matches!(
            marginal.family(),
            Family::Poisson { .. } | Family::NegativeBinomial { .. } | Family::Geometric { .. }
        );
        let high = if unbounded_count {
            f64::INFINITY
        } else {
            marginal.quantile(1.0)
        };
        let low = marginal.quantile(0.0);
        match (low.is_finite(), high.is_finite()) {
            (true, true) if high > low => Head::Interval(low, high),
            (true, false) => Head::Lower(low),
            (false, true) => Head::Upper(high),
            _ => Head::Real,
        }
    }

    /// `y(x)` and `y'(x)`.
    pub fn apply(self, x: f64) -> (f64, f64) {
        match self {
            Head::Real => (x, 1.0),
            Head::Lower(a) => (a + softplus(x), sigmoid(x)),
            Head::Upper(b) => (b - softplus(-x), sigmoid(-x)),
            Head::Interval(a, b) => {
                let s = sigmoid(x);
                (a + (b - a) * s, (b - a) * s * (1.0 - s))
            }
        }
    }
}

/// `ln(1 + eˣ)` without overflow.
fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// `1 / (1 + e⁻ˣ)` without overflow.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marginal(family: Family) -> Marginal {
        Marginal::new(family).expect("valid parameters")
    }

    /// The seed's twelve marginals get the heads of their supports.
    #[test]
    fn heads_follow_the_support() {
        let cases = [
            (Family::Normal { mean: -3.0, std: 1.7 }, Head::Real),
            (
                Family::Uniform { low: 5.3, high: 16.0 },
                Head::Interval(5.3, 16.0),
            ),
            (Family::Bernoulli { p: 0.314 }, Head::Interval(0.0, 1.0)),
            (Family::Binomial { n: 10, p: 0.42 }, Head::Interval(0.0, 10.0)),
            (Family::Poisson { lambda: 3.0 }, Head::Lower(0.0)),
            (Family::Exponential { rate: 1.0 }, Head::Lower(0.0)),
            (
                Family::Beta {
                    alpha: 2.0,
                    beta: 5.0,
                },
                Head::Interval(0.0, 1.0),
            ),
            (
                Family::StudentT {
                    df: 10.0,
                    loc: 0.0,
                    scale: 1.0,
                },
                Head::Real,
            ),
            (
                Family::LogNormal {
                    mu: 0.0,
                    sigma: 0.954,
                },
                Head::Lower(0.0),
            ),
            (
                Family::Weibull {
                    shape: 1.5,
                    scale: 1.0,
                },
                Head::Lower(0.0),
            ),
        ];
        for (family, want) in cases {
            assert_eq!(Head::for_marginal(&marginal(family.clone())), want, "{family:?}");
        }
    }

    /// No input, however extreme, leaves the support; derivatives match
    /// central differences.
    #[test]
    fn outputs_stay_in_the_support_and_derivatives_are_right() {
        let heads = [
            Head::Real,
            Head::Lower(-1.0),
            Head::Upper(2.0),
            Head::Interval(0.5, 3.0),
        ];
        let inputs = [-1e300, -800.0, -30.0, -1.0, 0.0, 0.7, 30.0, 800.0, 1e300];
        for head in heads {
            for &x in &inputs {
                let (y, dy) = head.apply(x);
                let inside = match head {
                    Head::Real => y.is_finite(),
                    Head::Lower(a) => y >= a,
                    Head::Upper(b) => y <= b,
                    Head::Interval(a, b) => (a..=b).contains(&y),
                };
                assert!(
                    inside && dy.is_finite() && dy >= 0.0,
                    "{head:?} at {x}: {y}, {dy}"
                );
            }
            for x in [-3.0, -0.5, 0.0, 0.4, 2.5] {
                let h = 1e-6;
                let fd = (head.apply(x + h).0 - head.apply(x - h).0) / (2.0 * h);
                assert!((fd - head.apply(x).1).abs() < 1e-6, "{head:?} at {x}");
            }
        }
        // The mirrored head reaches far below its bound (the seed's stopped at 0).
        assert!(Head::Upper(2.0).apply(-50.0).0 < -45.0);
    }
}
