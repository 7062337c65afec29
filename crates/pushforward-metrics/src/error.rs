//! Why a metric could not be computed.

use pushforward_core::quote::quote_all;

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
    /// A table has no rows.
    #[error("the {which} table has no rows")]
    Empty {
        /// Which table: `real`, `synthetic` or `holdout`.
        which: &'static str,
    },
    /// The real table and another have different column names.
    #[error(
        "the real and {other} tables have different columns: only in the real table: [{}]; only in the {other} table: [{}]",
        quote_all(.only_real.iter().map(String::as_str)),
        quote_all(.only_other.iter().map(String::as_str))
    )]
    ColumnsDiffer {
        /// Which table the real one was compared with: `synthetic` or
        /// `holdout`.
        other: &'static str,
        /// Columns only in the real table.
        only_real: Vec<String>,
        /// Columns only in the other table.
        only_other: Vec<String>,
    },
    /// A table lacks a column the comparison needs.
    #[error("column '{name}' is missing")]
    MissingColumn {
        /// The column.
        name: String,
    },
    /// A column is categorical in one table and numeric in the other.
    #[error("column '{name}' is categorical in one table and numeric in the other")]
    KindMismatch {
        /// The column.
        name: String,
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
    /// The caller asked to stop (an interrupt) as a metric group started.
    #[error("stopped before {stage}: interrupted")]
    Cancelled {
        /// The metric group that was about to start.
        stage: String,
    },
}
