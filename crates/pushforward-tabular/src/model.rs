//! The fitted synthesizer of a table: its schema, the split column (if
//! any) and one Gaussian copula per group of rows, weighted by the group's
//! share of the rows.
//!
//! Fitting: the table is prepared by its [`Schema`]; the split column is
//! chosen ([`crate::split`]); each group's marginals are fitted on its
//! rows, then its latent correlation from the sums of its rows' normal
//! scores, taken `chunk_rows` rows at a time and merged
//! ([`crate::copula::Moments`]), so a fit over row groups is the fit over
//! the whole table.

use pushforward_core::Table;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::copula::{GroupCopula, Marginals, Moments};
use crate::error::TabularError;
use crate::schema::Schema;
use crate::split::{self, SplitRule};

/// Rows whose score sums are added before being merged, by default.
pub const CHUNK_ROWS: usize = 65_536;

/// Settings of a fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FitOptions {
    /// Seed of the nearest-correlation search's random starts.
    pub seed: u64,
    /// Which column to split on.
    pub split: SplitRule,
    /// Rows per chunk of the correlation sums (at least 1).
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
        if prepared.columns().is_empty() {
            return Err(TabularError::Empty(
                "every column is an ID or dropped; pass --types NAME=ROLE to model one".into(),
            ));
        }
        let modelled: Vec<_> = schema.modelled().collect();
        let mut choice = split::choose(&modelled, &prepared, &options.split)?;
        let mut parts = match &choice {
            Some(c) => split::groups(&prepared, c.index),
            None => Vec::new(),
        };
        // Every class too small for a copula of its own: one group, no split.
        if parts.len() < 2 {
            choice = None;
            parts = vec![(Vec::new(), (0..prepared.rows()).collect())];
        }
        let n = prepared.rows() as f64;
        let chunk = options.chunk_rows.max(1);
        // Groups in parallel (each search is sequential), collected in order.
        let groups = parts
            .into_par_iter()
            .map(|(labels, rows)| {
                let marginals = Marginals::fit(&modelled, &prepared, &rows);
                // Chunks in parallel, merged in order: the same sums on any
                // number of threads.
                let parts: Vec<Moments> = rows
                    .par_chunks(chunk)
                    .map(|part| marginals.moments(&prepared, part.iter().copied()))
                    .collect();
                let mut moments = Moments::new(marginals.coordinates().len());
                for part in &parts {
                    moments.merge(part);
                }
                Ok(Group {
                    labels,
                    weight: rows.len() as f64 / n,
                    copula: marginals.copula(rows.len(), &moments, options.seed)?,
                })
            })
            .collect::<Result<Vec<_>, TabularError>>()?;
        let split = choice.map(|c| SplitInfo {
            column: modelled[c.index].name.clone(),
            score: c.score,
        });
        Ok(CopulaModel {
            schema,
            split,
            groups,
            rows: prepared.rows(),
        })
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
