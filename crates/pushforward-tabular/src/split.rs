//! A copula per class of one categorical column: the column that explains
//! most of the numeric columns, and the groups of rows its classes make.
//!
//! A single Gaussian copula sees a categorical column through one latent
//! coordinate, so a numeric column that is bimodal by class (penguins'
//! flipper length by species) loses its modes' link to the class. One copula
//! per class keeps it.
//!
//! **Score** of a candidate (a boolean or categorical column of 2 to 32
//! levels): the mean, over the numeric columns, of the correlation ratio
//! (Pearson 1903) on the rows where both are present
//!
//! ```text
//! η² = Σ_c n_c (ȳ_c − ȳ)² / Σ_i (y_i − ȳ)²
//! ```
//! `--split auto` takes the best-scoring candidate when its score is at
//! least 0.1, else none.
//!
//! **Small classes.** A class with fewer than 20 rows, and the rows where
//! the column is missing, are pooled into one group whose copula models
//! the column as an ordinary categorical coordinate; every other class is a
//! group of its own. When that leaves a single group, there is no split.

use pushforward_core::{ColumnData, Table};

use crate::error::TabularError;
use crate::schema::ColumnSchema;

/// Most levels of a column split on.
pub const MAX_SPLIT_LEVELS: usize = 32;
/// Smallest mean `η²` at which `auto` splits.
pub const MIN_SCORE: f64 = 0.1;
/// Fewest rows of a class with a copula of its own.
pub const MIN_CLASS_ROWS: usize = 20;

/// Which column to split on.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SplitRule {
    /// The best-scoring column, if it scores at least [`MIN_SCORE`].
    #[default]
    Auto,
    /// One copula for all rows.
    None,
    /// This column.
    Column(String),
}

impl SplitRule {
    /// `auto`, `none` or a column name.
    pub fn parse(text: &str) -> SplitRule {
        match text {
            "auto" => SplitRule::Auto,
            "none" => SplitRule::None,
            name => SplitRule::Column(name.to_owned()),
        }
    }
}

/// The column chosen and its score.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Its index among the prepared columns.
    pub index: usize,
    /// Its mean `η²`.
    pub score: f64,
}

/// Mean `η²` of the categorical column `k` of `table` with its numeric columns.
pub fn score(table: &Table, k: usize) -> f64 {
    let col = &table.columns()[k];
    let ColumnData::Categorical { codes, levels } = &col.data else {
        return 0.0;
    };
    let etas: Vec<f64> = table
        .columns()
        .iter()
        .filter(|c| !matches!(c.data, ColumnData::Categorical { .. }))
        .map(|y| {
            let mut sum = vec![0.0; levels.len()];
            let mut count = vec![0.0; levels.len()];
            let mut all = Vec::new();
            for (i, &c) in codes.iter().enumerate() {
                if col.is_missing(i) || y.is_missing(i) {
                    continue;
                }
                let v = y.data.value_f64(i);
                sum[c as usize] += v;
                count[c as usize] += 1.0;
                all.push(v);
            }
            let n = all.len() as f64;
            if n < 2.0 {
                return 0.0;
            }
            let mean = all.iter().sum::<f64>() / n;
            let total: f64 = all.iter().map(|v| (v - mean).powi(2)).sum();
            let between: f64 = sum
                .iter()
                .zip(&count)
                .filter(|(_, n)| **n > 0.0)
                .map(|(s, n)| n * (s / n - mean).powi(2))
                .sum();
            if total > 0.0 { between / total } else { 0.0 }
        })
        .collect();
    if etas.is_empty() {
        0.0
    } else {
        etas.iter().sum::<f64>() / etas.len() as f64
    }
}

/// The column to split `table` (prepared, with columns `schema`) on.
///
/// # Errors
/// [`TabularError::BadSplit`] when `rule` names a column that is not a
/// modelled boolean or categorical column of 2 to 32 levels.
pub fn choose(
    schema: &[&ColumnSchema],
    table: &Table,
    rule: &SplitRule,
) -> Result<Option<Choice>, TabularError> {
    let eligible =
        |k: usize| schema[k].is_categorical() && (2..=MAX_SPLIT_LEVELS).contains(&schema[k].levels.len());
    match rule {
        SplitRule::None => Ok(None),
        SplitRule::Column(name) => {
            let k = schema
                .iter()
                .position(|s| s.name == *name)
                .ok_or_else(|| TabularError::BadSplit {
                    column: name.clone(),
                    reason: format!(
                        "it is not a modelled column (the modelled columns are {})",
                        schema
                            .iter()
                            .map(|s| s.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                })?;
            if !eligible(k) {
                return Err(TabularError::BadSplit {
                    column: name.clone(),
                    reason: format!(
                        "it is {} with {} levels; a split needs a boolean or categorical column of 2 to {MAX_SPLIT_LEVELS} levels",
                        schema[k].role.name(),
                        schema[k].levels.len()
                    ),
                });
            }
            Ok(Some(Choice {
                index: k,
                score: score(table, k),
            }))
        }
        SplitRule::Auto => Ok((0..schema.len())
            .filter(|&k| eligible(k))
            .map(|k| Choice {
                index: k,
                score: score(table, k),
            })
            .filter(|c| c.score >= MIN_SCORE)
            .max_by(|a, b| a.score.total_cmp(&b.score).then(b.index.cmp(&a.index)))),
    }
}

/// The groups of rows of a split on column `k`: one per class of at least
/// [`MIN_CLASS_ROWS`] rows, in code order, then the pooled rest (if any),
/// each with the labels it covers.
pub fn groups(table: &Table, k: usize) -> Vec<(Vec<String>, Vec<usize>)> {
    let col = &table.columns()[k];
    let ColumnData::Categorical { codes, levels } = &col.data else {
        return vec![(Vec::new(), (0..table.rows()).collect())];
    };
    let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); levels.len()];
    let mut rest = Vec::new();
    for (i, &c) in codes.iter().enumerate() {
        if col.is_missing(i) {
            rest.push(i);
        } else {
            by_level[c as usize].push(i);
        }
    }
    let mut out = Vec::new();
    let mut rest_labels = Vec::new();
    for (label, rows) in levels.iter().zip(by_level) {
        if rows.len() >= MIN_CLASS_ROWS {
            out.push((vec![label.clone()], rows));
        } else if !rows.is_empty() {
            rest_labels.push(label.clone());
            rest.extend(rows);
        }
    }
    if !rest.is_empty() {
        rest.sort_unstable();
        if col.missing_count() > 0 {
            rest_labels.push("(missing)".into());
        }
        out.push((rest_labels, rest));
    }
    out
}
