//! Optimal-transport distances between two point clouds: exact `W1`/`W2`
//! by assignment, the debiased Sinkhorn divergence, and the sliced `W2`.
//!
//! The solvers are those of `pushforward-ot` (the math and references are
//! there); these take [`Points`] and report [`MetricsError`]s.

use crate::error::MetricsError;
use crate::points::{Points, same_dim};
use pushforward_ot::OtError;

pub use pushforward_ot::{ExactOt, SinkhornConfig, SinkhornResult, assignment};

/// Exact `W1` and `W2` between two clouds of the same size `n ≥ 1`, each
/// point weighing `1/n` ([`pushforward_ot::exact_wasserstein`]).
///
/// Time is that of two dense assignments, solved in parallel; memory
/// `16 n²` bytes up to `n = 5,792` (400 MB at 5,000), `8 n²` beyond, so
/// subsample large clouds first ([`Points::subsample`]).
///
/// # Errors
/// [`MetricsError::DimensionMismatch`]; [`MetricsError::TooFewPoints`] for
/// an empty cloud; [`MetricsError::BadParameter`] when the sizes differ, or
/// when a squared distance overflows (coordinates beyond about `1e154`).
///
/// ```
/// use pushforward_metrics::{Points, ot::exact_wasserstein};
/// let x = Points::new(1, vec![0.0, 1.0, 2.0]).unwrap();
/// let y = Points::new(1, vec![2.5, 0.5, 1.5]).unwrap();
/// let ot = exact_wasserstein(&x, &y).unwrap();
/// assert!((ot.w1 - 0.5).abs() < 1e-12 && (ot.w2 - 0.5).abs() < 1e-12);
/// ```
pub fn exact_wasserstein(x: &Points, y: &Points) -> Result<ExactOt, MetricsError> {
    let d = same_dim(x, y)?;
    pushforward_ot::exact_wasserstein(x.as_slice(), y.as_slice(), d).map_err(from_ot)
}

/// The debiased Sinkhorn divergence `S_ε(α, β)` between the uniform
/// measures on two non-empty clouds (sizes may differ)
/// ([`pushforward_ot::sinkhorn_divergence`]).
///
/// # Errors
/// [`MetricsError::DimensionMismatch`]; [`MetricsError::TooFewPoints`] for
/// an empty cloud; [`MetricsError::BadParameter`] for a configuration out
/// of range or coordinates so large that squared distances overflow.
///
/// ```
/// use pushforward_metrics::{Points, ot::{SinkhornConfig, sinkhorn_divergence}};
/// let x = Points::new(2, vec![0.0, 0.0, 1.0, 0.0, 0.0, 1.0]).unwrap();
/// let y = Points::new(2, vec![0.5, 0.0, 1.5, 0.0, 0.5, 1.0]).unwrap();
/// let s = sinkhorn_divergence(&x, &y, &SinkhornConfig::default()).unwrap();
/// // A translation by t costs exactly ‖t‖² for any ε.
/// assert!(s.converged && (s.value - 0.25).abs() < 1e-3);
/// ```
pub fn sinkhorn_divergence(
    x: &Points,
    y: &Points,
    config: &SinkhornConfig,
) -> Result<SinkhornResult, MetricsError> {
    let d = same_dim(x, y)?;
    pushforward_ot::sinkhorn_divergence(x.as_slice(), y.as_slice(), d, config).map_err(from_ot)
}

/// The entropic transport cost `OT_ε(α, β)` itself (not debiased), within
/// `[W2², W2² + ε log min(n, m)]` of the exact squared `W2`
/// ([`pushforward_ot::entropic_ot`]).
///
/// # Errors
/// As [`sinkhorn_divergence`].
pub fn entropic_ot(x: &Points, y: &Points, config: &SinkhornConfig) -> Result<SinkhornResult, MetricsError> {
    let d = same_dim(x, y)?;
    pushforward_ot::entropic_ot(x.as_slice(), y.as_slice(), d, config).map_err(from_ot)
}

/// Sliced `W2` between the uniform measures on two non-empty clouds (sizes
/// may differ), over `projections` random directions drawn from `seed`
/// ([`pushforward_ot::sliced_wasserstein2`]).
///
/// # Errors
/// [`MetricsError::DimensionMismatch`]; [`MetricsError::TooFewPoints`] for
/// an empty cloud; [`MetricsError::BadParameter`] for `projections = 0` or
/// coordinates so large that the value overflows.
///
/// ```
/// use pushforward_metrics::{Points, ot::sliced_wasserstein2};
/// let x = Points::new(1, vec![0.0, 1.0, 2.0]).unwrap();
/// let y = Points::new(1, vec![5.0, 1.0, 0.0]).unwrap();
/// let sw = sliced_wasserstein2(&x, &y, 8, 0).unwrap();
/// assert!((sw - 3f64.sqrt()).abs() < 1e-12);
/// ```
pub fn sliced_wasserstein2(
    x: &Points,
    y: &Points,
    projections: usize,
    seed: u64,
) -> Result<f64, MetricsError> {
    let d = same_dim(x, y)?;
    pushforward_ot::sliced_wasserstein2(x.as_slice(), y.as_slice(), d, projections, seed).map_err(from_ot)
}

/// The metric error for a solver's error (shapes cannot be wrong here:
/// [`Points`] checks them).
fn from_ot(e: OtError) -> MetricsError {
    match e {
        OtError::DimensionMismatch { left, right } => MetricsError::DimensionMismatch { left, right },
        OtError::TooFewPoints { what, needed, got } => MetricsError::TooFewPoints {
            metric: what,
            needed,
            got,
        },
        OtError::BadParameter {
            name,
            value,
            expected,
        } => MetricsError::BadParameter {
            name,
            value,
            expected,
        },
        other => MetricsError::BadParameter {
            name: "point cloud",
            value: f64::NAN,
            expected: if matches!(other, OtError::Shape { .. }) {
                "a whole number of points"
            } else {
                "a valid transport problem"
            },
        },
    }
}
