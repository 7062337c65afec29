//! From a table to a network's training matrix and back.
//!
//! The table is first read by the roles of its columns (`schema.rs`:
//! `pushforward-tabular`'s `Schema::prepare`, and `Schema::restore` for
//! drawn rows), the same table layer as the copula's.
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
mod schema;
mod standardiser;

use std::sync::Arc;

use pushforward_core::{Column, ColumnData, Table};
use serde::{Deserialize, Serialize};

use crate::error::NeuralError;
pub use encoding::{EncodedColumn, EncodedKind, Layout};
pub use schema::TableInput;
pub(crate) use schema::{output_columns as schema_columns, prepared_order};
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
    /// Every column's name in the order of the table the schema prepared
    /// (modelled and condition).
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
    /// Reads a table by the roles of its columns ([`TableInput`]), with
    /// `condition` naming the class column if any; categorical columns,
    /// missing values and the schema are held by a [`Layout`].
    ///
    /// # Errors
    /// [`NeuralError::Tabular`] for a column that cannot take its role;
    /// [`NeuralError::MissingCondition`], [`NeuralError::RealCondition`],
    /// [`NeuralError::MissingValues`], [`NeuralError::NoRows`],
    /// [`NeuralError::AllMissing`] or [`NeuralError::NoNumericColumn`] for
    /// an unknown (or unmodelled) condition column, a float condition or
    /// one with missing values, no rows, a column without a present value
    /// or no column to model.
    pub fn new<'a>(
        input: impl Into<TableInput<'a>>,
        condition: Option<&str>,
    ) -> Result<TrainingTable, NeuralError> {
        let (table, schema) = input.into().prepare(condition)?;
        TrainingTable::encode(&table, schema, condition)
    }

    /// Encodes `table` (prepared by `schema` when there is one).
    fn encode(
        table: &Table,
        schema: Option<pushforward_tabular::Schema>,
        condition: Option<&str>,
    ) -> Result<TrainingTable, NeuralError> {
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
        let mut layout = Layout::fit(table, condition)?;
        layout.schema = schema;
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
        TrainingTable::encode(table, None, condition)
    }

    /// The training rows.
    pub fn rows(&self) -> usize {
        self.x.len() / self.columns.len().max(1)
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

/// Writes a model's drawn rows as the table's rows, block after block
/// (see [`Decoder::block`]).
#[derive(Debug)]
pub(crate) struct Decoder<'a> {
    /// The network's dimensions.
    columns: &'a [NumericColumn],
    /// Their scales.
    scales: &'a Standardiser,
    /// The table layout, if any.
    layout: Option<&'a Layout>,
    /// The columns drawn, in the prepared table's order.
    order: &'a [String],
    /// The index of the next block's first row (for fresh IDs).
    next_row: u64,
}

impl<'a> Decoder<'a> {
    /// The decoder of a model with dimensions `columns` scaled by
    /// `scales`, `layout` and output `order`, before its first row.
    pub(crate) fn new(
        columns: &'a [NumericColumn],
        scales: &'a Standardiser,
        layout: Option<&'a Layout>,
        order: &'a [String],
    ) -> Decoder<'a> {
        Decoder {
            columns,
            scales,
            layout,
            order,
            next_row: 0,
        }
    }

    /// The table of standardised row-major rows `z`: restored to data
    /// units, the layout's columns decoded when there is one, else numeric
    /// columns (integers rounded), and the condition column from classes,
    /// in `order`; then, when the layout holds a schema, restored to the
    /// table's columns and types, fresh IDs numbered on from the rows of
    /// the blocks before.
    ///
    /// # Errors
    /// [`NeuralError::Table`] or [`NeuralError::Tabular`] when the rows do
    /// not make the model's table (a corrupt model).
    pub(crate) fn block(
        &mut self,
        z: &[f32],
        condition: Option<(&Condition, &[u32])>,
    ) -> Result<Table, NeuralError> {
        let x = self.scales.restore(z);
        let d = self.columns.len();
        let mut out: Vec<Column> = Vec::with_capacity(self.order.len());
        for name in self.order {
            if let Some((cond, classes)) = condition.filter(|(c, _)| &c.column == name) {
                out.push(cond.column(classes));
            } else if let Some(column) = self.layout.and_then(|l| l.decode(name, &x)) {
                out.push(column);
            } else if let Some(k) = self.columns.iter().position(|c| &c.name == name) {
                let values = x.iter().skip(k).step_by(d).copied();
                out.push(match self.columns[k].kind {
                    NumericKind::Float => Column::float(name.clone(), values.collect()),
                    NumericKind::Int => Column::int(name.clone(), values.map(|v| v.round() as i64).collect()),
                });
            }
        }
        let table = Table::new(out).map_err(NeuralError::Table)?;
        let first_row = self.next_row;
        self.next_row += table.rows() as u64;
        match self.layout.and_then(|l| l.schema.as_ref()) {
            Some(schema) => Ok(schema.restore(table, first_row)?),
            None => Ok(table),
        }
    }
}
