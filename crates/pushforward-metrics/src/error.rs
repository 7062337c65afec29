//! Why a metric could not be computed.

/// Why a metric could not be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// Two point clouds live in spaces of different dimension.
    #[error("point clouds have {left} and {right} coordinates; expected the same")]
    DimensionMismatch {
        /// Coordinates of the first cloud.
        left: usize,
        /// Coordinates of the second cloud.
        right: usize,
    },
    /// A metric needs more points than it was given.
    #[error("{metric} needs at least {needed} points per sample, got {got}")]
    TooFewPoints {
        /// The metric.
        metric: &'static str,
        /// The minimum it needs.
        needed: usize,
        /// What it got.
        got: usize,
    },
    /// A point has a NaN or infinite coordinate.
    #[error("point {row} has a non-finite coordinate {value}")]
    NonFinite {
        /// The row of the point.
        row: usize,
        /// The coordinate.
        value: f64,
    },
    /// A parameter is out of its range.
    #[error("{name} = {value} is out of range; expected {expected}")]
    BadParameter {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// What it should be.
        expected: &'static str,
    },
}
