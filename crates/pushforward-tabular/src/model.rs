//! The fitted synthesizer of a table: its schema, the split column (if
//! any) and one Gaussian copula per group of rows, weighted by the group's
//! share of the rows.
//!
//! Fitting: the table is prepared by its [`Schema`]; the split column is
//! chosen ([`crate::split`]); each group's marginals are fitted from the
//! counts of its values, then its latent correlation from the sums of its
//! rows' normal scores, taken `chunk_rows` rows at a time and merged
//! ([`crate::copula::Moments`]). [`CopulaModel::fit`] is the fit in passes
//! of [`crate::stream`] with the whole table as one chunk, so a fit over
//! row groups is the fit over the whole table.

use pushforward_core::Table;
use serde::{Deserialize, Serialize};

use crate::copula::GroupCopula;
use crate::error::TabularError;
use crate::schema::Schema;
use crate::split::SplitRule;
use crate::stream::CopulaFit;

/// Rows whose score sums are added before being merged, by default.
pub const CHUNK_ROWS: usize = 65_536;

/// Settings of a fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitOptions {
    /// Seed of the nearest-correlation search's random starts.
    pub seed: u64,
    /// Which column to split on.
    pub split: SplitRule,
    /// Rows per chunk of the correlation sums, summed in parallel (at
    /// least 1; the sums are the same for any value).
    pub chunk_rows: usize,
}

impl Default for FitOptions {
    fn default() -> Self {
        FitOptions {
            seed: 0,
            split: SplitRule::Auto,
            chunk_rows: CHUNK_ROWS,
        }
    }
}

/// The split column and its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplitInfo {
    /// The column.
    pub column: String,
    /// Its mean correlation ratio with the numeric columns.
    pub score: f64,
}

/// One group's copula and weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// The split column's labels it covers (empty without a split).
    pub labels: Vec<String>,
    /// Its share of the rows.
    pub weight: f64,
    /// Its copula.
    pub copula: GroupCopula,
}

/// A fitted Gaussian-copula synthesizer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CopulaModel {
    /// The columns' roles.
    pub schema: Schema,
    /// The split, if any.
    pub split: Option<SplitInfo>,
    /// The groups.
    pub groups: Vec<Group>,
    /// Training rows.
    pub rows: usize,
}

impl CopulaModel {
    /// Fits `table`, whose roles are `schema`.
    ///
    /// # Errors
    /// [`TabularError::Empty`] for a table without rows or modelled
    /// columns; the schema's errors for values its roles cannot take;
    /// [`TabularError::BadSplit`] for a `--split` column that cannot split.
    pub fn fit(table: &Table, schema: Schema, options: &FitOptions) -> Result<CopulaModel, TabularError> {
        let prepared = schema.prepare(table)?;
        if prepared.rows() == 0 {
            return Err(TabularError::Empty("the table has no rows".into()));
        }
        CopulaFit::with_schema(schema, options)?.run_prepared(&prepared)
    }

    /// One line on what was fitted, e.g. `3 copulas, one per species (mean
    /// η² 0.62), over 13 latent coordinates`.
    pub fn describe(&self) -> String {
        let coords: usize = self
            .groups
            .iter()
            .map(|g| g.copula.coordinates.len())
            .max()
            .unwrap_or(0);
        match &self.split {
            Some(s) => format!(
                "{} copulas, one per class of '{}' (mean eta^2 {:.2}), each over at most {coords} latent coordinates",
                self.groups.len(),
                s.column,
                s.score
            ),
            None => format!("one copula over {coords} latent coordinates"),
        }
    }
}
