//! From a table to a network's training matrix and back.
//!
//! Numeric columns are standardised with the population std (a constant
//! column keeps std 1) and restored after sampling; integer columns are
//! rounded back to integers. Categorical columns and missing values are
//! encoded by a [`Layout`] (one-hot levels and missing flags,
//! `encoding.rs`), decoded back into the table's columns. At most one integer or categorical column can
//! be the condition: its distinct values become classes `0..C` in sorted
//! order, with their training counts.
//!
//! [`Standardiser`] holds the scales (`standardiser.rs` has the formulas).

mod encoding;
mod standardiser;

use std::sync::Arc;

use pushforward_core::{Column, ColumnData, Table};
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
pub use encoding::{EncodedColumn, EncodedKind, Layout};
pub use standardiser::Standardiser;

/// Kind of a modelled numeric column.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumericKind {
    /// Real values.
    Float,
    /// Integers: samples are rounded.
    Int,
}

/// A modelled column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericColumn {
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: NumericKind,
}

/// How the condition column was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ConditionKind {
    /// Integer codes, written back as integers.
    Int,
    /// Text labels.
    Categorical,
}

/// The class column of a conditional model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Column name.
    pub column: String,
    /// How it was stored.
    pub kind: ConditionKind,
    /// Class labels, sorted; class `k` is `labels[k]`.
    pub labels: Vec<String>,
    /// Training rows per class.
    pub counts: Vec<u64>,
}

impl Condition {
    /// The class of `label`.
    ///
    /// # Errors
    /// [`NeuralError::UnknownClass`] naming the known labels.
    pub fn class_of(&self, label: &str) -> Result<u32, NeuralError> {
        self.labels
            .iter()
            .position(|l| l == label)
            .map(|k| k as u32)
            .ok_or_else(|| NeuralError::UnknownClass {
                label: label.to_string(),
                column: self.column.clone(),
                known: self.labels.clone(),
            })
    }

    /// The column holding `classes`.
    fn column(&self, classes: &[u32]) -> Column {
        match self.kind {
            ConditionKind::Int => Column::int(
                self.column.clone(),
                classes
                    .iter()
                    .map(|&k| self.labels[k as usize].parse().unwrap_or_default())
                    .collect(),
            ),
            ConditionKind::Categorical => {
                let levels: Arc<[String]> = self.labels.clone().into();
                Column::categorical(self.column.clone(), classes.to_vec(), levels)
            }
        }
    }
}

/// A table read for training: the encoded matrix and the classes.
#[derive(Debug, Clone)]
pub struct TrainingTable {
    /// The network's dimensions: the numeric columns, or a layout's
    /// dimensions when there is one.
    pub columns: Vec<NumericColumn>,
    /// Every column's name in the table's order (modelled and condition).
    pub order: Vec<String>,
    /// Row-major `rows × columns.len()` raw values.
    pub x: Vec<f64>,
    /// The condition and each row's class.
    pub condition: Option<(Condition, Vec<u32>)>,
    /// Scales of the dimensions.
    pub scales: Standardiser,
    /// How categorical columns and missing values are encoded, absent when
    /// every modelled column is numeric without missing values.
    pub layout: Option<Layout>,
}

impl TrainingTable {
    /// Reads `table`, with `condition` naming the class column if any;
    /// categorical columns and missing values are encoded by a [`Layout`].
    ///
    /// # Errors
    /// [`NeuralError::MissingCondition`], [`NeuralError::RealCondition`],
    /// [`NeuralError::MissingValues`], [`NeuralError::NoRows`],
    /// [`NeuralError::AllMissing`] or [`NeuralError::NoNumericColumn`] for
    /// an unknown condition column, a float condition or one with missing
    /// values, no rows, a column without a present value or no column to
    /// model.
    pub fn new(table: &Table, condition: Option<&str>) -> Result<TrainingTable, NeuralError> {
        let found = match condition {
            Some(name) => {
                let column = table.column(name).ok_or_else(|| NeuralError::MissingCondition {
                    name: name.to_string(),
                    columns: table.columns().iter().map(|c| c.name.clone()).collect(),
                })?;
                missing_values(column)?;
                Some(classes_of(column)?)
            }
            None => None,
        };
        if table.rows() == 0 {
            return Err(NeuralError::NoRows);
        }
        let layout = Layout::fit(table, condition)?;
        let columns = layout.dims();
        if columns.is_empty() {
            return Err(NeuralError::NoNumericColumn);
        }
        let values = layout.encode(table)?;
        let x: Vec<f64> = (0..table.rows())
            .flat_map(|i| values.iter().map(move |v| v[i]))
            .collect();
        let mut scales = Standardiser::fit(&values);
        layout.scale_flags(&mut scales);
        Ok(TrainingTable {
            scales,
            columns,
            order: table.columns().iter().map(|c| c.name.clone()).collect(),
            x,
            condition: found,
            layout: layout.needed().then_some(layout),
        })
    }

    /// As [`TrainingTable::new`], for uses that need the table's own
    /// numbers (points, likelihoods): every column but the condition
    /// numeric, no missing value, so there is no layout.
    ///
    /// # Errors
    /// Those of [`TrainingTable::new`]; [`NeuralError::TextColumn`] or
    /// [`NeuralError::MissingValues`] for the first categorical column or
    /// column with missing values.
    pub fn numeric(table: &Table, condition: Option<&str>) -> Result<TrainingTable, NeuralError> {
        for column in table
            .columns()
            .iter()
            .filter(|c| Some(c.name.as_str()) != condition)
        {
            missing_values(column)?;
            if let ColumnData::Categorical { .. } = column.data {
                return Err(NeuralError::TextColumn {
                    column: column.name.clone(),
                });
            }
        }
        TrainingTable::new(table, condition)
    }
}

impl TrainingTable {
    /// The rows as the network sees them: standardised, `f32`, row-major,
    /// with the fixed jitter of a layout's one-hot and indicator
    /// dimensions drawn from `seed` ([`Layout::jitter_flags`]).
    pub fn standardised(&self, seed: u64) -> Vec<f32> {
        let mut z = self.scales.apply(&self.x);
        if let Some(layout) = &self.layout {
            layout.jitter_flags(&mut z, seed);
        }
        z
    }
}

/// Refuses a column with missing values, naming the first.
fn missing_values(column: &Column) -> Result<(), NeuralError> {
    match column.missing.as_ref().and_then(|m| m.iter().position(|&b| b)) {
        Some(row) => Err(NeuralError::MissingValues {
            column: column.name.clone(),
            count: column.missing_count(),
            first_row: row + 1,
        }),
        None => Ok(()),
    }
}

/// The text of row `i` of a condition column: its label, or its integer.
pub(crate) fn label_text(column: &Column, i: usize) -> String {
    match &column.data {
        ColumnData::Categorical { codes, levels } => levels[codes[i] as usize].clone(),
        ColumnData::Int(v) => v[i].to_string(),
        data => format!("{}", data.value_f64(i)),
    }
}

/// The classes of a condition column.
fn classes_of(column: &Column) -> Result<(Condition, Vec<u32>), NeuralError> {
    let kind = match &column.data {
        ColumnData::Int(_) => ConditionKind::Int,
        ColumnData::Categorical { .. } => ConditionKind::Categorical,
        ColumnData::Float(_) => {
            return Err(NeuralError::RealCondition {
                column: column.name.clone(),
            });
        }
    };
    let values: Vec<String> = (0..column.data.len()).map(|i| label_text(column, i)).collect();
    let mut labels: Vec<String> = values.clone();
    match kind {
        ConditionKind::Int => labels.sort_by_key(|l| l.parse::<i64>().unwrap_or_default()),
        ConditionKind::Categorical => labels.sort(),
    }
    labels.dedup();
    let classes: Vec<u32> = values
        .iter()
        .map(|v| labels.iter().position(|l| l == v).unwrap_or_default() as u32)
        .collect();
    let mut counts = vec![0u64; labels.len()];
    classes.iter().for_each(|&k| counts[k as usize] += 1);
    Ok((
        Condition {
            column: column.name.clone(),
            kind,
            labels,
            counts,
        },
        classes,
    ))
}

/// Builds the output table from raw row-major values: the layout's columns
/// decoded when there is one, else numeric columns (integers rounded), and
/// the condition column from classes, in `order`.
pub(crate) fn to_table(
    columns: &[NumericColumn],
    layout: Option<&Layout>,
    order: &[String],
    x: &[f64],
    condition: Option<(&Condition, &[u32])>,
) -> Result<Table, NeuralError> {
    let d = columns.len();
    let mut out: Vec<Column> = Vec::with_capacity(order.len());
    for name in order {
        if let Some((cond, classes)) = condition.filter(|(c, _)| &c.column == name) {
            out.push(cond.column(classes));
        } else if let Some(column) = layout.and_then(|l| l.decode(name, x)) {
            out.push(column);
        } else if let Some(k) = columns.iter().position(|c| &c.name == name) {
            let values = x.iter().skip(k).step_by(d).copied();
            out.push(match columns[k].kind {
                NumericKind::Float => Column::float(name.clone(), values.collect()),
                NumericKind::Int => Column::int(name.clone(), values.map(|v| v.round() as i64).collect()),
            });
        }
    }
    Table::new(out).map_err(NeuralError::Table)
}
