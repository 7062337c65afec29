//! Errors of the statistics crate.

use crate::copula::{CorrelationKind, InfeasiblePair};
use crate::marginal::ParamError;
use std::fmt;

/// Why a spec could not be turned into a sampler.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// The spec file is malformed or names invalid values.
    #[error(transparent)]
    Spec(#[from] SpecError),
    /// Some target correlations lie outside what the marginals allow.
    #[error("{}", infeasible_message(*kind, pairs))]
    Infeasible {
        /// The correlation the target names.
        kind: CorrelationKind,
        /// Every pair out of reach.
        pairs: Vec<InfeasiblePair>,
    },
    /// Every pair is feasible but the latent matrix is not positive definite.
    #[error("{}", not_pd_message(*min_eigenvalue, pairs))]
    NotPositiveDefinite {
        /// Smallest eigenvalue of the latent correlation matrix.
        min_eigenvalue: f64,
        /// The pairs that pull it down most: names, latent correlation and
        /// their term `2 vᵢ vⱼ Rᵢⱼ` of the eigenvalue.
        pairs: Vec<(String, String, f64, f64)>,
    },
    /// A Pearson target involves a column without a finite variance.
    #[error(
        "column '{column}' ({family}) has no finite variance, so its Pearson correlation is undefined: \
         use kind = \"spearman\" or \"kendall\", or a family with finite variance"
    )]
    InfiniteVariance {
        /// The column.
        column: String,
        /// Its family.
        family: String,
    },
    /// A discrete column in a correlated pair takes too many values for the
    /// exact pair integrals.
    #[error(
        "column '{column}' takes {values} distinct values within the sampled range; exact correlation \
         matching supports at most {max} per correlated column: leave it uncorrelated, or use a continuous \
         family (normal, gamma) for such large counts"
    )]
    TooManyValues {
        /// The column.
        column: String,
        /// Its number of steps.
        values: usize,
        /// The limit.
        max: usize,
    },
    /// A column's law gave a value that is not a finite number (a quantile
    /// overflowing double precision, a correlation integral of NaN).
    #[error(
        "column '{column}' ({family}): {what} is not a finite number at these parameters; \
         choose parameters whose extreme quantiles (probability 1e-35) are finite"
    )]
    NonFinite {
        /// The column.
        column: String,
        /// Its family and parameters.
        family: String,
        /// What came out non-finite.
        what: &'static str,
    },
    /// The progress reported a cancellation before the fit finished.
    #[error("interrupted before the copula was fitted")]
    Cancelled,
}

fn infeasible_message(kind: CorrelationKind, pairs: &[InfeasiblePair]) -> String {
    let mut s = format!(
        "{} of the target {kind} correlations cannot be reached with these marginals:",
        pairs.len()
    );
    for p in pairs {
        s.push_str(&format!("\n  {p}"));
    }
    s.push_str(
        "\nadjust the targets, or pass --on-infeasible nearest to get the closest reachable correlations",
    );
    s
}

fn not_pd_message(lambda: f64, pairs: &[(String, String, f64, f64)]) -> String {
    let mut s = format!(
        "every pair is reachable, but the latent correlation matrix they need is not positive definite \
         (smallest eigenvalue {lambda:.3e}); the pairs pulling it down most:"
    );
    for (a, b, r, c) in pairs {
        s.push_str(&format!("\n  {a} ~ {b}: latent correlation {r:.4} (term {c:.4})"));
    }
    s.push_str(
        "\nadjust the targets, or pass --on-infeasible nearest to get the closest reachable correlations",
    );
    s
}

/// Where in a spec a problem was found.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SpecLocation {
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// The column concerned.
    pub column: Option<String>,
    /// The field concerned.
    pub field: Option<String>,
}

/// What is wrong with a spec.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum SpecProblem {
    /// The TOML itself does not parse.
    Syntax(String),
    /// A required field is absent.
    Missing,
    /// A field the family or section does not have.
    Unknown {
        /// The fields that are allowed here.
        expected: Vec<&'static str>,
    },
    /// A value of the wrong type.
    WrongType {
        /// What was expected.
        expected: &'static str,
    },
    /// A distribution family we do not know.
    UnknownFamily {
        /// The name given.
        given: String,
    },
    /// A parameter outside its range.
    Param(ParamError),
    /// Anything else, in words.
    Invalid(String),
}

/// A problem in a spec, with its location.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub struct SpecError {
    /// Where.
    pub location: SpecLocation,
    /// What.
    pub problem: SpecProblem,
}

/// The family names a spec accepts.
pub const FAMILIES: &[&str] = &[
    "normal",
    "lognormal",
    "uniform",
    "exponential",
    "gamma",
    "beta",
    "student_t",
    "chi_squared",
    "weibull",
    "laplace",
    "logistic",
    "truncated_normal",
    "bernoulli",
    "binomial",
    "poisson",
    "negative_binomial",
    "geometric",
    "categorical",
    "empirical",
    "discrete",
];

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let loc = &self.location;
        let mut parts = Vec::new();
        if let Some(l) = loc.line {
            parts.push(format!("line {l}"));
        }
        if let Some(c) = &loc.column {
            parts.push(format!("column '{c}'"));
        }
        if let Some(x) = &loc.field {
            parts.push(format!("field '{x}'"));
        }
        if !parts.is_empty() {
            write!(f, "{}: ", parts.join(", "))?;
        }
        match &self.problem {
            SpecProblem::Syntax(m) => write!(f, "malformed TOML: {m}"),
            SpecProblem::Missing => write!(f, "is required but missing"),
            SpecProblem::Unknown { expected } => {
                write!(
                    f,
                    "is not a known field here; expected one of: {}",
                    expected.join(", ")
                )
            }
            SpecProblem::WrongType { expected } => write!(f, "has the wrong type: expected {expected}"),
            SpecProblem::UnknownFamily { given } => write!(
                f,
                "unknown distribution '{given}'; expected one of: {}",
                FAMILIES.join(", ")
            ),
            SpecProblem::Param(e) => write!(f, "{e}"),
            SpecProblem::Invalid(m) => f.write_str(m),
        }
    }
}
