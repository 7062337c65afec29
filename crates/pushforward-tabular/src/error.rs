//! Why a table could not be typed, fitted, conditioned or restored.

use pushforward_core::TableError;
use pushforward_stats::StatsError;

/// An error of the tabular layer; each names the column and the value.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TabularError {
    /// A type override, schema file or condition names a column the table
    /// does not have.
    #[error("there is no column '{column}' (the columns are {known})")]
    UnknownColumn {
        /// The name given.
        column: String,
        /// The columns there are, comma-separated.
        known: String,
    },
    /// A role that the column's values cannot take.
    #[error("column '{column}' cannot be {role}: {reason}")]
    BadRole {
        /// The column.
        column: String,
        /// The role asked for.
        role: String,
        /// What in the values stands against it.
        reason: String,
    },
    /// A `--types` entry or schema file that does not parse.
    #[error("bad column types '{text}': {reason}")]
    BadTypes {
        /// The text given.
        text: String,
        /// What was expected.
        reason: String,
    },
    /// A table whose columns differ from the schema's.
    #[error("column '{column}': {reason}")]
    Mismatch {
        /// The column.
        column: String,
        /// What differs.
        reason: String,
    },
    /// A fit with nothing to model.
    #[error("nothing to fit: {0}")]
    Empty(String),
    /// A `--split` column that cannot split the table.
    #[error("cannot split by column '{column}': {reason}")]
    BadSplit {
        /// The column.
        column: String,
        /// Why.
        reason: String,
    },
    /// A condition that does not parse or does not fit its column.
    #[error("condition '{condition}': {reason}")]
    BadCondition {
        /// The condition as given.
        condition: String,
        /// What was expected.
        reason: String,
    },
    /// Conditions that no row can meet.
    #[error("conditions '{conditions}' have probability 0 under the model: no row can meet them")]
    Impossible {
        /// The conditions, comma-separated.
        conditions: String,
    },
    /// The latent correlation could not be fitted.
    #[error(transparent)]
    Stats(#[from] StatsError),
    /// A spec holds one Gaussian copula; this model has one per class.
    #[error(
        "the model has one copula per class of '{column}', which one spec cannot hold: \
         refit with --split none to emit a spec"
    )]
    SplitModel {
        /// The split column.
        column: String,
    },
    /// Statistics handed to a fit in passes at the wrong pass.
    #[error("statistics of the {got} pass were given where the {expected} pass runs")]
    StalePass {
        /// The pass the fit is at.
        expected: &'static str,
        /// The pass the statistics are of.
        got: &'static str,
    },
    /// A table could not be built.
    #[error(transparent)]
    Table(#[from] TableError),
}
