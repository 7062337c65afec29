//! The roles of a table's columns around the encoding: every neural method
//! reads a table as the copula does, through `pushforward-tabular`'s
//! [`Schema`], and writes its rows back through it.
//!
//! ```text
//! fit     table ─► Schema::infer (+ --types, --schema) ─► Schema::prepare ─► Layout::encode ─► network
//! sample  network ─► Layout::decode ─► Schema::restore ─► rows in the table's order and types
//! ```
//!
//! [`Schema::prepare`] leaves out ID and dropped columns and turns dates into
//! seconds, booleans and labels into category codes; [`Schema::restore`]
//! writes dates back in their layout and regenerates IDs (never copied from
//! the table). A schema of float and integer columns only (and the class
//! column of a conditional model) is the table itself: it is not stored, and the model keeps the plain standardisation
//! (and its likelihood). Any other schema is stored in the model's
//! [`Layout`](super::Layout), so that a file without one (written before
//! schemas, or of a numeric table) samples as it always did.

use pushforward_core::Table;
use pushforward_tabular::schema::OutputKind;
use pushforward_tabular::{Role, Schema};

use super::{EncodedKind, Layout};
use crate::error::NeuralError;
use crate::model_file::{ColumnInfo, ColumnKind};

/// A table to fit, with the roles of its columns: given (a [`Schema`]
/// with the user's overrides), or inferred by [`Schema::infer`] when the
/// input is a plain [`Table`].
#[derive(Debug, Clone)]
pub struct TableInput<'a> {
    table: &'a Table,
    schema: Option<Schema>,
}

impl<'a> TableInput<'a> {
    /// `table` read with the roles of `schema`.
    pub fn new(table: &'a Table, schema: Schema) -> TableInput<'a> {
        TableInput {
            table,
            schema: Some(schema),
        }
    }

    /// The table as given.
    pub fn table(&self) -> &'a Table {
        self.table
    }

    /// The table as the encoding sees it ([`Schema::prepare`]), and the
    /// schema when it is more than float and integer columns besides the
    /// `condition` column (whose classes come back as they are).
    ///
    /// # Errors
    /// [`NeuralError::Tabular`] when a column cannot take its role.
    pub(crate) fn prepare(&self, condition: Option<&str>) -> Result<(Table, Option<Schema>), NeuralError> {
        let schema = match &self.schema {
            Some(s) => s.clone(),
            None => Schema::infer(self.table, &[])?,
        };
        let prepared = schema.prepare(self.table)?;
        let plain = schema.columns.iter().all(|c| {
            matches!(c.role, Role::Float | Role::Integer)
                || (Some(c.name.as_str()) == condition && c.is_categorical())
        });
        Ok((prepared, (!plain).then_some(schema)))
    }
}

impl<'a> From<&'a Table> for TableInput<'a> {
    fn from(table: &'a Table) -> TableInput<'a> {
        TableInput { table, schema: None }
    }
}

/// The output columns a model of `schema` writes, in the table's order
/// (IDs included, dropped columns left out, dates as text).
pub(crate) fn output_columns(schema: &Schema) -> Vec<ColumnInfo> {
    schema
        .outputs()
        .into_iter()
        .map(|(name, kind)| ColumnInfo {
            name,
            kind: match kind {
                OutputKind::Float => ColumnKind::Float,
                OutputKind::Int => ColumnKind::Int,
                OutputKind::Text => ColumnKind::Categorical,
            },
        })
        .collect()
}

/// The columns of `schema` that are not plain numbers (what a likelihood
/// cannot score).
pub(crate) fn encoded_roles(schema: &Schema) -> impl Iterator<Item = &str> {
    schema
        .columns
        .iter()
        .filter(|c| !matches!(c.role, Role::Float | Role::Integer))
        .map(|c| c.name.as_str())
}

/// The columns a model of `schema` draws, in the prepared table's order
/// (what [`super::to_table`] builds before restoring), after checking
/// them against `layout`'s encoded columns and the `condition` column;
/// the error says what does not fit.
pub(crate) fn prepared_order(
    schema: &Schema,
    layout: &Layout,
    condition: Option<&str>,
) -> Result<Vec<String>, String> {
    let order: Vec<String> = schema.modelled().map(|c| c.name.clone()).collect();
    let encoded: Vec<_> = schema
        .modelled()
        .filter(|c| Some(c.name.as_str()) != condition)
        .collect();
    let same = encoded.len() == layout.columns.len()
        && encoded.iter().zip(&layout.columns).all(|(s, e)| {
            s.name == e.name
                && match (&e.kind, s.role) {
                    (EncodedKind::Float { .. }, Role::Float | Role::Datetime)
                    | (EncodedKind::Int { .. }, Role::Integer) => true,
                    (EncodedKind::Categorical { levels }, Role::Boolean | Role::Categorical) => {
                        *levels == s.levels
                    }
                    _ => false,
                }
        })
        && condition.is_none_or(|c| order.iter().any(|n| n == c));
    if same {
        Ok(order)
    } else {
        Err("the schema's modelled columns are not the table layout's columns".into())
    }
}
