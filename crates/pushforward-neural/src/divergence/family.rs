//! The divergences a discriminator estimates, and their variational
//! objectives on a sample `a_i = φ(y_i)` (`i ≤ M`, from `P`) and
//! `b_j = φ(x_j)` (`j ≤ N`, from `Q`) (Birrell, Dupuis, Katsoulakis,
//! Pantazis and Rey-Bellet 2022, "(f, Γ)-divergences: interpolating between
//! f-divergences and integral probability metrics"; Donsker and Varadhan
//! 1983; Nguyen, Wainwright and Jordan 2010 for the Legendre form).
//!
//! ```text
//! KL (Donsker–Varadhan)  H = mean a − log mean e^b                   (log-mean-exp about max b)
//! Legendre form          H = mean a − inf_ν { ν + mean f*(b − ν) }
//!   α > 1:      f(x) = (x^α − 1)/(α(α − 1)),  f*(g) = (1/α)·[1/(α − 1) + ((α − 1)·g₊)^(α/(α−1))]
//!   reverse KL: f(x) = −log x,                f*(g) = −1 − log(−g)         (g < 0)
//!   JS:         f(x) = x log x − (x + 1) log((x + 1)/2),  f*(g) = −log(2 − eᵍ)   (g < log 2)
//! W1             H = mean a − mean b          (φ must be Lipschitz)
//! ∂H/∂a_i = 1/M,  ∂H/∂b_j = −w_j,  w_j = f*'(b_j − ν*)/N  (Σ w_j = 1 at the optimal ν*;
//!   for KL w = softmax(b)/…, for W1 w_j = 1/N): the envelope theorem lets ν* be held fixed.
//! ```
//! `ν*` solves `mean f*'(b − ν) = 1`, monotone in `ν`, by bracketing and
//! bisection in `f64`: the offset is optimised exactly on every batch
//! instead of being a trained parameter. The reverse-KL and JS conjugates
//! are continued past `g₀ = −ε` and `g₀ = log(2 − ε)` (`ε = 0.01`) by their
//! tangent line, which keeps them convex, finite and `≥ g`; so a
//! discriminator outside their domain still gets a gradient back into it.
//! Every `f` here has `f(1) = 0`, hence `f*(g) ≥ g` and `H ≤ mean a − mean b`:
//! an `L`-Lipschitz `φ` gives at most `L·W1(P, Q)`.

use serde::{Deserialize, Serialize};

use crate::error::NeuralError;

/// Where the reverse-KL and JS conjugates leave their domain for a line.
const DOMAIN_MARGIN: f64 = 0.01;
/// Bisection steps for `ν*` (`f64` precision on any bracket).
const BISECTION_STEPS: usize = 200;

/// Which divergence `D(P‖Q)` a discriminator estimates.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "f", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Family {
    /// Kullback–Leibler, by the Donsker–Varadhan bound.
    #[default]
    Kl,
    /// The α-divergence (`α > 1`) in Legendre form.
    Alpha {
        /// The order `α > 1`.
        alpha: f64,
    },
    /// `KL(Q‖P)` in Legendre form.
    ReverseKl,
    /// Jensen–Shannon (twice the usual normalisation) in Legendre form.
    Js,
    /// The Wasserstein-1 distance (an integral probability metric).
    W1,
}

/// The value of a variational objective and its output weights.
#[derive(Debug, Clone, PartialEq)]
pub struct Objective {
    /// `H(φ)`.
    pub value: f64,
    /// The optimal offset `ν*` (0 for W1, `log mean e^b` for KL).
    pub nu: f64,
    /// `w_j = −∂H/∂b_j`, summing to 1.
    pub weights: Vec<f64>,
}

impl Family {
    /// The order `α` when none is given.
    pub const DEFAULT_ALPHA: f64 = 2.0;

    /// The names accepted by `--f`.
    pub const NAMES: [&'static str; 5] = ["kl", "alpha", "reverse-kl", "js", "w1"];

    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Family::Kl => "kl",
            Family::Alpha { .. } => "alpha",
            Family::ReverseKl => "reverse-kl",
            Family::Js => "js",
            Family::W1 => "w1",
        }
    }

    /// The family called `name`, with `alpha` for the α-divergence.
    ///
    /// # Errors
    /// [`NeuralError::UnknownName`] for another name.
    pub fn from_name(name: &str, alpha: f64) -> Result<Family, NeuralError> {
        Ok(match name {
            "kl" => Family::Kl,
            "alpha" => Family::Alpha { alpha },
            "reverse-kl" => Family::ReverseKl,
            "js" => Family::Js,
            "w1" => Family::W1,
            _ => {
                return Err(NeuralError::UnknownName {
                    what: "divergence",
                    name: name.to_owned(),
                    known: Family::NAMES.join(", "),
                });
            }
        })
    }

    /// Checks `α > 1` (finite).
    ///
    /// # Errors
    /// [`NeuralError::OutOfRange`] otherwise.
    pub fn check(self) -> Result<(), NeuralError> {
        match self {
            Family::Alpha { alpha } if !(alpha > 1.0 && alpha.is_finite()) => Err(NeuralError::OutOfRange {
                setting: "--alpha",
                range: "(1, ∞)",
                value: alpha,
            }),
            _ => Ok(()),
        }
    }

    /// `H` and its weights for the outputs `a` on `P` and `b` on `Q`
    /// (both non-empty).
    pub fn objective(self, a: &[f32], b: &[f32]) -> Objective {
        let mean_a = a.iter().map(|&x| f64::from(x)).sum::<f64>() / a.len() as f64;
        let n = b.len() as f64;
        match self {
            Family::W1 => Objective {
                value: mean_a - b.iter().map(|&x| f64::from(x)).sum::<f64>() / n,
                nu: 0.0,
                weights: vec![1.0 / n; b.len()],
            },
            Family::Kl => {
                let top = b.iter().fold(f64::NEG_INFINITY, |m, &x| m.max(f64::from(x)));
                let exps: Vec<f64> = b.iter().map(|&x| (f64::from(x) - top).exp()).collect();
                let sum: f64 = exps.iter().sum();
                let lme = top + (sum / n).ln();
                Objective {
                    value: mean_a - lme,
                    nu: lme,
                    weights: exps.iter().map(|e| e / sum).collect(),
                }
            }
            _ => {
                let b: Vec<f64> = b.iter().map(|&x| f64::from(x)).collect();
                let nu = self.optimal_offset(&b);
                let penalty = b.iter().map(|&x| self.conjugate(x - nu)).sum::<f64>() / n;
                Objective {
                    value: mean_a - nu - penalty,
                    nu,
                    weights: b.iter().map(|&x| self.conjugate_slope(x - nu) / n).collect(),
                }
            }
        }
    }

    /// `ν*` with `mean f*'(b − ν*) = 1`.
    fn optimal_offset(self, b: &[f64]) -> f64 {
        let excess =
            |nu: f64| b.iter().map(|&x| self.conjugate_slope(x - nu)).sum::<f64>() / b.len() as f64 - 1.0;
        let (lo0, hi0) = b.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
            (l.min(x), h.max(x))
        });
        let (mut lo, mut hi, mut width) = (lo0 - 1.0, hi0 + 1.0, 1.0);
        while excess(lo) < 0.0 && width < 1e300 {
            width *= 2.0;
            lo -= width;
        }
        width = 1.0;
        while excess(hi) > 0.0 && width < 1e300 {
            width *= 2.0;
            hi += width;
        }
        for _ in 0..BISECTION_STEPS {
            let mid = 0.5 * (lo + hi);
            if mid <= lo || mid >= hi {
                break;
            }
            if excess(mid) > 0.0 { lo = mid } else { hi = mid }
        }
        0.5 * (lo + hi)
    }

    /// `f*(g)` (Legendre-form families only).
    pub(crate) fn conjugate(self, g: f64) -> f64 {
        match self {
            Family::Alpha { alpha } => {
                (1.0 / (alpha - 1.0) + ((alpha - 1.0) * g.max(0.0)).powf(alpha / (alpha - 1.0))) / alpha
            }
            Family::ReverseKl => {
                let g0 = -DOMAIN_MARGIN;
                if g < g0 {
                    -1.0 - (-g).ln()
                } else {
                    -1.0 - DOMAIN_MARGIN.ln() + (g - g0) / DOMAIN_MARGIN
                }
            }
            Family::Js => {
                let g0 = (2.0 - DOMAIN_MARGIN).ln();
                if g < g0 {
                    -(2.0 - g.exp()).ln()
                } else {
                    -DOMAIN_MARGIN.ln() + (g - g0) * (2.0 - DOMAIN_MARGIN) / DOMAIN_MARGIN
                }
            }
            Family::Kl => g.exp() - 1.0,
            Family::W1 => g,
        }
    }

    /// `f*'(g)`, non-decreasing.
    pub(crate) fn conjugate_slope(self, g: f64) -> f64 {
        match self {
            Family::Alpha { alpha } => ((alpha - 1.0) * g.max(0.0)).powf(1.0 / (alpha - 1.0)),
            Family::ReverseKl => 1.0 / (-g).max(DOMAIN_MARGIN),
            Family::Js => {
                let e = g.min((2.0 - DOMAIN_MARGIN).ln()).exp();
                e / (2.0 - e)
            }
            Family::Kl => g.exp(),
            Family::W1 => 1.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGENDRE: [Family; 4] = [
        Family::Alpha { alpha: 2.0 },
        Family::Alpha { alpha: 10.0 },
        Family::ReverseKl,
        Family::Js,
    ];

    #[test]
    fn conjugate_slopes_match_finite_differences_and_bound_the_identity() {
        for family in LEGENDRE.into_iter().chain([Family::Kl]) {
            for g in [-3.0, -0.5, -0.02, 0.1, 0.4, 0.9, 2.0] {
                let h = 1e-6;
                let fd = (family.conjugate(g + h) - family.conjugate(g - h)) / (2.0 * h);
                let slope = family.conjugate_slope(g);
                assert!(
                    (fd - slope).abs() <= 1e-4 * (1.0 + slope.abs()),
                    "{family:?} at {g}: {fd} vs {slope}"
                );
                assert!(family.conjugate(g) >= g - 1e-12, "{family:?}: f*({g}) < {g}");
            }
        }
    }

    #[test]
    fn the_offset_is_the_minimiser_and_the_weights_sum_to_one() {
        let b: Vec<f32> = (0..50).map(|i| ((i as f32) * 0.37).sin() * 1.5 - 0.3).collect();
        let a = [0.5f32, 1.0];
        for family in LEGENDRE {
            let obj = family.objective(&a, &b);
            let at = |nu: f64| {
                nu + b
                    .iter()
                    .map(|&x| family.conjugate(f64::from(x) - nu))
                    .sum::<f64>()
                    / 50.0
            };
            for step in [1e-3, -1e-3] {
                assert!(
                    at(obj.nu + step) >= at(obj.nu) - 1e-12,
                    "{family:?}: ν* is not the minimum"
                );
            }
            assert!((obj.weights.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{family:?}");
            assert!((obj.value - (0.75 - at(obj.nu))).abs() < 1e-12);
        }
    }

    #[test]
    fn kl_in_legendre_form_equals_donsker_varadhan() {
        // inf_ν ν + mean(e^{b−ν} − 1) is attained at ν = log mean e^b.
        let b = [0.3f32, -1.2, 2.5, 0.0];
        let dv = Family::Kl.objective(&[1.0], &b);
        let legendre = 1.0
            - dv.nu
            - b.iter()
                .map(|&x| Family::Kl.conjugate(f64::from(x) - dv.nu))
                .sum::<f64>()
                / 4.0;
        assert!((dv.value - legendre).abs() < 1e-12);
        let lme = (b.iter().map(|&x| f64::from(x).exp()).sum::<f64>() / 4.0).ln();
        assert!((dv.nu - lme).abs() < 1e-12);
    }

    #[test]
    fn bad_alpha_and_names_are_refused() {
        assert!(Family::Alpha { alpha: 1.0 }.check().is_err());
        assert!(Family::Alpha { alpha: f64::NAN }.check().is_err());
        assert!(Family::from_name("hellinger", 2.0).is_err());
        assert_eq!(
            Family::from_name("alpha", 3.0).ok(),
            Some(Family::Alpha { alpha: 3.0 })
        );
    }
}
