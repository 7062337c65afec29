//! Marginal distributions: the families a spec can name, checked parameters,
//! CDFs, quantiles and moments.
//!
//! Every marginal is used through its *latent quantile*
//! `x(z) = F⁻¹(Φ(z))`, the map from a standard normal draw to a value of the
//! column (see [`crate::latent`]). For a discrete law this is the smallest
//! support point `k` with `F(k) ≥ Φ(z)`.
//!
//! Parameter checks refuse what the laws cannot compute accurately, with
//! the reason: Student's t for `1e6 < df < 1e18`, χ² for `1e6 < df < 1e12`,
//! gamma for `5e5 < shape < 5e11` (the incomplete beta and gamma functions
//! lose precision, or take time growing as `√shape`, there) and beta shapes
//! above 1e6, and tiny shapes (gamma below 0.01, beta below 0.1, Student's
//! t below df 1) whose tail quantiles the solver cannot tabulate in time.
//! Above the upper ends Student's t is the normal law and χ² and
//! gamma the Wilson–Hilferty form, equal to double precision (see the
//! `continuous` module); [`Marginal::limit`] says when that happened.

mod continuous;
mod discrete;
pub mod fitted;

use crate::normal;
use continuous::{ClosedForm, Numeric};
use discrete::{Codes, Counts};
use std::fmt;
use std::sync::Arc;

pub(crate) use continuous::ContinuousLaw;
pub(crate) use discrete::DiscreteLaw;

/// A parameter outside its allowed range.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("parameter '{param}' = {value:?} is invalid: expected {expected}")]
pub struct ParamError {
    /// The parameter's name in the spec.
    pub param: &'static str,
    /// The value given.
    pub value: f64,
    /// What was expected, in words.
    pub expected: &'static str,
}

/// A distribution family with its parameters, as a spec names it.
///
/// Field names are the spec's parameter names; each variant's doc gives
/// their meaning.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
#[allow(missing_docs)]
pub enum Family {
    /// Normal(mean, std).
    Normal { mean: f64, std: f64 },
    /// Lognormal: `ln X ~ Normal(mu, sigma)`.
    LogNormal { mu: f64, sigma: f64 },
    /// Uniform on `[low, high]`.
    Uniform { low: f64, high: f64 },
    /// Exponential with the given rate (1 / scale).
    Exponential { rate: f64 },
    /// Gamma with shape and rate (1 / scale).
    Gamma { shape: f64, rate: f64 },
    /// Beta(alpha, beta) on `[0, 1]`.
    Beta { alpha: f64, beta: f64 },
    /// Student's t with `df` degrees of freedom, shifted and scaled.
    StudentT { df: f64, loc: f64, scale: f64 },
    /// χ² with `df` degrees of freedom.
    ChiSquared { df: f64 },
    /// Weibull(shape, scale).
    Weibull { shape: f64, scale: f64 },
    /// Laplace(loc, scale).
    Laplace { loc: f64, scale: f64 },
    /// Logistic(loc, scale).
    Logistic { loc: f64, scale: f64 },
    /// Normal(mean, std) restricted to `[low, high]`.
    TruncatedNormal {
        mean: f64,
        std: f64,
        low: f64,
        high: f64,
    },
    /// 1 with probability `p`, else 0.
    Bernoulli { p: f64 },
    /// Successes in `n` trials of probability `p`.
    Binomial { n: u64, p: f64 },
    /// Poisson(lambda).
    Poisson { lambda: f64 },
    /// Failures before the `r`-th success, success probability `p`.
    NegativeBinomial { r: f64, p: f64 },
    /// Trials up to and including the first success (support 1, 2, …).
    Geometric { p: f64 },
    /// Labels with probabilities proportional to `weights`.
    Categorical {
        categories: Vec<String>,
        weights: Vec<f64>,
    },
    /// A table column's fitted law ([`fitted`]): a smoothed empirical
    /// quantile function, atoms with their weights, or a normal, lognormal
    /// or uniform law within bounds; values rounded to its step. Drawn
    /// exactly, never tabulated.
    Fitted(Box<fitted::NumericMarginal>),
}

/// How a column's values are stored and written.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// Real numbers.
    Real,
    /// Integers.
    Integer,
    /// Category labels, indexed by code.
    Category(Arc<[String]>),
}

#[derive(Debug, Clone)]
pub(crate) enum Law {
    Continuous(Arc<dyn ContinuousLaw>),
    Discrete(Arc<dyn DiscreteLaw>),
    /// A fitted table marginal, evaluated as it is.
    Fitted(Arc<fitted::NumericMarginal>),
}

/// A checked marginal distribution.
///
/// ```
/// use pushforward_stats::{Family, Marginal};
/// let m = Marginal::new(Family::Gamma { shape: 2.0, rate: 1.0 }).unwrap();
/// let x = m.quantile(0.25);
/// assert!((m.cdf(x) - 0.25).abs() < 1e-12);
/// assert!(Marginal::new(Family::Normal { mean: 0.0, std: -1.0 }).is_err());
/// ```
#[derive(Debug, Clone)]
pub struct Marginal {
    family: Family,
    law: Law,
    kind: ValueKind,
    limit: Option<&'static str>,
}

/// Largest Student-t `df` computed by the incomplete beta function (its
/// quantiles stay within 1e-10 relative; at 1e8 they are off by 1e-8).
const T_EXACT_MAX: f64 = 1e6;
/// Smallest `df` sampled as the normal law: `(z² + 1)/(4 df)`, the
/// relative gap of the quantiles for `|z| ≤ 12.5`, is below 2⁻⁵³ from 3.6e17.
const T_NORMAL_MIN: f64 = 1e18;
/// Largest χ² `df` computed by the incomplete gamma function (its cost
/// grows as `√df`: 0.1 ms a quantile at 1e6, 2 ms at 1e8).
const CHI2_EXACT_MAX: f64 = 1e6;
/// Smallest χ² `df` in the Wilson–Hilferty form (exact to double precision
/// from 7e11, see `continuous`).
const CHI2_LIMIT_MIN: f64 = 1e12;
/// Largest beta shape computed by the incomplete beta function.
const BETA_SHAPE_MAX: f64 = 1e6;
/// Smallest shapes and degrees of freedom the numeric quantile solver
/// tabulates in about a second or less (measured: a beta with both shapes
/// 0.05 takes 2 s, gamma shape 1e-8 and Student's t with df 0.3 over a
/// minute, as their tails reach beyond 1e100).
const BETA_SHAPE_MIN: f64 = 0.1;
const GAMMA_SHAPE_MIN: f64 = 0.01;
const T_DF_MIN: f64 = 1.0;

const SMALL_SHAPE: &str = "a shape of at least 0.01 for gamma (0.02 df for χ²) and 0.1 for beta: \
     smaller shapes put the tail quantiles (probability 1e-35) beyond what the quantile solver \
     tabulates in reasonable time";
const SMALL_DF: &str = "df at least 1 (the Cauchy law): below, the tail quantiles (probability \
     1e-35) exceed 1e35 times the scale and the quantile solver takes minutes";

const T_BAND: &str = "df at most 1e6, or at least 1e18: in between Student's t is computed \
     inaccurately here; it differs from the normal law by a relative (z² + 1)/(4 df), so use \
     dist = \"normal\" with mean = loc and std = scale";
const CHI2_BAND: &str = "df at most 1e6, or at least 1e12: in between the incomplete gamma function is \
     too slow and inaccurate here; use dist = \"normal\" with mean = df and std = √(2 df), or \
     df ≥ 1e12 (Wilson–Hilferty, exact to double precision)";
const GAMMA_BAND: &str = "shape at most 5e5, or at least 5e11: in between the incomplete gamma \
     function is too slow and inaccurate here; use dist = \"normal\" with mean = shape/rate and \
     std = √shape/rate";
const BETA_BAND: &str = "a shape at most 1e6: beyond, the incomplete beta function loses precision; \
     such a beta is within 1e-3 of dist = \"normal\" with its mean and std";

/// The Wilson–Hilferty form of `scale · χ²(k)`, noted as a limit.
fn wilson_hilferty(k: f64, scale: f64) -> (Arc<dyn ContinuousLaw>, Option<&'static str>) {
    (
        Arc::new(ClosedForm::WilsonHilferty { k, scale }),
        Some("sampled in the Wilson–Hilferty form (equal to double precision at this size)"),
    )
}

/// Most integers a discrete law may span (within ±10.4 standard deviations,
/// the sampled range), so its step table stays small.
const MAX_STEPS: f64 = 65_536.0;

fn check(param: &'static str, value: f64, ok: bool, expected: &'static str) -> Result<(), ParamError> {
    if ok && !value.is_nan() {
        Ok(())
    } else {
        Err(ParamError {
            param,
            value,
            expected,
        })
    }
}

fn positive(param: &'static str, v: f64) -> Result<(), ParamError> {
    check(param, v, v > 0.0 && v.is_finite(), "a positive finite number")
}

/// A scale of a family whose quantile is solved numerically: the solver
/// brackets values of the order of the scale, which must keep its
/// neighbours and their squares within double precision.
fn moderate_scale(param: &'static str, v: f64) -> Result<(), ParamError> {
    check(
        param,
        v,
        (1e-100..=1e100).contains(&v),
        "a number between 1e-100 and 1e100 (the quantile solver works near this scale; rescale the \
         column's units)",
    )
}

fn finite(param: &'static str, v: f64) -> Result<(), ParamError> {
    check(param, v, v.is_finite(), "a finite number")
}

fn probability(param: &'static str, v: f64, open_low: bool) -> Result<(), ParamError> {
    if open_low {
        check(param, v, v > 0.0 && v <= 1.0, "a probability in (0, 1]")
    } else {
        check(param, v, (0.0..=1.0).contains(&v), "a probability in [0, 1]")
    }
}

fn statrs_err<E>(param: &'static str, value: f64, expected: &'static str) -> impl FnOnce(E) -> ParamError {
    move |_| ParamError {
        param,
        value,
        expected,
    }
}

impl Marginal {
    /// Checks the parameters and builds the marginal.
    pub fn new(family: Family) -> Result<Self, ParamError> {
        use statrs::distribution as sd;
        let cont = |law: Arc<dyn ContinuousLaw>| (Law::Continuous(law), ValueKind::Real);
        let mut limit = None;
        let count = |law: Arc<dyn DiscreteLaw>| (Law::Discrete(law), ValueKind::Integer);
        let (law, kind): (Law, ValueKind) = match &family {
            &Family::Normal { mean, std } => {
                finite("mean", mean)?;
                positive("std", std)?;
                cont(Arc::new(ClosedForm::Normal { mean, std }))
            }
            &Family::LogNormal { mu, sigma } => {
                finite("mu", mu)?;
                positive("sigma", sigma)?;
                cont(Arc::new(ClosedForm::LogNormal { mu, sigma }))
            }
            &Family::Uniform { low, high } => {
                finite("low", low)?;
                finite("high", high)?;
                check("high", high, high > low, "a number greater than 'low'")?;
                cont(Arc::new(ClosedForm::Uniform { low, high }))
            }
            &Family::Exponential { rate } => {
                positive("rate", rate)?;
                cont(Arc::new(ClosedForm::Exponential { rate }))
            }
            &Family::Gamma { shape, rate } => {
                positive("shape", shape)?;
                positive("rate", rate)?;
                moderate_scale("rate", rate)?;
                check("shape", shape, shape >= GAMMA_SHAPE_MIN, SMALL_SHAPE)?;
                check(
                    "shape",
                    shape,
                    !(CHI2_EXACT_MAX / 2.0 < shape && shape < CHI2_LIMIT_MIN / 2.0),
                    GAMMA_BAND,
                )?;
                if shape >= CHI2_LIMIT_MIN / 2.0 {
                    let scale = 0.5 / rate;
                    check("rate", rate, scale.is_finite(), "a rate above 1e-308")?;
                    let (law, note) = wilson_hilferty(2.0 * shape, scale);
                    limit = note;
                    cont(law)
                } else {
                    let g = sd::Gamma::new(shape, rate).map_err(statrs_err(
                        "shape",
                        shape,
                        "a positive finite number",
                    ))?;
                    cont(Arc::new(Numeric(g)))
                }
            }
            &Family::Beta { alpha, beta } => {
                positive("alpha", alpha)?;
                positive("beta", beta)?;
                check("alpha", alpha, alpha <= BETA_SHAPE_MAX, BETA_BAND)?;
                check("beta", beta, beta <= BETA_SHAPE_MAX, BETA_BAND)?;
                check("alpha", alpha, alpha >= BETA_SHAPE_MIN, SMALL_SHAPE)?;
                check("beta", beta, beta >= BETA_SHAPE_MIN, SMALL_SHAPE)?;
                let b = sd::Beta::new(alpha, beta).map_err(statrs_err(
                    "alpha",
                    alpha,
                    "a positive finite number",
                ))?;
                cont(Arc::new(Numeric(b)))
            }
            &Family::StudentT { df, loc, scale } => {
                positive("df", df)?;
                finite("loc", loc)?;
                positive("scale", scale)?;
                moderate_scale("scale", scale)?;
                check("df", df, df >= T_DF_MIN, SMALL_DF)?;
                check(
                    "loc",
                    loc,
                    loc.abs() <= 1e100,
                    "a number between -1e100 and 1e100",
                )?;
                check("df", df, df <= T_EXACT_MAX || df >= T_NORMAL_MIN, T_BAND)?;
                if df >= T_NORMAL_MIN {
                    limit = Some("sampled as normal(loc, scale), equal to double precision at this df");
                    cont(Arc::new(ClosedForm::Normal {
                        mean: loc,
                        std: scale,
                    }))
                } else {
                    let t = sd::StudentsT::new(loc, scale, df).map_err(statrs_err(
                        "df",
                        df,
                        "a positive finite number",
                    ))?;
                    cont(Arc::new(Numeric(t)))
                }
            }
            &Family::ChiSquared { df } => {
                positive("df", df)?;
                check("df", df, df >= 2.0 * GAMMA_SHAPE_MIN, SMALL_SHAPE)?;
                check("df", df, df <= CHI2_EXACT_MAX || df >= CHI2_LIMIT_MIN, CHI2_BAND)?;
                if df >= CHI2_LIMIT_MIN {
                    let (law, note) = wilson_hilferty(df, 1.0);
                    limit = note;
                    cont(law)
                } else {
                    let c =
                        sd::ChiSquared::new(df).map_err(statrs_err("df", df, "a positive finite number"))?;
                    cont(Arc::new(Numeric(c)))
                }
            }
            &Family::Weibull { shape, scale } => {
                positive("shape", shape)?;
                positive("scale", scale)?;
                cont(Arc::new(ClosedForm::Weibull { shape, scale }))
            }
            &Family::Laplace { loc, scale } => {
                finite("loc", loc)?;
                positive("scale", scale)?;
                cont(Arc::new(ClosedForm::Laplace { loc, scale }))
            }
            &Family::Logistic { loc, scale } => {
                finite("loc", loc)?;
                positive("scale", scale)?;
                cont(Arc::new(ClosedForm::Logistic { loc, scale }))
            }
            &Family::TruncatedNormal { mean, std, low, high } => {
                finite("mean", mean)?;
                positive("std", std)?;
                check(
                    "low",
                    low,
                    !low.is_nan() && low < f64::INFINITY,
                    "a number below 'high'",
                )?;
                check("high", high, high > low, "a number greater than 'low'")?;
                let law = ClosedForm::TruncatedNormal { mean, std, low, high };
                check(
                    "high",
                    high,
                    law.variance() > 0.0,
                    "a window holding non-negligible normal mass",
                )?;
                cont(Arc::new(law))
            }
            &Family::Bernoulli { p } => {
                probability("p", p, false)?;
                let b = sd::Binomial::new(p, 1).map_err(statrs_err("p", p, "a probability in [0, 1]"))?;
                count(Arc::new(Counts {
                    law: b,
                    max: Some(1),
                    mean: p,
                    variance: p * (1.0 - p),
                }))
            }
            &Family::Binomial { n, p } => {
                check("n", n as f64, n >= 1, "a positive integer")?;
                probability("p", p, false)?;
                let b = sd::Binomial::new(p, n).map_err(statrs_err("p", p, "a probability in [0, 1]"))?;
                let nf = n as f64;
                count(Arc::new(Counts {
                    law: b,
                    max: Some(n as i64),
                    mean: nf * p,
                    variance: nf * p * (1.0 - p),
                }))
            }
            &Family::Poisson { lambda } => {
                positive("lambda", lambda)?;
                let l = sd::Poisson::new(lambda).map_err(statrs_err(
                    "lambda",
                    lambda,
                    "a positive finite number",
                ))?;
                count(Arc::new(Counts {
                    law: l,
                    max: None,
                    mean: lambda,
                    variance: lambda,
                }))
            }
            &Family::NegativeBinomial { r, p } => {
                positive("r", r)?;
                probability("p", p, true)?;
                let l =
                    sd::NegativeBinomial::new(r, p).map_err(statrs_err("p", p, "a probability in (0, 1]"))?;
                let mean = r * (1.0 - p) / p;
                count(Arc::new(Counts {
                    law: l,
                    max: None,
                    mean,
                    variance: mean / p,
                }))
            }
            &Family::Geometric { p } => {
                probability("p", p, true)?;
                let l = sd::Geometric::new(p).map_err(statrs_err("p", p, "a probability in (0, 1]"))?;
                count(Arc::new(Counts {
                    law: l,
                    max: None,
                    mean: 1.0 / p,
                    variance: (1.0 - p) / (p * p),
                }))
            }
            Family::Fitted(m) => {
                m.check()?;
                let kind = if m.is_integer() {
                    ValueKind::Integer
                } else {
                    ValueKind::Real
                };
                (Law::Fitted(Arc::new((**m).clone())), kind)
            }
            Family::Categorical { categories, weights } => {
                check(
                    "categories",
                    categories.len() as f64,
                    !categories.is_empty(),
                    "at least one category",
                )?;
                check(
                    "weights",
                    weights.len() as f64,
                    weights.len() == categories.len(),
                    "one weight per category",
                )?;
                for &w in weights {
                    check(
                        "weights",
                        w,
                        w >= 0.0 && w.is_finite(),
                        "non-negative finite weights",
                    )?;
                }
                let total: f64 = weights.iter().sum();
                check(
                    "weights",
                    total,
                    total > 0.0 && total.is_finite(),
                    "weights with a positive finite sum",
                )?;
                let probs = weights.iter().map(|w| w / total).collect();
                (
                    Law::Discrete(Arc::new(Codes::new(probs))),
                    ValueKind::Category(categories.clone().into()),
                )
            }
        };
        if let Law::Discrete(l) = &law {
            let (first, _) = l.support();
            let (name, value) = match family {
                Family::NegativeBinomial { r, .. } => ("r", r),
                Family::Geometric { p } | Family::Binomial { p, .. } | Family::Bernoulli { p } => ("p", p),
                Family::Poisson { lambda } => ("lambda", lambda),
                _ => ("weights", l.mean()),
            };
            check(
                name,
                value,
                !l.sf(first).is_nan() && l.mean().is_finite(),
                "parameters whose probabilities are finite numbers in double precision",
            )?;
            let span = 2.0 * 10.4 * l.variance().sqrt();
            let (name, value) = match family {
                Family::Binomial { n, .. } => ("n", n as f64),
                Family::Poisson { lambda } => ("lambda", lambda),
                Family::NegativeBinomial { p, .. } | Family::Geometric { p } => ("p", p),
                _ => ("weights", span),
            };
            check(
                name,
                value,
                span <= MAX_STEPS,
                "a law spanning at most about 65,000 integers (use a continuous family for larger counts)",
            )?;
        }
        Ok(Marginal {
            family,
            law,
            kind,
            limit,
        })
    }

    /// When the parameters lie beyond what the family's own formulas
    /// compute and a limiting law stands in for it (equal to double
    /// precision), a line saying which.
    ///
    /// ```
    /// use pushforward_stats::{Family, Marginal};
    /// let t = Marginal::new(Family::StudentT { df: 1e300, loc: 0.0, scale: 1.0 }).unwrap();
    /// assert!(t.limit().is_some_and(|l| l.contains("normal")));
    /// assert!(Marginal::new(Family::StudentT { df: 1e9, loc: 0.0, scale: 1.0 }).is_err());
    /// ```
    pub fn limit(&self) -> Option<&'static str> {
        self.limit
    }

    /// The family and parameters this marginal was built from.
    pub fn family(&self) -> &Family {
        &self.family
    }

    /// How the column's values are stored.
    pub fn kind(&self) -> &ValueKind {
        &self.kind
    }

    /// Whether the law is continuous.
    pub fn is_continuous(&self) -> bool {
        matches!(self.law, Law::Continuous(_))
    }

    pub(crate) fn law(&self) -> &Law {
        &self.law
    }

    /// P(X ≤ x). Categories are their codes.
    pub fn cdf(&self, x: f64) -> f64 {
        match &self.law {
            Law::Continuous(l) => l.cdf(x),
            Law::Discrete(l) => l.cdf(floor_i64(x)),
            Law::Fitted(m) => fitted_cdf(m, x),
        }
    }

    /// P(X > x), accurate where it is small.
    pub fn sf(&self, x: f64) -> f64 {
        match &self.law {
            Law::Continuous(l) => l.sf(x),
            Law::Discrete(l) => l.sf(floor_i64(x)),
            Law::Fitted(m) => 1.0 - fitted_cdf(m, x),
        }
    }

    /// The quantile `F⁻¹(p)` for `p` in `[0, 1]` (NaN outside). For discrete
    /// laws, the smallest support point `k` with `F(k) ≥ p`.
    #[doc(alias = "inverse_cdf")]
    #[doc(alias = "ppf")]
    pub fn quantile(&self, p: f64) -> f64 {
        if !(0.0..=1.0).contains(&p) {
            return f64::NAN;
        }
        self.quantile_z(normal::quantile(p))
    }

    /// The latent quantile `F⁻¹(Φ(z))`, exact (no table).
    pub fn quantile_z(&self, z: f64) -> f64 {
        match &self.law {
            Law::Continuous(l) => l.quantile_z(z),
            Law::Discrete(l) => crate::latent::step_quantile_z(l.as_ref(), z) as f64,
            Law::Fitted(m) => m.quantile(normal::cdf(z)),
        }
    }

    /// The mean (NaN or infinite where it does not exist).
    pub fn mean(&self) -> f64 {
        match &self.law {
            Law::Continuous(l) => l.mean(),
            Law::Discrete(l) => l.mean(),
            Law::Fitted(m) => m.moments().0,
        }
    }

    /// The standard deviation (NaN or infinite where it does not exist).
    pub fn std(&self) -> f64 {
        match &self.law {
            Law::Continuous(l) => l.variance().sqrt(),
            Law::Discrete(l) => l.variance().sqrt(),
            Law::Fitted(m) => m.moments().1,
        }
    }
}

/// P(X ≤ x) of the drawn (rounded) values of a fitted marginal: the
/// continuous CDF at the upper edge of the rounding cell holding `x`.
fn fitted_cdf(m: &fitted::NumericMarginal, x: f64) -> f64 {
    match m.step {
        Some(s) => {
            let cell = m.round(x);
            let edge = if cell > x { cell - 0.5 * s } else { cell + 0.5 * s };
            m.cdf(edge.min(m.high))
        }
        None => m.cdf(x),
    }
}

/// The uniform law on \[0, 1\]: its latent map is `Φ`.
pub(crate) fn uniform01() -> Arc<dyn ContinuousLaw> {
    Arc::new(ClosedForm::Uniform { low: 0.0, high: 1.0 })
}

fn floor_i64(x: f64) -> i64 {
    if x.is_nan() {
        i64::MIN
    } else {
        x.floor().clamp(i64::MIN as f64, i64::MAX as f64) as i64
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Family::Normal { mean, std } => write!(f, "normal(mean={}, std={})", Num(*mean), Num(*std)),
            Family::LogNormal { mu, sigma } => write!(f, "lognormal(mu={}, sigma={})", Num(*mu), Num(*sigma)),
            Family::Uniform { low, high } => write!(f, "uniform(low={}, high={})", Num(*low), Num(*high)),
            Family::Exponential { rate } => write!(f, "exponential(rate={})", Num(*rate)),
            Family::Gamma { shape, rate } => write!(f, "gamma(shape={}, rate={})", Num(*shape), Num(*rate)),
            Family::Beta { alpha, beta } => write!(f, "beta(alpha={}, beta={})", Num(*alpha), Num(*beta)),
            Family::StudentT { df, loc, scale } => write!(
                f,
                "student_t(df={}, loc={}, scale={})",
                Num(*df),
                Num(*loc),
                Num(*scale)
            ),
            Family::ChiSquared { df } => write!(f, "chi_squared(df={})", Num(*df)),
            Family::Weibull { shape, scale } => {
                write!(f, "weibull(shape={}, scale={})", Num(*shape), Num(*scale))
            }
            Family::Laplace { loc, scale } => write!(f, "laplace(loc={}, scale={})", Num(*loc), Num(*scale)),
            Family::Logistic { loc, scale } => {
                write!(f, "logistic(loc={}, scale={})", Num(*loc), Num(*scale))
            }
            Family::TruncatedNormal { mean, std, low, high } => {
                write!(
                    f,
                    "truncated_normal(mean={}, std={}, low={}, high={})",
                    Num(*mean),
                    Num(*std),
                    Num(*low),
                    Num(*high)
                )
            }
            Family::Bernoulli { p } => write!(f, "bernoulli(p={})", Num(*p)),
            Family::Binomial { n, p } => write!(f, "binomial(n={n}, p={})", Num(*p)),
            Family::Poisson { lambda } => write!(f, "poisson(lambda={})", Num(*lambda)),
            Family::NegativeBinomial { r, p } => write!(f, "negative_binomial(r={}, p={})", Num(*r), Num(*p)),
            Family::Geometric { p } => write!(f, "geometric(p={})", Num(*p)),
            Family::Categorical { categories, .. } => {
                write!(f, "categorical({} categories)", categories.len())
            }
            Family::Fitted(m) => {
                let law = match &m.law {
                    fitted::Law::Normal { mean, std } => {
                        format!("normal(mean={}, std={}", Num(*mean), Num(*std))
                    }
                    fitted::Law::LogNormal { mu, sigma } => {
                        format!("lognormal(mu={}, sigma={}", Num(*mu), Num(*sigma))
                    }
                    fitted::Law::Uniform => "uniform(".to_owned(),
                    fitted::Law::Empirical { values, .. } => format!("empirical({} knots", values.len()),
                    fitted::Law::Steps { values, .. } => format!("discrete({} values", values.len()),
                };
                let sep = if law.ends_with('(') { "" } else { ", " };
                write!(f, "{law}{sep}low={}, high={}", Num(m.low), Num(m.high))?;
                match m.step {
                    Some(s) => write!(f, ", step={})", Num(s)),
                    None => f.write_str(")"),
                }
            }
        }
    }
}

/// A parameter as the spec would write it: plain for ordinary magnitudes,
/// in exponent form (`1e308`) for very large or small ones.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = self.0.abs();
        if a != 0.0 && a.is_finite() && !(1e-4..1e15).contains(&a) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}
