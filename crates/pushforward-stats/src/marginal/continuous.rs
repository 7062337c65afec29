//! Continuous marginals: CDF, survival function, density and the latent
//! quantile `x(z) = F⁻¹(Φ(z))`.
//!
//! Families with a closed-form quantile (normal, lognormal, uniform,
//! exponential, Weibull, Laplace, logistic, truncated normal) evaluate it
//! directly in `z`, choosing the tail formula that keeps relative precision
//! (`Φ(−z)` instead of `1 − Φ(z)`). The others (gamma, beta, Student's t,
//! χ²) solve `ln F(x) = ln Φ(z)` for `z ≤ 0` and `ln S(x) = ln Φ(−z)` for
//! `z > 0` by a safeguarded Newton iteration: Newton steps on the log
//! probability, bisection (geometric across orders of magnitude) whenever a
//! step leaves the current bracket, stopped when the tail probability is met
//! to a relative 1e-13 or the bracket holds no float between its ends. statrs provides the CDFs, survival functions
//! and densities; its own `inverse_cdf` works on `p`, which cannot resolve the
//! upper tail, hence the solver here.
//!
//! Beyond the parameters where statrs computes accurately, two families
//! switch to a closed form that equals them to double precision:
//!
//! ```text
//! Student's t, ν ≥ 1e18:   t_ν(z) = z + (z³ + z)/(4ν) + O(ν⁻²)          (Cornish–Fisher)
//!                          relative gap (z² + 1)/(4ν) ≤ 4e-17 for |z| ≤ 12.5  →  normal(loc, scale)
//! χ²(k), k ≥ 1e12:         x(z) = k (1 − a + z √a)³,  a = 2/(9k)       (Wilson–Hilferty)
//!                          gap to the Cornish–Fisher quantile √2 |z³/6 − z/2| / (9√k) + O(1/k)
//!                          ≤ 51/√k, below half an ulp of x ≈ k for |z| ≤ 12.5
//! ```
//!
//! (Gamma(α, rate) is χ²(2α) / (2 rate) and uses the same form.) References:
//! R. A. Fisher and E. A. Cornish, "The percentile points of distributions
//! having known cumulants", Technometrics, 1960; E. B. Wilson and
//! M. M. Hilferty, "The distribution of chi-square", PNAS, 1931.

use crate::normal;
use statrs::distribution::{Continuous, ContinuousCDF};
use statrs::statistics::Distribution;
use std::fmt::Debug;

/// A continuous law on the real line.
pub(crate) trait ContinuousLaw: Send + Sync + Debug {
    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> f64;
    /// P(X > x), accurate where it is small.
    fn sf(&self, x: f64) -> f64;
    /// Density.
    fn pdf(&self, x: f64) -> f64;
    /// Closure of the support.
    fn support(&self) -> (f64, f64);
    /// Mean (may be NaN or infinite).
    fn mean(&self) -> f64;
    /// Variance (may be NaN or infinite).
    fn variance(&self) -> f64;
    /// The latent quantile `F⁻¹(Φ(z))`.
    fn quantile_z(&self, z: f64) -> f64 {
        self.quantile_z_from(z, None)
    }
    /// The latent quantile, starting a numeric solve from `guess`.
    fn quantile_z_from(&self, z: f64, guess: Option<f64>) -> f64 {
        solve_quantile_z(self, z, guess)
    }
}

/// A statrs distribution whose quantile needs the numeric solver.
#[derive(Debug)]
pub(crate) struct Numeric<D>(pub(crate) D);

impl<D> ContinuousLaw for Numeric<D>
where
    D: ContinuousCDF<f64, f64> + Continuous<f64, f64> + Distribution<f64> + Send + Sync + Debug,
{
    // statrs unwraps a range check on `x` inside some CDFs (the beta's):
    // a NaN value (a diverged model's output) gets NaN back instead.
    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() { x } else { self.0.cdf(x) }
    }
    fn sf(&self, x: f64) -> f64 {
        if x.is_nan() { x } else { self.0.sf(x) }
    }
    fn pdf(&self, x: f64) -> f64 {
        // statrs' `pdf` overflows to ∞ for large gamma shapes; its log does not.
        if x.is_nan() { x } else { self.0.ln_pdf(x).exp() }
    }
    fn support(&self) -> (f64, f64) {
        (self.0.min(), self.0.max())
    }
    fn mean(&self) -> f64 {
        self.0.mean().unwrap_or(f64::NAN)
    }
    fn variance(&self) -> f64 {
        self.0.variance().unwrap_or(f64::NAN)
    }
}

/// The closed-form families, parametrised as in the spec.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ClosedForm {
    Normal {
        mean: f64,
        std: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Uniform {
        low: f64,
        high: f64,
    },
    Exponential {
        rate: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Laplace {
        loc: f64,
        scale: f64,
    },
    Logistic {
        loc: f64,
        scale: f64,
    },
    TruncatedNormal {
        mean: f64,
        std: f64,
        low: f64,
        high: f64,
    },
    /// `scale · χ²(k)` in the Wilson–Hilferty form, for very large `k`.
    WilsonHilferty {
        k: f64,
        scale: f64,
    },
}

/// `(ln P(X ≤ x), ln P(X > x))` for the latent normal at `z`, each accurate.
fn ln_tails(z: f64) -> (f64, f64) {
    if z <= 0.0 {
        let p = normal::cdf(z);
        (p.ln(), (-p).ln_1p())
    } else {
        let q = normal::cdf(-z);
        ((-q).ln_1p(), q.ln())
    }
}

impl ClosedForm {
    /// Standardised truncation bounds and their normal tail masses.
    fn trunc(mean: f64, std: f64, low: f64, high: f64) -> (f64, f64) {
        ((low - mean) / std, (high - mean) / std)
    }

    /// The latent `z` of `x > 0` under Wilson–Hilferty, and `dz/dx`.
    fn wilson_hilferty_z(k: f64, scale: f64, x: f64) -> (f64, f64) {
        let a = 2.0 / (9.0 * k);
        let u = x / (scale * k);
        let c = u.cbrt();
        (
            (c - 1.0 + a) / a.sqrt(),
            1.0 / (3.0 * a.sqrt() * scale * k * c * c),
        )
    }
}

impl ContinuousLaw for ClosedForm {
    fn cdf(&self, x: f64) -> f64 {
        match *self {
            ClosedForm::Normal { mean, std } => normal::cdf((x - mean) / std),
            ClosedForm::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal::cdf((x.ln() - mu) / sigma)
                }
            }
            ClosedForm::Uniform { low, high } => ((x - low) / (high - low)).clamp(0.0, 1.0),
            ClosedForm::Exponential { rate } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -(-rate * x).exp_m1()
                }
            }
            ClosedForm::Weibull { shape, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    -(-(x / scale).powf(shape)).exp_m1()
                }
            }
            ClosedForm::Laplace { loc, scale } => {
                let t = (x - loc) / scale;
                if t <= 0.0 {
                    0.5 * t.exp()
                } else {
                    1.0 - 0.5 * (-t).exp()
                }
            }
            ClosedForm::Logistic { loc, scale } => 1.0 / (1.0 + (-(x - loc) / scale).exp()),
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                if x <= low {
                    return 0.0;
                }
                if x >= high {
                    return 1.0;
                }
                let (a, b) = Self::trunc(mean, std, low, high);
                let t = (x - mean) / std;
                if a > 0.0 {
                    // Upper-tail window: work with survival masses.
                    let (sa, sb, st) = (normal::cdf(-a), normal::cdf(-b), normal::cdf(-t));
                    (sa - st) / (sa - sb)
                } else {
                    let (pa, pb, pt) = (normal::cdf(a), normal::cdf(b), normal::cdf(t));
                    (pt - pa) / (pb - pa)
                }
            }
            ClosedForm::WilsonHilferty { k, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal::cdf(Self::wilson_hilferty_z(k, scale, x).0)
                }
            }
        }
    }

    fn sf(&self, x: f64) -> f64 {
        match *self {
            ClosedForm::Normal { mean, std } => normal::cdf(-(x - mean) / std),
            ClosedForm::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    1.0
                } else {
                    normal::cdf(-(x.ln() - mu) / sigma)
                }
            }
            ClosedForm::Uniform { low, high } => ((high - x) / (high - low)).clamp(0.0, 1.0),
            ClosedForm::Exponential { rate } => (-rate * x.max(0.0)).exp(),
            ClosedForm::Weibull { shape, scale } => (-(x.max(0.0) / scale).powf(shape)).exp(),
            ClosedForm::Laplace { loc, scale } => {
                let t = (x - loc) / scale;
                if t >= 0.0 {
                    0.5 * (-t).exp()
                } else {
                    1.0 - 0.5 * t.exp()
                }
            }
            ClosedForm::Logistic { loc, scale } => 1.0 / (1.0 + ((x - loc) / scale).exp()),
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                if x <= low {
                    return 1.0;
                }
                if x >= high {
                    return 0.0;
                }
                let (a, b) = Self::trunc(mean, std, low, high);
                let t = (x - mean) / std;
                if a > 0.0 {
                    let (sa, sb, st) = (normal::cdf(-a), normal::cdf(-b), normal::cdf(-t));
                    (st - sb) / (sa - sb)
                } else {
                    let (pa, pb, pt) = (normal::cdf(a), normal::cdf(b), normal::cdf(t));
                    (pb - pt) / (pb - pa)
                }
            }
            ClosedForm::WilsonHilferty { k, scale } => {
                if x <= 0.0 {
                    1.0
                } else {
                    normal::cdf(-Self::wilson_hilferty_z(k, scale, x).0)
                }
            }
        }
    }

    fn pdf(&self, x: f64) -> f64 {
        match *self {
            ClosedForm::Normal { mean, std } => normal::pdf((x - mean) / std) / std,
            ClosedForm::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    normal::pdf((x.ln() - mu) / sigma) / (sigma * x)
                }
            }
            ClosedForm::Uniform { low, high } => {
                if (low..=high).contains(&x) {
                    1.0 / (high - low)
                } else {
                    0.0
                }
            }
            ClosedForm::Exponential { rate } => {
                if x < 0.0 {
                    0.0
                } else {
                    rate * (-rate * x).exp()
                }
            }
            ClosedForm::Weibull { shape, scale } => {
                if x < 0.0 {
                    0.0
                } else {
                    let t = x / scale;
                    shape / scale * t.powf(shape - 1.0) * (-t.powf(shape)).exp()
                }
            }
            ClosedForm::Laplace { loc, scale } => (-(x - loc).abs() / scale).exp() / (2.0 * scale),
            ClosedForm::Logistic { loc, scale } => {
                let e = (-(x - loc).abs() / scale).exp();
                e / (scale * (1.0 + e) * (1.0 + e))
            }
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                if x < low || x > high {
                    return 0.0;
                }
                let (a, b) = Self::trunc(mean, std, low, high);
                let mass = if a > 0.0 {
                    normal::cdf(-a) - normal::cdf(-b)
                } else {
                    normal::cdf(b) - normal::cdf(a)
                };
                normal::pdf((x - mean) / std) / (std * mass)
            }
            ClosedForm::WilsonHilferty { k, scale } => {
                if x <= 0.0 {
                    0.0
                } else {
                    let (z, dz) = Self::wilson_hilferty_z(k, scale, x);
                    normal::pdf(z) * dz
                }
            }
        }
    }

    fn support(&self) -> (f64, f64) {
        match *self {
            ClosedForm::Normal { .. } | ClosedForm::Laplace { .. } | ClosedForm::Logistic { .. } => {
                (f64::NEG_INFINITY, f64::INFINITY)
            }
            ClosedForm::LogNormal { .. }
            | ClosedForm::Exponential { .. }
            | ClosedForm::Weibull { .. }
            | ClosedForm::WilsonHilferty { .. } => (0.0, f64::INFINITY),
            ClosedForm::Uniform { low, high } | ClosedForm::TruncatedNormal { low, high, .. } => (low, high),
        }
    }

    fn mean(&self) -> f64 {
        match *self {
            ClosedForm::Normal { mean, .. } => mean,
            ClosedForm::LogNormal { mu, sigma } => (mu + 0.5 * sigma * sigma).exp(),
            ClosedForm::Uniform { low, high } => 0.5 * (low + high),
            ClosedForm::Exponential { rate } => 1.0 / rate,
            ClosedForm::Weibull { shape, scale } => scale * statrs::function::gamma::gamma(1.0 + 1.0 / shape),
            ClosedForm::Laplace { loc, .. } | ClosedForm::Logistic { loc, .. } => loc,
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                let (a, b) = Self::trunc(mean, std, low, high);
                let (mass, _) = truncated_moments(a, b);
                mean + std * mass
            }
            ClosedForm::WilsonHilferty { k, scale } => scale * k,
        }
    }

    fn variance(&self) -> f64 {
        match *self {
            ClosedForm::Normal { std, .. } => std * std,
            ClosedForm::LogNormal { mu, sigma } => {
                let s2 = sigma * sigma;
                s2.exp_m1() * (2.0 * mu + s2).exp()
            }
            ClosedForm::Uniform { low, high } => (high - low).powi(2) / 12.0,
            ClosedForm::Exponential { rate } => 1.0 / (rate * rate),
            ClosedForm::Weibull { shape, scale } => {
                let g1 = statrs::function::gamma::gamma(1.0 + 1.0 / shape);
                let g2 = statrs::function::gamma::gamma(1.0 + 2.0 / shape);
                scale * scale * (g2 - g1 * g1)
            }
            ClosedForm::Laplace { scale, .. } => 2.0 * scale * scale,
            ClosedForm::Logistic { scale, .. } => (std::f64::consts::PI * scale).powi(2) / 3.0,
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                let (a, b) = Self::trunc(mean, std, low, high);
                let (_, var) = truncated_moments(a, b);
                std * std * var
            }
            ClosedForm::WilsonHilferty { k, scale } => scale * scale * 2.0 * k,
        }
    }

    fn quantile_z_from(&self, z: f64, _guess: Option<f64>) -> f64 {
        match *self {
            ClosedForm::Normal { mean, std } => mean + std * z,
            ClosedForm::LogNormal { mu, sigma } => (mu + sigma * z).exp(),
            ClosedForm::Uniform { low, high } => {
                if z <= 0.0 {
                    low + (high - low) * normal::cdf(z)
                } else {
                    high - (high - low) * normal::cdf(-z)
                }
            }
            ClosedForm::Exponential { rate } => -ln_tails(z).1 / rate,
            ClosedForm::Weibull { shape, scale } => scale * (-ln_tails(z).1).powf(1.0 / shape),
            ClosedForm::Laplace { loc, scale } => {
                if z <= 0.0 {
                    loc + scale * (2.0 * normal::cdf(z)).ln()
                } else {
                    loc - scale * (2.0 * normal::cdf(-z)).ln()
                }
            }
            ClosedForm::Logistic { loc, scale } => {
                let (lp, lq) = ln_tails(z);
                loc + scale * (lp - lq)
            }
            ClosedForm::TruncatedNormal { mean, std, low, high } => {
                let (a, b) = Self::trunc(mean, std, low, high);
                let x = if a > 0.0 {
                    // Mirror so the window lies in the lower tail.
                    let (pa, pb) = (normal::cdf(-b), normal::cdf(-a));
                    -normal::quantile(pa + normal::cdf(-z) * (pb - pa))
                } else {
                    let (pa, pb) = (normal::cdf(a), normal::cdf(b));
                    normal::quantile(pa + normal::cdf(z) * (pb - pa))
                };
                (mean + std * x).max(low).min(high)
            }
            ClosedForm::WilsonHilferty { k, scale } => {
                let a = 2.0 / (9.0 * k);
                scale * k * (1.0 - a + z * a.sqrt()).max(0.0).powi(3)
            }
        }
    }
}

/// Mean and variance of the standard normal truncated to `[a, b]`.
fn truncated_moments(a: f64, b: f64) -> (f64, f64) {
    let mass = if a > 0.0 {
        normal::cdf(-a) - normal::cdf(-b)
    } else {
        normal::cdf(b) - normal::cdf(a)
    };
    let (pa, pb) = (normal::pdf(a), normal::pdf(b));
    let m = (pa - pb) / mass;
    let apa = if a.is_finite() { a * pa } else { 0.0 };
    let bpb = if b.is_finite() { b * pb } else { 0.0 };
    let v = 1.0 + (apa - bpb) / mass - m * m;
    (m, v)
}

/// Solves `F(x) = Φ(z)` on the log-probability of the tail that is small,
/// by Newton steps safeguarded with bisection. `guess` speeds up runs of
/// nearby `z` (table building).
fn solve_quantile_z<L: ContinuousLaw + ?Sized>(law: &L, z: f64, guess: Option<f64>) -> f64 {
    let (lo_s, hi_s) = law.support();
    if z == f64::NEG_INFINITY {
        return lo_s;
    }
    if z == f64::INFINITY {
        return hi_s;
    }
    let lower = z <= 0.0;
    let target = if lower {
        normal::cdf(z).ln()
    } else {
        normal::cdf(-z).ln()
    };
    // Increasing residual and its derivative.
    let residual = |x: f64| -> (f64, f64) {
        let f = law.pdf(x);
        if lower {
            let p = law.cdf(x);
            (p.ln() - target, f / p)
        } else {
            let q = law.sf(x);
            (target - q.ln(), f / q)
        }
    };
    let sd = law.variance().sqrt();
    let scale = if sd.is_finite() && sd > 0.0 { sd } else { 1.0 };
    let mut x = guess.unwrap_or_else(|| {
        let m = law.mean();
        if m.is_finite() { m + scale * z } else { scale * z }
    });
    if x <= lo_s || x >= hi_s || !x.is_finite() {
        x = if lo_s.is_finite() && hi_s.is_finite() {
            0.5 * (lo_s + hi_s)
        } else if lo_s.is_finite() {
            lo_s + scale
        } else if hi_s.is_finite() {
            hi_s - scale
        } else {
            0.0
        };
    }
    // Bracket [lo, hi] with r(lo) < 0 < r(hi).
    let (mut lo, mut hi) = (lo_s, hi_s);
    let (r0, _) = residual(x);
    let mut step = scale;
    if r0 < 0.0 {
        lo = x;
        while !hi.is_finite() {
            let cand = lo + step;
            if residual(cand).0 >= 0.0 {
                hi = cand;
            } else if step > 1e300 {
                return hi_s;
            } else {
                lo = cand;
                step *= 2.0;
            }
        }
    } else {
        hi = x;
        while !lo.is_finite() {
            let cand = hi - step;
            if residual(cand).0 <= 0.0 {
                lo = cand;
            } else if step > 1e300 {
                return lo_s;
            } else {
                hi = cand;
                step *= 2.0;
            }
        }
    }
    if lo.is_nan() || hi.is_nan() {
        return f64::NAN;
    }
    let mut x = x.max(lo).min(hi);
    for _ in 0..400 {
        let (r, dr) = residual(x);
        // |r| is the relative error of the tail probability.
        if r.abs() <= 1e-13 {
            return x;
        }
        if r < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        let newton = x - r / dr;
        if dr.is_finite() && dr > 0.0 && newton > lo && newton < hi {
            x = newton;
            continue;
        }
        // No float lies strictly between the ends: the root is resolved.
        if hi - lo <= 2.0 * f64::EPSILON * hi.abs().max(lo.abs()) {
            return if r < 0.0 { hi } else { lo };
        }
        // Bisect on the log scale across orders of magnitude (a lower end at
        // 0 counts as 1e-300 of the upper one), else arithmetically.
        let floor = if lo > 0.0 { lo } else { hi * 1e-300 };
        x = if lo >= 0.0 && hi > 4.0 * floor {
            (floor * hi).sqrt()
        } else {
            0.5 * (lo + hi)
        };
    }
    x
}
