//! Gaussian copula with exact correlation matching (NORTA).
//!
//! `X_i = F_i⁻¹(Φ(Z_i))` with `Z ~ N(0, R)`. Each pair's output correlation is
//! a monotone function `g_ij(R_ij)` of its latent correlation
//! (`pair.rs`), so a target is met exactly by solving `g_ij(r) = target_ij`
//! pair by pair ([`norta`]), provided every target lies in its attainable
//! interval `[g_ij(−1), g_ij(1)]` ([`feasibility`]) and the latent matrix is
//! positive definite. Otherwise [`nearest`] finds the positive semidefinite
//! latent matrix whose *output* correlations are closest to the target.
//!
//! Reference: M. C. Cario and B. L. Nelson, "Modeling and generating random
//! vectors with arbitrary marginal distributions and correlation matrix",
//! Northwestern University technical report, 1997.

pub mod feasibility;
mod kendall;
pub mod nearest;
pub mod norta;
pub(crate) mod pair;
pub mod scores;

pub use feasibility::{InfeasiblePair, PairBound};
pub use nearest::{NearestOptions, NearestReport, PairFit, Penalty};
pub use norta::{CopulaFit, CorrelationKind, CorrelationTarget, InfeasiblePolicy, fit_copula, latent_copula};
pub use scores::fit_score_copula;
