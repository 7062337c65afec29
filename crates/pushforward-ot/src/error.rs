//! Why a transport problem could not be solved.

/// Why a transport problem could not be solved.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum OtError {
    /// Two point clouds live in spaces of different dimension.
    #[error("point clouds have {left} and {right} coordinates; expected the same")]
    DimensionMismatch {
        /// Coordinates of the first cloud.
        left: usize,
        /// Coordinates of the second cloud.
        right: usize,
    },
    /// A problem needs more points than it was given.
    #[error("{what} needs at least {needed} points per sample, got {got}")]
    TooFewPoints {
        /// The solver.
        what: &'static str,
        /// The minimum it needs.
        needed: usize,
        /// What it got.
        got: usize,
    },
    /// A slice does not have the length its shape implies.
    #[error("{name} has {len} values; expected {expected}")]
    Shape {
        /// The argument.
        name: &'static str,
        /// Its length.
        len: usize,
        /// What was expected, in words.
        expected: String,
    },
    /// A parameter or input value is out of its range.
    #[error("{name} = {value} is out of range; expected {expected}")]
    BadParameter {
        /// The parameter.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The accepted range, in words.
        expected: &'static str,
    },
}
