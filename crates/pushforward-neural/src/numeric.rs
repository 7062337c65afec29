//! The columns of a model of a table, what every family (flow matching, MMD
//! network, spline flow, score model, generative particles) shares: the
//! output columns a fit writes into its header, the check of those columns
//! (and of the table layout) when a file is read back, and the table a
//! likelihood scores, refused when its columns are not the model's or when
//! the model encodes categorical columns or missing values.

use pushforward_core::Table;

use crate::data::{
    Condition, ConditionKind, Layout, NumericColumn, NumericKind, Standardiser, TrainingTable,
    prepared_order, schema_columns,
};
use crate::error::NeuralError;
use crate::model_file::{ColumnInfo, ColumnKind, ModelHeader};

/// The output columns of a model fitted to `data`, in the table's order
/// (its schema's, when the layout holds one).
pub(crate) fn output_columns(data: &TrainingTable) -> Vec<ColumnInfo> {
    if let Some(schema) = data.layout.as_ref().and_then(|l| l.schema.as_ref()) {
        return schema_columns(schema);
    }
    let condition = data.condition.as_ref().map(|(c, _)| c);
    data.order
        .iter()
        .map(|name| ColumnInfo {
            name: name.clone(),
            kind: column_kind(name, &data.columns, data.layout.as_ref(), condition),
        })
        .collect()
}

/// The kind of output column `name` of a model with dimensions `numeric`,
/// `layout` and `condition`.
pub(crate) fn column_kind(
    name: &str,
    numeric: &[NumericColumn],
    layout: Option<&Layout>,
    condition: Option<&Condition>,
) -> ColumnKind {
    if let Some(c) = condition.filter(|c| c.column == name) {
        return match c.kind {
            ConditionKind::Int => ColumnKind::Int,
            ConditionKind::Categorical => ColumnKind::Categorical,
        };
    }
    if let Some(kind) = layout.and_then(|l| l.kind_of(name)) {
        return kind;
    }
    match numeric.iter().find(|c| c.name == name).map(|c| c.kind) {
        Some(NumericKind::Int) => ColumnKind::Int,
        Some(NumericKind::Float) | None => ColumnKind::Float,
    }
}

/// The order of the columns a model read from a file draws (before its
/// schema, if any, restores them), after checking its standardisation
/// (one finite mean and positive std per dimension), its layout (if any)
/// against its dimensions, and that the header's columns are the modelled
/// and condition columns (the schema's output columns); the error says
/// what does not fit.
pub(crate) fn decoded_order(
    header: &ModelHeader,
    numeric: &[NumericColumn],
    layout: Option<&Layout>,
    condition: Option<&Condition>,
    scales: &Standardiser,
) -> Result<Vec<String>, String> {
    scales.check(numeric)?;
    if let Some(layout) = layout {
        layout.check(numeric)?;
    }
    if let Some((layout, schema)) = layout.and_then(|l| Some((l, l.schema.as_ref()?))) {
        if header.columns != schema_columns(schema) {
            return Err("the output columns are not the schema's columns".into());
        }
        return prepared_order(schema, layout, condition.map(|c| c.column.as_str()));
    }
    let modelled = layout.map_or(numeric.len(), |l| l.columns.len());
    let same_columns = header.columns.len() == modelled + usize::from(condition.is_some())
        && header
            .columns
            .iter()
            .all(|c| c.kind == column_kind(&c.name, numeric, layout, condition));
    if !same_columns {
        return Err("the output columns are not the modelled columns".into());
    }
    Ok(header.columns.iter().map(|c| c.name.clone()).collect())
}

/// The rows of `table` to score under a model of `numeric` and `condition`
/// without a layout.
///
/// # Errors
/// [`NeuralError::NoTableDensity`] for a model with a layout; those of
/// [`TrainingTable::numeric`]; [`NeuralError::ColumnsDiffer`] when the table's
/// numeric columns are not the model's.
pub(crate) fn scored_table(
    table: &Table,
    numeric: &[NumericColumn],
    layout: Option<&Layout>,
    condition: Option<&str>,
) -> Result<TrainingTable, NeuralError> {
    if let Some(layout) = layout {
        layout.refuse_likelihood()?;
    }
    let data = TrainingTable::numeric(table, condition)?;
    let names = |c: &[NumericColumn]| c.iter().map(|c| c.name.clone()).collect::<Vec<_>>();
    if names(&data.columns) != names(numeric) {
        return Err(NeuralError::ColumnsDiffer {
            table: names(&data.columns),
            model: names(numeric),
        });
    }
    Ok(data)
}
